package casi

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// CasoPerCodiceFiscale returns the open Assegno di inclusione case, in comune
// comuneID, of the nucleo the person with codice fiscale cf belongs to now:
// the narrow lookup of the operatore presentazioni (internal/presentazioni),
// who then shows the header's name and number and nothing else of the case.
// ErrNotFound when there is none. The caller records the search.
func (s *Service) CasoPerCodiceFiscale(ctx context.Context, q database.Querier, cf string, comuneID int64) (Caso, error) {
	c, err := casoPerCodiceFiscale(ctx, q, cf, comuneID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Caso{}, ErrNotFound
	}
	if err != nil {
		return Caso{}, fmt.Errorf("casi: caso per codice fiscale: %w", err)
	}
	return c, nil
}

// Blocca returns case id locked for update inside tx with no scope check: for
// a module that makes its own (the operatore presentazioni's comune) and
// records its write in the same tx.
func (s *Service) Blocca(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Caso, error) {
	return load(ctx, tx, id, true)
}
