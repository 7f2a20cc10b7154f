package app

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/demo"
)

// Absurd page numbers typed in the address never cost a 500 (the offset
// no longer overflows), and no answer carrying data may be cached: every
// response is no-store unless it is a content-hashed static asset.
func TestPagineAssurdeENoStore(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	const enorme = "99999999999999999999"
	for _, c := range []struct{ utente, percorso string }{
		{"casemanager", "/casi?pagina=" + enorme},
		{"casemanager", "/casi?pagina=9223372036854775807"},
		{"coordinatore", "/importazioni?pagina=" + enorme},
		{"coordinatore", "/importazioni?pagina=9223372036854775807"},
		{"coordinatore", "/segnalazioni?pagina=9223372036854775807"},
		{"coordcontrolli", "/controlli?pagina=9223372036854775807"},
		{"coordcontrolli", "/controlli/campioni?pagina=9223372036854775807"},
		{"gestorerete", "/rete/servizi?pagina=9223372036854775807"},
		{"operatoreente", "/invii?pagina=9223372036854775807"},
		{"amministratore", "/admin/registro?pagina=9223372036854775807"},
		{"amministratore", "/admin/operatori?pagina=9223372036854775807"},
		{"ministero", "/admin/ambiti?pagina=9223372036854775807"},
	} {
		cl := a.client(t)
		if resp, _ := a.login(t, cl, c.utente, demo.Password); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: login %d", c.utente, resp.StatusCode)
		}
		resp, err := cl.Get(a.URL + c.percorso)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s: %d", c.utente, c.percorso, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", c.utente, c.percorso, cc)
		}
	}
	resp, err := http.Get(a.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("/healthz: Cache-Control %q", cc)
	}
}

// The NUL character and bytes that are not UTF-8 never cost a 500 nor what
// was typed (PostgreSQL refuses them in text): in a query filter or a path
// they get a 400 page in Italian; in a form (the probe's diario note among
// them) a 422 page that shows the fields which had them again without
// them, the message next to each, the rest of the form kept, to send
// again; sent again, the note is saved once, as corrected.
func TestTestoNonValido(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	diario := "/casi/" + caso.String() + "/diario"
	oggi := time.Now().Format("2006-01-02")
	for _, c := range []struct {
		utente, metodo, percorso, corpo string
		stato                           int
		campo, ripulito                 string // the field shown again and its cleaned text
	}{
		{"casemanager", "POST", diario, "categoria=ordinaria&data_evento=" + oggi + "&testo=a%00b", 422, "testo", "ab"},
		{"casemanager", "POST", diario, "categoria=ordinaria&data_evento=" + oggi + "&testo=perch%e9", 422, "testo", "perch\uFFFD"},
		{"casemanager", "GET", "/casi?q=%00", "", 400, "", ""},
		{"casemanager", "GET", "/casi?q=%C3%28", "", 400, "", ""},
		{"coordcontrolli", "POST", "/controlli/nuova", "id_richiesta=X&cognome=Ros%00si", 422, "cognome", "Rossi"},
		{"coordcontrolli", "GET", "/controlli?q=%ff", "", 400, "", ""},
		{"gestorerete", "GET", "/rete/servizi?q=%00", "", 400, "", ""},
		// In the path: the crawl found these as 500s (the idempotency key
		// is stored with the path).
		{"casemanager", "POST", "/casi/%00/diario", "categoria=ordinaria&testo=ab&idempotenza=0123456789abcdef0123456789abcdef", 400, "", ""},
		{"gestorerete", "GET", "/rete/enti/%ff", "", 400, "", ""},
	} {
		cl := a.client(t)
		if c.utente != "" {
			if resp, _ := a.login(t, cl, c.utente, demo.Password); resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: login %d", c.utente, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest(c.metodo, a.URL+c.percorso, strings.NewReader(c.corpo))
		if c.metodo == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", a.URL)
		}
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != c.stato || !strings.Contains(body, "caratteri non validi") {
			t.Errorf("%s %s %q: %d, want %d", c.metodo, c.percorso, c.corpo, resp.StatusCode, c.stato)
			continue
		}
		if c.campo == "" {
			continue
		}
		// The page: the field again, cleaned, with its message next to
		// it; the other fields kept.
		m := reForm.FindStringSubmatch(body[strings.Index(body, `data-testid="testo-da-correggere"`)-200:])
		if m == nil {
			t.Fatalf("%s: no form to send again:\n%s", c.percorso, body)
		}
		campi := url.Values{}
		for _, x := range regexp.MustCompile(`<input\b([^>]*)>`).FindAllStringSubmatch(m[2], -1) {
			at := attrs(x[1])
			campi.Add(at["name"], at["value"])
		}
		for _, x := range regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`).FindAllStringSubmatch(m[2], -1) {
			at := attrs(x[1])
			if at["name"] == c.campo && at["aria-invalid"] != "true" {
				t.Errorf("%s: field %s not marked invalid", c.percorso, c.campo)
			}
			campi.Add(at["name"], html.UnescapeString(x[2]))
		}
		if got := campi.Get(c.campo); got != c.ripulito {
			t.Errorf("%s: field %s shown again as %q, want %q", c.percorso, c.campo, got, c.ripulito)
		}
		if !strings.Contains(body, "Conteneva caratteri non validi") {
			t.Errorf("%s: no message next to the field", c.percorso)
		}
		orig, _ := url.ParseQuery(strings.NewReplacer("%00", "", "%e9", "", "%ff", "").Replace(c.corpo))
		for k := range orig {
			if k != c.campo && campi.Get(k) != orig.Get(k) {
				t.Errorf("%s: field %s not kept: %q, sent %q", c.percorso, k, campi.Get(k), orig.Get(k))
			}
		}
		if c.percorso != diario || c.ripulito != "ab" {
			continue
		}
		prima := a.count(t, `SELECT count(*) FROM diario_nota WHERE caso_id = $1`, caso)
		req, _ = http.NewRequest("POST", a.URL+attrs(m[1])["action"],
			strings.NewReader(campi.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", a.URL)
		resp, err = cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode >= 400 {
			t.Errorf("sent again: %d", resp.StatusCode)
		}
		if n := a.count(t, `SELECT count(*) FROM diario_nota WHERE caso_id = $1 AND testo = 'ab'`, caso); n != 1 || a.count(t, `SELECT count(*) FROM diario_nota WHERE caso_id = $1`, caso) != prima+1 {
			t.Errorf("sent again: %d notes 'ab', want 1", n)
		}
	}
}

// A revisione beyond any number (the probe's revisione=99999999999999999999)
// on the analisi draft is a conflict that keeps what was typed, not a 500.
func TestRevisioneAssurda(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	cl := a.client(t)
	if resp, _ := a.login(t, cl, "casemanager", demo.Password); resp.StatusCode != http.StatusOK {
		t.Fatal("login")
	}
	const testo = "Testo scritto dal case manager da non perdere"
	req, _ := http.NewRequest("POST", a.URL+"/casi/"+caso.String()+"/analisi-preliminare",
		strings.NewReader("revisione=99999999999999999999&sintesi="+strings.ReplaceAll(testo, " ", "+")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.URL)
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode >= 500 {
		t.Fatalf("revisione overflow: %d", resp.StatusCode)
	}
	if resp.StatusCode == http.StatusConflict && !strings.Contains(body, testo) {
		t.Errorf("the conflict page lost what was typed")
	}
}

// Analisi fields took over 100,000 characters (issue 20, finding 5): an
// over-long field is refused with 422, its limit next to it, nothing
// saved, and everything typed shown again.
func TestAnalisiTestoTroppoLungo(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	cl := a.client(t)
	if resp, _ := a.login(t, cl, "casemanager", demo.Password); resp.StatusCode != http.StatusOK {
		t.Fatal("login")
	}
	base := a.URL + "/casi/" + caso.String() + "/analisi-preliminare"
	post := func(u, corpo string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", u, strings.NewReader(corpo))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", a.URL)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readBody(t, resp)
	}
	if resp, _ := post(base+"/inizia", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("inizia: %d", resp.StatusCode)
	}
	const tenuto = "Risorse scritte dal case manager da non perdere"
	lungo := strings.Repeat("è", 100_000)
	resp, body := post(base, url.Values{"revisione": {"1"}, "n-note": {lungo}, "n-risorse": {tenuto}}.Encode())
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("100,000 characters in n-note: %d, want 422", resp.StatusCode)
	}
	if !strings.Contains(body, "Al massimo 20000 caratteri: ne hai scritti 100000.") || !strings.Contains(body, tenuto) ||
		!strings.Contains(body, `maxlength="20000"`) {
		t.Errorf("the page does not show the limit next to the field and what was typed")
	}
	if n := a.count(t, `SELECT count(*) FROM scheda WHERE caso_id = $1 AND contenuto::text LIKE '%' || $2 || '%'`, caso, tenuto); n != 0 {
		t.Errorf("the refused draft was saved")
	}
}
