package incontri_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture: the demo ambito and accounts, one case of casemanager's
// (Casalecchio di Reno) in state "assegnato", and the module's real
// handler behind a router that signs requests in as a chosen principal.
type fixture struct {
	pool   *pgxpool.Pool
	svc    *incontri.Service
	casi   *casi.Service
	now    time.Time
	people map[string]authz.Principal // demo username → principal
	caso   uuid.UUID
	membri []uuid.UUID // richiedente, figlio
	srv    *httptest.Server
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	acc := accesso.NewService(pool)
	people, err := demo.Principals(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	f := &fixture{pool: pool, casi: casi.NewService(pool, reg), people: people,
		now: time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)}
	f.svc = incontri.NewService(pool, reg, f.casi)
	f.casi.ConScadenze([]casi.FonteSituazione{f.svc}, []casi.FonteAppuntamenti{f.svc})
	clock := func() time.Time { return f.now }
	f.svc.SetClock(clock)
	f.casi.SetClock(clock)
	f.caso, f.membri = f.newCaso(t, "casemanager", "Rossi", "Maria", "Luca")

	en, err := authz.New(ctx, acc.Bindings)
	if err != nil {
		t.Fatal(err)
	}
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	guard := authz.NewGuard(en, func(w http.ResponseWriter, r *http.Request, _ authz.Object, _ authz.Action) {
		rs.Error(w, r, httpx.ErrForbidden)
	})
	h := incontri.NewHandler(f.svc, rs, "https://cartella.example.it")
	r := chi.NewRouter()
	r.Get("/calendario/{token}.ics", h.Feed)
	r.Group(func(r chi.Router) {
		r.Use(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if p, ok := f.people[r.Header.Get("X-Test-Utente")]; ok {
					r = r.WithContext(authz.WithPrincipal(r.Context(), p))
				}
				next.ServeHTTP(w, r)
			})
		})
		rotte(r, h, guard)
	})
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

// newCaso opens (through casi) a nucleo (the richiedente and her children),
// its ADI domanda (PAD a month before the fixture's today; the members in
// the household since 1 January 2026) and a case assigned to the demo
// account cm in their comune.
func (f *fixture) newCaso(t *testing.T, cm, cognome string, nomi ...string) (uuid.UUID, []uuid.UUID) {
	t.Helper()
	var membri []fixtures.Membro
	for i, nome := range nomi {
		birth := time.Date(1980+i*25, time.Month(3+i), 10+i, 0, 0, 0, 0, time.UTC)
		m := fixtures.Membro{Cognome: cognome, Nome: nome, Sesso: "F", DataNascita: birth, Relazione: "richiedente"}
		if i > 0 {
			m.Sesso, m.Relazione = "M", "figlio"
		}
		membri = append(membri, m)
	}
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	pad := casi.Oggi(f.now).AddDate(0, -1, 0)
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-" + uuid.NewString()[:8], DataDomanda: pad, DataPAD: pad,
		Dal: fixtures.Data("2026-01-01"), CaseManager: f.people[cm], Membri: membri})
	return c.ID, c.Persone
}

func (f *fixture) scan(t *testing.T, sql string, dest []any, args ...any) {
	t.Helper()
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	f.scan(t, sql, []any{&n}, args...)
	return n
}

func (f *fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) stato(t *testing.T, caso uuid.UUID) string {
	t.Helper()
	var s string
	f.scan(t, `SELECT stato FROM caso WHERE id = $1`, []any{&s}, caso)
	return s
}

// do sends a request as the demo account who ("" = nobody), without
// following redirects.
func (f *fixture) do(t *testing.T, who, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Test-Utente", who)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func (f *fixture) casoPath(caso uuid.UUID, rest string) string {
	return "/casi/" + caso.String() + rest
}

// convocazione is a valid convocazione form for a meeting at the given
// Rome time.
func convocazione(at time.Time) url.Values {
	at = at.In(calendario.Roma)
	return url.Values{
		"tipo": {"primo_incontro"}, "data": {at.Format("2006-01-02")}, "ora": {at.Format("15:04")},
		"durata": {"45"}, "luogo": {"Servizio sociale, via Porrettana 360"}, "canale": {"sms"},
		"inviata_il": {"2026-10-19"},
	}
}
