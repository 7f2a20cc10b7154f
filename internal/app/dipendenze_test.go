package app

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The dependency direction of house-style §6.2, checked on the imports of
// the code (tests aside):
//
//	cmd → internal/app → domain modules (in the order of the case workflow)
//	    → platform packages → web/ui → stdlib and third parties
//
// A module may import only the modules before it in moduli; a platform
// package imports no module; web/ui imports nothing of internal/; nothing
// but cmd imports internal/app. A new package must be placed in one of the
// lists below before it builds green.

const modulo = "github.com/cartella/cartella/"

// moduli are the domain modules, upstream first: each may import those
// before it, never one after it (a downstream module contributes to an
// upstream one through an interface the upstream declares, wired in app).
var moduli = []string{
	"internal/accesso",       // accreditation of operators
	"internal/home",          // the home (counts come through home.Contatore)
	"internal/report",        // the cruscotto (indicators come through report.Fornitore)
	"internal/casi",          // the case (sections through casi.FonteSezione)
	"internal/assegnazioni",  // the coordinatore's assignment board
	"internal/importazioni",  // imports of the nuclei flow
	"internal/schede",        // the versioned schede of a case
	"internal/incontri",      // convocazioni, meetings, agenda
	"internal/presentazioni", // registrations of presentations, periods of the benefit, CPI outcomes
	"internal/analisi",       // analisi preliminare
	"internal/equipe",        // équipe multidisciplinare
	"internal/quadro",        // quadro di analisi
	"internal/patto",         // patto per l'inclusione sociale
	"internal/fsl",           // fascicolo sociale e lavorativo export of the patto
	"internal/monitoraggio",  // monitoring of the patto
	"internal/segnalazioni",  // segnalazioni to INPS
	"internal/controlli",     // controlli anagrafici and verifiche del nucleo (segnalazioni through internal/segnalazioni)
	"internal/rete",          // the network of services: enti, mappa delle risorse, protocolli, invii
	"internal/prestazioni",   // prestazioni sociali erogate, SINA, PS-PSA-SINA flows to SIUSS
}

// piattaforma are the platform packages: below every module.
var piattaforma = []string{
	"internal/auth", "internal/authz", "internal/browsertest", "internal/calendario", "internal/carico", "internal/codicefiscale",
	"internal/config", "internal/database", "internal/dbtest", "internal/demoidp", "internal/flusso",
	"internal/httpx", "internal/pdnd", "internal/pgcluster", "internal/posta", "internal/registro", "internal/residenza", "internal/scadenze",
	"internal/session", "internal/stampa", "internal/stampa/pdftest", "migrations", "docs/specs/inps-waas", "policies", "web", "web/ui",
}

// composizione may import any module: the composition root, the demo data
// it loads, the commands, and the test fixtures (imported only by tests:
// they build data through the services of accesso and casi).
var composizione = []string{"internal/app", "internal/demo", "cmd/cartella", "cmd/carico", "internal/fixtures"}

type pacchetto struct {
	ImportPath string
	Imports    []string
}

// pacchetti lists the module's packages with their imports (tests aside).
func pacchetti(t *testing.T) []pacchetto {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", modulo+"...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var ps []pacchetto
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pacchetto
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// violazioni returns every import against the direction.
func violazioni(ps []pacchetto) []string {
	var out []string
	for _, p := range ps {
		da := strings.TrimPrefix(p.ImportPath, modulo)
		rango := slices.Index(moduli, da)
		switch {
		case rango < 0 && !slices.Contains(piattaforma, da) && !slices.Contains(composizione, da):
			out = append(out, da+" is in no list of internal/app/dipendenze_test.go: place it among the modules (in workflow order), the platform packages or the composition")
			continue
		}
		for _, imp := range p.Imports {
			a, ok := strings.CutPrefix(imp, modulo)
			if !ok {
				continue
			}
			ra := slices.Index(moduli, a)
			switch {
			case a == "internal/app" && da != "cmd/cartella":
				out = append(out, da+" imports internal/app: nothing but cmd imports the composition root")
			case da == "web/ui" && strings.HasPrefix(a, "internal/"):
				out = append(out, "web/ui imports "+a+": the presentation kit imports nothing of internal/")
			case slices.Contains(piattaforma, da) && (ra >= 0 || slices.Contains(composizione, a)):
				out = append(out, da+" (a platform package) imports "+a+": platform packages sit below every module")
			case rango >= 0 && slices.Contains(composizione, a):
				out = append(out, da+" imports "+a+": a module never imports the composition")
			case rango >= 0 && ra > rango:
				out = append(out, da+" imports "+a+", a module after it in the case workflow ("+
					strings.Join(moduli[rango:ra+1], " < ")+"): let "+a+" contribute through an interface "+da+" declares, wired in internal/app")
			}
		}
	}
	return out
}

// No package imports against the dependency direction of house-style §6.2.
func TestDirezioneDelleDipendenze(t *testing.T) {
	ps := pacchetti(t)
	if len(ps) < len(moduli) {
		t.Fatalf("go list found %d packages", len(ps))
	}
	for _, v := range violazioni(ps) {
		t.Error(v)
	}
}

// The check itself catches each kind of wrong import.
func TestDirezioneDelleDipendenzeRifiuta(t *testing.T) {
	for _, c := range []struct {
		da, a, want string
	}{
		{"internal/casi", "internal/incontri", "a module after it"},
		{"internal/httpx", "internal/casi", "platform packages sit below"},
		{"internal/segnalazioni", "internal/app", "nothing but cmd"},
		{"web/ui", "internal/authz", "imports nothing of internal/"},
		{"internal/nuovo", "internal/authz", "in no list"},
	} {
		v := violazioni([]pacchetto{{ImportPath: modulo + c.da, Imports: []string{modulo + c.a}}})
		if len(v) != 1 || !strings.Contains(v[0], c.want) {
			t.Errorf("%s → %s: %q, want one saying %q", c.da, c.a, v, c.want)
		}
	}
	if v := violazioni([]pacchetto{{ImportPath: modulo + "internal/patto", Imports: []string{modulo + "internal/quadro", modulo + "internal/casi", "fmt"}}}); len(v) != 0 {
		t.Errorf("downstream imports refused: %q", v)
	}
}
