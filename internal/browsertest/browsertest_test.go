package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

const head = `<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Prova</title><link rel="icon" href="data:,"></head><body><main>`

func server(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, head+body+`</main></body></html>`)
		})
	}
	page("GET /{$}", `<h1>Modulo</h1>
		<form method="post" action="/saluto">
		<label for="nome">Nome</label> <input id="nome" name="nome" value="vecchio">
		<button type="submit" id="invia">Invia</button></form>
		<button type="button" id="toggle" onclick="document.getElementById('stato').textContent='acceso'">Accendi</button>
		<p id="stato">spento</p>`)
	mux.HandleFunc("POST /saluto", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond) // a slow server must not race Click
		fmt.Fprint(w, head+`<h1>Risultato</h1><p id="msg">Ciao, `+html.EscapeString(r.FormValue("nome"))+`</p><a href="/" id="indietro">Indietro</a></main></body></html>`)
	})
	page("GET /bad", `<h1>Cattiva</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="logo"><input id="senza" type="text">`)
	page("GET /console", `<h1>Console</h1><img src="/missing.png" alt=""><script>console.error("x")</script>`)
	mux.HandleFunc("GET /csp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src data:")
		fmt.Fprint(w, head+`<h1>CSP</h1><p id="p">bloccato</p><script>document.getElementById("p").textContent = "eseguito"</script></main></body></html>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestJourney(t *testing.T) {
	srv := server(t)
	b := Start(t)

	b.Navigate(t, srv.URL+"/")
	if b.Exists(t, "#msg") {
		t.Error("#msg exists before the submit")
	}
	b.Click(t, "#toggle") // no navigation: returns after the grace pause
	if got := b.Text(t, "#stato"); got != "acceso" {
		t.Errorf("after the toggle: %q, want %q", got, "acceso")
	}
	b.Fill(t, "#nome", "Mario Rossi")
	b.Click(t, "#invia")
	if got := b.URL(t); got != srv.URL+"/saluto" {
		t.Errorf("URL after the submit: %q", got)
	}
	if !b.Exists(t, "#msg") {
		t.Error("#msg does not exist right after the submit")
	}
	if got := b.Text(t, "#msg"); got != "Ciao, Mario Rossi" {
		t.Errorf("result: %q, want %q (Fill must clear the old value)", got, "Ciao, Mario Rossi")
	}

	b.Click(t, "#indietro") // a link: Click waits for the new document
	if !b.Exists(t, "#nome") {
		t.Error("#nome does not exist right after following the link")
	}

	shot := filepath.Join(t.TempDir(), "page.png")
	b.Screenshot(t, shot)
	if png, err := os.ReadFile(shot); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot is not a PNG: %v", err)
	}
	if errs := b.ConsoleErrors(); len(errs) != 0 {
		t.Errorf("console errors on clean pages: %q", errs)
	}
}

// recorder is a testing.TB that keeps the calls of Errorf and Fatalf.
type recorder struct {
	testing.TB
	errors, fatals []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// inGoroutine runs f on its own goroutine, so that recorder.Fatalf ends only f.
func inGoroutine(f func()) {
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	<-done
}

func TestCheckAccessibility(t *testing.T) {
	srv := server(t)
	b := Start(t)

	b.Navigate(t, srv.URL+"/")
	clean := &recorder{TB: t}
	b.CheckAccessibility(clean)
	if len(clean.errors) != 0 {
		t.Errorf("clean page reported: %q", clean.errors)
	}

	b.Navigate(t, srv.URL+"/bad")
	bad := &recorder{TB: t}
	b.CheckAccessibility(bad)
	if len(bad.errors) != 1 {
		t.Fatalf("planted violations: got %d Errorf calls, want 1: %q", len(bad.errors), bad.errors)
	}
	for _, want := range []string{"image-alt (critical", "label (critical", `#logo: <img src=`, `#senza: <input id="senza"`} {
		if !strings.Contains(bad.errors[0], want) {
			t.Errorf("report lacks %q:\n%s", want, bad.errors[0])
		}
	}
}

func TestConsoleErrors(t *testing.T) {
	srv := server(t)
	b := Start(t)

	b.Navigate(t, srv.URL+"/console")
	errs := strings.Join(b.ConsoleErrors(), "\n")
	if !strings.Contains(errs, "console.error: x") {
		t.Errorf("console.error missing:\n%s", errs)
	}
	if !strings.Contains(errs, "404") {
		t.Errorf("404 of the image missing:\n%s", errs)
	}
	if again := b.ConsoleErrors(); len(again) != 0 {
		t.Errorf("ConsoleErrors did not drain: %q", again)
	}

	b.Navigate(t, srv.URL+"/csp")
	if got := b.Text(t, "#p"); got != "bloccato" {
		t.Errorf("the inline script ran despite the CSP: %q", got)
	}
	errs = strings.Join(b.ConsoleErrors(), "\n")
	if !strings.Contains(errs, "inline script violates the following Content Security Policy") {
		t.Errorf("CSP violation missing:\n%s", errs)
	}
}

func TestFailure(t *testing.T) {
	srv := server(t)
	b := Start(t)
	b.Navigate(t, srv.URL+"/")

	b.Timeout = 500 * time.Millisecond
	r := &recorder{TB: t}
	start := time.Now()
	inGoroutine(func() { b.Text(r, "#assente") })
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("failure took %v with a timeout of 500ms", d)
	}
	if len(r.fatals) != 1 {
		t.Fatalf("got %d Fatalf calls, want 1", len(r.fatals))
	}
	msg := r.fatals[0]
	if !strings.Contains(msg, `read the text of "#assente" on `+srv.URL+"/: timed out after 500ms") {
		t.Errorf("message: %s", msg)
	}
	m := regexp.MustCompile(`screenshot: (\S+browsertest-TestFailure-\d+\.png)`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("no screenshot path in: %s", msg)
	}
	if _, err := os.Stat(m[1]); err != nil {
		t.Error(err)
	}
	os.Remove(m[1])
}
