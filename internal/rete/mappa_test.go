package rete

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// mondo is a test's network: the demo ambito with its comuni, its gestore
// della rete and a case manager, and the service under test.
type mondo struct {
	t       *testing.T
	fx      *fixtures.F
	svc     *Service
	h       *Handler
	gestore authz.Principal
	cm      authz.Principal
	comuni  []Comune
	v       registro.Voce
}

func nuovoMondo(t *testing.T) *mondo {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	cm := people["casemanager"]
	g := fx.Operatore("Gina", "Gestori")
	g.Ruolo, g.AmbitoID, g.Domain = "gestore_rete", cm.AmbitoID, "ambito:"+strconv.FormatInt(*cm.AmbitoID, 10)
	svc := &Service{pool: pool, reg: fx.Registro, casi: fx.Casi, now: time.Now}
	comuni, err := comuniAmbito(context.Background(), pool, *cm.AmbitoID)
	if err != nil || len(comuni) < 2 {
		t.Fatalf("comuni: %v %v", comuni, err)
	}
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	return &mondo{t: t, fx: fx, svc: svc, h: NewHandler(svc, rs), gestore: g, cm: cm, comuni: comuni, v: registro.Voce{Indirizzo: "test"}}
}

func (m *mondo) comuneCM() int64 { return *m.cm.ComuneID }

// altroComune is a comune of the ambito other than the case manager's.
func (m *mondo) altroComune() int64 {
	for _, c := range m.comuni {
		if c.ID != m.comuneCM() {
			return c.ID
		}
	}
	m.t.Fatal("no other comune")
	return 0
}

func (m *mondo) ente(nome string, comuni ...int64) int64 {
	m.t.Helper()
	in := EnteInput{Denominazione: nome, Tipo: "terzo_settore"}
	for _, c := range comuni {
		in.Comuni = append(in.Comuni, strconv.FormatInt(c, 10))
	}
	id, err := m.svc.CreaEnte(context.Background(), m.gestore, in, m.v)
	if err != nil {
		m.t.Fatalf("ente: %v", err)
	}
	return id
}

func (m *mondo) servizio(ente int64, nome string, in ServizioInput) int64 {
	m.t.Helper()
	in.Ente, in.Denominazione = strconv.FormatInt(ente, 10), nome
	if in.Area == "" {
		in.Area = "lavoro_formazione"
	}
	id, err := m.svc.CreaServizio(context.Background(), m.gestore, in, m.v)
	if err != nil {
		m.t.Fatalf("servizio: %v", err)
	}
	return id
}

func nomi(ss []Servizio) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Denominazione)
	}
	return out
}

func contiene(ss []Servizio, nome string) bool {
	for _, s := range ss {
		if s.Denominazione == nome {
			return true
		}
	}
	return false
}

// A service added by the gestore appears in the case manager's search from
// a case of a covered comune, and not for a case of another comune.
func TestMappaServizioNelComuneDelCaso(t *testing.T) {
	m := nuovoMondo(t)
	ctx := context.Background()
	ente := m.ente("Cooperativa Il Ponte", m.comuneCM(), m.altroComune())
	m.servizio(ente, "Orientamento al lavoro", ServizioInput{Descrizione: "Colloqui e bilancio di competenze"})
	m.servizio(ente, "Doposcuola", ServizioInput{Area: "istruzione", Comuni: []string{strconv.FormatInt(m.altroComune(), 10)}})

	caso := m.fx.Caso(fixtures.NuovoCaso{CaseManager: m.cm})
	ri, err := m.svc.Cerca(ctx, m.cm, &caso.ID, "", "", m.v)
	if err != nil {
		t.Fatal(err)
	}
	if !contiene(ri.Servizi, "Orientamento al lavoro") || contiene(ri.Servizi, "Doposcuola") {
		t.Fatalf("case of the case manager's comune: got %v", nomi(ri.Servizi))
	}
	// Area and free text.
	if ri, _ = m.svc.Cerca(ctx, m.cm, &caso.ID, "salute", "", m.v); len(ri.Servizi) != 0 {
		t.Errorf("area salute: got %v", nomi(ri.Servizi))
	}
	if ri, _ = m.svc.Cerca(ctx, m.cm, &caso.ID, "", "competenze", m.v); !contiene(ri.Servizi, "Orientamento al lavoro") {
		t.Errorf("text: got %v", nomi(ri.Servizi))
	}
	if ri, _ = m.svc.Cerca(ctx, m.cm, &caso.ID, "", "nulla di simile", m.v); len(ri.Servizi) != 0 {
		t.Errorf("text not matching: got %v", nomi(ri.Servizi))
	}

	// A case of the other comune (its own case manager) sees the Doposcuola.
	altroAmb := *m.cm.AmbitoID
	cm2 := m.fx.CaseManager(altroAmb, m.altroComune(), "Carlo", "Altrove")
	caso2 := m.fx.Caso(fixtures.NuovoCaso{CaseManager: cm2})
	ri, err = m.svc.Cerca(ctx, cm2, &caso2.ID, "", "", m.v)
	if err != nil || !contiene(ri.Servizi, "Doposcuola") {
		t.Fatalf("other comune: %v %v", nomi(ri.Servizi), err)
	}

	// The page shows the service to the case manager, with the link to the sheet.
	w := m.get(m.cm, "/rete/mappa?caso="+caso.ID.String(), m.h.Mappa, nil)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Orientamento al lavoro") || strings.Contains(w.Body.String(), "Doposcuola") {
		t.Fatalf("page: %d %s", w.Code, w.Body.String())
	}
	// Another case manager cannot search from this case: 404.
	if _, err := m.svc.Cerca(ctx, cm2, &caso.ID, "", "", m.v); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("another case manager's case: %v", err)
	}
}

// An inactive ente's services and expired or deactivated services are not
// in the map.
func TestMappaEscludeEntiInattiviEServiziScaduti(t *testing.T) {
	m := nuovoMondo(t)
	ctx := context.Background()
	attivo := m.ente("Caritas", m.comuneCM())
	spento := m.ente("Associazione chiusa", m.comuneCM())
	m.servizio(attivo, "Emporio solidale", ServizioInput{Area: "sostegno_economico"})
	ieri := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	m.servizio(attivo, "Corso scaduto", ServizioInput{ValidoDal: time.Now().AddDate(0, -2, 0).Format(time.DateOnly), ValidoAl: ieri})
	domani := time.Now().AddDate(0, 0, 2).Format(time.DateOnly)
	m.servizio(attivo, "Corso futuro", ServizioInput{ValidoDal: domani})
	disatt := m.servizio(attivo, "Sportello disattivato", ServizioInput{})
	m.servizio(spento, "Servizio dell'ente chiuso", ServizioInput{})

	e, _ := caricaEnte(ctx, m.svc.pool, spento)
	if err := m.svc.StatoEnte(ctx, m.gestore, spento, false, strconv.Itoa(e.Versione), m.v); err != nil {
		t.Fatal(err)
	}
	if err := m.svc.StatoServizio(ctx, m.gestore, disatt, false, "1", m.v); err != nil {
		t.Fatal(err)
	}
	caso := m.fx.Caso(fixtures.NuovoCaso{CaseManager: m.cm})
	ri, err := m.svc.Cerca(ctx, m.cm, &caso.ID, "", "", m.v)
	if err != nil {
		t.Fatal(err)
	}
	if got := nomi(ri.Servizi); len(got) != 1 || got[0] != "Emporio solidale" {
		t.Fatalf("map: got %v, want only Emporio solidale", got)
	}
	// The gestore's list still shows all five, marked.
	sv, err := m.svc.Servizi(ctx, m.gestore, FiltroServizi{Pagina: 1}, m.v)
	if err != nil || len(sv.Servizi) != 5 {
		t.Fatalf("gestore's list: %v %v", nomi(sv.Servizi), err)
	}
}

func (m *mondo) get(p authz.Principal, target string, h http.HandlerFunc, params map[string]string) *httptest.ResponseRecorder {
	return m.do(p, httptest.NewRequest("GET", target, nil), h, params)
}

func (m *mondo) post(p authz.Principal, target string, form url.Values, h http.HandlerFunc, params map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return m.do(p, r, h, params)
}

func (m *mondo) do(p authz.Principal, r *http.Request, h http.HandlerFunc, params map[string]string) *httptest.ResponseRecorder {
	rc := chi.NewRouteContext()
	for k, v := range params {
		rc.URLParams.Add(k, v)
	}
	ctx := context.WithValue(r.Context(), chi.RouteCtxKey, rc)
	r = r.WithContext(authz.WithPrincipal(ctx, p))
	w := httptest.NewRecorder()
	h(w, r)
	return w
}

// The ente form refused shows the errors next to the fields and keeps
// everything typed.
func TestEnteErroriNelModulo(t *testing.T) {
	m := nuovoMondo(t)
	form := url.Values{"denominazione": {""}, "tipo": {"terzo_settore"}, "codice_fiscale": {"123"},
		"email": {"non-una-mail"}, "indirizzo": {"Via Roma 1, Bologna"}, "referente": {"Anna Bianchi"}}
	w := m.post(m.gestore, "/rete/enti", form, m.h.CreaEnte, nil)
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", w.Code)
	}
	for _, s := range []string{`data-testid="errore-denominazione"`, "Scrivi la denominazione dell&#39;ente.",
		`data-testid="errore-codice_fiscale"`, `data-testid="errore-email"`, `data-testid="errore-comuni"`,
		"Scegli almeno un comune servito dall&#39;ente.", `value="Via Roma 1, Bologna"`, `value="Anna Bianchi"`, `value="non-una-mail"`} {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
	// Service form: a wrong number of places and an end before the start.
	ente := m.ente("Consultorio", m.comuneCM())
	sform := url.Values{"ente": {strconv.FormatInt(ente, 10)}, "denominazione": {"Spazio giovani"}, "area": {"salute"},
		"capacita": {"tanti"}, "valido_dal": {"2025-05-10"}, "valido_al": {"2025-05-01"}, "contatti": {"051 123456"}}
	w = m.post(m.gestore, "/rete/servizi", sform, m.h.CreaServizio, nil)
	body = w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-testid="errore-capacita"`) ||
		!strings.Contains(body, "La fine della validità non può precedere l&#39;inizio.") || !strings.Contains(body, `value="Spazio giovani"`) ||
		!strings.Contains(body, "051 123456") {
		t.Fatalf("service form: %d %s", w.Code, body)
	}
	// A sostegno that is not in the patto's catalogue.
	_, err := m.svc.CreaServizio(context.Background(), m.gestore, ServizioInput{Ente: strconv.FormatInt(ente, 10),
		Denominazione: "X", Area: "salute", SostegnoCodice: "non_esiste"}, m.v)
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || fe["sostegno_codice"] == "" {
		t.Errorf("unknown sostegno: %v", err)
	}
}

// Saving over a stale versione is a conflict: nothing saved, what was typed
// shown again.
func TestEnteVersioneVecchiaConflitto(t *testing.T) {
	m := nuovoMondo(t)
	ctx := context.Background()
	id := m.ente("Centro per l'impiego", m.comuneCM())
	e, _ := caricaEnte(ctx, m.svc.pool, id)
	in := InputDaEnte(e)
	in.Telefono = "051 111111"
	if err := m.svc.AggiornaEnte(ctx, m.gestore, id, in, m.v); err != nil {
		t.Fatal(err)
	}
	in.Telefono = "051 222222" // still versione 1
	if err := m.svc.AggiornaEnte(ctx, m.gestore, id, in, m.v); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale versione: %v", err)
	}
	form := url.Values{"denominazione": {in.Denominazione}, "tipo": {"cpi"}, "telefono": {"051 333333"},
		"comuni": in.Comuni, "versione": {"1"}}
	w := m.post(m.gestore, "/rete/enti/"+strconv.FormatInt(id, 10), form, m.h.AggiornaEnte, map[string]string{"n": strconv.FormatInt(id, 10)})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), `value="051 333333"`) || !strings.Contains(w.Body.String(), `data-testid="conflitto"`) {
		t.Fatalf("conflict page: %d", w.Code)
	}
	e, _ = caricaEnte(ctx, m.svc.pool, id)
	if e.Telefono != "051 111111" || e.Versione != 2 {
		t.Errorf("saved: %q v%d", e.Telefono, e.Versione)
	}
	// Service: same rule.
	s := m.servizio(id, "Sportello lavoro", ServizioInput{})
	sv, _ := caricaServizio(ctx, m.svc.pool, s)
	sin := InputDaServizio(sv)
	if err := m.svc.AggiornaServizio(ctx, m.gestore, s, sin, m.v); err != nil {
		t.Fatal(err)
	}
	if err := m.svc.AggiornaServizio(ctx, m.gestore, s, sin, m.v); !errors.Is(err, ErrConflict) {
		t.Errorf("stale service versione: %v", err)
	}
}

// The signed protocol's PDF is kept with its SHA-256, shown on the page, and
// downloaded byte for byte.
func TestProtocolloDocumentoSHA256(t *testing.T) {
	m := nuovoMondo(t)
	ctx := context.Background()
	ente := m.ente("ASL distretto", m.comuneCM())
	s := m.servizio(ente, "Consultorio", ServizioInput{Area: "salute"})
	in := ProtocolloInput{Titolo: "Protocollo salute 2025", DataStipula: "2025-01-10", ValidoDal: "2025-02-01",
		Procedura: "ordine_arrivo", GiorniRispostaCM: "10", GiorniRispostaPersona: "20", Periodo: "trimestre",
		MotiviRifiuto: "Requisiti non posseduti\nPosti esauriti\n", Enti: []string{strconv.FormatInt(ente, 10)},
		Servizi: []string{strconv.FormatInt(s, 10)}, Capacita: map[string]string{strconv.FormatInt(s, 10): "8"}}
	id, err := m.svc.SalvaProtocollo(ctx, m.gestore, 0, in, m.v)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := caricaProtocollo(ctx, m.svc.pool, id)
	if len(p.MotiviRifiuto) != 2 || len(p.Servizi) != 1 || p.Servizi[0].Capacita == nil || *p.Servizi[0].Capacita != 8 {
		t.Fatalf("protocol: %+v", p)
	}

	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 255, '\r', '\n'}, 1000)...)
	sum := sha256.Sum256(pdf)
	want := hex.EncodeToString(sum[:])
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("versione", strconv.Itoa(p.Versione))
	fw, _ := mw.CreateFormFile("documento", "protocollo firmato.pdf")
	_, _ = fw.Write(pdf)
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/rete/protocolli/x/documento", &buf)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	n := map[string]string{"n": strconv.FormatInt(id, 10)}
	if w := m.do(m.gestore, r, m.h.CaricaDocumento, n); w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
		t.Fatalf("upload: %d %s", w.Code, w.Body.String())
	}
	w := m.get(m.gestore, "/rete/protocolli/x", m.h.SchedaProtocollo, n)
	if !strings.Contains(w.Body.String(), want) {
		t.Errorf("page lacks the SHA-256 %s", want)
	}
	w = m.get(m.gestore, "/rete/protocolli/x/documento", m.h.ScaricaDocumento, n)
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/pdf" || !bytes.Equal(w.Body.Bytes(), pdf) {
		t.Fatalf("download: %d %s, %d bytes", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}
	// Not a PDF: refused next to the field.
	_, err = m.svc.CaricaDocumento(ctx, m.gestore, id, "x.pdf", []byte("ciao"), "2", m.v)
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["documento"], "non è un PDF") {
		t.Errorf("not a PDF: %v", err)
	}
	// Protocol form errors.
	_, err = m.svc.SalvaProtocollo(ctx, m.gestore, 0, ProtocolloInput{Titolo: "Senza", Procedura: "priorita"}, m.v)
	if !errors.As(err, &fe) || fe["priorita"] == "" || fe["motivi_rifiuto"] == "" || fe["enti"] == "" || fe["data_stipula"] == "" {
		t.Errorf("protocol errors: %v", err)
	}
}

// A gestore of another ambito gets 404 on this ambito's enti, services,
// protocols and documents, and the refusal is recorded.
func TestGestoreAltroAmbito404(t *testing.T) {
	m := nuovoMondo(t)
	ctx := context.Background()
	ente := m.ente("Patronato", m.comuneCM())
	s := m.servizio(ente, "CAF", ServizioInput{Area: "sostegno_economico"})
	pid, err := m.svc.SalvaProtocollo(ctx, m.gestore, 0, ProtocolloInput{Titolo: "P", DataStipula: "2025-01-01", ValidoDal: "2025-01-01",
		Procedura: "immediata", GiorniRispostaCM: "5", GiorniRispostaPersona: "5", Periodo: "anno", MotiviRifiuto: "Fuori ambito",
		Enti: []string{strconv.FormatInt(ente, 10)}}, m.v)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := m.fx.Ambito("ATS-ALTRO", "Altro ambito", accesso.Comune{CodiceISTAT: "099001", CodiceCatastale: "Z901", Denominazione: "Altrove"})
	altro := m.fx.Operatore("Otto", "Altri")
	altro.Ruolo, altro.AmbitoID, altro.Domain = "gestore_rete", &a.ID, "ambito:"+strconv.FormatInt(a.ID, 10)

	n := func(id int64) map[string]string { return map[string]string{"n": strconv.FormatInt(id, 10)} }
	for name, w := range map[string]*httptest.ResponseRecorder{
		"ente":       m.get(altro, "/", m.h.SchedaEnte, n(ente)),
		"servizio":   m.get(altro, "/", m.h.SchedaServizio, n(s)),
		"scheda":     m.get(altro, "/", m.h.Scheda, n(s)),
		"protocollo": m.get(altro, "/", m.h.SchedaProtocollo, n(pid)),
		"modifica":   m.post(altro, "/", url.Values{"denominazione": {"Preso"}, "tipo": {"altro"}, "versione": {"1"}}, m.h.AggiornaEnte, n(ente)),
		"disattiva":  m.post(altro, "/", url.Values{"attivo": {"false"}, "versione": {"1"}}, m.h.StatoServizio, n(s)),
	} {
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", name, w.Code)
		}
	}
	// Their own list does not show this ambito's enti.
	e, err := m.svc.Enti(ctx, altro, m.v)
	if err != nil || len(e.Enti) != 0 {
		t.Errorf("other ambito's list: %v %v", e.Enti, err)
	}
	var negati int
	if err := m.svc.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'accesso_negato' AND oggetto_tipo LIKE 'rete_%'`).Scan(&negati); err != nil {
		t.Fatal(err)
	}
	if negati < 5 {
		t.Errorf("refusals recorded: %d", negati)
	}
	// The case manager (rete read) cannot write: the service refuses.
	if _, err := m.svc.CreaEnte(ctx, m.cm, EnteInput{Denominazione: "X", Tipo: "altro"}, m.v); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("case manager creating an ente: %v", err)
	}
}

// The sheet for the family shows the service and how to reach it, and
// nothing of the household.
func TestSchedaPerLaFamiglia(t *testing.T) {
	m := nuovoMondo(t)
	ente := m.ente("Centro per le famiglie", m.comuneCM())
	s := m.servizio(ente, "Mediazione familiare", ServizioInput{Area: "relazioni_socializzazione",
		ModalitaAccesso: "Su appuntamento, il martedì", Contatti: "tel. 051 999999"})
	caso := m.fx.Caso(fixtures.NuovoCaso{CaseManager: m.cm, Membri: []fixtures.Membro{fixtures.Adulto("Esposito", "Rosa", "F", 1980)}})
	w := m.get(m.cm, "/rete/servizi/x/scheda?caso="+caso.ID.String(), m.h.Scheda, map[string]string{"n": strconv.FormatInt(s, 10)})
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "Mediazione familiare") || !strings.Contains(body, "Su appuntamento, il martedì") ||
		!strings.Contains(body, "051 999999") {
		t.Fatalf("sheet: %d %s", w.Code, body)
	}
	if strings.Contains(body, "Esposito") || strings.Contains(body, caso.Codice()) {
		t.Error("the sheet shows personal data of the case")
	}
}
