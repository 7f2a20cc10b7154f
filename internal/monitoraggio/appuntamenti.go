package monitoraggio

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/incontri"
)

// The monitoring meetings planned are appointments of the case: the case's
// next one (casi.FonteAppuntamenti), and entries of the case manager's
// agenda, feed and meetings to register (incontri.FonteAppuntamenti).

// ProssimoAppuntamento is the case's next monitoring meeting planned, at or
// after now.
func (s *Service) ProssimoAppuntamento(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error) {
	var t *time.Time
	err := q.QueryRow(ctx, `
		SELECT min((data + ora) AT TIME ZONE 'Europe/Rome') FROM monitoraggio_incontro
		WHERE caso_id = $1 AND stato = 'pianificato' AND (data + ora) AT TIME ZONE 'Europe/Rome' >= $2`, casoID, now).Scan(&t)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: prossimo appuntamento: %w", err)
	}
	return t, nil
}

// appuntamentoCols are a monitoring meeting m of case c as an appointment of
// the case manager $1, a convocazione of tipo monitoraggio.
const appuntamentoCols = `
	m.id, m.caso_id, c.case_manager_id, COALESCE(o.nome || ' ' || o.cognome, ''), 'monitoraggio',
	(m.data + m.ora) AT TIME ZONE 'Europe/Rome', m.durata_minuti, m.luogo, '', m.created_at, '',
	m.stato = 'annullato', '', m.versione, c.numero,
	CASE WHEN c.case_manager_id = $1 THEN COALESCE((
		SELECT p.cognome || ' ' || p.nome
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', nc.id LIMIT 1), '') ELSE '' END`

func scanAppuntamento(r pgx.CollectableRow) (incontri.AppuntamentoCaso, error) {
	var a incontri.AppuntamentoCaso
	c := &a.Convocazione
	err := r.Scan(&c.ID, &c.CasoID, &c.OperatoreID, &c.Operatore, &c.Tipo, &c.Inizio, &c.DurataMinuti,
		&c.Luogo, &c.Canale, &c.InviataIl, &c.EsitoConsegna, &c.Annullata, &c.Note, &c.Versione,
		&a.Numero, &a.Richiedente)
	a.Href = "/casi/" + a.CasoID.String() + "/monitoraggio/" + a.ID.String()
	return a, err
}

// AppuntamentiOperatore returns the monitoring meetings planned from dal to
// al in the open cases of case manager op (the cancelled ones too when
// annullati).
func (s *Service) AppuntamentiOperatore(ctx context.Context, q database.Querier, op uuid.UUID, dal, al time.Time, annullati bool) ([]incontri.AppuntamentoCaso, error) {
	rows, err := q.Query(ctx, `
		SELECT `+appuntamentoCols+`
		FROM monitoraggio_incontro m
		JOIN caso c ON c.id = m.caso_id
		LEFT JOIN operatore o ON o.id = c.case_manager_id
		WHERE c.case_manager_id = $1 AND c.stato <> 'chiuso'
		  AND (m.stato = 'pianificato' OR ($4 AND m.stato = 'annullato'))
		  AND (m.data + m.ora) AT TIME ZONE 'Europe/Rome' >= $2 AND (m.data + m.ora) AT TIME ZONE 'Europe/Rome' < $3
		ORDER BY 6, 15`, op, dal, al, annullati)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: appuntamenti: %w", err)
	}
	return pgx.CollectRows(rows, scanAppuntamento)
}

// daRegistrareSQL selects the monitoring meetings of case manager $1 still
// planned before $2, in their open cases.
const daRegistrareSQL = `
	SELECT ` + appuntamentoCols + `
	FROM monitoraggio_incontro m
	JOIN caso c ON c.id = m.caso_id
	LEFT JOIN operatore o ON o.id = c.case_manager_id
	WHERE c.case_manager_id = $1 AND c.stato <> 'chiuso' AND m.stato = 'pianificato'
	  AND (m.data + m.ora) AT TIME ZONE 'Europe/Rome' < $2`

// DaRegistrareOperatore returns the oldest limit monitoring meetings of
// case manager op still planned before prima, and how many there are.
func (s *Service) DaRegistrareOperatore(ctx context.Context, q database.Querier, op uuid.UUID, prima time.Time, limit int) ([]incontri.AppuntamentoCaso, int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (`+daRegistrareSQL+`) x`, op, prima).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("monitoraggio: da registrare: %w", err)
	}
	if n == 0 || limit == 0 {
		return nil, n, nil
	}
	rows, err := q.Query(ctx, `SELECT * FROM (`+daRegistrareSQL+`) x ORDER BY 6, 15 LIMIT $3`, op, prima, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("monitoraggio: da registrare: %w", err)
	}
	as, err := pgx.CollectRows(rows, scanAppuntamento)
	return as, n, err
}
