package app

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

// nucleiDemo is a file of n synthetic households of the demo comuni, then
// a line of a comune outside the demo ambito and a broken line.
func nucleiDemo(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, n, flusso.Opzioni{Seme: 99, Oggi: casi.Oggi(time.Now()),
		Comuni: []string{demo.Comuni[0].CodiceISTAT, demo.Comuni[1].CodiceISTAT, demo.Comuni[2].CodiceISTAT}}); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(buf.String(), "\n")
	var h map[string]any
	if err := json.Unmarshal([]byte(first), &h); err != nil {
		t.Fatal(err)
	}
	h["id_domanda"], h["comune_residenza"] = "INPS-FUORI-AMBITO", "037006"
	b, _ := json.Marshal(h)
	buf.Write(b)
	buf.WriteString("\n{\"id_domanda\": \"INPS-ROTTO\"\n")
	return buf.Bytes()
}

// upload posts file as the importazioni form does.
func upload(t *testing.T, c *http.Client, url, name string, data []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	resp, err := c.Post(url, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var reImportazione = regexp.MustCompile(`^/importazioni/(\d+)$`)

// The coordinatore uploads a file: the import runs in the background, the
// progress page shows it (refreshing itself while in corso), then the
// counts and the rejected lines; the operatore ATS of the ambito sees it
// too, with the counts only (the rejected lines refused); a file over the limit is refused with an Italian message; the case
// manager may neither see nor upload imports.
func TestImportazioniUpload(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)

	resp, err := c.Get(a.URL + "/importazioni/nuova")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `enctype="multipart/form-data"`) {
		t.Fatalf("upload form: %d", resp.StatusCode)
	}
	data := nucleiDemo(t, 200)
	noRedirect := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp = upload(t, noRedirect, a.URL+"/importazioni", "nuclei-novembre.jsonl", data)
	readBody(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !reImportazione.MatchString(loc) {
		t.Fatalf("upload: %d to %q", resp.StatusCode, loc)
	}
	resp, err = c.Get(a.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<progress id="avanzamento"`) || !strings.Contains(body, "nuclei-novembre.jsonl") {
		t.Fatalf("progress page: %d\n%s", resp.StatusCode, body)
	}
	if strings.Contains(body, `data-testid="in-corso"`) != strings.Contains(body, `http-equiv="refresh"`) {
		t.Error("the page must refresh itself exactly while the import is in corso")
	}
	a.d.nuclei.Attendi()
	resp, err = c.Get(a.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	for _, want := range []string{
		`data-testid="stato">Completata`, `data-testid="percentuale">100%`, `data-testid="inseriti">200<`, `data-testid="scartati">2<`,
		"INPS-FUORI-AMBITO", "comune di residenza 037006 non appartenente all&#39;ambito", "JSON incompleto",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(body, `http-equiv="refresh"`) {
		t.Error("a completed import's page still refreshes itself")
	}
	if n := a.count(t, `SELECT count(*) FROM caso WHERE stato = 'ricevuto'`); n != 200 {
		t.Errorf("%d cases waiting for assignment, want 200", n)
	}
	resp, err = c.Get(a.URL + loc + "/scarti.csv")
	if err != nil {
		t.Fatal(err)
	}
	if csv := readBody(t, resp); !strings.HasPrefix(csv, "\ufeffriga;id_domanda;motivo") || !strings.Contains(csv, "201;INPS-FUORI-AMBITO;") {
		t.Errorf("CSV report:\n%s", csv)
	}

	// The operatore ATS of the same ambito sees the import in the list.
	ats := a.client(t)
	a.login(t, ats, "operatoreats", demo.Password)
	resp, err = ats.Get(a.URL + "/importazioni")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "nuclei-novembre.jsonl") {
		t.Errorf("operatore ATS list: %d", resp.StatusCode)
	}
	// Only the counts: no rejected line, no domanda's id (issue 17).
	resp, err = ats.Get(a.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="scartati">2<`) ||
		!strings.Contains(body, `data-testid="scarti-solo-conteggi"`) || strings.Contains(body, "INPS-FUORI-AMBITO") || strings.Contains(body, "scarti.csv") {
		t.Errorf("operatore ATS report: %d", resp.StatusCode)
	}
	resp, err = ats.Get(a.URL + loc + "/scarti.csv")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusForbidden || strings.Contains(body, "INPS-FUORI-AMBITO") {
		t.Errorf("operatore ATS rejected lines: %d", resp.StatusCode)
	}

	// Too big: refused, nothing started.
	a.d.nucleiH.MaxByte = 1 << 10
	resp = upload(t, noRedirect, a.URL+"/importazioni", "grande.jsonl", data)
	if body := readBody(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "supera il limite di 1 KB") {
		t.Errorf("too big: %d", resp.StatusCode)
	}
	// The same with no Content-Length (a chunked upload): stopped while reading.
	var body2 bytes.Buffer
	mw := multipart.NewWriter(&body2)
	fw, _ := mw.CreateFormFile("file", "grande.jsonl")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/importazioni", struct{ io.Reader }{&body2})
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "supera il limite di 1 KB") {
		t.Errorf("too big, chunked: %d", resp.StatusCode)
	}
	resp = upload(t, noRedirect, a.URL+"/importazioni", "vuoto.jsonl", nil)
	if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "è vuoto") {
		t.Errorf("empty file: %d", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM importazione`); n != 1 {
		t.Errorf("%d imports recorded, want only the accepted upload", n)
	}

	// The case manager: refused.
	cm := a.client(t)
	a.login(t, cm, "casemanager", demo.Password)
	for _, p := range []string{"/importazioni", loc} {
		resp, err := cm.Get(a.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("case manager GET %s: %d, want 403", p, resp.StatusCode)
		}
	}
	resp = upload(t, cm, a.URL+"/importazioni", "nuclei.jsonl", data)
	if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Errorf("case manager upload: %d, want 403", resp.StatusCode)
	}
}

// The importazioni pages pass axe-core and load without console errors
// (no inline style: the progress bar is a <progress> element): the list,
// the upload form, and the report of an import with rejected lines.
func TestJourneyImportazioni(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	data := nucleiDemo(t, 20)
	var amb int64
	if err := a.d.pool.QueryRow(t.Context(), `SELECT id FROM ambito WHERE codice = $1`, demo.AmbitoCodice).Scan(&amb); err != nil {
		t.Fatal(err)
	}
	imp, err := a.d.nuclei.ImportFile(t.Context(), bytes.NewReader(data), "nuclei.jsonl", int64(len(data)), nil, amb, registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b := browsertest.Start(t)
	b.Navigate(t, a.URL+"/login")
	b.Fill(t, "#username", "coordinatore")
	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	if got := b.Text(t, `[data-testid="nav"]`); !strings.Contains(got, "Importazioni") {
		t.Errorf("navigation %q lacks Importazioni", got)
	}
	b.Navigate(t, a.URL+"/importazioni")
	if got := b.Text(t, `[data-testid="importazioni"]`); !strings.Contains(got, "nuclei.jsonl") || !strings.Contains(got, "Completata") {
		t.Errorf("list: %q", got)
	}
	checkPage(t, b, "importazioni-elenco")
	b.Click(t, `[data-testid="nuova-importazione"]`)
	checkPage(t, b, "importazioni-nuova")
	b.Navigate(t, a.URL+"/importazioni/"+strconv.FormatInt(imp.ID, 10))
	if got := b.Text(t, `[data-testid="scarti"]`); !strings.Contains(got, "INPS-FUORI-AMBITO") {
		t.Errorf("report: %q", got)
	}
	checkPage(t, b, "importazioni-dettaglio")

	// An import whose process died an hour ago: its page ends it
	// interrotta, explains, and leads to the upload form that takes it up.
	var interrotta int64
	if err := a.d.pool.QueryRow(t.Context(), `INSERT INTO importazione (ambito_id, file_nome, file_byte, battito)
		VALUES ($1, 'nuclei-interrotto.jsonl', 1000, now() - interval '1 hour') RETURNING id`, amb).Scan(&interrotta); err != nil {
		t.Fatal(err)
	}
	b.Navigate(t, a.URL+"/importazioni/"+strconv.FormatInt(interrotta, 10))
	if got := b.Text(t, `[data-testid="interrotta"]`); !strings.Contains(got, "si è fermato all'improvviso") {
		t.Errorf("interrupted import: %q", got)
	}
	checkPage(t, b, "importazioni-interrotta")
	b.Click(t, `a[data-testid="riprendi"]`)
	if got := b.Text(t, `[data-testid="riprendi"]`); !strings.Contains(got, "nuclei-interrotto.jsonl") {
		t.Errorf("upload form taking up the import: %q", got)
	}
	checkPage(t, b, "importazioni-riprendi")
}
