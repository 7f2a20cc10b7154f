package importazioni_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/importazioni"
	"github.com/cartella/cartella/internal/registro"
)

// The heartbeat and the abandonment age of the tests' instances: the
// product's 15 and 90 seconds, shrunk. The age stays well above the
// stalls of a loaded test machine (seconds, under -race): a beating import
// taken for abandoned would fail TestImportazioniDueIstanze.
const (
	battitoProva  = 100 * time.Millisecond
	scadenzaProva = 5 * time.Second
)

// istanza is one `cartella serve` as far as imports go, on the fixture's
// database: its own pool and services, and the recovery of abandoned
// imports running in the background as server.go runs it. stacca cuts it
// off the database as kill -9 would: the server ends its connections
// (rolling back what they had open) and it can open no new one.
type istanza struct {
	nome     string
	pool     *pgxpool.Pool
	svc      *importazioni.Service
	staccata atomic.Bool
}

func nuovaIstanza(t *testing.T, f *fixture, nome string) *istanza {
	t.Helper()
	i := &istanza{nome: nome}
	cfg, err := pgxpool.ParseConfig(f.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = i.applicazione()
	var d net.Dialer
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if i.staccata.Load() {
			return nil, errors.New("istanza " + nome + ": staccata dal database")
		}
		return d.DialContext(ctx, network, addr)
	}
	if i.pool, err = pgxpool.NewWithConfig(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	vita, fine := context.WithCancel(context.Background())
	reg := registro.NewService(i.pool, registro.ChiaveDiProva())
	i.svc = importazioni.NewService(vita, i.pool, reg, casi.NewService(i.pool, reg), nil)
	i.svc.ConBattito(battitoProva, scadenzaProva)
	done := make(chan struct{})
	go func() { i.svc.RecuperaOgni(vita, battitoProva); close(done) }()
	t.Cleanup(func() {
		fine()
		<-done
		i.svc.Attendi()
		i.pool.Close()
	})
	return i
}

func (i *istanza) applicazione() string { return "cartella-prova-" + i.nome }

// stacca kills the instance, as far as the database can tell: its
// connections end (an open transaction is rolled back) and new ones are
// refused. Its goroutines go on, as a process stopped by SIGSTOP would.
func (i *istanza) stacca(t *testing.T, proprietario *pgxpool.Pool) {
	t.Helper()
	i.staccata.Store(true)
	if _, err := proprietario.Exec(context.Background(), `SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity
		WHERE application_name = $1 AND datname = current_database()`, i.applicazione()); err != nil {
		t.Fatal(err)
	}
	i.pool.Reset()
}

// riattacca lets the instance reach the database again: a process that
// was only frozen (SIGSTOP, a paused VM) and resumes.
func (i *istanza) riattacca() { i.staccata.Store(false) }

// rubinetto hands out the first primi bytes of data, then waits on
// riprendi: nil hands out the rest, an error ends the file with it.
type rubinetto struct {
	data     []byte
	primi    int
	letti    int
	riprendi chan error
	fermo    chan struct{} // closed once the first bytes are out
	err      error
}

func nuovoRubinetto(data []byte, primi int) *rubinetto {
	return &rubinetto{data: data, primi: primi, riprendi: make(chan error, 1), fermo: make(chan struct{})}
}

func (r *rubinetto) Read(p []byte) (int, error) {
	if r.letti == r.primi && r.fermo != nil {
		close(r.fermo)
		r.fermo = nil
		r.err = <-r.riprendi
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.letti >= len(r.data) {
		return 0, io.EOF
	}
	fine := len(r.data)
	if r.letti < r.primi {
		fine = r.primi
	}
	n := copy(p, r.data[r.letti:fine])
	r.letti += n
	return n, nil
}

// adagio hands the file out slowly enough that reading it takes about
// durata, whatever the size of the reads.
type adagio struct {
	r      io.Reader
	durata time.Duration
	totale int
}

func nuovoAdagio(data []byte, durata time.Duration) adagio {
	return adagio{r: bytes.NewReader(data), durata: durata, totale: len(data)}
}

func (a adagio) Read(p []byte) (int, error) {
	n, err := a.r.Read(p[:min(len(p), 8<<10)])
	time.Sleep(a.durata * time.Duration(n) / time.Duration(a.totale))
	return n, err
}

// attendi polls cond until it holds, failing the test after entro.
func attendi(t *testing.T, entro time.Duration, cosa string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(entro)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: still waiting for %s", entro, cosa)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *fixture) stato(t *testing.T, id int64) string {
	t.Helper()
	var s string
	if err := f.pool.QueryRow(context.Background(), `SELECT stato FROM importazione WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// presenti are the lines whose household (id_domanda) is in the database.
func (f *fixture) presenti(t *testing.T, lines []string) []string {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT id_domanda FROM domanda`)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range lines {
		if ids[decode(t, l)["id_domanda"].(string)] {
			out = append(out, l)
		}
	}
	return out
}

// nucleiUnaVolta checks what a user would see of the households of lines
// after they were imported, however many times and by whom: each one
// case, one domanda, one nucleo with all its members, one write of the
// case in the registro, each person once.
func (f *fixture) nucleiUnaVolta(t *testing.T, lines []string) {
	t.Helper()
	cfs := map[string]bool{}
	membriTot := 0
	for _, l := range lines {
		for _, m := range membri(decode(t, l)) {
			cfs[m.(map[string]any)["codice_fiscale"].(string)] = true
			membriTot++
		}
	}
	n := len(lines)
	for _, c := range []struct {
		cosa string
		sql  string
		want int
	}{
		{"domande", `SELECT count(*) FROM domanda`, n},
		{"cases", `SELECT count(*) FROM caso`, n},
		{"nuclei", `SELECT count(*) FROM nucleo`, n},
		{"current members", `SELECT count(*) FROM nucleo_componente WHERE al IS NULL`, membriTot},
		{"persons", `SELECT count(*) FROM persona`, len(cfs)},
		{"case writes in the registro", `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'caso' AND azione = 'scrittura'`, n},
		{"'aperto' events", `SELECT count(*) FROM caso_storico WHERE evento = 'aperto'`, n},
	} {
		if got := f.count(t, c.sql); got != c.want {
			t.Errorf("%s: %d, want %d", c.cosa, got, c.want)
		}
	}
}

// Two instances, each running an import of its own file, slower than the
// abandonment age, while both look for abandoned imports: neither takes
// the other's import (beating) for abandoned, each completes once, and
// each household is imported once.
func TestImportazioniDueIstanze(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a, b := nuovaIstanza(t, f, "a"), nuovaIstanza(t, f, "b")
	ctx := context.Background()
	const n = 1200
	linee := [][]string{f.genera(t, n, 41, 1), f.genera(t, n, 43, 100001)}

	var (
		wg    sync.WaitGroup
		ids   [2]int64
		esiti [2]importazioni.Importazione
		errs  [2]error
	)
	for k, ist := range []*istanza{a, b} {
		data := file(linee[k])
		id, err := ist.svc.Nuova(ctx, f.amb, nil, "nuclei.jsonl", int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		ids[k] = id
		wg.Add(1)
		go func() {
			defer wg.Done()
			esiti[k], errs[k] = ist.svc.Esegui(ctx, id, nuovoAdagio(data, scadenzaProva+time.Second), registro.Voce{Indirizzo: "test"})
		}()
	}
	// Meanwhile each instance reads the other's import, as its progress
	// page would (Get, too, ends an abandoned import).
	finite := make(chan struct{})
	var visti sync.Map // stato → seen
	var guardie sync.WaitGroup
	for k, ist := range []*istanza{b, a} {
		guardie.Add(1)
		go func() {
			defer guardie.Done()
			for {
				select {
				case <-finite:
					return
				case <-time.After(50 * time.Millisecond):
				}
				if imp, err := ist.svc.Get(ctx, f.amb, ids[k]); err == nil && imp.Stato != importazioni.Completata {
					visti.Store(imp.Stato, true)
				}
			}
		}()
	}
	wg.Wait()
	close(finite)
	guardie.Wait()

	visti.Range(func(k, _ any) bool {
		if k != importazioni.InCorso {
			t.Errorf("an import was seen %s while its instance was running it", k)
		}
		return true
	})
	for k := range esiti {
		if errs[k] != nil || esiti[k].Stato != importazioni.Completata || esiti[k].Errore != "" || contatori(esiti[k]) != [4]int{n, 0, 0, 0} {
			t.Errorf("instance %d's import: %+v %v", k, esiti[k], errs[k])
		}
	}
	f.nucleiUnaVolta(t, append(linee[0], linee[1]...))
	if got := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'importazione' AND azione = 'scrittura'`); got != 2 {
		t.Errorf("%d imports recorded in the registro, want 2", got)
	}
}

// The instance running an import dies in the middle of it (its
// connections cut, a chunk perhaps half written): the other instance finds
// it abandoned and ends it interrotta, with the households committed
// counted; uploading the file again there completes it. Each household is
// imported exactly once, none is half there.
func TestImportazioneIstanzaMorta(t *testing.T) {
	t.Parallel()
	f := setup(t)
	proprietario := dbtest.Proprietario(t, f.pool)
	a, b := nuovaIstanza(t, f, "a"), nuovaIstanza(t, f, "b")
	ctx := context.Background()
	const n = 2500
	lines := f.genera(t, n, 31, 1)
	data := file(lines)

	// A reads 2,200 households (two chunks handed to its writers) and
	// waits for the rest, which never comes: it dies meanwhile.
	r := nuovoRubinetto(data, len(file(lines[:2200])))
	idA, err := a.svc.Nuova(ctx, f.amb, nil, "nuclei.jsonl", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	esegue := make(chan struct{})
	go func() {
		defer close(esegue)
		_, _ = a.svc.Esegui(ctx, idA, r, registro.Voce{Indirizzo: "test"})
	}()
	t.Cleanup(func() { r.riprendi <- errors.New("processo morto"); <-esegue })
	attendi(t, 30*time.Second, "A's first chunk", func() bool { return f.count(t, `SELECT count(*) FROM domanda`) >= 1000 })
	a.stacca(t, proprietario)

	attendi(t, 30*time.Second, "B to end A's import as interrotta", func() bool { return f.stato(t, idA) == importazioni.Interrotta })
	interrotta, err := b.svc.Get(ctx, f.amb, idA)
	if err != nil {
		t.Fatal(err)
	}
	scritti := f.count(t, `SELECT count(*) FROM domanda`)
	if interrotta.Inseriti != scritti || scritti < 1000 || scritti >= n || interrotta.Errore == "" || !interrotta.Riprendibile() {
		t.Errorf("A's import once interrotta: %+v; %d households in the database", interrotta, scritti)
	}
	if got := f.count(t, `SELECT count(*) FROM domanda WHERE importazione_id = $1`, idA); got != scritti {
		t.Errorf("%d households written by A's import, %d in the database", got, scritti)
	}
	// Whatever A had open when it died is wholly there or wholly not.
	if p := f.presenti(t, lines); len(p) != scritti {
		t.Errorf("%d households of the file in the database, %d domande", len(p), scritti)
	} else {
		f.nucleiUnaVolta(t, p)
	}

	// The file uploaded again, on B, completes the import.
	path := filepath.Join(t.TempDir(), "upload.jsonl")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	idB, err := b.svc.Avvia(ctx, f.amb, path, "nuclei.jsonl", int64(len(data)), idA, registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b.svc.Attendi()
	ripresa, err := b.svc.Get(ctx, f.amb, idB)
	if err != nil || ripresa.Stato != importazioni.Completata || ripresa.RipresaDi != idA ||
		contatori(ripresa) != [4]int{n - scritti, 0, scritti, 0} {
		t.Errorf("the import taken up on B: %+v %v; want %d inseriti, %d invariati", ripresa, err, n-scritti, scritti)
	}
	if dopo, err := b.svc.Get(ctx, f.amb, idA); err != nil || dopo.Stato != importazioni.Interrotta ||
		contatori(dopo) != contatori(interrotta) || dopo.RipresaIn != idB {
		t.Errorf("A's import after it was taken up: %+v %v", dopo, err)
	}
	f.nucleiUnaVolta(t, lines)
}

// The instance running an import freezes (cut off from the database, its
// heartbeat stopped) long enough for the other to end the import as
// interrotta, then comes back and goes on reading the file: it must write
// nothing more for that import, which stays interrotta as counted, while
// the file uploaded again on the other instance completes it. Otherwise
// two instances would be running the same import.
func TestImportazioneIstanzaRitorna(t *testing.T) {
	t.Parallel()
	f := setup(t)
	proprietario := dbtest.Proprietario(t, f.pool)
	a, b := nuovaIstanza(t, f, "a"), nuovaIstanza(t, f, "b")
	ctx := context.Background()
	const n = 2000
	lines := f.genera(t, n, 37, 1)
	data := file(lines)

	// A writes its first chunk and freezes reading the second.
	r := nuovoRubinetto(data, len(file(lines[:1500])))
	idA, err := a.svc.Nuova(ctx, f.amb, nil, "nuclei.jsonl", int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var esitoA importazioni.Importazione
	esegue := make(chan struct{})
	go func() {
		defer close(esegue)
		esitoA, _ = a.svc.Esegui(ctx, idA, r, registro.Voce{Indirizzo: "test"})
	}()
	riprendi := sync.OnceFunc(func() { r.riprendi <- nil })
	t.Cleanup(func() { riprendi(); <-esegue })
	attendi(t, 30*time.Second, "A's first chunk", func() bool { return f.count(t, `SELECT count(*) FROM domanda`) >= 1000 })
	a.stacca(t, proprietario)
	attendi(t, 30*time.Second, "B to end A's import as interrotta", func() bool { return f.stato(t, idA) == importazioni.Interrotta })
	interrotta, err := b.svc.Get(ctx, f.amb, idA)
	if err != nil || interrotta.Inseriti != 1000 {
		t.Fatalf("A's import once interrotta: %+v %v", interrotta, err)
	}

	// A comes back and reads on.
	a.riattacca()
	riprendi()
	select {
	case <-esegue:
	case <-time.After(60 * time.Second):
		t.Fatal("A's import did not end once A came back")
	}
	dopo, err := b.svc.Get(ctx, f.amb, idA)
	if err != nil || dopo.Stato != importazioni.Interrotta || contatori(dopo) != contatori(interrotta) || dopo.Errore != interrotta.Errore {
		t.Errorf("A's import after A came back: %+v %v (A's run ended %s); want it interrotta as counted: %+v", dopo, err, esitoA.Stato, interrotta)
	}
	if got := f.count(t, `SELECT count(*) FROM domanda`); got != 1000 {
		t.Errorf("%d households in the database after A came back, want the 1000 written before it froze", got)
	}

	// The file uploaded again on B completes the import.
	path := filepath.Join(t.TempDir(), "upload.jsonl")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	idB, err := b.svc.Avvia(ctx, f.amb, path, "nuclei.jsonl", int64(len(data)), idA, registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	b.svc.Attendi()
	if ripresa, err := b.svc.Get(ctx, f.amb, idB); err != nil || ripresa.Stato != importazioni.Completata ||
		contatori(ripresa) != [4]int{n - 1000, 0, 1000, 0} {
		t.Errorf("the import taken up on B: %+v %v", ripresa, err)
	}
	f.nucleiUnaVolta(t, lines)
}
