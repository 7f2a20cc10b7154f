package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/session"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T, secure bool) (*session.Manager, *clock, uuid.UUID, *pgxpool.Pool) {
	t.Helper()
	pool := dbtest.New(t)
	id := fixtures.New(t, pool).Operatore("Mario", "Rossi").OperatoreID
	c := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	m := session.NewManager(pool, 30*time.Minute, 8*time.Hour, secure)
	m.SetClock(c.now)
	return m, c, id, pool
}

// create returns a request carrying the new session's cookie.
func create(t *testing.T, m *session.Manager, id uuid.UUID) *http.Request {
	t.Helper()
	w := httptest.NewRecorder()
	if err := m.Create(context.Background(), w, id, nil, "idtoken"); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	return r
}

func load(t *testing.T, m *session.Manager, r *http.Request) bool {
	t.Helper()
	_, ok, err := m.Load(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// 30 minutes without requests end the session; activity keeps it alive.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	m, c, id, _ := setup(t, false)
	r := create(t, m, id)
	c.t = c.t.Add(29 * time.Minute)
	if !load(t, m, r) {
		t.Fatal("session ended before 30 idle minutes")
	}
	c.t = c.t.Add(29 * time.Minute) // 58 minutes after login, 29 after the last request
	if !load(t, m, r) {
		t.Fatal("activity did not extend the session")
	}
	c.t = c.t.Add(30 * time.Minute)
	if load(t, m, r) {
		t.Fatal("session alive after 30 idle minutes")
	}
	c.t = c.t.Add(-30 * time.Minute) // even back in time, it is gone for good
	if load(t, m, r) {
		t.Fatal("an expired session came back")
	}
}

// 8 hours after login the session ends, however active the operator is.
func TestAbsoluteTimeout(t *testing.T) {
	t.Parallel()
	m, c, id, _ := setup(t, false)
	r := create(t, m, id)
	for i := 0; i < 7*4+3; i++ { // a request every 15 minutes for 7h45m
		c.t = c.t.Add(15 * time.Minute)
		if !load(t, m, r) {
			t.Fatalf("session ended after %v of activity", time.Duration(i+1)*15*time.Minute)
		}
	}
	c.t = c.t.Add(15 * time.Minute) // 8h after login
	if load(t, m, r) {
		t.Fatal("session alive 8 hours after login")
	}
}

func TestDestroyAndCookie(t *testing.T) {
	t.Parallel()
	m, _, id, pool := setup(t, true)
	w := httptest.NewRecorder()
	if err := m.Create(context.Background(), w, id, nil, ""); err != nil {
		t.Fatal(err)
	}
	sc := w.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-cartella_sessione=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("secure cookie %q lacks %s", sc, want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range w.Result().Cookies() {
		r.AddCookie(c)
	}
	if !load(t, m, r) {
		t.Fatal("no session")
	}
	w = httptest.NewRecorder()
	if err := m.Destroy(context.Background(), w, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Header().Get("Set-Cookie"), "Max-Age=0") {
		t.Error("logout must clear the cookie")
	}
	if load(t, m, r) {
		t.Fatal("session alive after Destroy")
	}
	var n int
	_ = pool.QueryRow(context.Background(), `SELECT count(*) FROM sessione`).Scan(&n)
	if n != 0 {
		t.Errorf("%d rows after Destroy", n)
	}
}

// A login in progress can be finished once, within ten minutes.
func TestLoginInProgress(t *testing.T) {
	t.Parallel()
	m, c, _, _ := setup(t, false)
	start := func() *http.Request {
		w := httptest.NewRecorder()
		if err := m.StartLogin(context.Background(), w, session.Login{State: "s", Nonce: "n", Verifier: "v", ReturnTo: "/casi"}); err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/auth/callback", nil)
		for _, ck := range w.Result().Cookies() {
			r.AddCookie(ck)
		}
		return r
	}
	r := start()
	l, err := m.FinishLogin(context.Background(), httptest.NewRecorder(), r)
	if err != nil || l.State != "s" || l.Nonce != "n" || l.Verifier != "v" || l.ReturnTo != "/casi" {
		t.Fatalf("FinishLogin = %+v, %v", l, err)
	}
	if _, err := m.FinishLogin(context.Background(), httptest.NewRecorder(), r); err != session.ErrNoLogin {
		t.Fatalf("second FinishLogin = %v, want ErrNoLogin", err)
	}
	r = start()
	c.t = c.t.Add(11 * time.Minute)
	if _, err := m.FinishLogin(context.Background(), httptest.NewRecorder(), r); err != session.ErrNoLogin {
		t.Fatalf("expired login = %v, want ErrNoLogin", err)
	}
}

func TestCleanup(t *testing.T) {
	t.Parallel()
	m, c, id, _ := setup(t, false)
	create(t, m, id)
	live := create(t, m, id)
	c.t = c.t.Add(20 * time.Minute)
	load(t, m, live)
	c.t = c.t.Add(15 * time.Minute) // first idle 35 min, second 15
	n, err := m.Cleanup(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("Cleanup = %d, %v; want 1", n, err)
	}
	if !load(t, m, live) {
		t.Error("Cleanup removed a live session")
	}
}

// With a short idle timeout (SESSION_IDLE_TIMEOUT=1m) a user clicking
// every 20 seconds stays signed in; one who stops for a minute does not.
func TestIdleTimeoutBreve(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	id := fixtures.New(t, pool).Operatore("Mario", "Rossi").OperatoreID
	c := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	m := session.NewManager(pool, time.Minute, 8*time.Hour, false)
	m.SetClock(c.now)
	r := create(t, m, id)
	for i := range 15 { // five minutes of clicks
		c.t = c.t.Add(20 * time.Second)
		if !load(t, m, r) {
			t.Fatalf("signed out after %d clicks 20 s apart with a 1-minute idle timeout", i+1)
		}
	}
	c.t = c.t.Add(61 * time.Second)
	if load(t, m, r) {
		t.Error("the session survived more than the idle timeout without requests")
	}
}

// Signing in again in the same browser ends the session it held.
func TestNuovoLoginRevocaIlPrecedente(t *testing.T) {
	t.Parallel()
	m, _, id, _ := setup(t, false)
	vecchia := create(t, m, id)
	if err := m.RevocaPrecedente(context.Background(), vecchia); err != nil {
		t.Fatal(err)
	}
	if load(t, m, vecchia) {
		t.Error("the previous session is still valid after a new login")
	}
	if err := m.RevocaPrecedente(context.Background(), httptest.NewRequest("GET", "/", nil)); err != nil {
		t.Errorf("no previous session: %v", err)
	}
}
