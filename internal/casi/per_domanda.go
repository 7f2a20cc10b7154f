package casi

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// CasoPerDomanda returns the case of the domanda idDomanda (INPS's id) in
// ambito ambitoID: the open one, or else the latest closed; uuid.Nil when
// Cartella has no case of that domanda in the ambito. It is the narrow
// lookup the controlli anagrafici use to link a request of verification to
// its case: it returns the id only, never content.
func (s *Service) CasoPerDomanda(ctx context.Context, q database.Querier, idDomanda string, ambitoID int64) (uuid.UUID, error) {
	if idDomanda == "" {
		return uuid.Nil, nil
	}
	var id uuid.UUID
	err := q.QueryRow(ctx, `SELECT c.id FROM caso c JOIN domanda d ON d.id = c.domanda_id
		WHERE d.id_domanda = $1 AND c.ambito_id = $2
		ORDER BY (c.stato = 'chiuso'), c.created_at DESC LIMIT 1`, idDomanda, ambitoID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, nil
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("casi: caso per domanda: %w", err)
	}
	return id, nil
}

// NumeriCasi maps case ids to their numbers ("C-000016"), for the register's
// viewer: the ids come from the records of the viewer's own ambito. Ids that
// are not uuids, or of no case, are left out.
func (s *Service) NumeriCasi(ctx context.Context, ids []string) (map[string]string, error) {
	valid := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if u, err := uuid.Parse(id); err == nil {
			valid = append(valid, u)
		}
	}
	out := make(map[string]string, len(valid))
	if len(valid) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, numero FROM caso WHERE id = ANY($1)`, valid)
	if err != nil {
		return nil, fmt.Errorf("casi: numeri: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Caso
		if err := rows.Scan(&c.ID, &c.Numero); err != nil {
			return nil, err
		}
		out[c.ID.String()] = c.Codice()
	}
	return out, rows.Err()
}

// CasoPerNumero is the id of the case whose number the text is (see
// NumeroDaTesto). The register's filter uses it: its records stay those of
// the viewer's ambito, whatever case the number names.
func (s *Service) CasoPerNumero(ctx context.Context, testo string) (string, bool, error) {
	n, ok := NumeroDaTesto(testo)
	if !ok {
		return "", false, nil
	}
	var id uuid.UUID
	err := s.pool.QueryRow(ctx, `SELECT id FROM caso WHERE numero = $1`, n).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("casi: caso per numero: %w", err)
	}
	return id.String(), true, nil
}
