package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/flusso"
)

// startAppOn is startApp on the database of pool, with env added to the
// configuration.
func startAppOn(t *testing.T, pool *pgxpool.Pool, env map[string]string) *testApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Load(config.Demo, func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return map[string]string{"BASE_URL": base, "LISTEN_ADDR": ln.Addr().String(), "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewJSONHandler(tWriter{t}, nil))
	}
	d, err := newServer(context.Background(), cfg, pool, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(routes(d))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return &testApp{Server: srv, d: d}
}

// modificati is the flow of data with every household changed (its
// esiti_controlli): imported after data, each line is an update, written
// in its own transaction.
func modificati(t *testing.T, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var h map[string]any
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatal(err)
		}
		h["esiti_controlli"] = "verifica anagrafica ripetuta"
		b, _ := json.Marshal(h)
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// Finding 3 of issue 20: cartella killed with SIGKILL during a large
// import. At the next start the import is interrotta (not "in corso" for
// ever), its counters are exactly the households it committed, the page
// stops reloading itself and explains in Italian how to complete it; the
// uploaded files left behind by the dead process are gone, those of a
// living instance are not, nor is a living instance's import; uploading
// the same file again from the page's button completes the import where
// it stopped, linked to the interrupted one.
func TestImportInterrottaDaCrash(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	ctx := context.Background()
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := demo.Load(ctx, accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	const n = 1500
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, n, flusso.Opzioni{Seme: 41, Oggi: casi.Oggi(time.Now()),
		Comuni: []string{demo.Comuni[0].CodiceISTAT, demo.Comuni[1].CodiceISTAT, demo.Comuni[2].CodiceISTAT}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	primo, secondo := filepath.Join(dir, "nuclei-ottobre.jsonl"), filepath.Join(dir, "nuclei-novembre.jsonl")
	dati := modificati(t, buf.Bytes())
	if err := os.WriteFile(primo, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(secondo, dati, 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	var out bytes.Buffer
	if err := Run(ctx, []string{"cartella", "import", "nuclei", "--ambito", demo.AmbitoCodice, primo}, env, &out, &out); err != nil {
		t.Fatalf("first import: %v\n%s", err, out.String())
	}
	count := func(sql string, args ...any) int {
		t.Helper()
		var c int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	prima := count(`SELECT COALESCE(max(id), 0) FROM importazione`)

	// The second file, every household changed, by a cartella process
	// killed with SIGKILL once a few hundred households are committed.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn,
		"CARTELLA_TEST_COMANDO="+strings.Join([]string{"import", "nuclei", "--ambito", demo.AmbitoCodice, secondo}, "\x1f"))
	var figlio bytes.Buffer
	cmd.Stdout, cmd.Stderr = &figlio, &figlio
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id := 0
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the second import never got going:\n%s", figlio.String())
		}
		if id == 0 {
			id = count(`SELECT COALESCE(max(id), 0) FROM importazione WHERE id > $1`, prima)
			continue
		}
		if count(`SELECT count(*) FROM domanda WHERE importazione_id = $1`, id) >= 300 {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	var stato string
	if err := pool.QueryRow(ctx, `SELECT stato FROM importazione WHERE id = $1`, id).Scan(&stato); err != nil || stato != "in_corso" {
		t.Fatalf("after SIGKILL the import is %q (%v), want still in_corso: make the file larger", stato, err)
	}
	committed := count(`SELECT count(*) FROM domanda WHERE importazione_id = $1`, id)
	t.Logf("killed with %d of %d households committed", committed, n)
	// The dead process's heartbeat, as it stands after the lease ran out
	// (importazioni.Scadenza): the restart comes later than that.
	_, _ = pool.Exec(ctx, `UPDATE importazione SET battito = now() - interval '1 hour' WHERE id = $1`, id)
	// An import of another instance, alive: its heartbeat is fresh.
	var vivo int
	if err := pool.QueryRow(ctx, `INSERT INTO importazione (ambito_id, file_nome)
		SELECT id, 'altra-istanza.jsonl' FROM ambito WHERE codice = $1 RETURNING id`, demo.AmbitoCodice).Scan(&vivo); err != nil {
		t.Fatal(err)
	}

	// What the dead left in the upload directory, and in the system's
	// temporary directory (before this version), and a living instance's
	// upload (its directory locked).
	caricati := filepath.Join(dir, "upload")
	morto := filepath.Join(caricati, "proc-morto")
	vivoDir := filepath.Join(caricati, "proc-vivo")
	for _, d := range []string{morto, vivoDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	scrivi := func(p string) {
		if err := os.WriteFile(p, []byte(`{"id_domanda":"INPS-1","componenti":[{"codice_fiscale":"RSSMRA80A01H501U"}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	scrivi(filepath.Join(morto, ".lock"))
	scrivi(filepath.Join(morto, "cartella-nuclei-1.jsonl"))
	scrivi(filepath.Join(vivoDir, "cartella-nuclei-2.jsonl"))
	lock, err := os.OpenFile(filepath.Join(vivoDir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	vecchio := filepath.Join(os.TempDir(), "cartella-nuclei-test"+strconv.Itoa(os.Getpid())+strconv.Itoa(id)+".jsonl")
	scrivi(vecchio)
	ieri := time.Now().Add(-24 * time.Hour)
	if err := os.Chtimes(vecchio, ieri, ieri); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(vecchio)

	// The next start.
	a := startAppOn(t, pool, map[string]string{"UPLOAD_DIR": caricati})
	type riga struct {
		stato                                     string
		inseriti, aggiornati, invariati, scartati int
		errore                                    string
	}
	leggi := func(id int) riga {
		t.Helper()
		var r riga
		if err := pool.QueryRow(ctx, `SELECT stato, inseriti, aggiornati, invariati, scartati, errore FROM importazione WHERE id = $1`, id).
			Scan(&r.stato, &r.inseriti, &r.aggiornati, &r.invariati, &r.scartati, &r.errore); err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := leggi(id)
	if r.stato != "interrotta" {
		t.Errorf("after the restart the killed import is %q, want interrotta", r.stato)
	}
	if got := r.inseriti + r.aggiornati; got != committed {
		t.Errorf("counters of the killed import: %d inseriti + %d aggiornati, but %d households committed", r.inseriti, r.aggiornati, committed)
	}
	if sc := count(`SELECT count(*) FROM importazione_scarto WHERE importazione_id = $1`, id); r.scartati != sc {
		t.Errorf("%d rejected lines counted, %d kept", r.scartati, sc)
	}
	if s := leggi(vivo).stato; s != "in_corso" {
		t.Errorf("the living instance's import became %q", s)
	}
	for _, p := range []string{morto, vecchio} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left by the dead process is still there (%v)", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(vivoDir, "cartella-nuclei-2.jsonl")); err != nil {
		t.Errorf("the living instance's upload was removed: %v", err)
	}

	// The page: interrotta, explained, not reloading, with the way out.
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)
	pagina := func(path string) string {
		t.Helper()
		resp, err := c.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return body
	}
	sid := strconv.Itoa(id)
	body := pagina("/importazioni/" + sid)
	for _, want := range []string{`data-testid="stato">Interrotta`, `data-testid="interrotta"`, "carica di nuovo lo stesso file",
		`href="/importazioni/nuova?riprendi=` + sid + `"`, `data-testid="aggiornati">` + numeroIT(committed) + `<`} {
		if !strings.Contains(body, want) {
			t.Errorf("page of the interrupted import lacks %q", want)
		}
	}
	if strings.Contains(body, `http-equiv="refresh"`) || strings.Contains(body, `data-testid="in-corso"`) {
		t.Error("the page of the interrupted import still reloads itself")
	}
	body = pagina("/importazioni/nuova?riprendi=" + sid)
	if !strings.Contains(body, `data-testid="riprendi"`) || !strings.Contains(body, `action="/importazioni?riprendi=`+sid+`"`) {
		t.Errorf("the upload form does not take up import %s", sid)
	}

	// Uploading the same file again completes it.
	noRedirect := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp := upload(t, noRedirect, a.URL+"/importazioni?riprendi="+sid, "nuclei-novembre.jsonl", dati)
	readBody(t, resp)
	loc := resp.Header.Get("Location")
	m := reImportazione.FindStringSubmatch(loc)
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("upload again: %d to %q", resp.StatusCode, loc)
	}
	a.d.nuclei.Attendi()
	nuovo, _ := strconv.Atoi(m[1])
	r2 := leggi(nuovo)
	if r2.stato != "completata" || r2.aggiornati != n-committed || r2.invariati != committed || r2.inseriti != 0 {
		t.Errorf("the import taken up: %+v, want completata with %d aggiornati and %d invariati", r2, n-committed, committed)
	}
	if got := count(`SELECT count(*) FROM domanda WHERE esiti_controlli = 'verifica anagrafica ripetuta'`); got != n {
		t.Errorf("%d households updated in all, want %d", got, n)
	}
	if body := pagina(loc); !strings.Contains(body, `data-testid="ripresa-di"`) || !strings.Contains(body, `href="/importazioni/`+sid+`"`) {
		t.Errorf("the new import does not link the interrupted one")
	}
	if body := pagina("/importazioni/" + sid); !strings.Contains(body, `data-testid="ripresa-in"`) || !strings.Contains(body, `href="`+loc+`"`) {
		t.Errorf("the interrupted import does not link the one that took it up")
	}
	// Nothing of the uploads is left but the living instance's.
	var rimasti []string
	_ = filepath.Walk(caricati, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasPrefix(fi.Name(), "cartella-nuclei-") {
			rimasti = append(rimasti, p)
		}
		return nil
	})
	if len(rimasti) != 1 || !strings.HasPrefix(rimasti[0], vivoDir) {
		t.Errorf("uploaded files left: %v", rimasti)
	}
}

// numeroIT writes n with the Italian thousands separator.
func numeroIT(n int) string {
	s := strconv.Itoa(n)
	if len(s) > 3 {
		return s[:len(s)-3] + "." + s[len(s)-3:]
	}
	return s
}

// The same for the controlli imports (synchronous, one request per
// transaction): after cartella is killed with SIGKILL during
// `cartella import controlli`, the import's counters are exactly the
// requests committed, and the same file imported again completes it.
func TestImportControlliInterrottaDaCrash(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	ctx := context.Background()
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := demo.Load(ctx, accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	cf := codicefiscale.Compute("Rossi", "Mario", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), "M", "A944")
	const n = 4000
	var buf bytes.Buffer
	for i := range n {
		fmt.Fprintf(&buf, `{"versione_tracciato":1,"id_richiesta":"INPS-VER-K%05d","tipo":"residenza","comune":"037011","codice_fiscale":"%s",`+
			`"cognome":"Rossi","nome":"Mario","data_richiesta":"2026-01-10","data_riferimento":"2026-01-05"}`+"\n", i, cf)
	}
	file := filepath.Join(t.TempDir(), "richieste.jsonl")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	count := func(sql string, args ...any) int {
		t.Helper()
		var c int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn, "CARTELLA_TEST_COMANDO=import\x1fcontrolli\x1f"+file)
	var figlio bytes.Buffer
	cmd.Stdout, cmd.Stderr = &figlio, &figlio
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	id := 0
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the import never got going:\n%s", figlio.String())
		}
		if id == 0 {
			id = count(`SELECT COALESCE(max(id), 0) FROM controllo_importazione`)
			continue
		}
		if count(`SELECT count(*) FROM controllo_richiesta WHERE importazione_id = $1`, id) >= 300 {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	committed := count(`SELECT count(*) FROM controllo_richiesta WHERE importazione_id = $1`, id)
	if committed >= n {
		t.Fatalf("the import ended before the kill: make the file larger")
	}
	t.Logf("killed with %d of %d requests committed", committed, n)
	var inserite, righe int
	var sha []byte
	if err := pool.QueryRow(ctx, `SELECT inserite, righe, sha256 FROM controllo_importazione WHERE id = $1`, id).Scan(&inserite, &righe, &sha); err != nil {
		t.Fatal(err)
	}
	if inserite != committed || righe < committed {
		t.Errorf("the killed import counts %d requests inserted (%d lines), but %d were committed", inserite, righe, committed)
	}
	if !bytes.Equal(sha, make([]byte, 32)) {
		t.Errorf("the killed import has the SHA-256 of a file read whole")
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	var out bytes.Buffer
	if err := Run(ctx, []string{"cartella", "import", "controlli", file}, env, &out, &out); err != nil {
		t.Fatalf("import again: %v\n%s", err, out.String())
	}
	if want := fmt.Sprintf("%d righe: %d richieste inserite, %d invariate, 0 righe scartate", n, n-committed, committed); !strings.Contains(out.String(), want) {
		t.Errorf("the import again says %q, want %q", out.String(), want)
	}
}
