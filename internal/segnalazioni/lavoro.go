package segnalazioni

import (
	"context"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the segnalazioni waiting on the home: for the case manager
// the ones to complete or correct (/casi/segnalazioni); for the
// coordinatore PaIS the ones to approve, to export and to rectify; for the
// coordinatore controlli those the controlli drafted, to approve and to export.
func (s *Service) Contatori() []home.Contatore {
	return []home.Contatore{
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "segnalazioni da completare o correggere", Singolare: "segnalazione da completare o correggere", Href: "/casi/segnalazioni", Allarme: true},
		}, Conta: home.Uno(s.RiepilogoCaseManager)},
		{Ruolo: authz.CoordinatorePaIS, Voci: []home.VoceLavoro{
			{Etichetta: "segnalazioni da approvare", Singolare: "segnalazione da approvare", Href: "/segnalazioni", Allarme: true},
			{Etichetta: "segnalazioni approvate da inviare all'INPS", Singolare: "segnalazione approvata da inviare all'INPS", Href: "/segnalazioni/invii", Allarme: true},
			{Etichetta: "segnalazioni scartate dall'INPS da rettificare", Singolare: "segnalazione scartata dall'INPS da rettificare", Href: "/segnalazioni/scartate", Allarme: true},
		}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			r, ok, err := s.RiepilogoCoordinatore(ctx, p)
			return []int{r.DaApprovare, r.DaInviare, r.Scartate}, ok, err
		}},
		{Ruolo: authz.CoordinatoreControlli, Voci: []home.VoceLavoro{
			{Etichetta: "segnalazioni dei controlli da approvare", Singolare: "segnalazione dei controlli da approvare", Href: "/segnalazioni", Allarme: true},
			{Etichetta: "segnalazioni dei controlli approvate da inviare all'INPS", Singolare: "segnalazione dei controlli approvata da inviare all'INPS", Href: "/segnalazioni/invii", Allarme: true},
		}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			r, ok, err := s.RiepilogoCoordinatore(ctx, p)
			return []int{r.DaApprovare, r.DaInviare}, ok, err
		}},
	}
}
