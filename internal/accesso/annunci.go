package accesso

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// CanaleAccreditamenti is the PostgreSQL NOTIFY channel on which a change
// of accreditation (a new operator, a role added or ended, a suspension, a
// revocation) is announced to every instance sharing the database, so that
// each reloads its casbin bindings at once instead of at the next periodic
// reload (docs/operations.md, "Più istanze").
const CanaleAccreditamenti = "cartella_accreditamenti"

// annuncia sends the NOTIFY for a committed change of operator id. A lost
// announcement is not an error of the change: the periodic reload of each
// instance (authz.Enforcer.ReloadEvery) still brings the change within a
// minute.
func (s *Service) annuncia(ctx context.Context, id uuid.UUID) {
	_, _ = s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, CanaleAccreditamenti, id.String())
}

// Ascolta listens on CanaleAccreditamenti until ctx ends and calls cambiato
// after each announcement, and once after each (re)connection, since what
// was announced while the connection was down is lost. The connection is
// taken out of the pool for good; when it breaks, a new one is tried every
// attesa. onErr gets the connection errors (not ctx's end).
func (s *Service) Ascolta(ctx context.Context, attesa time.Duration, cambiato func(context.Context), onErr func(error)) {
	for ctx.Err() == nil {
		err := s.ascolta(ctx, cambiato)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(attesa):
		}
	}
}

func (s *Service) ascolta(ctx context.Context, cambiato func(context.Context)) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	conn := c.Hijack() // a LISTENing connection never goes back to the pool
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+CanaleAccreditamenti); err != nil {
		return err
	}
	cambiato(ctx)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		cambiato(ctx)
	}
}
