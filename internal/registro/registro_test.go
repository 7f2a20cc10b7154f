package registro_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/registro"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func fill(t *testing.T, s *registro.Service, n int) {
	t.Helper()
	op := uuid.New()
	amb := int64(1)
	for i := 0; i < n; i++ {
		err := s.Record(context.Background(), registro.Voce{
			OperatoreID: &op, Ruolo: string(authz.CaseManager), AmbitoID: &amb, Azione: registro.Lettura,
			OggettoTipo: "caso", OggettoID: "42", CasoID: "42", Esito: registro.Consentito, RequestID: "r", Indirizzo: "127.0.0.1",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, s *registro.Service) registro.Report {
	t.Helper()
	rep, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The database refuses UPDATE, DELETE and TRUNCATE on the register to the
// application's role — here the owner and superuser, the strongest case.
func TestAppendOnly(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool)
	fill(t, s, 3)
	for _, stmt := range []string{
		`UPDATE registro_accessi SET dettaglio = 'x' WHERE id = 2`,
		`DELETE FROM registro_accessi WHERE id = 2`,
		`TRUNCATE registro_accessi`,
	} {
		_, err := pool.Exec(context.Background(), stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused", stmt, err)
		}
	}
	if rep := verify(t, s); rep.Records != 3 || len(rep.Problems) != 0 {
		t.Errorf("after refused changes: %+v", rep)
	}
}

// tamper changes the register behind the triggers' back, as a DBA could.
func tamper(t *testing.T, pool *pgxpool.Pool, stmt string) {
	t.Helper()
	ctx := context.Background()
	for _, s := range []string{
		`ALTER TABLE registro_accessi DISABLE TRIGGER registro_accessi_no_update_delete`,
		stmt,
		`ALTER TABLE registro_accessi ENABLE TRIGGER registro_accessi_no_update_delete`,
	} {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stmt string
		badID      int64
	}{
		{"modified field", `UPDATE registro_accessi SET oggetto_id = '43' WHERE id = 3`, 3},
		{"modified operator", `UPDATE registro_accessi SET operatore_id = gen_random_uuid() WHERE id = 2`, 2},
		{"modified time", `UPDATE registro_accessi SET registrato_il = registrato_il - interval '1 day' WHERE id = 4`, 4},
		{"deleted record", `DELETE FROM registro_accessi WHERE id = 3`, 4},
		{"record and hash rewritten", `UPDATE registro_accessi SET dettaglio = 'x', hash = sha256(hash) WHERE id = 2`, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := dbtest.New(t)
			s := registro.NewService(pool)
			fill(t, s, 5)
			if rep := verify(t, s); len(rep.Problems) != 0 || rep.Records != 5 {
				t.Fatalf("clean register: %+v", rep)
			}
			tamper(t, pool, tc.stmt)
			rep := verify(t, s)
			if len(rep.Problems) == 0 {
				t.Fatalf("tampering not detected: %+v", rep)
			}
			found := false
			for _, p := range rep.Problems {
				found = found || p.ID == tc.badID
			}
			if !found {
				t.Errorf("problems %+v do not name record %d", rep.Problems, tc.badID)
			}
		})
	}
}

// Concurrent appends still form one unbroken chain.
func TestConcurrentAppendsChain(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if err := s.Record(context.Background(), registro.Voce{Azione: registro.Lettura, Esito: registro.Consentito}); err != nil {
					t.Error(err) // not Fatal: this is not the test goroutine
					return
				}
			}
		}()
	}
	wg.Wait()
	if rep := verify(t, s); rep.Records != 80 || len(rep.Problems) != 0 {
		t.Errorf("after concurrent appends: %d records, problems %+v", rep.Records, rep.Problems)
	}
}

func TestRecordNeedsActionAndOutcome(t *testing.T) {
	t.Parallel()
	s := registro.NewService(dbtest.New(t))
	if err := s.Record(context.Background(), registro.Voce{Azione: registro.Lettura}); err == nil {
		t.Error("a record without esito must be refused")
	}
}

// A batch (an import writing thousands of cases) continues the same chain,
// interleaved with single records, and verify accepts it.
func TestRecordBatchChains(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool)
	fill(t, s, 3)
	vs := make([]registro.Voce, 500)
	for i := range vs {
		vs[i] = registro.Voce{Azione: registro.Scrittura, OggettoTipo: "caso", CasoID: fmt.Sprint(i), Esito: registro.Consentito}
	}
	if err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		return s.RecordBatch(context.Background(), tx, vs)
	}); err != nil {
		t.Fatal(err)
	}
	fill(t, s, 2)
	if rep := verify(t, s); rep.Records != 505 || len(rep.Problems) != 0 {
		t.Errorf("after a batch: %d records, problems %+v", rep.Records, rep.Problems)
	}
	bad := []registro.Voce{{Azione: registro.Scrittura}}
	if err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		return s.RecordBatch(context.Background(), tx, bad)
	}); err == nil {
		t.Error("a batch with a record without esito was accepted")
	}
}
