package segnalazioni

import (
	"context"
	"fmt"

	"github.com/cartella/cartella/internal/casi"
)

// SezioneCaso is the segnalazioni's section of the case page
// (casi.FonteSezione): all the segnalazioni to INPS not cancelled, and
// those still open (draft, in approval, approved, refused).
func (s *Service) SezioneCaso(ctx context.Context, c casi.Caso) (casi.Sezione, error) {
	tutte, aperte, err := contaDelCaso(ctx, s.pool, c.ID)
	if err != nil {
		return casi.Sezione{}, fmt.Errorf("segnalazioni: sezione: %w", err)
	}
	return casi.Sezione{Titolo: "Segnalazioni", Href: "/casi/" + c.ID.String() + "/segnalazioni", Testo: testoSezione(tutte, aperte)}, nil
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
