package equipe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// Every SQL statement of the module. It reads the nucleo's members
// (persona, nucleo_componente) and writes only its own tables; the outbox
// is written through posta.Outbox.

const membroCols = `id, caso_id, ruolo, persona_id, nome, cognome, funzione, ente, email, telefono, dal, al, versione`

func scanMembro(r pgx.CollectableRow) (Membro, error) {
	var m Membro
	var ruolo string
	err := r.Scan(&m.ID, &m.CasoID, &ruolo, &m.PersonaID, &m.Nome, &m.Cognome, &m.Funzione, &m.Ente, &m.Email, &m.Telefono,
		&m.Dal, &m.Al, &m.Versione)
	m.Ruolo = Ruolo(ruolo)
	return m, err
}

// membri lists the case's members: current ones first, then by start.
func membri(ctx context.Context, q database.Querier, casoID uuid.UUID, oggi time.Time) ([]Membro, error) {
	rows, err := q.Query(ctx, `SELECT `+membroCols+` FROM equipe_membro WHERE caso_id = $1
		ORDER BY (al IS NOT NULL AND al < $2), ruolo = 'familiare_referente' DESC, dal, cognome, nome, id`, casoID, oggi)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanMembro)
}

func membro(ctx context.Context, q database.Querier, casoID, id uuid.UUID) (Membro, error) {
	rows, err := q.Query(ctx, `SELECT `+membroCols+` FROM equipe_membro WHERE caso_id = $1 AND id = $2`, casoID, id)
	if err != nil {
		return Membro{}, err
	}
	m, err := pgx.CollectOneRow(rows, scanMembro)
	if errors.Is(err, pgx.ErrNoRows) {
		return Membro{}, ErrNotFound
	}
	return m, err
}

func insertMembro(ctx context.Context, q database.Querier, m Membro, by uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO equipe_membro (caso_id, ruolo, persona_id, nome, cognome, funzione, ente, email, telefono, dal, al, created_by, updated_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
		m.CasoID, string(m.Ruolo), m.PersonaID, m.Nome, m.Cognome, m.Funzione, m.Ente, m.Email, m.Telefono, m.Dal, m.Al, by).Scan(&id)
	return id, err
}

// updateMembro is the compare-and-bump of equipe_membro.versione.
func updateMembro(ctx context.Context, q database.Querier, m Membro, versione int, by uuid.UUID) error {
	tag, err := q.Exec(ctx, `
		UPDATE equipe_membro SET ruolo = $4, nome = $5, cognome = $6, funzione = $7, ente = $8, email = $9, telefono = $10,
		       dal = $11, al = $12, versione = versione + 1, updated_by = $13, updated_at = now()
		WHERE caso_id = $1 AND id = $2 AND versione = $3`,
		m.CasoID, m.ID, versione, string(m.Ruolo), m.Nome, m.Cognome, m.Funzione, m.Ente, m.Email, m.Telefono, m.Dal, m.Al, by)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := membro(ctx, q, m.CasoID, m.ID); err != nil {
		return err
	}
	return ErrConflict
}

// familiareAttivo is the case's familiare referente on day oggi or later,
// other than escluso.
func familiareAttivo(ctx context.Context, q database.Querier, casoID, escluso uuid.UUID, oggi time.Time) (Membro, bool, error) {
	rows, err := q.Query(ctx, `SELECT `+membroCols+` FROM equipe_membro
		WHERE caso_id = $1 AND ruolo = 'familiare_referente' AND id <> $2 AND (al IS NULL OR al >= $3) LIMIT 1`, casoID, escluso, oggi)
	if err != nil {
		return Membro{}, false, err
	}
	m, err := pgx.CollectOneRow(rows, scanMembro)
	if errors.Is(err, pgx.ErrNoRows) {
		return Membro{}, false, nil
	}
	return m, err == nil, err
}

// familiari are the nucleo's current members, oldest first, with their age
// on oggi and their contacts (the nucleo's when the person has none).
func familiari(ctx context.Context, q database.Querier, nucleoID uuid.UUID, oggi time.Time) ([]Familiare, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.nome, p.cognome, nc.relazione, date_part('year', age($2::date, p.data_nascita))::int,
		       COALESCE(NULLIF(p.email, ''), n.email), COALESCE(NULLIF(p.telefono, ''), n.telefono)
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id JOIN nucleo n ON n.id = nc.nucleo_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', p.data_nascita, nc.id`, nucleoID, oggi)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Familiare, error) {
		var f Familiare
		err := r.Scan(&f.PersonaID, &f.Nome, &f.Cognome, &f.Relazione, &f.Eta, &f.Email, &f.Telefono)
		return f, err
	})
}

const convocazioneCols = `cv.id, cv.caso_id, cv.inizio, cv.luogo, cv.ordine_del_giorno, cv.sezioni, cv.estratto, cv.stato,
	COALESCE(o.nome || ' ' || o.cognome, ''), cv.created_at,
	(SELECT count(*) FROM equipe_invito i WHERE i.convocazione_id = cv.id)::int`

func scanConvocazione(r pgx.CollectableRow) (Convocazione, error) {
	var c Convocazione
	var estratto []byte
	err := r.Scan(&c.ID, &c.CasoID, &c.Inizio, &c.Luogo, &c.OrdineDelGiorno, &c.Sezioni, &estratto, &c.Stato,
		&c.CreatoDa, &c.CreatoIl, &c.Invitati)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(estratto, &c.Estratto); err != nil {
		return c, fmt.Errorf("estratto: %w", err)
	}
	return c, nil
}

func convocazioni(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Convocazione, error) {
	rows, err := q.Query(ctx, `SELECT `+convocazioneCols+`
		FROM equipe_convocazione cv LEFT JOIN operatore o ON o.id = cv.created_by
		WHERE cv.caso_id = $1 ORDER BY cv.inizio DESC, cv.created_at DESC LIMIT 200`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanConvocazione)
}

func convocazione(ctx context.Context, q database.Querier, casoID, id uuid.UUID) (Convocazione, error) {
	rows, err := q.Query(ctx, `SELECT `+convocazioneCols+`
		FROM equipe_convocazione cv LEFT JOIN operatore o ON o.id = cv.created_by
		WHERE cv.caso_id = $1 AND cv.id = $2`, casoID, id)
	if err != nil {
		return Convocazione{}, err
	}
	c, err := pgx.CollectOneRow(rows, scanConvocazione)
	if errors.Is(err, pgx.ErrNoRows) {
		return Convocazione{}, ErrNotFound
	}
	if err != nil {
		return Convocazione{}, err
	}
	rows, err = q.Query(ctx, `
		SELECT i.membro_id, m.nome || ' ' || m.cognome, m.funzione, m.ente, i.email, i.posta_id
		FROM equipe_invito i JOIN equipe_membro m ON m.id = i.membro_id
		WHERE i.convocazione_id = $1 ORDER BY m.cognome, m.nome, i.id`, id)
	if err != nil {
		return Convocazione{}, err
	}
	c.Inviti, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invito, error) {
		var i Invito
		err := r.Scan(&i.MembroID, &i.Nome, &i.Funzione, &i.Ente, &i.Email, &i.PostaID)
		return i, err
	})
	return c, err
}

func insertConvocazione(ctx context.Context, q database.Querier, c Convocazione, by uuid.UUID) (uuid.UUID, error) {
	estratto, err := json.Marshal(c.Estratto)
	if err != nil {
		return uuid.Nil, err
	}
	var id uuid.UUID
	err = q.QueryRow(ctx, `
		INSERT INTO equipe_convocazione (caso_id, inizio, luogo, ordine_del_giorno, sezioni, estratto, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		c.CasoID, c.Inizio, c.Luogo, c.OrdineDelGiorno, c.Sezioni, estratto, by).Scan(&id)
	return id, err
}

func insertInvito(ctx context.Context, q database.Querier, conv, membro uuid.UUID, email string, posta int64) error {
	_, err := q.Exec(ctx, `INSERT INTO equipe_invito (convocazione_id, membro_id, email, posta_id) VALUES ($1, $2, $3, $4)`,
		conv, membro, email, posta)
	return err
}

// correnti are the members of the case's équipe on day giorno, by start,
// surname and name.
func correnti(ctx context.Context, q database.Querier, casoID uuid.UUID, giorno time.Time) ([]Membro, error) {
	rows, err := q.Query(ctx, `SELECT `+membroCols+` FROM equipe_membro
		WHERE caso_id = $1 AND dal <= $2 AND (al IS NULL OR al >= $2)
		ORDER BY dal, cognome, nome, id`, casoID, giorno)
	if err != nil {
		return nil, fmt.Errorf("equipe: membri correnti: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanMembro)
	if err != nil {
		return nil, fmt.Errorf("equipe: membri correnti: %w", err)
	}
	return out, nil
}
