package equipe

import (
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
)

// FonteSezione is the équipe's section of the case page (casi.FonteSezione).
type FonteSezione struct{}

// AccodaSezione links to the case's équipe multidisciplinare: no query.
func (FonteSezione) AccodaSezione(_ *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	return func() (casi.Sezione, error) {
		return casi.Sezione{Titolo: "Équipe multidisciplinare", Href: "/casi/" + c.ID.String() + "/equipe",
			Testo: "Componenti, familiare referente e convocazioni"}, nil
	}
}
