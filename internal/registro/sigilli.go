package registro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// Lotto is one seal of the register: the records whose transactions had
// all ended when it was sealed, in id order, chained to the lotto before.
type Lotto struct {
	Numero      int64
	SigillatoIl time.Time
	// Orizzonte is the oldest transaction still running when the lotto
	// was sealed: every record with a lower xid is in this lotto or an
	// earlier one, and no later record can have one (PostgreSQL assigns
	// transaction ids in increasing order).
	Orizzonte uint64
	Voci      []int64
	Chiave    string
	HashPrec  []byte
	Hash      []byte
	// Sistema is the system identifier of the cluster that sealed the
	// lotto (nil for a lotto sealed before migration 000031).
	Sistema *int64
	// Ripartenza is set on the lotto that opens a new sequence of
	// transaction ids, the first one sealed in another cluster (a logical
	// dump restored into a new one): the highest record id sealed before
	// it. Every record written in the new cluster has a higher id; its
	// horizon is the new cluster's, and may be lower than the one before.
	Ripartenza *int64
}

// sequenza is the current sequence of transaction ids, as its ripartenza
// left it: the records sealed from here on by horizon have an id above dal
// and are not among those the ripartenza sealed whatever their xid
// (sigillate). Before any ripartenza both are empty.
type sequenza struct {
	dal       int64
	sigillate []int64 // never nil: it is a query's array parameter
}

// sequenzaCorrente reads the newest ripartenza.
func sequenzaCorrente(ctx context.Context, q database.Querier) (sequenza, error) {
	seq := sequenza{sigillate: []int64{}}
	err := q.QueryRow(ctx, `SELECT ripartenza, voci FROM registro_lotti WHERE ripartenza IS NOT NULL
		ORDER BY lotto DESC LIMIT 1`).Scan(&seq.dal, &seq.sigillate)
	if errors.Is(err, pgx.ErrNoRows) {
		return sequenza{sigillate: []int64{}}, nil
	}
	if err != nil {
		return sequenza{}, fmt.Errorf("registro: ripartenza: %w", err)
	}
	if seq.sigillate == nil {
		seq.sigillate = []int64{}
	}
	return seq, nil
}

// sistemaDi is the system identifier of the cluster q is connected to:
// the same after a physical backup or a point-in-time recovery, another
// one in every cluster initdb creates.
func (s *Service) sistemaDi(ctx context.Context, q database.Querier) (int64, error) {
	if s.finto != nil {
		if id, _ := s.finto(); id != 0 {
			return id, nil
		}
	}
	var id int64
	if err := q.QueryRow(ctx, `SELECT system_identifier FROM pg_control_system()`).Scan(&id); err != nil {
		return 0, fmt.Errorf("registro: identificativo del cluster: %w", err)
	}
	return id, nil
}

// sposta moves transaction ids read from the cluster as finto says (the
// tests'); it returns them unchanged otherwise.
func (s *Service) sposta(xids ...*int64) {
	if s.finto == nil {
		return
	}
	if id, d := s.finto(); id != 0 {
		for _, x := range xids {
			*x += d
		}
	}
}

// nuovoCluster reports whether a lotto sealed now, in the cluster sistema
// whose next transaction id is xmax, follows prec from another cluster: a
// different system identifier, or — prec sealed before migration 000031
// did not note its cluster — transaction ids behind its horizon, which
// never happens within one cluster.
func nuovoCluster(prec Lotto, sistema, xmax int64) bool {
	switch {
	case prec.Numero == 0:
		return false
	case prec.Sistema != nil:
		return *prec.Sistema != sistema
	default:
		return uint64(xmax) < prec.Orizzonte
	}
}

// sealLock makes the sealers of several instances take turns.
const sealLock = 7417003

// OgniSigillo is how often the serve process seals the register.
const OgniSigillo = 2 * time.Second

// Sigilla seals the records whose transactions have ended since the last
// lotto: one lotto, or none when there is nothing new or another instance
// is sealing now. It returns how many records it sealed.
func (s *Service) Sigilla(ctx context.Context) (int, error) {
	if !s.chiave.Valida() {
		return 0, ErrChiave
	}
	// The turn is taken before the transaction starts: its snapshot must
	// see the lotto the previous holder committed.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("registro: sigillo: %w", err)
	}
	defer conn.Release()
	var mio bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, sealLock).Scan(&mio); err != nil {
		return 0, fmt.Errorf("registro: sigillo: %w", err)
	}
	if !mio {
		return 0, nil
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, sealLock); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) // a session lock must not outlive its holder's turn
		}
	}()
	n := 0
	err = pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		// The first statement takes the snapshot: the horizon and the
		// records read below are of the same instant.
		var orizzonte, xmax int64
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint
			FROM (SELECT pg_current_snapshot() AS s) AS istantanea`).Scan(&orizzonte, &xmax); err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		s.sposta(&orizzonte, &xmax)
		prec, err := ultimoLotto(ctx, tx)
		if err != nil {
			return err
		}
		seq, err := sequenzaCorrente(ctx, tx)
		if err != nil {
			return err
		}
		sistema, err := s.sistemaDi(ctx, tx)
		if err != nil {
			return err
		}
		l := Lotto{Numero: prec.Numero + 1, Orizzonte: uint64(orizzonte), Chiave: s.chiave.Impronta(), HashPrec: prec.Hash, Sistema: &sistema}
		var rows pgx.Rows
		if nuovoCluster(prec, sistema, xmax) {
			// A ripartenza: the transaction ids of this cluster have nothing
			// to do with the horizon before. It seals every record that
			// exists now and is not sealed: those of the old cluster not
			// sealed before the dump (xid above the last horizon, as
			// always) and those written here already (an id above every
			// sealed one: the restored sequence hands out ids after the
			// dump's). All are committed, being visible; a record of a
			// transaction still running here has an xid at or above the new
			// horizon and an id above the ripartenza, and the next lotti
			// seal it.
			var massimo int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(max(v), 0) FROM registro_lotti, unnest(voci) AS v`).Scan(&massimo); err != nil {
				return fmt.Errorf("registro: ripartenza: %w", err)
			}
			l.Ripartenza = &massimo
			rows, err = tx.Query(ctx, `SELECT id, COALESCE(mac, hash) FROM registro_accessi
				WHERE xid IS NOT NULL
				  AND (id > $1 OR (xid >= $2::bigint::text::xid8 AND id > $3 AND id <> ALL ($4::bigint[])))
				ORDER BY id`, massimo, int64(prec.Orizzonte), seq.dal, seq.sigillate)
		} else {
			rows, err = tx.Query(ctx, `SELECT id, COALESCE(mac, hash) FROM registro_accessi
				WHERE ((xid >= $1::bigint::text::xid8 AND xid < $2::bigint::text::xid8) OR ($3 AND xid IS NULL))
				  AND id > $4 AND id <> ALL ($5::bigint[])
				ORDER BY id`, int64(prec.Orizzonte), orizzonte, prec.Numero == 0, seq.dal, seq.sigillate)
		}
		if err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		var firme [][]byte
		for rows.Next() {
			var id int64
			var f []byte
			if err := rows.Scan(&id, &f); err != nil {
				rows.Close()
				return fmt.Errorf("registro: sigillo: %w", err)
			}
			l.Voci = append(l.Voci, id)
			firme = append(firme, f)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		// A ripartenza is written even when it seals nothing: it notes the
		// new cluster, and the lotti after it are of the new sequence.
		if len(l.Voci) == 0 && l.Ripartenza == nil {
			return nil
		}
		if l.Voci == nil {
			l.Voci = []int64{}
		}
		l.Hash = s.chiave.firmaLotto(l, firme)
		if _, err := tx.Exec(ctx, `INSERT INTO registro_lotti (lotto, orizzonte, voci, chiave, hash_prec, hash, sistema, ripartenza)
			VALUES ($1, $2::bigint::text::xid8, $3, $4, $5, $6, $7, $8)`,
			l.Numero, orizzonte, l.Voci, l.Chiave, l.HashPrec, l.Hash, l.Sistema, l.Ripartenza); err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		n = len(l.Voci)
		return nil
	})
	return n, err
}

// SigillaFinoAOra seals until every record committed before the call is in
// a lotto, or entro has passed (a long transaction running anywhere in the
// cluster holds the horizon back while it runs).
func (s *Service) SigillaFinoAOra(ctx context.Context, entro time.Duration) error {
	var adesso int64
	if err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint`).Scan(&adesso); err != nil {
		return fmt.Errorf("registro: sigillo: %w", err)
	}
	s.sposta(&adesso)
	fine := time.Now().Add(entro)
	for {
		if _, err := s.Sigilla(ctx); err != nil {
			return err
		}
		var resta bool
		// Records of the current sequence only: those of a cluster before
		// a ripartenza may have any transaction id.
		if err := s.pool.QueryRow(ctx, `WITH r AS (SELECT ripartenza, voci FROM registro_lotti
				WHERE ripartenza IS NOT NULL ORDER BY lotto DESC LIMIT 1)
			SELECT EXISTS (SELECT 1 FROM registro_accessi
				WHERE xid >= COALESCE((SELECT orizzonte FROM registro_lotti ORDER BY lotto DESC LIMIT 1), '0'::xid8)
				  AND xid < $1::bigint::text::xid8
				  AND id > COALESCE((SELECT ripartenza FROM r), 0)
				  AND id <> ALL (COALESCE((SELECT voci FROM r), '{}')))`, adesso).Scan(&resta); err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		if !resta {
			return nil
		}
		if time.Now().After(fine) {
			return fmt.Errorf("registro: sigillo: una transazione aperta da più di %s trattiene il sigillo; riprova", entro)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// ultimoLotto is the newest lotto, or the lotto before the first (number
// 0, horizon 0, hash zero).
func ultimoLotto(ctx context.Context, q pgx.Tx) (Lotto, error) {
	var l Lotto
	var oriz int64
	err := q.QueryRow(ctx, `SELECT lotto, sigillato_il, orizzonte::text::bigint, chiave, hash, sistema, ripartenza
		FROM registro_lotti ORDER BY lotto DESC LIMIT 1`).Scan(&l.Numero, &l.SigillatoIl, &oriz, &l.Chiave, &l.Hash, &l.Sistema, &l.Ripartenza)
	if errors.Is(err, pgx.ErrNoRows) {
		return Lotto{Hash: zero}, nil
	}
	if err != nil {
		return Lotto{}, fmt.Errorf("registro: ultimo lotto: %w", err)
	}
	l.Orizzonte = uint64(oriz)
	return l, nil
}

// Sigillatore seals the register every ogni until ctx ends (the serve
// process runs it; several instances take turns). Every hour it writes the
// newest lotto's hash to the log, a checkpoint outside the database.
func (s *Service) Sigillatore(ctx context.Context, ogni time.Duration, log *slog.Logger) {
	t := time.NewTicker(ogni)
	defer t.Stop()
	ultimoPunto := time.Time{}
	for {
		if _, err := s.Sigilla(ctx); err != nil && ctx.Err() == nil {
			log.Error("registro: sigillo", "error", err)
		}
		if time.Since(ultimoPunto) >= time.Hour {
			if p, err := s.PuntoDiControllo(ctx); err == nil && p.Lotto > 0 {
				log.Info("registro: punto di controllo", "riga", p.Riga)
				ultimoPunto = time.Now()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
