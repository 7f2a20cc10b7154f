package authz_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
)

var roles = []string{"amministratore_sistema", "amministratore_ambito", "coordinatore_pais", "case_manager",
	"coordinatore_controlli", "responsabile_controlli", "operatore_ats", "gestore_rete", "operatore_ente",
	"operatore_presentazioni"}

var objects = []authz.Object{authz.Home, authz.Ambiti, authz.Operatori, authz.Registro, authz.Assegnazioni,
	authz.Casi, authz.Apertura, authz.Importazioni, authz.Agenda, authz.Controlli, authz.Report, authz.Segnalazioni,
	authz.Rete, authz.Invii, authz.Presentazioni, authz.Siuss}

var actions = []authz.Action{authz.Read, authz.Write, authz.Assign}

// want is the permission matrix of domain.md §1.2 as implemented (and as
// docs/roles.md documents it): everything not listed is refused.
var want = map[string][]string{
	"amministratore_sistema": {"home/read", "ambiti/read", "ambiti/write"},
	"amministratore_ambito":  {"home/read", "operatori/read", "operatori/write", "registro/read"},
	"coordinatore_pais": {"home/read", "assegnazioni/read", "assegnazioni/write", "apertura/write",
		"importazioni/read", "importazioni/write", "agenda/read", "agenda/write",
		"segnalazioni/read", "segnalazioni/write", "rete/read", "report/read"},
	"case_manager":           {"home/read", "casi/read", "casi/write", "apertura/write", "agenda/read", "rete/read"},
	"coordinatore_controlli": {"home/read", "controlli/read", "controlli/assign", "segnalazioni/read", "segnalazioni/write"},
	"responsabile_controlli": {"home/read", "controlli/read", "controlli/write"},
	"operatore_ats":          {"home/read", "report/read", "importazioni/read", "importazioni/write", "siuss/read"},
	"gestore_rete":           {"home/read", "rete/read", "rete/write"},
	"operatore_ente":         {"home/read", "invii/read", "invii/write"},
	// The operatore presentazioni: the desk only, never casi (issue 16).
	"operatore_presentazioni": {"home/read", "presentazioni/read", "presentazioni/write"},
}

// Every role of the policy is a known role, and every known role is tested.
func TestRuoliKnown(t *testing.T) {
	if len(authz.Ruoli) != len(roles) {
		t.Errorf("authz.Ruoli has %d roles, the test %d", len(authz.Ruoli), len(roles))
	}
	pol, err := authz.Policy()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pol {
		if !authz.Ruolo(p[0]).Valid() {
			t.Errorf("policy.csv names the unknown role %q", p[0])
		}
	}
	for _, r := range authz.Ruoli {
		if r.Label() == string(r) {
			t.Errorf("role %q has no label", r)
		}
	}
}

// The gestore della rete and the operatore of an ente never reach the
// content of cases nor the ambito's nuclei: their work is the network.
func TestReteRolesSeeNoCaseData(t *testing.T) {
	for _, r := range []authz.Ruolo{authz.GestoreRete, authz.OperatoreEnte, authz.OperatorePresentazioni} {
		for _, o := range []authz.Object{authz.Casi, authz.Assegnazioni, authz.Apertura, authz.Importazioni,
			authz.Agenda, authz.Controlli, authz.Report, authz.Segnalazioni, authz.Operatori, authz.Registro, authz.Ambiti} {
			for _, a := range actions {
				if authz.RoleAllowed(r, o, a) {
					t.Errorf("%s may %s %s", r, a, o)
				}
			}
		}
	}
	if authz.RoleAllowed(authz.OperatoreEnte, authz.Rete, authz.Read) || authz.RoleAllowed(authz.GestoreRete, authz.Invii, authz.Read) {
		t.Error("the operatore_ente reads the map, or the gestore reads the ente's invii")
	}
}

// Every (role, object, action) against the embedded policy.
func TestPolicyMatrix(t *testing.T) {
	for _, r := range roles {
		allowed := map[string]bool{}
		for _, p := range want[r] {
			allowed[p] = true
		}
		for _, o := range objects {
			for _, a := range actions {
				key := string(o) + "/" + string(a)
				if got := authz.RoleAllowed(authz.Ruolo(r), o, a); got != allowed[key] {
					t.Errorf("%s %s: allowed=%v, want %v", r, key, got, allowed[key])
				}
			}
		}
	}
}

// The amministratori never reach beneficiary data, whatever the policy says
// elsewhere: a guard against a careless line in policy.csv.
func TestAmministratoriSeeNoBeneficiaryData(t *testing.T) {
	for _, r := range []string{"amministratore_sistema", "amministratore_ambito"} {
		for _, o := range []authz.Object{authz.Casi, authz.Assegnazioni, authz.Apertura, authz.Importazioni, authz.Agenda, authz.Controlli, authz.Report, authz.Segnalazioni, authz.Rete, authz.Invii} {
			for _, a := range actions {
				if authz.RoleAllowed(authz.Ruolo(r), o, a) {
					t.Errorf("%s may %s %s", r, a, o)
				}
			}
		}
	}
}

// Scope: a role is effective only in the domain it was granted in; the
// installation-wide binding ("*") applies everywhere; bindings reload.
func TestEnforcerScopes(t *testing.T) {
	cm, sys, ente, gest := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	bindings := []authz.Binding{
		{OperatoreID: cm, Ruolo: "case_manager", Domain: "comune:1"},
		{OperatoreID: sys, Ruolo: "amministratore_sistema", Domain: "*"},
		{OperatoreID: ente, Ruolo: "operatore_ente", Domain: "ente:5"},
		{OperatoreID: gest, Ruolo: "gestore_rete", Domain: "ambito:1"},
	}
	en, err := authz.New(context.Background(), func(context.Context) ([]authz.Binding, error) { return bindings, nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		p      authz.Principal
		obj    authz.Object
		act    authz.Action
		expect bool
	}{
		{"case manager in own comune", authz.Principal{OperatoreID: cm, Domain: "comune:1"}, authz.Casi, authz.Write, true},
		// Asked twice: the second answer is the one kept (Allowed keeps
		// its decisions until the next Reload, which must forget them).
		{"case manager reads in own comune", authz.Principal{OperatoreID: cm, Domain: "comune:1"}, authz.Casi, authz.Read, true},
		{"case manager reads in own comune, again", authz.Principal{OperatoreID: cm, Domain: "comune:1"}, authz.Casi, authz.Read, true},
		{"case manager in another comune", authz.Principal{OperatoreID: cm, Domain: "comune:2"}, authz.Casi, authz.Read, false},
		{"case manager on operators", authz.Principal{OperatoreID: cm, Domain: "comune:1"}, authz.Operatori, authz.Read, false},
		{"system admin anywhere", authz.Principal{OperatoreID: sys, Domain: "ambito:7"}, authz.Ambiti, authz.Write, true},
		{"system admin on cases", authz.Principal{OperatoreID: sys, Domain: "*"}, authz.Casi, authz.Read, false},
		{"unknown operator", authz.Principal{OperatoreID: uuid.New(), Domain: "comune:1"}, authz.Home, authz.Read, false},
		{"operatore ente in own ente", authz.Principal{OperatoreID: ente, Domain: "ente:5"}, authz.Invii, authz.Write, true},
		{"operatore ente in another ente", authz.Principal{OperatoreID: ente, Domain: "ente:6"}, authz.Invii, authz.Read, false},
		{"operatore ente in its ambito", authz.Principal{OperatoreID: ente, Domain: "ambito:1"}, authz.Invii, authz.Read, false},
		{"operatore ente on the map", authz.Principal{OperatoreID: ente, Domain: "ente:5"}, authz.Rete, authz.Read, false},
		{"gestore on the network", authz.Principal{OperatoreID: gest, Domain: "ambito:1"}, authz.Rete, authz.Write, true},
		{"gestore in another ambito", authz.Principal{OperatoreID: gest, Domain: "ambito:2"}, authz.Rete, authz.Read, false},
		{"gestore on cases", authz.Principal{OperatoreID: gest, Domain: "ambito:1"}, authz.Casi, authz.Read, false},
	} {
		if got := en.Allowed(tc.p, tc.obj, tc.act); got != tc.expect {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.expect)
		}
	}
	bindings = bindings[1:] // the case manager's role is revoked
	if err := en.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if en.Allowed(authz.Principal{OperatoreID: cm, Domain: "comune:1"}, authz.Casi, authz.Read) {
			t.Error("a revoked role still grants access after Reload")
		}
	}
}

func TestCovers(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	sistema := authz.Principal{Domain: "*"}
	ambito := authz.Principal{Domain: "ambito:1", AmbitoID: i(1)}
	comune := authz.Principal{Domain: "comune:10", AmbitoID: i(1), ComuneID: i(10)}
	ente := authz.Principal{Domain: "ente:5", AmbitoID: i(1), EnteID: i(5)}
	for _, tc := range []struct {
		name   string
		p      authz.Principal
		ambito int64
		comune *int64
		want   bool
	}{
		{"installation-wide, any record", sistema, 7, i(70), true},
		{"ambito role, record of a comune of the ambito", ambito, 1, i(11), true},
		{"ambito role, record of the ambito without comune", ambito, 1, nil, true},
		{"ambito role, another ambito", ambito, 2, i(20), false},
		{"comune role, its comune", comune, 1, i(10), true},
		{"comune role, another comune of the same ambito", comune, 1, i(11), false},
		{"comune role, record without comune", comune, 1, nil, false},
		{"comune role, another ambito with the same comune id", comune, 2, i(10), false},
		{"ente role, a record of its ambito", ente, 1, nil, false},
		{"ente role, a record of a comune of its ambito", ente, 1, i(10), false},
	} {
		if got := tc.p.Covers(tc.ambito, tc.comune); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
