package rete

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// A report over known invii: the counts, the refusals by reason, the
// median and the 90th percentile of the response time, the capacity.
func TestReportConteggi(t *testing.T) {
	t.Parallel()
	f := setupRete(t)
	ctx := context.Background()
	inviato := time.Date(2025, 2, 1, 10, 0, 0, 0, calendario.Roma)
	dopo := func(giorni int) *time.Time { x := inviato.AddDate(0, 0, giorni); return &x }
	inizio := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// Response times 1, 2, 3, 4, 5 days: median 3, p90 4.6 (interpolated).
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "accettato", risposta: dopo(1), dataInizio: &inizio})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "in_corso", risposta: dopo(2), dataInizio: &inizio})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "rifiutato", risposta: dopo(3), motivo: "Capacità esaurita"})
	f.invio(t, invio{ente: 1, inviato: inviato, stato: "rifiutato", risposta: dopo(4), motivo: "Capacità esaurita"})
	f.invio(t, invio{ente: 1, inviato: inviato, stato: "rifiutato", risposta: dopo(5), motivo: "Requisiti non posseduti"})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "ricevuto"})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "ritirato"})
	// Outside the period, and without a protocol: not counted.
	f.invio(t, invio{ente: 0, inviato: time.Date(2025, 5, 2, 9, 0, 0, 0, calendario.Roma), stato: "accettato",
		risposta: dopo(100), dataInizio: &inizio})
	f.invio(t, invio{ente: 0, senzaProt: true, inviato: inviato, stato: "rifiutato", risposta: dopo(1), motivo: "Altro"})

	gestore := f.fx.Operatore("Giulia", "Gestori")
	amb := f.ambito
	gestore.Ruolo, gestore.AmbitoID = authz.GestoreRete, &amb
	r, err := f.svc.Report(ctx, gestore, FiltroReport{Dal: "01/01/2025", Al: "31/03/2025"}, registro.Voce{}, registro.Lettura)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Righe) != 1 {
		t.Fatalf("rows: %+v", r.Righe)
	}
	x := r.Righe[0]
	if x.Ricevuti != 7 || x.Trattati != 5 || x.Accettati != 2 || x.Rifiutati != 3 || x.InAttesa != 1 || x.Ritirati != 1 {
		t.Errorf("counts: %+v", x)
	}
	if x.Mediana == nil || x.P90 == nil || giorniDecimali(x.Mediana) != "3,0" || giorniDecimali(x.P90) != "4,6" {
		t.Errorf("median %s, p90 %s", giorniDecimali(x.Mediana), giorniDecimali(x.P90))
	}
	if len(x.Motivi) != 2 || x.Motivi[0] != (Conteggio{"Capacità esaurita", 2}) || x.Motivi[1] != (Conteggio{"Requisiti non posseduti", 1}) {
		t.Errorf("reasons: %+v", x.Motivi)
	}
	if len(x.Capacita) != 2 {
		t.Fatalf("capacity: %+v", x.Capacita)
	}
	c := x.Capacita[0] // Servizio 1 of the Centro per l'impiego sorts first: ordered by ente
	if c.Ente != "Centro per l'impiego" || c.Concordata != nil || c.Usata != 0 || c.Percentuale() != -1 {
		t.Errorf("capacity of the unlimited service: %+v", c)
	}
	c = x.Capacita[1]
	// 4 a month over 90 days: 4 × 90 / 30.4375 = 11.8.
	if c.Concordata == nil || *c.Concordata != 4 || c.NelPeriodo == nil || decimale(*c.NelPeriodo) != "11,8" || c.Usata != 2 || c.Percentuale() != 17 {
		t.Errorf("capacity: %+v %v", c, c.NelPeriodo)
	}

	// The coordinatore PaIS reads it too; a case manager does not; the
	// operatore of an ente does not.
	if r2, err := f.svc.Report(ctx, f.people["coordinatore"], FiltroReport{Dal: "2025-01-01", Al: "2025-03-31", Protocollo: "0"}, registro.Voce{}, registro.Lettura); err == nil {
		t.Errorf("protocol 0 accepted: %+v", r2)
	}
	r2, err := f.svc.Report(ctx, f.people["coordinatore"], FiltroReport{Dal: "2025-01-01", Al: "2025-03-31"}, registro.Voce{}, registro.Lettura)
	if err != nil || len(r2.Righe) != 1 || r2.Righe[0].Ricevuti != 7 {
		t.Errorf("coordinatore: %+v %v", r2.Righe, err)
	}
	for _, p := range []authz.Principal{f.cm, f.op[0]} {
		if _, err := f.svc.Report(ctx, p, FiltroReport{}, registro.Voce{}, registro.Lettura); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", p.Ruolo, err)
		}
	}
	// A period that ends before it starts.
	var fe httpx.FieldErrors
	if _, err := f.svc.Report(ctx, gestore, FiltroReport{Dal: "2025-03-01", Al: "2025-01-01"}, registro.Voce{}, registro.Lettura); !errors.As(err, &fe) || fe["al"] == "" {
		t.Errorf("al before dal: %v", err)
	}

	// CSV.
	var b bytes.Buffer
	if err := EsportaCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Protocollo salute;2025-01-01;2025-03-31;invii;ricevuti;7;",
		"tempo di risposta (giorni);mediana;3,0;", "90° percentile;4,6;", "rifiuti per motivo;Capacità esaurita;2;",
		"capacità;Servizio 1 (Consultorio familiare);2;11,8"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, b.String())
		}
	}

	// The page and the download over HTTP; both recorded.
	h := NewHandler(f.svc, testResponder())
	rt := chi.NewRouter()
	rt.Get("/rete/report", h.Report)
	rt.Get("/rete/report.csv", h.ReportCSV)
	get := func(u string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", u, nil)
		req = req.WithContext(authz.WithPrincipal(req.Context(), gestore))
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, req)
		return w
	}
	w := get("/rete/report?dal=2025-01-01&al=2025-03-31")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, `data-testid="mediana">3,0 giorni`) ||
		!strings.Contains(body, "Ricevuti 7, Trattati 5, Accettati 2, Rifiutati 3") || strings.Contains(body, "<script") {
		t.Errorf("page: %d %s", w.Code, body)
	}
	w = get("/rete/report?dal=31/02/2025&al=2025-03-31")
	if w.Code != 422 || !strings.Contains(w.Body.String(), `data-testid="errore-dal"`) || !strings.Contains(w.Body.String(), `value="31/02/2025"`) {
		t.Errorf("bad date: %d %s", w.Code, w.Body.String())
	}
	w = get("/rete/report.csv?dal=2025-01-01&al=2025-03-31")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || !strings.Contains(w.Body.String(), "ricevuti;7") {
		t.Errorf("csv: %d %v", w.Code, w.Header())
	}
	var letture, esportazioni int
	_ = f.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE azione = 'lettura'), count(*) FILTER (WHERE azione = 'esportazione')
		FROM registro_accessi WHERE operatore_id = $1 AND oggetto_tipo = 'rete_report'`, gestore.OperatoreID).Scan(&letture, &esportazioni)
	if letture != 2 || esportazioni != 1 {
		t.Errorf("recorded: %d reads, %d exports", letture, esportazioni)
	}
}
