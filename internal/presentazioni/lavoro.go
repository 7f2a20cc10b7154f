package presentazioni

import (
	"context"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the operatore presentazioni's home counts: the open ADI
// cases of their comune with a term overdue and in scadenza (no case named),
// with the day-20 cut-off under them when any.
func (s *Service) Contatori() []home.Contatore {
	return []home.Contatore{{Ruolo: authz.OperatorePresentazioni, Voci: []home.VoceLavoro{
		{Etichetta: "nuclei del comune con un termine scaduto", Singolare: "nucleo del comune con un termine scaduto", Href: "/presentazioni", Allarme: true},
		{Etichetta: "nuclei del comune con un termine in scadenza", Singolare: "nucleo del comune con un termine in scadenza", Href: "/presentazioni", Allarme: true},
	}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
		comune, ok := sportelloDi(p)
		if !ok {
			return nil, false, nil
		}
		a, b, err := s.casi.ContaComune(ctx, comune)
		return []int{a, b}, err == nil, err
	}, Nota: casi.NotaTaglio(s.now, 0, 1)}}
}
