package segnalazioni

import (
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
)

// AccodaSezione gives the segnalazioni's section of the case page
// (casi.FonteSezione): all the segnalazioni to INPS not cancelled, and
// those still open (draft, in approval, approved, refused).
func (s *Service) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var tutte, aperte int
	accodaContaDelCaso(b, c.ID, &tutte, &aperte)
	return func() (casi.Sezione, error) {
		return casi.Sezione{Titolo: "Segnalazioni", Href: "/casi/" + c.ID.String() + "/segnalazioni", Testo: testoSezione(tutte, aperte)}, nil
	}
}

// testoSezione counts the segnalazioni and those still open.
func testoSezione(tutte, aperte int) string {
	if tutte == 0 {
		return "Nessuna segnalazione all'INPS"
	}
	t := casi.Quanti(tutte, "segnalazione", "segnalazioni")
	if aperte > 0 {
		t += ", " + casi.Quanti(aperte, "in corso", "in corso")
	}
	return t
}
