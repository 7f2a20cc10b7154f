package app

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

var reAmbitoURL = regexp.MustCompile(`^/admin/ambiti/(\d+)$`)

// The Ministry (amministratore di sistema) creates an ambito, puts a comune
// in it and accredits its amministratore, who then signs in with SPID (here
// the demo provider) and lands on the amministratore di ambito's home for
// the new ambito.
func TestMinisteroCreatesAmbitoAndAmministratore(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	// As `cartella import comuni` leaves them (the demo has loaded the
	// ISTAT list): loaded, in no ambito. (Bologna is the demo's second ambito.)
	fixtures.New(t, a.d.pool).Comune(accesso.Comune{CodiceISTAT: "037032", CodiceCatastale: "E289", Denominazione: "Imola", Provincia: "BO", Regione: "Emilia-Romagna"})
	c := a.client(t)
	if resp, body := a.login(t, c, "ministero", demo.Password); resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/admin/ambiti"`) {
		t.Fatalf("ministero's home: %d, navigation without Ambiti", resp.StatusCode)
	}
	post := func(path string, form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := c.PostForm(a.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}

	resp, body := get("/admin/ambiti")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "ATS-DEMO") || !strings.Contains(body, "Amministri Andrea") {
		t.Fatalf("list of ambiti: %d", resp.StatusCode)
	}

	ambito := url.Values{"codice": {"x"}, "denominazione": {"Ambito di Bologna"}, "ente_capofila": {"Comune di Bologna"}}
	resp, body = post("/admin/ambiti", ambito)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="errore-codice"`) || !strings.Contains(body, `value="Ambito di Bologna"`) {
		t.Errorf("invalid codice: %d, error shown %v, input kept %v", resp.StatusCode,
			strings.Contains(body, `data-testid="errore-codice"`), strings.Contains(body, `value="Ambito di Bologna"`))
	}
	ambito.Set("codice", "ats-bologna")
	resp, body = post("/admin/ambiti", ambito)
	m := reAmbitoURL.FindStringSubmatch(resp.Request.URL.Path)
	if resp.StatusCode != http.StatusOK || m == nil || resp.Request.URL.Query().Get("esito") != "creato" || !strings.Contains(body, "ATS-BOLOGNA") {
		t.Fatalf("after creation: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	base := "/admin/ambiti/" + m[1]

	resp, body = post(base+"/comuni", url.Values{"comune": {"imola"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Comune aggiunto") || !strings.Contains(body, "037032") {
		t.Errorf("adding Imola: %d", resp.StatusCode)
	}
	resp, body = post(base+"/comuni", url.Values{"comune": {"Casalecchio di Reno"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Ambito Territoriale Demo") || !strings.Contains(body, `value="Casalecchio di Reno"`) {
		t.Errorf("a comune of the demo ambito: %d", resp.StatusCode)
	}

	nascita := time.Date(1980, 10, 3, 0, 0, 0, 0, time.UTC)
	cf := codicefiscale.Compute("Bianchi", "Laura", nascita, "F", "A944")
	anagrafica := url.Values{"codice_fiscale": {cf}, "nome": {"Laura"}, "cognome": {"Bianchi"}, "data_nascita": {"1980-10-03"},
		"comune_nascita": {"Bologna"}, "genere": {"F"}, "email": {"laura.bianchi@comune.bologna.example.it"}, "dal": {time.Now().Format("2006-01-02")}}
	taken, _ := demo.AccountByUsername("casemanager")
	wrong := url.Values{}
	for k, v := range anagrafica {
		wrong[k] = v
	}
	wrong.Set("codice_fiscale", taken.CodiceFiscale())
	wrong.Set("data_nascita", taken.Nascita.Format("2006-01-02"))
	resp, body = post(base+"/amministratori", wrong)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "incompatibile con altri ruoli") || !strings.Contains(body, `value="laura.bianchi@comune.bologna.example.it"`) {
		t.Errorf("a codice fiscale already accredited: %d", resp.StatusCode)
	}
	resp, body = post(base+"/amministratori", anagrafica)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Amministratore di ambito accreditato") || !strings.Contains(body, cf) {
		t.Fatalf("accreditation: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	// The Ministry does not manage ordinary operators.
	if resp, _ := get("/admin/operatori"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("ministero on /admin/operatori: %d", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi r JOIN operatore o ON o.id = r.operatore_id
		WHERE o.codice_fiscale = $1 AND r.azione = 'scrittura' AND r.ruolo = 'amministratore_sistema'`, demoCF("ministero")); n != 3 {
		t.Errorf("%d writes of the ministero in the register, want 3 (ambito, comune, amministratore)", n)
	}

	nc := a.client(t)
	resp, body = a.login(t, nc, cf, demo.Password)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Laura Bianchi") || !strings.Contains(body, "Amministratore di ambito") ||
		!strings.Contains(body, "Ambito di Bologna") {
		t.Fatalf("the new amministratore's home: %d\n%s", resp.StatusCode, body)
	}
	resp, err := nc.Get(a.URL + "/admin/operatori")
	if err != nil {
		t.Fatal(err)
	}
	// Their own ambito has no operator yet: the amministratore is not among
	// the operators they manage, and another ambito's are invisible.
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || strings.Contains(body, "Bianchi Laura") || strings.Contains(body, "Ferrari") {
		t.Errorf("the new amministratore's operators: %d", resp.StatusCode)
	}
	resp, err = nc.Get(a.URL + "/admin/ambiti")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Errorf("amministratore di ambito on /admin/ambiti: %d", resp.StatusCode)
	}

	// Suspended by the Ministry: the open session ends at once.
	resp, body = get(base)
	ver := regexp.MustCompile(`name="versione" value="(\d+)"`).FindStringSubmatch(body)
	if ver == nil {
		t.Fatal("no state form for the amministratore")
	}
	var opID string
	if err := a.d.pool.QueryRow(t.Context(), `SELECT id::text FROM operatore WHERE codice_fiscale = $1`, cf).Scan(&opID); err != nil {
		t.Fatal(err)
	}
	resp, body = post(base+"/amministratori/"+opID+"/stato", url.Values{"versione": {ver[1]}, "azione": {"sospendi"},
		"stato_dal": {time.Now().Format("2006-01-02")}, "stato_motivo": {"Verifica"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Accreditamento sospeso") {
		t.Errorf("suspension: %d", resp.StatusCode)
	}
	resp, err = nc.Get(a.URL + "/admin/operatori")
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.Request.URL.Path == "/admin/operatori" && resp.StatusCode == http.StatusOK {
		t.Errorf("the suspended amministratore still reaches the operators")
	}
}

// Removing a comune where operators still work is refused with the reason.
func TestRemoveComuneInUse(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "ministero", demo.Password)
	var amb, comune int64
	if err := a.d.pool.QueryRow(t.Context(), `SELECT a.id, c.id FROM ambito a JOIN comune c ON c.ambito_id = a.id
		WHERE a.codice = $1 AND c.codice_istat = $2`, demo.AmbitoCodice, demo.Comuni[0].CodiceISTAT).Scan(&amb, &comune); err != nil {
		t.Fatal(err)
	}
	// First the question, saying what would happen; nothing changes.
	resp, err := c.PostForm(a.URL+fmt.Sprintf("/admin/ambiti/%d/comuni/%d/rimuovi", amb, comune), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Rimuovere il comune di Casalecchio di Reno") ||
		!strings.Contains(body, `name="conferma" value="1"`) {
		t.Errorf("no confirmation asked: %d", resp.StatusCode)
	}
	resp, err = c.PostForm(a.URL+fmt.Sprintf("/admin/ambiti/%d/comuni/%d/rimuovi", amb, comune), url.Values{"conferma": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="errore-rimozione"`) || !strings.Contains(body, "non può essere rimosso") {
		t.Errorf("removing Casalecchio di Reno: %d", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM comune WHERE id = $1 AND ambito_id = $2`, comune, amb); n != 1 {
		t.Error("the comune was removed")
	}
}

func demoCF(username string) string {
	acc, _ := demo.AccountByUsername(username)
	return acc.CodiceFiscale()
}
