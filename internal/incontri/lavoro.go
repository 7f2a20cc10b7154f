package incontri

import (
	"context"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the case manager's appointments on the home: today's, and
// the past ones never registered, each linking to the agenda.
func (s *Service) Contatori() []home.Contatore {
	return []home.Contatore{
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "appuntamenti oggi", Singolare: "appuntamento oggi", Href: "/agenda"},
		}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			r, ok, err := s.casi.RiepilogoLavoro(ctx, p)
			return []int{r.Oggi}, ok, err
		}},
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "incontri passati da registrare", Singolare: "incontro passato da registrare", Href: "/agenda#da-registrare", Allarme: true},
		}, Conta: home.Uno(s.ContaDaRegistrare)},
	}
}
