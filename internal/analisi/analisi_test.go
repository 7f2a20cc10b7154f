package analisi_test

import (
	"context"
	"errors"
	"html"
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
	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/migrations"
	"github.com/cartella/cartella/web/ui"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture: the demo accounts, one case of casemanager's (Casalecchio di
// Reno, state "assegnato") whose nucleo is Bianchi Laura (40, richiedente)
// and her father Bianchi Giorgio (71), and the module's handler behind a
// router that signs requests in as a chosen demo account.
type fixture struct {
	pool   *pgxpool.Pool
	svc    *analisi.Service
	casi   *casi.Service
	people map[string]authz.Principal
	caso   uuid.UUID
	laura  uuid.UUID
	giorgo uuid.UUID
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
	f := &fixture{pool: pool, casi: casi.NewService(pool, reg), people: people}
	f.svc = analisi.NewService(pool, reg, f.casi)
	inc := incontri.NewService(pool, reg, f.casi) // the deadlines follow the meetings, as wired in internal/app
	f.casi.ConScadenze([]casi.FonteSituazione{inc}, []casi.FonteAppuntamenti{inc})
	clock := func() time.Time { return time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma) }
	f.svc.SetClock(clock)
	f.casi.SetClock(clock)
	cm := f.people["casemanager"]
	fx := fixtures.New(t, pool)
	fx.Casi = f.casi
	laura := fixtures.Componente("BNCLRA86A41A944X", "Bianchi", "Laura", "F", "1986-01-01", "richiedente")
	laura.Domicilio = "Via Roma 1, Casalecchio di Reno"
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-AP-1", DataDomanda: fixtures.Data("2026-09-01"), DataPAD: fixtures.Data("2026-09-05"), Telefono: "051 000111",
		CaseManager: cm, Stato: casi.Assegnato, Membri: []fixtures.Membro{
			laura,
			fixtures.Componente("BNCGRG55A01A944X", "Bianchi", "Giorgio", "M", "1955-01-01", "genitore"),
		}})
	f.caso, f.laura, f.giorgo = c.ID, c.Persone[0], c.Persone[1]

	en, err := authz.New(ctx, acc.Bindings)
	if err != nil {
		t.Fatal(err)
	}
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	guard := authz.NewGuard(en, func(w http.ResponseWriter, r *http.Request, _ authz.Object, _ authz.Action) {
		rs.Error(w, r, httpx.ErrForbidden)
	})
	h := analisi.NewHandler(f.svc, rs)
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p, ok := f.people[r.Header.Get("X-Test-Utente")]; ok {
				r = r.WithContext(authz.WithPrincipal(r.Context(), p))
			}
			next.ServeHTTP(w, r)
		})
	})
	rotte(r, h, guard)
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) cm() authz.Principal { return f.people["casemanager"] }

func voce() registro.Voce { return registro.Voce{Esito: registro.Consentito} }

func (f *fixture) scan(t *testing.T, sql string, dest []any, args ...any) {
	t.Helper()
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) stato(t *testing.T) string {
	t.Helper()
	var s string
	f.scan(t, `SELECT stato FROM caso WHERE id = $1`, []any{&s}, f.caso)
	return s
}

// do sends a request as the demo account who, without following redirects.
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
	return resp, html.UnescapeString(string(b))
}

func (f *fixture) path(rest string) string {
	return "/casi/" + f.caso.String() + "/analisi-preliminare" + rest
}

func (f *fixture) apri(t *testing.T) schede.Versione {
	t.Helper()
	v, err := f.svc.Apri(context.Background(), f.cm(), f.caso, voce())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// completa fills what finalising needs: esito, percorsi, Laura sent to the CPI.
func (f *fixture) completa(esito string) func(*analisi.Contenuto) {
	return func(c *analisi.Contenuto) {
		c.Esito = esito
		c.Motivazione = "Bisogni complessi in più aree"
		c.Componente(f.laura.String()).Percorso = "1"
		c.Componente(f.laura.String()).InvioCPI = true
		c.Componente(f.laura.String()).DataInvioCPI = "2026-10-15"
		g := c.Componente(f.giorgo.String())
		g.Percorso = "2"
		g.Motivi = []analisi.Motivo{{Codice: "eta_60", Dal: "2015-01-01"}}
	}
}

// A new analisi is pre-filled from the case; a draft saves with nothing
// required; finalising without esito and percorsi is refused field by
// field and writes nothing; with them, esito C moves the case to "QdA in
// corso", Laura gets her date of invio al CPI and, her father being over
// 60, nobody is bound to the 90-day presentation any more. The version is
// frozen; the registro has the writes without their content.
func TestBozzaEFinalizzazioneConEsitoC(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	// A first meeting: the T90 runs.
	f.exec(t, `WITH i AS (INSERT INTO incontro (caso_id, tipo, data) VALUES ($1, 'primo_incontro', '2026-10-01') RETURNING id)
		INSERT INTO incontro_presenza (incontro_id, persona_id, presente) SELECT i.id, $2, true FROM i`, f.caso, f.laura)
	f.exec(t, `UPDATE caso SET stato = 'in_valutazione' WHERE id = $1`, f.caso)
	if err := f.casi.Aggiorna(ctx, f.pool, f.caso); err != nil {
		t.Fatal(err)
	}
	var t90 string
	f.scan(t, `SELECT t90_stato FROM caso WHERE id = $1`, []any{&t90}, f.caso)
	if t90 != "in_corso" {
		t.Fatalf("T90 before: %q", t90)
	}

	v := f.apri(t)
	sc, err := f.svc.Corrente(ctx, f.cm(), f.caso, voce())
	if err != nil || sc.Versione == nil || v.Numero != 1 || !sc.Bozza() {
		t.Fatalf("new analisi: %+v %v", sc.Versione, err)
	}
	c := sc.Versione.Contenuto
	if len(c.Componenti) != 2 || c.Componenti[0].Nominativo() != "Bianchi Laura" || c.Componenti[0].Relazione != "richiedente" ||
		!c.Componenti[1].InScala || c.Componenti[1].Eta(sc.Oggi) != 71 || c.Nucleo.Misura != "ADI" || c.Nucleo.DataPAD != "2026-09-05" ||
		c.Nucleo.Telefono != "051 000111" || c.Nucleo.Domicilio != "Via Roma 1, Casalecchio di Reno" {
		t.Errorf("pre-filled content: %+v", c)
	}

	v, err = f.svc.Salva(ctx, f.cm(), f.caso, 1, func(c *analisi.Contenuto) {
		c.Nucleo.Risorse = "Rete familiare solida"
		c.Nucleo.Aree = map[string]analisi.Area{"economica": {Bisogno: analisi.Presente, Descrizione: "Debiti per affitto arretrato"}}
	}, voce())
	if err != nil || v.Revisione != 2 {
		t.Fatalf("draft save: %+v %v", v, err)
	}

	_, errs, err := f.svc.Finalizza(ctx, f.cm(), f.caso, 2, func(c *analisi.Contenuto) {
		c.Componente(f.laura.String()).InvioCPI = true
		c.Componente(f.giorgo.String()).Motivi = []analisi.Motivo{{Codice: "eta_60", Dal: "2026-02-01", Al: "2026-01-01"}}
	}, voce())
	if err != nil {
		t.Fatal(err)
	}
	laura, giorgio := "c-"+f.laura.String()+"-", "c-"+f.giorgo.String()+"-"
	for field, want := range map[string]string{
		"esito":                      "Scegli l'esito dell'analisi preliminare.",
		laura + "percorso":           "Indica il percorso di Bianchi Laura (componente nella scala di equivalenza).",
		giorgio + "percorso":         "Indica il percorso di Bianchi Giorgio (componente nella scala di equivalenza).",
		laura + "data_invio_cpi":     "Indica la data di invio al CPI di Bianchi Laura.",
		giorgio + "motivo-eta_60-al": "La data di fine del motivo «Età pari o superiore a 60 anni» di Bianchi Giorgio precede quella di inizio.",
	} {
		if errs[field] != want {
			t.Errorf("error %s = %q, want %q", field, errs[field], want)
		}
	}
	if cur, _ := schede.Ultima(ctx, f.pool, f.caso, schede.AnalisiPreliminare); cur.Definitiva() || cur.Revisione != 2 || f.stato(t) != "in_valutazione" {
		t.Fatalf("a refused finalisation wrote: %+v, case %s", cur, f.stato(t))
	}

	v, errs, err = f.svc.Finalizza(ctx, f.cm(), f.caso, 2, f.completa("C"), voce())
	if err != nil || len(errs) > 0 || !v.Definitiva() || v.Esito != "C" {
		t.Fatalf("finalise: %+v %v %v", v, errs, err)
	}
	if s := f.stato(t); s != "qda_in_corso" {
		t.Errorf("case state after esito C: %s", s)
	}
	var cpi *time.Time
	f.scan(t, `SELECT inviato_cpi_il, (SELECT t90_stato FROM caso WHERE id = $2) FROM nucleo_componente WHERE persona_id = $1`, []any{&cpi, &t90}, f.laura, f.caso)
	if cpi == nil || cpi.Format(time.DateOnly) != "2026-10-15" || t90 != "esente" {
		t.Errorf("after the invio al CPI: %v, T90 %q", cpi, t90)
	}
	var storico int
	f.scan(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND (evento = 'stato' AND a = 'qda_in_corso' OR evento = 'componente')`, []any{&storico}, f.caso)
	if storico != 2 {
		t.Errorf("history events: %d, want the state change and the invio al CPI", storico)
	}
	if _, err := f.svc.Salva(ctx, f.cm(), f.caso, 3, nil, voce()); !errors.Is(err, analisi.ErrNessunaBozza) {
		t.Errorf("saving a finalised analisi: %v", err)
	}
	var scritture, conContenuto int
	f.scan(t, `SELECT count(*) FILTER (WHERE azione = $2), count(*) FILTER (WHERE dettaglio ILIKE '%affitto%' OR dettaglio ILIKE '%Rete familiare%')
		FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'analisi_preliminare'`, []any{&scritture, &conContenuto}, f.caso.String(), registro.Scrittura)
	if scritture != 3 || conContenuto != 0 {
		t.Errorf("registro: %d writes (want 3: start, save, finalise), %d with content", scritture, conContenuto)
	}

	// The extract for the équipe: every section as plain text.
	sez, err := f.svc.SezioniEstratto(ctx, f.caso)
	if err != nil || len(sez) != len(analisi.SezioniDisponibili()) {
		t.Fatalf("extract: %v %v", sez, err)
	}
	if !strings.Contains(sez[2].Testo, "Situazione economica: bisogno presente — Debiti per affitto arretrato") ||
		!strings.Contains(sez[4].Testo, "C — Bisogni complessi") || !strings.Contains(sez[4].Testo, "Inviato al Centro per l'impiego: il 15/10/2026") {
		t.Errorf("extract text:\n%s\n%s", sez[2].Testo, sez[4].Testo)
	}
}

// Reopening needs a reason and gives version 2, a draft copied from 1,
// while version 1 stays as it was; the differences between the two are
// labelled; esito B then moves the case on to the progettazione.
func TestRiaperturaEConfronto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.apri(t)
	if _, errs, err := f.svc.Finalizza(ctx, f.cm(), f.caso, 1, f.completa("C"), voce()); err != nil || len(errs) > 0 {
		t.Fatal(errs, err)
	}
	if _, errs, _ := f.svc.Riapri(ctx, f.cm(), f.caso, "  ", voce()); errs["motivo"] != "Indica il motivo della riapertura." {
		t.Errorf("reopening without a reason: %v", errs)
	}
	v2, errs, err := f.svc.Riapri(ctx, f.cm(), f.caso, "La richiedente ha trovato lavoro", voce())
	if err != nil || len(errs) > 0 || v2.Numero != 2 || v2.Definitiva() {
		t.Fatalf("reopen: %+v %v %v", v2, errs, err)
	}
	if _, _, err := f.svc.Riapri(ctx, f.cm(), f.caso, "ancora", voce()); !errors.Is(err, analisi.ErrBozzaEsistente) {
		t.Errorf("reopening a draft: %v", err)
	}
	if _, err := f.svc.Salva(ctx, f.cm(), f.caso, v2.Revisione, func(c *analisi.Contenuto) {
		c.Componente(f.laura.String()).Occupato = true
		c.Componente(f.laura.String()).Motivi = []analisi.Motivo{{Codice: "occupato", Dal: "2026-10-18"}}
		c.Componente(f.laura.String()).Percorso = "2"
	}, voce()); err != nil {
		t.Fatal(err)
	}
	v1, err := f.svc.Leggi(ctx, f.cm(), f.caso, 1, voce())
	if err != nil || !v1.Versione.Definitiva() || v1.Versione.Contenuto.Componente(f.laura.String()).Occupato {
		t.Errorf("version 1 after the reopening: %+v %v", v1.Versione, err)
	}
	cf, err := f.svc.Confronta(ctx, f.cm(), f.caso, 1, 2, voce())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, d := range cf.Differenze {
		got[d.Campo] = [2]string{d.Prima, d.Dopo}
	}
	want := map[string][2]string{
		"Bianchi Laura — Occupato": {"no", "sì"},
		"Bianchi Laura — Percorso": {"Obbligo di attivazione lavorativa e sociale", "Facoltà di attivazione lavorativa e sociale"},
		"Bianchi Laura — Motivo di esclusione o esonero «Già occupato»: dal": {"", "18/10/2026"},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("difference %q = %q, want %q (all: %v)", k, got[k], w, got)
		}
	}
	if _, errs, err := f.svc.Finalizza(ctx, f.cm(), f.caso, 2, func(c *analisi.Contenuto) { c.Esito = "B" }, voce()); err != nil || len(errs) > 0 {
		t.Fatal(errs, err)
	}
	if s := f.stato(t); s != "progettazione" {
		t.Errorf("case state after esito B: %s", s)
	}
	// Esito A leaves the case where it is (there is no ADI state for it).
	if _, _, err := f.svc.Riapri(ctx, f.cm(), f.caso, "verifica", voce()); err != nil {
		t.Fatal(err)
	}
	if _, errs, err := f.svc.Finalizza(ctx, f.cm(), f.caso, 1, func(c *analisi.Contenuto) { c.Esito = "A" }, voce()); err != nil || len(errs) > 0 {
		t.Fatal(errs, err)
	}
	if s := f.stato(t); s != "progettazione" {
		t.Errorf("case state after esito A: %s", s)
	}
}

// Two saves of the same draft from revisione 1: the second is refused with
// what the first changed, labelled; through the page, the form comes back
// with what the second person typed and the box of the other's changes.
func TestConflitto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.apri(t)
	if _, err := f.svc.Salva(ctx, f.cm(), f.caso, 1, func(c *analisi.Contenuto) {
		c.Nucleo.Aspirazioni = "Trovare una casa più grande"
	}, voce()); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Salva(ctx, f.cm(), f.caso, 1, func(c *analisi.Contenuto) { c.Nucleo.Aspirazioni = "Altro" }, voce())
	var c *schede.Conflitto
	if !errors.As(err, &c) || len(c.Cambiate) != 1 || c.Cambiate[0].Campo != "Nucleo — Aspirazioni" || c.Cambiate[0].Dopo != "Trovare una casa più grande" || c.Da != "Giulia Ferrari" {
		t.Fatalf("second save: %v %+v", err, c)
	}

	form := url.Values{"revisione": {"1"}, "n-aspirazioni": {"Un lavoro stabile per Laura"}, "n-risorse": {"Molto motivata"}}
	resp, body := f.do(t, "casemanager", "POST", f.path(""), form)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d", resp.StatusCode)
	}
	for _, want := range []string{"Nel frattempo Giulia Ferrari ha salvato questa bozza: ecco cosa ha cambiato", "Trovare una casa più grande",
		">Un lavoro stabile per Laura</textarea>", ">Molto motivata</textarea>", `name="revisione" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q", want)
		}
	}
	// Saving again from the page (now at revisione 2) goes through.
	form.Set("revisione", "2")
	if resp, _ := f.do(t, "casemanager", "POST", f.path(""), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save after the conflict: %d", resp.StatusCode)
	}
	_, body = f.do(t, "casemanager", "GET", f.path("?esito=salvata"), nil)
	if !strings.Contains(body, "Bozza salvata.") || !strings.Contains(body, ">Un lavoro stabile per Laura</textarea>") {
		t.Error("the page after saving lacks the message or the text")
	}
}

// Finalising from the page with an error keeps everything typed; the
// version pages, the comparison and the print view answer.
func TestPagine(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if resp, _ := f.do(t, "casemanager", "GET", f.path(""), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("page before starting: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "casemanager", "POST", f.path("/inizia"), url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	laura := "c-" + f.laura.String() + "-"
	form := url.Values{"revisione": {"1"}, "n-risorse": {"Nonna presente"}, "esito": {"C"}, laura + "percorso": {"1"},
		"n-area-abitativa-bisogno": {"presente"}, "n-area-abitativa-descrizione": {"Sfratto in corso"},
		laura + "invio_cpi": {"1"}, laura + "data_invio_cpi": {"15/10/2026"}}
	resp, body := f.do(t, "casemanager", "POST", f.path("/finalizza"), form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Indica il percorso di Bianchi Giorgio") ||
		!strings.Contains(body, ">Sfratto in corso</textarea>") || !strings.Contains(body, `value="2026-10-15"`) {
		t.Fatalf("finalise with an error: %d", resp.StatusCode)
	}
	form.Set("c-"+f.giorgo.String()+"-percorso", "4")
	if resp, _ := f.do(t, "casemanager", "POST", f.path("/finalizza"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("finalise: %d", resp.StatusCode)
	}
	_, body = f.do(t, "casemanager", "GET", f.path(""), nil)
	if !strings.Contains(body, "Versione 1") || !strings.Contains(body, "Definitiva") || !strings.Contains(body, "Sfratto in corso") || !strings.Contains(body, "Riapri") {
		t.Error("the finalised page lacks the version, its content or Riapri")
	}
	if resp, _ := f.do(t, "casemanager", "POST", f.path("/riapri"), url.Values{"motivo": {"Nuovi elementi"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", resp.StatusCode)
	}
	for path, want := range map[string]string{
		"/versioni":                   "Nuovi elementi",
		"/versioni/1":                 "Sfratto in corso",
		"/versioni/2/confronto?con=1": "Le due versioni hanno lo stesso contenuto.",
		"/stampa?versione=1":          "Firma del case manager",
		"/stampa":                     "il contenuto può ancora cambiare",
	} {
		resp, body := f.do(t, "casemanager", "GET", f.path(path), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want %q", path, resp.StatusCode, want)
		}
	}
	if resp, _ := f.do(t, "casemanager", "GET", f.path("/versioni/9"), nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing version: %d", resp.StatusCode)
	}
}

// Only the assigned case manager: casemanager2 gets 404 (the refusal
// recorded), the coordinatore 403 from the policy, on reads and writes.
func TestAccessoNegato(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.apri(t)
	if _, err := f.svc.Corrente(ctx, f.people["casemanager2"], f.caso, voce()); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 read: %v", err)
	}
	if _, err := f.svc.Salva(ctx, f.people["casemanager2"], f.caso, 1, nil, voce()); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 write: %v", err)
	}
	var negati int
	f.scan(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = $2 AND oggetto_tipo = 'analisi_preliminare'`,
		[]any{&negati}, f.caso.String(), registro.Negato)
	if negati != 2 {
		t.Errorf("refusals recorded: %d", negati)
	}
	for _, c := range []struct {
		who, method, path string
		want              int
	}{
		{"casemanager2", "GET", "", http.StatusNotFound},
		{"casemanager2", "GET", "/stampa", http.StatusNotFound},
		{"casemanager2", "POST", "", http.StatusNotFound},
		{"coordinatore", "GET", "", http.StatusForbidden},
		{"coordinatore", "GET", "/versioni/1", http.StatusForbidden},
		{"coordinatore", "POST", "/finalizza", http.StatusForbidden},
		{"amministratore", "GET", "", http.StatusForbidden},
	} {
		var form url.Values
		if c.method == "POST" {
			form = url.Values{"revisione": {"1"}, "n-note": {"intrusione"}}
		}
		if resp, body := f.do(t, c.who, c.method, f.path(c.path), form); resp.StatusCode != c.want || strings.Contains(body, "Bianchi") {
			t.Errorf("%s %s %s: %d, want %d (or the page shows the nucleo)", c.who, c.method, c.path, resp.StatusCode, c.want)
		}
	}
	if cur, _ := schede.Ultima(ctx, f.pool, f.caso, schede.AnalisiPreliminare); cur.Revisione != 1 {
		t.Error("a refused write changed the draft")
	}
}

// The lists come from the reference tables: a new motivo is offered, one
// retired by valido_al is not (but still labels the versions that used
// it), and rows cannot be deleted.
func TestTabelleDiRiferimento(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.apri(t)
	f.exec(t, `INSERT INTO analisi_motivo (codice, etichetta, tipo, ordine) VALUES ('caregiver_anziano', 'Assistenza a un familiare anziano', 'esonero', 20)`)
	f.exec(t, `UPDATE analisi_motivo SET valido_al = '2026-06-30' WHERE codice = 'tre_figli'`)
	_, body := f.do(t, "casemanager", "GET", f.path(""), nil)
	if !strings.Contains(body, "Assistenza a un familiare anziano") {
		t.Error("the new motivo is not offered")
	}
	if strings.Contains(body, "Carichi di cura di tre o più figli minori") {
		t.Error("the retired motivo is still offered")
	}
	if _, err := f.pool.Exec(context.Background(), `DELETE FROM analisi_motivo WHERE codice = 'studente'`); err == nil {
		t.Error("a reference row was deleted")
	}
	rif, err := analisi.CaricaRiferimenti(context.Background(), f.pool, time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil || rif.Motivi.Label("tre_figli") != "Carichi di cura di tre o più figli minori" || len(rif.Aree) != 6 || len(rif.Esiti) != 4 {
		t.Errorf("reference lists: %v", err)
	}
}

// The migration's down file removes what its up file creates (and the up
// file applies again after it).
func TestMigrazioneReversibile(t *testing.T) {
	t.Parallel()
	pool := dbtest.Proprietario(t, dbtest.New(t)) // migrations run as the owner
	ctx := context.Background()
	for _, name := range []string{"000008_analisi.down.sql", "000008_analisi.up.sql"} {
		sql, err := migrations.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, string(sql)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM analisi_esito`).Scan(&n); err != nil || n != 4 {
		t.Errorf("esiti after down and up: %d %v", n, err)
	}
}

// The condition questions follow age: under 16 only school, from 16 work,
// from 18 a pension too (issue 21, point 5).
func TestDomandeSecondoEta(t *testing.T) {
	oggi := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		nascita        string
		lavoro, minore bool
	}{
		{"2019-05-01", false, true},
		{"2010-12-04", false, true}, // 16 tomorrow
		{"2010-12-03", true, true},  // 16 today
		{"2008-12-03", true, false}, // 18 today
		{"", true, false},           // unknown: asked everything
	} {
		m := analisi.Componente{DataNascita: c.nascita}
		if m.PuoLavorare(oggi) != c.lavoro || m.Minore(oggi) != c.minore {
			t.Errorf("%s: PuoLavorare %v Minore %v, want %v %v", c.nascita, m.PuoLavorare(oggi), m.Minore(oggi), c.lavoro, c.minore)
		}
	}
}
