package importazioni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/importazioni"
	"github.com/cartella/cartella/internal/registro"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	pool *pgxpool.Pool
	svc  *importazioni.Service
	amb  int64
	oggi time.Time
}

func setup(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	if err := demo.Load(ctx, accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	cs := casi.NewService(pool, reg)
	f := &fixture{pool: pool, svc: importazioni.NewService(ctx, pool, reg, cs, nil), oggi: casi.Oggi(time.Now())}
	if err := pool.QueryRow(ctx, `SELECT id FROM ambito WHERE codice = $1`, demo.AmbitoCodice).Scan(&f.amb); err != nil {
		t.Fatal(err)
	}
	return f
}

var comuniDemo = []string{demo.Comuni[0].CodiceISTAT, demo.Comuni[1].CodiceISTAT, demo.Comuni[2].CodiceISTAT}

// genera returns n synthetic households, one JSON line each.
func (f *fixture) genera(t testing.TB, n, seme, primo int) []string {
	t.Helper()
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, n, flusso.Opzioni{Seme: int64(seme), Oggi: f.oggi, Comuni: comuniDemo, PrimoNumero: primo}); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
}

func file(lines []string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// importa runs an import of data and fails the test unless it completed.
func (f *fixture) importa(t testing.TB, data []byte) importazioni.Importazione {
	t.Helper()
	imp, err := f.svc.ImportFile(context.Background(), bytes.NewReader(data), "nuclei.jsonl", int64(len(data)), nil, f.amb,
		registro.Voce{Indirizzo: "test"})
	if err != nil || imp.Stato != importazioni.Completata {
		t.Fatalf("import: %+v %v", imp, err)
	}
	return imp
}

func (f *fixture) count(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) scarti(t testing.TB, id int64) []importazioni.Scarto {
	t.Helper()
	var out []importazioni.Scarto
	if err := f.svc.Resoconto(context.Background(), id, registro.Voce{Indirizzo: "test"}, func(s importazioni.Scarto) error {
		out = append(out, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func contatori(i importazioni.Importazione) [4]int {
	return [4]int{i.Inseriti, i.Aggiornati, i.Invariati, i.Scartati}
}

// tabelle counts the rows an import writes.
func (f *fixture) tabelle(t testing.TB) map[string]int {
	out := map[string]int{}
	for _, tb := range []string{"persona", "nucleo", "nucleo_componente", "domanda", "caso", "caso_storico", "caso_assegnazione"} {
		out[tb] = f.count(t, `SELECT count(*) FROM `+tb)
	}
	return out
}

type riga = map[string]any

func decode(t testing.TB, line string) riga {
	t.Helper()
	var r riga
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func encode(t testing.TB, r riga) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func membri(r riga) []any { return r["componenti"].([]any) }

func membro(r riga, i int) riga { return membri(r)[i].(map[string]any) }

// Every valid household of a file becomes a case; every bad line is in the
// report with its number and reason; importing the same file again changes
// nothing anywhere and counts every household as invariato; the register
// holds one write per household and one per import.
func TestImportaTuttoEDiNuovo(t *testing.T) {
	t.Parallel()
	f := setup(t)
	lines := f.genera(t, 2000, 7, 1)
	altro := decode(t, lines[0])
	altro["id_domanda"], altro["comune_residenza"] = "INPS-ALTRO-AMBITO-1", "037006" // Bologna, not in the demo ambito
	cfErrato := decode(t, lines[1])
	cfErrato["id_domanda"] = "INPS-CF-ERRATO-1"
	cf := membro(cfErrato, 0)["codice_fiscale"].(string)
	membro(cfErrato, 0)["codice_fiscale"] = cf[:15] + string(rune('A'+(cf[15]-'A'+1)%26))
	data := file(append(lines, encode(t, altro), `{"id_domanda": "INPS-ROTTO"`, encode(t, cfErrato)))

	imp := f.importa(t, data)
	if got := contatori(imp); got != [4]int{2000, 0, 0, 3} || imp.Righe != 2003 {
		t.Errorf("first import: inseriti, aggiornati, invariati, scartati = %v, righe %d", got, imp.Righe)
	}
	if imp.ByteLetti != int64(len(data)) || imp.Percentuale() != 100 || imp.ConclusaIl == nil {
		t.Errorf("end of the import: %d of %d bytes read, %d%%", imp.ByteLetti, len(data), imp.Percentuale())
	}
	sc := f.scarti(t, imp.ID)
	if len(sc) != 3 {
		t.Fatalf("report: %+v", sc)
	}
	want := []struct {
		riga      int
		id, parte string
	}{
		{2001, "INPS-ALTRO-AMBITO-1", "non appartenente all'ambito"},
		{2002, "", "JSON incompleto"},
		{2003, "INPS-CF-ERRATO-1", "componente 1: codice fiscale"},
	}
	for i, w := range want {
		if sc[i].Riga != w.riga || sc[i].IDDomanda != w.id || !strings.Contains(sc[i].Motivo, w.parte) {
			t.Errorf("rejected line %d: %+v, want line %d (%s) with %q", i, sc[i], w.riga, w.id, w.parte)
		}
	}
	prima := f.tabelle(t)
	if prima["caso"] != 2000 || prima["domanda"] != 2000 || prima["nucleo"] != 2000 {
		t.Errorf("after the first import: %v", prima)
	}
	if n := f.count(t, `SELECT count(*) FROM caso WHERE stato = 'ricevuto' AND origine = 'flusso' AND ambito_id = $1
		AND t120_scadenza IS NOT NULL AND t120_stato <> ''`, f.amb); n != 2000 {
		t.Errorf("%d of 2000 new cases received, from the flow, with their T120 deadline", n)
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico WHERE evento = 'aperto'`); n != 2000 {
		t.Errorf("%d 'aperto' events", n)
	}
	scritture := `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'caso' AND azione = 'scrittura' AND caso_id IS NOT NULL`
	if n := f.count(t, scritture); n != 2000 {
		t.Errorf("%d case writes in the registro, want one per household", n)
	}

	again := f.importa(t, data)
	if got := contatori(again); got != [4]int{0, 0, 2000, 3} {
		t.Errorf("same file again: %v", got)
	}
	if dopo := f.tabelle(t); !equal(prima, dopo) {
		t.Errorf("re-import wrote rows: before %v, after %v", prima, dopo)
	}
	if n := f.count(t, scritture); n != 2000 {
		t.Errorf("re-import recorded %d case writes, want none more", n-2000)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'importazione' AND azione = 'scrittura'`); n != 2 {
		t.Errorf("%d import records in the registro, want one per import", n)
	}
}

func equal(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// A household that changes is updated, never duplicated: a member who
// joins gets a new row, one who leaves gets "al", a changed flag closes the
// old row and opens a new one keeping what the case manager recorded
// (vittima di violenza); the case's history says it was updated.
func TestAggiornamentoDelNucleo(t *testing.T) {
	t.Parallel()
	f := setup(t)
	lines := f.genera(t, 40, 3, 1)
	// Households with at least two members: a (gets a member), b (a flag
	// changes), c (loses a member), and a fourth whose member joins a.
	var idx []int
	for i, l := range lines {
		if len(membri(decode(t, l))) >= 2 {
			idx = append(idx, i)
		}
	}
	if len(idx) < 4 {
		t.Fatalf("only %d households with two members", len(idx))
	}
	f.importa(t, file(lines))
	ctx := context.Background()

	a, b, c := decode(t, lines[idx[0]]), decode(t, lines[idx[1]]), decode(t, lines[idx[2]])
	// The member joining a is a person already known: the second member of a fourth household.
	nuovo := membro(decode(t, lines[idx[3]]), 1)
	nuovo["relazione"] = "altro_parente"
	a["componenti"] = append(membri(a), nuovo)
	mb := membro(b, 1)
	mb["disabilita"] = !(mb["disabilita"] == true)
	uscito := membro(c, len(membri(c))-1)["codice_fiscale"].(string)
	c["componenti"] = membri(c)[:len(membri(c))-1]
	// The case manager records that b's second member is a victim of violence.
	if _, err := f.pool.Exec(ctx, `UPDATE nucleo_componente SET vittima_violenza = true
		WHERE persona_id = (SELECT id FROM persona WHERE codice_fiscale = $1) AND al IS NULL`, mb["codice_fiscale"]); err != nil {
		t.Fatal(err)
	}
	persone := f.count(t, `SELECT count(*) FROM persona`)

	imp := f.importa(t, file([]string{encode(t, a), encode(t, b), encode(t, c)}))
	if got := contatori(imp); got != [4]int{0, 3, 0, 0} {
		t.Errorf("changed households: inseriti, aggiornati, invariati, scartati = %v", got)
	}
	if n := f.count(t, `SELECT count(*) FROM persona`); n != persone {
		t.Errorf("persons: %d, were %d: a known person joining a household must not be duplicated", n, persone)
	}
	if n := f.count(t, `SELECT count(*) FROM domanda`); n != 40 {
		t.Errorf("%d domande, want 40", n)
	}
	componenti := `SELECT count(*) FROM nucleo_componente nc JOIN domanda d ON d.nucleo_id = nc.nucleo_id
		WHERE d.id_domanda = $1 AND nc.al IS NULL`
	if n := f.count(t, componenti, a["id_domanda"]); n != len(membri(a)) {
		t.Errorf("a: %d current members, want %d", n, len(membri(a)))
	}
	if n := f.count(t, `SELECT count(*) FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE p.codice_fiscale = $1 AND nc.al IS NULL`, nuovo["codice_fiscale"]); n != 2 {
		t.Errorf("the joining member is current in %d households, want 2 (their own and a)", n)
	}
	var chiusa, aperta bool
	var viol bool
	if err := f.pool.QueryRow(ctx, `
		SELECT bool_or(nc.al IS NOT NULL), bool_or(nc.al IS NULL AND nc.disabilita = $2), bool_and(nc.vittima_violenza)
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id WHERE p.codice_fiscale = $1`,
		mb["codice_fiscale"], mb["disabilita"]).Scan(&chiusa, &aperta, &viol); err != nil {
		t.Fatal(err)
	}
	if !chiusa || !aperta || !viol {
		t.Errorf("b's changed member: old row closed %v, new row with the new flag %v, vittima_violenza kept %v", chiusa, aperta, viol)
	}
	if n := f.count(t, `SELECT count(*) FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE p.codice_fiscale = $1 AND nc.al IS NOT NULL`, uscito); n != 1 {
		t.Errorf("c's member who left: %d closed rows, want 1", n)
	}
	if n := f.count(t, componenti, c["id_domanda"]); n != len(membri(c)) {
		t.Errorf("c: %d current members, want %d", n, len(membri(c)))
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico s JOIN caso k ON k.id = s.caso_id JOIN domanda d ON d.id = k.domanda_id
		WHERE s.evento = 'aggiornato' AND d.id_domanda = ANY($1)`, []string{a["id_domanda"].(string), b["id_domanda"].(string), c["id_domanda"].(string)}); n != 3 {
		t.Errorf("%d 'aggiornato' events, want one per changed case", n)
	}
	if n := f.count(t, `SELECT count(*) FROM caso`); n != 40 {
		t.Errorf("%d cases, want 40", n)
	}
}

// A household the database refuses is rejected whole, with its line:
// nothing of it is written, and the other households of the chunk are.
func TestNucleoTuttoONiente(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	lines := f.genera(t, 5, 11, 1)
	veleno := decode(t, lines[2])
	// A failure only the database sees (in production: a constraint, a
	// concurrent writer), simulated by a trigger on this one domanda.
	if _, err := dbtest.Proprietario(t, f.pool).Exec(ctx, `
		CREATE FUNCTION test_rifiuta() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.id_domanda = '`+veleno["id_domanda"].(string)+`' THEN RAISE EXCEPTION 'rifiutata dal test'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER test_rifiuta BEFORE INSERT ON domanda FOR EACH ROW EXECUTE FUNCTION test_rifiuta();`); err != nil {
		t.Fatal(err)
	}
	imp := f.importa(t, file(lines))
	if got := contatori(imp); got != [4]int{4, 0, 0, 1} {
		t.Errorf("inseriti, aggiornati, invariati, scartati = %v", got)
	}
	sc := f.scarti(t, imp.ID)
	if len(sc) != 1 || sc[0].Riga != 3 || sc[0].IDDomanda != veleno["id_domanda"] || sc[0].Motivo == "" {
		t.Errorf("report: %+v, want line 3 with a reason", sc)
	}
	var cfs []string
	for _, m := range membri(veleno) {
		cfs = append(cfs, m.(map[string]any)["codice_fiscale"].(string))
	}
	if n := f.count(t, `SELECT count(*) FROM persona WHERE codice_fiscale = ANY($1)`, cfs); n != 0 {
		t.Errorf("%d persons of the refused household were written", n)
	}
	if n := f.count(t, `SELECT count(*) FROM nucleo`); n != 4 {
		t.Errorf("%d nuclei, want the 4 accepted", n)
	}
	if n := f.count(t, `SELECT count(*) FROM caso`); n != 4 {
		t.Errorf("%d cases, want the 4 accepted", n)
	}
}

// A person in the households of two domande is one master record, current
// in both.
func TestPersonaInDueDomande(t *testing.T) {
	t.Parallel()
	f := setup(t)
	lines := f.genera(t, 2, 5, 1)
	a, b := decode(t, lines[0]), decode(t, lines[1])
	condiviso := map[string]any{}
	for k, v := range membro(a, 0) {
		condiviso[k] = v
	}
	condiviso["relazione"] = "altro"
	b["componenti"] = append(membri(b), condiviso)
	imp := f.importa(t, file([]string{encode(t, a), encode(t, b)}))
	if got := contatori(imp); got != [4]int{2, 0, 0, 0} {
		t.Errorf("inseriti, aggiornati, invariati, scartati = %v", got)
	}
	cf := condiviso["codice_fiscale"]
	if n := f.count(t, `SELECT count(*) FROM persona WHERE codice_fiscale = $1`, cf); n != 1 {
		t.Errorf("%d persons with the shared codice fiscale, want 1", n)
	}
	if n := f.count(t, `SELECT count(DISTINCT nc.nucleo_id) FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE p.codice_fiscale = $1 AND nc.al IS NULL`, cf); n != 2 {
		t.Errorf("the shared person is a current member of %d households, want 2", n)
	}
}

// lento hands the file out in small pieces, slowly, so that the progress
// written while the import runs can be watched.
type lento struct{ r io.Reader }

func (l lento) Read(p []byte) (int, error) {
	time.Sleep(3 * time.Millisecond)
	return l.r.Read(p[:min(len(p), 16<<10)])
}

// The progress recorded while an import runs only grows, and is seen
// between the start and the end.
func TestAvanzamento(t *testing.T) {
	t.Parallel()
	f := setup(t)
	data := file(f.genera(t, 3000, 13, 1))
	ctx := context.Background()
	id, err := f.svc.Nuova(ctx, f.amb, nil, "nuclei.jsonl", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		visti []int64
		done  = make(chan struct{})
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if imp, err := f.svc.Get(ctx, f.amb, id); err == nil {
				mu.Lock()
				visti = append(visti, imp.ByteLetti)
				mu.Unlock()
			}
		}
	}()
	imp, err := f.svc.Esegui(ctx, id, lento{bytes.NewReader(data)}, registro.Voce{Indirizzo: "test"})
	close(done)
	wg.Wait()
	if err != nil || imp.Stato != importazioni.Completata {
		t.Fatalf("import: %+v %v", imp, err)
	}
	intermedi := 0
	for i, b := range visti {
		if i > 0 && b < visti[i-1] {
			t.Fatalf("progress went back: %v", visti)
		}
		if b > 0 && b < int64(len(data)) {
			intermedi++
		}
	}
	if intermedi == 0 {
		t.Errorf("no progress seen between start and end: %v", visti)
	}
}

// An import started from an upload runs in the background, removes the
// uploaded file when done, and is visible to its ambito only; its report
// exports as CSV for spreadsheets, formulas neutralised.
func TestAvviaEResoconto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	lines := f.genera(t, 10, 17, 1)
	lines = append(lines, `{"versione_tracciato": 1, "id_domanda": "=HYPERLINK(\"x\")"}`)
	path := filepath.Join(t.TempDir(), "upload.jsonl")
	if err := os.WriteFile(path, file(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	id, err := f.svc.Avvia(ctx, f.amb, path, "nuclei di novembre.jsonl", int64(len(file(lines))), 0, registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Attendi()
	imp, err := f.svc.Get(ctx, f.amb, id)
	if err != nil || imp.Stato != importazioni.Completata || imp.Inseriti != 10 || imp.Scartati != 1 || imp.FileNome != "nuclei di novembre.jsonl" {
		t.Fatalf("background import: %+v %v", imp, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the uploaded file is still there: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.amb+1000, id); !errors.Is(err, importazioni.ErrNotFound) {
		t.Errorf("another ambito reads the import: %v", err)
	}
	list, next, err := f.svc.Elenco(ctx, f.amb, 1)
	if err != nil || len(list) != 1 || list[0].ID != id || next {
		t.Errorf("list of the ambito's imports: %+v %v %v", list, next, err)
	}
	if list, _, _ := f.svc.Elenco(ctx, f.amb+1000, 1); len(list) != 0 {
		t.Errorf("another ambito lists %d imports", len(list))
	}
	var csv bytes.Buffer
	if err := f.svc.ScartiCSV(ctx, &csv, id, registro.Voce{Indirizzo: "test"}); err != nil {
		t.Fatal(err)
	}
	out := csv.String()
	if !strings.HasPrefix(out, "\ufeffriga;id_domanda;motivo\n11;\"'=HYPERLINK") {
		t.Errorf("CSV of the rejected lines:\n%s", out)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'importazione' AND azione = 'lettura' AND oggetto_id = $1`,
		fmt.Sprint(id)); n != 1 {
		t.Errorf("%d reads of the report recorded, want the CSV export", n)
	}
}

// BenchmarkImport100k imports 100,000 new households into an empty
// ambito, then the same file again (all unchanged): the figure of
// docs/performance.md. Run it with
//
//	go test -run '^$' -bench Import100k -benchtime 1x ./internal/importazioni
func BenchmarkImport100k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := setup(b)
		data := file(f.genera(b, 100000, 21, 1))
		b.StartTimer()
		start := time.Now()
		imp := f.importa(b, data)
		primo := time.Since(start)
		start = time.Now()
		again := f.importa(b, data)
		b.Logf("100,000 households, %d MB: first import %s %v; same file again %s %v",
			len(data)>>20, primo.Round(time.Millisecond), contatori(imp), time.Since(start).Round(time.Millisecond), contatori(again))
		b.ReportMetric(primo.Seconds(), "s/first-import")
	}
}
