package casi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// Aggiorna recomputes the case's derived deadline columns (t120_*, t90_*,
// urgenza, prossimo_appuntamento) from what is recorded: call it inside the
// transaction of every write that may move a deadline (a convocazione, an
// incontro, a giustificato motivo, a change of members or of the PAD date).
func Aggiorna(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	return AggiornaAl(ctx, q, casoID, time.Now())
}

// Aggiorna is the package function at the service's clock.
func (s *Service) Aggiorna(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	return AggiornaAl(ctx, q, casoID, s.now())
}

// AggiornaAl is Aggiorna at the instant now.
func AggiornaAl(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) error {
	sit, err := Situazione(ctx, q, casoID, now)
	if err != nil {
		return err
	}
	sc := scadenze.Calcola(sit)
	// The next appointment: a convocazione, or a monitoring meeting planned.
	var prossimo *time.Time
	err = q.QueryRow(ctx, `
		SELECT min(inizio) FROM (
			SELECT inizio FROM convocazione WHERE caso_id = $1 AND NOT annullata AND inizio >= $2
			UNION ALL
			SELECT (data + ora) AT TIME ZONE 'Europe/Rome' FROM monitoraggio_incontro
			WHERE caso_id = $1 AND stato = 'pianificato' AND (data + ora) AT TIME ZONE 'Europe/Rome' >= $2) x`,
		casoID, now).Scan(&prossimo)
	if err != nil {
		return fmt.Errorf("casi: aggiorna: next appointment: %w", err)
	}
	_, err = q.Exec(ctx, `
		UPDATE caso SET t120_scadenza = $2, t120_stato = $3, t90_scadenza = $4, t90_stato = $5, urgenza = $6,
		       prossimo_appuntamento = $7
		WHERE id = $1`,
		casoID, sc.T120.Scadenza, string(sc.T120.Stato), sc.T90.Scadenza, string(sc.T90.Stato), sc.Urgenza, prossimo)
	if err != nil {
		return fmt.Errorf("casi: aggiorna: %w", err)
	}
	return nil
}

// Scadenze computes the deadlines of the case at now, with every message
// and exemption (the case page shows them).
func Scadenze(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (scadenze.Scadenze, error) {
	sit, err := Situazione(ctx, q, casoID, now)
	if err != nil {
		return scadenze.Scadenze{}, err
	}
	return scadenze.Calcola(sit), nil
}

// Situazione loads what the deadlines of the case depend on.
func Situazione(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (scadenze.Situazione, error) {
	s := scadenze.Situazione{Oggi: now}
	var nucleoID uuid.UUID
	err := q.QueryRow(ctx, `
		SELECT c.nucleo_id, d.data_domanda, d.data_pad, d.data_trasmissione
		FROM caso c JOIN domanda d ON d.id = c.domanda_id WHERE c.id = $1`, casoID).
		Scan(&nucleoID, &s.DataDomanda, &s.DataPAD, &s.DataTrasmissione)
	if err != nil {
		if err == pgx.ErrNoRows {
			return s, ErrNotFound
		}
		return s, fmt.Errorf("casi: situazione: %w", err)
	}
	rows, err := q.Query(ctx, `
		SELECT inizio, inviata_il, annullata, esito_consegna = 'non_consegnata'
		FROM convocazione WHERE caso_id = $1 ORDER BY inizio`, casoID)
	if err != nil {
		return s, fmt.Errorf("casi: situazione: convocazioni: %w", err)
	}
	s.Convocazioni, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.Convocazione, error) {
		var c scadenze.Convocazione
		err := r.Scan(&c.Inizio, &c.InviataIl, &c.Annullata, &c.NonConsegnata)
		return c, err
	})
	if err != nil {
		return s, fmt.Errorf("casi: situazione: convocazioni: %w", err)
	}
	rows, err = q.Query(ctx, `
		SELECT i.id, i.data, i.tipo, p.persona_id, p.presente, p.giustificato
		FROM incontro i LEFT JOIN incontro_presenza p ON p.incontro_id = i.id
		WHERE i.caso_id = $1 ORDER BY i.data, i.id`, casoID)
	if err != nil {
		return s, fmt.Errorf("casi: situazione: incontri: %w", err)
	}
	var last uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		var data time.Time
		var tipo string
		var persona *uuid.UUID
		var presente, giust *bool
		if err := rows.Scan(&id, &data, &tipo, &persona, &presente, &giust); err != nil {
			rows.Close()
			return s, fmt.Errorf("casi: situazione: incontri: %w", err)
		}
		if id != last || len(s.Incontri) == 0 {
			s.Incontri = append(s.Incontri, scadenze.Incontro{Data: data, Tipo: tipo})
			last = id
		}
		if persona != nil {
			in := &s.Incontri[len(s.Incontri)-1]
			in.Presenze = append(in.Presenze, scadenze.Presenza{PersonaID: persona.String(), Presente: *presente, Giustificato: *giust})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("casi: situazione: incontri: %w", err)
	}
	rows, err = q.Query(ctx, `
		SELECT p.id, p.data_nascita, nc.disabilita, nc.vittima_violenza, nc.inviato_cpi_il
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL ORDER BY nc.id`, nucleoID)
	if err != nil {
		return s, fmt.Errorf("casi: situazione: membri: %w", err)
	}
	s.Membri, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.Membro, error) {
		var m scadenze.Membro
		var id uuid.UUID
		err := r.Scan(&id, &m.DataNascita, &m.Disabilita, &m.VittimaViolenza, &m.InviatoCPI)
		m.PersonaID = id.String()
		return m, err
	})
	if err != nil {
		return s, fmt.Errorf("casi: situazione: membri: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT persona_id, dal, al FROM giustificato_motivo WHERE caso_id = $1 ORDER BY dal`, casoID)
	if err != nil {
		return s, fmt.Errorf("casi: situazione: giustificati: %w", err)
	}
	s.Giustificati, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.GiustificatoMotivo, error) {
		var g scadenze.GiustificatoMotivo
		var id uuid.UUID
		err := r.Scan(&id, &g.Dal, &g.Al)
		g.PersonaID = id.String()
		return g, err
	})
	if err != nil {
		return s, fmt.Errorf("casi: situazione: giustificati: %w", err)
	}
	return s, nil
}

// AggiornaScadenze refreshes the derived columns of the open cases whose
// timer state may have changed with the passing of days alone (a timer
// entering the last SogliaInScadenza days, expiring, a giustificato motivo
// ending, an appointment passing): run daily by the server. It
// returns how many cases it refreshed.
func (s *Service) AggiornaScadenze(ctx context.Context) (int, error) {
	now := s.now()
	oggi := Oggi(now)
	rows, err := s.pool.Query(ctx, `
		SELECT id FROM caso
		WHERE stato <> 'chiuso'
		  AND (urgenza <= $1::date + $2::int
		       OR t120_stato IN ('in_corso', 'in_scadenza', 'sospeso') AND t120_scadenza <= $1::date + $2::int
		       OR t90_stato IN ('in_corso', 'in_scadenza') AND t90_scadenza <= $1::date + $2::int
		       OR t90_stato = 'sospeso'
		       OR prossimo_appuntamento < $3)`,
		oggi, scadenze.SogliaInScadenza+1, now)
	if err != nil {
		return 0, fmt.Errorf("casi: aggiorna scadenze: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, fmt.Errorf("casi: aggiorna scadenze: %w", err)
	}
	for _, id := range ids {
		if err := AggiornaAl(ctx, s.pool, id, now); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
