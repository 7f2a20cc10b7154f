package app

import (
	"context"
	"strconv"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/home"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// lavoro are the home's work counts, in the order shown, each with the
// role it is for and the list behind it: each module counts its own work.
// A new module adds its counts here.
func lavoro(cs *casi.Service, is *incontri.Service, ps *patto.Service, ss *segnalazioni.Service) []home.Contatore {
	giorni := strconv.Itoa(patto.PreavvisoScadenza) + " giorni"
	return []home.Contatore{
		// The case manager's own cases.
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "casi aperti", Singolare: "caso aperto", Href: "/casi"},
			{Etichetta: "con un termine scaduto", Href: "/casi", Allarme: true},
			{Etichetta: "con un termine in scadenza", Href: "/casi", Allarme: true},
			{Etichetta: "appuntamenti oggi", Singolare: "appuntamento oggi", Href: "/agenda"},
		}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			r, ok, err := cs.RiepilogoLavoro(ctx, p)
			return []int{r.Aperti, r.Scaduti, r.InScadenza, r.Oggi}, ok, err
		}},
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "incontri passati da registrare", Singolare: "incontro passato da registrare", Href: "/agenda#da-registrare", Allarme: true},
		}, Conta: home.Uno(is.ContaDaRegistrare)},
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "patti terminati o in scadenza entro " + giorni, Singolare: "patto terminato o in scadenza entro " + giorni, Href: "/casi/patti", Allarme: true},
		}, Conta: home.Uno(ps.ContaInScadenza)},
		{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
			{Etichetta: "segnalazioni da completare o correggere", Singolare: "segnalazione da completare o correggere", Href: "/casi/segnalazioni", Allarme: true},
		}, Conta: home.Uno(ss.RiepilogoCaseManager)},
		// The coordinatore's scope: the assignment board.
		{Ruolo: authz.CoordinatorePaIS, Voci: []home.VoceLavoro{
			{Etichetta: "casi aperti nel tuo ambito", Singolare: "caso aperto nel tuo ambito", Href: "/assegnazioni"},
			{Etichetta: "da assegnare", Href: "/assegnazioni?da_assegnare=1", Allarme: true},
			{Etichetta: "senza primo incontro entro i 120 giorni", Href: "/assegnazioni?entro=scaduto", Allarme: true},
			{Etichetta: "assegnati ai case manager (carichi di lavoro)", Singolare: "assegnato ai case manager (carichi di lavoro)", Href: "/assegnazioni/carichi"},
		}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			r, ok, err := cs.RiepilogoLavoro(ctx, p)
			return []int{r.Aperti, r.DaAssegnare, r.T120Scaduti, r.Aperti - r.DaAssegnare}, ok, err
		}},
		{Ruolo: authz.CoordinatorePaIS, Voci: []home.VoceLavoro{
			{Etichetta: "segnalazioni da approvare", Singolare: "segnalazione da approvare", Href: "/segnalazioni", Allarme: true},
			{Etichetta: "segnalazioni approvate da inviare all'INPS", Singolare: "segnalazione approvata da inviare all'INPS", Href: "/segnalazioni/invii", Allarme: true},
			{Etichetta: "segnalazioni scartate dall'INPS da rettificare", Singolare: "segnalazione scartata dall'INPS da rettificare", Href: "/segnalazioni/scartate", Allarme: true},
		}, Conta: func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			r, ok, err := ss.RiepilogoCoordinatore(ctx, p)
			return []int{r.DaApprovare, r.DaInviare, r.Scartate}, ok, err
		}},
	}
}
