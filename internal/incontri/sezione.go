package incontri

import (
	"context"
	"fmt"

	"github.com/cartella/cartella/internal/casi"
)

// SezioneCaso is the meetings' section of the case page (casi.FonteSezione):
// how many meetings are registered, linking to the case's convocazioni and
// incontri.
func (s *Service) SezioneCaso(ctx context.Context, c casi.Caso) (casi.Sezione, error) {
	n, err := contaIncontri(ctx, s.pool, c.ID)
	if err != nil {
		return casi.Sezione{}, fmt.Errorf("incontri: sezione: %w", err)
	}
	return casi.Sezione{Titolo: "Convocazioni e incontri", Href: "/casi/" + c.ID.String() + "/incontri", Testo: testoSezione(n)}, nil
}

// testoSezione counts the meetings registered.
func testoSezione(n int) string { return casi.Quanti(n, "incontro registrato", "incontri registrati") }
