package presentazioni

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// Every SQL statement of the module (docs/adr/0010).

func registrazioni(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Registrazione, error) {
	var out []Registrazione
	b := &pgx.Batch{}
	accodaRegistrazioni(b, casoID, &out)
	return out, q.SendBatch(ctx, b).Close()
}

// accodaRegistrazioni queues on b the reading of the case's registrations,
// newest first, into out.
func accodaRegistrazioni(b *pgx.Batch, casoID uuid.UUID, out *[]Registrazione) {
	b.Queue(`
		SELECT p.id, p.evento, p.luogo, p.data, p.al, p.motivo, COALESCE(o.nome || ' ' || o.cognome, ''), p.ruolo, p.registrato_il
		FROM presentazione p LEFT JOIN operatore o ON o.id = p.registrato_da
		WHERE p.caso_id = $1 ORDER BY p.data DESC, p.registrato_il DESC LIMIT 500`, casoID).Query(func(rows pgx.Rows) error {
		var err error
		*out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Registrazione, error) {
			var x Registrazione
			var evento, luogo string
			err := r.Scan(&x.ID, &evento, &luogo, &x.Data, &x.Al, &x.Motivo, &x.RegistratoDa, &x.Ruolo, &x.RegistratoIl)
			x.Evento, x.Luogo = scadenze.EventoPresentazione(evento), scadenze.Luogo(luogo)
			return x, err
		})
		return err
	})
}

// accodaContaRegistrazioni queues on b the count of the case's
// registrations and the day of the latest (nil: none).
func accodaContaRegistrazioni(b *pgx.Batch, casoID uuid.UUID, n *int, ultima **time.Time) {
	b.Queue(`SELECT count(*), max(data) FROM presentazione WHERE caso_id = $1`, casoID).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(n, ultima); err != nil {
			return fmt.Errorf("presentazioni: sezione: %w", err)
		}
		return nil
	})
}

func insertRegistrazione(ctx context.Context, q database.Querier, casoID uuid.UUID, x Registrazione, operatore uuid.UUID, ruolo string, at time.Time) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO presentazione (caso_id, evento, luogo, data, al, motivo, registrato_da, ruolo, registrato_il)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		casoID, string(x.Evento), string(x.Luogo), x.Data, x.Al, x.Motivo, operatore, ruolo, at).Scan(&id)
	return id, err
}

func beneficio(ctx context.Context, q database.Querier, casoID uuid.UUID) (Beneficio, error) {
	var out Beneficio
	b := &pgx.Batch{}
	accodaBeneficio(b, casoID, &out)
	return out, q.SendBatch(ctx, b).Close()
}

// accodaBeneficio queues on b the reading of the case's benefit and its
// renewals into out.
func accodaBeneficio(b *pgx.Batch, casoID uuid.UUID, out *Beneficio) {
	b.Queue(`SELECT primo_mese, versione FROM beneficio WHERE caso_id = $1`, casoID).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&out.PrimoMese, &out.Versione)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return nil
	})
	b.Queue(`SELECT id, data_pad, primo_mese, registrato_il FROM beneficio_rinnovo
		WHERE caso_id = $1 ORDER BY data_pad`, casoID).Query(func(rows pgx.Rows) error {
		var err error
		out.Rinnovi, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Rinnovo, error) {
			var x Rinnovo
			err := r.Scan(&x.ID, &x.DataPAD, &x.PrimoMese, &x.RegistratoIl)
			return x, err
		})
		return err
	})
}

// setPrimoMese writes the first month paid if versione is the current one
// (0: none recorded yet); ok is false on a conflict.
func setPrimoMese(ctx context.Context, q database.Querier, casoID uuid.UUID, mese time.Time, versione int, operatore uuid.UUID) (bool, error) {
	var tag int64
	if versione == 0 {
		t, err := q.Exec(ctx, `INSERT INTO beneficio (caso_id, primo_mese, aggiornato_da) VALUES ($1, $2, $3)
			ON CONFLICT (caso_id) DO NOTHING`, casoID, mese, operatore)
		if err != nil {
			return false, err
		}
		tag = t.RowsAffected()
	} else {
		t, err := q.Exec(ctx, `UPDATE beneficio SET primo_mese = $2, versione = versione + 1, aggiornato_da = $3, aggiornato_il = now()
			WHERE caso_id = $1 AND versione = $4`, casoID, mese, operatore, versione)
		if err != nil {
			return false, err
		}
		tag = t.RowsAffected()
	}
	return tag == 1, nil
}

func insertRinnovo(ctx context.Context, q database.Querier, casoID uuid.UUID, pad time.Time, primo *time.Time, operatore uuid.UUID) (uuid.UUID, bool, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `INSERT INTO beneficio_rinnovo (caso_id, data_pad, primo_mese, registrato_da) VALUES ($1, $2, $3, $4)
		ON CONFLICT (caso_id, data_pad) DO NOTHING RETURNING id`, casoID, pad, primo, operatore).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, false, nil
	}
	return id, err == nil, err
}

func convocazioniCPI(ctx context.Context, q database.Querier, casoID uuid.UUID) (map[uuid.UUID]ConvocazioneCPI, error) {
	out := map[uuid.UUID]ConvocazioneCPI{}
	b := &pgx.Batch{}
	accodaConvocazioniCPI(b, casoID, out)
	return out, q.SendBatch(ctx, b).Close()
}

// accodaConvocazioniCPI queues on b the reading of the case's CPI
// convocations into out, by member.
func accodaConvocazioniCPI(b *pgx.Batch, casoID uuid.UUID, out map[uuid.UUID]ConvocazioneCPI) {
	b.Queue(`SELECT persona_id, convocato_il, esito, versione FROM convocazione_cpi WHERE caso_id = $1`, casoID).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ConvocazioneCPI, error) {
			var x ConvocazioneCPI
			var esito string
			err := r.Scan(&x.PersonaID, &x.ConvocatoIl, &esito, &x.Versione)
			x.Esito = scadenze.EsitoCPI(esito)
			return x, err
		})
		for _, x := range list {
			out[x.PersonaID] = x
		}
		return err
	})
}

// setConvocazioneCPI writes a member's CPI convocation if versione is the
// current one (0: none recorded yet); ok is false on a conflict. operatore
// is nil for an import.
func setConvocazioneCPI(ctx context.Context, q database.Querier, casoID uuid.UUID, x ConvocazioneCPI, operatore *uuid.UUID) (bool, error) {
	if x.Versione == 0 {
		t, err := q.Exec(ctx, `INSERT INTO convocazione_cpi (caso_id, persona_id, convocato_il, esito, registrato_da)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (caso_id, persona_id) DO NOTHING`,
			casoID, x.PersonaID, x.ConvocatoIl, string(x.Esito), operatore)
		return err == nil && t.RowsAffected() == 1, err
	}
	t, err := q.Exec(ctx, `UPDATE convocazione_cpi SET convocato_il = $3, esito = $4, versione = versione + 1,
			registrato_da = $5, registrato_il = now()
		WHERE caso_id = $1 AND persona_id = $2 AND versione = $6`,
		casoID, x.PersonaID, x.ConvocatoIl, string(x.Esito), operatore, x.Versione)
	return err == nil && t.RowsAffected() == 1, err
}

// convocazioneCPI is a member's CPI convocation of a case, if recorded.
func convocazioneCPI(ctx context.Context, q database.Querier, casoID, personaID uuid.UUID) (*ConvocazioneCPI, error) {
	x := ConvocazioneCPI{PersonaID: personaID}
	var esito string
	err := q.QueryRow(ctx, `SELECT convocato_il, esito, versione FROM convocazione_cpi WHERE caso_id = $1 AND persona_id = $2`,
		casoID, personaID).Scan(&x.ConvocatoIl, &esito, &x.Versione)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	x.Esito = scadenze.EsitoCPI(esito)
	return &x, err
}

// situazioni adds to sit, for the cases ids at once, what AccodaSituazione
// adds to one: the registrations (the newest 500 of each case, as
// registrazioni), the periods of the benefit and the members' CPI
// convocations, in four queries.
func situazioni(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error {
	for _, id := range ids {
		if s := sit[id]; s != nil {
			s.Presentazioni = s.Presentazioni[:0]
			s.Beneficio = scadenze.Beneficio{}
		}
	}
	rows, err := q.Query(ctx, `
		SELECT caso_id, evento, luogo, data, al, registrato_il FROM (
			SELECT caso_id, evento, luogo, data, al, registrato_il,
			       row_number() OVER (PARTITION BY caso_id ORDER BY data DESC, registrato_il DESC) AS n
			FROM presentazione WHERE caso_id = ANY($1)) p
		WHERE n <= 500 ORDER BY caso_id, data DESC, registrato_il DESC`, ids)
	if err != nil {
		return fmt.Errorf("registrazioni: %w", err)
	}
	for rows.Next() {
		var casoID uuid.UUID
		var x Registrazione
		var evento, luogo string
		if err := rows.Scan(&casoID, &evento, &luogo, &x.Data, &x.Al, &x.RegistratoIl); err != nil {
			rows.Close()
			return fmt.Errorf("registrazioni: %w", err)
		}
		x.Evento, x.Luogo = scadenze.EventoPresentazione(evento), scadenze.Luogo(luogo)
		if s := sit[casoID]; s != nil {
			s.Presentazioni = append(s.Presentazioni, x.presentazione())
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("registrazioni: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT caso_id, primo_mese FROM beneficio WHERE caso_id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("beneficio: %w", err)
	}
	for rows.Next() {
		var casoID uuid.UUID
		var primo *time.Time
		if err := rows.Scan(&casoID, &primo); err != nil {
			rows.Close()
			return fmt.Errorf("beneficio: %w", err)
		}
		if s := sit[casoID]; s != nil {
			s.Beneficio.PrimoMese = primo
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("beneficio: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT caso_id, data_pad, primo_mese FROM beneficio_rinnovo
		WHERE caso_id = ANY($1) ORDER BY caso_id, data_pad`, ids)
	if err != nil {
		return fmt.Errorf("rinnovi: %w", err)
	}
	for rows.Next() {
		var casoID uuid.UUID
		var r scadenze.Rinnovo
		if err := rows.Scan(&casoID, &r.DataPAD, &r.PrimoMese); err != nil {
			rows.Close()
			return fmt.Errorf("rinnovi: %w", err)
		}
		if s := sit[casoID]; s != nil {
			s.Beneficio.Rinnovi = append(s.Beneficio.Rinnovi, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rinnovi: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT caso_id, persona_id, convocato_il, esito FROM convocazione_cpi WHERE caso_id = ANY($1)`, ids)
	if err != nil {
		return fmt.Errorf("cpi: %w", err)
	}
	defer rows.Close()
	type chiave struct{ caso, persona uuid.UUID }
	cpi := map[chiave]ConvocazioneCPI{}
	for rows.Next() {
		var k chiave
		var x ConvocazioneCPI
		var esito string
		if err := rows.Scan(&k.caso, &k.persona, &x.ConvocatoIl, &esito); err != nil {
			return fmt.Errorf("cpi: %w", err)
		}
		x.PersonaID, x.Esito = k.persona, scadenze.EsitoCPI(esito)
		cpi[k] = x
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("cpi: %w", err)
	}
	if len(cpi) == 0 {
		return nil
	}
	for _, id := range ids {
		s := sit[id]
		if s == nil {
			continue
		}
		for i := range s.Membri {
			pid, err := uuid.Parse(s.Membri[i].PersonaID)
			if x, ok := cpi[chiave{id, pid}]; err == nil && ok {
				s.Membri[i].ConvocatoCPI = &x.ConvocatoIl
				s.Membri[i].EsitoCPI = x.Esito
			}
		}
	}
	return nil
}
