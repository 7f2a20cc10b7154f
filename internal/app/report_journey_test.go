package app

import (
	"context"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/fixtures"
)

// The cruscotto in the browser, axe-core on every page (issue 17): the
// operatore ATS opens /report from the navigation, sees the indicators as
// tables and charts with the comune of two cases shown as "<5" and no name
// or codice fiscale anywhere, changes the period and the comune, and is
// refused on a case page. The coordinatore PaIS sees the same indicators
// with the case managers named.
func TestJourneyReport(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	fx := fixtures.New(t, a.d.pool)
	ps := fx.Demo()
	var caso string
	var cf []string
	for i, x := range []struct {
		cm      string
		cognome string
	}{{"casemanager", "Amato"}, {"casemanager", "Barbieri"}, {"casemanager", "Caruso"}, {"casemanager", "Donati"},
		{"casemanager", "Esposito"}, {"casemanager", "Fontana"}, {"casemanager2", "Greco"}, {"casemanager2", "Lombardi"}} {
		m := fixtures.Adulto(x.cognome, "Nome", "F", 1970+i)
		c := fx.Caso(fixtures.NuovoCaso{CaseManager: ps[x.cm], Membri: []fixtures.Membro{m}})
		caso = c.ID.String()
		var codice string
		if err := a.d.pool.QueryRow(ctx, `SELECT codice_fiscale FROM persona WHERE id = $1`, c.Persone[0]).Scan(&codice); err != nil {
			t.Fatal(err)
		}
		cf = append(cf, codice)
	}
	var comune1, comune2 string
	if err := a.d.pool.QueryRow(ctx, `SELECT (SELECT denominazione FROM comune WHERE id = $1), (SELECT denominazione FROM comune WHERE id = $2)`,
		*ps["casemanager"].ComuneID, *ps["casemanager2"].ComuneID).Scan(&comune1, &comune2); err != nil {
		t.Fatal(err)
	}
	b := &journey{browsertest.Start(t), a.URL}
	b.login(t, "operatoreats")
	if got := b.Text(t, `[data-testid="nav"]`); !strings.Contains(got, "Cruscotto") {
		t.Fatalf("navigation %q lacks Cruscotto", got)
	}
	b.Click(t, `[data-testid="nav"] a[href="/report"]`)
	checkPage(t, b.Browser, "report-01-cruscotto")
	for _, ind := range []string{"casi-stato-misura", "casi-andamento", "casi-comune", "casi-chiusi-motivo", "casi-trasferiti", "carico-case-manager",
		"primo-incontro-120", "tempi-presa-in-carico", "patti", "sostegni-attivati", "monitoraggio-incontri", "segnalazioni-esito",
		"controlli-anagrafici", "invii-rete", "invii-rete-risposta"} {
		if !b.Exists(t, `[data-testid="ind-`+ind+`"]`) {
			t.Errorf("indicator %s missing", ind)
		}
	}
	if !b.Exists(t, `[data-testid="ind-casi-comune"] svg[role="img"] title`) || !b.Exists(t, `[data-testid="ind-casi-comune"] svg desc`) {
		t.Error("the chart of the comuni has no title and description")
	}
	riga := strings.Join(strings.Fields(b.Text(t, `[data-testid="ind-casi-comune"] table`)), " ")
	if !strings.Contains(riga, comune2+" <5") || !strings.Contains(riga, "Totale") {
		t.Errorf("comuni: %q, want %s with <5", riga, comune2)
	}
	if got := b.Eval(t, `document.querySelector('[data-testid="ind-casi-comune"] desc').textContent`); !strings.Contains(got, comune2+": Nuovi <5") {
		t.Errorf("chart description: %q", got)
	}
	// The durations: one table, a row from each of incontri, analisi and
	// patto, in days, no totals.
	tempi := strings.Join(strings.Fields(b.Text(t, `[data-testid="ind-tempi-presa-in-carico"] table`)), " ")
	for _, x := range []string{"Primo incontro svolto 0 – –", "Analisi preliminare definitiva 0 – –", "Patto sottoscritto 0 – –"} {
		if !strings.Contains(tempi, x) || strings.Contains(tempi, "Totale") {
			t.Errorf("tempi: %q, want %q and no total", tempi, x)
		}
	}
	pagina := b.Text(t, "main")
	for _, vietato := range append(cf, "Amato", "Lombardi", "Ferrari", "Bassi") {
		if strings.Contains(pagina, vietato) {
			t.Errorf("the operatore ATS sees %q", vietato)
		}
	}
	if got := b.Text(t, `[data-testid="ind-carico-case-manager"] table`); !strings.Contains(got, "Case manager 1") {
		t.Errorf("caseload: %q", got)
	}
	// Printable: the page uses the whole width of the paper, no table row
	// is cut across pages, the charts print beside (or under) their tables.
	if s := b.Stampabile(t, "main"); s.Larghezza < 0.97 || len(s.Problemi) > 0 {
		t.Errorf("print: width %.2f, %v", s.Larghezza, s.Problemi)
	}

	// Another period and one comune.
	b.Fill(t, "#dal", "2020-01-01")
	b.Fill(t, "#al", "2020-12-31")
	b.SelectByText(t, "#comune", comune2)
	b.Click(t, `[data-testid="filtro"] button[type="submit"]`)
	if got := b.Text(t, `[data-testid="periodo"]`); !strings.Contains(got, "dal 01/01/2020 al 31/12/2020, "+comune2) {
		t.Errorf("period: %q", got)
	}
	if !b.Exists(t, `[data-testid="ind-casi-comune"] [data-testid="vuoto"]`) {
		t.Error("2020: the comuni should have no row")
	}
	checkPage(t, b.Browser, "report-02-periodo-comune")
	// Back to this year, the comune kept: its two cases.
	b.Fill(t, "#dal", "")
	b.Fill(t, "#al", "")
	b.Click(t, `[data-testid="filtro"] button[type="submit"]`)
	if got := strings.Join(strings.Fields(b.Text(t, `[data-testid="ind-casi-comune"] table`)), " "); !strings.Contains(got, comune2+" <5 0 <5") || strings.Contains(got, comune1) {
		t.Errorf("one comune: %q", got)
	}

	// Refused on a case page.
	b.Navigate(t, a.URL+"/casi/"+caso)
	if got := b.Text(t, "h1"); got != "Accesso non consentito" {
		t.Errorf("the operatore ATS on a case page: %q", got)
	}
	checkPage(t, b.Browser, "report-03-caso-rifiutato")

	// The coordinatore PaIS: the same cruscotto, the case managers named.
	c := &journey{browsertest.Start(t), a.URL}
	c.login(t, "coordinatore")
	c.Click(t, `[data-testid="nav"] a[href="/report"]`)
	if got := c.Text(t, `[data-testid="ind-carico-case-manager"] table`); !strings.Contains(got, "Ferrari Giulia") {
		t.Errorf("the coordinatore's caseload: %q", got)
	}
	// The controlli anagrafici are not theirs (docs/indicatori.md).
	if c.Exists(t, `[data-testid="ind-controlli-anagrafici"]`) || !c.Exists(t, `[data-testid="ind-invii-rete"]`) {
		t.Error("the coordinatore PaIS: controlli shown, or invii missing")
	}
	checkPage(t, c.Browser, "report-04-coordinatore")
}
