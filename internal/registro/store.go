package registro

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

const cols = `id, registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo, oggetto_id,
	caso_id, esito, request_id, indirizzo, dettaglio, xid::text::bigint, nonce, mac, hash_prec, hash`

func scan(row pgx.Row) (Voce, error) {
	var v Voce
	err := row.Scan(&v.ID, &v.RegistratoIl, &v.OperatoreID, &v.Ruolo, &v.AmbitoID, &v.ComuneID, &v.Azione,
		&v.OggettoTipo, &v.OggettoID, &v.CasoID, &v.Esito, &v.RequestID, &v.Indirizzo, &v.Dettaglio, &v.Xid, &v.Nonce, &v.Mac, &v.HashPrec, &v.Hash)
	return v, err
}

func insert(ctx context.Context, q database.Querier, v Voce) error {
	_, err := q.Exec(ctx, sqlInsert, argomentiInsert(v)...)
	return err
}

const sqlInsert = `
		INSERT INTO registro_accessi (registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo,
			oggetto_id, caso_id, esito, request_id, indirizzo, dettaglio, nonce, mac)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`

// argomentiInsert are the arguments of sqlInsert for v.
func argomentiInsert(v Voce) []any {
	return []any{v.RegistratoIl, v.OperatoreID, v.Ruolo, v.AmbitoID, v.ComuneID, v.Azione, v.OggettoTipo,
		v.OggettoID, v.CasoID, v.Esito, v.RequestID, v.Indirizzo, v.Dettaglio, v.Nonce, v.Mac}
}

// Filtro selects records of one ambito for the viewer and the export.
type Filtro struct {
	AmbitoID    int64
	OperatoreID *uuid.UUID
	Dal, Al     *time.Time // [Dal, Al)
	Azione      string
	CasoID      string
	Prima       int64 // keyset: records with id < Prima (0: from the newest)
}

// list returns up to limit records, newest first.
func list(ctx context.Context, q database.Querier, f Filtro, limit int) ([]Voce, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM registro_accessi
		WHERE ambito_id = $1
		  AND ($2::uuid IS NULL OR operatore_id = $2)
		  AND ($3::timestamptz IS NULL OR registrato_il >= $3)
		  AND ($4::timestamptz IS NULL OR registrato_il < $4)
		  AND ($5 = '' OR azione = $5)
		  AND ($6 = '' OR caso_id = $6)
		  AND ($7 = 0 OR id < $7)
		ORDER BY id DESC LIMIT $8`,
		f.AmbitoID, f.OperatoreID, f.Dal, f.Al, f.Azione, f.CasoID, f.Prima, limit)
	if err != nil {
		return nil, fmt.Errorf("registro: list: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Voce, error) { return scan(r) })
}

// copyVoci writes rows (the columns of registro_accessi but id) with one
// COPY inside tx.
func copyVoci(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"registro_accessi"}, []string{"registrato_il", "operatore_id", "ruolo",
		"ambito_id", "comune_id", "azione", "oggetto_tipo", "oggetto_id", "caso_id", "esito", "request_id",
		"indirizzo", "dettaglio", "nonce", "mac"}, pgx.CopyFromRows(rows))
	return err
}

// lottiDopo returns up to limit lotti numbered above after, in order.
func lottiDopo(ctx context.Context, q database.Querier, after int64, limit int) ([]Lotto, error) {
	rows, err := q.Query(ctx, `SELECT lotto, sigillato_il, orizzonte::text::bigint, voci, chiave, hash_prec, hash, sistema, ripartenza
		FROM registro_lotti WHERE lotto > $1 ORDER BY lotto LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("registro: lotti: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Lotto, error) {
		var l Lotto
		var oriz int64
		err := r.Scan(&l.Numero, &l.SigillatoIl, &oriz, &l.Voci, &l.Chiave, &l.HashPrec, &l.Hash, &l.Sistema, &l.Ripartenza)
		l.Orizzonte = uint64(oriz)
		return l, err
	})
}

// vociPerID reads the records with the given ids.
func vociPerID(ctx context.Context, q database.Querier, ids []int64) (map[int64]Voce, error) {
	out := make(map[int64]Voce, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 20000)
		rows, err := q.Query(ctx, `SELECT `+cols+` FROM registro_accessi WHERE id = ANY ($1)`, ids[:n])
		if err != nil {
			return nil, fmt.Errorf("registro: voci: %w", err)
		}
		vs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Voce, error) { return scan(r) })
		if err != nil {
			return nil, fmt.Errorf("registro: voci: %w", err)
		}
		for _, v := range vs {
			out[v.ID] = v
		}
		ids = ids[n:]
	}
	return out, nil
}

// attesa describes the records not sealed yet, as of the last lotto.
type attesa struct {
	orizzonte int64    // the last lotto's horizon
	seq       sequenza // the current sequence of transaction ids
	// inAttesa: the database is in a new cluster and its ripartenza is
	// not written yet; it will seal, besides, every record with an id
	// above massimo, the highest sealed.
	inAttesa bool
	massimo  int64
}

// daSigillare is the condition of a record not sealed yet, and its
// arguments, numbered from $1. Outside a new cluster's wait it is the plain
// comparison with the horizon, which the index on xid serves.
func (a attesa) daSigillare() (string, []any) {
	if !a.inAttesa {
		return `(xid >= $1::bigint::text::xid8 AND id > $2 AND id <> ALL ($3::bigint[]))`,
			[]any{a.orizzonte, a.seq.dal, a.seq.sigillate}
	}
	return `(xid IS NOT NULL AND id > $2 AND id <> ALL ($3::bigint[]) AND (xid >= $1::bigint::text::xid8 OR id > $4))`,
		[]any{a.orizzonte, a.seq.dal, a.seq.sigillate, a.massimo}
}

// recentiDopo streams the records not sealed yet (xid at or above the last
// lotto's horizon, of the current sequence), in id order.
func recentiDopo(ctx context.Context, q database.Querier, a attesa, fn func(Voce) error) error {
	var after int64
	for {
		cond, args := a.daSigillare()
		rows, err := q.Query(ctx, `SELECT `+cols+` FROM registro_accessi
			WHERE `+cond+fmt.Sprintf(` AND id > $%d ORDER BY id LIMIT 5000`, len(args)+1), append(args, after)...)
		if err != nil {
			return fmt.Errorf("registro: recenti: %w", err)
		}
		batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Voce, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("registro: recenti: %w", err)
		}
		for _, v := range batch {
			if err := fn(v); err != nil {
				return err
			}
			after = v.ID
		}
		if len(batch) < 5000 {
			return nil
		}
	}
}
