package assegnazioni_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
)

// The board's filters: measure, days left before the 120-day deadline,
// case manager.
func TestBoardFiltri(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	scaduto := f.caso(t, 1, "Neri", "Paola", casalecchio, "", f.now.AddDate(0, 0, -130))          // T120 expired
	venti := f.caso(t, 2, "Gialli", "Ugo", casalecchio, "casemanager", f.now.AddDate(0, 0, -100)) // 20 days left
	sfl := f.caso(t, 3, "Bruni", "Ada", zola, "", f.now.AddDate(0, 0, -10))                       // 110 days left
	if _, err := f.pool.Exec(ctx, `UPDATE domanda SET misura = 'SFL' WHERE id = (SELECT domanda_id FROM caso WHERE id = $1)`, sfl); err != nil {
		t.Fatal(err)
	}
	coord := f.people["coordinatore"]
	for _, tc := range []struct {
		name string
		f    assegnazioni.FiltroBoard
		want []string
	}{
		{"tutti", assegnazioni.FiltroBoard{}, []string{"Neri Paola", "Gialli Ugo", "Bruni Ada"}},
		{"misura SFL", assegnazioni.FiltroBoard{Misura: casi.SFL}, []string{"Bruni Ada"}},
		{"misura ADI", assegnazioni.FiltroBoard{Misura: casi.ADI}, []string{"Neri Paola", "Gialli Ugo"}},
		{"scaduti", assegnazioni.FiltroBoard{Entro: "scaduto"}, []string{"Neri Paola"}},
		{"entro 15", assegnazioni.FiltroBoard{Entro: "15"}, []string{"Neri Paola"}},
		{"entro 30", assegnazioni.FiltroBoard{Entro: "30"}, []string{"Neri Paola", "Gialli Ugo"}},
		{"di casemanager", assegnazioni.FiltroBoard{CaseManager: f.people["casemanager"].OperatoreID}, []string{"Gialli Ugo"}},
		{"da assegnare entro 30", assegnazioni.FiltroBoard{DaAssegnare: true, Entro: "30"}, []string{"Neri Paola"}},
	} {
		b, err := f.svc.BoardCoordinatore(ctx, coord, tc.f, registro.Voce{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, c := range b.Casi {
			got = append(got, c.Richiedente)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	_, _ = scaduto, venti
}

// The workload page counts each case manager's open cases; an operator who
// left still appears while holding cases, and all their cases move to a
// colleague in one go, except those of a comune where the colleague is not
// case manager, which are reported.
func TestCarichiERiassegnaTutti(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	cm1, cm2 := f.people["casemanager"].OperatoreID, f.people["casemanager2"].OperatoreID
	a := f.caso(t, 1, "Neri", "Paola", casalecchio, "casemanager", f.now.AddDate(0, 0, -130))
	b := f.caso(t, 2, "Gialli", "Ugo", casalecchio, "casemanager", f.now.AddDate(0, 0, -10))
	f.caso(t, 3, "Bruni", "Ada", zola, "casemanager2", f.now.AddDate(0, 0, -10))
	f.caso(t, 4, "Verdi", "Ivo", zola, "", f.now.AddDate(0, 0, -10))
	// casemanager also holds a case in Zola, where casemanager2 works.
	c := f.caso(t, 5, "Rosa", "Lia", zola, "casemanager", f.now.AddDate(0, 0, -10))
	coord := f.people["coordinatore"]
	v := registro.Voce{}

	car, err := f.svc.CarichiLavoro(ctx, coord, v)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]casi.Carico{}
	for _, o := range car.Operatori {
		byID[o.ID.String()] = o
	}
	if o := byID[cm1.String()]; !o.Attivo || o.Aperti != 3 || o.Scaduti != 1 || o.PrimoDaFare != 3 || o.Comuni != "Casalecchio di Reno" {
		t.Errorf("casemanager's workload: %+v", o)
	}
	if o := byID[cm2.String()]; !o.Attivo || o.Aperti != 1 {
		t.Errorf("casemanager2's workload: %+v", o)
	}
	if car.DaAssegnare != 1 {
		t.Errorf("da assegnare: %d, want 1", car.DaAssegnare)
	}

	// casemanager leaves Casalecchio: the role ends; casemanager2 takes
	// Casalecchio too.
	if _, err := f.pool.Exec(ctx, `UPDATE operatore_ruolo SET al = '2026-11-19' WHERE operatore_id = $1 AND ruolo = 'case_manager'`, cm1); err != nil {
		t.Fatal(err)
	}
	ambito, comune := f.comune(t, casalecchio)
	f.fx.Ruolo(cm2, accesso.Assegnazione{Ruolo: authz.CaseManager, AmbitoID: &ambito, ComuneID: &comune, Dal: fixtures.Data("2026-01-01")})
	car, _ = f.svc.CarichiLavoro(ctx, coord, v)
	if len(car.Operatori) == 0 || car.Operatori[0].ID != cm1 || car.Operatori[0].Attivo || car.Operatori[0].Aperti != 3 {
		t.Fatalf("the operator who left is not listed first as inactive: %+v", car.Operatori)
	}

	for _, bad := range []struct {
		da, a  string
		motivo string
		campo  string
	}{
		{"", "cm2", "trasferita", "da"},
		{"cm1", "", "trasferita", "a"},
		{"cm2", "cm2", "trasferita", "a"},
		{"cm1", "cm2", "  ", "motivo_tutti"},
	} {
		ids := map[string]uuid.UUID{"cm1": cm1, "cm2": cm2} // "" is uuid.Nil
		daID, aID := ids[bad.da], ids[bad.a]
		_, err := f.svc.RiassegnaTutti(ctx, coord, daID, aID, bad.motivo, v)
		var e *assegnazioni.ErrRiassegnazione
		if !errors.As(err, &e) || e.Campo != bad.campo {
			t.Errorf("%+v: error %v, want one on %s", bad, err, bad.campo)
		}
	}

	// All three move: two in Casalecchio, one in Zola, where casemanager2
	// is case manager.
	esiti, err := f.svc.RiassegnaTutti(ctx, coord, cm1, cm2, "trasferita ad altro servizio", v)
	if err != nil || len(esiti) != 3 {
		t.Fatalf("riassegna tutti: %+v %v", esiti, err)
	}
	for _, e := range esiti {
		if !e.OK {
			t.Errorf("not reassigned: %+v", e)
		}
	}
	// In Zola's list (the accreditation the demo principal holds) casemanager2
	// now finds Rosa Lia too; the Casalecchio cases are theirs as well.
	mine, _ := f.casi.ElencoCaseManager(ctx, f.people["casemanager2"], casi.FiltroElenco{}, v)
	if len(mine.Casi) != 2 {
		t.Errorf("casemanager2's Zola list has %d cases, want 2", len(mine.Casi))
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM caso WHERE case_manager_id = $1`, cm2).Scan(&n); err != nil || n != 4 {
		t.Errorf("casemanager2 holds %d cases, want 4 (%v)", n, err)
	}
	an, err := f.svc.AnagraficaCaso(ctx, coord, a, v)
	if err != nil || len(an.Assegnazioni) == 0 || an.Assegnazioni[0].Motivo != "trasferita ad altro servizio" || !strings.Contains(an.Assegnazioni[0].CaseManager, "Bassi") {
		t.Errorf("assignment history after the reassignment: %+v %v", an.Assegnazioni, err)
	}
	if len(an.Storico) == 0 || an.Storico[0].Evento != "riassegnato" || an.Storico[0].Nota != "trasferita ad altro servizio" {
		t.Errorf("case history after the reassignment: %+v", an.Storico)
	}
	if _, err := f.svc.RiassegnaTutti(ctx, coord, cm1, cm2, "di nuovo", v); err == nil {
		t.Error("reassigning an operator without cases did not say so")
	}
	_, _ = b, c
}

// The home's counts: the case manager's own open cases, the coordinatore's
// scope; other roles have none.
func TestRiepilogoLavoro(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	f.caso(t, 1, "Neri", "Paola", casalecchio, "casemanager", f.now.AddDate(0, 0, -130)) // T120 expired
	f.caso(t, 2, "Gialli", "Ugo", casalecchio, "casemanager", f.now.AddDate(0, 0, -110)) // 10 days left
	f.caso(t, 3, "Bruni", "Ada", zola, "", f.now.AddDate(0, 0, -10))
	oggi := time.Date(f.now.Year(), f.now.Month(), f.now.Day(), 15, 0, 0, 0, time.UTC)
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET prossimo_appuntamento = $1 WHERE comune_id = (SELECT id FROM comune WHERE codice_istat = $2)`, oggi, casalecchio); err != nil {
		t.Fatal(err)
	}
	r, ok, err := f.casi.RiepilogoLavoro(ctx, f.people["casemanager"])
	if err != nil || !ok || r.Aperti != 2 || r.Scaduti != 1 || r.InScadenza != 1 || r.Oggi != 2 || r.DaAssegnare != 0 {
		t.Errorf("case manager: %+v %v %v", r, ok, err)
	}
	r, ok, err = f.casi.RiepilogoLavoro(ctx, f.people["coordinatore"])
	if err != nil || !ok || r.Aperti != 3 || r.DaAssegnare != 1 || r.Scaduti != 1 || r.T120Scaduti != 1 {
		t.Errorf("coordinatore: %+v %v %v", r, ok, err)
	}
	if _, ok, _ := f.casi.RiepilogoLavoro(ctx, f.people["amministratore"]); ok {
		t.Error("the amministratore got counts of cases")
	}
}
