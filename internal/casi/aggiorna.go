package casi

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// Aggiorna recomputes the case's derived deadline columns (t120_*, t90_*,
// urgenza, prossimo_appuntamento) from what is recorded: call it inside the
// transaction of every write that may move a deadline (a convocazione, an
// incontro, a giustificato motivo, a change of members or of the PAD date).
func Aggiorna(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	// Filled in with internal/scadenze (the lead is writing it).
	_, _, _ = ctx, q, casoID
	return nil
}
