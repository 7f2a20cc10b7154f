package casi_test

import (
	"bufio"
	"context"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// semina1M writes n cases of ambitoID (spread over comuni) straight with
// generate_series: persons, households, the richiedente, domande, cases,
// one in ten closed. Test only: it skips every rule of the casi service.
func semina(t testing.TB, pool *pgxpool.Pool, ambitoID int64, comuni []int64, n int) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO persona (id, codice_fiscale, cognome, nome, sesso, data_nascita)
			SELECT md5('p' || i)::uuid, 'PERF' || lpad(i::text, 12, '0'), 'Cognome' || i, 'Nome', CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END,
				date '1940-01-01' + (i % 25000)
			FROM generate_series(1, $1) i`,
		`INSERT INTO nucleo (id, fonte) SELECT md5('n' || i)::uuid, 'inps' FROM generate_series(1, $1) i`,
		`INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione, dal)
			SELECT md5('n' || i)::uuid, md5('p' || i)::uuid, 'richiedente', date '2025-01-01' FROM generate_series(1, $1) i`,
		`INSERT INTO domanda (id, misura, id_domanda, nucleo_id, data_domanda, data_pad)
			SELECT md5('d' || i)::uuid, CASE WHEN i % 5 = 0 THEN 'SFL' ELSE 'ADI' END, 'PERF-' || i, md5('n' || i)::uuid,
				date '2025-01-01' + (i % 300), date '2025-01-05' + (i % 300)
			FROM generate_series(1, $1) i`,
	} {
		if _, err := pool.Exec(ctx, q, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `INSERT INTO caso (id, domanda_id, nucleo_id, ambito_id, comune_id, stato, aperto_il, assegnato_il, chiuso_il, motivo_chiusura)
		SELECT md5('c' || i)::uuid, md5('d' || i)::uuid, md5('n' || i)::uuid, $2, ($3::bigint[])[1 + i % cardinality($3::bigint[])],
			CASE WHEN i % 10 = 0 THEN 'chiuso' ELSE 'ricevuto' END, date '2025-01-10' + (i % 300),
			CASE WHEN i % 10 = 0 THEN timestamptz '2025-02-01 10:00+01' + make_interval(days => i % 300) END,
			CASE WHEN i % 10 = 0 THEN date '2025-12-01' + (i % 30) END,
			CASE WHEN i % 10 = 0 THEN 'Rinuncia' END
		FROM generate_series(1, $1) i`, n, ambitoID, comuni); err != nil {
		t.Fatal(err)
	}
	// Statistics: only the owner may ANALYZE (the application's role skips
	// the tables it does not own).
	if _, err := dbtest.Proprietario(t, pool).Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
}

// picco resets the process's peak RSS (Linux: clear_refs 5) and returns a
// function reading it (VmHWM), in MiB.
func picco(t testing.TB) func() float64 {
	t.Helper()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatalf("reset peak RSS: %v", err)
	}
	return func() float64 {
		f, err := os.Open("/proc/self/status")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
				return float64(kb) / 1024
			}
		}
		t.Fatal("no VmHWM")
		return 0
	}
}

// cpu is the user and system time this process has used: on a shared
// machine less noisy than the wall time, and it leaves out PostgreSQL's.
func cpu(t testing.TB) time.Duration {
	t.Helper()
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		t.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// TestPerformanceEsportazione exports the pseudonymised dataset of
// 1,000,000 cases as CSV and as XLSX (with the columns of incontri,
// analisi and patto, as the server writes it), three times each, and logs the wall
// time and the process's peak RSS (docs/performance.md, "Esportazioni";
// target: under 15 s and 150 MB). CASI_PERF_N changes the number of
// cases, CASI_PERF_FORMATI the formats (csv,xlsx).
func TestPerformanceEsportazione(t *testing.T) {
	if os.Getenv("CASI_PERF") == "" {
		t.Skip("set CASI_PERF=1 to measure the export of 1,000,000 cases")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("CASI_PERF_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	ppl := fx.Demo()
	ats := ppl["operatoreats"]
	var comuni []int64
	rows, err := pool.Query(ctx, `SELECT id FROM comune WHERE ambito_id = $1 ORDER BY id`, *ats.AmbitoID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		comuni = append(comuni, id)
	}
	rows.Close()
	start := time.Now()
	semina(t, pool, *ats.AmbitoID, comuni, n)
	t.Logf("%d cases seeded in %s", n, time.Since(start).Round(time.Millisecond))

	if os.Getenv("CASI_PERF_KEEP") != "" {
		t.Fatal("kept")
	}
	// The modules' columns as the server joins them (internal/app,
	// fornitoriDataset): incontri, analisi, patto.
	fornitori := []report.FornitoreDataset{incontri.NewService(pool, fx.Registro, fx.Casi), analisi.NewService(pool, fx.Registro, fx.Casi),
		patto.NewService(pool, fx.Registro, fx.Casi, nil, nil)}
	esp := report.NewEsportatore(pool, fx.Registro, report.NewService(func(context.Context, int64) ([]report.Comune, error) { return nil, nil }),
		fx.Casi, fornitori, nil)
	formati := []string{report.CSV, report.XLSX}
	if v := os.Getenv("CASI_PERF_FORMATI"); v != "" { // e.g. "xlsx"
		formati = strings.Split(v, ",")
	}
	for _, formato := range formati {
		var tempi []time.Duration
		var rss []float64
		var cpus []time.Duration
		for range 3 {
			id, err := esp.Richiedi(ctx, ats, report.RichiestaEsportazione{Richiesta: report.Richiesta{Dal: "2025-01-01", Al: "2025-12-31"},
				Tipo: report.Dataset, Formato: formato}, registro.Voce{Indirizzo: "perf"})
			if err != nil {
				t.Fatal(err)
			}
			leggi := picco(t)
			c0 := cpu(t)
			t0 := time.Now()
			if ok, err := esp.EseguiUna(ctx); !ok || err != nil {
				t.Fatalf("export: %v %v", ok, err)
			}
			d := time.Since(t0)
			c := cpu(t) - c0
			m := leggi()
			x, err := esp.Esportazione(ctx, ats, id, registro.Voce{})
			if err != nil || x.Stato != report.Pronta || x.RigheScritte != int64(n) {
				t.Fatalf("export %+v %v", x, err)
			}
			t.Logf("%s: %d rows, %s, %s, CPU of this process %s, peak RSS %.0f MiB", formato, x.RigheScritte, report.Dimensione(x.Dimensione),
				d.Round(time.Millisecond), c.Round(time.Millisecond), m)
			tempi, rss, cpus = append(tempi, d), append(rss, m), append(cpus, c)
			if _, err := pool.Exec(ctx, `DELETE FROM esportazione WHERE id = $1`, id); err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(tempi)
		slices.Sort(rss)
		slices.Sort(cpus)
		t.Logf("%s median of 3: %s, CPU of this process %s, peak RSS %.0f MiB", formato, tempi[1].Round(time.Millisecond), cpus[1].Round(time.Millisecond), rss[1])
	}
}
