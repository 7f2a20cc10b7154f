package registro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
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
		var orizzonte int64
		if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&orizzonte); err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		prec, err := ultimoLotto(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, COALESCE(mac, hash) FROM registro_accessi
			WHERE (xid >= $1::bigint::text::xid8 AND xid < $2::bigint::text::xid8) OR ($3 AND xid IS NULL)
			ORDER BY id`, int64(prec.Orizzonte), orizzonte, prec.Numero == 0)
		if err != nil {
			return fmt.Errorf("registro: sigillo: %w", err)
		}
		l := Lotto{Numero: prec.Numero + 1, Orizzonte: uint64(orizzonte), Chiave: s.chiave.Impronta(), HashPrec: prec.Hash}
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
		if len(l.Voci) == 0 {
			return nil
		}
		l.Hash = s.chiave.firmaLotto(l, firme)
		if _, err := tx.Exec(ctx, `INSERT INTO registro_lotti (lotto, orizzonte, voci, chiave, hash_prec, hash)
			VALUES ($1, $2::bigint::text::xid8, $3, $4, $5, $6)`, l.Numero, orizzonte, l.Voci, l.Chiave, l.HashPrec, l.Hash); err != nil {
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
	fine := time.Now().Add(entro)
	for {
		if _, err := s.Sigilla(ctx); err != nil {
			return err
		}
		var resta bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM registro_accessi
				WHERE xid >= COALESCE((SELECT orizzonte FROM registro_lotti ORDER BY lotto DESC LIMIT 1), '0'::xid8)
				  AND xid < $1::bigint::text::xid8)`, adesso).Scan(&resta); err != nil {
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
	err := q.QueryRow(ctx, `SELECT lotto, sigillato_il, orizzonte::text::bigint, chiave, hash FROM registro_lotti
		ORDER BY lotto DESC LIMIT 1`).Scan(&l.Numero, &l.SigillatoIl, &oriz, &l.Chiave, &l.Hash)
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
