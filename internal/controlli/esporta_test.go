package controlli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
	"github.com/cartella/cartella/web/ui"
)

// fxEsiti is the export's test world: the demo ambito, its coordinatore
// and responsabile controlli (first demo comune), esiti written with plain
// INSERTs (the finalisation is scheda's).
type fxEsiti struct {
	pool   *pgxpool.Pool
	svc    *Service
	people map[string]authz.Principal
	now    time.Time
	n      int
}

func setupEsiti(t *testing.T) *fxEsiti {
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
	f := &fxEsiti{pool: pool, people: people, now: time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)}
	f.svc = NewService(pool, reg, cs, segnalazioni.NewService(pool, reg, cs))
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// richiesta inserts a request asked to comune (the principal's), received
// on data; it returns its id.
func (f *fxEsiti) richiesta(t *testing.T, p authz.Principal, data string) uuid.UUID {
	t.Helper()
	f.n++
	var id uuid.UUID
	err := f.pool.QueryRow(context.Background(), `INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id,
			codice_fiscale, cognome, nome, id_domanda, data_richiesta, data_riferimento, scadenza, stato)
		VALUES ($1, 'residenza', $2, $3, $4, 'Rossi', 'Mario', 'INPS-D-1', $5::date, $5::date, $5::date + 60, 'conclusa') RETURNING id`,
		fmt.Sprintf("REQ-%04d", f.n), *p.AmbitoID, *p.ComuneID, fmt.Sprintf("RSSMRA80A01A944%c", 'A'+f.n%26), data).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// esito inserts a finalised esito of request r given on data (rettifica of
// esito rett when not 0); it returns its id.
func (f *fxEsiti) esito(t *testing.T, r uuid.UUID, esito, data string, rett int64) int64 {
	t.Helper()
	var id int64
	var rp *int64
	if rett != 0 {
		rp = &rett
	}
	err := f.pool.QueryRow(context.Background(), `INSERT INTO controllo_esito (richiesta_id, esito, motivazione, data_esito,
			entro_termine, finalizzato_da, rettifica_di)
		SELECT r.id, $2, 'Motivazione "con" virgolette & <segni>', $3::date, $3::date <= r.scadenza, $4, $5
		FROM controllo_richiesta r WHERE r.id = $1 RETURNING id`, r, esito, data, f.people["respcontrolli"].OperatoreID, rp).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fxEsiti) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The export writes one documented line per finalised esito of the comune
// (rectification marked, term and days taken), stores the file with its
// SHA-256, marks the esiti; the file is downloaded again byte for byte; a
// second export finds nothing; another comune's esiti stay out; the list
// shows the batch.
func TestEsportaEsiti(t *testing.T) {
	t.Parallel()
	f := setupEsiti(t)
	ctx := context.Background()
	co := f.people["coordcontrolli"]
	r1 := f.richiesta(t, co, "2026-08-01")
	e1 := f.esito(t, r1, "positivo", "2026-09-10", 0)  // 40 days: within
	e2 := f.esito(t, r1, "negativo", "2026-10-15", e1) // rectification, 75 days: after
	r2 := f.richiesta(t, co, "2026-07-01")
	e3 := f.esito(t, r2, "non_verificabile", "2026-09-15", 0) // 76 days: after
	// A request of another comune: never in this comune's batch.
	altro := co
	altro.ComuneID = new(int64)
	if err := f.pool.QueryRow(ctx, `SELECT id FROM comune WHERE id <> $1 ORDER BY id LIMIT 1`, *co.ComuneID).Scan(altro.ComuneID); err != nil {
		t.Fatal(err)
	}
	f.esito(t, f.richiesta(t, altro, "2026-09-01"), "positivo", "2026-09-20", 0)

	pi, err := f.svc.InviiEsiti(ctx, co, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if pi.DaInviare != 3 || pi.OltreTermine != 2 || len(pi.Invii) != 0 {
		t.Fatalf("before: %+v", pi)
	}
	inv, err := f.svc.EsportaEsiti(ctx, co, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Numero != 3 || inv.OltreTermine != 2 || inv.Rettifiche != 1 {
		t.Errorf("batch: %+v", inv)
	}
	if !strings.HasPrefix(inv.NomeFile, "esiti-controlli-037011-") || !strings.HasSuffix(inv.NomeFile, ".jsonl") {
		t.Errorf("file name %q", inv.NomeFile)
	}
	sum := sha256.Sum256(inv.Contenuto)
	if !bytes.Equal(sum[:], inv.SHA256) {
		t.Error("the stored SHA-256 is not the file's")
	}
	// The lines, strictly as documented.
	var righe []RigaEsito
	sc := bufio.NewScanner(bytes.NewReader(inv.Contenuto))
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var r RigaEsito
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		righe = append(righe, r)
	}
	if len(righe) != 3 {
		t.Fatalf("%d lines", len(righe))
	}
	want := []struct {
		id       int64
		esito    string
		entro    bool
		giorni   int
		rett     *int64
		richiest string
	}{{e1, "positivo", true, 40, nil, "REQ-0001"}, {e2, "negativo", false, 75, &e1, "REQ-0001"}, {e3, "non_verificabile", false, 76, nil, "REQ-0002"}}
	for i, w := range want {
		r := righe[i]
		if r.IDEsito != w.id || r.Esito != w.esito || r.EntroTermine != w.entro || r.GiorniImpiegati != w.giorni ||
			r.IDRichiesta != w.richiest || r.IDInvio != inv.ID || r.VersioneTracciato != VersioneTracciatoEsiti ||
			r.Rettifica != (w.rett != nil) || (w.rett == nil) != (r.RettificaDi == nil) || (w.rett != nil && *r.RettificaDi != *w.rett) {
			t.Errorf("line %d: %+v, want %+v", i+1, r, w)
		}
		if r.Tipo != "residenza" || r.ComuneISTAT != "037011" || r.IDDomanda != "INPS-D-1" || len(r.CodiceFiscale) != 16 ||
			r.FinalizzatoDa != demo.Accounts[6].CodiceFiscale() || r.Motivazione != `Motivazione "con" virgolette & <segni>` {
			t.Errorf("line %d: %+v", i+1, r)
		}
	}
	if !bytes.Contains(inv.Contenuto, []byte(`& <segni>`)) {
		t.Error("HTML escaping in the file")
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_esito WHERE invio_id = $1 AND inviato_il IS NOT NULL`, inv.ID); n != 3 {
		t.Errorf("%d esiti marked", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'esportazione' AND oggetto_tipo = 'controllo'`); n != 3 {
		t.Errorf("%d requests recorded as exported", n)
	}
	// Nothing left; the other comune's esito waits for its own coordinatore.
	if _, err := f.svc.EsportaEsiti(ctx, co, registro.Voce{}); !errors.Is(err, ErrNessunEsito) {
		t.Errorf("second export: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_esito WHERE invio_id IS NULL`); n != 1 {
		t.Errorf("%d esiti waiting, want the other comune's one", n)
	}
	// The download is the file, byte for byte.
	got, err := f.svc.FileInvioEsiti(ctx, co, inv.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Contenuto, inv.Contenuto) || got.SHA256Hex() != inv.SHA256Hex() || got.NomeFile != inv.NomeFile {
		t.Error("the download differs from the file written")
	}
	// The list.
	pi, err = f.svc.InviiEsiti(ctx, co, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if pi.DaInviare != 0 || len(pi.Invii) != 1 || pi.Invii[0].ID != inv.ID || pi.Invii[0].Numero != 3 ||
		pi.Invii[0].OltreTermine != 2 || pi.Invii[0].Rettifiche != 1 || pi.Invii[0].SHA256Hex() != inv.SHA256Hex() {
		t.Errorf("after: %+v", pi)
	}
	// An esito is still immutable once exported.
	if _, err := f.pool.Exec(ctx, `UPDATE controllo_esito SET invio_id = NULL, inviato_il = NULL WHERE id = $1`, e1); err == nil {
		t.Error("an exported esito was taken out of its batch")
	}
}

// Only the coordinatore controlli of the comune exports and downloads:
// the responsabile, the coordinatore PaIS and the coordinatore of another
// comune get 404, recorded as refusals.
func TestEsportaEsitiScope(t *testing.T) {
	t.Parallel()
	f := setupEsiti(t)
	ctx := context.Background()
	co := f.people["coordcontrolli"]
	f.esito(t, f.richiesta(t, co, "2026-09-01"), "positivo", "2026-09-20", 0)
	inv, err := f.svc.EsportaEsiti(ctx, co, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	altro := co
	altro.ComuneID = new(int64)
	*altro.ComuneID = *co.ComuneID + 1000
	for name, p := range map[string]authz.Principal{"responsabile": f.people["respcontrolli"], "pais": f.people["coordinatore"], "altro comune": altro} {
		if _, err := f.svc.FileInvioEsiti(ctx, p, inv.ID, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: download: %v", name, err)
		}
		if _, err := f.svc.EsportaEsiti(ctx, p, registro.Voce{}); name != "altro comune" && !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: export: %v", name, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo_invio' AND esito = 'negato'`); n < 5 {
		t.Errorf("%d refusals recorded", n)
	}
}

// Three exports started at the same moment never put an esito in two
// batches nor leave one behind; each batch's file has exactly its esiti.
func TestEsportaEsitiConcorrenti(t *testing.T) {
	t.Parallel()
	f := setupEsiti(t)
	ctx := context.Background()
	co := f.people["coordcontrolli"]
	const rounds, perRound, exports = 4, 15, 3
	for round := range rounds {
		for range perRound {
			f.esito(t, f.richiesta(t, co, "2026-09-01"), "positivo", "2026-09-20", 0)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		invii := make([]InvioEsiti, exports)
		errs := make([]error, exports)
		for i := range exports {
			wg.Go(func() {
				<-start
				invii[i], errs[i] = f.svc.EsportaEsiti(ctx, co, registro.Voce{})
			})
		}
		close(start)
		wg.Wait()
		inviati := 0
		for i := range exports {
			switch {
			case errors.Is(errs[i], ErrNessunEsito):
			case errs[i] != nil:
				t.Fatalf("round %d, export %d: %v", round, i, errs[i])
			default:
				inviati += invii[i].Numero
			}
		}
		if inviati != perRound {
			t.Errorf("round %d: the batches carry %d esiti, want %d", round, inviati, perRound)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_esito WHERE invio_id IS NULL`); n != 0 {
		t.Errorf("%d esiti not sent", n)
	}
	rows, err := f.pool.Query(ctx, `SELECT i.id, i.numero, i.contenuto, (SELECT count(*) FROM controllo_esito e WHERE e.invio_id = i.id) FROM controllo_invio i`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	visti, totale := map[int64]bool{}, 0
	for rows.Next() {
		var id int64
		var numero, marcati int
		var file []byte
		if err := rows.Scan(&id, &numero, &file, &marcati); err != nil {
			t.Fatal(err)
		}
		if righe := bytes.Count(file, []byte("\n")); righe != numero || marcati != numero {
			t.Errorf("batch %d: %d lines, numero %d, %d esiti marked", id, righe, numero, marcati)
		}
		for _, l := range bytes.Split(bytes.TrimSpace(file), []byte("\n")) {
			var r RigaEsito
			if err := json.Unmarshal(l, &r); err != nil {
				t.Fatal(err)
			}
			if visti[r.IDEsito] {
				t.Errorf("esito %d in two batches", r.IDEsito)
			}
			visti[r.IDEsito] = true
		}
		totale += numero
	}
	if totale != rounds*perRound || len(visti) != rounds*perRound {
		t.Errorf("batches carry %d esiti in all (%d distinct), want %d", totale, len(visti), rounds*perRound)
	}
}

// The pages: the list with the button, the export's redirect, the empty
// export's message (409), the download with its digest header, a bad id.
func TestEsportaEsitiPagine(t *testing.T) {
	t.Parallel()
	f := setupEsiti(t)
	co := f.people["coordcontrolli"]
	f.esito(t, f.richiesta(t, co, "2026-09-01"), "positivo", "2026-09-20", 0)
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	h := NewHandler(f.svc, rs)
	rt := chi.NewRouter()
	rt.Get("/controlli/invii", h.InviiEsiti)
	rt.Post("/controlli/invii", h.EsportaEsiti)
	rt.Get("/controlli/invii/{invio}/file", h.FileEsiti)
	do := func(method, url string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, url, nil)
		req = req.WithContext(authz.WithPrincipal(req.Context(), co))
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, req)
		return w
	}
	w := do("GET", "/controlli/invii")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `data-testid="esporta"`) || !strings.Contains(w.Body.String(), "1 esito definitivo") {
		t.Fatalf("list: %d %s", w.Code, w.Body.String())
	}
	w = do("POST", "/controlli/invii")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/controlli/invii?esito=") {
		t.Fatalf("export: %d %v", w.Code, w.Header())
	}
	w = do("GET", w.Header().Get("Location"))
	if !strings.Contains(w.Body.String(), "creato") || !strings.Contains(w.Body.String(), `data-testid="sha256"`) {
		t.Errorf("after export: %s", w.Body.String())
	}
	w = do("POST", "/controlli/invii")
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "Nessun esito definitivo da inviare") {
		t.Errorf("empty export: %d", w.Code)
	}
	var id int64
	var file []byte
	if err := f.pool.QueryRow(context.Background(), `SELECT id, contenuto FROM controllo_invio`).Scan(&id, &file); err != nil {
		t.Fatal(err)
	}
	w = do("GET", fmt.Sprintf("/controlli/invii/%d/file", id))
	sum := sha256.Sum256(file)
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), file) || w.Header().Get("X-Checksum-Sha256") != fmt.Sprintf("%x", sum) {
		t.Errorf("download: %d %v", w.Code, w.Header())
	}
	for _, u := range []string{"/controlli/invii/abc/file", "/controlli/invii/999999/file"} {
		if w := do("GET", u); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", u, w.Code)
		}
	}
}
