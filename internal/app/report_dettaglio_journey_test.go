package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

// The coordinatore PaIS's drill-down in the browser, axe-core on every page
// (issue 17, "the coordinatore sees the same indicators for their scope and
// the drill-down list"): from a cell of the cruscotto to the list of its
// cases, anagrafica only, 50 a page; a cell shown as "<5" leads to its two
// cases, the number on the cruscotto stays "<5"; a case opens on its
// assignment page. The operatore ATS has no link and is refused on the
// list's address.
func TestJourneyReportCoordinatore(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	fx := fixtures.New(t, a.d.pool)
	ps := fx.Demo()
	for i := range 51 {
		fx.Caso(fixtures.NuovoCaso{CaseManager: ps["casemanager"], Membri: []fixtures.Membro{fixtures.Adulto(fmt.Sprintf("Primo%c%c", 'a'+i/26, 'a'+i%26), "Nome", "F", 1960+i%40)}})
	}
	var piccoli []fixtures.Caso
	for _, cognome := range []string{"Greco", "Lombardi"} {
		piccoli = append(piccoli, fx.Caso(fixtures.NuovoCaso{CaseManager: ps["casemanager2"], Membri: []fixtures.Membro{fixtures.Adulto(cognome, "Nome", "M", 1980)}}))
	}
	var comune2, cfGreco string
	if err := a.d.pool.QueryRow(ctx, `SELECT (SELECT denominazione FROM comune WHERE id = $1), (SELECT codice_fiscale FROM persona WHERE id = $2)`,
		*ps["casemanager2"].ComuneID, piccoli[0].Persone[0]).Scan(&comune2, &cfGreco); err != nil {
		t.Fatal(err)
	}

	c := &journey{browsertest.Start(t), a.URL}
	c.login(t, "coordinatore")
	c.Click(t, `[data-testid="nav"] a[href="/report"]`)
	if !c.Exists(t, `[data-testid="nota-dettaglio"]`) || !c.Exists(t, `[data-testid="ind-casi-stato-misura"] a[data-testid="cella-link"]`) {
		t.Fatal("the coordinatore's cruscotto has no link to the cases")
	}
	checkPage(t, c.Browser, "report-dettaglio-01-cruscotto")
	// The comune of two cases: "<5" on the cruscotto, a link all the same.
	sel := `[data-testid="ind-casi-comune"] tbody tr`
	n := c.Eval(t, `(() => { const rr = [...document.querySelectorAll('`+sel+`')];
		const r = rr.find(r => r.querySelector('th').textContent.trim() === `+"`"+comune2+"`"+`);
		const a = r && r.querySelector('a[data-testid="cella-link"]');
		if (!a) return 'nessun collegamento';
		return a.textContent.trim() + '|' + a.getAttribute('href'); })()`)
	testo, href, _ := strings.Cut(n, "|")
	if !strings.HasPrefix(testo, "<5") || !strings.HasPrefix(href, "/report/casi?") {
		t.Fatalf("the cell of %s: %q", comune2, n)
	}
	c.Navigate(t, a.URL+href)
	elenco := c.Text(t, `[data-testid="elenco-casi"]`)
	for _, want := range []string{"Greco Nome", "Lombardi Nome", cfGreco, comune2, "Bassi Luca", "Assegnato", "C-"} {
		if !strings.Contains(elenco, want) {
			t.Errorf("the list of %s lacks %q:\n%s", comune2, want, elenco)
		}
	}
	if strings.Contains(elenco, "Primo") {
		t.Error("the list of one comune shows another comune's cases")
	}
	if got := c.Eval(t, `String(document.querySelectorAll('[data-testid="caso"]').length)`); got != "2" {
		t.Errorf("rows: %s, want 2", got)
	}
	checkPage(t, c.Browser, "report-dettaglio-02-comune")

	// Back to the cruscotto; the state × measure cell of the 53 assigned
	// ADI cases: two pages.
	c.Click(t, `[data-testid="torna-cruscotto"]`)
	c.Click(t, `[data-testid="ind-casi-stato-misura"] a[data-testid="cella-link"]`)
	if got := c.Eval(t, `String(document.querySelectorAll('[data-testid="caso"]').length)`); got != "50" {
		t.Errorf("first page: %s rows, want 50", got)
	}
	if !strings.Contains(c.Text(t, `[data-testid="descrizione"]`), "Assegnato") || c.Exists(t, `[data-testid="prima-pagina"]`) {
		t.Errorf("first page: %q", c.Text(t, `[data-testid="descrizione"]`))
	}
	c.Click(t, `[data-testid="pagina-successiva"]`)
	if got := c.Eval(t, `String(document.querySelectorAll('[data-testid="caso"]').length)`); got != "3" {
		t.Errorf("second page: %s rows, want 3", got)
	}
	if !c.Exists(t, `[data-testid="prima-pagina"]`) || c.Exists(t, `[data-testid="pagina-successiva"]`) {
		t.Error("second page: the links of the pages")
	}
	checkPage(t, c.Browser, "report-dettaglio-03-pagina-2")
	// A case opens on its assignment page.
	c.Click(t, `[data-testid="caso"] th a`)
	if u := c.URL(t); !strings.Contains(u, "/assegnazioni/") {
		t.Errorf("the case opened at %s", u)
	}
	if h := c.Text(t, "h1"); h == "Accesso non consentito" || h == "Pagina non trovata" {
		t.Errorf("the case's page: %q", h)
	}
	checkPage(t, c.Browser, "report-dettaglio-04-caso")

	// The operatore ATS: plain numbers, and refused on the list.
	o := &journey{browsertest.Start(t), a.URL}
	o.login(t, "operatoreats")
	o.Click(t, `[data-testid="nav"] a[href="/report"]`)
	if o.Exists(t, `a[data-testid="cella-link"]`) || o.Exists(t, `[data-testid="nota-dettaglio"]`) {
		t.Error("the operatore ATS has links to the cases")
	}
	checkPage(t, o.Browser, "report-dettaglio-05-ats")
	o.Navigate(t, a.URL+"/report/casi?indicatore=casi-stato-misura&riga=assegnato&colonna=ADI")
	if got := o.Text(t, "h1"); got != "Accesso non consentito" {
		t.Errorf("the operatore ATS on the list: %q", got)
	}
	if strings.Contains(o.Text(t, "main"), "Greco") {
		t.Error("the operatore ATS sees a name")
	}
	checkPage(t, o.Browser, "report-dettaglio-06-ats-rifiutato")

	// Through HTTP: 403 for the operatore ATS, 404 for an unknown cell.
	oc := a.client(t)
	a.login(t, oc, "operatoreats", demo.Password)
	resp, err := oc.Get(a.URL + "/report/casi?indicatore=casi-stato-misura&riga=assegnato&colonna=ADI")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("operatore ATS: %d, want 403", resp.StatusCode)
	}
	cc := a.client(t)
	a.login(t, cc, "coordinatore", demo.Password)
	for _, q := range []string{"indicatore=boh", "indicatore=casi-stato-misura&riga=boh&colonna=ADI", "indicatore=casi-comune&riga=1&colonna=nuovi&dopo=x",
		"indicatore=casi-comune&riga=1&colonna=nuovi&dal=31/02/2026"} {
		resp, err := cc.Get(a.URL + "/report/casi?" + q)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", q, resp.StatusCode)
		}
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'elenco_casi_cruscotto'`); n < 3 {
		t.Errorf("the lists read are not in the registro: %d", n)
	}
}
