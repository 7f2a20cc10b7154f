package assegnazioni_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/registro"
)

// The coordinatore assigns incoming cases to a case manager of the case's
// comune; a case changed meanwhile, or a case manager of another comune,
// is refused with the reason; the assignment history and the board follow.
func TestAssegna(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	a := f.caso(t, 1, "Neri", "Paola", casalecchio, "", f.now.AddDate(0, 0, -100))
	b := f.caso(t, 2, "Gialli", "Ugo", casalecchio, "", f.now.AddDate(0, 0, -10))
	coord := f.people["coordinatore"]
	v := registro.Voce{}

	board, err := f.svc.BoardCoordinatore(ctx, coord, assegnazioni.FiltroBoard{DaAssegnare: true}, v)
	if err != nil || len(board.Casi) != 2 || board.Casi[0].Richiedente != "Neri Paola" {
		t.Fatalf("board: %+v, %v", board.Casi, err)
	}
	var cm1, cm2 casi.CaseManager
	for _, c := range board.CaseManagers {
		switch c.ComuneID {
		case *f.people["casemanager"].ComuneID:
			cm1 = c
		case *f.people["casemanager2"].ComuneID:
			cm2 = c
		}
	}
	if cm1.ID != f.people["casemanager"].OperatoreID || cm2.ID != f.people["casemanager2"].OperatoreID {
		t.Fatalf("case managers offered: %+v", board.CaseManagers)
	}
	esiti, err := f.svc.Assegna(ctx, coord, cm2.ID, []assegnazioni.Richiesta{{CasoID: a, Versione: 1}}, "", v)
	if err != nil || esiti[0].OK || !strings.Contains(esiti[0].Motivo, "non è case manager nel comune di Casalecchio di Reno") {
		t.Errorf("assignment to another comune's case manager: %+v %v", esiti, err)
	}
	esiti, err = f.svc.Assegna(ctx, coord, cm1.ID, []assegnazioni.Richiesta{{CasoID: a, Versione: 1}, {CasoID: b, Versione: 7}}, "", v)
	if err != nil || !esiti[0].OK || esiti[1].OK || !strings.Contains(esiti[1].Motivo, "modificato da un altro operatore") {
		t.Fatalf("bulk assignment: %+v %v", esiti, err)
	}
	mine, _ := f.casi.ElencoCaseManager(ctx, f.people["casemanager"], casi.FiltroElenco{}, v)
	if len(mine.Casi) != 1 || mine.Casi[0].Richiedente != "Neri Paola" || mine.Casi[0].Stato != casi.Assegnato {
		t.Errorf("casemanager's cases after assignment: %+v", mine.Casi)
	}
	an, err := f.svc.AnagraficaCaso(ctx, coord, a, v)
	if err != nil || len(an.Assegnazioni) != 1 || an.Assegnazioni[0].CaseManager == "" {
		t.Errorf("assignment history: %+v %v", an.Assegnazioni, err)
	}
	if len(an.Storico) == 0 || an.Storico[0].Evento != "assegnato" {
		t.Errorf("events: %+v", an.Storico)
	}
	// A case manager cannot use the board.
	if _, err := f.svc.BoardCoordinatore(ctx, f.people["casemanager"], assegnazioni.FiltroBoard{}, v); err == nil {
		t.Error("a case manager reached the board")
	}
}

// A bulk assignment naming a case of another ambito answers "caso non
// trovato" without echoing its number: nothing tells that it exists.
func TestAssegnaAltroAmbitoNonRivela(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	a := f.caso(t, 1, "Neri", "Paola", casalecchio, "", f.now.AddDate(0, 0, -100))
	altro := f.people["coordinatore"]
	amb := int64(999999)
	altro.AmbitoID, altro.Domain = &amb, "ambito:999999"
	esiti, err := f.svc.Assegna(context.Background(), altro, f.people["casemanager"].OperatoreID,
		[]assegnazioni.Richiesta{{CasoID: a, Versione: 1}}, "", registro.Voce{})
	if err != nil || len(esiti) != 1 || esiti[0].OK || esiti[0].Motivo != "caso non trovato" || esiti[0].Codice != "" {
		t.Errorf("another ambito's case: %+v %v", esiti, err)
	}
}
