package incontri

import (
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/home"
)

// Contatori are the case manager's past appointments never registered on
// the home, linking to that part of the agenda.
func (s *Service) Contatori() []home.Contatore {
	return []home.Contatore{{Ruolo: authz.CaseManager, Voci: []home.VoceLavoro{
		{Etichetta: "incontri passati da registrare", Singolare: "incontro passato da registrare", Href: "/agenda#da-registrare", Allarme: true},
	}, Conta: home.Uno(s.ContaDaRegistrare)}}
}
