package quadro_test

import (
	"context"
	"errors"
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
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture: the demo accounts and one case of casemanager's in "QdA in
// corso", whose nucleo is Bianchi Laura (40, richiedente) and her son
// Bianchi Luca (10); the handler behind a router that signs requests in as
// the demo account named in the X-Test-Utente header.
type fixture struct {
	pool        *pgxpool.Pool
	svc         *quadro.Service
	people      map[string]authz.Principal
	caso        uuid.UUID
	laura, luca uuid.UUID
	srv         *httptest.Server
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
	cs := casi.NewService(pool, reg)
	f := &fixture{pool: pool, svc: quadro.NewService(pool, reg, cs), people: people}
	clock := func() time.Time { return time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma) }
	f.svc.SetClock(clock)
	cs.SetClock(clock)
	cm := f.people["casemanager"]
	fx := fixtures.New(t, pool)
	fx.Casi = cs
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-QDA-1", DataDomanda: fixtures.Data("2026-09-01"), DataPAD: fixtures.Data("2026-09-05"),
		CaseManager: cm, Stato: casi.QdAInCorso, Membri: []fixtures.Membro{
			fixtures.Componente("BNCLRA86A41A944X", "Bianchi", "Laura", "F", "1986-01-01", "richiedente"),
			fixtures.Componente("BNCLCU16A01A944X", "Bianchi", "Luca", "M", "2016-01-01", "figlio"),
		}})
	f.caso, f.laura, f.luca = c.ID, c.Persone[0], c.Persone[1]
	en, err := authz.New(ctx, acc.Bindings)
	if err != nil {
		t.Fatal(err)
	}
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	guard := authz.NewGuard(en, func(w http.ResponseWriter, r *http.Request, _ authz.Object, _ authz.Action) {
		rs.Error(w, r, httpx.ErrForbidden)
	})
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p, ok := f.people[r.Header.Get("X-Test-Utente")]; ok {
				r = r.WithContext(authz.WithPrincipal(r.Context(), p))
			}
			next.ServeHTTP(w, r)
		})
	})
	rotte(r, quadro.NewHandler(f.svc, rs), guard)
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) stato(t *testing.T) string {
	t.Helper()
	var s string
	if err := f.pool.QueryRow(context.Background(), `SELECT stato FROM caso WHERE id = $1`, f.caso).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// post sends a form as user, without following the redirect.
func (f *fixture) post(t *testing.T, user, path string, form url.Values) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Test-Utente", user)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func (f *fixture) get(t *testing.T, user, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("X-Test-Utente", user)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The case manager starts the quadro (only once the case reached it),
// saves a draft, is told what is missing to finalise with what was typed
// kept, finalises (the case goes to progettazione, the priorities are
// offered to the patto), reopens into version 2 while version 1 stays as it
// was, and compares them.
func TestQuadroCompleto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	v := registro.Voce{}

	// Not before the esito C of the analisi preliminare.
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'in_valutazione' WHERE id = $1`, f.caso); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apri(ctx, cm, f.caso, v); !errors.Is(err, quadro.ErrNonAttivato) {
		t.Fatalf("opened before qda_in_corso: %v", err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'qda_in_corso' WHERE id = $1`, f.caso); err != nil {
		t.Fatal(err)
	}
	base := "/casi/" + f.caso.String() + "/quadro-di-analisi"
	if st, loc, _ := f.post(t, "casemanager", base+"/inizia", nil); st != http.StatusSeeOther || loc != base+"?esito=iniziata" {
		t.Fatalf("start: %d %q", st, loc)
	}
	sc, err := f.svc.Corrente(ctx, cm, f.caso, v)
	if err != nil || sc.Versione == nil || len(sc.Versione.Contenuto.Persone) != 2 || sc.Versione.Contenuto.Persone[0].Nome != "Laura" {
		t.Fatalf("new draft: %+v %v", sc.Versione, err)
	}
	st, page := f.get(t, "casemanager", base)
	// The minor's block is offered for Luca (10), not for Laura; work for
	// Laura, not for Luca.
	if st != 200 || !strings.Contains(page, `name="p-`+f.luca.String()+`-sviluppo_minore-bisogno"`) ||
		strings.Contains(page, `name="p-`+f.luca.String()+`-lavoro-bisogno"`) || !strings.Contains(page, `name="p-`+f.laura.String()+`-lavoro-bisogno"`) ||
		strings.Contains(page, `name="p-`+f.laura.String()+`-sviluppo_minore-bisogno"`) || !strings.Contains(page, `name="f-economica-bisogno"`) {
		t.Fatalf("form: %d", st)
	}

	// A priority without need level and no sintesi: not finalised, input kept.
	form := url.Values{"revisione": {"1"},
		"f-economica-presente": {"1"}, "f-economica-priorita": {"1"}, "f-economica-risorse": {"Lavoretti saltuari della madre"},
		"p-" + f.luca.String() + "-sviluppo_minore-presente": {"1"}, "p-" + f.luca.String() + "-sviluppo_minore-bisogno": {"moderato"},
	}
	st, _, page = f.post(t, "casemanager", base+"/finalizza", form)
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Situazione economica: è prioritaria, indica il livello di bisogno.") ||
		!strings.Contains(page, "Scrivi la sintesi del quadro di analisi.") || !strings.Contains(page, "Lavoretti saltuari della madre</textarea>") {
		t.Fatalf("finalise with errors: %d", st)
	}
	if f.stato(t) != "qda_in_corso" {
		t.Error("the case moved on a refused finalisation")
	}
	// Save the draft as it is (nothing required), then finalise completed.
	if st, _, _ := f.post(t, "casemanager", base, form); st != http.StatusSeeOther {
		t.Fatalf("save draft: %d", st)
	}
	form.Set("revisione", "2")
	form.Set("f-economica-bisogno", "grave")
	form.Set("f-economica-fonte", "famiglia")
	form.Set("p-"+f.luca.String()+"-sviluppo_minore-priorita", "1")
	form.Set("sintesi", "Difficoltà economiche gravi; Luca fatica a scuola.")
	if st, loc, _ := f.post(t, "casemanager", base+"/finalizza", form); st != http.StatusSeeOther || loc != base+"?esito=finalizzata" {
		t.Fatalf("finalise: %d %q", st, loc)
	}
	if f.stato(t) != "progettazione" {
		t.Errorf("case state after the quadro: %s", f.stato(t))
	}
	pr, err := f.svc.Priorita(ctx, f.caso)
	if err != nil || len(pr) != 2 || pr[0].Etichetta != "Situazione economica" || pr[0].Bisogno != "Grave o critico" || pr[0].Persona != "" ||
		pr[1].Persona != "Bianchi Luca" || pr[1].Dimensione != "sviluppo_minore" || pr[1].Bisogno != "Moderato" {
		t.Errorf("priorities for the patto: %+v %v", pr, err)
	}
	if st, page := f.get(t, "casemanager", base); st != 200 || !strings.Contains(page, "Difficoltà economiche gravi") || strings.Contains(page, `data-testid="modulo"`) {
		t.Errorf("finalised page: %d", st)
	}

	// Reopen: motivo required, then version 2; version 1 unchanged.
	if st, _, page := f.post(t, "casemanager", base+"/riapri", url.Values{"motivo": {" "}}); st != http.StatusUnprocessableEntity || !strings.Contains(page, "Indica il motivo della riapertura.") {
		t.Errorf("reopen without motivo: %d", st)
	}
	if st, _, _ := f.post(t, "casemanager", base+"/riapri", url.Values{"motivo": {"Nuova relazione della scuola"}}); st != http.StatusSeeOther {
		t.Fatalf("reopen: %d", st)
	}
	form.Set("revisione", "1")
	form.Set("p-"+f.luca.String()+"-sviluppo_minore-bisogno", "lieve")
	if st, _, _ := f.post(t, "casemanager", base, form); st != http.StatusSeeOther {
		t.Fatalf("save version 2: %d", st)
	}
	v1, err := f.svc.Leggi(ctx, cm, f.caso, 1, v)
	if err != nil || !v1.Versione.Definitiva() || v1.Versione.Contenuto.Persone[1].Dimensioni["sviluppo_minore"].Bisogno != "moderato" {
		t.Errorf("version 1 after reopening: %+v %v", v1.Versione, err)
	}
	st, page = f.get(t, "casemanager", base+"/versioni/2/confronto?con=1")
	if st != 200 || !strings.Contains(page, "Bianchi Luca — Sviluppo, frequenza scolastica e relazioni del minore — Livello di bisogno") ||
		!strings.Contains(page, "Moderato") || !strings.Contains(page, "Lieve") {
		t.Errorf("comparison: %d", st)
	}
	for _, missing := range []string{"/versioni/9", "/versioni/x", "/versioni/9/confronto", "/versioni/1/confronto"} {
		if st, _ := f.get(t, "casemanager", base+missing); st != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", missing, st)
		}
	}
	if st, page := f.get(t, "casemanager", base+"/stampa?versione=1"); st != 200 || !strings.Contains(page, "Firma del case manager") || !strings.Contains(page, "Grave o critico") {
		t.Errorf("print view: %d", st)
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'quadro_analisi' AND azione = 'scrittura'`, f.caso.String()).Scan(&n); err != nil || n != 5 {
		t.Errorf("%d writes recorded, want 5 (start, save, finalise, reopen, save)", n)
	}
}

// Two people save the same draft: the second gets the conflict page with
// what the first changed and their own input; nothing is overwritten.
func TestQuadroConflitto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.svc.Apri(ctx, f.people["casemanager"], f.caso, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	base := "/casi/" + f.caso.String() + "/quadro-di-analisi"
	first := url.Values{"revisione": {"1"}, "f-abitativa-presente": {"1"}, "f-abitativa-bisogno": {"grave"}, "sintesi": {"Sfratto esecutivo"}}
	if st, _, _ := f.post(t, "casemanager", base, first); st != http.StatusSeeOther {
		t.Fatalf("first save: %d", st)
	}
	second := url.Values{"revisione": {"1"}, "f-abitativa-presente": {"1"}, "f-abitativa-bisogno": {"lieve"}, "sintesi": {"Casa in affitto regolare"}}
	st, _, page := f.post(t, "casemanager", base, second)
	if st != http.StatusConflict || !strings.Contains(page, "ha salvato questa bozza: ecco cosa ha cambiato") ||
		!strings.Contains(page, "Nucleo — Condizione abitativa — Livello di bisogno") || !strings.Contains(page, "Grave o critico") ||
		!strings.Contains(page, "Casa in affitto regolare</textarea>") || !strings.Contains(page, `name="revisione" value="2"`) {
		t.Fatalf("conflict: %d\n%s", st, page)
	}
	sc, _ := f.svc.Corrente(ctx, f.people["casemanager"], f.caso, registro.Voce{})
	if sc.Versione.Contenuto.Sintesi != "Sfratto esecutivo" {
		t.Errorf("the first save was overwritten: %q", sc.Versione.Contenuto.Sintesi)
	}
	var c *schede.Conflitto
	if _, err := f.svc.Salva(ctx, f.people["casemanager"], f.caso, 1, nil, registro.Voce{}); !errors.As(err, &c) {
		t.Errorf("service save over a stale revisione: %v", err)
	}
}

// Only the assigned case manager reaches the quadro: casemanager2 gets 404
// (recorded), the coordinatore and the amministratore 403.
func TestQuadroAccesso(t *testing.T) {
	t.Parallel()
	f := setup(t)
	base := "/casi/" + f.caso.String() + "/quadro-di-analisi"
	for user, want := range map[string]int{"casemanager2": 404, "coordinatore": 403, "amministratore": 403} {
		if st, _ := f.get(t, user, base); st != want {
			t.Errorf("%s GET: %d, want %d", user, st, want)
		}
		if st, _, _ := f.post(t, user, base+"/inizia", nil); st != want {
			t.Errorf("%s POST: %d, want %d", user, st, want)
		}
	}
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND esito = 'negato'`, f.caso.String()).Scan(&n); err != nil || n < 2 {
		t.Errorf("%d refusals recorded, want at least 2", n)
	}
}

// The reference tables drive the form: a new dimension is offered, a
// retired one is not, and rows cannot be deleted.
func TestQuadroRiferimenti(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `INSERT INTO quadro_dimensione (codice, etichetta, livello, ordine) VALUES ('digitale', 'Competenze digitali', 'persona', 15)`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE quadro_dimensione SET valido_al = '2025-12-31' WHERE codice = 'reti'`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Apri(ctx, f.people["casemanager"], f.caso, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	_, page := f.get(t, "casemanager", "/casi/"+f.caso.String()+"/quadro-di-analisi")
	if !strings.Contains(page, `name="p-`+f.laura.String()+`-digitale-bisogno"`) || strings.Contains(page, `name="f-reti-bisogno"`) {
		t.Error("the reference tables do not drive the form")
	}
	if _, err := f.pool.Exec(ctx, `DELETE FROM quadro_scala WHERE codice = 'grave'`); err == nil {
		t.Error("a reference row was deleted")
	}
}
