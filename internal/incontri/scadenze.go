package incontri

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// AccodaSituazione queues what the case's deadlines need of this module's
// records (casi.FonteSituazione): the convocazioni, the meetings with
// their presences and the giustificati motivi, read into sit.
func (s *Service) AccodaSituazione(b *pgx.Batch, casoID uuid.UUID, sit *scadenze.Situazione) func() error {
	accodaSituazione(b, casoID, sit)
	return func() error { return nil }
}

// ProssimoAppuntamento is the case's next convocazione not cancelled, at or
// after now (casi.FonteAppuntamenti).
func (s *Service) ProssimoAppuntamento(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error) {
	return prossimaConvocazione(ctx, q, casoID, now)
}

// SituazioniCasi is AccodaSituazione for a batch of cases (the daily
// refresh), in three queries.
func (s *Service) SituazioniCasi(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error {
	return situazioni(ctx, q, ids, sit)
}

// ProssimiAppuntamenti is ProssimoAppuntamento for a batch of cases, in
// one query.
func (s *Service) ProssimiAppuntamenti(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (map[uuid.UUID]time.Time, error) {
	return prossimeConvocazioni(ctx, q, ids, now)
}
