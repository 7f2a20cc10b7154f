package rete

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// The other parts of the network (enti, services, protocols, the case
// manager's invii) are written in parallel: these tests build them with
// plain INSERTs.

type reteFx struct {
	pool    *pgxpool.Pool
	svc     *Service
	fx      *fixtures.F
	people  map[string]authz.Principal
	ambito  int64
	caso    fixtures.Caso
	cm      authz.Principal
	ente    [2]int64
	serv    [2]int64
	prot    int64
	op      [2]authz.Principal // operatori of ente[0] and ente[1]
	inviati int
}

func setupRete(t *testing.T) *reteFx {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	f := &reteFx{pool: pool, fx: fx, people: fx.Demo()}
	f.svc = NewService(pool, fx.Registro, fx.Casi, nil, nil)
	f.cm = f.people["casemanager"]
	f.ambito = *f.cm.AmbitoID
	f.caso = fx.Caso(fixtures.NuovoCaso{CaseManager: f.cm, Membri: []fixtures.Membro{
		fixtures.Adulto("Bianchi", "Laura", "F", 1986), fixtures.Minore("Bianchi", "Luca", "M", 2016)}})
	ctx := context.Background()
	for i, nome := range []string{"Consultorio familiare", "Centro per l'impiego"} {
		f.ente[i] = f.id(t, `INSERT INTO rete_ente (ambito_id, denominazione, tipo) VALUES ($1, $2, 'sanitario') RETURNING id`, f.ambito, nome)
		f.serv[i] = f.id(t, `INSERT INTO rete_servizio (ente_id, denominazione, area, capacita) VALUES ($1, $2, 'salute', 10) RETURNING id`,
			f.ente[i], "Servizio "+strconv.Itoa(i+1))
		op := fx.Operatore("Operatrice", []string{"Verdi", "Neri"}[i])
		ruolo := f.id(t, `INSERT INTO operatore_ruolo (operatore_id, ruolo, ambito_id, ente_id, dal) VALUES ($1, 'operatore_ente', $2, $3, '2024-01-01') RETURNING id`,
			op.OperatoreID, f.ambito, f.ente[i])
		amb := f.ambito
		ente := f.ente[i]
		op.Ruolo, op.RuoloID, op.AmbitoID, op.EnteID, op.Domain = authz.OperatoreEnte, ruolo, &amb, &ente, "ente:"+strconv.FormatInt(f.ente[i], 10)
		f.op[i] = op
	}
	f.prot = f.id(t, `INSERT INTO rete_protocollo (ambito_id, titolo, data_stipula, valido_dal, procedura, giorni_risposta_cm,
		giorni_risposta_persona, periodo_rendicontazione, motivi_rifiuto)
		VALUES ($1, 'Protocollo salute', '2025-01-01', '2025-01-01', 'ordine_arrivo', 10, 30, 'trimestre',
		ARRAY['Requisiti non posseduti', 'Capacità esaurita']) RETURNING id`, f.ambito)
	if _, err := pool.Exec(ctx, `INSERT INTO rete_protocollo_ente VALUES ($1, $2), ($1, $3)`, f.prot, f.ente[0], f.ente[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO rete_protocollo_servizio VALUES ($1, $2, 4), ($1, $3, NULL)`, f.prot, f.serv[0], f.serv[1]); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *reteFx) id(t *testing.T, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// invio is a row of rete_invio as the case manager's side would write it.
type invio struct {
	ente         int  // 0 or 1
	senzaProt    bool // no protocol
	inviato      time.Time
	sezioni      []string
	estratto     string
	stato        string
	risposta     *time.Time
	motivo       string
	dataInizio   *time.Time
	esito, testo string
}

func (f *reteFx) invio(t *testing.T, in invio) int64 {
	t.Helper()
	if in.inviato.IsZero() {
		in.inviato = time.Now().Add(-48 * time.Hour)
	}
	if in.stato == "" {
		in.stato = "inviato"
	}
	if in.estratto == "" {
		in.estratto = "{}"
	}
	if in.sezioni == nil {
		in.sezioni = []string{}
	}
	var prot *int64
	if !in.senzaProt {
		prot = &f.prot
	}
	consenso := len(in.sezioni) > 0
	var da, mod string
	var il *time.Time
	if consenso {
		d := in.inviato.Truncate(24 * time.Hour)
		da, mod, il = "La persona stessa", "scritto", &d
	}
	var concluso *time.Time
	if in.stato == "concluso" {
		concluso = in.risposta
	}
	return f.id(t, `
		INSERT INTO rete_invio (caso_id, ambito_id, comune_id, persona_id, servizio_id, ente_id, protocollo_id, motivazione,
			consenso, consenso_da, consenso_il, consenso_modalita, sezioni, estratto, stato, risposta_entro, inviato_il,
			risposta_il, motivo_rifiuto, data_inizio, concluso_il, esito_conclusione, esito_testo, case_manager_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, 'Sostegno alla genitorialità',
			$8, $9, $10, $11, $12, $13::jsonb, $14, $15::timestamptz + interval '10 days', $15,
			$16, $17, $18, $19, $20, $21, $22)
		RETURNING numero`,
		f.caso.ID, f.ambito, f.caso.ComuneID, f.caso.Persone[0], f.serv[in.ente], f.ente[in.ente], prot,
		consenso, da, il, mod, in.sezioni, in.estratto, in.stato, in.inviato,
		in.risposta, in.motivo, in.dataInizio, concluso, in.esito, in.testo, f.cm.OperatoreID)
}

// registri counts the registro's records of op with azione and esito about
// invii.
func (f *reteFx) registri(t *testing.T, op uuid.UUID, azione, esito string) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi
		WHERE operatore_id = $1 AND azione = $2 AND esito = $3 AND oggetto_tipo = 'rete_invio'`, op, azione, esito).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *reteFx) passaggi(t *testing.T, numero int64) []string {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT st.da || '>' || st.a FROM rete_invio_stato st
		JOIN rete_invio i ON i.id = st.invio_id WHERE i.numero = $1 ORDER BY st.id`, numero)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		_ = rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// An operatore of another ente: not in their list, 404 on reading and on
// every action, each refusal recorded; the invio is untouched.
func TestEnteAltroEnteNonTrovato(t *testing.T) {
	t.Parallel()
	f := setupRete(t)
	ctx := context.Background()
	n := f.invio(t, invio{ente: 0})
	altro := f.op[1]
	e, err := f.svc.InviiEnte(ctx, altro, "", 1, registro.Voce{})
	if err != nil || len(e.Righe) != 0 || e.Ente != "Centro per l'impiego" {
		t.Fatalf("list of the other ente: %+v %v", e, err)
	}
	if _, err := f.svc.InvioEnte(ctx, altro, n, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("read: %v", err)
	}
	if err := f.svc.Accetta(ctx, altro, n, Risposta{DataInizio: "2026-01-10"}, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("accept: %v", err)
	}
	if err := f.svc.Annota(ctx, altro, n, Risposta{TestoNota: "x"}, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("note: %v", err)
	}
	if got := f.registri(t, altro.OperatoreID, registro.Negato, registro.Rifiutato); got != 3 {
		t.Errorf("refusals recorded: %d, want 3", got)
	}
	var stato string
	_ = f.pool.QueryRow(ctx, `SELECT stato FROM rete_invio WHERE numero = $1`, n).Scan(&stato)
	if stato != "inviato" || len(f.passaggi(t, n)) != 0 {
		t.Errorf("invio touched: %s %v", stato, f.passaggi(t, n))
	}
	// Not an operatore dell'ente at all (a case manager): not found too.
	if _, err := f.svc.InvioEnte(ctx, f.cm, n, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("case manager on /invii: %v", err)
	}

	// Over HTTP: 404.
	h := NewHandler(f.svc, testResponder())
	rt := chi.NewRouter()
	rt.Get("/invii/{n}", h.InvioEnte)
	req := httptest.NewRequest("GET", "/invii/"+strconv.FormatInt(n, 10), nil)
	req = req.WithContext(authz.WithPrincipal(req.Context(), altro))
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, req)
	if w.Code != http.StatusNotFound {
		t.Errorf("GET another ente's invio: %d", w.Code)
	}
	if got := f.registri(t, altro.OperatoreID, registro.Negato, registro.Rifiutato); got != 4 {
		t.Errorf("refusals recorded after HTTP: %d, want 4", got)
	}
}

func testResponder() *httpx.Responder {
	return &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
}

// The extract shows exactly the consented sections, whatever else the
// stored extract holds; the first opening marks the invio ricevuto.
func TestEnteEstrattoSoloSezioniConsentite(t *testing.T) {
	t.Parallel()
	f := setupRete(t)
	ctx := context.Background()
	n := f.invio(t, invio{ente: 0, sezioni: []string{"anagrafica", "analisi"}, estratto: `{
		"anagrafica": {"data_nascita": "1986-03-02", "domicilio": "Via Roma 1"},
		"analisi": {"bisogni": ["Conciliazione dei tempi", "Sostegno educativo"]},
		"nucleo": {"componenti": [{"nome": "Luca Bianchi"}]},
		"patto": {"obiettivi": ["SEGRETO-PATTO"]}}`})
	d, err := f.svc.InvioEnte(ctx, f.op[0], n, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	var codici []string
	for _, s := range d.Estratto {
		codici = append(codici, s.Codice)
	}
	if !slices.Equal(codici, []string{"anagrafica", "analisi"}) {
		t.Errorf("sections: %v", codici)
	}
	if d.Stato != "ricevuto" || d.RicevutoIl == nil || !slices.Equal(f.passaggi(t, n), []string{"inviato>ricevuto"}) {
		t.Errorf("not marked ricevuto: %s %v", d.Stato, f.passaggi(t, n))
	}
	if d.Cognome != "Bianchi" || d.Nome != "Laura" || d.Motivazione == "" || d.Protocollo != "Protocollo salute" {
		t.Errorf("request: %+v", d)
	}
	// The page: the consented sections, nothing of the others.
	h := NewHandler(f.svc, testResponder())
	rt := chi.NewRouter()
	rt.Get("/invii/{n}", h.InvioEnte)
	req := httptest.NewRequest("GET", "/invii/"+strconv.FormatInt(n, 10), nil)
	req = req.WithContext(authz.WithPrincipal(req.Context(), f.op[0]))
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, req)
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `data-testid="sezione-anagrafica"`) || !strings.Contains(body, `data-testid="sezione-analisi"`) ||
		!strings.Contains(body, "Via Roma 1") || !strings.Contains(body, "Sostegno educativo") {
		t.Fatalf("page: %d %s", w.Code, body)
	}
	for _, no := range []string{"sezione-nucleo", "sezione-patto", "Luca Bianchi", "SEGRETO-PATTO"} {
		if strings.Contains(body, no) {
			t.Errorf("page shows %q", no)
		}
	}
	// A second opening does not add a transition.
	if _, err := f.svc.InvioEnte(ctx, f.op[0], n, registro.Voce{}); err != nil || len(f.passaggi(t, n)) != 1 {
		t.Errorf("second opening: %v %v", err, f.passaggi(t, n))
	}
	// Without consent: no section at all, even if something was stored.
	n2 := f.invio(t, invio{ente: 0, estratto: `{"anagrafica": {"domicilio": "Via Roma 1"}}`})
	d2, err := f.svc.InvioEnte(ctx, f.op[0], n2, registro.Voce{})
	if err != nil || d2.Consenso || len(d2.Estratto) != 0 {
		t.Errorf("without consent: %+v %v", d2.Estratto, err)
	}
	if got := f.registri(t, f.op[0].OperatoreID, registro.Lettura, registro.Consentito); got != 4 {
		t.Errorf("reads recorded: %d, want 4", got)
	}
}

// A refusal needs a reason of the protocol's list: without one, the
// Italian message next to the field and the note typed kept.
func TestEnteRifiutoSenzaMotivo(t *testing.T) {
	t.Parallel()
	f := setupRete(t)
	ctx := context.Background()
	n := f.invio(t, invio{ente: 0})
	op := f.op[0]
	var fe httpx.FieldErrors
	if err := f.svc.Rifiuta(ctx, op, n, Risposta{Nota: "nota"}, registro.Voce{}); !errors.As(err, &fe) || fe["motivo"] == "" {
		t.Fatalf("no reason: %v", err)
	}
	if err := f.svc.Rifiuta(ctx, op, n, Risposta{Motivo: "Non mi va"}, registro.Voce{}); !errors.As(err, &fe) || !strings.Contains(fe["motivo"], "protocollo") {
		t.Fatalf("reason outside the list: %v", err)
	}
	if ps := f.passaggi(t, n); len(ps) != 0 {
		t.Fatalf("refused forms changed the invio: %v", ps)
	}

	h := NewHandler(f.svc, testResponder())
	rt := chi.NewRouter()
	rt.Post("/invii/{n}/rifiuta", h.Rifiuta)
	post := func(form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/invii/"+strconv.FormatInt(n, 10)+"/rifiuta", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req = req.WithContext(authz.WithPrincipal(req.Context(), op))
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, req)
		return w
	}
	w := post(url.Values{"versione": {"1"}, "nota": {"Ci scusiamo con la famiglia"}})
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="errore-motivo"`) ||
		!strings.Contains(body, "Scegli il motivo del rifiuto tra quelli previsti dal protocollo.") ||
		!strings.Contains(body, "Ci scusiamo con la famiglia") {
		t.Fatalf("refusal without reason: %d %s", w.Code, body)
	}
	// The page was rendered after marking ricevuto: versione is now 2.
	w = post(url.Values{"versione": {"2"}, "motivo": {"Capacità esaurita"}, "nota": {"Riprovare a marzo"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("refusal: %d %s", w.Code, w.Body.String())
	}
	var stato, motivo string
	var risposta *time.Time
	_ = f.pool.QueryRow(ctx, `SELECT stato, motivo_rifiuto, risposta_il FROM rete_invio WHERE numero = $1`, n).Scan(&stato, &motivo, &risposta)
	if stato != "rifiutato" || motivo != "Capacità esaurita" || risposta == nil {
		t.Errorf("after refusal: %s %q %v", stato, motivo, risposta)
	}
	if ps := f.passaggi(t, n); !slices.Equal(ps, []string{"inviato>ricevuto", "ricevuto>rifiutato"}) {
		t.Errorf("transitions: %v", ps)
	}
	// Once refused, nothing more to answer.
	if err := f.svc.Accetta(ctx, op, n, Risposta{DataInizio: "2030-01-01"}, registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Errorf("accept after refusal: %v", err)
	}
	// An invio without a protocol takes a reason in words.
	n2 := f.invio(t, invio{ente: 0, senzaProt: true})
	if err := f.svc.Rifiuta(ctx, op, n2, Risposta{}, registro.Voce{}); !errors.As(err, &fe) || fe["motivo"] != "Scrivi il motivo del rifiuto." {
		t.Errorf("no protocol, no reason: %v", err)
	}
	if err := f.svc.Rifiuta(ctx, op, n2, Risposta{Motivo: "Fuori zona"}, registro.Voce{}); err != nil {
		t.Errorf("no protocol, reason in words: %v", err)
	}
}

// The whole path: accept with a start date, start, notes, conclude; each
// transition in rete_invio_stato and a write in the registro; a stale
// versione is a conflict.
func TestEntePercorso(t *testing.T) {
	t.Parallel()
	f := setupRete(t)
	ctx := context.Background()
	op := f.op[0]
	n := f.invio(t, invio{ente: 0})
	var fe httpx.FieldErrors
	if err := f.svc.Accetta(ctx, op, n, Risposta{Versione: "1"}, registro.Voce{}); !errors.As(err, &fe) || fe["data_inizio"] == "" {
		t.Fatalf("accept without date: %v", err)
	}
	if err := f.svc.Accetta(ctx, op, n, Risposta{Versione: "7", DataInizio: "2030-01-10"}, registro.Voce{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale versione: %v", err)
	}
	if err := f.svc.Accetta(ctx, op, n, Risposta{Versione: "1", DataInizio: "10/01/2030"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Concludi(ctx, op, n, Risposta{Esito: "completato"}, registro.Voce{}); !errors.As(err, &fe) || fe["esito_testo"] == "" {
		t.Fatalf("conclude without outcome: %v", err)
	}
	for _, step := range []func() error{
		func() error { return f.svc.Avvia(ctx, op, n, Risposta{}, registro.Voce{}) },
		func() error {
			return f.svc.Annota(ctx, op, n, Risposta{TestoNota: "Primo colloquio svolto"}, registro.Voce{})
		},
		func() error {
			return f.svc.Concludi(ctx, op, n, Risposta{Esito: "completato", EsitoTesto: "Obiettivi raggiunti"}, registro.Voce{})
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Avvia(ctx, op, n, Risposta{}, registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Errorf("start a concluded invio: %v", err)
	}
	want := []string{"inviato>ricevuto", "ricevuto>accettato", "accettato>in_corso", "in_corso>concluso"}
	if ps := f.passaggi(t, n); !slices.Equal(ps, want) {
		t.Errorf("transitions: %v", ps)
	}
	d, err := f.svc.InvioEnte(ctx, op, n, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Stato != "concluso" || d.EsitoConclusione != "completato" || d.DataInizio == nil || d.DataInizio.Format(time.DateOnly) != "2030-01-10" ||
		len(d.Note) != 1 || len(d.Storia) != 4 {
		t.Errorf("after the path: %+v", d)
	}
	if got := f.registri(t, op.OperatoreID, registro.Scrittura, registro.Consentito); got != 4 {
		t.Errorf("writes recorded: %d, want 4 (accept, start, note, conclude)", got)
	}
	// The list: filter by state.
	e, err := f.svc.InviiEnte(ctx, op, "concluso", 1, registro.Voce{})
	if err != nil || len(e.Righe) != 1 || e.Righe[0].Numero != n || e.PerStato["concluso"] != 1 {
		t.Errorf("list: %+v %v", e, err)
	}
	if e, _ := f.svc.InviiEnte(ctx, op, "inviato", 1, registro.Voce{}); len(e.Righe) != 0 {
		t.Errorf("filter inviato: %+v", e.Righe)
	}
}
