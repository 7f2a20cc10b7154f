package controlli

import (
	"context"
	"strconv"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the controlli's counts on the home: for the coordinatore
// controlli the comune's requests to assign, due within 15 days and past
// due; for the responsabile their own requests in lavorazione, due within
// 15 days and past due. Each links to the worklist filtered.
func (s *Service) Contatori() []home.Contatore {
	inScadenza := (Filtro{Scadenza: InScadenza, Giorni: GiorniInScadenza}).URL(1)
	scadute := (Filtro{Scadenza: Scadute}).URL(1)
	giorni := strconv.Itoa(GiorniInScadenza)
	conta := func(coord bool) func(context.Context, authz.Principal) ([]int, bool, error) {
		return func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
			c, ok, err := s.Conteggi(ctx, p)
			if coord {
				return []int{c.DaAssegnare, c.InScadenza, c.Scadute}, ok, err
			}
			return []int{c.InLavorazione, c.InScadenza, c.Scadute}, ok, err
		}
	}
	return []home.Contatore{
		{Ruolo: authz.CoordinatoreControlli, Voci: []home.VoceLavoro{
			{Etichetta: "richieste di verifica da assegnare", Singolare: "richiesta di verifica da assegnare", Href: (Filtro{Stato: DaAssegnare}).URL(1), Allarme: true},
			{Etichetta: "richieste in scadenza entro " + giorni + " giorni", Singolare: "richiesta in scadenza entro " + giorni + " giorni", Href: inScadenza, Allarme: true},
			{Etichetta: "richieste scadute senza esito", Singolare: "richiesta scaduta senza esito", Href: scadute, Allarme: true},
		}, Conta: conta(true)},
		{Ruolo: authz.ResponsabileControlli, Voci: []home.VoceLavoro{
			{Etichetta: "richieste di verifica in lavorazione", Singolare: "richiesta di verifica in lavorazione", Href: (Filtro{Stato: InLavorazione}).URL(1)},
			{Etichetta: "richieste in scadenza entro " + giorni + " giorni", Singolare: "richiesta in scadenza entro " + giorni + " giorni", Href: inScadenza, Allarme: true},
			{Etichetta: "richieste scadute senza esito", Singolare: "richiesta scaduta senza esito", Href: scadute, Allarme: true},
		}, Conta: conta(false)},
	}
}
