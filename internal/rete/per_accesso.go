package rete

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
)

// PerAccesso is the view of the enti that accesso needs to accredit an
// operatore_ente (accesso.Enti): the active enti of an ambito and the name of
// one ente. Plain reads, no registro record: the accreditation pages record
// their own reads.
type PerAccesso struct{ pool *pgxpool.Pool }

// NewPerAccesso returns accesso's view of the enti over pool.
func NewPerAccesso(pool *pgxpool.Pool) PerAccesso { return PerAccesso{pool: pool} }

var _ accesso.Enti = PerAccesso{}

// Elenco lists the active enti of the ambito, by name.
func (v PerAccesso) Elenco(ctx context.Context, ambitoID int64) ([]accesso.EnteScelta, error) {
	rows, err := v.pool.Query(ctx, `
		SELECT id, denominazione, tipo FROM rete_ente
		WHERE ambito_id = $1 AND attivo
		ORDER BY lower(denominazione), id`, ambitoID)
	if err != nil {
		return nil, fmt.Errorf("rete: enti per accesso: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (accesso.EnteScelta, error) {
		var e accesso.EnteScelta
		err := r.Scan(&e.ID, &e.Denominazione, &e.Tipo)
		e.Tipo = etichetta(TipiEnte, e.Tipo)
		return e, err
	})
}

// Nome is the ente's denominazione, active or not (an accreditation that
// outlives the ente still names it).
func (v PerAccesso) Nome(ctx context.Context, id int64) (string, error) {
	var n string
	err := v.pool.QueryRow(ctx, `SELECT denominazione FROM rete_ente WHERE id = $1`, id).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("rete: ente %d: %w", id, err)
	}
	return n, nil
}
