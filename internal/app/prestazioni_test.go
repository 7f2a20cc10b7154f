package app

import (
	"context"
	"net/http"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/demo"
)

// TestPerformance200k measures the case manager's and the coordinatore's
// busiest pages with 200,000 households in the ambito (1,000 of them the
// case manager's), through the whole application as a browser reaches it:
// the router, the session, the guard, every module's section of the case
// page, the registro written on every read. It takes a few minutes, so it
// runs only with CASI_PERF=1:
//
//	CASI_PERF=1 go test -count=1 -run TestPerformance200k -v ./internal/app
//
// The figures are in docs/performance.md.
func TestPerformance200k(t *testing.T) {
	if os.Getenv("CASI_PERF") == "" {
		t.Skip("set CASI_PERF=1 to measure the pages at 200,000 households")
	}
	ctx := context.Background()
	a := startApp(t)
	start := time.Now()
	if _, err := demo.LoadNuclei(ctx, a.d.pool, a.d.registro, 200000, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("200,000 households loaded in %s", time.Since(start).Round(time.Millisecond))
	cm, _ := demo.AccountByUsername("casemanager")
	var cmID uuid.UUID
	var comune int64
	if err := a.d.pool.QueryRow(ctx, `SELECT o.id, r.comune_id FROM operatore o JOIN operatore_ruolo r ON r.operatore_id = o.id
		WHERE o.codice_fiscale = $1 AND r.ruolo = 'case_manager'`, cm.CodiceFiscale()).Scan(&cmID, &comune); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `UPDATE caso SET case_manager_id = $1, stato = 'assegnato', assegnato_il = now()
		WHERE id IN (SELECT id FROM caso WHERE comune_id = $2 AND case_manager_id IS NULL ORDER BY numero LIMIT 960)`, cmID, comune)
	if _, err := a.d.casi.AggiornaScadenze(ctx); err != nil {
		t.Fatal(err)
	}
	a.analizza(t) // statistics: only the owner may ANALYZE
	var ids []uuid.UUID
	rows, err := a.d.pool.Query(ctx, `SELECT id FROM caso WHERE case_manager_id = $1`, cmID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()

	measure := func(c *http.Client, name string, n int, path func(i int) string) {
		t.Helper()
		ds := make([]time.Duration, n)
		for i := range ds {
			t0 := time.Now()
			resp, err := c.Get(a.URL + path(i))
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			ds[i] = time.Since(t0)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", path(i), resp.StatusCode)
			}
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		t.Logf("%-42s n=%d p50=%s p95=%s max=%s", name, n, ds[n/2].Round(10*time.Microsecond),
			ds[n*95/100].Round(10*time.Microsecond), ds[n-1].Round(10*time.Microsecond))
	}

	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	measure(c, "GET / (home with the counts)", 200, func(int) string { return "/" })
	measure(c, "GET /casi (first page)", 300, func(int) string { return "/casi" })
	measure(c, "GET /casi?q=rossi (search)", 300, func(int) string { return "/casi?q=rossi" })
	measure(c, "GET /casi/{id} (with every section)", 500, func(i int) string { return "/casi/" + ids[i%len(ids)].String() })
	measure(c, "GET /agenda", 200, func(int) string { return "/agenda" })

	co := a.client(t)
	a.login(t, co, "coordinatore", demo.Password)
	measure(co, "GET / (coordinatore's home)", 200, func(int) string { return "/" })
	measure(co, "GET /assegnazioni (first page)", 200, func(int) string { return "/assegnazioni" })
	measure(co, "GET /assegnazioni?da_assegnare=1&entro=30", 200, func(int) string { return "/assegnazioni?da_assegnare=1&entro=30" })
	measure(co, "GET /assegnazioni/{id}", 300, func(i int) string { return "/assegnazioni/" + ids[i%len(ids)].String() })
	measure(co, "GET /assegnazioni/carichi", 50, func(int) string { return "/assegnazioni/carichi" })

	// Controlli anagrafici: 20,000 requests of the demo ambito, 70 % of
	// them asked to Casalecchio di Reno (coordcontrolli's comune), from the
	// last 400 days (older than 100 days: concluded), two in three assigned
	// to respcontrolli; 1,000 of Casalecchio's open ones forwarded to Zola
	// Predosa and 500 of Zola's to Casalecchio.
	controlli20k(t, a)
	cc := a.client(t)
	a.login(t, cc, "coordcontrolli", demo.Password)
	measure(cc, "GET /controlli (first page, not concluded)", 300, func(int) string { return "/controlli" })
	measure(cc, "GET /controlli?scadenza=entro&giorni=15", 300, func(int) string { return "/controlli?scadenza=entro&giorni=15" })
	measure(cc, "GET /controlli?q=rossi&stato=tutte", 300, func(int) string { return "/controlli?q=rossi&stato=tutte" })
	measure(cc, "GET /controlli?stato=tutte&pagina=40", 300, func(int) string { return "/controlli?stato=tutte&pagina=40" })
	measure(cc, "GET / (coordinatore controlli's home)", 200, func(int) string { return "/" })
	measure(cc, "GET /controlli/carichi", 100, func(int) string { return "/controlli/carichi" })
	rc := a.client(t)
	a.login(t, rc, "respcontrolli", demo.Password)
	measure(rc, "GET /controlli (responsabile)", 300, func(int) string { return "/controlli" })
	measure(rc, "GET / (responsabile controlli's home)", 200, func(int) string { return "/" })
}

// controlli20k inserts the 20,000 requests of TestPerformance200k.
func controlli20k(t *testing.T, a *testApp) {
	t.Helper()
	ctx := context.Background()
	id := func(username string) uuid.UUID {
		acc, _ := demo.AccountByUsername(username)
		var id uuid.UUID
		if err := a.d.pool.QueryRow(ctx, `SELECT id FROM operatore WHERE codice_fiscale = $1`, acc.CodiceFiscale()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	coord, resp := id("coordcontrolli"), id("respcontrolli")
	comune := func(istat string) int64 {
		var c int64
		if err := a.d.pool.QueryRow(ctx, `SELECT id FROM comune WHERE codice_istat = $1`, istat).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	casa, zola, altro := comune(demo.Comuni[0].CodiceISTAT), comune(demo.Comuni[1].CodiceISTAT), comune(demo.Comuni[2].CodiceISTAT)
	a.exec(t, `
		INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id, codice_fiscale, cognome, nome, data_nascita,
		    data_richiesta, data_riferimento, scadenza, stato, assegnatario, assegnata_il, origine)
		SELECT 'PERF-' || g,
		       (ARRAY['residenza','soggiorno','cittadinanza','residenza_ex_post','composizione_nucleo','svantaggio'])[1 + g % 6],
		       (SELECT ambito_id FROM comune WHERE id = $1),
		       CASE WHEN g % 10 < 7 THEN $1 WHEN g % 10 < 9 THEN $2 ELSE $3 END,
		       'PRFCTL' || lpad(g::text, 9, '0') || 'X',
		       (ARRAY['Rossi','Bianchi','Esposito','Russo','Ferrari','Romano','Colombo','Ricci'])[1 + g % 8], 'Maria', DATE '1980-01-01',
		       current_date - (g % 400), current_date - (g % 400), current_date - (g % 400) + 60,
		       CASE WHEN g % 400 > 100 THEN 'conclusa' ELSE 'aperta' END,
		       CASE WHEN g % 3 = 0 OR g % 10 >= 7 THEN NULL ELSE $4::uuid END,
		       CASE WHEN g % 3 = 0 OR g % 10 >= 7 THEN NULL ELSE now() END,
		       'importazione'
		FROM generate_series(1, 20000) g`, casa, zola, altro, resp)
	a.exec(t, `
		INSERT INTO controllo_tappa (richiesta_id, n, da_comune_id, comune_id, inoltrata_da)
		SELECT id, 1, comune_id, CASE WHEN comune_id = $1 THEN $2 ELSE $1 END, $3 FROM (
		    (SELECT id, comune_id FROM controllo_richiesta WHERE comune_id = $1 AND stato = 'aperta' AND assegnatario IS NOT NULL ORDER BY id LIMIT 1000)
		    UNION ALL
		    (SELECT id, comune_id FROM controllo_richiesta WHERE comune_id = $2 AND stato = 'aperta' ORDER BY id LIMIT 500)) x`, casa, zola, coord)
	a.exec(t, `UPDATE controllo_richiesta SET stato = 'inoltrata' WHERE id IN (SELECT richiesta_id FROM controllo_tappa)`)
	a.analizza(t) // statistics: only the owner may ANALYZE
}
