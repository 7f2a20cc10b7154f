package monitoraggio

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/incontri"
)

// The monitoring meetings planned are appointments of the case: the case's
// next one (casi.FonteAppuntamenti), and entries of the case manager's
// agenda, feed and meetings to register (incontri.FonteAppuntamenti).

// ProssimoAppuntamento is the case's next monitoring meeting planned, at or
// after now.
func (s *Service) ProssimoAppuntamento(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error) {
	return prossimoIncontro(ctx, q, casoID, now)
}

// ProssimiAppuntamenti is ProssimoAppuntamento for a batch of cases (the
// daily refresh), in one query.
func (s *Service) ProssimiAppuntamenti(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (map[uuid.UUID]time.Time, error) {
	return prossimiIncontri(ctx, q, ids, now)
}

// AppuntamentiOperatore returns the monitoring meetings planned from dal to
// al in the open cases of case manager op (the cancelled ones too when
// annullati).
func (s *Service) AppuntamentiOperatore(ctx context.Context, q database.Querier, op uuid.UUID, dal, al time.Time, annullati bool) ([]incontri.AppuntamentoCaso, error) {
	return appuntamentiOperatore(ctx, q, op, dal, al, annullati)
}

// DaRegistrareOperatore returns the oldest limit monitoring meetings of
// case manager op still planned before prima, and how many there are.
func (s *Service) DaRegistrareOperatore(ctx context.Context, q database.Querier, op uuid.UUID, prima time.Time, limit int) ([]incontri.AppuntamentoCaso, int, error) {
	return daRegistrareOperatore(ctx, q, op, prima, limit)
}
