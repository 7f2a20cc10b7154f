package registro_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

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

func sigilla(t *testing.T, s *registro.Service) int {
	t.Helper()
	n, err := s.Sigilla(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sigillaTutto seals everything committed: a transaction running anywhere
// in the cluster (the other tests') holds the sealer's horizon back a
// moment.
func sigillaTutto(t *testing.T, s *registro.Service) {
	t.Helper()
	if err := s.SigillaFinoAOra(context.Background(), 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

func verify(t *testing.T, s *registro.Service, punti ...registro.Punto) registro.Report {
	t.Helper()
	rep, err := s.Verify(context.Background(), punti...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func exec(t *testing.T, pool *pgxpool.Pool, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := pool.Exec(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// The application's role may only append: UPDATE, DELETE and TRUNCATE of
// the register and of its lotti are refused to it, and so is disabling
// their triggers (only an owner may). The owner is refused by the
// triggers.
func TestAppendOnly(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	fill(t, s, 3)
	sigillaTutto(t, s)
	owner := dbtest.Proprietario(t, pool)
	for _, tc := range []struct {
		pool *pgxpool.Pool
		who  string
		stmt string
		want string
	}{
		{pool, "app", `UPDATE registro_accessi SET dettaglio = 'x' WHERE id = 2`, "permission denied"},
		{pool, "app", `DELETE FROM registro_accessi WHERE id = 2`, "permission denied"},
		{pool, "app", `TRUNCATE registro_accessi`, "permission denied"},
		{pool, "app", `UPDATE registro_lotti SET voci = '{}'`, "permission denied"},
		{pool, "app", `DELETE FROM registro_lotti`, "permission denied"},
		{pool, "app", `ALTER TABLE registro_accessi DISABLE TRIGGER registro_accessi_no_update_delete`, "must be owner"},
		{pool, "app", `ALTER TABLE registro_accessi DISABLE TRIGGER ALL`, "must be owner"},
		{pool, "app", `ALTER TABLE registro_lotti DISABLE TRIGGER registro_lotti_no_update_delete`, "must be owner"},
		{pool, "app", `DROP TRIGGER registro_accessi_xid ON registro_accessi`, "must be owner"},
		{pool, "app", `CREATE TABLE registro_ombra (id int)`, "permission denied"},
		{owner, "owner", `UPDATE registro_accessi SET dettaglio = 'x' WHERE id = 2`, "append-only"},
		{owner, "owner", `DELETE FROM registro_accessi WHERE id = 2`, "append-only"},
		{owner, "owner", `TRUNCATE registro_accessi CASCADE`, "append-only"},
		{owner, "owner", `DELETE FROM registro_lotti`, "append-only"},
	} {
		_, err := tc.pool.Exec(context.Background(), tc.stmt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %s: %v, want refused (%s)", tc.who, tc.stmt, err, tc.want)
		}
	}
	if rep := verify(t, s); rep.Records != 3 || rep.Sigillate != 3 || len(rep.Problems) != 0 {
		t.Errorf("after refused changes: %+v", rep)
	}
}

// tamper changes the register behind the triggers' back, as its owner (a
// DBA) could.
func tamper(t *testing.T, owner *pgxpool.Pool, stmt string) {
	t.Helper()
	exec(t, owner, `ALTER TABLE registro_accessi DISABLE TRIGGER USER`, stmt, `ALTER TABLE registro_accessi ENABLE TRIGGER USER`)
}

// Every change the owner can make behind the triggers is found and names
// the record, whether the record was already sealed or not.
func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stmt string
		badID      int64
		sealed     bool
	}{
		{"modified field", `UPDATE registro_accessi SET oggetto_id = '43' WHERE id = 3`, 3, true},
		{"modified operator", `UPDATE registro_accessi SET operatore_id = gen_random_uuid() WHERE id = 2`, 2, true},
		{"modified time", `UPDATE registro_accessi SET registrato_il = registrato_il - interval '1 day' WHERE id = 4`, 4, true},
		{"deleted record", `DELETE FROM registro_accessi WHERE id = 3`, 3, true},
		{"signature replaced", `UPDATE registro_accessi SET dettaglio = 'x', mac = sha256(mac) WHERE id = 2`, 2, true},
		{"inserted without a transaction id", `INSERT INTO registro_accessi (registrato_il, azione, esito, nonce, mac)
			SELECT registrato_il, azione, esito, nonce, sha256(mac) FROM registro_accessi WHERE id = 2`, 6, true},
		{"modified before sealing", `UPDATE registro_accessi SET dettaglio = 'x' WHERE id = 5`, 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool := dbtest.New(t)
			s := registro.NewService(pool, registro.ChiaveDiProva())
			fill(t, s, 5)
			if tc.sealed {
				sigillaTutto(t, s)
			}
			if rep := verify(t, s); len(rep.Problems) != 0 || rep.Records != 5 {
				t.Fatalf("clean register: %+v", rep)
			}
			tamper(t, dbtest.Proprietario(t, pool), tc.stmt)
			rep := verify(t, s)
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

// Whoever holds the application's role (but not the key) can only insert:
// a forged record is reported, a copy of a true one is refused.
func TestFalsoDelRuoloApplicazione(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	fill(t, s, 3)
	sigillaTutto(t, s)
	// A record that says someone read case 99 yesterday, with a made-up
	// signature, and a transaction id that claims to be old.
	exec(t, pool, `INSERT INTO registro_accessi (registrato_il, operatore_id, ruolo, azione, oggetto_tipo, oggetto_id, caso_id,
			esito, nonce, mac, xid)
		SELECT registrato_il - interval '1 day', operatore_id, ruolo, azione, oggetto_tipo, '99', '99', esito,
			'\x00', sha256(mac), '3'::xid8 FROM registro_accessi WHERE id = 1`)
	var xid string
	if err := pool.QueryRow(context.Background(), `SELECT xid::text FROM registro_accessi WHERE caso_id = '99'`).Scan(&xid); err != nil || xid == "3" {
		t.Errorf("the trigger did not overwrite the forged transaction id: %q %v", xid, err)
	}
	_, err := pool.Exec(context.Background(), `INSERT INTO registro_accessi (registrato_il, operatore_id, ruolo, azione, oggetto_tipo,
			oggetto_id, caso_id, esito, nonce, mac)
		SELECT registrato_il, operatore_id, ruolo, azione, oggetto_tipo, oggetto_id, caso_id, esito, nonce, mac
		FROM registro_accessi WHERE id = 2`)
	if err == nil || !strings.Contains(err.Error(), "registro_accessi_mac_unico") {
		t.Errorf("a verbatim copy of a record: %v, want refused", err)
	}
	for _, sealed := range []bool{false, true} {
		if sealed {
			sigillaTutto(t, s)
		}
		rep := verify(t, s)
		if len(rep.Problems) != 1 || rep.Problems[0].ID != 4 || !strings.Contains(rep.Problems[0].Reason, "firma non corrisponde") {
			t.Errorf("sealed %v: problems %+v, want record 4's signature", sealed, rep.Problems)
		}
	}
}

// Appends take no lock: a transaction that has recorded and not committed
// holds up nobody. The sealer waits for it: what was written after it is
// sealed only once it ends, in one lotto, in id order.
func TestNessunBloccoEOrdine(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	ctx := context.Background()
	fill(t, s, 1)
	sigillaTutto(t, s)
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if err := s.RecordTx(ctx, tx, registro.Voce{Azione: registro.Scrittura, OggettoTipo: "caso", Esito: registro.Consentito}); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := s.Record(short, registro.Voce{Azione: registro.Lettura, Esito: registro.Consentito}); err != nil {
		t.Fatalf("a record waited for another transaction: %v", err)
	}
	if n := sigilla(t, s); n != 0 {
		t.Errorf("sealed %d records while an older transaction was still open, want 0", n)
	}
	if rep := verify(t, s); len(rep.Problems) != 0 || rep.NonSigillate != 1 {
		t.Errorf("with a transaction open: %+v", rep)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	sigillaTutto(t, s)
	rep := verify(t, s)
	if len(rep.Problems) != 0 || rep.Sigillate != 3 || rep.NonSigillate != 0 {
		t.Errorf("after the commit: %+v", rep)
	}
}

// Concurrent appends and sealers (two instances) seal every record exactly
// once, in one unbroken chain of lotti.
func TestConcurrentAppendsChain(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	ctx, cancel := context.WithCancel(context.Background())
	var sealers sync.WaitGroup
	for i := 0; i < 2; i++ {
		sealers.Add(1)
		go func() {
			defer sealers.Done()
			for ctx.Err() == nil {
				if _, err := s.Sigilla(ctx); err != nil && ctx.Err() == nil {
					t.Error(err)
					return
				}
			}
		}()
	}
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
	cancel()
	sealers.Wait()
	sigillaTutto(t, s)
	if rep := verify(t, s); rep.Records != 80 || rep.Sigillate != 80 || len(rep.Problems) != 0 {
		t.Errorf("after concurrent appends: %+v", rep)
	}
}

func TestRecordNeedsActionAndOutcome(t *testing.T) {
	t.Parallel()
	s := registro.NewService(dbtest.New(t), registro.ChiaveDiProva())
	if err := s.Record(context.Background(), registro.Voce{Azione: registro.Lettura}); err == nil {
		t.Error("a record without esito must be refused")
	}
	if err := registro.NewService(dbtest.New(t), registro.Chiave{}).Record(context.Background(),
		registro.Voce{Azione: registro.Lettura, Esito: registro.Consentito}); err == nil {
		t.Error("a record without a key must be refused")
	}
}

// A batch (an import writing thousands of cases) is sealed with the single
// records around it, and verify accepts it.
func TestRecordBatchChains(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
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
	sigillaTutto(t, s)
	if rep := verify(t, s); rep.Records != 505 || rep.Sigillate != 505 || len(rep.Problems) != 0 {
		t.Errorf("after a batch: %+v", rep)
	}
	bad := []registro.Voce{{Azione: registro.Scrittura}}
	if err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		return s.RecordBatch(context.Background(), tx, bad)
	}); err == nil {
		t.Error("a batch with a record without esito was accepted")
	}
}

// Lotti removed from the end leave a shorter chain that is consistent in
// itself: the checkpoint kept outside the database finds it. A checkpoint
// edited by hand is refused; a register verified with another key says so.
func TestPuntiDiControllo(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	ctx := context.Background()
	fill(t, s, 2)
	sigillaTutto(t, s)
	p1, err := s.PuntoDiControllo(ctx)
	if err != nil || p1.Lotto < 1 {
		t.Fatalf("checkpoint: %+v %v", p1, err)
	}
	fill(t, s, 2)
	sigillaTutto(t, s)
	p2, err := s.PuntoDiControllo(ctx)
	if err != nil || p2.Lotto <= p1.Lotto {
		t.Fatalf("checkpoint: %+v %v", p2, err)
	}
	file := "Dec  3 10:00:00 host cartella[1]: " + p1.Riga + "\nriga d'altro\n" + p2.Riga + "\n"
	punti, err := s.LeggiPunti(strings.NewReader(file))
	if err != nil || len(punti) != 2 {
		t.Fatalf("LeggiPunti: %d %v", len(punti), err)
	}
	if rep := verify(t, s, punti...); len(rep.Problems) != 0 || rep.Punti != 2 {
		t.Fatalf("intact: %+v", rep)
	}
	if _, err := s.LeggiPunti(strings.NewReader(strings.Replace(p2.Riga, fmt.Sprintf("lotto=%d", p2.Lotto), fmt.Sprintf("lotto=%d", p1.Lotto), 1))); err == nil {
		t.Error("an edited checkpoint was accepted")
	}
	owner := dbtest.Proprietario(t, pool)
	exec(t, owner, `ALTER TABLE registro_lotti DISABLE TRIGGER USER`, fmt.Sprintf(`DELETE FROM registro_lotti WHERE lotto > %d`, p1.Lotto),
		`ALTER TABLE registro_lotti ENABLE TRIGGER USER`)
	if rep := verify(t, s, punti...); len(rep.Problems) == 0 || !strings.Contains(fmt.Sprint(rep.Problems), "troncato") {
		t.Errorf("truncated register: %+v", rep.Problems)
	}
	altra, _ := registro.NuovaChiave(bytes.Repeat([]byte{7}, 32))
	rep := verify(t, registro.NewService(pool, altra))
	if len(rep.Problems) == 0 || !strings.Contains(fmt.Sprint(rep.Problems), "un'altra chiave") {
		t.Errorf("another key: %+v", rep.Problems)
	}
}

// Records of concurrent requests are written together, and each Record
// returns only once its own record is committed (the page is sent after):
// nothing is lost, nothing is written twice, a record the database refuses
// fails its own request only, and the whole register verifies.
func TestRecordInsieme(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	op := uuid.New()
	amb := int64(1)
	const n = 300
	errs := make([]error, n)
	committed := make([]int, n)
	var wg sync.WaitGroup
	via := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := registro.Voce{OperatoreID: &op, Ruolo: string(authz.CaseManager), AmbitoID: &amb, Azione: registro.Lettura,
				OggettoTipo: "caso", OggettoID: fmt.Sprint(i), CasoID: fmt.Sprint(i), Esito: registro.Consentito,
				RequestID: fmt.Sprintf("r-%d", i), Indirizzo: "127.0.0.1"}
			if i == 77 {
				v.Dettaglio = "nul \x00 refused by PostgreSQL"
			}
			<-via
			if errs[i] = s.Record(context.Background(), v); errs[i] != nil {
				return
			}
			// Committed when Record returns: another connection sees it.
			if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE request_id = $1`,
				v.RequestID).Scan(&committed[i]); err != nil {
				errs[i] = err
			}
		}()
	}
	close(via)
	wg.Wait()
	for i := range n {
		switch {
		case i == 77 && errs[i] == nil:
			t.Errorf("the record with a NUL byte was accepted")
		case i != 77 && errs[i] != nil:
			t.Errorf("record %d: %v", i, errs[i])
		case i != 77 && committed[i] != 1:
			t.Errorf("record %d: %d rows visible when Record returned, want 1", i, committed[i])
		}
	}
	gruppi, voci := s.Gruppi()
	t.Logf("%d records in %d batches of more than one (%d records)", n-1, gruppi, voci)
	if gruppi == 0 {
		t.Errorf("%d concurrent records were written one statement each, want some together", n)
	}
	sigillaTutto(t, s)
	if rep := verify(t, s); rep.Records != n-1 || rep.Sigillate != n-1 || len(rep.Problems) != 0 {
		t.Errorf("verify: %d records, %d sealed, problems %v; want %d", rep.Records, rep.Sigillate, rep.Problems, n-1)
	}
}
