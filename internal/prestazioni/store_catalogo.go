package prestazioni

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// catalogo is the whole catalogue, by codice.
func catalogo(ctx context.Context, q database.Querier) ([]VoceCatalogo, error) {
	rows, err := q.Query(ctx, `SELECT codice, denominazione, area FROM prestazione_catalogo ORDER BY codice`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (VoceCatalogo, error) {
		var v VoceCatalogo
		err := r.Scan(&v.Codice, &v.Denominazione, &v.Area)
		return v, err
	})
}

func upsertVoce(ctx context.Context, q database.Querier, v VoceCatalogo) error {
	_, err := q.Exec(ctx, `
		INSERT INTO prestazione_catalogo (codice, denominazione, area) VALUES ($1, $2, $3)
		ON CONFLICT (codice) DO UPDATE SET denominazione = EXCLUDED.denominazione, area = EXCLUDED.area, aggiornato_il = now()`,
		v.Codice, v.Denominazione, v.Area)
	return err
}
