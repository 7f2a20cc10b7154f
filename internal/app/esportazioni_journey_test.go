package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/report"
)

// The exports of the cruscotto in the browser, axe-core on every page
// (issue 17, point 4): the operatore ATS changes period and comune, asks
// the XLSX of the table of the comuni, watches its progress page reload
// itself until it is ready, downloads it; the file's cells, "<5" and
// totals included, are the page's. Then the dataset as CSV, with no name
// in it. Another operator's export is 404 to the operatore ATS.
func TestJourneyEsportazioni(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx, stop := context.WithCancel(context.Background())
	fx := fixtures.New(t, a.d.pool)
	ps := fx.Demo()
	cognomi := []string{"Amato", "Barbieri", "Caruso", "Donati", "Esposito", "Fontana", "Greco", "Lombardi"}
	for i, cognome := range cognomi {
		cm := "casemanager"
		if i >= 6 {
			cm = "casemanager2"
		}
		fx.Caso(fixtures.NuovoCaso{CaseManager: ps[cm], Membri: []fixtures.Membro{fixtures.Adulto(cognome, "Nome", "F", 1970+i)}})
	}
	var comune2 string
	if err := a.d.pool.QueryRow(ctx, `SELECT denominazione FROM comune WHERE id = $1`, *ps["casemanager2"].ComuneID).Scan(&comune2); err != nil {
		t.Fatal(err)
	}
	b := &journey{browsertest.Start(t), a.URL}
	b.login(t, "operatoreats")
	b.Click(t, `[data-testid="nav"] a[href="/report"]`)
	// Another period and one comune, then all comuni again, the period kept.
	anno := time.Now().Year()
	dal := time.Date(anno-1, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	b.Fill(t, "#dal", dal)
	b.SelectByText(t, "#comune", comune2)
	b.Click(t, `[data-testid="filtro"] button[type="submit"]`)
	if got := b.Text(t, `[data-testid="periodo"]`); !strings.Contains(got, "dal 01/01/"+strconv.Itoa(anno-1)) || !strings.Contains(got, comune2) {
		t.Errorf("period: %q", got)
	}
	b.SelectByText(t, "#comune", "Tutti i comuni")
	b.Click(t, `[data-testid="filtro"] button[type="submit"]`)
	checkPage(t, b.Browser, "esportazioni-01-cruscotto")
	// The page's table of the comuni, cell by cell.
	pagina := celle(b.Eval(t, `Array.from(document.querySelectorAll('[data-testid="ind-casi-comune"] table tr')).map(r => Array.from(r.children).map(c => c.textContent.trim()).join('|')).join('\n')`))
	if !strings.Contains(strings.Join(pagina, "\n"), comune2+"|<5") {
		t.Fatalf("the page has no <5 for %s: %q", comune2, pagina)
	}

	b.Click(t, `[data-testid="ind-casi-comune"] [data-testid="esporta-xlsx"]`)
	if got := b.Text(t, `[data-testid="stato"]`); got != "In attesa" {
		t.Errorf("state %q", got)
	}
	if !b.Exists(t, `meta[http-equiv="refresh"]`) {
		t.Error("the page of a waiting export does not reload itself")
	}
	if got := b.Eval(t, `document.querySelector('meta[http-equiv="refresh"]').content`); got != "2" {
		t.Errorf("refresh every %q s", got)
	}
	// axe refuses any meta refresh (WCAG 2.2.1): the page the operator
	// who turns the reload off gets, the same but for the meta.
	pag := b.URL(t)
	b.Click(t, `[data-testid="ferma"]`)
	if b.Exists(t, `meta[http-equiv="refresh"]`) || !b.Exists(t, `[data-testid="aggiorna"]`) {
		t.Error("the reload cannot be turned off")
	}
	checkPage(t, b.Browser, "esportazioni-02-in-attesa")
	// The worker starts; the page, reloading itself every 2 s, shows it ready.
	b.Navigate(t, pag)
	done := make(chan struct{})
	go func() { a.d.esporta.Lavora(ctx, time.Hour); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	for i := 0; b.Text(t, `[data-testid="stato"]`) != "Pronta"; i++ {
		if i > 60 {
			t.Fatalf("the export is still %q", b.Text(t, `[data-testid="stato"]`))
		}
		time.Sleep(500 * time.Millisecond)
	}
	if b.Exists(t, `meta[http-equiv="refresh"]`) {
		t.Error("a ready export's page still reloads itself")
	}
	checkPage(t, b.Browser, "esportazioni-03-pronta")
	href := b.Eval(t, `document.querySelector('[data-testid="scarica"]').getAttribute('href')`)

	// The file, through the operatore ATS's own session.
	c := a.client(t)
	a.login(t, c, "operatoreats", demo.Password)
	dati, resp := scarica(t, c, a.URL+href)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="cartella-casi-comune-`+dal) {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(dati))
	if err != nil {
		t.Fatal(err)
	}
	righe, err := f.GetRows(report.Foglio)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var file []string
	for _, r := range righe[4:] {
		if len(r) == 0 {
			break
		}
		file = append(file, strings.Join(r, "|"))
	}
	if strings.Join(file, "\n") != strings.Join(pagina, "\n") {
		t.Errorf("the file's table:\n%s\nthe page's:\n%s", strings.Join(file, "\n"), strings.Join(pagina, "\n"))
	}
	if !strings.HasPrefix(file[len(file)-1], "Totale|") {
		t.Errorf("no totals' row in the file: %q", file)
	}

	// The list of the operatore ATS's exports.
	b.Navigate(t, a.URL+"/report/esportazioni")
	if n := b.Eval(t, `String(document.querySelectorAll('[data-testid="esportazione"]').length)`); n != "1" {
		t.Errorf("%s exports listed", n)
	}
	checkPage(t, b.Browser, "esportazioni-04-elenco")

	// The dataset, as CSV: one row per case, no name.
	b.Navigate(t, a.URL+"/report")
	b.Click(t, `[data-testid="esporta-dataset"] [data-testid="esporta-csv"]`)
	for i := 0; b.Text(t, `[data-testid="stato"]`) != "Pronta"; i++ {
		if i > 60 {
			t.Fatalf("the dataset is still %q", b.Text(t, `[data-testid="stato"]`))
		}
		time.Sleep(500 * time.Millisecond)
	}
	href = b.Eval(t, `document.querySelector('[data-testid="scarica"]').getAttribute('href')`)
	dati, resp = scarica(t, c, a.URL+href)
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(dati, []byte("\ufeff")) {
		t.Fatalf("dataset: %d", resp.StatusCode)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(dati, []byte("\ufeff"))))
	r.Comma = ';'
	rr, err := r.ReadAll()
	if err != nil || len(rr) != len(cognomi)+1 || rr[0][0] != report.ColonnaPseudonimo {
		t.Fatalf("dataset: %d rows, %v", len(rr), err)
	}
	for _, cognome := range cognomi {
		if bytes.Contains(dati, []byte(cognome)) {
			t.Errorf("the dataset names %s", cognome)
		}
	}

	// The coordinatore's export: 404 to the operatore ATS, page and file.
	co := a.client(t)
	a.login(t, co, "coordinatore", demo.Password)
	resp, err = co.PostForm(a.URL+"/report/esportazioni", map[string][]string{"tipo": {"casi-comune"}, "formato": {"csv"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	altra := resp.Request.URL.Path
	if !strings.HasPrefix(altra, "/report/esportazioni/") {
		t.Fatalf("the coordinatore's request ended at %s (%d)", altra, resp.StatusCode)
	}
	for _, u := range []string{altra, altra + "/file"} {
		if _, resp := scarica(t, c, a.URL+u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the operatore ATS on %s: %d", u, resp.StatusCode)
		}
	}
	b.Navigate(t, a.URL+altra)
	checkPage(t, b.Browser, "esportazioni-05-altrui")
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'accesso_negato' AND oggetto_tipo = 'esportazione'`); n < 3 {
		t.Errorf("%d refusals recorded, want 3", n)
	}
}

// celle are the rows of a table as "a|b|c" from the page's text.
func celle(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, strings.TrimSuffix(l, "|"))
		}
	}
	return out
}

func scarica(t *testing.T, c *http.Client, u string) ([]byte, *http.Response) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b, resp
}
