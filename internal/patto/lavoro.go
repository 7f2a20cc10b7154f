package patto

import (
	"strconv"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the case manager's patti ended or ending within
// PreavvisoScadenza days on the home, linking to /casi/patti.
func (s *Service) Contatori() []home.Contatore {
	giorni := strconv.Itoa(PreavvisoScadenza) + " giorni"
	return []home.Contatore{{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
		{Etichetta: "patti terminati o in scadenza entro " + giorni, Singolare: "patto terminato o in scadenza entro " + giorni, Href: "/casi/patti", Allarme: true},
	}, Conta: home.Uno(s.ContaInScadenza)}}
}
