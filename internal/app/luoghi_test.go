package app

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/demo"
)

// Apri un caso takes the place of birth and the citizenship by name (issue
// 21, point 6): the form suggests them (datalists) and the server resolves
// what was typed; Milano with a codice fiscale of Roma (H501) is refused
// next to the place with everything typed kept; an ambiguous name lists
// its choices; Roma and Marocco open the case, stored as H501 and MAR.
func TestAperturaLuoghiHTTP(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	nf := noFollow(c)

	resp, err := c.Get(a.URL + "/casi/nuovo")
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	for _, want := range []string{`<datalist id="luoghi-nascita">`, `<option value="Zola Predosa (BO)">`, `<option value="Marocco">`,
		`list="luoghi-nascita"`, `<datalist id="cittadinanze">`, `<option value="Italia">`, `name="c0_cittadinanza" value="Italia"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /casi/nuovo lacks %q", want)
		}
	}

	form := aperturaForm(a.comune(t, "037011"), "INPS-LUOGHI-1")
	madre := time.Date(1984, 3, 9, 0, 0, 0, 0, time.UTC)
	form.Set("c0_codice_fiscale", codicefiscale.Compute("Verdi", "Giulia", madre, "F", "H501"))
	form.Set("c0_luogo_nascita", "Milano")
	form.Set("c0_cittadinanza", "Italia")
	post := func() (*http.Response, string) {
		t.Helper()
		resp, err := nf.PostForm(a.URL+"/casi", form)
		if err != nil {
			t.Fatal(err)
		}
		return resp, html.UnescapeString(readBody(t, resp))
	}
	resp, body = post()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("Milano with H501: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`data-testid="errore-c0_luogo_nascita">Componente 1, luogo di nascita: Milano (MI), codice F205 non corrisponde al codice fiscale, che indica Roma (RM), codice H501`,
		`value="Milano"`, `value="` + form.Get("c0_codice_fiscale") + `"`, `value="Giulia"`, `value="Tommaso"`, `value="INPS-LUOGHI-1"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("Milano with H501: the form lacks %q", want)
		}
	}
	if strings.Contains(body, `data-testid="errore-c0_codice_fiscale"`) {
		t.Error("Milano with H501: a second message on the codice fiscale")
	}

	form.Set("c0_luogo_nascita", "San Teodoro")
	if resp, body = post(); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "«San Teodoro» è il nome di più luoghi; scrivi quale: San Teodoro (ME), San Teodoro (SS).") {
		t.Errorf("ambiguous name: %d", resp.StatusCode)
	}
	form.Set("c0_luogo_nascita", "Roma")
	form.Set("c1_cittadinanza", "Marocco")
	resp, _ = post()
	if resp.StatusCode != http.StatusSeeOther || !reCaso.MatchString(resp.Header.Get("Location")) {
		t.Fatalf("Roma: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := a.count(t, `SELECT count(*) FROM persona WHERE (cognome, nome, luogo_nascita, cittadinanza) IN (('Verdi', 'Giulia', 'H501', 'ITA'), ('Verdi', 'Tommaso', 'A944', 'MAR'))`); n != 2 {
		t.Errorf("%d persons stored with the codes of Roma, Bologna, Italia and Marocco, want 2", n)
	}
}

// The demo loads the ISTAT list of comuni and an ambito of Bologna: its
// coordinatore transfers a case to "Bologna" by name (it said "Nessun comune
// con questo nome" when the demo knew three comuni); a comune of no ambito
// is told apart from a name that is no comune.
func TestTrasferimentoDemoABologna(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	if n := a.count(t, `SELECT count(*) FROM comune`); n < 7800 {
		t.Fatalf("the demo has %d comuni, want the ISTAT list", n)
	}
	caso, _ := casoIncontri(t, a)
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)
	nf := noFollow(c)
	base := a.URL + "/assegnazioni/" + caso.String()
	post := func(form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := nf.PostForm(base+"/trasferisci", form)
		if err != nil {
			t.Fatal(err)
		}
		return resp, html.UnescapeString(readBody(t, resp))
	}
	resp, body := post(url.Values{"versione": {"1"}, "comune": {"Milano"}, "motivo": {"Cambio di residenza"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Milano (MI) non fa parte di nessun ambito registrato in Cartella") {
		t.Errorf("transfer to Milano, in no ambito: %d", resp.StatusCode)
	}
	resp, body = post(url.Values{"versione": {"1"}, "comune": {"Atlantide"}, "motivo": {"Cambio di residenza"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Nessun comune con questo nome o codice ISTAT") {
		t.Errorf("transfer to Atlantide: %d", resp.StatusCode)
	}
	resp, body = post(url.Values{"versione": {"1"}, "comune": {"Bologna"}, "motivo": {"Cambio di residenza"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ambito Territoriale Città di Bologna") || strings.Contains(body, "Nessun comune") {
		t.Fatalf("transfer to Bologna: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = post(url.Values{"versione": {"1"}, "comune": {"Bologna"}, "motivo": {"Cambio di residenza"}, "conferma": {"1"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/assegnazioni?esito=trasferito" {
		t.Fatalf("transfer to Bologna confirmed: %d to %q", resp.StatusCode, loc)
	}
	if n := a.count(t, `SELECT count(*) FROM caso ca JOIN comune co ON co.id = ca.comune_id JOIN ambito am ON am.id = ca.ambito_id
		WHERE ca.id = $1 AND co.codice_istat = '037006' AND am.codice = $2`, caso, demo.AmbitoBolognaCodice); n != 1 {
		t.Error("the case is not in Bologna")
	}
}
