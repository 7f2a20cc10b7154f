package incontri

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// RegistraTx records an incontro already held, with the presence of each
// member, inside the caller's transaction: for modules whose own write
// registers a meeting (the monitoring of the patto, internal/monitoraggio).
// The caller has locked the case (casi.Lock), validated the meeting (its
// tipo one of TipiIncontro, a date not in the future, a presence for each
// current member), and in the same transaction records the write in the
// registro and calls casi.Aggiorna, which resets the T90 when a member was
// present.
func RegistraTx(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, in Incontro, by uuid.UUID) (uuid.UUID, error) {
	if label(TipiIncontro, in.Tipo) == in.Tipo {
		return uuid.Nil, fmt.Errorf("incontri: registra: tipo %q sconosciuto", in.Tipo)
	}
	id, err := insertIncontro(ctx, tx, casoID, in, by)
	if err != nil {
		return uuid.Nil, fmt.Errorf("incontri: registra: %w", err)
	}
	return id, nil
}
