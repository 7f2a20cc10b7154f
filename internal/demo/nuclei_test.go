package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/registro"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The demo loads synthetic households as cases of the demo comuni, some
// assigned to the demo case managers, with deadlines that vary (some
// overdue); a restart loads nothing twice.
func TestLoadNuclei(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	if err := demo.Load(ctx, accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	n, err := demo.LoadNuclei(ctx, pool, reg, 500, now, nil)
	if err != nil || n != 500 {
		t.Fatalf("loaded %d, %v", n, err)
	}
	var casi, persone, domande, cm1, cm2, scaduti, inCorso int
	err = pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM caso), (SELECT count(*) FROM persona), (SELECT count(DISTINCT id_domanda) FROM domanda),
		       (SELECT count(*) FROM caso c JOIN operatore o ON o.id = c.case_manager_id WHERE o.email LIKE 'casemanager@%'),
		       (SELECT count(*) FROM caso c JOIN operatore o ON o.id = c.case_manager_id WHERE o.email LIKE 'casemanager2@%'),
		       (SELECT count(*) FROM caso WHERE t120_stato = 'scaduto'),
		       (SELECT count(*) FROM caso WHERE t120_stato IN ('in_corso', 'in_scadenza'))`).
		Scan(&casi, &persone, &domande, &cm1, &cm2, &scaduti, &inCorso)
	if err != nil {
		t.Fatal(err)
	}
	if casi != 500 || domande != 500 || persone < 500 || cm1 != demo.Assegnati || cm2 != demo.Assegnati || scaduti == 0 || inCorso == 0 {
		t.Errorf("cases %d, domande %d, persone %d, casemanager %d, casemanager2 %d, T120 scaduti %d, in corso %d",
			casi, domande, persone, cm1, cm2, scaduti, inCorso)
	}
	if n, err := demo.LoadNuclei(ctx, pool, reg, 500, now, nil); err != nil || n != 0 {
		t.Errorf("second load: %d, %v", n, err)
	}
}
