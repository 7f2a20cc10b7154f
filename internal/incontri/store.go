package incontri

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// Every SQL statement of the module. The case row itself belongs to casi:
// the only statement here that touches it is setStato, the state
// transitions this module is responsible for (domain.md §2.3).

// Componenti are the current members of the nucleo, the richiedente first
// then by age: the presences a meeting records (here and in monitoraggio).
func Componenti(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Componente, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.cognome || ' ' || p.nome, nc.relazione
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', p.data_nascita, nc.id`, nucleoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var c Componente
		err := r.Scan(&c.PersonaID, &c.Nome, &c.Relazione)
		return c, err
	})
}

const convocazioneCols = `
	cv.id, cv.caso_id, cv.operatore_id, COALESCE(o.nome || ' ' || o.cognome, ''), cv.tipo, cv.inizio, cv.durata_minuti,
	cv.luogo, cv.canale, cv.inviata_il, cv.esito_consegna, cv.annullata, cv.note, cv.versione`

func scanConvocazione(r pgx.CollectableRow) (Convocazione, error) {
	var c Convocazione
	err := r.Scan(&c.ID, &c.CasoID, &c.OperatoreID, &c.Operatore, &c.Tipo, &c.Inizio, &c.DurataMinuti,
		&c.Luogo, &c.Canale, &c.InviataIl, &c.EsitoConsegna, &c.Annullata, &c.Note, &c.Versione)
	return c, err
}

func convocazioni(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Convocazione, error) {
	rows, err := q.Query(ctx, `SELECT `+convocazioneCols+`
		FROM convocazione cv LEFT JOIN operatore o ON o.id = cv.operatore_id
		WHERE cv.caso_id = $1 ORDER BY cv.inizio DESC, cv.created_at DESC LIMIT 500`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanConvocazione)
}

func insertConvocazione(ctx context.Context, q database.Querier, c Convocazione, by uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO convocazione (caso_id, operatore_id, tipo, inizio, durata_minuti, luogo, canale, inviata_il, note, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		c.CasoID, c.OperatoreID, c.Tipo, c.Inizio, c.DurataMinuti, c.Luogo, c.Canale, c.InviataIl, c.Note, by).Scan(&id)
	return id, err
}

// updateEsito is the compare-and-bump of convocazione.versione.
func updateEsito(ctx context.Context, q database.Querier, casoID, id uuid.UUID, versione int, esito string, annullata bool) error {
	tag, err := q.Exec(ctx, `
		UPDATE convocazione SET esito_consegna = $4, annullata = $5, versione = versione + 1
		WHERE id = $2 AND caso_id = $1 AND versione = $3`, casoID, id, versione, esito, annullata)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM convocazione WHERE id = $2 AND caso_id = $1)`, casoID, id).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return ErrConflict
	}
	return ErrNotFound
}

func convocazioneOf(ctx context.Context, q database.Querier, casoID, id uuid.UUID) (Convocazione, error) {
	rows, err := q.Query(ctx, `SELECT `+convocazioneCols+`
		FROM convocazione cv LEFT JOIN operatore o ON o.id = cv.operatore_id
		WHERE cv.caso_id = $1 AND cv.id = $2`, casoID, id)
	if err != nil {
		return Convocazione{}, err
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanConvocazione)
	if errors.Is(err, pgx.ErrNoRows) {
		return Convocazione{}, ErrNotFound
	}
	return c, err
}

func incontriCaso(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Incontro, error) {
	rows, err := q.Query(ctx, `
		SELECT i.id, i.convocazione_id, i.tipo, i.data, i.luogo, i.note,
		       COALESCE(o.nome || ' ' || o.cognome, ''), i.registrato_il
		FROM incontro i LEFT JOIN operatore o ON o.id = i.registrato_da
		WHERE i.caso_id = $1 ORDER BY i.data DESC, i.registrato_il DESC LIMIT 500`, casoID)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Incontro, error) {
		var i Incontro
		err := r.Scan(&i.ID, &i.ConvocazioneID, &i.Tipo, &i.Data, &i.Luogo, &i.Note, &i.RegistratoDa, &i.RegistratoIl)
		return i, err
	})
	if err != nil || len(list) == 0 {
		return list, err
	}
	rows, err = q.Query(ctx, `
		SELECT ip.incontro_id, ip.persona_id, p.cognome || ' ' || p.nome, ip.presente, ip.giustificato, ip.motivo
		FROM incontro_presenza ip JOIN incontro i ON i.id = ip.incontro_id JOIN persona p ON p.id = ip.persona_id
		WHERE i.caso_id = $1 ORDER BY p.cognome, p.nome`, casoID)
	if err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]int{}
	for i, in := range list {
		byID[in.ID] = i
	}
	var incontroID uuid.UUID
	var p Presenza
	_, err = pgx.ForEachRow(rows, []any{&incontroID, &p.PersonaID, &p.Nome, &p.Presente, &p.Giustificato, &p.Motivo}, func() error {
		if i, ok := byID[incontroID]; ok {
			list[i].Presenze = append(list[i].Presenze, p)
		}
		return nil
	})
	return list, err
}

func insertIncontro(ctx context.Context, q database.Querier, casoID uuid.UUID, in Incontro, by uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO incontro (caso_id, convocazione_id, tipo, data, luogo, note, registrato_da)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		casoID, in.ConvocazioneID, in.Tipo, in.Data, in.Luogo, in.Note, by).Scan(&id)
	if err != nil {
		return uuid.Nil, err
	}
	for _, p := range in.Presenze {
		if _, err := q.Exec(ctx, `
			INSERT INTO incontro_presenza (incontro_id, persona_id, presente, giustificato, motivo)
			VALUES ($1, $2, $3, $4, $5)`, id, p.PersonaID, p.Presente, p.Giustificato, p.Motivo); err != nil {
			return uuid.Nil, err
		}
	}
	return id, nil
}

func giustificati(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Giustificato, error) {
	rows, err := q.Query(ctx, `
		SELECT g.id, g.persona_id, p.cognome || ' ' || p.nome, g.motivo, g.dal, g.al, g.documento,
		       COALESCE(o.nome || ' ' || o.cognome, ''), g.registrato_il
		FROM giustificato_motivo g JOIN persona p ON p.id = g.persona_id
		LEFT JOIN operatore o ON o.id = g.registrato_da
		WHERE g.caso_id = $1 ORDER BY g.dal DESC, g.registrato_il DESC LIMIT 500`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Giustificato, error) {
		var g Giustificato
		err := r.Scan(&g.ID, &g.PersonaID, &g.Componente, &g.Motivo, &g.Dal, &g.Al, &g.Documento, &g.RegistratoDa, &g.RegistratoIl)
		return g, err
	})
}

func insertGiustificato(ctx context.Context, q database.Querier, casoID uuid.UUID, g Giustificato, by uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO giustificato_motivo (caso_id, persona_id, motivo, dal, al, documento, registrato_da)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		casoID, g.PersonaID, g.Motivo, g.Dal, g.Al, g.Documento, by).Scan(&id)
	return id, err
}

// setStato moves the case to stato, bumping its versione like every other
// change of the case row.
func setStato(ctx context.Context, q database.Querier, casoID uuid.UUID, stato string) error {
	_, err := q.Exec(ctx, `UPDATE caso SET stato = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, casoID, stato)
	return err
}

// Agenda.

// appuntamento is an appointment of the operator's agenda.
type appuntamento = AppuntamentoCaso

// href is the appointment's page: its own, or the case's incontri.
func (a appuntamento) href() string {
	if a.Href != "" {
		return a.Href
	}
	return "/casi/" + a.CasoID.String() + "/incontri"
}

// convocazioniAgenda are the operator's convocazioni from dal to al (the
// cancelled ones too when annullate).
func convocazioniAgenda(ctx context.Context, q database.Querier, operatoreID uuid.UUID, dal, al time.Time, annullate bool) ([]appuntamento, error) {
	rows, err := q.Query(ctx, `
		SELECT `+convocazioneCols+`, c.numero, `+richiedente+`
		FROM convocazione cv
		JOIN caso c ON c.id = cv.caso_id
		LEFT JOIN operatore o ON o.id = cv.operatore_id
		WHERE cv.operatore_id = $1 AND cv.inizio >= $2 AND cv.inizio < $3 AND ($4 OR NOT cv.annullata)
		ORDER BY cv.inizio, c.numero`, operatoreID, dal, al, annullate)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAppuntamento)
}

// casiDellOperatore are the cases assigned to operatore now.
func casiDellOperatore(ctx context.Context, q database.Querier, operatore uuid.UUID) (map[uuid.UUID]bool, error) {
	rows, err := q.Query(ctx, `SELECT id FROM caso WHERE case_manager_id = $1`, operatore)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// richiedente is the applicant's name of case c while it is the
// operator's ($1).
const richiedente = `CASE WHEN c.case_manager_id = $1 THEN COALESCE((
	SELECT p.cognome || ' ' || p.nome
	FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
	WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
	ORDER BY nc.relazione <> 'richiedente', nc.id LIMIT 1), '') ELSE '' END`

func scanAppuntamento(r pgx.CollectableRow) (appuntamento, error) {
	var a appuntamento
	c := &a.Convocazione
	err := r.Scan(&c.ID, &c.CasoID, &c.OperatoreID, &c.Operatore, &c.Tipo, &c.Inizio, &c.DurataMinuti,
		&c.Luogo, &c.Canale, &c.InviataIl, &c.EsitoConsegna, &c.Annullata, &c.Note, &c.Versione,
		&a.Numero, &a.Richiedente)
	return a, err
}

// daRegistrareSQL selects the convocazioni of operator $1 that took place
// before $2 and were never registered, in the open cases still theirs: a
// convocazione not cancelled with no incontro of the case on or after its
// day (nor one registered on it).
const daRegistrareSQL = `
	SELECT ` + convocazioneCols + `, c.numero, ` + richiedente + `
	FROM convocazione cv
	JOIN caso c ON c.id = cv.caso_id
	LEFT JOIN operatore o ON o.id = cv.operatore_id
	WHERE cv.operatore_id = $1 AND NOT cv.annullata AND cv.inizio < $2
	  AND c.case_manager_id = $1 AND c.stato <> 'chiuso'
	  AND NOT EXISTS (SELECT 1 FROM incontro i WHERE i.caso_id = cv.caso_id
	                  AND (i.convocazione_id = cv.id OR i.data >= (cv.inizio AT TIME ZONE 'Europe/Rome')::date))`

// convocazioniDaRegistrare returns the oldest limit convocazioni of
// daRegistrareSQL and how many there are.
func convocazioniDaRegistrare(ctx context.Context, q database.Querier, operatoreID uuid.UUID, prima time.Time, limit int) ([]appuntamento, int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (`+daRegistrareSQL+`) x`, operatoreID, prima).Scan(&n); err != nil {
		return nil, 0, err
	}
	if n == 0 || limit == 0 {
		return nil, n, nil
	}
	rows, err := q.Query(ctx, `SELECT * FROM (`+daRegistrareSQL+`) x ORDER BY 6, 15 LIMIT $3`, operatoreID, prima, limit)
	if err != nil {
		return nil, 0, err
	}
	as, err := pgx.CollectRows(rows, scanAppuntamento)
	return as, n, err
}

// comuniScope lists the comuni of a scope: one comune, or every comune of
// the ambito when comuneID is nil.
func comuniScope(ctx context.Context, q database.Querier, ambitoID int64, comuneID *int64) ([]Comune, error) {
	rows, err := q.Query(ctx, `
		SELECT id, denominazione FROM comune
		WHERE ambito_id = $1 AND ($2::bigint IS NULL OR id = $2)
		ORDER BY denominazione`, ambitoID, comuneID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Comune, error) {
		var c Comune
		err := r.Scan(&c.ID, &c.Denominazione)
		return c, err
	})
}

func slots(ctx context.Context, q database.Querier, comuni []int64) ([]Slot, error) {
	rows, err := q.Query(ctx, `
		SELECT d.id, d.comune_id, c.denominazione, d.ufficio, d.giorno, to_char(d.dalle, 'HH24:MI'), to_char(d.alle, 'HH24:MI')
		FROM disponibilita_ufficio d JOIN comune c ON c.id = d.comune_id
		WHERE d.comune_id = ANY($1)
		ORDER BY d.giorno, d.dalle, c.denominazione, d.ufficio`, comuni)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Slot, error) {
		var s Slot
		err := r.Scan(&s.ID, &s.ComuneID, &s.Comune, &s.Ufficio, &s.Giorno, &s.Dalle, &s.Alle)
		return s, err
	})
}

func insertSlot(ctx context.Context, q database.Querier, s Slot) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO disponibilita_ufficio (comune_id, ufficio, giorno, dalle, alle)
		VALUES ($1, $2, $3, $4::time, $5::time) RETURNING id`, s.ComuneID, s.Ufficio, s.Giorno, s.Dalle, s.Alle).Scan(&id)
	return id, err
}

func deleteSlot(ctx context.Context, q database.Querier, id int64, comuni []int64) error {
	tag, err := q.Exec(ctx, `DELETE FROM disponibilita_ufficio WHERE id = $1 AND comune_id = ANY($2)`, id, comuni)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// Calendar tokens: only the SHA-256 of the secret is stored.

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func calendarioCreato(ctx context.Context, q database.Querier, operatoreID uuid.UUID) (*time.Time, error) {
	var t time.Time
	err := q.QueryRow(ctx, `SELECT created_at FROM calendario_token WHERE operatore_id = $1`, operatoreID).Scan(&t)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func upsertToken(ctx context.Context, q database.Querier, operatoreID uuid.UUID, token string) error {
	_, err := q.Exec(ctx, `
		INSERT INTO calendario_token (operatore_id, token_hash) VALUES ($1, $2)
		ON CONFLICT (operatore_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`,
		operatoreID, tokenHash(token))
	return err
}

// tokenOperatore finds the operator of a feed token, and their ambito: only
// an active operator who holds today a role granted the agenda.
func tokenOperatore(ctx context.Context, q database.Querier, token string, oggi time.Time) (uuid.UUID, *int64, error) {
	var id uuid.UUID
	var ambito *int64
	err := q.QueryRow(ctx, `
		SELECT o.id, o.ambito_id FROM calendario_token t JOIN operatore o ON o.id = t.operatore_id
		WHERE t.token_hash = $1 AND o.stato = 'attivo'
		  AND EXISTS (SELECT 1 FROM operatore_ruolo r WHERE r.operatore_id = o.id
		              AND r.ruolo IN ('case_manager', 'coordinatore_pais')
		              AND r.dal <= $2 AND (r.al IS NULL OR r.al >= $2))`, tokenHash(token), oggi).Scan(&id, &ambito)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, nil, ErrNotFound
	}
	if err != nil {
		return uuid.Nil, nil, fmt.Errorf("incontri: token: %w", err)
	}
	return id, ambito, nil
}

// accodaSituazione queues on b the case's convocazioni, meetings with
// their presences and giustificati motivi, read into sit: three statements.
func accodaSituazione(b *pgx.Batch, casoID uuid.UUID, sit *scadenze.Situazione) {
	b.Queue(`
		SELECT inizio, inviata_il, annullata, esito_consegna = 'non_consegnata'
		FROM convocazione WHERE caso_id = $1 ORDER BY inizio`, casoID).Query(func(rows pgx.Rows) error {
		var err error
		sit.Convocazioni, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.Convocazione, error) {
			var c scadenze.Convocazione
			err := r.Scan(&c.Inizio, &c.InviataIl, &c.Annullata, &c.NonConsegnata)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("incontri: situazione: convocazioni: %w", err)
		}
		return nil
	})
	b.Queue(`
		SELECT i.id, i.data, i.tipo, p.persona_id, p.presente, p.giustificato
		FROM incontro i LEFT JOIN incontro_presenza p ON p.incontro_id = i.id
		WHERE i.caso_id = $1 ORDER BY i.data, i.id`, casoID).Query(func(rows pgx.Rows) error {
		var last uuid.UUID
		sit.Incontri = nil
		for rows.Next() {
			var id uuid.UUID
			var data time.Time
			var tipo string
			var persona *uuid.UUID
			var presente, giust *bool
			if err := rows.Scan(&id, &data, &tipo, &persona, &presente, &giust); err != nil {
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
		if err := rows.Err(); err != nil {
			return fmt.Errorf("incontri: situazione: incontri: %w", err)
		}
		return nil
	})
	b.Queue(`SELECT persona_id, dal, al FROM giustificato_motivo WHERE caso_id = $1 ORDER BY dal`, casoID).Query(func(rows pgx.Rows) error {
		var err error
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
	})
}

// prossimaConvocazione is the case's next convocazione not cancelled, at
// or after now.
func prossimaConvocazione(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error) {
	var t *time.Time
	err := q.QueryRow(ctx, `SELECT min(inizio) FROM convocazione WHERE caso_id = $1 AND NOT annullata AND inizio >= $2`, casoID, now).Scan(&t)
	if err != nil {
		return nil, fmt.Errorf("incontri: prossimo appuntamento: %w", err)
	}
	return t, nil
}

// accodaContaIncontri queues on b the count of the case's meetings into n.
func accodaContaIncontri(b *pgx.Batch, casoID uuid.UUID, n *int) {
	b.Queue(`SELECT count(*) FROM incontro WHERE caso_id = $1`, casoID).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(n); err != nil {
			return fmt.Errorf("incontri: sezione: %w", err)
		}
		return nil
	})
}

// situazioni is situazione for the cases ids at once: the convocazioni,
// the meetings with their presences and the giustificati motivi of every
// case, in three queries, in the order situazione reads them.
func situazioni(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error {
	rows, err := q.Query(ctx, `
		SELECT caso_id, inizio, inviata_il, annullata, esito_consegna = 'non_consegnata'
		FROM convocazione WHERE caso_id = ANY($1) ORDER BY caso_id, inizio`, ids)
	if err != nil {
		return fmt.Errorf("incontri: situazioni: convocazioni: %w", err)
	}
	for rows.Next() {
		var casoID uuid.UUID
		var c scadenze.Convocazione
		if err := rows.Scan(&casoID, &c.Inizio, &c.InviataIl, &c.Annullata, &c.NonConsegnata); err != nil {
			rows.Close()
			return fmt.Errorf("incontri: situazioni: convocazioni: %w", err)
		}
		if s := sit[casoID]; s != nil {
			s.Convocazioni = append(s.Convocazioni, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("incontri: situazioni: convocazioni: %w", err)
	}
	for _, id := range ids {
		if s := sit[id]; s != nil {
			s.Incontri = nil
		}
	}
	rows, err = q.Query(ctx, `
		SELECT i.caso_id, i.id, i.data, i.tipo, p.persona_id, p.presente, p.giustificato
		FROM incontro i LEFT JOIN incontro_presenza p ON p.incontro_id = i.id
		WHERE i.caso_id = ANY($1) ORDER BY i.caso_id, i.data, i.id`, ids)
	if err != nil {
		return fmt.Errorf("incontri: situazioni: incontri: %w", err)
	}
	var last uuid.UUID
	for rows.Next() {
		var casoID, id uuid.UUID
		var data time.Time
		var tipo string
		var persona *uuid.UUID
		var presente, giust *bool
		if err := rows.Scan(&casoID, &id, &data, &tipo, &persona, &presente, &giust); err != nil {
			rows.Close()
			return fmt.Errorf("incontri: situazioni: incontri: %w", err)
		}
		s := sit[casoID]
		if s == nil {
			continue
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
		return fmt.Errorf("incontri: situazioni: incontri: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT caso_id, persona_id, dal, al FROM giustificato_motivo WHERE caso_id = ANY($1) ORDER BY caso_id, dal`, ids)
	if err != nil {
		return fmt.Errorf("incontri: situazioni: giustificati: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var casoID, pid uuid.UUID
		var g scadenze.GiustificatoMotivo
		if err := rows.Scan(&casoID, &pid, &g.Dal, &g.Al); err != nil {
			return fmt.Errorf("incontri: situazioni: giustificati: %w", err)
		}
		g.PersonaID = pid.String()
		if s := sit[casoID]; s != nil {
			s.Giustificati = append(s.Giustificati, g)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("incontri: situazioni: giustificati: %w", err)
	}
	return nil
}

// prossimeConvocazioni is prossimaConvocazione for the cases ids at once.
func prossimeConvocazioni(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (map[uuid.UUID]time.Time, error) {
	rows, err := q.Query(ctx, `SELECT caso_id, min(inizio) FROM convocazione
		WHERE caso_id = ANY($1) AND NOT annullata AND inizio >= $2 GROUP BY caso_id`, ids, now)
	if err != nil {
		return nil, fmt.Errorf("incontri: prossimi appuntamenti: %w", err)
	}
	out, err := database.PerChiave[uuid.UUID, time.Time](rows)
	if err != nil {
		return nil, fmt.Errorf("incontri: prossimi appuntamenti: %w", err)
	}
	return out, nil
}
