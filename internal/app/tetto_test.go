package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

// The caseload cap the ambito sets (issue 17): the amministratore di
// ambito types it on /admin/ambito, refused from 1 to 500 with the
// message next to the field and what was typed kept, the change recorded
// in the registro; the cruscotto then lists the case managers over the
// new cap instead of the default 40.
func TestTettoAmbito(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	fx := fixtures.New(t, a.d.pool)
	ps := fx.Demo()
	for i, cognome := range []string{"Amato", "Barbieri", "Caruso"} {
		fx.Caso(fixtures.NuovoCaso{CaseManager: ps["casemanager"], Membri: []fixtures.Membro{fixtures.Adulto(cognome, "Nome", "F", 1970+i)}})
	}
	fx.Caso(fixtures.NuovoCaso{CaseManager: ps["casemanager2"], Membri: []fixtures.Membro{fixtures.Adulto("Greco", "Nome", "M", 1980)}})

	co := a.client(t)
	a.login(t, co, "coordinatore", demo.Password)
	oltre := func() string {
		t.Helper()
		resp, err := co.Get(a.URL + "/report")
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		i := strings.Index(body, `data-testid="oltre-tetto"`)
		if resp.StatusCode != http.StatusOK || i < 0 {
			t.Fatalf("/report: %d", resp.StatusCode)
		}
		j := strings.Index(body[i:], "</")
		return body[i : i+j]
	}
	if got := oltre(); !strings.Contains(got, "Nessun case manager oltre il tetto di 40 casi") {
		t.Errorf("default cap: %q", got)
	}

	am := a.client(t)
	a.login(t, am, "amministratore", demo.Password)
	resp, err := am.Get(a.URL + "/admin/ambito")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); !strings.Contains(body, `name="tetto_casi"`) || !strings.Contains(body, `value="40"`) ||
		!strings.Contains(body, "Tetto di casi aperti per case manager") {
		t.Error("the settings page lacks the cap field with the default 40")
	}
	for _, x := range []struct{ typed, msg string }{
		{"0", "Il tetto deve essere tra 1 e 500 casi aperti."},
		{"501", "Il tetto deve essere tra 1 e 500 casi aperti."},
		{"abc", "Scrivi il tetto come numero intero di casi, da 1 a 500 (ad esempio 40)."},
		{" ", "Indica il tetto di casi aperti per case manager, da 1 a 500."},
	} {
		resp, err := am.PostForm(a.URL+"/admin/ambito", url.Values{"informativa_privacy": {"Informativa nuova."}, "tetto_casi": {x.typed}})
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, x.msg) || !strings.Contains(body, `id="tetto_casi-errore"`) ||
			!strings.Contains(body, `value="`+x.typed+`"`) || !strings.Contains(body, "Informativa nuova.") {
			t.Errorf("cap %q: %d, message or typed value missing", x.typed, resp.StatusCode)
		}
	}
	if n := a.count(t, `SELECT tetto_casi FROM ambito WHERE id = $1`, *ps["casemanager"].AmbitoID); n != 40 {
		t.Errorf("a refused cap was saved: %d", n)
	}
	resp, err = noFollow(am).PostForm(a.URL+"/admin/ambito", url.Values{"informativa_privacy": {""}, "tetto_casi": {" 2 "}})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the cap: %d", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'ambito'
		AND dettaglio LIKE '%tetto dei casi da 40 a 2%'`); n != 1 {
		t.Errorf("the change of the cap in the registro: %d records", n)
	}
	if got := oltre(); !strings.Contains(got, "Oltre il tetto di 2 casi aperti") && !strings.Contains(got, "Ferrari Giulia") {
		t.Errorf("over the cap of 2: %q", got)
	}
	resp, err = co.Get(a.URL + "/report")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if i := strings.Index(body, `<ul data-testid="oltre-tetto">`); i < 0 || !strings.Contains(body[i:i+200], "Ferrari Giulia") ||
		strings.Contains(body[i:i+strings.Index(body[i:], "</ul>")], "Bassi") || !strings.Contains(body, "Oltre il tetto di 2 casi aperti") {
		t.Errorf("the list over the cap of 2 should name only the case manager with 3 cases")
	}
}
