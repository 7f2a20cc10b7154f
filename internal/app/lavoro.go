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

// lavoro adapts the casi counts to the home page: the case manager's own
// cases, the coordinatore's scope and the segnalazioni waiting for each;
// each count links to the list behind it.
func lavoro(cs *casi.Service, is *incontri.Service, ps *patto.Service, ss *segnalazioni.Service) home.FonteLavoro {
	return func(ctx context.Context, p authz.Principal) (home.Lavoro, bool, error) {
		r, ok, err := cs.RiepilogoLavoro(ctx, p)
		if err != nil || !ok {
			return home.Lavoro{}, false, err
		}
		if p.Ruolo == "case_manager" {
			l := home.Lavoro{Voci: []home.VoceLavoro{
				{Etichetta: "casi aperti", Singolare: "caso aperto", Numero: r.Aperti, Href: "/casi"},
				{Etichetta: "con un termine scaduto", Numero: r.Scaduti, Href: "/casi", Allarme: true},
				{Etichetta: "con un termine in scadenza", Numero: r.InScadenza, Href: "/casi", Allarme: true},
				{Etichetta: "appuntamenti oggi", Singolare: "appuntamento oggi", Numero: r.Oggi, Href: "/agenda"},
			}}
			giorni := strconv.Itoa(patto.PreavvisoScadenza) + " giorni"
			for _, c := range []struct {
				conta func(context.Context, authz.Principal) (int, bool, error)
				voce  home.VoceLavoro
			}{
				{is.ContaDaRegistrare, home.VoceLavoro{Etichetta: "incontri passati da registrare", Singolare: "incontro passato da registrare", Href: "/agenda#da-registrare"}},
				{ps.ContaInScadenza, home.VoceLavoro{Etichetta: "patti terminati o in scadenza entro " + giorni, Singolare: "patto terminato o in scadenza entro " + giorni, Href: "/casi/patti"}},
				{ss.RiepilogoCaseManager, home.VoceLavoro{Etichetta: "segnalazioni da completare o correggere", Singolare: "segnalazione da completare o correggere", Href: "/casi/segnalazioni"}},
			} {
				n, ok, err := c.conta(ctx, p)
				if err != nil {
					return home.Lavoro{}, false, err
				}
				if ok {
					c.voce.Numero, c.voce.Allarme = n, true
					l.Voci = append(l.Voci, c.voce)
				}
			}
			return l, true, nil
		}
		l := home.Lavoro{Voci: []home.VoceLavoro{
			{Etichetta: "casi aperti nel tuo ambito", Singolare: "caso aperto nel tuo ambito", Numero: r.Aperti, Href: "/assegnazioni"},
			{Etichetta: "da assegnare", Numero: r.DaAssegnare, Href: "/assegnazioni?da_assegnare=1", Allarme: true},
			{Etichetta: "senza primo incontro entro i 120 giorni", Numero: r.T120Scaduti, Href: "/assegnazioni?entro=scaduto", Allarme: true},
			{Etichetta: "assegnati ai case manager (carichi di lavoro)", Singolare: "assegnato ai case manager (carichi di lavoro)", Numero: r.Aperti - r.DaAssegnare, Href: "/assegnazioni/carichi"},
		}}
		sr, ok, err := ss.RiepilogoCoordinatore(ctx, p)
		if err != nil {
			return home.Lavoro{}, false, err
		}
		if ok {
			l.Voci = append(l.Voci,
				home.VoceLavoro{Etichetta: "segnalazioni da approvare", Singolare: "segnalazione da approvare", Numero: sr.DaApprovare, Href: "/segnalazioni", Allarme: true},
				home.VoceLavoro{Etichetta: "segnalazioni approvate da inviare all'INPS", Singolare: "segnalazione approvata da inviare all'INPS", Numero: sr.DaInviare, Href: "/segnalazioni/invii", Allarme: true},
				home.VoceLavoro{Etichetta: "segnalazioni scartate dall'INPS da rettificare", Singolare: "segnalazione scartata dall'INPS da rettificare", Numero: sr.Scartate, Href: "/segnalazioni/scartate", Allarme: true})
		}
		return l, true, nil
	}
}
