package patto_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/fsl"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture: the demo accounts and one case of casemanager's in
// progettazione, whose nucleo is Bianchi Laura (40, richiedente) and her son
// Bianchi Luca (10), with a finalised quadro di analisi whose priorities are
// the nucleo's economic situation and Luca's schooling; an équipe of one
// educator, Laura as familiare referente. The handlers sit behind a router
// that signs requests in as the demo account named in X-Test-Utente.
type fixture struct {
	pool        *pgxpool.Pool
	acc         *accesso.Service
	svc         *patto.Service
	people      map[string]authz.Principal
	caso        uuid.UUID
	laura, luca uuid.UUID
	educatrice  uuid.UUID
	srv         *httptest.Server
}

var oggi = time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)

func setup(t *testing.T, conQuadro bool) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	acc, reg := fx.Accesso, fx.Registro
	cs := casi.NewService(pool, reg)
	qs := quadro.NewService(pool, reg, cs)
	var err error
	f := &fixture{pool: pool, acc: acc, svc: patto.NewService(pool, reg, cs, qs, equipe.NewService(pool, reg, cs, nil, nil)), people: people}
	clock := func() time.Time { return oggi }
	f.svc.SetClock(clock)
	qs.SetClock(clock)
	cs.SetClock(clock)
	cm := f.people["casemanager"]
	fx.Casi = cs
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-PAT-1", DataDomanda: fixtures.Data("2026-09-01"), DataPAD: fixtures.Data("2026-09-05"),
		CaseManager: cm, Stato: casi.Progettazione, Membri: []fixtures.Membro{
			fixtures.Componente("BNCLRA86A41A944X", "Bianchi", "Laura", "F", "1986-01-01", "richiedente"),
			fixtures.Componente("BNCLCU16A01A944X", "Bianchi", "Luca", "M", "2016-01-01", "figlio"),
		}})
	f.caso, f.laura, f.luca = c.ID, c.Persone[0], c.Persone[1]
	eq := equipe.NewService(pool, reg, cs, nil, nil)
	eq.SetClock(clock)
	if f.educatrice, err = eq.AggiungiMembro(ctx, cm, f.caso, equipe.MembroInput{Ruolo: "componente", Nome: "Giulia", Cognome: "Neri",
		Funzione: "Educatrice", Ente: "Cooperativa Il Ponte", Dal: "2026-10-01"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, err := eq.AggiungiMembro(ctx, cm, f.caso, equipe.MembroInput{Familiare: true, PersonaID: f.laura.String(), Dal: "2026-10-01"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if conQuadro {
		q := quadro.Contenuto{
			Famiglia: map[string]quadro.Valutazione{"economica": {Bisogno: "grave", Priorita: true, Note: "Debiti per le utenze"}},
			Persone: []quadro.Persona{
				{PersonaID: f.laura.String(), Cognome: "Bianchi", Nome: "Laura", DataNascita: "1986-01-01", Relazione: "richiedente"},
				{PersonaID: f.luca.String(), Cognome: "Bianchi", Nome: "Luca", DataNascita: "2016-01-01", Relazione: "figlio",
					Dimensioni: map[string]quadro.Valutazione{"sviluppo_minore": {Bisogno: "moderato", Priorita: true}}},
			},
			Sintesi: "Difficoltà economiche; Luca fatica a scuola.",
		}
		raw, _ := json.Marshal(q)
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			v, err := schede.NuovaBozza(ctx, tx, f.caso, quadro.Tipo, raw, cm.OperatoreID)
			if err != nil {
				return err
			}
			_, err = schede.Finalizza(ctx, tx, f.caso, quadro.Tipo, v.Revisione, raw, "", cm.OperatoreID, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
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
	h := patto.NewHandler(f.svc, rs)
	h.ConEnte(acc)
	rotte(r, h, fsl.NewHandler(f.svc, rs), guard)
	f.srv = httptest.NewServer(r)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) base() string { return "/casi/" + f.caso.String() + "/patto" }

func (f *fixture) stato(t *testing.T) string {
	t.Helper()
	var s string
	if err := f.pool.QueryRow(context.Background(), `SELECT stato FROM caso WHERE id = $1`, f.caso).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) do(t *testing.T, req *http.Request, user string) (int, string, string) {
	t.Helper()
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

// post sends a form as user, without following the redirect.
func (f *fixture) post(t *testing.T, user, path string, form url.Values) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return f.do(t, req, user)
}

// postFile sends a multipart form with one file (nome "" for none).
func (f *fixture) postFile(t *testing.T, user, path string, form url.Values, nome string, dati []byte) (int, string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if nome != "" {
		fw, _ := w.CreateFormFile("scansione", nome)
		_, _ = fw.Write(dati)
	}
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return f.do(t, req, user)
}

func (f *fixture) get(t *testing.T, user, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	st, _, body := f.do(t, req, user)
	return st, body
}

func (f *fixture) corrente(t *testing.T) patto.Versione {
	t.Helper()
	sc, err := f.svc.Corrente(context.Background(), f.people["casemanager"], f.caso, registro.Voce{})
	if err != nil || sc.Versione == nil {
		t.Fatalf("current version: %v", err)
	}
	return *sc.Versione
}

var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// modulo is the draft's form as the page sends it for version v: its
// objectives (the first with a result), a sostegno, an impegno of Laura's.
func (f *fixture) modulo(v patto.Versione, obbligato string) url.Values {
	c := v.Contenuto
	form := url.Values{"revisione": {itoa(v.Revisione)}, "familiare": {c.FamiliareResponsabile}, "frequenza": {"60"},
		"dal": {"2026-10-20"}, "al": {"2027-10-19"}, "monitoraggio": {c.Monitoraggio}}
	for i, o := range c.Obiettivi {
		p := "o" + itoa(i) + "-"
		form.Set(p+"presente", "1")
		form.Set(p+"id", o.ID)
		form.Set(p+"titolo", o.Titolo)
		form.Set(p+"descrizione", o.Descrizione)
		form.Set(p+"dimensione", o.Dimensione)
		form.Set(p+"persona", o.PersonaID)
		for j, r := range o.Risultati {
			q := p + "r" + itoa(j) + "-"
			form.Set(q+"presente", "1")
			form.Set(q+"id", r.ID)
			form.Set(q+"descrizione", r.Descrizione)
			form.Set(q+"entro", r.Entro)
		}
		if len(o.Risultati) == 0 && i == 0 {
			form.Set(p+"r0-presente", "1")
			form.Set(p+"r0-descrizione", "Piano di rientro dei debiti concordato con il gestore")
			form.Set(p+"r0-entro", "2027-01-31")
		}
	}
	form.Set("s0-presente", "1")
	form.Set("s0-tipo", "socio_educativo")
	form.Set("s0-ente", "Cooperativa Il Ponte")
	form.Set("s0-referente", "Giulia Neri")
	form.Set("s0-avvio", "2026-11-01")
	form.Set("s0-fonte", "fondo_poverta")
	form.Set("i0-presente", "1")
	form.Set("i0-area", "contatti_servizi")
	form.Set("i0-persona", obbligato)
	form.Set("i0-descrizione", "Partecipare agli incontri con il case manager")
	form.Set("i0-frequenza", "ogni mese")
	if len(c.Sostegni) > 0 { // keep the IDs already given
		form.Set("s0-id", c.Sostegni[0].ID)
	}
	if len(c.Impegni) > 0 {
		form.Set("i0-id", c.Impegni[0].ID)
	}
	return form
}

func itoa(n int) string { return strconv.Itoa(n) }

func firma(rev int, modalita string, firmatari ...string) url.Values {
	return url.Values{"revisione": {itoa(rev)}, "firma-data": {"2026-10-20"}, "modalita": {modalita}, "firmatario": firmatari}
}

// The case manager starts the patto from the quadro's priorities, saves a
// draft with a result, a sostegno and an impegno, is refused the signature
// with Italian errors (no obliged member, no scan, a scan that is not a
// PDF or an image), then signs with the scan: the case is "patto
// sottoscritto", the sostegno "proposto", the scan downloadable; the
// print view and the PDF are recorded as exports.
func TestPattoDallaBozzaAllaFirma(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	ctx := context.Background()
	cm := f.people["casemanager"]

	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'in_valutazione' WHERE id = $1`, f.caso); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Inizia(ctx, cm, f.caso, registro.Voce{}); !errors.Is(err, patto.ErrNonAttivabile) {
		t.Fatalf("started before the progettazione: %v", err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'progettazione' WHERE id = $1`, f.caso); err != nil {
		t.Fatal(err)
	}
	if st, loc, _ := f.post(t, "casemanager", f.base()+"/inizia", nil); st != http.StatusSeeOther || loc != f.base()+"?esito=iniziato" {
		t.Fatalf("start: %d %q", st, loc)
	}
	v := f.corrente(t)
	c := v.Contenuto
	if len(c.Obiettivi) != 2 || c.Obiettivi[0].Titolo != "Situazione economica" || c.Obiettivi[0].Dimensione != "economica" || c.Obiettivi[0].PersonaID != "" ||
		c.Obiettivi[1].Dimensione != "sviluppo_minore" || c.Obiettivi[1].PersonaID != f.luca.String() ||
		!strings.Contains(c.Obiettivi[0].Descrizione, "Debiti per le utenze") {
		t.Errorf("objectives from the priorities: %+v", c.Obiettivi)
	}
	if len(c.Componenti) != 2 || c.CaseManager == "" || len(c.Equipe) != 1 || c.Equipe[0].Funzione != "Educatrice" ||
		c.FamiliareResponsabile != f.laura.String() || c.FrequenzaIncontri != 90 {
		t.Errorf("people of the new patto: %+v", c)
	}
	st, page := f.get(t, "casemanager", f.base())
	if st != 200 || !strings.Contains(page, `name="o2-titolo"`) || !strings.Contains(page, "Nuovo obiettivo") ||
		!strings.Contains(page, `value="o:cm" checked`) || !strings.Contains(page, `value="c:`+f.laura.String()+`" checked`) {
		t.Fatalf("draft page: %d", st)
	}

	// A draft with an impegno whose obliged member is missing is saved.
	form := f.modulo(v, "")
	if st, loc, _ := f.post(t, "casemanager", f.base(), form); st != http.StatusSeeOther || loc != f.base()+"?esito=salvata" {
		t.Fatalf("save: %d %q", st, loc)
	}
	v = f.corrente(t)
	if len(v.Contenuto.Obiettivi[0].Risultati) != 1 || len(v.Contenuto.Sostegni) != 1 || len(v.Contenuto.Impegni) != 1 || v.Contenuto.FrequenzaIncontri != 60 {
		t.Fatalf("saved draft: %+v", v.Contenuto)
	}
	// A malformed frequency is not saved; what was typed is kept.
	bad := f.modulo(v, "")
	bad.Set("frequenza", "120")
	bad.Set("note", "Scritto prima dell'errore")
	if st, _, page := f.post(t, "casemanager", f.base(), bad); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "almeno ogni 90 giorni") || !strings.Contains(page, "Scritto prima dell&#39;errore</textarea>") || !strings.Contains(page, `value="120"`) {
		t.Errorf("bad frequency: %d", st)
	}

	// Signing is refused: the impegno has no obliged member, no modalità.
	st, _, page = f.postFile(t, "casemanager", f.base()+"/sottoscrivi", url.Values{"revisione": {itoa(v.Revisione)}}, "", nil)
	for _, want := range []string{"Impegno 1: indica il componente tenuto all&#39;impegno.", "Indica la data della sottoscrizione.",
		"Indica come è stato sottoscritto il patto.", "Indica chi ha firmato"} {
		if !strings.Contains(page, want) {
			t.Errorf("signing refused without %q (%d)", want, st)
		}
	}
	if st != http.StatusUnprocessableEntity || f.stato(t) != "progettazione" {
		t.Fatalf("refused signing: %d, case %s", st, f.stato(t))
	}
	if st, _, _ := f.post(t, "casemanager", f.base(), f.modulo(v, f.laura.String())); st != http.StatusSeeOther {
		t.Fatalf("save with the obliged member: %d", st)
	}
	v = f.corrente(t)
	fm := firma(v.Revisione, patto.Cartacea, "o:cm", "c:"+f.laura.String())
	if st, _, page := f.postFile(t, "casemanager", f.base()+"/sottoscrivi", fm, "", nil); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "Carica la scansione del patto firmato") || !strings.Contains(page, `value="2026-10-20"`) {
		t.Errorf("paper without scan: %d", st)
	}
	if st, _, page := f.postFile(t, "casemanager", f.base()+"/sottoscrivi", fm, "patto.txt", []byte("firmato")); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "La scansione deve essere un PDF, un JPEG o un PNG.") {
		t.Errorf("text as scan: %d", st)
	}
	if st, loc, _ := f.postFile(t, "casemanager", f.base()+"/sottoscrivi", fm, "patto-firmato.pdf", pdf); st != http.StatusSeeOther || loc != f.base()+"?esito=sottoscritto" {
		t.Fatalf("sign: %d %q", st, loc)
	}
	if f.stato(t) != "patto_sottoscritto" {
		t.Errorf("case after signing: %s", f.stato(t))
	}
	cont, n, err := f.svc.Firmato(ctx, f.caso)
	if err != nil || n != 1 || cont.Sottoscrizione == nil || cont.Sottoscrizione.Modalita != patto.Cartacea || len(cont.Sottoscrizione.Firmatari) != 2 ||
		cont.Sottoscrizione.Firmatari[0].Ruolo != "familiare responsabile" || cont.Sottoscrizione.Scansione == "" {
		t.Fatalf("signed patto: %+v %d %v", cont.Sottoscrizione, n, err)
	}
	st, page = f.get(t, "casemanager", f.base())
	if st != 200 || strings.Contains(page, `data-testid="modulo"`) || !strings.Contains(page, "Attuazione dei sostegni") ||
		!strings.Contains(page, "Stato: Proposto") || !strings.Contains(page, "Avvia la revisione") {
		t.Errorf("signed page: %d", st)
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+f.base()+"/versioni/1/scansione", nil)
	req.Header.Set("X-Test-Utente", "casemanager")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, pdf) || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("scan download: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if _, err := f.pool.Exec(ctx, `UPDATE patto_scansione SET nome = 'altro.pdf' WHERE caso_id = $1`, f.caso); err == nil {
		t.Error("the database let the signed scan change")
	}
	var storico int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND a = 'patto_sottoscritto'`, f.caso).Scan(&storico); err != nil || storico != 1 {
		t.Errorf("storico of the signing: %d %v", storico, err)
	}

	// The plain-language print view and the PDF.
	st, page = f.get(t, "casemanager", f.base()+"/stampa")
	for _, want := range []string{"Il nostro patto per l&#39;inclusione sociale", "Che cosa vogliamo raggiungere", "Che cosa fanno i servizi per voi",
		"Che cosa vi impegnate a fare", "A chi rivolgervi", "Quando ci incontriamo", "Ci incontriamo almeno ogni 60 giorni",
		"Laura Bianchi: Partecipare agli incontri con il case manager", "il 20/10/2026 (su carta"} {
		if !strings.Contains(page, want) {
			t.Errorf("print view without %q (%d)", want, st)
		}
	}
	if st, body := f.get(t, "casemanager", f.base()+"/patto.pdf"); st != 200 || !strings.HasPrefix(body, "%PDF-1.") {
		t.Errorf("pdf: %d", st)
	}
	var esportazioni int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'patto' AND azione = 'esportazione'`,
		f.caso.String()).Scan(&esportazioni); err != nil || esportazioni != 3 {
		t.Errorf("%d exports recorded, want 3 (scan, print, pdf): %v", esportazioni, err)
	}
	var scritture int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'patto' AND azione = 'scrittura'`,
		f.caso.String()).Scan(&scritture); err != nil || scritture != 4 {
		t.Errorf("%d writes recorded, want 4 (start, two saves, signature): %v", scritture, err)
	}
}

// sign builds and signs version 1 through the service.
func (f *fixture) firma(t *testing.T) patto.Versione {
	t.Helper()
	ctx := context.Background()
	cm := f.people["casemanager"]
	if _, err := f.svc.Inizia(ctx, cm, f.caso, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	v := f.corrente(t)
	m := patto.DaModulo(f.modulo(v, f.laura.String()))
	if _, errs, err := f.svc.Salva(ctx, cm, f.caso, v.Revisione, m.Applica, registro.Voce{}); err != nil || len(errs) > 0 {
		t.Fatalf("save: %v %v", errs, err)
	}
	v = f.corrente(t)
	in := patto.Firma{Data: "2026-10-20", Modalita: patto.FEA, Firmatari: []string{"o:cm", "c:" + f.laura.String()}}
	if _, errs, err := f.svc.Sottoscrivi(ctx, cm, f.caso, v.Revisione, in, registro.Voce{}); err != nil || len(errs) > 0 {
		t.Fatalf("sign: %v %v", errs, err)
	}
	return f.corrente(t)
}

// A signed patto cannot be changed: saving or signing it again is refused
// (the page says so), and the database refuses any UPDATE or DELETE of the
// signed version and of its scan; it is only revised into version 2, a
// draft with the same IDs, while version 1 stays as it was.
func TestPattoFirmatoNonCambia(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	ctx := context.Background()
	cm := f.people["casemanager"]
	v1 := f.firma(t)
	if !v1.Definitiva() || v1.Numero != 1 {
		t.Fatalf("signed version: %+v", v1.Versione)
	}

	m := patto.DaModulo(f.modulo(v1, f.luca.String()))
	if _, _, err := f.svc.Salva(ctx, cm, f.caso, v1.Revisione, m.Applica, registro.Voce{}); !errors.Is(err, patto.ErrNessunaBozza) {
		t.Errorf("save over the signed version: %v", err)
	}
	in := patto.Firma{Data: "2026-10-20", Modalita: patto.OTP, Firmatari: []string{"o:cm", "c:" + f.laura.String()}}
	if _, _, err := f.svc.Sottoscrivi(ctx, cm, f.caso, v1.Revisione, in, registro.Voce{}); !errors.Is(err, patto.ErrNessunaBozza) {
		t.Errorf("second signature: %v", err)
	}
	if st, _, page := f.post(t, "casemanager", f.base(), f.modulo(v1, f.luca.String())); st != http.StatusConflict ||
		!strings.Contains(page, "Una versione sottoscritta non cambia più") {
		t.Errorf("save page over the signed version: %d", st)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE scheda SET contenuto = '{}' WHERE caso_id = $1 AND tipo = 'patto'`, f.caso); err == nil {
		t.Error("the database let a signed patto change")
	}
	if _, err := f.pool.Exec(ctx, `DELETE FROM scheda WHERE caso_id = $1 AND tipo = 'patto'`, f.caso); err == nil {
		t.Error("the database let a signed patto be deleted")
	}

	// The revision: motivo required, then version 2 with the same IDs.
	if _, errs, _ := f.svc.Rivedi(ctx, cm, f.caso, " ", registro.Voce{}); errs["motivo"] != "Indica il motivo della revisione del patto." {
		t.Errorf("revision without motivo: %v", errs)
	}
	if st, loc, _ := f.post(t, "casemanager", f.base()+"/rivedi", url.Values{"motivo": {"Luca ha cambiato scuola"}}); st != http.StatusSeeOther || loc != f.base()+"?esito=rivisto" {
		t.Fatalf("revise: %d %q", st, loc)
	}
	v2 := f.corrente(t)
	if v2.Numero != 2 || v2.Definitiva() || v2.MotivoRiapertura != "Luca ha cambiato scuola" || v2.Contenuto.Sottoscrizione != nil {
		t.Fatalf("version 2: %+v", v2.Versione)
	}
	if v2.Contenuto.Obiettivi[0].ID != v1.Contenuto.Obiettivi[0].ID || v2.Contenuto.Obiettivi[0].Risultati[0].ID != v1.Contenuto.Obiettivi[0].Risultati[0].ID ||
		v2.Contenuto.Sostegni[0].ID != v1.Contenuto.Sostegni[0].ID || v2.Contenuto.Impegni[0].ID != v1.Contenuto.Impegni[0].ID {
		t.Error("the revision changed the IDs")
	}
	// Version 2 changes; version 1 does not.
	form := f.modulo(v2, f.laura.String())
	form.Set("i0-descrizione", "Partecipare agli incontri e avvisare in caso di assenza")
	if st, _, _ := f.post(t, "casemanager", f.base(), form); st != http.StatusSeeOther {
		t.Fatalf("save version 2: %d", st)
	}
	sc, err := f.svc.Leggi(ctx, cm, f.caso, 1, registro.Voce{})
	if err != nil || sc.Versione.Contenuto.Impegni[0].Descrizione != "Partecipare agli incontri con il case manager" || sc.Versione.Contenuto.Sottoscrizione == nil {
		t.Errorf("version 1 after the revision: %+v %v", sc.Versione, err)
	}
	if c, n, err := f.svc.Firmato(ctx, f.caso); err != nil || n != 1 || c.Impegni[0].Descrizione != "Partecipare agli incontri con il case manager" {
		t.Errorf("Firmato during the revision: %d %v", n, err)
	}
	st, page := f.get(t, "casemanager", f.base()+"/versioni/2/confronto?con=1")
	if st != 200 || !strings.Contains(page, "— Descrizione") || !strings.Contains(page, "avvisare in caso di assenza") {
		t.Errorf("comparison: %d", st)
	}
	for _, missing := range []string{"/versioni/9", "/versioni/x", "/versioni/9/confronto", "/versioni/1/confronto"} {
		if st, _ := f.get(t, "casemanager", f.base()+missing); st != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", missing, st)
		}
	}
	// Signing version 2 leaves the case where it is, with its history.
	v2 = f.corrente(t)
	if _, errs, err := f.svc.Sottoscrivi(ctx, cm, f.caso, v2.Revisione, in, registro.Voce{}); err != nil || len(errs) > 0 {
		t.Fatalf("sign version 2: %v %v", errs, err)
	}
	if c, n, err := f.svc.Firmato(ctx, f.caso); err != nil || n != 2 || c.Sottoscrizione.Modalita != patto.OTP {
		t.Errorf("Firmato after version 2: %d %v", n, err)
	}
	if f.stato(t) != "patto_sottoscritto" {
		t.Errorf("case after version 2: %s", f.stato(t))
	}
}

// Without a quadro (analisi preliminare with esito B or D) the patto starts
// with no objectives, and cannot be signed without one.
func TestPattoSenzaQuadro(t *testing.T) {
	t.Parallel()
	f := setup(t, false)
	ctx := context.Background()
	cm := f.people["casemanager"]
	if _, err := f.svc.Inizia(ctx, cm, f.caso, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	v := f.corrente(t)
	if len(v.Contenuto.Obiettivi) != 0 {
		t.Errorf("objectives without a quadro: %+v", v.Contenuto.Obiettivi)
	}
	in := patto.Firma{Data: "2026-10-20", Modalita: patto.Altra, Firmatari: []string{"o:cm", "c:" + f.laura.String()}}
	_, errs, err := f.svc.Sottoscrivi(ctx, cm, f.caso, v.Revisione, in, registro.Voce{})
	if err != nil || errs["obiettivi"] != "Indica almeno un obiettivo con almeno un risultato atteso." ||
		errs["firma-nota"] != "Descrivi come è stato sottoscritto il patto." || errs["al"] == "" {
		t.Errorf("signing an empty patto: %v %v", errs, err)
	}
}

// Two people save the same draft: the second gets the conflict page with
// what the first changed and their own input; nothing is overwritten.
func TestPattoConflitto(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	if _, err := f.svc.Inizia(context.Background(), f.people["casemanager"], f.caso, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	v := f.corrente(t)
	first := f.modulo(v, f.laura.String())
	first.Set("note", "Nota del primo")
	if st, _, _ := f.post(t, "casemanager", f.base(), first); st != http.StatusSeeOther {
		t.Fatalf("first save: %d", st)
	}
	second := f.modulo(v, f.laura.String())
	second.Set("note", "Nota del secondo")
	st, _, page := f.post(t, "casemanager", f.base(), second)
	if st != http.StatusConflict || !strings.Contains(page, "ha salvato questa bozza: ecco cosa ha cambiato") ||
		!strings.Contains(page, "<th scope=\"row\">Note</th>") || !strings.Contains(page, "Nota del primo") ||
		!strings.Contains(page, "Nota del secondo</textarea>") || !strings.Contains(page, `name="revisione" value="2"`) {
		t.Fatalf("conflict: %d\n%s", st, page)
	}
	if c := f.corrente(t).Contenuto; c.Note != "Nota del primo" {
		t.Errorf("the first save was overwritten: %q", c.Note)
	}
	var c *schede.Conflitto
	if _, _, err := f.svc.Salva(context.Background(), f.people["casemanager"], f.caso, 1, nil, registro.Voce{}); !errors.As(err, &c) {
		t.Errorf("service save over a stale revisione: %v", err)
	}
	// Signing over a stale revisione is a conflict too.
	in := patto.Firma{Data: "2026-10-20", Modalita: patto.FEA, Firmatari: []string{"o:cm", "c:" + f.laura.String()}}
	if _, _, err := f.svc.Sottoscrivi(context.Background(), f.people["casemanager"], f.caso, 1, in, registro.Voce{}); !errors.As(err, &c) {
		t.Errorf("signing over a stale revisione: %v", err)
	}
}

// The progress of a sostegno changes without a new version, with its
// reason; a stale form is refused and shows the other's update.
func TestAttuazioneSostegno(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	ctx := context.Background()
	cm := f.people["casemanager"]
	v := f.firma(t)
	sid := v.Contenuto.Sostegni[0].ID
	campo := func(x string) string { return patto.Campo(sid, x) }
	path := f.base() + "/sostegni/" + sid
	st, _, page := f.post(t, "casemanager", path, url.Values{campo("stato"): {"non_attivato"}, campo("versione"): {"1"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Indica perché il sostegno non è stato attivato.") {
		t.Errorf("non attivato without motivo: %d", st)
	}
	if st, _, _ := f.post(t, "casemanager", path, url.Values{campo("stato"): {"attivato"}, campo("avvio"): {"2026-10-15"}, campo("versione"): {"1"}}); st != http.StatusSeeOther {
		t.Fatalf("update: %d", st)
	}
	st, _, page = f.post(t, "casemanager", path, url.Values{campo("stato"): {"concluso"}, campo("avvio"): {"2026-10-15"},
		campo("fine"): {"2026-10-19"}, campo("versione"): {"1"}})
	if st != http.StatusConflict || !strings.Contains(page, "ha aggiornato questo sostegno: ora è «Attivato»") || !strings.Contains(page, `value="2026-10-19"`) {
		t.Errorf("stale update: %d", st)
	}
	sc, err := f.svc.Corrente(ctx, cm, f.caso, registro.Voce{})
	if err != nil || sc.Attuazione[sid].Stato != patto.Attivato || sc.Attuazione[sid].Versione != 2 || sc.Versione.Numero != 1 {
		t.Errorf("progress: %+v %v", sc.Attuazione[sid], err)
	}
	// The national records carry the progress.
	st, body := f.get(t, "casemanager", f.base()+"/fsl.json")
	var rec fsl.Records
	if err := json.Unmarshal([]byte(body), &rec); st != 200 || err != nil || rec.PaIS.VersionePaIS != 1 || len(rec.Sostegni) != 1 ||
		rec.Sostegni[0].Stato != "attivato" || *rec.Sostegni[0].DataAvvioEffettiva != "2026-10-15" || rec.PaIS.IDDomanda == nil || *rec.PaIS.IDDomanda != "INPS-PAT-1" ||
		len(rec.Impegni) != 1 || *rec.Impegni[0].CodiceFiscale != "BNCLRA86A41A944X" {
		t.Errorf("fsl.json: %d %v %s", st, err, body)
	}
}

// Only the assigned case manager reaches the patto: casemanager2 gets 404
// (recorded), the coordinatore and the amministratore 403.
func TestPattoAccesso(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	for user, want := range map[string]int{"casemanager2": 404, "coordinatore": 403, "amministratore": 403} {
		for _, p := range []string{"", "/stampa", "/patto.pdf", "/patto.pdf?copia=firma", "/stampa?copia=firma", "/versioni", "/fsl.json"} {
			if st, _ := f.get(t, user, f.base()+p); st != want {
				t.Errorf("%s GET %s: %d, want %d", user, p, st, want)
			}
		}
		if st, _, _ := f.post(t, user, f.base()+"/inizia", nil); st != want {
			t.Errorf("%s POST: %d, want %d", user, st, want)
		}
	}
	if _, err := f.svc.Inizia(context.Background(), f.people["casemanager2"], f.caso, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 starts: %v", err)
	}
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND esito = 'negato'`, f.caso.String()).Scan(&n); err != nil || n < 2 {
		t.Errorf("%d refusals recorded, want at least 2", n)
	}
	// The reference rows are never deleted.
	if _, err := f.pool.Exec(context.Background(), `DELETE FROM patto_sostegno_tipo WHERE codice = 'altro'`); err == nil {
		t.Error("a catalogue row was deleted")
	}
}
