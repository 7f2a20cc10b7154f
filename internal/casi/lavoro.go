package casi

import (
	"context"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the case manager's counts of their own open cases on the
// home, from one query: open, with a legal deadline expired, with one close
// (domain.md §2.2), each linking to /casi, and today's appointments, linking
// to agenda (the agenda's page, which the composition root names: casi does
// not know the other modules' URLs).
func (s *Service) Contatori(agenda string) []home.Contatore {
	return []home.Contatore{{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
		{Etichetta: "casi aperti", Singolare: "caso aperto", Href: "/casi"},
		{Etichetta: "con un termine scaduto", Href: "/casi", Allarme: true},
		{Etichetta: "con un termine in scadenza", Href: "/casi", Allarme: true},
		{Etichetta: "appuntamenti oggi", Singolare: "appuntamento oggi", Href: agenda},
	}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
		r, ok, err := s.RiepilogoLavoro(ctx, p)
		return []int{r.Aperti, r.Scaduti, r.InScadenza, r.Oggi}, ok, err
	}}}
}
