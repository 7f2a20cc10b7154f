package registro_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/registro"
)

// cluster is the cluster a Service believes it is in (FingiCluster): a
// system identifier, and how far its transaction ids are from the real
// ones.
type cluster struct{ sistema, spostamento atomic.Int64 }

func (c *cluster) vedi() (int64, int64) { return c.sistema.Load(), c.spostamento.Load() }

// lontano is where the transaction ids of the "old" cluster are: epoch 16,
// far past the real ones, as in a production cluster that has used
// billions.
const lontano = int64(1) << 36

// sposta moves the transaction ids of records after id dopo by d, as the
// owner behind the triggers could: xid is not part of a record's
// signature, so this makes records as if written in a cluster d ahead.
func sposta(t *testing.T, owner *pgxpool.Pool, dopo, d int64) {
	t.Helper()
	tamper(t, owner, fmt.Sprintf(`UPDATE registro_accessi SET xid = (xid::text::bigint + %d)::text::xid8
		WHERE id > %d AND xid IS NOT NULL`, d, dopo))
}

// sigillaN seals until n more records are sealed (other tests' open
// transactions hold the horizon back a moment).
func sigillaN(t *testing.T, s *registro.Service, n int) {
	t.Helper()
	fine := time.Now().Add(30 * time.Second)
	for n > 0 {
		n -= sigilla(t, s)
		if n < 0 {
			t.Fatalf("sealed more records than expected (%d more)", -n)
		}
		if n > 0 && time.Now().After(fine) {
			t.Fatalf("%d records still not sealed", n)
		}
		if n > 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

type lottoLetto struct {
	numero, orizzonte int64
	voci              []int64
	sistema           *int64
	ripartenza        *int64
}

func lotti(t *testing.T, pool *pgxpool.Pool) []lottoLetto {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT lotto, orizzonte::text::bigint, voci, sistema, ripartenza
		FROM registro_lotti ORDER BY lotto`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []lottoLetto
	for rows.Next() {
		var l lottoLetto
		if err := rows.Scan(&l.numero, &l.orizzonte, &l.voci, &l.sistema, &l.ripartenza); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func senzaProblemi(t *testing.T, quando string, rep registro.Report, records, sigillate int64) {
	t.Helper()
	if len(rep.Problems) != 0 || rep.Records != records || rep.Sigillate != sigillate || rep.NonSigillate != records-sigillate {
		t.Errorf("%s: %+v, want %d records, %d sealed, no problems", quando, rep, records, sigillate)
	}
}

// A logical dump restored into a new cluster: its transaction ids start
// again far below the last lotto's horizon. The first lotto sealed there
// is a ripartenza: it seals what the old cluster had not sealed and what
// was written here already, whatever their transaction ids, and the lotti
// after it seal by the new cluster's horizon. Verify accepts the horizon
// going back there, before the ripartenza is written as after, and the
// records before the restore stay verified.
func TestRipartenzaInUnNuovoCluster(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	owner := dbtest.Proprietario(t, pool)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	var c cluster
	c.sistema.Store(1111)
	c.spostamento.Store(lontano)
	s.FingiCluster(c.vedi)

	// The old cluster, far ahead: 3 records sealed, a checkpoint, 2
	// written and not sealed yet when the dump was taken.
	fill(t, s, 3)
	sposta(t, owner, 0, lontano)
	sigillaN(t, s, 3)
	punto, err := s.PuntoDiControllo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, 2)
	sposta(t, owner, 3, lontano)
	senzaProblemi(t, "old cluster", verify(t, s), 5, 3)
	prima := lotti(t, pool)
	// Other tests' open transactions may have split the sealing in
	// several lotti.
	for _, l := range prima {
		if l.sistema == nil || *l.sistema != 1111 || l.ripartenza != nil {
			t.Fatalf("old cluster's lotti: %+v", prima)
		}
	}
	ultimo := prima[len(prima)-1]

	// The new cluster: transaction ids from the start again. Two records
	// are written before anything is sealed (a command run before serve).
	c.sistema.Store(2222)
	c.spostamento.Store(0)
	fill(t, s, 2)
	var indietro bool
	if err := pool.QueryRow(context.Background(), `SELECT max(xid) FILTER (WHERE id > 5) < (SELECT max(orizzonte) FROM registro_lotti)
		FROM registro_accessi`).Scan(&indietro); err != nil || !indietro {
		t.Fatalf("the new records' transaction ids are not behind the last horizon: %v", err)
	}
	senzaProblemi(t, "new cluster, before its first lotto", verify(t, s, punto), 7, 3)

	if n := sigilla(t, s); n != 4 {
		t.Errorf("the ripartenza sealed %d records, want 4 (2 of the old cluster, 2 of the new)", n)
	}
	fill(t, s, 2)
	sigillaTutto(t, s)
	dopo := lotti(t, pool)
	if len(dopo) < len(prima)+2 {
		t.Fatalf("lotti after the restore: %+v", dopo)
	}
	r := dopo[len(prima)]
	if r.ripartenza == nil || *r.ripartenza != 3 || r.sistema == nil || *r.sistema != 2222 ||
		fmt.Sprint(r.voci) != "[4 5 6 7]" || r.orizzonte >= ultimo.orizzonte {
		t.Errorf("the ripartenza: %+v (ripartenza %v), want records 4-7, above record 3, horizon below %d",
			r, r.ripartenza, ultimo.orizzonte)
	}
	for _, l := range dopo[len(prima)+1:] {
		if l.ripartenza != nil || l.orizzonte < r.orizzonte {
			t.Errorf("a lotto after the ripartenza: %+v", l)
		}
	}
	rep := verify(t, s, punto)
	senzaProblemi(t, "after the ripartenza", rep, 9, 9)
	if rep.Ripartenze != 1 || rep.UltimaRipartenza != r.numero || rep.Punti != 1 {
		t.Errorf("ripartenze %d (lotto %d), checkpoints %d; want 1 (%d), 1", rep.Ripartenze, rep.UltimaRipartenza, rep.Punti, r.numero)
	}

	// Restored again into a third cluster, and a point-in-time recovery of
	// it (same cluster, transaction ids going on): one more ripartenza,
	// and none for the recovery.
	c.sistema.Store(3333)
	fill(t, s, 1)
	sigillaTutto(t, s)
	fill(t, s, 1)
	sigillaTutto(t, s)
	rep = verify(t, s, punto)
	senzaProblemi(t, "after a second ripartenza", rep, 11, 11)
	if rep.Ripartenze != 2 {
		t.Errorf("ripartenze %d, want 2", rep.Ripartenze)
	}
	// Tampering after the ripartenza is still found: a record changed,
	// one inserted behind the triggers with an old transaction id.
	tamper(t, owner, `UPDATE registro_accessi SET oggetto_id = '43' WHERE id = 6`)
	tamper(t, owner, `INSERT INTO registro_accessi (registrato_il, azione, esito, nonce, mac, xid)
		SELECT registrato_il, azione, esito, nonce, sha256(mac), '5'::xid8 FROM registro_accessi WHERE id = 10`)
	rep = verify(t, s)
	testo := fmt.Sprint(rep.Problems)
	if !strings.Contains(testo, "registrazione 6: contenuto alterato") || !strings.Contains(testo, "registrazione 12: registrazione inserita fuori ordine") {
		t.Errorf("tampering after a ripartenza: %v", rep.Problems)
	}
}

// The same cluster, its transaction ids going on (a physical backup, a
// point-in-time recovery, a standby promoted): no ripartenza.
func TestNessunaRipartenzaNelloStessoCluster(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	for i := 0; i < 3; i++ {
		fill(t, s, 2)
		sigillaTutto(t, s)
	}
	var sistema int64
	if err := pool.QueryRow(context.Background(), `SELECT system_identifier FROM pg_control_system()`).Scan(&sistema); err != nil {
		t.Fatal(err)
	}
	for _, l := range lotti(t, pool) {
		if l.ripartenza != nil || l.sistema == nil || *l.sistema != sistema {
			t.Errorf("lotto %d: sistema %v ripartenza %v, want %d and none", l.numero, l.sistema, l.ripartenza, sistema)
		}
	}
	if rep := verify(t, s); len(rep.Problems) != 0 || rep.Ripartenze != 0 || rep.Sigillate != 6 {
		t.Errorf("%+v", rep)
	}
}

// The ripartenza is a lotto like the others, signed with the key and
// chained: whoever holds the application's role (or the owner) but not
// the key cannot write one, turn a lotto into one, or one back, to make
// the horizon go back and records disappear from the sealing. Each is
// reported.
func TestRipartenzaFalsa(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// prepara seals 3 records in a cluster far ahead; it returns the
	// number the next lotto will have (other tests' open transactions may
	// have split the sealing in several lotti).
	prepara := func(t *testing.T) (*pgxpool.Pool, *pgxpool.Pool, *registro.Service, int64) {
		pool := dbtest.New(t)
		s := registro.NewService(pool, registro.ChiaveDiProva())
		var c cluster
		c.sistema.Store(1111)
		c.spostamento.Store(lontano)
		s.FingiCluster(c.vedi)
		owner := dbtest.Proprietario(t, pool)
		fill(t, s, 3)
		sposta(t, owner, 0, lontano)
		sigillaN(t, s, 3)
		ll := lotti(t, pool)
		return pool, owner, s, ll[len(ll)-1].numero + 1
	}
	problemi := func(rep registro.Report) string { return fmt.Sprint(rep.Problems) }

	for _, tc := range []struct {
		name    string
		sistema int64
		hidden  bool
	}{
		// Claiming another cluster: the sealer, in its own, opens a new
		// sequence after it and seals the records anyway.
		{"written by the application's role, another cluster", 2222, false},
		// Claiming this one: the sealer, trusting its mark, seals nothing
		// more; verify names every record left out.
		{"written by the application's role, this cluster", 1111, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pool, _, s, n := prepara(t)
			// A "ripartenza" with a horizon back at the start and every
			// record declared sealed before it.
			exec(t, pool, fmt.Sprintf(`INSERT INTO registro_lotti (lotto, orizzonte, voci, chiave, hash_prec, hash, sistema, ripartenza)
				SELECT lotto + 1, '3'::xid8, '{}', chiave, hash, sha256(hash), %d, 1000000
				FROM registro_lotti ORDER BY lotto DESC LIMIT 1`, tc.sistema))
			fill(t, s, 2)
			sigilla(t, s)
			rep := verify(t, s)
			if !strings.Contains(problemi(rep), fmt.Sprintf("lotto %d: lotto alterato: la sua firma non corrisponde", n)) ||
				!strings.Contains(problemi(rep), fmt.Sprintf("lotto %d: ripartenza alterata", n)) {
				t.Errorf("a ripartenza forged through the application's role: %v", rep.Problems)
			}
			for _, id := range []string{"registrazione 4:", "registrazione 5:"} {
				if tc.hidden && !strings.Contains(problemi(rep), id) {
					t.Errorf("a record it hid from the sealer is not reported (%s): %v", id, rep.Problems)
				}
			}
			if !tc.hidden && (rep.Sigillate != 5 || rep.Ripartenze != 2) {
				t.Errorf("the sealer did not go on after the forged lotto: %+v", rep)
			}
		})
	}
	t.Run("a lotto turned into one by the owner", func(t *testing.T) {
		_, owner, s, n := prepara(t)
		fill(t, s, 2)
		sposta(t, owner, 3, lontano)
		sigillaN(t, s, 2)
		exec(t, owner, `ALTER TABLE registro_lotti DISABLE TRIGGER USER`,
			fmt.Sprintf(`UPDATE registro_lotti SET ripartenza = 3, sistema = 2222, orizzonte = '3' WHERE lotto = %d`, n),
			`ALTER TABLE registro_lotti ENABLE TRIGGER USER`)
		if rep := verify(t, s); !strings.Contains(problemi(rep), fmt.Sprintf("lotto %d: lotto alterato", n)) {
			t.Errorf("a lotto turned into a ripartenza: %v", rep.Problems)
		}
	})
	t.Run("a ripartenza turned back into a lotto by the owner", func(t *testing.T) {
		_, owner, s, n := prepara(t)
		// A real restore into another cluster, then its mark removed.
		s.FingiCluster(func() (int64, int64) { return 2222, 0 })
		fill(t, s, 2)
		sigillaTutto(t, s)
		if rep := verify(t, s); len(rep.Problems) != 0 || rep.Ripartenze != 1 {
			t.Fatalf("after a real ripartenza: %+v", rep)
		}
		exec(t, owner, `ALTER TABLE registro_lotti DISABLE TRIGGER USER`,
			`UPDATE registro_lotti SET ripartenza = NULL WHERE ripartenza IS NOT NULL`,
			`ALTER TABLE registro_lotti ENABLE TRIGGER USER`)
		rep := verify(t, s)
		if !strings.Contains(problemi(rep), fmt.Sprintf("lotto %d: l'orizzonte torna indietro senza una ripartenza", n)) ||
			!strings.Contains(problemi(rep), fmt.Sprintf("lotto %d: lotto alterato", n)) {
			t.Errorf("a ripartenza unmarked: %v", rep.Problems)
		}
	})
	t.Run("the application's role cannot change one", func(t *testing.T) {
		pool, _, s, _ := prepara(t)
		s.FingiCluster(func() (int64, int64) { return 2222, 0 })
		fill(t, s, 1)
		sigillaTutto(t, s)
		for _, stmt := range []string{
			`UPDATE registro_lotti SET ripartenza = NULL`,
			`UPDATE registro_lotti SET ripartenza = 1000000 WHERE ripartenza IS NOT NULL`,
			`DELETE FROM registro_lotti WHERE ripartenza IS NOT NULL`,
		} {
			if _, err := pool.Exec(ctx, stmt); err == nil || !strings.Contains(err.Error(), "permission denied") {
				t.Errorf("%s: %v, want refused", stmt, err)
			}
		}
		if rep := verify(t, s); len(rep.Problems) != 0 || rep.Ripartenze != 1 {
			t.Errorf("%+v", rep)
		}
	})
}

// A record of the old cluster committed after a record with a higher id
// was sealed (ids are taken before transaction ids end) is below the
// ripartenza's bound and still unsealed at the dump: the ripartenza seals
// it by its transaction id, and the lotti after it do not seal it again.
func TestRipartenzaSigillaIRitardatari(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	s := registro.NewService(pool, registro.ChiaveDiProva())
	// Transaction ids are not moved here: the owner's ALTER TABLE would
	// wait for the transaction left open below.
	var c cluster
	c.sistema.Store(1111)
	s.FingiCluster(c.vedi)
	fill(t, s, 3)
	sigillaN(t, s, 3)

	// Y takes its transaction id first, X after; X records first (id 4)
	// and stays open, Y records (id 5) and commits: Y is sealed, X not.
	voce := registro.Voce{Azione: registro.Scrittura, OggettoTipo: "caso", Esito: registro.Consentito}
	txY, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txY.Rollback(ctx)
	txX, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txX.Rollback(ctx)
	for _, tx := range []interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}{txY, txX} {
		if _, err := tx.Exec(ctx, `SELECT pg_current_xact_id()`); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordTx(ctx, txX, voce); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTx(ctx, txY, voce); err != nil {
		t.Fatal(err)
	}
	if err := txY.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	sigillaN(t, s, 1)
	if err := txX.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	senzaProblemi(t, "old cluster", verify(t, s), 5, 4)

	c.sistema.Store(2222)
	fill(t, s, 1)
	sigillaTutto(t, s)
	fill(t, s, 1)
	sigillaTutto(t, s)
	var r lottoLetto
	for _, l := range lotti(t, pool) {
		if l.ripartenza != nil {
			r = l
		}
	}
	if r.ripartenza == nil || *r.ripartenza != 5 || fmt.Sprint(r.voci) != "[4 6]" {
		t.Errorf("the ripartenza: %+v (bound %v), want records 4 and 6 above bound 5", r, r.ripartenza)
	}
	senzaProblemi(t, "after the ripartenza", verify(t, s), 7, 7)
}
