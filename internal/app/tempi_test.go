package app

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
)

// tempiScalati are the server's limits scaled down for the tests (the
// production values are in tempiProduzione and docs/operations.md): an
// ordinary request has 1 s to send its body (60 s in production), an
// upload 1 s of silence at most (60 s) and 8 s in all (30 min).
var tempiScalati = tempi{
	intestazioni: time.Second,
	inattivo:     5 * time.Second,
	lettura:      time.Second,
	scrittura:    2 * time.Second,
	progresso:    time.Second,
	caricamento:  8 * time.Second,
}

// startAppTempi is startApp served with the limits t, on an http.Server
// configured as serveHTTP does.
func startAppTempi(t *testing.T, tm tempi) *testApp {
	t.Helper()
	pool := dbtest.New(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Load(config.Demo, func(k string) string {
		return map[string]string{"BASE_URL": base, "LISTEN_ADDR": ln.Addr().String(), "UPLOAD_DIR": filepath.Join(t.TempDir(), "upload"), "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := newServer(context.Background(), cfg, pool, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	d.tempi = tm
	srv := httptest.NewUnstartedServer(routes(d))
	tm.server(srv.Config)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &testApp{Server: srv, d: d}
}

// lento reads r at about rate bytes per second, in blocks of a tenth of
// a second: a throttled client.
type lento struct {
	r    io.Reader
	rate int
}

func (l *lento) Read(p []byte) (int, error) {
	p = p[:min(len(p), l.rate/10)]
	time.Sleep(100 * time.Millisecond)
	return l.r.Read(p)
}

// Finding 4 of issue 20, scaled: an upload slower than the read deadline
// of an ordinary request (and than its write deadline) goes through as
// long as bytes keep arriving, while a client that stops sending is cut
// after the silence allowed, one that keeps dribbling is cut at the
// upload's cap, and an ordinary request still has its short deadline.
// In production (tempiProduzione) the same rules let a 200 MB file
// through a 2 Mbit/s line (about 14 minutes): 60 s of silence at most,
// 30 minutes in all.
func TestCaricamentoLento(t *testing.T) {
	t.Parallel()
	tm := tempiScalati
	a := startAppTempi(t, tm)
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)

	// A file of some 600 KB (500 households) at 150 KB/s: about 4 s, four times the read
	// deadline of an ordinary request, twice its write deadline.
	data := nucleiDemo(t, 500)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "nuclei-lento.jsonl")
	fw.Write(data)
	mw.Close()
	const rate = 150 << 10
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/importazioni", &lento{r: bytes.NewReader(body.Bytes()), rate: rate})
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	noRedirect := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	start := time.Now()
	resp, err := noRedirect.Do(req)
	durata := time.Since(start)
	if err != nil {
		t.Fatalf("throttled upload of %d bytes cut after %s: %v", body.Len(), durata, err)
	}
	readBody(t, resp)
	t.Logf("throttled upload: %d KB at %d KB/s in %s (ordinary read deadline %s)", body.Len()>>10, rate>>10, durata.Round(time.Millisecond), tm.lettura)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !reImportazione.MatchString(loc) {
		t.Fatalf("throttled upload: %d to %q after %s, want the import's page", resp.StatusCode, loc, durata)
	}
	if durata < 3*tm.lettura {
		t.Fatalf("the upload took %s: too fast to prove anything", durata)
	}
	a.d.nuclei.Attendi()
	if n := a.count(t, `SELECT inseriti FROM importazione WHERE id = $1`, strings.TrimPrefix(loc, "/importazioni/")); n != 500 {
		t.Errorf("throttled upload imported %d households, want 500", n)
	}

	ck := sessionCookie(c, a.URL)
	if ck == nil {
		t.Fatal("no session cookie")
	}
	prima := a.count(t, `SELECT count(*) FROM importazione`)
	// A client that sends half of its upload, then nothing: cut once
	// tm.progresso has passed since its last byte.
	silenzio, risposta := stallo(t, a.URL, ck, "/importazioni", "multipart/form-data; boundary=XX", 4<<20,
		[]byte("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n"+strings.Repeat("x", 64<<10)), 0)
	t.Logf("stalled upload: cut %s after its last byte (%s)", silenzio.Round(time.Millisecond), risposta)
	if silenzio < tm.progresso-100*time.Millisecond || silenzio > tm.progresso+2*time.Second {
		t.Errorf("stalled upload cut %s after its last byte, want about %s", silenzio, tm.progresso)
	}
	// A client that keeps dribbling a few bytes: cut at the upload's cap.
	inTutto, risposta := stallo(t, a.URL, ck, "/importazioni", "multipart/form-data; boundary=XX", 4<<20,
		[]byte("--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jsonl\"\r\n\r\n"), 300*time.Millisecond)
	t.Logf("dribbling upload: cut after %s in all (%s)", inTutto.Round(time.Millisecond), risposta)
	if inTutto < tm.caricamento-time.Second || inTutto > tm.caricamento+3*time.Second {
		t.Errorf("dribbling upload cut after %s, want about %s", inTutto, tm.caricamento)
	}
	// An ordinary form keeps the short deadline, dribbling or not.
	ordinario, risposta := stallo(t, a.URL, ck, "/logout", "application/x-www-form-urlencoded", 1<<20, []byte("a=b"), 300*time.Millisecond)
	t.Logf("dribbling ordinary form: cut after %s (%s)", ordinario.Round(time.Millisecond), risposta)
	if ordinario > tm.lettura+2*time.Second {
		t.Errorf("an ordinary request dribbling its body was cut after %s, want about %s", ordinario, tm.lettura)
	}
	if n := a.count(t, `SELECT count(*) FROM importazione`); n != prima {
		t.Errorf("%d imports started by the cut uploads", n-prima)
	}
	// The cut uploads left no file behind.
	files, _ := filepath.Glob(filepath.Join(a.d.deposito.Dir(), "cartella-nuclei-*"))
	if len(files) > 0 {
		t.Errorf("uploads cut left their files: %v", files)
	}
}

// stallo sends a POST to path declaring size bytes, sends primo, then
// either nothing (ogni 0: it measures the time from its last byte) or one
// byte every ogni (it measures the time from the start), until the server
// answers or closes the connection; it returns that time and the status
// line, if any.
func stallo(t *testing.T, base string, ck *http.Cookie, path, ctype string, size int, primo []byte, ogni time.Duration) (time.Duration, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		path, strings.TrimPrefix(base, "http://"), ck.Name, ck.Value, ctype, size)
	if _, err := conn.Write(primo); err != nil {
		t.Fatal(err)
	}
	ultimo := time.Now()
	letto := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			line = "connessione chiusa: " + err.Error()
		}
		letto <- strings.TrimSpace(line)
	}()
	if ogni == 0 {
		select {
		case l := <-letto:
			return time.Since(ultimo), l
		case <-time.After(30 * time.Second):
			t.Fatal("a stalled client is never cut")
		}
	}
	tick := time.NewTicker(ogni)
	defer tick.Stop()
	basta := time.After(60 * time.Second)
	for {
		select {
		case l := <-letto:
			return time.Since(start), l
		case <-tick.C:
			_, _ = conn.Write([]byte("y"))
		case <-basta:
			t.Fatal("a dribbling client is never cut")
		}
	}
}
