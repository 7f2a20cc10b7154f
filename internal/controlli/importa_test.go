package controlli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
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
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
	"github.com/cartella/cartella/web/ui"
)

// fxImporta is the import's test world: the demo ambito (coordcontrolli
// acts for Casalecchio di Reno, 037011), a case of domanda INPS-ADI-IMP-1
// in it, the clock at 20 October 2026.
type fxImporta struct {
	pool   *pgxpool.Pool
	svc    *Service
	people map[string]authz.Principal
	caso   uuid.UUID
}

func setupImporta(t *testing.T) *fxImporta {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	now := time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)
	clock := func() time.Time { return now }
	fx.Casi.SetClock(clock)
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-ADI-IMP-1", CaseManager: people["casemanager"]})
	f := &fxImporta{pool: pool, people: people, caso: c.ID}
	f.svc = NewService(pool, fx.Registro, fx.Casi, segnalazioni.NewService(pool, fx.Registro, fx.Casi))
	f.svc.SetClock(clock)
	return f
}

func (f *fxImporta) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var (
	cfRossi   = codicefiscale.Compute("Rossi", "Mario", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), "M", "A944")
	cfBianchi = codicefiscale.Compute("Bianchi", "Laura", time.Date(1986, 3, 12, 0, 0, 0, 0, time.UTC), "F", "A944")
)

// cfSbagliato is cf with a wrong check character.
func cfSbagliato(cf string) string {
	last := cf[15] + 1
	if last > 'Z' {
		last = 'A'
	}
	return cf[:15] + string(last)
}

// righeProva is a file of good and bad lines for comune 037011; the
// comments are the expected outcome.
func righeProva() []string {
	return []string{
		// 1: good, linked to the case of its domanda
		`{"versione_tracciato":1,"id_richiesta":"INPS-VER-1","tipo":"residenza","comune":"037011","codice_fiscale":"` + cfRossi + `","cognome":"Rossi","nome":"Mario","data_nascita":"1980-01-01","id_domanda":"INPS-ADI-IMP-1","data_richiesta":"2026-09-01","data_riferimento":"2026-06-15","nota":"Verificare 10 anni di residenza.\nUltimi 2 continuativi."}`,
		// 2: good, lower-case codice fiscale, no domanda
		`{"versione_tracciato":1,"id_richiesta":"INPS-VER-2","tipo":"cittadinanza","comune":"037011","codice_fiscale":"` + strings.ToLower(cfBianchi) + `","cognome":"Bianchi","nome":"Laura","data_richiesta":"2026-10-01","data_riferimento":"2026-10-01"}`,
		// 3: empty
		``,
		// 4: unknown field, wrong check character, bad date
		`{"versione_tracciato":1,"id_richiesta":"INPS-VER-4","tipo":"residenza","comune":"037011","codice_fiscale":"` + cfSbagliato(cfRossi) + `","cognome":"Rossi","nome":"Mario","data_richiesta":"2026-02-30","data_riferimento":"2026-01-01","scadenza":"2026-12-01"}`,
		// 5: another comune of the ambito (Zola Predosa), unknown tipo, missing cognome
		`{"versione_tracciato":1,"id_richiesta":"INPS-VER-5","tipo":"reddito","comune":"037060","codice_fiscale":"` + cfRossi + `","nome":"Mario","data_richiesta":"2026-09-01","data_riferimento":"2026-09-01"}`,
		// 6: not JSON
		`questa non è una riga JSON`,
		// 7: id repeated
		`{"versione_tracciato":1,"id_richiesta":"INPS-VER-1","tipo":"residenza","comune":"037011","codice_fiscale":"` + cfRossi + `","cognome":"Rossi","nome":"Mario","data_richiesta":"2026-09-01","data_riferimento":"2026-06-15"}`,
		// 8: version 2, future date, birth date not the code's, riferimento after richiesta
		`{"versione_tracciato":2,"id_richiesta":"INPS-VER-8","tipo":"soggiorno","comune":"037011","codice_fiscale":"` + cfRossi + `","cognome":"Rossi","nome":"Mario","data_nascita":"1981-01-01","data_richiesta":"2026-12-01","data_riferimento":"2026-12-02"}`,
		// 9: a number where text is expected
		`{"versione_tracciato":1,"id_richiesta":9,"tipo":"residenza","comune":"037011","codice_fiscale":"` + cfRossi + `","cognome":"Rossi","nome":"Mario","data_richiesta":"2026-09-01","data_riferimento":"2026-09-01"}`,
	}
}

func file(righe []string) io.Reader { return strings.NewReader(strings.Join(righe, "\n") + "\n") }

func motiviDi(imp Importazione) map[int]string {
	out := map[int]string{}
	for _, s := range imp.Scarti {
		out[s.Riga] = s.Motivo()
	}
	return out
}

// A file of good and bad lines: each bad line is reported with its number
// and every reason, the good ones are imported (scadenza at +60 days, the
// case of the domanda linked); importing it again changes nothing; a line
// with a known id and a changed content is rejected; the report is kept
// without personal data.
func TestImportaRichieste(t *testing.T) {
	t.Parallel()
	f := setupImporta(t)
	ctx := context.Background()
	co := f.people["coordcontrolli"]
	imp, err := f.svc.Importa(ctx, &co, "richieste.jsonl", file(righeProva()), registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Righe != 9 || imp.Inserite != 2 || imp.Invariate != 0 || imp.Scartate != 6 {
		t.Fatalf("counts: %+v", imp)
	}
	m := motiviDi(imp)
	want := map[int][]string{
		4: {`campo sconosciuto "scadenza"`, "codice_fiscale: carattere di controllo errato", "data_richiesta: data non valida: 2026-02-30 (attesa AAAA-MM-GG)"},
		5: {`tipo: non valido: "reddito"`, "campo cognome mancante", "comune 037060: non è il comune per cui operi"},
		6: {"la riga non è un oggetto JSON"},
		7: {"id_richiesta ripetuto: già alla riga 1"},
		8: {"versione_tracciato 2 non supportata (attesa 1)", "data_nascita: non coincide con la data di nascita nel codice fiscale",
			"data_richiesta: data futura", "data_riferimento: data futura"},
		9: {"campo id_richiesta: atteso un testo"},
	}
	for riga, motivi := range want {
		for _, mo := range motivi {
			if !strings.Contains(m[riga], mo) {
				t.Errorf("riga %d: %q lacks %q", riga, m[riga], mo)
			}
		}
	}
	if len(m) != len(want) {
		t.Errorf("rejected lines: %v", m)
	}
	for _, s := range imp.Scarti {
		if strings.Contains(s.Motivo(), "Rossi") || strings.Contains(s.Motivo(), cfRossi[:11]) {
			t.Errorf("riga %d: personal data in the report: %s", s.Riga, s.Motivo())
		}
	}

	var (
		scad, dr time.Time
		caso     *uuid.UUID
		cf, nota string
		origine  string
		impID    *int64
	)
	if err := f.pool.QueryRow(ctx, `SELECT scadenza, data_richiesta, caso_id, codice_fiscale, nota_inps, origine, importazione_id
		FROM controllo_richiesta WHERE id_richiesta = 'INPS-VER-1'`).Scan(&scad, &dr, &caso, &cf, &nota, &origine, &impID); err != nil {
		t.Fatal(err)
	}
	if !scad.Equal(dr.AddDate(0, 0, 60)) || caso == nil || *caso != f.caso || origine != "importazione" || impID == nil || *impID != imp.ID ||
		!strings.Contains(nota, "\nUltimi") {
		t.Errorf("INPS-VER-1: scadenza %v caso %v origine %s importazione %v nota %q", scad, caso, origine, impID, nota)
	}
	if err := f.pool.QueryRow(ctx, `SELECT codice_fiscale, caso_id FROM controllo_richiesta WHERE id_richiesta = 'INPS-VER-2'`).Scan(&cf, &caso); err != nil {
		t.Fatal(err)
	}
	if cf != cfBianchi || caso != nil {
		t.Errorf("INPS-VER-2: %s %v", cf, caso)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo' AND azione = 'scrittura'`); n != 2 {
		t.Errorf("registro: %d writes of requests", n)
	}

	// Again: nothing new.
	again, err := f.svc.Importa(ctx, &co, "richieste.jsonl", file(righeProva()), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Inserite != 0 || again.Invariate != 2 || again.Scartate != 6 {
		t.Errorf("second import: %+v", again)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_richiesta`); n != 2 {
		t.Errorf("%d requests after the second import", n)
	}

	// A known id with a changed content.
	cambiata := strings.Replace(righeProva()[0], `"Mario"`, `"Marco"`, 1)
	imp3, err := f.svc.Importa(ctx, &co, "cambiata.jsonl", file([]string{cambiata}), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if imp3.Scartate != 1 || !strings.Contains(imp3.Scarti[0].Motivo(), "id_richiesta già presente con contenuto diverso (campi diversi: nome)") ||
		imp3.Scarti[0].IDRichiesta != "INPS-VER-1" {
		t.Errorf("changed content: %+v", imp3)
	}
	var nome string
	if err := f.pool.QueryRow(ctx, `SELECT nome FROM controllo_richiesta WHERE id_richiesta = 'INPS-VER-1'`).Scan(&nome); err != nil || nome != "Mario" {
		t.Errorf("the request was changed: %q %v", nome, err)
	}

	// The report as kept, and the history of the comune.
	kept, err := f.svc.Importazione(ctx, co, imp.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if kept.Inserite != 2 || len(kept.Scarti) != 6 || kept.Scarti[0].Riga != 4 || len(kept.SHA256) != 32 || kept.Operatore == "" {
		t.Errorf("kept report: %+v", kept)
	}
	imps, altre, err := f.svc.Importazioni(ctx, co, 1, registro.Voce{})
	if err != nil || len(imps) != 3 || altre || imps[0].ID != imp3.ID {
		t.Errorf("history: %d %v %v", len(imps), altre, err)
	}
	// The responsabile may not import nor read the history.
	re := f.people["respcontrolli"]
	if _, err := f.svc.Importa(ctx, &re, "x.jsonl", file(righeProva()), registro.Voce{}); err == nil {
		t.Error("the responsabile imported")
	}
	if _, err := f.svc.Importazione(ctx, re, imp.ID, registro.Voce{}); err == nil {
		t.Error("the responsabile read a report")
	}
}

// From the command line (p nil) every comune of an ambito of the
// installation is accepted; an unknown comune is rejected; a line too long
// is rejected and reading goes on.
func TestImportaRigaDiComando(t *testing.T) {
	t.Parallel()
	f := setupImporta(t)
	righe := righeProva()
	zola := strings.NewReplacer(`"INPS-VER-1"`, `"INPS-VER-Z"`, `"037011"`, `"037060"`).Replace(righe[0])
	ignoto := strings.NewReplacer(`"INPS-VER-1"`, `"INPS-VER-X"`, `"037011"`, `"099999"`).Replace(righe[0])
	lunga := `{"nota":"` + strings.Repeat("a", MaxRigaImport) + `"}`
	imp, err := f.svc.Importa(context.Background(), nil, "cli.jsonl", file([]string{righe[0], zola, ignoto, lunga, righe[1]}), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	m := motiviDi(imp)
	if imp.Inserite != 3 || imp.Scartate != 2 || !strings.Contains(m[3], "comune 099999: non è un comune di un ambito di questa installazione") ||
		!strings.Contains(m[4], "riga troppo lunga") {
		t.Errorf("%+v %v", imp, m)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_richiesta r JOIN comune c ON c.id = r.comune_id WHERE c.codice_istat = '037060'`); n != 1 {
		t.Errorf("Zola Predosa: %d", n)
	}
}

func handlerProva(f *fxImporta) *chi.Mux {
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	h := NewHandler(f.svc, rs)
	rt := chi.NewRouter()
	rt.Get("/controlli/nuova", h.Nuova)
	rt.Post("/controlli/nuova", h.Crea)
	rt.Get("/controlli/importazioni", h.Importazioni)
	rt.Post("/controlli/importazioni", h.Importa)
	rt.Get("/controlli/importazioni/{n}", h.Importazione)
	return rt
}

func serve(rt http.Handler, p authz.Principal, req *http.Request) *httptest.ResponseRecorder {
	req = req.WithContext(authz.WithPrincipal(req.Context(), p))
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, req)
	return w
}

func upload(t *testing.T, nome string, dati []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if nome != "" {
		fw, err := mw.CreateFormFile("file", nome)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(dati)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/controlli/importazioni", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// The upload page: the form and the history, a file imported and its
// report shown, no file or an empty one explained on the page, a report of
// another comune not found.
func TestImportaPagine(t *testing.T) {
	t.Parallel()
	f := setupImporta(t)
	rt := handlerProva(f)
	co := f.people["coordcontrolli"]
	w := serve(rt, co, httptest.NewRequest("GET", "/controlli/importazioni", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `data-testid="form-importazione"`) || !strings.Contains(w.Body.String(), `data-testid="nessuna-importazione"`) {
		t.Fatalf("page: %d %s", w.Code, w.Body.String())
	}
	w = serve(rt, co, upload(t, "richieste.jsonl", []byte(strings.Join(righeProva(), "\n"))))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/controlli/importazioni/") {
		t.Fatalf("upload: %d %s", w.Code, w.Body.String())
	}
	report := w.Header().Get("Location")
	w = serve(rt, co, httptest.NewRequest("GET", report, nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "9 righe: 2 richieste inserite, 0 invariate, 6 righe scartate") ||
		strings.Count(body, `data-testid="scarto"`) != 6 || !strings.Contains(body, "id_richiesta ripetuto: già alla riga 1") {
		t.Errorf("report: %d %s", w.Code, body)
	}
	w = serve(rt, co, httptest.NewRequest("GET", "/controlli/importazioni", nil))
	if strings.Count(w.Body.String(), `data-testid="importazione"`) != 1 || !strings.Contains(w.Body.String(), "richieste.jsonl") {
		t.Errorf("history: %s", w.Body.String())
	}
	if w := serve(rt, co, upload(t, "", nil)); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Scegli il file") {
		t.Errorf("no file: %d", w.Code)
	}
	if w := serve(rt, co, upload(t, "vuoto.jsonl", nil)); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "vuoto") {
		t.Errorf("empty file: %d", w.Code)
	}
	// The coordinatore controlli of Zola Predosa sees neither the report nor the history row.
	fx := fixtures.New(t, f.pool)
	zola := f.people["coordcontrolli"]
	var zolaID int64
	if err := f.pool.QueryRow(context.Background(), `SELECT id FROM comune WHERE codice_istat = '037060'`).Scan(&zolaID); err != nil {
		t.Fatal(err)
	}
	zola = fx.Operatore("Giulia", "Zanardi", accessoRuolo(authz.CoordinatoreControlli, *zola.AmbitoID, zolaID))
	if w := serve(rt, zola, httptest.NewRequest("GET", report, nil)); w.Code != http.StatusNotFound {
		t.Errorf("another comune's report: %d", w.Code)
	}
	if w := serve(rt, zola, httptest.NewRequest("GET", "/controlli/importazioni", nil)); strings.Contains(w.Body.String(), `data-testid="importazione"`) {
		t.Error("another comune's history shown")
	}
	if w := serve(rt, f.people["respcontrolli"], httptest.NewRequest("GET", "/controlli/importazioni", nil)); w.Code != http.StatusForbidden {
		t.Errorf("responsabile: %d", w.Code)
	}
	for _, u := range []string{"/controlli/importazioni/abc", "/controlli/importazioni/999999"} {
		if w := serve(rt, co, httptest.NewRequest("GET", u, nil)); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", u, w.Code)
		}
	}
}

func modulo(v url.Values) *http.Request {
	req := httptest.NewRequest("POST", "/controlli/nuova", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// The form of a request entered by hand: errors next to the fields with
// everything typed kept; a good one saved for the coordinatore's comune
// with its scadenza and case; an id already used reported on its field.
func TestNuovaRichiesta(t *testing.T) {
	t.Parallel()
	f := setupImporta(t)
	rt := handlerProva(f)
	co := f.people["coordcontrolli"]
	w := serve(rt, co, httptest.NewRequest("GET", "/controlli/nuova", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Casalecchio di Reno") {
		t.Fatalf("form: %d %s", w.Code, w.Body.String())
	}
	v := url.Values{"id_richiesta": {"INPS-VER-M1"}, "tipo": {"residenza_ex_post"}, "codice_fiscale": {cfSbagliato(cfRossi)},
		"cognome": {"Rossi"}, "nome": {""}, "data_nascita": {"01/01/1980"}, "id_domanda": {"INPS-ADI-IMP-1"},
		"data_richiesta": {"31/02/2026"}, "data_riferimento": {"01/10/2026"}, "nota": {"Nota <di> INPS"}}
	w = serve(rt, co, modulo(v))
	body := w.Body.String()
	for _, s := range []string{`data-testid="errore-codice_fiscale"`, `data-testid="errore-nome"`, `data-testid="errore-data_richiesta"`,
		`value="INPS-VER-M1"`, `value="Rossi"`, `value="01/01/1980"`, `value="INPS-ADI-IMP-1"`, `value="31/02/2026"`, "Nota &lt;di&gt; INPS",
		`<option value="residenza_ex_post" selected`} {
		if !strings.Contains(body, s) {
			t.Errorf("refused form lacks %s", s)
		}
	}
	if w.Code != http.StatusUnprocessableEntity || f.count(t, `SELECT count(*) FROM controllo_richiesta`) != 0 {
		t.Errorf("refused form: %d", w.Code)
	}

	v.Set("codice_fiscale", cfRossi)
	v.Set("nome", "Mario")
	v.Set("data_richiesta", "2026-10-02")
	w = serve(rt, co, modulo(v))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/controlli/") {
		t.Fatalf("save: %d %s", w.Code, w.Body.String())
	}
	id := strings.TrimPrefix(w.Header().Get("Location"), "/controlli/")
	var (
		comune      string
		scad        time.Time
		caso        *uuid.UUID
		origine     string
		creatoDa    uuid.UUID
		dataNascita *time.Time
	)
	if err := f.pool.QueryRow(context.Background(), `SELECT c.codice_istat, r.scadenza, r.caso_id, r.origine, r.created_by, r.data_nascita
		FROM controllo_richiesta r JOIN comune c ON c.id = r.comune_id WHERE r.id = $1`, id).
		Scan(&comune, &scad, &caso, &origine, &creatoDa, &dataNascita); err != nil {
		t.Fatal(err)
	}
	if comune != "037011" || !scad.Equal(fixtures.Data("2026-12-01")) || caso == nil || *caso != f.caso || origine != "manuale" ||
		creatoDa != co.OperatoreID || dataNascita == nil {
		t.Errorf("saved: %s %v %v %s %v", comune, scad, caso, origine, dataNascita)
	}
	w = serve(rt, co, modulo(v))
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "esiste già una richiesta con questo identificativo") {
		t.Errorf("same id again: %d", w.Code)
	}
	if w := serve(rt, f.people["respcontrolli"], modulo(v)); w.Code != http.StatusForbidden {
		t.Errorf("responsabile: %d", w.Code)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo' AND oggetto_id = $1 AND azione = 'scrittura'`, id); n != 1 {
		t.Errorf("registro: %d", n)
	}
}

func accessoRuolo(r authz.Ruolo, ambito, comune int64) accesso.Assegnazione {
	return accesso.Assegnazione{Ruolo: r, AmbitoID: &ambito, ComuneID: &comune}
}

// A request that arrives before its domanda stays without a case; when the
// nuclei flow has brought the case, importing the same request again links
// it (and it is still reported as unchanged).
func TestImportaCollegaDopo(t *testing.T) {
	t.Parallel()
	f := setupImporta(t)
	ctx := context.Background()
	riga := `{"versione_tracciato":1,"id_richiesta":"INPS-VER-TARDI","tipo":"residenza","comune":"037011","codice_fiscale":"` + cfBianchi +
		`","cognome":"Bianchi","nome":"Laura","id_domanda":"INPS-ADI-TARDI","data_richiesta":"2026-10-01","data_riferimento":"2026-10-01"}`
	cc := f.people["coordcontrolli"]
	if _, err := f.svc.Importa(ctx, &cc, "primo.jsonl", file([]string{riga}), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	const senza = `SELECT count(*) FROM controllo_richiesta WHERE id_richiesta = 'INPS-VER-TARDI' AND caso_id IS NULL`
	if f.count(t, senza) != 1 {
		t.Fatal("a request whose domanda is unknown was linked to something")
	}
	fx := fixtures.New(t, f.pool)
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-ADI-TARDI", CaseManager: f.people["casemanager"]})
	imp, err := f.svc.Importa(ctx, &cc, "secondo.jsonl", file([]string{riga}), registro.Voce{})
	if err != nil || imp.Invariate != 1 {
		t.Fatalf("second import: %+v %v", imp, err)
	}
	if f.count(t, `SELECT count(*) FROM controllo_richiesta WHERE id_richiesta = 'INPS-VER-TARDI' AND caso_id = $1`, c.ID) != 1 {
		t.Error("the request was not linked to the case that arrived since")
	}
}
