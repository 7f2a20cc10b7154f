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

// The amministratore di ambito accredits an operatore_ente on
// /admin/operatori choosing the ente among the ambito's active enti; without
// it the form comes back with the message next to the field and what was
// typed. The demo's operatoreente signs in on the ente's scope.
func TestAccreditamentoOperatoreEnte(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	if resp, _ := a.login(t, c, "amministratore", demo.Password); resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	ente := a.count(t, `SELECT id FROM rete_ente WHERE denominazione = $1`, demo.EnteDemo)
	resp, err := c.Get(a.URL + "/admin/operatori/nuovo")
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	for _, want := range []string{`name="ente_id"`, demo.EnteDemo, "Gestore della rete", "Operatore di un ente della rete"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %q", want)
		}
	}

	form := url.Values{
		"codice_fiscale": {codicefiscale.Compute("Ercoli", "Piero", demo.Accounts[0].Nascita, "M", "A944")},
		"nome":           {"Piero"}, "cognome": {"Ercoli"}, "genere": {"M"},
		"data_nascita": {demo.Accounts[0].Nascita.Format("2006-01-02")}, "comune_nascita": {"Bologna"},
		"email": {"piero@consultorio.example.it"}, "ruolo": {"operatore_ente"},
		"fondo": {"Fondo Povertà"}, "dal": {"2026-01-01"},
	}
	resp, err = c.PostForm(a.URL+"/admin/operatori", form)
	if err != nil {
		t.Fatal(err)
	}
	body = html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Per l'operatore di un ente scegli l'ente della rete") ||
		!strings.Contains(body, `value="Ercoli"`) {
		t.Fatalf("without ente: %d, message or typed surname missing", resp.StatusCode)
	}

	form.Set("ente_id", strconv.Itoa(ente))
	resp, err = c.PostForm(a.URL+"/admin/operatori", form)
	if err != nil {
		t.Fatal(err)
	}
	body = html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ente: "+demo.EnteDemo) {
		t.Fatalf("with the ente: %d at %s", resp.StatusCode, resp.Request.URL)
	}

	oe := a.client(t)
	resp, body = a.login(t, oe, "operatoreente", demo.Password)
	body = html.UnescapeString(body)
	for _, want := range []string{"Ente: " + demo.EnteDemo, "Operatore di un ente della rete", "invii rivolti al tuo ente"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("operatoreente's home lacks %q", want)
		}
	}
}
