package accesso

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartella/cartella/internal/database"
)

// store holds every SQL statement on the module's tables.
type store struct{}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func uniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

func (store) insertAmbito(ctx context.Context, q database.Querier, a Ambito) (int64, error) {
	var id int64
	err := q.QueryRow(ctx,
		`INSERT INTO ambito (codice, denominazione, ente_capofila) VALUES ($1, $2, $3) RETURNING id`,
		a.Codice, a.Denominazione, a.EnteCapofila).Scan(&id)
	if uniqueViolation(err) {
		return 0, ErrDuplicateEntry
	}
	return id, err
}

func (store) ambitoByCodice(ctx context.Context, q database.Querier, codice string) (Ambito, error) {
	var a Ambito
	err := q.QueryRow(ctx, `SELECT id, codice, denominazione, ente_capofila FROM ambito WHERE codice = $1`, codice).
		Scan(&a.ID, &a.Codice, &a.Denominazione, &a.EnteCapofila)
	return a, notFound(err)
}

func (store) upsertComune(ctx context.Context, q database.Querier, c Comune) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO comune (codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (codice_istat) DO UPDATE SET
			codice_catastale = EXCLUDED.codice_catastale, denominazione = EXCLUDED.denominazione,
			provincia = EXCLUDED.provincia, regione = EXCLUDED.regione,
			ambito_id = COALESCE(EXCLUDED.ambito_id, comune.ambito_id)
		RETURNING id`,
		c.CodiceISTAT, c.CodiceCatastale, c.Denominazione, c.Provincia, c.Regione, c.AmbitoID).Scan(&id)
	return id, err
}

func (store) comuniOfAmbito(ctx context.Context, q database.Querier, ambitoID int64) ([]Comune, error) {
	rows, err := q.Query(ctx, `
		SELECT id, codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id
		FROM comune WHERE ambito_id = $1 ORDER BY denominazione`, ambitoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Comune, error) {
		var c Comune
		err := r.Scan(&c.ID, &c.CodiceISTAT, &c.CodiceCatastale, &c.Denominazione, &c.Provincia, &c.Regione, &c.AmbitoID)
		return c, err
	})
}

const operatoreCols = `id, codice_fiscale, nome, cognome, data_nascita, comune_nascita, genere, email, telefono, ambito_id, stato`

func scanOperatore(row pgx.Row) (Operatore, error) {
	var o Operatore
	err := row.Scan(&o.ID, &o.CodiceFiscale, &o.Nome, &o.Cognome, &o.DataNascita, &o.ComuneNascita,
		&o.Genere, &o.Email, &o.Telefono, &o.AmbitoID, &o.Stato)
	return o, notFound(err)
}

func (store) insertOperatore(ctx context.Context, q database.Querier, o Operatore) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO operatore (codice_fiscale, nome, cognome, data_nascita, comune_nascita, genere, email, telefono, ambito_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		o.CodiceFiscale, o.Nome, o.Cognome, o.DataNascita, o.ComuneNascita, o.Genere, o.Email, o.Telefono, o.AmbitoID).Scan(&id)
	if uniqueViolation(err) {
		return uuid.Nil, ErrDuplicateEntry
	}
	return id, err
}

func (store) operatoreByCF(ctx context.Context, q database.Querier, cf string) (Operatore, error) {
	return scanOperatore(q.QueryRow(ctx, `SELECT `+operatoreCols+` FROM operatore WHERE codice_fiscale = $1`, cf))
}

func (store) operatoreByID(ctx context.Context, q database.Querier, id uuid.UUID) (Operatore, error) {
	return scanOperatore(q.QueryRow(ctx, `SELECT `+operatoreCols+` FROM operatore WHERE id = $1`, id))
}

func (store) insertAssegnazione(ctx context.Context, q database.Querier, opID uuid.UUID, a Assegnazione) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO operatore_ruolo (operatore_id, ruolo, ambito_id, comune_id, fondo, dal)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		opID, a.Ruolo, a.AmbitoID, a.ComuneID, a.Fondo, a.Dal).Scan(&id)
	return id, err
}

// activeAssegnazioni returns the roles in force on day for the operator.
func (store) activeAssegnazioni(ctx context.Context, q database.Querier, opID uuid.UUID, day time.Time) ([]Assegnazione, error) {
	rows, err := q.Query(ctx, `
		SELECT r.id, r.ruolo, r.ambito_id, COALESCE(a.denominazione, ''), r.comune_id, COALESCE(c.denominazione, ''),
		       r.fondo, r.dal, r.al
		FROM operatore_ruolo r
		LEFT JOIN ambito a ON a.id = r.ambito_id
		LEFT JOIN comune c ON c.id = r.comune_id
		WHERE r.operatore_id = $1 AND r.dal <= $2 AND (r.al IS NULL OR r.al >= $2)
		ORDER BY r.id`, opID, day)
	if err != nil {
		return nil, fmt.Errorf("accesso: roles: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Assegnazione, error) {
		var a Assegnazione
		err := r.Scan(&a.ID, &a.Ruolo, &a.AmbitoID, &a.AmbitoNome, &a.ComuneID, &a.ComuneNome, &a.Fondo, &a.Dal, &a.Al)
		return a, err
	})
}

type bindingRow struct {
	operatoreID uuid.UUID
	a           Assegnazione
}

func (store) bindings(ctx context.Context, q database.Querier, day time.Time) ([]bindingRow, error) {
	rows, err := q.Query(ctx, `
		SELECT r.operatore_id, r.ruolo, r.ambito_id, r.comune_id
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id
		WHERE o.stato = 'attivo' AND r.dal <= $1 AND (r.al IS NULL OR r.al >= $1)`, day)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (bindingRow, error) {
		var b bindingRow
		err := row.Scan(&b.operatoreID, &b.a.Ruolo, &b.a.AmbitoID, &b.a.ComuneID)
		return b, err
	})
}
