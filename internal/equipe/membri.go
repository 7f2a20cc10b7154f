package equipe

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// Correnti are the members of the case's équipe on day giorno (the
// familiare referente among them), by start, surname and name: what the
// patto lists and who may sign it. It reads through q, the caller's
// transaction with the case locked or checked: it checks nothing and
// records nothing.
func (s *Service) Correnti(ctx context.Context, q database.Querier, casoID uuid.UUID, giorno time.Time) ([]Membro, error) {
	return correnti(ctx, q, casoID, giorno)
}
