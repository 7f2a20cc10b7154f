package equipe

import (
	"context"

	"github.com/cartella/cartella/internal/casi"
)

// FonteSezione is the équipe's section of the case page (casi.FonteSezione).
type FonteSezione struct{}

// SezioneCaso links to the case's équipe multidisciplinare.
func (FonteSezione) SezioneCaso(_ context.Context, c casi.Caso) (casi.Sezione, error) {
	return casi.Sezione{Titolo: "Équipe multidisciplinare", Href: "/casi/" + c.ID.String() + "/equipe",
		Testo: "Componenti, familiare referente e convocazioni"}, nil
}
