package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
)

// contatore is a pgx tracer that lists the statements the pool runs while
// it is on: each query, each query of a batch, each COPY. Giri counts the
// round trips they take (a batch is one).
type contatore struct {
	mu   sync.Mutex
	on   bool
	voci []string
	giri int
}

func (c *contatore) avvia() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on, c.voci, c.giri = true, nil, 0
}

// ferma stops counting and returns the statements and round trips seen.
func (c *contatore) ferma() ([]string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.on = false
	return c.voci, c.giri
}

func (c *contatore) voce(prefisso, sql string, giro bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.on {
		return
	}
	if giro {
		c.giri++
	}
	if prefisso == "" {
		c.voci = append(c.voci, primaRiga(sql))
	} else if sql != "" {
		c.voci = append(c.voci, prefisso+primaRiga(sql))
	}
}

// primaRiga is the statement's first non-blank line, trimmed.
func primaRiga(sql string) string {
	for _, l := range strings.Split(sql, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

func (c *contatore) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.voce("", d.SQL, true)
	return ctx
}
func (c *contatore) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *contatore) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.voce("batch: ", "", true)
	return ctx
}
func (c *contatore) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.voce("batch: ", d.SQL, false)
}
func (c *contatore) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
func (c *contatore) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	c.voce("", "COPY "+d.TableName.Sanitize(), true)
	return ctx
}
func (c *contatore) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

var (
	_ pgx.QueryTracer    = (*contatore)(nil)
	_ pgx.BatchTracer    = (*contatore)(nil)
	_ pgx.CopyFromTracer = (*contatore)(nil)
)

// TestStatementiPerPagina counts the statements (and round trips) that the
// pages served most often run, for the case manager: the home, /casi and a
// case page (issue 19, "Fewer round trips"), and lists them when a page
// runs more than its bound. Each page is asked twice and counted the second
// time, as in steady state; the case page once more with the session's
// last_seen_at due to be written.
//
// Every page starts with one statement for the session, its operator and
// their roles (the last_seen_at write folded in). An audited page then
// records its access with one INSERT, no lock (ADR 0023; it was 5
// statements: BEGIN, the advisory lock, the last hash, INSERT, COMMIT),
// which the registro's writer shares with the records of the requests
// served meanwhile (registro/gruppo.go).
// The case page's target is at most 6 (issue 19): its deadlines and its
// sections come from the providers of 11 modules, each queueing its own
// queries on its own tables, which casi sends as one statement
// (docs/architecture.md, "Statements per request").
func TestStatementiPerPagina(t *testing.T) {
	t.Parallel()
	tr := &contatore{}
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tr
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	a := startAppPool(t, pool, nil)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	resp, err := noFollow(c).PostForm(a.URL+"/casi", aperturaForm(a.comune(t, "037011"), "INPS-STATEMENTI-1"))
	if err != nil {
		t.Fatal(err)
	}
	m := reCaso.FindStringSubmatch(resp.Header.Get("Location"))
	readBody(t, resp)
	if m == nil {
		t.Fatalf("opening a case: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	caso := "/casi/" + m[1]

	conta := func(path string) ([]string, int) {
		t.Helper()
		tr.avvia()
		resp, err := c.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		voci, giri := tr.ferma()
		if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != path {
			t.Fatalf("GET %s: %d at %s", path, resp.StatusCode, resp.Request.URL)
		}
		return voci, giri
	}
	for _, p := range []struct {
		nome, path string
		tocca      bool // last_seen_at due
		max, giri  int  // statements, round trips
	}{
		// Session; the case manager's 6 work counts (one per module).
		{"home", "/", false, 7, 7},
		// Session; the list; the registro's INSERT.
		{"elenco dei casi", "/casi", false, 3, 3},
		// Session; the case (access); then one statement that reads
		// what 23 queries of the modules' providers ask (members and
		// history, the deadlines' 9, the 12 sections' 12:
		// database.InviaUnito); at the same time, on another connection,
		// the registro's INSERT (with the other requests' records, when
		// there are some).
		{"pagina del caso", caso, false, 4, 4},
		{"pagina del caso, last_seen_at da scrivere", caso, true, 4, 4},
	} {
		conta(p.path) // the statements prepared on the connections
		if p.tocca {
			a.exec(t, `UPDATE sessione SET last_seen_at = now() - interval '5 minutes'`)
		}
		voci, giri := conta(p.path)
		if p.tocca && a.count(t, `SELECT count(*) FROM sessione WHERE last_seen_at > now() - interval '1 minute'`) != 1 {
			t.Error("the session's last_seen_at, due, was not written")
		}
		elenco := fmt.Sprintf("%s (GET %s): %d statements in %d round trips:\n\t%s", p.nome, p.path, len(voci), giri, strings.Join(voci, "\n\t"))
		t.Log(elenco)
		if len(voci) > p.max || giri > p.giri {
			t.Errorf("%s, want at most %d statements in %d round trips", elenco, p.max, p.giri)
		}
	}
}
