package registro

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

const cols = `id, registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo, oggetto_id,
	caso_id, esito, request_id, indirizzo, dettaglio, hash_prec, hash`

func scan(row pgx.Row) (Voce, error) {
	var v Voce
	err := row.Scan(&v.ID, &v.RegistratoIl, &v.OperatoreID, &v.Ruolo, &v.AmbitoID, &v.ComuneID, &v.Azione,
		&v.OggettoTipo, &v.OggettoID, &v.CasoID, &v.Esito, &v.RequestID, &v.Indirizzo, &v.Dettaglio, &v.HashPrec, &v.Hash)
	return v, err
}

func lastHash(ctx context.Context, q database.Querier) ([]byte, error) {
	var h []byte
	err := q.QueryRow(ctx, `SELECT hash FROM registro_accessi ORDER BY id DESC LIMIT 1`).Scan(&h)
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, nil
	}
	if err != nil {
		return nil, fmt.Errorf("registro: last hash: %w", err)
	}
	return h, nil
}

func insert(ctx context.Context, q database.Querier, v Voce) error {
	_, err := q.Exec(ctx, `
		INSERT INTO registro_accessi (registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo,
			oggetto_id, caso_id, esito, request_id, indirizzo, dettaglio, hash_prec, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		v.RegistratoIl, v.OperatoreID, v.Ruolo, v.AmbitoID, v.ComuneID, v.Azione, v.OggettoTipo,
		v.OggettoID, v.CasoID, v.Esito, v.RequestID, v.Indirizzo, v.Dettaglio, v.HashPrec, v.Hash)
	return err
}

// scanAll streams the whole register in id order, in batches, so that a
// register of millions of records is verified in constant memory.
func scanAll(ctx context.Context, q database.Querier, fn func(Voce) error) error {
	var after int64
	for {
		rows, err := q.Query(ctx, `SELECT `+cols+` FROM registro_accessi WHERE id > $1 ORDER BY id LIMIT 5000`, after)
		if err != nil {
			return fmt.Errorf("registro: scan: %w", err)
		}
		batch, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Voce, error) { return scan(r) })
		if err != nil {
			return fmt.Errorf("registro: scan: %w", err)
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

// lockChain takes the transaction-scoped lock that serialises appends
// (chainLock).
func lockChain(ctx context.Context, q database.Querier) error {
	_, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock)
	return err
}

// copyVoci writes rows (the columns of registro_accessi but id) with one
// COPY inside tx.
func copyVoci(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"registro_accessi"}, []string{"registrato_il", "operatore_id", "ruolo",
		"ambito_id", "comune_id", "azione", "oggetto_tipo", "oggetto_id", "caso_id", "esito", "request_id",
		"indirizzo", "dettaglio", "hash_prec", "hash"}, pgx.CopyFromRows(rows))
	return err
}
