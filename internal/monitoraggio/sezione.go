package monitoraggio

import (
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
)

// AccodaSezione gives the monitoring's section of the case page
// (casi.FonteSezione): the meetings held and the next one planned.
func (s *Service) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var (
		svolti   int
		prossimo *time.Time
	)
	accodaContaIncontri(b, c.ID, &svolti, &prossimo)
	return func() (casi.Sezione, error) {
		return casi.Sezione{Titolo: "Monitoraggio del patto", Href: "/casi/" + c.ID.String() + "/monitoraggio",
			Testo: testoSezione(svolti, prossimo)}, nil
	}
}

// testoSezione says how many monitoring meetings were held and when the
// next one is.
func testoSezione(svolti int, prossimo *time.Time) string {
	if svolti == 0 && prossimo == nil {
		return "Nessun incontro di monitoraggio"
	}
	t := casi.Quanti(svolti, "incontro svolto", "incontri svolti")
	if prossimo != nil {
		t += " · prossimo il " + prossimo.Format("02/01/2006")
	}
	return t
}
