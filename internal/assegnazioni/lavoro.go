package assegnazioni

import (
	"context"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the coordinatore PaIS's counts of the board on the home:
// the open cases of the scope, those waiting for a case manager, those past
// the 120 days without a first meeting (domain.md §2.2), and the assigned
// ones (the workload page).
func (s *Service) Contatori() []home.Contatore {
	return []home.Contatore{{Ruolo: authz.CoordinatorePaIS, Voci: []home.VoceLavoro{
		{Etichetta: "casi aperti nel tuo ambito", Singolare: "caso aperto nel tuo ambito", Href: "/assegnazioni"},
		{Etichetta: "da assegnare", Href: "/assegnazioni?da_assegnare=1", Allarme: true},
		{Etichetta: "senza primo incontro entro i 120 giorni", Href: "/assegnazioni?entro=scaduto", Allarme: true},
		{Etichetta: "assegnati ai case manager (carichi di lavoro)", Singolare: "assegnato ai case manager (carichi di lavoro)", Href: "/assegnazioni/carichi"},
	}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
		r, ok, err := s.casi.RiepilogoLavoro(ctx, p)
		return []int{r.Aperti, r.DaAssegnare, r.T120Scaduti, r.Aperti - r.DaAssegnare}, ok, err
	}}}
}
