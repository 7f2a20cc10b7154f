package app

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/demo"
)

// The amministratore di ambito accredits an operatore presentazioni on
// /admin/operatori: without a comune the form comes back with the message
// next to the field and what was typed; with one, the role is granted. The
// demo's sportello signs in on the first demo comune and sees its duties.
func TestAccreditamentoOperatorePresentazioni(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	if resp, _ := a.login(t, c, "amministratore", demo.Password); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	resp, err := c.Get(a.URL + "/admin/operatori/nuovo")
	if err != nil {
		t.Fatal(err)
	}
	if body := html.UnescapeString(readBody(t, resp)); !strings.Contains(body, "Operatore presentazioni") {
		t.Error("the form does not offer the operatore presentazioni")
	}
	form := url.Values{
		"codice_fiscale": {codicefiscale.Compute("Sportelli", "Gino", demo.Accounts[0].Nascita, "M", "A944")},
		"nome":           {"Gino"}, "cognome": {"Sportelli"}, "genere": {"M"},
		"data_nascita": {demo.Accounts[0].Nascita.Format("2006-01-02")}, "comune_nascita": {"Bologna"},
		"email": {"gino@comune.example.it"}, "ruolo": {"operatore_presentazioni"},
		"fondo": {"Fondo Povertà"}, "dal": {"2026-01-01"},
	}
	resp, err = c.PostForm(a.URL+"/admin/operatori", form)
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Per questo ruolo indica il comune di competenza") ||
		!strings.Contains(body, `value="Sportelli"`) {
		t.Fatalf("without comune: %d, message or typed surname missing", resp.StatusCode)
	}
	comune := a.count(t, `SELECT id FROM comune WHERE codice_istat = $1`, demo.Comuni[0].CodiceISTAT)
	form.Set("comune_id", strconv.Itoa(comune))
	resp, err = c.PostForm(a.URL+"/admin/operatori", form)
	if err != nil {
		t.Fatal(err)
	}
	body = html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Operatore presentazioni") {
		t.Fatalf("with the comune: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	sp := a.client(t)
	resp, body = a.login(t, sp, "sportello", demo.Password)
	body = html.UnescapeString(body)
	for _, want := range []string{"Comune di " + demo.Comuni[0].Denominazione, "Operatore presentazioni", "mai il contenuto del caso"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("sportello's home lacks %q", want)
		}
	}
}
