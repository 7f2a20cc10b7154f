package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/registro"
)

// configHAProxy is the load balancer of TestDueIstanze, and the example of
// docs/operations.md ("Più istanze"): round robin over the instances with
// health checks on /readyz; a request whose connection fails, or whose
// instance dies before answering, is sent again to the other. The demo's
// built-in OpenID provider keeps its logins in memory, so /demo-idp goes
// to one instance by source address (every client and instance here is
// 127.0.0.1: one instance, as an external provider would be one); a real
// installation's provider is outside and needs no such rule.
const configHAProxy = `global
	maxconn 512
	log stdout format raw local0

defaults
	mode http
	log global
	log-format "%%b/%%s %%ST %%rc %%HM %%HU"
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	option redispatch 1
	retries 3
	retry-on conn-failure empty-response

frontend web
	bind %[1]s
	http-response set-header X-Istanza %%s
	use_backend idp if { path_beg /demo-idp }
	default_backend cartella

backend cartella
	balance roundrobin
	option httpchk GET /readyz
	server a %[2]s check inter 300ms fall 1 rise 2
	server b %[3]s check inter 300ms fall 1 rise 2

backend idp
	balance source
	hash-type consistent
	option httpchk GET /readyz
	server a %[2]s check inter 300ms fall 1 rise 2
	server b %[3]s check inter 300ms fall 1 rise 2
`

// haproxyBin finds Debian's haproxy (`make haproxy`); CI must have it.
func haproxyBin(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	if os.Getenv("CI") != "" {
		t.Fatal("haproxy is missing: `make haproxy` installs it (make test does)")
	}
	t.Skip("haproxy is missing: `make haproxy` installs it")
	return ""
}

// accediPresso signs username in through base, as accedi does, and
// returns the client whatever the page after the login answers (an
// operator whose role casbin does not know yet gets 403 there).
func accediPresso(t *testing.T, base, username string) *http.Client {
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
	readBody(t, resp)
	return c
}

// nota is a diary note posted through the load balancer: the client sends
// it again, with the same idempotency key, while the answer is missing or
// a 502/503/504 of the balancer.
type nota struct {
	testo     string
	tentativi int
	scritta   bool // the last answer was the 303 of a saved note
	ultimo    string
}

// Two `cartella demo` processes on one database behind haproxy: sessions,
// casbin bindings and writes are shared. An operator accredited (then
// revoked) elsewhere is let in (then refused) by both instances within two
// seconds, through the NOTIFY of the change; under load, one instance is
// killed with SIGKILL, and every write acknowledged is in the database
// once, no request fails beyond the ones sent again, and the sessions the
// dead instance served go on on the other one; the registro still
// verifies.
func TestDueIstanze(t *testing.T) {
	t.Parallel()
	hap := haproxyBin(t)
	inizio := time.Now()
	ctx := context.Background()
	dir := t.TempDir()
	bin := filepath.Join(dir, "cartella")
	build := exec.Command("go", "build", "-o", bin, "./cmd/cartella")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built in %s", time.Since(inizio).Round(time.Millisecond))

	// One database, migrated; the application's role connects, the owner
	// migrates. The test created it, so it marks it as the demo's.
	dsn := dbtest.URL(t)
	owner := dbtest.ProprietarioURL(t, dsn)
	oc, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oc.Exec(ctx, `CREATE TABLE cartella_demo (creato_il timestamptz NOT NULL DEFAULT now(), nota text NOT NULL);
		INSERT INTO cartella_demo (nota) VALUES ('TestDueIstanze')`); err != nil {
		t.Fatal(err)
	}
	oc.Close(ctx)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	conta := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	lbAddr := freeAddr(t)
	lb := "http://" + lbAddr
	istanze := map[string]*guasto{}
	for _, nome := range []string{"a", "b"} {
		istanze[nome] = &guasto{t: t, bin: bin, dsn: dsn, addr: freeAddr(t), pubblico: lb, proprietario: owner}
	}
	t.Cleanup(func() {
		for _, g := range istanze {
			if g.cmd != nil && g.cmd.ProcessState == nil {
				_ = g.cmd.Process.Kill()
				_ = g.cmd.Wait()
			}
		}
	})
	// One after the other: the second finds the demo data loaded and
	// loads nothing twice.
	istanze["a"].avvia()
	casiDopoA := conta(`SELECT count(*) FROM caso`)
	istanze["b"].avvia()
	if n := conta(`SELECT count(*) FROM caso`); n != casiDopoA || casiDopoA == 0 {
		t.Fatalf("cases: %d after the first start, %d after the second: the demo data loaded twice (or never)", casiDopoA, n)
	}
	if n := conta(`SELECT count(*) FROM ambito WHERE codice = $1`, demo.AmbitoCodice); n != 1 {
		t.Fatalf("%d demo ambiti", n)
	}

	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(configHAProxy, lbAddr, istanze["a"].addr, istanze["b"].addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	hout := &syncBuffer{}
	hcmd := exec.Command(hap, "-db", "-f", cfg)
	hcmd.Stdout, hcmd.Stderr = hout, hout
	if err := hcmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hcmd.Process.Kill(); _ = hcmd.Wait() })
	// Ready when both instances answer through it.
	visti := map[string]bool{}
	for deadline := time.Now().Add(20 * time.Second); len(visti) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("haproxy: both instances not seen in 20 s (%v):\n%s", visti, hout)
		}
		if resp, err := http.Get(lb + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				visti[resp.Header.Get("X-Istanza")] = true
			}
		}
	}
	t.Logf("two instances and haproxy up in %s", time.Since(inizio).Round(time.Millisecond))

	senzaRedirect := func(c *http.Client) *http.Client {
		return &http.Client{Jar: c.Jar, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}

	// Casbin: an operator accredited by a third process (this test, as
	// an instance or `cartella` command would) is let in by both instances
	// within two seconds, and refused by both once revoked.
	acc := accesso.NewService(mustPool(t, dsn))
	ps, err := demo.Principals(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	admin := ps["amministratore"]
	comuni, err := acc.ComuniAmbito(ctx, admin)
	if err != nil || len(comuni) == 0 {
		t.Fatalf("comuni of the demo ambito: %v, %v", comuni, err)
	}
	nuovo := demo.Account{Username: "nuova", Ruolo: authz.CaseManager, Nome: "Nora", Cognome: "Nuovissima", Genere: "F",
		Nascita: time.Date(1990, 4, 5, 0, 0, 0, 0, time.UTC)}
	cf := nuovo.CodiceFiscale()
	oggi := time.Now().In(calendario.Roma)
	ambitoID := admin.AmbitoID
	op, err := acc.Accredit(ctx, accesso.Operatore{CodiceFiscale: cf, Nome: nuovo.Nome, Cognome: nuovo.Cognome, Genere: "F",
		ComuneNascita: "Bologna", DataNascita: &nuovo.Nascita, Email: "nuova@ambito-demo.example", Telefono: "051 000 0000", AmbitoID: ambitoID},
		[]accesso.Assegnazione{{Ruolo: authz.CaseManager, AmbitoID: ambitoID, ComuneID: &comuni[0].ID, Fondo: "Fondo Povertà"}})
	if err != nil {
		t.Fatal(err)
	}
	accreditata := time.Now()
	nc := senzaRedirect(accediPresso(t, lb, cf))
	entrata := time.Now()
	// esiti polls /casi through the balancer until both instances
	// answered want, or two seconds passed since da. Without the NOTIFY
	// both would answer 403 for up to a minute (the periodic reload).
	esiti := func(da time.Time, vuole func(int) bool, cosa string) time.Duration {
		t.Helper()
		ok := map[string]bool{}
		ultimi := map[string]int{}
		for len(ok) < 2 {
			if time.Since(da) > 2*time.Second {
				t.Fatalf("%s: after 2 s the instances answered %v (want both)", cosa, ultimi)
			}
			resp, err := nc.Get(lb + "/casi")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			ist := resp.Header.Get("X-Istanza")
			ultimi[ist] = resp.StatusCode
			if vuole(resp.StatusCode) {
				ok[ist] = true
			}
			time.Sleep(20 * time.Millisecond)
		}
		return time.Since(da)
	}
	tIngresso := esiti(entrata, func(s int) bool { return s == http.StatusOK }, "operator accredited elsewhere")
	scheda, err := acc.SchedaOperatore(ctx, admin, op.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.ChangeStato(ctx, admin, op.ID, scheda.Versione, accesso.Revoca, oggi.Format("2006-01-02"), "Prova di revoca tra istanze.", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	tRifiuto := esiti(time.Now(), func(s int) bool { return s != http.StatusOK }, "operator revoked elsewhere")
	t.Logf("accreditation seen by both instances %s after the login (%s after the change), revocation in %s",
		tIngresso.Round(time.Millisecond), entrata.Add(tIngresso).Sub(accreditata).Round(time.Millisecond), tRifiuto.Round(time.Millisecond))

	// The cruscotto's exports, requested through the balancer: both
	// instances' workers claim them (SKIP LOCKED), each is made once.
	const esportazioni = 6
	co := accedi(t, lb, "coordinatore")
	for range esportazioni {
		resp, err := co.PostForm(lb+"/report/esportazioni", url.Values{"tipo": {"casi-comune"}, "formato": {"csv"}})
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if !strings.HasPrefix(resp.Request.URL.Path, "/report/esportazioni/") {
			t.Fatalf("export request ended at %s (%d)", resp.Request.URL.Path, resp.StatusCode)
		}
	}
	var pronte, rifatteExp, istanzeExp int
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE stato = 'pronta'), count(*) FILTER (WHERE tentativi <> 1),
				count(DISTINCT istanza) FROM esportazione`).Scan(&pronte, &rifatteExp, &istanzeExp); err != nil {
			t.Fatal(err)
		}
		if pronte == esportazioni {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d exports ready after 60 s", pronte, esportazioni)
		}
	}
	if rifatteExp != 0 {
		t.Errorf("%d exports made more than once", rifatteExp)
	}
	t.Logf("%d exports made once each, by %d instance(s)", pronte, istanzeExp)

	// Virtual users, signed in through the balancer, each session served
	// by a (the instance killed below) before the load begins.
	const utenti = 6
	type utente struct{ c *http.Client }
	var us []utente
	for range utenti {
		c := accediPresso(t, lb, "casemanager")
		for k := 0; ; k++ {
			resp, err := c.Get(lb + "/casi")
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /casi after login: %d", resp.StatusCode)
			}
			if resp.Header.Get("X-Istanza") == "a" {
				break
			}
			if k == 5 {
				t.Fatal("six requests of one session, none to a: not round robin")
			}
		}
		us = append(us, utente{c: senzaRedirect(c)})
	}
	var casi []string
	for _, m := range reCasoLink.FindAllStringSubmatch(get(t, us[0].c, lb+"/casi"), -1) {
		if !strings.Contains(strings.Join(casi, " "), m[1]) {
			casi = append(casi, m[1])
		}
	}
	if len(casi) < 2 {
		t.Fatalf("the case manager has %d cases: want 2", len(casi))
	}
	chiave := func() string {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	ritentabile := func(s int) bool {
		return s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout
	}

	var (
		fine           atomic.Bool
		uccisa         atomic.Bool
		mu             sync.Mutex
		note           []*nota
		letture        int
		lettureFallite []string
		ripetizioni    int // requests sent again after a missing answer or a 502/503/504
		perIstanza     = map[string]int{}
		dopoUccisione  int // notes acknowledged after the kill
		wg             sync.WaitGroup
	)
	dataEvento := oggi.Format("2006-01-02")
	for w, u := range us {
		wg.Add(1)
		go func() {
			defer wg.Done()
			diario := lb + "/casi/" + casi[w%len(casi)] + "/diario"
			scheda := lb + "/casi/" + casi[(w+1)%len(casi)]
			for i := 0; !fine.Load(); i++ {
				// A write, sent again with its key until it is answered.
				n := &nota{testo: fmt.Sprintf("Nota %d-%d scritta con due istanze.", w, i)}
				form := url.Values{"idempotenza": {chiave()}, "data_evento": {dataEvento}, "categoria": {"ordinaria"}, "testo": {n.testo}}
				for n.tentativi < 8 {
					n.tentativi++
					resp, err := u.c.PostForm(diario, form)
					if err != nil {
						n.ultimo = err.Error()
						time.Sleep(100 * time.Millisecond)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					n.ultimo = resp.Status
					if ritentabile(resp.StatusCode) {
						time.Sleep(100 * time.Millisecond)
						continue
					}
					n.scritta = resp.StatusCode == http.StatusSeeOther && strings.Contains(resp.Header.Get("Location"), "/diario?")
					mu.Lock()
					perIstanza[resp.Header.Get("X-Istanza")]++
					if n.scritta && uccisa.Load() {
						dopoUccisione++
					}
					mu.Unlock()
					break
				}
				mu.Lock()
				note = append(note, n)
				ripetizioni += n.tentativi - 1
				mu.Unlock()
				// A read, sent again the same way.
				esito := ""
				for k := 0; k < 8; k++ {
					resp, err := u.c.Get(scheda)
					if err != nil {
						esito = err.Error()
						time.Sleep(100 * time.Millisecond)
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					esito = resp.Status
					if ritentabile(resp.StatusCode) {
						mu.Lock()
						ripetizioni++
						mu.Unlock()
						time.Sleep(100 * time.Millisecond)
						continue
					}
					if resp.StatusCode == http.StatusOK {
						esito = ""
					}
					break
				}
				mu.Lock()
				letture++
				if esito != "" {
					lettureFallite = append(lettureFallite, esito)
				}
				mu.Unlock()
			}
		}()
	}
	// Some writes on both instances, then SIGKILL to a among requests in
	// flight, then three seconds more on b alone.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		na, nb := perIstanza["a"], perIstanza["b"]
		mu.Unlock()
		if na >= 10 && nb >= 10 {
			break
		}
	}
	uccisa.Store(true)
	istanze["a"].uccidi()
	uccisaIl := time.Now()
	for time.Since(uccisaIl) < 3*time.Second || func() bool { mu.Lock(); defer mu.Unlock(); return dopoUccisione < 10 }() {
		if time.Since(uccisaIl) > 30*time.Second {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	fine.Store(true)
	wg.Wait()

	// No write lost, none twice, no failure beyond the requests sent again.
	scritte := 0
	for _, n := range note {
		c := conta(`SELECT count(*) FROM diario_nota WHERE testo = $1`, n.testo)
		switch {
		case n.scritta:
			scritte++
			if c != 1 {
				t.Errorf("acknowledged note %q: %d copies, want 1", n.testo, c)
			}
		case c > 1:
			t.Errorf("note %q: %d copies", n.testo, c)
		default:
			t.Errorf("note %q: no success after %d tries (last: %s)", n.testo, n.tentativi, n.ultimo)
		}
	}
	if len(lettureFallite) > 0 {
		t.Errorf("%d of %d reads failed after their tries: %v", len(lettureFallite), letture, lettureFallite)
	}
	if perIstanza["a"] == 0 || perIstanza["b"] == 0 || dopoUccisione == 0 {
		t.Errorf("writes per instance %v, %d after the kill: want some on each, and after", perIstanza, dopoUccisione)
	}
	// The sessions a served go on on b.
	for _, u := range us {
		resp, err := u.c.Get(lb + "/casi")
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Istanza") != "b" {
			t.Errorf("a session a served, after the kill: %d from %q, want 200 from b", resp.StatusCode, resp.Header.Get("X-Istanza"))
		}
	}

	// What haproxy did at the kill: requests it sent again by itself
	// (%rc > 0), answers 5xx it gave (each followed by the client's try
	// again, counted above).
	rifatte, errori := 0, 0
	for _, riga := range strings.Split(hout.String(), "\n") {
		f := strings.Fields(riga)
		if len(f) < 3 || !strings.HasPrefix(f[0], "cartella/") {
			continue
		}
		if f[2] != "0" {
			rifatte++
		}
		if strings.HasPrefix(f[1], "5") {
			errori++
		}
	}

	// The registro degli accessi, written by both instances (and sealed by
	// them in turns), verifies.
	var out bytes.Buffer
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	if err := Run(ctx, []string{"cartella", "audit", "verify"}, env, &out, &out); err != nil {
		t.Errorf("audit verify: %v\n%s", err, out.String())
	}
	t.Logf("%d notes acknowledged (per instance %v, %d after the kill), %d reads; haproxy retried %d requests itself and answered 5xx to %d, "+
		"which the clients sent again (%d requests sent again); audit verify: %s; %s in all",
		scritte, perIstanza, dopoUccisione, letture, rifatte, errori, ripetizioni, strings.TrimSpace(out.String()), time.Since(inizio).Round(time.Millisecond))
}

// mustPool is a pool on dsn, closed at cleanup.
func mustPool(t *testing.T, dsn string) *pgxpool.Pool {
	t.Helper()
	p, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}
