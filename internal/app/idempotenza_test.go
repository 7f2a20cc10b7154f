package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/httpx"
)

var reIdempotenza = regexp.MustCompile(`name="idempotenza" value="([A-Za-z0-9_-]+)"`)

// chiaveDi reads the idempotency key of the first form of the page at path.
func chiaveDi(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	m := reIdempotenza.FindStringSubmatch(get(t, c, u))
	if m == nil {
		t.Fatalf("%s: no form with an idempotency key", u)
	}
	return m[1]
}

// The same diary form sent twice (a retry of a request whose answer never
// arrived) writes one note: the repeat goes back where the first answer
// led, with the notice; two copies racing write one note too. A form that
// failed validation did not consume its key.
func TestDiarioStessaChiave(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	c := a.client(t)
	if resp, _ := a.login(t, c, "casemanager", demo.Password); resp.StatusCode != http.StatusOK {
		t.Fatal("login")
	}
	nf := noFollow(c)
	diario := a.URL + "/casi/" + caso.String() + "/diario"
	note := func() int {
		return a.count(t, `SELECT count(*) FROM diario_nota WHERE caso_id = $1`, caso)
	}
	prima := note()
	chiave := chiaveDi(t, c, diario)
	if altra := chiaveDi(t, c, diario); altra == chiave {
		t.Fatalf("two renderings of the form share the key %q", chiave)
	}
	form := url.Values{"idempotenza": {chiave}, "data_evento": {a.d.casi.Oggi().Format("2006-01-02")}, "categoria": {"ordinaria"},
		"testo": {"Colloquio con la madre: la risposta non è arrivata al browser."}}
	post := func(f url.Values) *http.Response {
		t.Helper()
		resp, err := nf.PostForm(diario, f)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		return resp
	}

	// A form with an error keeps its key unconsumed.
	vuota := url.Values{"idempotenza": {chiave}, "data_evento": form["data_evento"], "categoria": {"ordinaria"}}
	if resp := post(vuota); resp.StatusCode != http.StatusUnprocessableEntity || note() != prima {
		t.Fatalf("empty note: %d, %d notes", resp.StatusCode, note()-prima)
	}
	resp := post(form)
	if resp.StatusCode != http.StatusSeeOther || note() != prima+1 {
		t.Fatalf("first: %d, %d notes", resp.StatusCode, note()-prima)
	}
	primo := resp.Header.Get("Location")
	resp = post(form)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || note() != prima+1 {
		t.Fatalf("repeat: %d, %d notes, want 303 and one note", resp.StatusCode, note()-prima)
	}
	if loc.Path != "/casi/"+caso.String()+"/diario" || loc.Query().Get("ripetuta") != "1" || loc.Query().Get("salvata") != "1" {
		t.Errorf("repeat led to %q, want where the first led (%q) with ripetuta=1", loc, primo)
	}
	if body := get(t, c, a.URL+loc.String()); !strings.Contains(body, httpx.AvvisoRipetuta) {
		t.Errorf("the page after the repeat lacks the notice")
	}

	// Two copies of a new form racing: one note, both answered with a 303.
	form.Set("idempotenza", chiaveDi(t, c, diario))
	var wg sync.WaitGroup
	codici := make([]int, 4)
	for i := range codici {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := nf.PostForm(diario, form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codici[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	if note() != prima+2 {
		t.Errorf("4 racing copies wrote %d notes, want 1", note()-prima-1)
	}
	for _, s := range codici {
		if s != http.StatusSeeOther {
			t.Errorf("racing copies answered %v, want all 303", codici)
			break
		}
	}

	// Without a key (an old page, a script) every post writes.
	form.Del("idempotenza")
	post(form)
	if note() != prima+3 {
		t.Errorf("a post without key: %d notes", note()-prima)
	}
}

// Opening a case by hand, sent twice with the same key: one case, and the
// repeat leads to it.
func TestAperturaStessaChiave(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	nf := noFollow(c)
	form := aperturaForm(a.comune(t, "037011"), "INPS-IDEM-1")
	form.Set("idempotenza", chiaveDi(t, c, a.URL+"/casi/nuovo"))
	var locs []string
	for range 2 {
		resp, err := nf.PostForm(a.URL+"/casi", form)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("apertura: %d", resp.StatusCode)
		}
		locs = append(locs, resp.Header.Get("Location"))
	}
	if n := a.count(t, `SELECT count(*) FROM caso`); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	m := reCaso.FindStringSubmatch(locs[0])
	if m == nil || !strings.HasPrefix(locs[1], "/casi/"+m[1]+"?") || !strings.Contains(locs[1], "ripetuta=1") {
		t.Errorf("repeat led to %q, first to %q", locs[1], locs[0])
	}
}
