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
