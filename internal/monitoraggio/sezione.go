package monitoraggio

import (
	"context"
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/casi"
)

// SezioneCaso is the monitoring's section of the case page
// (casi.FonteSezione): the meetings held and the next one planned.
func (s *Service) SezioneCaso(ctx context.Context, c casi.Caso) (casi.Sezione, error) {
	svolti, prossimo, err := contaIncontri(ctx, s.pool, c.ID)
	if err != nil {
		return casi.Sezione{}, fmt.Errorf("monitoraggio: sezione: %w", err)
	}
	return casi.Sezione{Titolo: "Monitoraggio del patto", Href: "/casi/" + c.ID.String() + "/monitoraggio",
		Testo: testoSezione(svolti, prossimo)}, nil
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
