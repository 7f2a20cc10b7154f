package accesso_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/rete"
)

// reteFixture: the demo ambito with its demo ente (demo.EnteDemo), an
// inactive ente of the same ambito, and another ambito with an ente.
type reteFixture struct {
	*fixture
	ente, spento, altrove int64
}

func setupRete(t *testing.T) reteFixture {
	t.Helper()
	f := setup(t)
	f.svc.SetEnti(rete.NewPerAccesso(f.pool))
	ctx := context.Background()
	rf := reteFixture{fixture: f}
	if err := f.pool.QueryRow(ctx, `SELECT id FROM rete_ente WHERE denominazione = $1`, demo.EnteDemo).Scan(&rf.ente); err != nil {
		t.Fatalf("the demo ente: %v", err)
	}
	if err := f.pool.QueryRow(ctx, `
		INSERT INTO rete_ente (ambito_id, denominazione, tipo, attivo) VALUES ($1, 'Centro chiuso', 'terzo_settore', false)
		RETURNING id`, *f.admin.AmbitoID).Scan(&rf.spento); err != nil {
		t.Fatal(err)
	}
	altro, _, err := f.svc.CreateAmbito(ctx, accesso.Ambito{Codice: "ATS-ALTRO", Denominazione: "Ambito Altro", EnteCapofila: "Comune Altro"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.pool.QueryRow(ctx, `
		INSERT INTO rete_ente (ambito_id, denominazione, tipo) VALUES ($1, 'Centro per l''impiego altrove', 'cpi')
		RETURNING id`, altro.ID).Scan(&rf.altrove); err != nil {
		t.Fatal(err)
	}
	return rf
}

func (rf reteFixture) operatori(t *testing.T) int {
	t.Helper()
	var n int
	if err := rf.pool.QueryRow(context.Background(), `SELECT count(*) FROM operatore`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var voce = registro.Voce{Esito: registro.Consentito}

// The form offers the active enti of the ambito only.
func TestEntiRete(t *testing.T) {
	t.Parallel()
	rf := setupRete(t)
	enti, err := rf.svc.EntiRete(context.Background(), rf.admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(enti) != 1 || enti[0].ID != rf.ente || enti[0].Denominazione != demo.EnteDemo || enti[0].Tipo != "ASL, distretto o consultorio" {
		t.Errorf("enti offered: %+v", enti)
	}
	if _, err := rf.svc.EntiRete(context.Background(), authz.Principal{Ruolo: authz.GestoreRete, AmbitoID: rf.admin.AmbitoID}); !errors.Is(err, httpx.ErrForbidden) {
		t.Errorf("a gestore lists the enti for accreditation: %v", err)
	}
}

// An operatore_ente needs an active ente of the ambito; a gestore della rete
// has no comune. Each refusal is an Italian message next to its field, and
// nothing is written.
func TestAccreditReteRefused(t *testing.T) {
	t.Parallel()
	rf := setupRete(t)
	ctx := context.Background()
	prima := rf.operatori(t)
	for _, tc := range []struct {
		name        string
		r           accesso.NuovoRuolo
		field, want string
	}{
		{"operatore ente without ente", accesso.NuovoRuolo{Ruolo: string(authz.OperatoreEnte)}, "ente_id", "scegli l'ente della rete"},
		{"ente of another ambito", accesso.NuovoRuolo{Ruolo: string(authz.OperatoreEnte), EnteID: itoa(rf.altrove)}, "ente_id", "ente attivo della rete dell'ambito"},
		{"inactive ente", accesso.NuovoRuolo{Ruolo: string(authz.OperatoreEnte), EnteID: itoa(rf.spento)}, "ente_id", "ente attivo della rete dell'ambito"},
		{"unknown ente", accesso.NuovoRuolo{Ruolo: string(authz.OperatoreEnte), EnteID: "abc"}, "ente_id", "ente attivo della rete dell'ambito"},
		{"operatore ente with comune", accesso.NuovoRuolo{Ruolo: string(authz.OperatoreEnte), EnteID: itoa(rf.ente), ComuneID: rf.comune(0)}, "comune_id", "non indicare un comune"},
		{"gestore with comune", accesso.NuovoRuolo{Ruolo: string(authz.GestoreRete), ComuneID: rf.comune(0)}, "comune_id", "intero ambito"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.Fondo, r.Dal = accesso.Fondi[0], "2026-01-01"
			_, err := rf.svc.AccreditOperatore(ctx, rf.admin, anagrafica("Rossi", "Anna", nascita, "F"), r, voce)
			var fe httpx.FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("want field errors, got %v", err)
			}
			if !strings.Contains(fe[tc.field], tc.want) || len(fe) != 1 {
				t.Errorf("%s: %q, want it to mention %q (all: %v)", tc.field, fe[tc.field], tc.want, fe)
			}
		})
	}
	if n := rf.operatori(t); n != prima {
		t.Errorf("%d operators after refused accreditations, want %d", n, prima)
	}
}

// Both roles accredited from the amministratore's service: the principals
// carry the scope (the operatore_ente its ente, with domain ente:ID and the
// ambito), the bindings reach casbin and casbin grants what the policy says.
func TestAccreditReteRoles(t *testing.T) {
	t.Parallel()
	rf := setupRete(t)
	ctx := context.Background()
	amb := *rf.admin.AmbitoID
	gid, err := rf.svc.AccreditOperatore(ctx, rf.admin, anagrafica("Galli", "Rita", nascita, "F"), accesso.NuovoRuolo{
		Ruolo: string(authz.GestoreRete), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}, voce)
	if err != nil {
		t.Fatal(err)
	}
	eid, err := rf.svc.AccreditOperatore(ctx, rf.admin, anagrafica("Ercoli", "Piero", nascita, "M"), accesso.NuovoRuolo{
		Ruolo: string(authz.OperatoreEnte), EnteID: itoa(rf.ente), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}, voce)
	if err != nil {
		t.Fatal(err)
	}

	gps, err := rf.svc.Principals(ctx, gid)
	if err != nil || len(gps) != 1 {
		t.Fatalf("gestore: %+v, %v", gps, err)
	}
	g := gps[0]
	if g.Ruolo != authz.GestoreRete || g.RuoloLabel != "Gestore della rete" || g.Domain != "ambito:"+itoa(amb) ||
		g.AmbitoID == nil || *g.AmbitoID != amb || g.ComuneID != nil || g.EnteID != nil {
		t.Errorf("gestore principal: %+v", g)
	}
	eps, err := rf.svc.Principals(ctx, eid)
	if err != nil || len(eps) != 1 {
		t.Fatalf("operatore ente: %+v, %v", eps, err)
	}
	e := eps[0]
	if e.Ruolo != authz.OperatoreEnte || e.Domain != "ente:"+itoa(rf.ente) || e.EnteID == nil || *e.EnteID != rf.ente ||
		e.AmbitoID == nil || *e.AmbitoID != amb || e.ComuneID != nil || e.Ambito != "Ente: "+demo.EnteDemo {
		t.Errorf("operatore ente principal: %+v", e)
	}
	if e.Covers(amb, nil) || e.Covers(amb, &rf.comuni[0].ID) {
		t.Error("an operatore_ente covers the ambito's records")
	}

	sc, err := rf.svc.SchedaOperatore(ctx, rf.admin, eid, voce)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Ruoli) != 1 || sc.Ruoli[0].Ambito() != "Ente: "+demo.EnteDemo ||
		len(sc.Storico) != 1 || !strings.Contains(sc.Storico[0].Descrizione, "Operatore di un ente della rete — Ente: "+demo.EnteDemo) {
		t.Errorf("scheda: roles %+v, history %+v", sc.Ruoli, sc.Storico)
	}

	bs, err := rf.svc.Bindings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, b := range bs {
		if b.OperatoreID == gid || b.OperatoreID == eid {
			found[b.Ruolo+" "+b.Domain] = true
		}
	}
	if len(found) != 2 || !found["gestore_rete ambito:"+itoa(amb)] || !found["operatore_ente ente:"+itoa(rf.ente)] {
		t.Errorf("bindings: %v", found)
	}

	en, err := authz.New(ctx, rf.svc.Bindings)
	if err != nil {
		t.Fatal(err)
	}
	altroEnte := e
	altroEnte.Domain = "ente:" + itoa(rf.altrove)
	for _, tc := range []struct {
		name string
		p    authz.Principal
		obj  authz.Object
		act  authz.Action
		want bool
	}{
		{"gestore home", g, authz.Home, authz.Read, true},
		{"gestore writes the network", g, authz.Rete, authz.Write, true},
		{"gestore reads the ente's invii", g, authz.Invii, authz.Read, false},
		{"gestore reads cases", g, authz.Casi, authz.Read, false},
		{"gestore accredits operators", g, authz.Operatori, authz.Read, false},
		{"operatore ente home", e, authz.Home, authz.Read, true},
		{"operatore ente answers invii", e, authz.Invii, authz.Write, true},
		{"operatore ente reads the map", e, authz.Rete, authz.Read, false},
		{"operatore ente reads cases", e, authz.Casi, authz.Read, false},
		{"operatore ente in another ente", altroEnte, authz.Invii, authz.Read, false},
	} {
		if got := en.Allowed(tc.p, tc.obj, tc.act); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}

	// The ente's operator may also hold another role; the same ente twice is refused.
	sc, _ = rf.svc.SchedaOperatore(ctx, rf.admin, eid, voce)
	err = rf.svc.AddRuolo(ctx, rf.admin, eid, sc.Versione, accesso.NuovoRuolo{
		Ruolo: string(authz.OperatoreEnte), EnteID: itoa(rf.ente), Fondo: accesso.Fondi[0], Dal: "2026-01-01"}, voce)
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["ruolo"], "già questo ruolo") {
		t.Errorf("the same ente twice: %v", err)
	}
}

// The demo accounts of the network: gestorerete on the demo ambito,
// operatoreente on the demo ente.
func TestDemoAccountsRete(t *testing.T) {
	t.Parallel()
	rf := setupRete(t)
	ctx := context.Background()
	for _, u := range []string{"gestorerete", "operatoreente"} {
		acc, ok := demo.AccountByUsername(u)
		if !ok {
			t.Fatalf("no demo account %s", u)
		}
		ps, err := rf.svc.PrincipalsByCF(ctx, acc.CodiceFiscale())
		if err != nil || len(ps) != 1 || ps[0].Ruolo != acc.Ruolo {
			t.Fatalf("%s: %+v, %v", u, ps, err)
		}
		p := ps[0]
		switch u {
		case "gestorerete":
			if p.Domain != "ambito:"+itoa(*rf.admin.AmbitoID) || p.EnteID != nil {
				t.Errorf("gestorerete: %+v", p)
			}
		case "operatoreente":
			if p.Domain != "ente:"+itoa(rf.ente) || p.EnteID == nil || *p.EnteID != rf.ente || p.Ambito != "Ente: "+demo.EnteDemo {
				t.Errorf("operatoreente: %+v", p)
			}
		}
	}
	// Without the rete wired the scope still reads, by number.
	bare := accesso.NewService(rf.pool)
	acc, _ := demo.AccountByUsername("operatoreente")
	ps, err := bare.PrincipalsByCF(ctx, acc.CodiceFiscale())
	if err != nil || ps[0].Ambito != "Ente n. "+itoa(rf.ente) {
		t.Errorf("without rete: %+v, %v", ps, err)
	}
}
