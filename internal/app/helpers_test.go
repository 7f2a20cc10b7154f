package app

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/dbtest"
)

func TestMain(m *testing.M) {
	// The test binary as the cartella binary, for the tests that kill it
	// (ripresa_test.go): the arguments in CARTELLA_TEST_COMANDO, split by \x1f.
	if c := os.Getenv("CARTELLA_TEST_COMANDO"); c != "" {
		args := append([]string{"cartella"}, strings.Split(c, "\x1f")...)
		if err := Run(context.Background(), args, os.Getenv, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "cartella:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// The registro's key for every test of the package, and for the
	// cartella processes they start (which inherit the environment).
	dir, err := os.MkdirTemp("", "cartella-chiave-")
	if err != nil {
		panic(err)
	}
	chiaveTest = filepath.Join(dir, "registro.chiave")
	if err := os.WriteFile(chiaveTest, []byte(hex.EncodeToString([]byte("cartella: chiave di prova del registro, mai in produzione"))), 0o600); err != nil {
		panic(err)
	}
	os.Setenv("REGISTRO_CHIAVE_FILE", chiaveTest)
	defer os.RemoveAll(dir)
	dbtest.Main(m)
}

// chiaveTest is the file of the registro's key (registro.ChiaveDiProva).
var chiaveTest string

// testApp is the real application (demo mode, demo provider, demo data) on
// a fresh database, served on a loopback port.
type testApp struct {
	*httptest.Server
	d *deps
}

func startApp(t *testing.T) *testApp {
	t.Helper()
	return startAppLog(t, nil)
}

// startAppLog is startApp with the application log written to logw.
func startAppLog(t *testing.T, logw io.Writer) *testApp {
	t.Helper()
	return startAppPool(t, dbtest.New(t), logw)
}

// startAppPool is startAppLog on the given pool (a test that traces its
// statements builds its own, statementi_test.go).
func startAppPool(t *testing.T, pool *pgxpool.Pool, logw io.Writer) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Load(config.Demo, func(k string) string {
		return map[string]string{"BASE_URL": base, "LISTEN_ADDR": ln.Addr().String(), "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if logw != nil {
		log = slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: slog.LevelDebug}))
	} else if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(tWriter{t}, nil))
	}
	d, err := newServer(context.Background(), cfg, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(routes(d))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &testApp{Server: srv, d: d}
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// client is a browser-like HTTP client: cookies, redirects followed.
func (a *testApp) client(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

var (
	reHiddenID = regexp.MustCompile(`name="id" value="([^"]+)"`)
	reAction   = regexp.MustCompile(`<form method="post" action="(/demo-idp/[^"]+)"`)
)

// login goes through the whole OpenID Connect flow with the demo provider:
// /login → provider's login form → credentials → callback → final page.
func (a *testApp) login(t *testing.T, c *http.Client, username, password string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(a.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/demo-idp/login") {
		t.Fatalf("GET /login ended at %s with %d, want the provider's login form", resp.Request.URL, resp.StatusCode)
	}
	id := reHiddenID.FindStringSubmatch(body)
	action := reAction.FindStringSubmatch(body)
	if id == nil || action == nil {
		t.Fatalf("login form without id or action:\n%s", body)
	}
	resp, err = c.PostForm(a.URL+action[1], url.Values{"id": {id[1]}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (a *testApp) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := a.d.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (a *testApp) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := a.d.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// analizza updates the planner's statistics of every table, as the
// owner (ANALYZE by the application's role skips the tables it does not
// own): for the measurements after a bulk load.
func (a *testApp) analizza(t *testing.T) {
	t.Helper()
	if _, err := dbtest.Proprietario(t, a.d.pool).Exec(context.Background(), `ANALYZE`); err != nil {
		t.Fatal(err)
	}
}

func sessionCookie(c *http.Client, base string) *http.Cookie {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "cartella_sessione" {
			return ck
		}
	}
	return nil
}

var reRuolo = regexp.MustCompile(`for="ruolo-(\d+)">([^<]+)</label>`)
