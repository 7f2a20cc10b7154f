package incontri

import (
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
)

// AccodaSezione gives the meetings' section of the case page (casi.FonteSezione):
// how many meetings are registered, linking to the case's convocazioni and
// incontri.
func (s *Service) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var n int
	accodaContaIncontri(b, c.ID, &n)
	return func() (casi.Sezione, error) {
		return casi.Sezione{Titolo: "Convocazioni e incontri", Href: "/casi/" + c.ID.String() + "/incontri", Testo: testoSezione(n)}, nil
	}
}

// testoSezione counts the meetings registered.
func testoSezione(n int) string { return casi.Quanti(n, "incontro registrato", "incontri registrati") }
