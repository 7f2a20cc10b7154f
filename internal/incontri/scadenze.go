package incontri

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// SituazioneCaso adds to sit what the case's deadlines need of this
// module's records (casi.FonteSituazione): the convocazioni, the meetings
// with their presences and the giustificati motivi, read through q.
func (s *Service) SituazioneCaso(ctx context.Context, q database.Querier, casoID uuid.UUID, sit *scadenze.Situazione) error {
	rows, err := q.Query(ctx, `
		SELECT inizio, inviata_il, annullata, esito_consegna = 'non_consegnata'
		FROM convocazione WHERE caso_id = $1 ORDER BY inizio`, casoID)
	if err != nil {
		return fmt.Errorf("incontri: situazione: convocazioni: %w", err)
	}
	sit.Convocazioni, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.Convocazione, error) {
		var c scadenze.Convocazione
		err := r.Scan(&c.Inizio, &c.InviataIl, &c.Annullata, &c.NonConsegnata)
		return c, err
	})
	if err != nil {
		return fmt.Errorf("incontri: situazione: convocazioni: %w", err)
	}
	rows, err = q.Query(ctx, `
		SELECT i.id, i.data, i.tipo, p.persona_id, p.presente, p.giustificato
		FROM incontro i LEFT JOIN incontro_presenza p ON p.incontro_id = i.id
		WHERE i.caso_id = $1 ORDER BY i.data, i.id`, casoID)
	if err != nil {
		return fmt.Errorf("incontri: situazione: incontri: %w", err)
	}
	var last uuid.UUID
	sit.Incontri = nil
	for rows.Next() {
		var id uuid.UUID
		var data time.Time
		var tipo string
		var persona *uuid.UUID
		var presente, giust *bool
		if err := rows.Scan(&id, &data, &tipo, &persona, &presente, &giust); err != nil {
			rows.Close()
			return fmt.Errorf("incontri: situazione: incontri: %w", err)
		}
		if id != last || len(sit.Incontri) == 0 {
			sit.Incontri = append(sit.Incontri, scadenze.Incontro{Data: data, Tipo: tipo})
			last = id
		}
		if persona != nil {
			in := &sit.Incontri[len(sit.Incontri)-1]
			in.Presenze = append(in.Presenze, scadenze.Presenza{PersonaID: persona.String(), Presente: *presente, Giustificato: *giust})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("incontri: situazione: incontri: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT persona_id, dal, al FROM giustificato_motivo WHERE caso_id = $1 ORDER BY dal`, casoID)
	if err != nil {
		return fmt.Errorf("incontri: situazione: giustificati: %w", err)
	}
	sit.Giustificati, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.GiustificatoMotivo, error) {
		var g scadenze.GiustificatoMotivo
		var id uuid.UUID
		err := r.Scan(&id, &g.Dal, &g.Al)
		g.PersonaID = id.String()
		return g, err
	})
	if err != nil {
		return fmt.Errorf("incontri: situazione: giustificati: %w", err)
	}
	return nil
}

// ProssimoAppuntamento is the case's next convocazione not cancelled, at or
// after now (casi.FonteAppuntamenti).
func (s *Service) ProssimoAppuntamento(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error) {
	var t *time.Time
	err := q.QueryRow(ctx, `SELECT min(inizio) FROM convocazione WHERE caso_id = $1 AND NOT annullata AND inizio >= $2`, casoID, now).Scan(&t)
	if err != nil {
		return nil, fmt.Errorf("incontri: prossimo appuntamento: %w", err)
	}
	return t, nil
}
