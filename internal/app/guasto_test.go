package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
)

// guasto is the real binary run as a child process on one database, killed
// with SIGKILL and started again.
type guasto struct {
	t        *testing.T
	bin, dsn string
	addr     string
	cmd      *exec.Cmd
	out      *syncBuffer
	// pubblico is BASE_URL when the process sits behind a load balancer
	// (due_istanze_test.go); proprietario is DATABASE_OWNER_URL, if any.
	pubblico, proprietario string
}

func (g *guasto) base() string { return "http://" + g.addr }

// avvia starts `cartella demo --nuclei 20` on the database and waits until
// it answers /readyz.
func (g *guasto) avvia() {
	g.t.Helper()
	g.out = &syncBuffer{}
	g.cmd = exec.Command(g.bin, "demo", "--nuclei", "20")
	pubblico := g.base()
	if g.pubblico != "" {
		pubblico = g.pubblico
	}
	g.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DATABASE_URL=" + g.dsn,
		"LISTEN_ADDR=" + g.addr, "BASE_URL=" + pubblico, "LOG_LEVEL=warn", "REGISTRO_CHIAVE_FILE=" + chiaveTest}
	if g.proprietario != "" {
		g.cmd.Env = append(g.cmd.Env, "DATABASE_OWNER_URL="+g.proprietario)
	}
	g.cmd.Stdout, g.cmd.Stderr = g.out, g.out
	if err := g.cmd.Start(); err != nil {
		g.t.Fatal(err)
	}
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(g.base() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(30 * time.Millisecond)
	}
	_ = g.cmd.Process.Kill()
	_ = g.cmd.Wait()
	g.t.Fatalf("cartella not ready in 45 s:\n%s", g.out)
}

// uccidi kills the process with SIGKILL: no shutdown, no flushing.
func (g *guasto) uccidi() {
	g.t.Helper()
	if err := g.cmd.Process.Kill(); err != nil {
		g.t.Fatal(err)
	}
	_ = g.cmd.Wait()
}

// accedi signs username in through the demo provider, as a browser does.
func accedi(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	id, action := reHiddenID.FindStringSubmatch(body), reAction.FindStringSubmatch(body)
	if id == nil || action == nil {
		t.Fatalf("login form without id or action:\n%s", body)
	}
	resp, err = c.PostForm(base+action[1], url.Values{"id": {id[1]}, "username": {username}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("login %s: %d", username, resp.StatusCode)
	}
	return c
}

var (
	reCasoLink  = regexp.MustCompile(`href="/casi/([0-9a-f-]{36})"`)
	reRevisione = regexp.MustCompile(`name="revisione" value="(\d+)"`)
)

// inviata is a diary note as posted, with what came back.
type inviata struct {
	form     url.Values
	testo    string
	risposta bool // an answer arrived (any status)
	scritta  bool // the answer acknowledged the write (303 to the diary)
}

// Notes and analisi drafts written by concurrent clients while cartella
// is killed with SIGKILL three times and started again on the same
// database: every write acknowledged to a client is there afterwards;
// every request whose answer never arrived, and some whose answer did,
// sent again with the same idempotency key, leave exactly one note.
func TestGuastoKill9ScrittureERipetizioni(t *testing.T) {
	t.Parallel()
	inizio := time.Now()
	dir := t.TempDir()
	g := &guasto{t: t, bin: filepath.Join(dir, "cartella"), dsn: dbtest.EmptyURL(t), addr: freeAddr(t)}
	build := exec.Command("go", "build", "-o", g.bin, "./cmd/cartella")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	g.avvia()
	t.Cleanup(func() {
		if g.cmd.ProcessState == nil {
			_ = g.cmd.Process.Kill()
			_ = g.cmd.Wait()
		}
	})
	t.Logf("built and started (migrations, demo data) in %s", time.Since(inizio).Round(time.Millisecond))

	cm := accedi(t, g.base(), "casemanager")
	nf := &http.Client{Jar: cm.Jar, Timeout: 5 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var casi []string
	for _, m := range reCasoLink.FindAllStringSubmatch(get(t, cm, g.base()+"/casi"), -1) {
		if !strings.Contains(strings.Join(casi, " "), m[1]) {
			casi = append(casi, m[1])
		}
	}
	// Two cases with an analisi draft (started here if need be), one for
	// the diary.
	var bozze []string
	for _, id := range casi {
		if len(bozze) == 2 {
			break
		}
		u := g.base() + "/casi/" + id + "/analisi-preliminare"
		page := get(t, cm, u)
		if strings.Contains(page, `data-testid="inizia"`) {
			form := url.Values{}
			if m := reIdempotenza.FindStringSubmatch(page); m != nil {
				form.Set("idempotenza", m[1])
			}
			resp, err := cm.PostForm(u+"/inizia", form)
			if err != nil {
				t.Fatal(err)
			}
			page = readBody(t, resp)
		}
		if strings.Contains(page, `data-testid="modulo"`) && reRevisione.MatchString(page) {
			bozze = append(bozze, id)
		}
	}
	if len(casi) < 3 || len(bozze) < 2 {
		t.Fatalf("the case manager has %d cases, %d with an analisi draft: want 3 and 2", len(casi), len(bozze))
	}
	diario := g.base() + "/casi/" + casi[len(casi)-1] + "/diario"
	oggi := time.Now().In(calendario.Roma).Format("2006-01-02")

	var (
		fine            atomic.Bool
		mu              sync.Mutex
		note            []*inviata
		fase            atomic.Int32 // how many times cartella was killed so far
		perFase         [4]int       // acknowledged writes per phase
		bozzeConfermate int
		wg              sync.WaitGroup
	)
	conferma := func() {
		mu.Lock()
		perFase[fase.Load()]++
		mu.Unlock()
	}
	chiave := func() string {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	// Diary writers: a fresh key per note, as a newly rendered form has.
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !fine.Load(); i++ {
				n := &inviata{testo: fmt.Sprintf("Nota di prova %d-%d scritta durante i guasti.", w, i)}
				n.form = url.Values{"idempotenza": {chiave()}, "data_evento": {oggi}, "categoria": {"ordinaria"}, "testo": {n.testo}}
				resp, err := nf.PostForm(diario, n.form)
				if err == nil {
					resp.Body.Close()
					n.risposta = true
					n.scritta = resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "/diario?salvata=1")
				}
				mu.Lock()
				note = append(note, n)
				mu.Unlock()
				if n.scritta {
					conferma()
				} else {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	// Draft writers: one per case, each save at the revisione just read.
	ultima := make([]int, len(bozze)) // last acknowledged save per case
	for w, id := range bozze {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := g.base() + "/casi/" + id + "/analisi-preliminare"
			for i := 1; !fine.Load(); i++ {
				resp, err := nf.Get(u)
				if err != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				m := reRevisione.FindSubmatch(b)
				if err != nil || m == nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				resp, err = nf.PostForm(u, url.Values{"revisione": {string(m[1])}, "n-note": {fmt.Sprintf("Bozza salvata numero %d.", i)}})
				if err != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "salvata") {
					mu.Lock()
					ultima[w] = i
					bozzeConfermate++
					mu.Unlock()
					conferma()
				}
			}
		}()
	}
	// Each phase lasts until some writes are acknowledged (a loaded
	// machine is slow, not a failure), then a little more: the kill lands
	// among requests in flight.
	attendi := func(f int) {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			n := perFase[f]
			mu.Unlock()
			if n >= 8 {
				break
			}
		}
		time.Sleep(time.Duration(50+mrand.IntN(250)) * time.Millisecond)
	}
	const uccisioni = 3
	for k := range uccisioni {
		attendi(k)
		g.uccidi()
		fase.Add(1)
		g.avvia()
	}
	attendi(uccisioni)
	fine.Store(true)
	wg.Wait()

	// Every acknowledged write is there.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, g.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	quante := func(testo string) int {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM diario_nota WHERE testo = $1`, testo).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	confermate, senzaRisposta := 0, 0
	for _, n := range note {
		if n.scritta {
			confermate++
			if c := quante(n.testo); c != 1 {
				t.Errorf("acknowledged note %q: %d copies after the restarts, want 1", n.testo, c)
			}
		}
		if !n.risposta {
			senzaRisposta++
		}
	}
	reBozza := regexp.MustCompile(`Bozza salvata numero (\d+)\.`)
	for w, id := range bozze {
		m := reBozza.FindStringSubmatch(get(t, cm, g.base()+"/casi/"+id+"/analisi-preliminare"))
		got := -1
		if m != nil {
			got, _ = strconv.Atoi(m[1])
		}
		if got < ultima[w] {
			t.Errorf("draft of case %s: save %d, but save %d was acknowledged", id, got, ultima[w])
		}
	}
	for f, n := range perFase {
		if n == 0 {
			t.Errorf("no write acknowledged in phase %d (%v): the clients did not work across the restarts", f, perFase)
		}
	}

	// The requests whose answer never arrived, and ten whose answer did,
	// sent again with the same key: one note each.
	ripetute, giaScritte := 0, 0
	dieci := 0
	for _, n := range note {
		if n.risposta && !(n.scritta && dieci < 10) {
			continue
		}
		if n.scritta {
			dieci++
		}
		if !n.scritta && quante(n.testo) == 1 {
			giaScritte++ // written, but its answer was lost with the process
		}
		resp, err := nf.PostForm(diario, n.form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		ripetute++
		if resp.StatusCode != http.StatusSeeOther || quante(n.testo) != 1 {
			t.Errorf("note %q sent again with its key: %d, %d copies, want 303 and 1", n.testo, resp.StatusCode, quante(n.testo))
		}
	}
	t.Logf("%d notes acknowledged, %d drafts saves acknowledged (last %v), %d requests without answer (%d of them written), "+
		"%d sent again; %d kills; per phase %v; %s in all",
		confermate, bozzeConfermate, ultima, senzaRisposta, giaScritte, ripetute, uccisioni, perFase, time.Since(inizio).Round(time.Millisecond))
}
