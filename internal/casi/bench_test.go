package casi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// TestPerformance200k measures the latency of GET /casi (first page, a
// deeper keyset page, a search) and GET /casi/{id} through the real handler
// and database, with 200,000 cases in the ambito and 1,000 of them the case
// manager's. It takes about a minute, so it runs only with CASI_PERF=1:
//
//	CASI_PERF=1 go test -run TestPerformance200k -v ./internal/casi
//
// The figures are in docs/performance.md.
func TestPerformance200k(t *testing.T) {
	t.Parallel()
	if os.Getenv("CASI_PERF") == "" {
		t.Skip("set CASI_PERF=1 to measure /casi at 200,000 cases")
	}
	ctx := context.Background()
	pool := dbtest.New(t)
	acc := accesso.NewService(pool)
	if err := demo.Load(ctx, acc); err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool)
	start := time.Now()
	if _, err := demo.LoadNuclei(ctx, pool, reg, 200000, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("200,000 households loaded in %s", time.Since(start).Round(time.Millisecond))
	a, _ := demo.AccountByUsername("casemanager")
	ps, err := acc.PrincipalsByCF(ctx, a.CodiceFiscale())
	if err != nil {
		t.Fatal(err)
	}
	p := ps[0]
	if _, err := pool.Exec(ctx, `
		UPDATE caso SET case_manager_id = $1, stato = 'assegnato', assegnato_il = now()
		WHERE id IN (SELECT id FROM caso WHERE comune_id = $2 AND case_manager_id IS NULL ORDER BY numero LIMIT 960)`,
		p.OperatoreID, *p.ComuneID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var ids []uuid.UUID
	rows, _ := pool.Query(ctx, `SELECT id FROM caso WHERE case_manager_id = $1`, p.OperatoreID)
	for rows.Next() {
		var id uuid.UUID
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()

	svc := casi.NewService(pool, reg)
	en, err := authz.New(ctx, acc.Bindings)
	if err != nil {
		t.Fatal(err)
	}
	rs := &httpx.Responder{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Shell: func(*http.Request) ui.Shell { return ui.Shell{} }}
	h := casi.NewHandler(svc, rs, authz.NewGuard(en, func(w http.ResponseWriter, r *http.Request, _ authz.Object, _ authz.Action) {
		rs.Error(w, r, httpx.ErrForbidden)
	}))
	r := chi.NewRouter()
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(w, req.WithContext(authz.WithPrincipal(req.Context(), p)))
		})
	})
	h.Routes(r)

	get := func(url string) time.Duration {
		req := httptest.NewRequest(http.MethodGet, url, nil)
		w := httptest.NewRecorder()
		t0 := time.Now()
		r.ServeHTTP(w, req)
		d := time.Since(t0)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", url, w.Code)
		}
		return d
	}
	// The cursor of page 10 (after 450 cases), taken from the pages themselves.
	deep := "/casi"
	for i := 0; i < 9; i++ {
		e, err := svc.ElencoCaseManager(ctx, p, casi.FiltroElenco{Dopo: cursorOf(deep)}, registro.Voce{})
		if err != nil || e.Prossima == "" {
			t.Fatalf("page %d: %v", i, err)
		}
		deep = "/casi?dopo=" + e.Prossima
	}
	measure := func(name string, n int, url func(i int) string) {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = get(url(i))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		t.Logf("%-32s n=%d p50=%s p95=%s max=%s", name, n, ds[n/2].Round(10*time.Microsecond),
			ds[n*95/100].Round(10*time.Microsecond), ds[n-1].Round(10*time.Microsecond))
	}
	measure("GET /casi (first page)", 300, func(int) string { return "/casi" })
	measure("GET /casi (page 10, keyset)", 300, func(int) string { return deep })
	measure("GET /casi?q=rossi (search)", 300, func(int) string { return "/casi?q=rossi" })
	measure("GET /casi/{id}", 500, func(i int) string { return "/casi/" + ids[i%len(ids)].String() })

	// The coordinatore's board and workload over the whole ambito.
	ca, _ := demo.AccountByUsername("coordinatore")
	cps, err := acc.PrincipalsByCF(ctx, ca.CodiceFiscale())
	if err != nil {
		t.Fatal(err)
	}
	coord := cps[0]
	bh := assegnazioni.NewHandler(assegnazioni.NewService(pool, reg, svc), rs, authz.NewGuard(en, func(w http.ResponseWriter, r *http.Request, _ authz.Object, _ authz.Action) {
		rs.Error(w, r, httpx.ErrForbidden)
	}))
	br := chi.NewRouter()
	br.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			next.ServeHTTP(w, req.WithContext(authz.WithPrincipal(req.Context(), coord)))
		})
	})
	bh.Routes(br)
	r = br
	measure("GET /assegnazioni (first page)", 200, func(int) string { return "/assegnazioni" })
	measure("GET /assegnazioni?da_assegnare=1&entro=30", 200, func(int) string { return "/assegnazioni?da_assegnare=1&entro=30" })
	measure("GET /assegnazioni?misura=SFL", 200, func(int) string { return "/assegnazioni?misura=SFL" })
	measure("GET /assegnazioni/{id}", 300, func(i int) string { return "/assegnazioni/" + ids[i%len(ids)].String() })
	measure("GET /assegnazioni/carichi", 50, func(int) string { return "/assegnazioni/carichi" })
}

func cursorOf(url string) string {
	const k = "/casi?dopo="
	if len(url) > len(k) && url[:len(k)] == k {
		return url[len(k):]
	}
	return ""
}
