package equipe

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// Correnti are the members of the case's équipe on day giorno (the
// familiare referente among them), by start, surname and name: what the
// patto lists and who may sign it. It reads through q, the caller's
// transaction with the case locked or checked: it checks nothing and
// records nothing.
func (s *Service) Correnti(ctx context.Context, q database.Querier, casoID uuid.UUID, giorno time.Time) ([]Membro, error) {
	rows, err := q.Query(ctx, `SELECT `+membroCols+` FROM equipe_membro
		WHERE caso_id = $1 AND dal <= $2 AND (al IS NULL OR al >= $2)
		ORDER BY dal, cognome, nome, id`, casoID, giorno)
	if err != nil {
		return nil, fmt.Errorf("equipe: membri correnti: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanMembro)
	if err != nil {
		return nil, fmt.Errorf("equipe: membri correnti: %w", err)
	}
	return out, nil
}
