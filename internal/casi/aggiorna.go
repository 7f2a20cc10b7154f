package casi

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// FonteSituazione is a module whose records the case's deadlines depend
// on: it adds them to sit (the incontri module: the convocazioni, the
// meetings with their presences, the giustificati motivi), reading through
// q, the caller's transaction.
type FonteSituazione interface {
	SituazioneCaso(ctx context.Context, q database.Querier, casoID uuid.UUID, sit *scadenze.Situazione) error
}

// FonteAppuntamenti is a module that keeps appointments of a case (a
// convocazione, a monitoring meeting): it returns the case's next one at
// or after now (nil: none), reading through q.
type FonteAppuntamenti interface {
	ProssimoAppuntamento(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error)
}

// ConScadenze sets the modules the case's deadlines and next appointment
// are computed from (internal/app wires them).
func (s *Service) ConScadenze(sit []FonteSituazione, app []FonteAppuntamenti) *Service {
	s.situazione, s.appuntamenti = sit, app
	return s
}

// Aggiorna recomputes the case's derived deadline columns (t120_*, t90_*,
// urgenza, prossimo_appuntamento) from what is recorded, at the service's
// clock: call it inside the transaction of every write that may move a
// deadline (a convocazione, an incontro, a giustificato motivo, a change
// of members or of the PAD date).
func (s *Service) Aggiorna(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	return s.AggiornaAl(ctx, q, casoID, s.now())
}

// AggiornaAl is Aggiorna at the instant now.
func (s *Service) AggiornaAl(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) error {
	sit, err := s.Situazione(ctx, q, casoID, now)
	if err != nil {
		return err
	}
	sc := scadenze.Calcola(sit)
	// The next appointment: the earliest the modules keep.
	var prossimo *time.Time
	for _, f := range s.appuntamenti {
		t, err := f.ProssimoAppuntamento(ctx, q, casoID, now)
		if err != nil {
			return fmt.Errorf("casi: aggiorna: next appointment: %w", err)
		}
		if t != nil && (prossimo == nil || t.Before(*prossimo)) {
			prossimo = t
		}
	}
	if err := updateScadenze(ctx, q, casoID, sc, prossimo); err != nil {
		return fmt.Errorf("casi: aggiorna: %w", err)
	}
	return nil
}

// Scadenze computes the deadlines of the case at now, with every message
// and exemption (the case page shows them).
func (s *Service) Scadenze(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (scadenze.Scadenze, error) {
	sit, err := s.Situazione(ctx, q, casoID, now)
	if err != nil {
		return scadenze.Scadenze{}, err
	}
	return scadenze.Calcola(sit), nil
}

// Situazione loads what the deadlines of the case depend on: the case's
// dates and members, and what the modules record (FonteSituazione).
func (s *Service) Situazione(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (scadenze.Situazione, error) {
	sit := scadenze.Situazione{Oggi: now}
	nucleoID, err := dateSituazione(ctx, q, casoID, &sit)
	if err != nil {
		if err == pgx.ErrNoRows {
			return sit, ErrNotFound
		}
		return sit, fmt.Errorf("casi: situazione: %w", err)
	}
	sit.Membri, err = membriSituazione(ctx, q, nucleoID)
	if err != nil {
		return sit, fmt.Errorf("casi: situazione: membri: %w", err)
	}
	return sit, s.situazioneModuli(ctx, q, casoID, &sit)
}

// situazioneModuli adds to sit what the modules record (FonteSituazione).
func (s *Service) situazioneModuli(ctx context.Context, q database.Querier, casoID uuid.UUID, sit *scadenze.Situazione) error {
	for _, f := range s.situazione {
		if err := f.SituazioneCaso(ctx, q, casoID, sit); err != nil {
			return fmt.Errorf("casi: situazione: %w", err)
		}
	}
	return nil
}

// membriScadenze are the current members as the deadlines see them, in the
// order membriSituazione reads them.
func membriScadenze(correnti []Componente) []scadenze.Membro {
	cs := slices.Clone(correnti)
	slices.SortFunc(cs, func(a, b Componente) int { return cmp.Compare(a.riga, b.riga) })
	out := make([]scadenze.Membro, len(cs))
	for i, m := range cs {
		out[i] = scadenze.Membro{PersonaID: m.PersonaID.String(), DataNascita: m.DataNascita, Disabilita: m.Disabilita,
			VittimaViolenza: m.VittimaViolenza, InviatoCPI: m.InviatoCPI}
	}
	return out
}

// AggiornaScadenze refreshes the derived columns of the open cases whose
// timer state may have changed with the passing of days alone (a timer
// entering the last SogliaInScadenza days, expiring, a giustificato motivo
// ending, an appointment passing): run daily by the server. It
// returns how many cases it refreshed.
func (s *Service) AggiornaScadenze(ctx context.Context) (int, error) {
	now := s.now()
	oggi := Oggi(now)
	ids, err := casiDaAggiornare(ctx, s.pool, oggi, now)
	if err != nil {
		return 0, fmt.Errorf("casi: aggiorna scadenze: %w", err)
	}
	for _, id := range ids {
		if err := s.AggiornaAl(ctx, s.pool, id, now); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
