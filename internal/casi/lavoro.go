package casi

import (
	"context"
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
	"github.com/cartella/cartella/internal/scadenze"
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
	}, Nota: s.notaTaglio(1, 2)}}
}

// notaTaglio is the day-20 cut-off (scadenze.TaglioAl) shown under the
// counts when the counts at the positions given (cases with a term overdue
// or in scadenza) are not all zero: for those nuclei a registration by the
// 20th still counts for this month's payment.
func (s *Service) notaTaglio(posizioni ...int) func([]int) string {
	return NotaTaglio(s.now, posizioni...)
}

// NotaTaglio is notaTaglio for a module's own counts, at the clock now.
func NotaTaglio(now func() time.Time, posizioni ...int) func([]int) string {
	return func(n []int) string {
		for _, i := range posizioni {
			if i < len(n) && n[i] > 0 {
				return "Per i nuclei con un termine scaduto o in scadenza — " + scadenze.TaglioAl(now()).Messaggio
			}
		}
		return ""
	}
}

// ContaComune counts the open ADI cases of comune comuneID with a term
// overdue and in scadenza (T120 or T90): the operatore presentazioni's home,
// which names no case.
func (s *Service) ContaComune(ctx context.Context, comuneID int64) (scaduti, inScadenza int, err error) {
	scaduti, inScadenza, err = contaComune(ctx, s.pool, comuneID)
	if err != nil {
		return 0, 0, fmt.Errorf("casi: conta comune: %w", err)
	}
	return scaduti, inScadenza, nil
}
