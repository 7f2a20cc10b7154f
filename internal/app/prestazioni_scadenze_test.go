package app

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/demo"
)

// TestPerformanceScadenze200k measures the daily deadline refresh
// (casi.AggiornaScadenze, as the server runs it) over 200,000 open cases
// of the demo ambito, every one of them due for a refresh, with the records
// the deadlines are computed from: a convocazione for one case in two, a
// held meeting with its presence for one in three, a registrazione for one
// in five, a giustificato motivo for one in twenty. It runs the refresh
// twice: the first over every open case (ricalcola_il set to today), which
// writes the derived columns; the second over the cases it selects by
// itself, whose columns are then unchanged. Only with CASI_PERF=1 (CASI_PERF_N for another number of
// households):
//
//	CASI_PERF=1 go test -count=1 -run TestPerformanceScadenze200k -v ./internal/app
//
// The figures are in docs/performance.md (issue 19: under 20 s).
func TestPerformanceScadenze200k(t *testing.T) {
	if os.Getenv("CASI_PERF") == "" {
		t.Skip("set CASI_PERF=1 to measure the deadline refresh of 200,000 cases")
	}
	n := 200000
	if v, err := strconv.Atoi(os.Getenv("CASI_PERF_N")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	a := startApp(t)
	start := time.Now()
	if _, err := demo.LoadNuclei(ctx, a.d.pool, a.d.registro, n, time.Now(), nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d households loaded in %s", n, time.Since(start).Round(time.Millisecond))
	for _, q := range []string{
		`INSERT INTO convocazione (caso_id, inizio, luogo, canale, inviata_il, annullata)
			SELECT id, now() + make_interval(days => (numero % 60)::int - 30), 'Ufficio', 'sms',
			       current_date - 40, numero % 17 = 0
			FROM caso WHERE stato <> 'chiuso' AND numero % 2 = 0`,
		`INSERT INTO incontro (caso_id, tipo, data)
			SELECT id, CASE WHEN numero % 2 = 0 THEN 'primo_incontro' ELSE 'aggiornamento_90' END, current_date - (numero % 150)::int
			FROM caso WHERE stato <> 'chiuso' AND numero % 3 = 0`,
		`INSERT INTO incontro_presenza (incontro_id, persona_id, presente, giustificato)
			SELECT i.id, nc.persona_id, (i.data - date '2000-01-01') % 4 <> 0, (i.data - date '2000-01-01') % 8 = 0
			FROM incontro i JOIN caso c ON c.id = i.caso_id
			JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.al IS NULL`,
		`INSERT INTO presentazione (caso_id, evento, luogo, data, registrato_da, ruolo)
			SELECT c.id, 'presentazione_spontanea', CASE WHEN c.numero % 2 = 0 THEN 'patronato' ELSE 'servizi_sociali' END,
			       current_date - (c.numero % 100)::int, (SELECT id FROM operatore ORDER BY id LIMIT 1), 'case_manager'
			FROM caso c WHERE c.stato <> 'chiuso' AND c.numero % 5 = 0`,
		`INSERT INTO giustificato_motivo (caso_id, persona_id, motivo, dal, al)
			SELECT c.id, nc.persona_id, 'Malattia', current_date - 10, CASE WHEN c.numero % 40 = 0 THEN current_date + 5 END
			FROM caso c JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.al IS NULL AND nc.relazione = 'richiedente'
			WHERE c.stato <> 'chiuso' AND c.numero % 20 = 0`,
		`UPDATE caso SET ricalcola_il = current_date WHERE stato <> 'chiuso'`,
	} {
		a.exec(t, q)
	}
	a.analizza(t) // statistics: only the owner may ANALYZE
	var aperti int
	if err := a.d.pool.QueryRow(ctx, `SELECT count(*) FROM caso WHERE stato <> 'chiuso'`).Scan(&aperti); err != nil {
		t.Fatal(err)
	}
	for i, come := range []string{"first, every open case", "second, the cases selected"} {
		t0 := time.Now()
		k, err := a.d.casi.AggiornaScadenze(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := time.Since(t0)
		t.Logf("refresh %d, %s: %d of %d open cases in %s (%.0f cases/s)", i+1, come, k, aperti,
			d.Round(time.Millisecond), float64(k)/d.Seconds())
	}
}
