package app

import (
	"context"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/home"
)

// lavoro adapts the casi counts to the home page: the case manager's own
// cases, the coordinatore's scope; each count links to the list behind it.
func lavoro(cs *casi.Service) home.FonteLavoro {
	return func(ctx context.Context, p authz.Principal) (home.Lavoro, bool, error) {
		r, ok, err := cs.RiepilogoLavoro(ctx, p)
		if err != nil || !ok {
			return home.Lavoro{}, false, err
		}
		if p.Ruolo == "case_manager" {
			return home.Lavoro{Voci: []home.VoceLavoro{
				{Etichetta: "casi aperti", Numero: r.Aperti, Href: "/casi"},
				{Etichetta: "con un termine scaduto", Numero: r.Scaduti, Href: "/casi", Allarme: true},
				{Etichetta: "con un termine in scadenza", Numero: r.InScadenza, Href: "/casi", Allarme: true},
				{Etichetta: "appuntamenti oggi", Numero: r.Oggi, Href: "/agenda"},
			}}, true, nil
		}
		return home.Lavoro{Voci: []home.VoceLavoro{
			{Etichetta: "casi aperti nel tuo ambito", Numero: r.Aperti, Href: "/assegnazioni"},
			{Etichetta: "da assegnare", Numero: r.DaAssegnare, Href: "/assegnazioni?da_assegnare=1", Allarme: true},
			{Etichetta: "senza primo incontro entro i 120 giorni", Numero: r.T120Scaduti, Href: "/assegnazioni?entro=scaduto", Allarme: true},
			{Etichetta: "assegnati ai case manager (carichi di lavoro)", Numero: r.Aperti - r.DaAssegnare, Href: "/assegnazioni/carichi"},
		}}, true, nil
	}
}
