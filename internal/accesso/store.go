package accesso

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

const operatoreCols = `id, codice_fiscale, nome, cognome, data_nascita, comune_nascita, genere, email, telefono, ambito_id, stato,
	telefono_ufficio, email_ufficio, orari_ufficio`

func scanOperatore(row pgx.Row) (Operatore, error) {
	var o Operatore
	err := row.Scan(&o.ID, &o.CodiceFiscale, &o.Nome, &o.Cognome, &o.DataNascita, &o.ComuneNascita,
		&o.Genere, &o.Email, &o.Telefono, &o.AmbitoID, &o.Stato, &o.TelefonoUfficio, &o.EmailUfficio, &o.OrariUfficio)
	return o, notFound(err)
}

func (store) insertOperatore(ctx context.Context, q database.Querier, o Operatore) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO operatore (codice_fiscale, nome, cognome, data_nascita, comune_nascita, genere, email, telefono, ambito_id,
			telefono_ufficio, email_ufficio, orari_ufficio)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		o.CodiceFiscale, o.Nome, o.Cognome, o.DataNascita, o.ComuneNascita, o.Genere, o.Email, o.Telefono, o.AmbitoID,
		o.TelefonoUfficio, o.EmailUfficio, o.OrariUfficio).Scan(&id)
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
		INSERT INTO operatore_ruolo (operatore_id, ruolo, ambito_id, comune_id, ente_id, fondo, dal)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		opID, a.Ruolo, a.AmbitoID, a.ComuneID, a.EnteID, a.Fondo, a.Dal).Scan(&id)
	return id, err
}

// activeAssegnazioni returns the roles in force on day for the operator.
func (store) activeAssegnazioni(ctx context.Context, q database.Querier, opID uuid.UUID, day time.Time) ([]Assegnazione, error) {
	rows, err := q.Query(ctx, `
		SELECT r.id, r.ruolo, r.ambito_id, COALESCE(a.denominazione, ''), r.comune_id, COALESCE(c.denominazione, ''), r.ente_id,
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
		err := r.Scan(&a.ID, &a.Ruolo, &a.AmbitoID, &a.AmbitoNome, &a.ComuneID, &a.ComuneNome, &a.EnteID, &a.Fondo, &a.Dal, &a.Al)
		return a, err
	})
}

type bindingRow struct {
	operatoreID uuid.UUID
	a           Assegnazione
}

func (store) bindings(ctx context.Context, q database.Querier, day time.Time) ([]bindingRow, error) {
	rows, err := q.Query(ctx, `
		SELECT r.operatore_id, r.ruolo, r.ambito_id, r.comune_id, r.ente_id
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id
		WHERE o.stato = 'attivo' AND r.dal <= $1 AND (r.al IS NULL OR r.al >= $1)`, day)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (bindingRow, error) {
		var b bindingRow
		err := row.Scan(&b.operatoreID, &b.a.Ruolo, &b.a.AmbitoID, &b.a.ComuneID, &b.a.EnteID)
		return b, err
	})
}

func (store) comuneByID(ctx context.Context, q database.Querier, id int64) (Comune, error) {
	var c Comune
	err := q.QueryRow(ctx, `
		SELECT id, codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id
		FROM comune WHERE id = $1`, id).
		Scan(&c.ID, &c.CodiceISTAT, &c.CodiceCatastale, &c.Denominazione, &c.Provincia, &c.Regione, &c.AmbitoID)
	return c, notFound(err)
}

// listOperatori returns one more row than a page, to tell whether a next
// page exists. Search matches surname, name or codice fiscale.
// amministratoreSQL holds for an operator o who is, or was, an amministratore:
// the role is incompatible with any other (nota 2019), so such operators are
// managed by the amministratore di sistema, never on /admin/operatori.
const amministratoreSQL = `EXISTS (SELECT 1 FROM operatore_ruolo ra WHERE ra.operatore_id = o.id
		AND ra.ruolo IN ('amministratore_ambito', 'amministratore_sistema'))`

// isAmministratoreAny reports whether the operator is or was an amministratore.
func (store) isAmministratoreAny(ctx context.Context, q database.Querier, id uuid.UUID) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, `SELECT `+amministratoreSQL+` FROM operatore o WHERE o.id = $1`, id).Scan(&yes)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return yes, err
}

func (store) listOperatori(ctx context.Context, q database.Querier, ambitoID int64, f Filtro, day time.Time) ([]Operatore, error) {
	rows, err := q.Query(ctx, `
		SELECT `+operatoreCols+` FROM operatore o
		WHERE o.ambito_id = $1
		  AND NOT `+amministratoreSQL+`
		  AND ($2 = '' OR o.codice_fiscale = upper($2)
		       OR lower(o.cognome || ' ' || o.nome) LIKE '%' || lower($2) || '%'
		       OR lower(o.nome || ' ' || o.cognome) LIKE '%' || lower($2) || '%')
		  AND ($3 = '' OR o.stato = $3)
		  AND ($4 = '' AND $5 = 0 OR EXISTS (
		        SELECT 1 FROM operatore_ruolo r WHERE r.operatore_id = o.id
		          AND ($4 = '' OR r.ruolo = $4) AND ($5 = 0 OR r.comune_id = $5)
		          AND r.dal <= $6 AND (r.al IS NULL OR r.al >= $6)))
		ORDER BY lower(o.cognome), lower(o.nome), o.id
		LIMIT $7 OFFSET $8`,
		ambitoID, strings.TrimSpace(f.Q), f.Stato, f.Ruolo, f.ComuneID, day, PageSize+1, (min(max(f.Pagina, 1), database.MaxPagina)-1)*PageSize)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Operatore, error) { return scanOperatore(r) })
}

func (st store) scheda(ctx context.Context, q database.Querier, id uuid.UUID) (Scheda, error) {
	var sc Scheda
	var err error
	row := q.QueryRow(ctx, `SELECT `+operatoreCols+`, stato_dal, stato_motivo, versione FROM operatore WHERE id = $1`, id)
	o := &sc.Operatore
	err = row.Scan(&o.ID, &o.CodiceFiscale, &o.Nome, &o.Cognome, &o.DataNascita, &o.ComuneNascita,
		&o.Genere, &o.Email, &o.Telefono, &o.AmbitoID, &o.Stato, &o.TelefonoUfficio, &o.EmailUfficio, &o.OrariUfficio, &sc.StatoDal, &sc.Motivo, &sc.Versione)
	if err != nil {
		return sc, notFound(err)
	}
	rows, err := q.Query(ctx, `
		SELECT r.id, r.ruolo, r.ambito_id, COALESCE(a.denominazione, ''), r.comune_id, COALESCE(c.denominazione, ''), r.ente_id,
		       r.fondo, r.dal, r.al, r.motivo_fine
		FROM operatore_ruolo r
		LEFT JOIN ambito a ON a.id = r.ambito_id
		LEFT JOIN comune c ON c.id = r.comune_id
		WHERE r.operatore_id = $1 ORDER BY r.dal DESC, r.id DESC`, id)
	if err != nil {
		return sc, err
	}
	sc.Ruoli, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (RuoloStorico, error) {
		var a RuoloStorico
		err := r.Scan(&a.ID, &a.Ruolo, &a.AmbitoID, &a.AmbitoNome, &a.ComuneID, &a.ComuneNome, &a.EnteID, &a.Fondo, &a.Dal, &a.Al, &a.MotivoFine)
		return a, err
	})
	if err != nil {
		return sc, err
	}
	rows, err = q.Query(ctx, `
		SELECT s.registrato_il, COALESCE(a.nome || ' ' || a.cognome, 'sistema'), s.azione, s.descrizione
		FROM operatore_storico s LEFT JOIN operatore a ON a.id = s.autore_id
		WHERE s.operatore_id = $1 ORDER BY s.id DESC`, id)
	if err != nil {
		return sc, err
	}
	sc.Storico, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Evento, error) {
		var e Evento
		err := r.Scan(&e.Quando, &e.Autore, &e.Azione, &e.Descrizione)
		return e, err
	})
	return sc, err
}

func (store) insertStorico(ctx context.Context, q database.Querier, id uuid.UUID, autore *uuid.UUID, azione, desc string) error {
	_, err := q.Exec(ctx, `INSERT INTO operatore_storico (operatore_id, autore_id, azione, descrizione) VALUES ($1, $2, $3, $4)`,
		id, autore, azione, desc)
	return err
}

// operatoreForUpdate locks the operator's row for the rest of the transaction.
func (store) operatoreForUpdate(ctx context.Context, q database.Querier, id uuid.UUID) (Operatore, int, error) {
	var o Operatore
	var ver int
	err := q.QueryRow(ctx, `SELECT `+operatoreCols+`, versione FROM operatore WHERE id = $1 FOR UPDATE`, id).
		Scan(&o.ID, &o.CodiceFiscale, &o.Nome, &o.Cognome, &o.DataNascita, &o.ComuneNascita,
			&o.Genere, &o.Email, &o.Telefono, &o.AmbitoID, &o.Stato, &o.TelefonoUfficio, &o.EmailUfficio, &o.OrariUfficio, &ver)
	return o, ver, notFound(err)
}

func (store) updateAnagrafica(ctx context.Context, q database.Querier, o Operatore) error {
	_, err := q.Exec(ctx, `
		UPDATE operatore SET nome = $2, cognome = $3, data_nascita = $4, comune_nascita = $5, genere = $6,
			email = $7, telefono = $8, telefono_ufficio = $9, email_ufficio = $10, orari_ufficio = $11,
			versione = versione + 1, updated_at = now()
		WHERE id = $1`, o.ID, o.Nome, o.Cognome, o.DataNascita, o.ComuneNascita, o.Genere, o.Email, o.Telefono,
		o.TelefonoUfficio, o.EmailUfficio, o.OrariUfficio)
	return err
}

func (store) bumpVersione(ctx context.Context, q database.Querier, id uuid.UUID) error {
	_, err := q.Exec(ctx, `UPDATE operatore SET versione = versione + 1, updated_at = now() WHERE id = $1`, id)
	return err
}

func (store) assegnazione(ctx context.Context, q database.Querier, opID uuid.UUID, id int64) (Assegnazione, error) {
	var a Assegnazione
	err := q.QueryRow(ctx, `
		SELECT r.id, r.ruolo, r.ambito_id, COALESCE(a.denominazione, ''), r.comune_id, COALESCE(c.denominazione, ''), r.ente_id,
		       r.fondo, r.dal, r.al
		FROM operatore_ruolo r
		LEFT JOIN ambito a ON a.id = r.ambito_id
		LEFT JOIN comune c ON c.id = r.comune_id
		WHERE r.operatore_id = $1 AND r.id = $2`, opID, id).
		Scan(&a.ID, &a.Ruolo, &a.AmbitoID, &a.AmbitoNome, &a.ComuneID, &a.ComuneNome, &a.EnteID, &a.Fondo, &a.Dal, &a.Al)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrOperatoreNotFound
	}
	return a, err
}

func (store) endAssegnazione(ctx context.Context, q database.Querier, id int64, al time.Time, motivo string) error {
	_, err := q.Exec(ctx, `UPDATE operatore_ruolo SET al = $2, motivo_fine = $3 WHERE id = $1`, id, al, motivo)
	return err
}

func (store) setStato(ctx context.Context, q database.Querier, id uuid.UUID, stato string, dal time.Time, motivo string) error {
	_, err := q.Exec(ctx, `
		UPDATE operatore SET stato = $2, stato_dal = $3, stato_motivo = $4, versione = versione + 1, updated_at = now()
		WHERE id = $1`, id, stato, dal, motivo)
	return err
}

type nomeRow struct {
	id   uuid.UUID
	nome string
}

func (store) nomiAmbito(ctx context.Context, q database.Querier, ambitoID int64) ([]nomeRow, error) {
	rows, err := q.Query(ctx, `SELECT id, cognome || ' ' || nome FROM operatore WHERE ambito_id = $1 ORDER BY lower(cognome), lower(nome)`, ambitoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (nomeRow, error) {
		var n nomeRow
		err := r.Scan(&n.id, &n.nome)
		return n, err
	})
}

// SQL of the ambiti screens (ambiti.go).

func (store) ambitoByID(ctx context.Context, q database.Querier, id int64, forUpdate bool) (Ambito, error) {
	sql := `SELECT id, codice, denominazione, ente_capofila FROM ambito WHERE id = $1`
	if forUpdate {
		sql += ` FOR UPDATE`
	}
	var a Ambito
	err := q.QueryRow(ctx, sql, id).Scan(&a.ID, &a.Codice, &a.Denominazione, &a.EnteCapofila)
	return a, notFound(err)
}

// listAmbiti returns one more row than a page, to tell whether a next page
// exists. Search matches a part of the codice or of the denominazione.
func (store) listAmbiti(ctx context.Context, q database.Querier, f FiltroAmbiti) ([]RigaAmbito, error) {
	rows, err := q.Query(ctx, `
		SELECT a.id, a.codice, a.denominazione, a.ente_capofila,
		       (SELECT count(*) FROM comune c WHERE c.ambito_id = a.id)
		FROM ambito a
		WHERE $1 = '' OR strpos(lower(a.codice), lower($1)) > 0 OR strpos(lower(a.denominazione), lower($1)) > 0
		ORDER BY a.codice
		LIMIT $2 OFFSET $3`,
		strings.TrimSpace(f.Q), PageSize+1, (min(max(f.Pagina, 1), database.MaxPagina)-1)*PageSize)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaAmbito, error) {
		var a RigaAmbito
		err := r.Scan(&a.Ambito.ID, &a.Ambito.Codice, &a.Ambito.Denominazione, &a.Ambito.EnteCapofila, &a.NumComuni)
		return a, err
	})
}

// amministratori returns, per ambito, the operators holding (or having held)
// the amministratore di ambito role there.
func (store) amministratori(ctx context.Context, q database.Querier, ambiti []int64) (map[int64][]Amministratore, error) {
	rows, err := q.Query(ctx, `
		SELECT r.ambito_id, o.id, o.codice_fiscale, o.nome, o.cognome, o.data_nascita, o.comune_nascita, o.genere,
		       o.email, o.telefono, o.ambito_id, o.stato, o.stato_dal, o.stato_motivo, o.versione, r.dal, r.al
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id
		WHERE r.ruolo = 'amministratore_ambito' AND r.ambito_id = ANY($1)
		ORDER BY r.ambito_id, lower(o.cognome), lower(o.nome), o.id, r.dal`, ambiti)
	if err != nil {
		return nil, err
	}
	type row struct {
		ambito int64
		a      Amministratore
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		o := &x.a.Operatore
		err := r.Scan(&x.ambito, &o.ID, &o.CodiceFiscale, &o.Nome, &o.Cognome, &o.DataNascita, &o.ComuneNascita,
			&o.Genere, &o.Email, &o.Telefono, &o.AmbitoID, &o.Stato, &x.a.StatoDal, &x.a.Motivo, &x.a.Versione, &x.a.Dal, &x.a.Al)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := map[int64][]Amministratore{}
	for _, x := range list {
		out[x.ambito] = append(out[x.ambito], x.a)
	}
	return out, nil
}

func (store) findComuni(ctx context.Context, q database.Querier, comune string, byISTAT bool) ([]Comune, error) {
	where := `lower(denominazione) = lower($1)`
	if byISTAT {
		where = `codice_istat = $1`
	}
	rows, err := q.Query(ctx, `
		SELECT id, codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id
		FROM comune WHERE `+where+` ORDER BY provincia, codice_istat`, comune)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Comune, error) {
		var c Comune
		err := r.Scan(&c.ID, &c.CodiceISTAT, &c.CodiceCatastale, &c.Denominazione, &c.Provincia, &c.Regione, &c.AmbitoID)
		return c, err
	})
}

func (store) comuneForUpdate(ctx context.Context, q database.Querier, id int64) (Comune, error) {
	var c Comune
	err := q.QueryRow(ctx, `
		SELECT id, codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id
		FROM comune WHERE id = $1 FOR UPDATE`, id).
		Scan(&c.ID, &c.CodiceISTAT, &c.CodiceCatastale, &c.Denominazione, &c.Provincia, &c.Regione, &c.AmbitoID)
	return c, notFound(err)
}

func (store) setComuneAmbito(ctx context.Context, q database.Querier, comuneID int64, ambitoID *int64) error {
	_, err := q.Exec(ctx, `UPDATE comune SET ambito_id = $2 WHERE id = $1`, comuneID, ambitoID)
	return err
}

type usoComune struct {
	ruolo Ruolo
	n     int
}

// ruoliOnComune counts, per role, the roles not ended on day (including
// those starting later) of operators not revoked, scoped to the comune.
func (store) ruoliOnComune(ctx context.Context, q database.Querier, comuneID int64, day time.Time) ([]usoComune, error) {
	rows, err := q.Query(ctx, `
		SELECT r.ruolo, count(*)
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id
		WHERE r.comune_id = $1 AND o.stato <> 'revocato' AND (r.al IS NULL OR r.al >= $2)
		GROUP BY r.ruolo ORDER BY r.ruolo`, comuneID, day)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (usoComune, error) {
		var u usoComune
		err := r.Scan(&u.ruolo, &u.n)
		return u, err
	})
}

func (store) isAmministratore(ctx context.Context, q database.Querier, opID uuid.UUID, ambitoID int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM operatore_ruolo
		               WHERE operatore_id = $1 AND ruolo = 'amministratore_ambito' AND ambito_id = $2)`, opID, ambitoID).Scan(&ok)
	return ok, err
}

// upsertComuniCount inserts or updates all comuni in one statement (the
// arrays are unnested server-side: one round trip for the whole list,
// instead of one per comune) and counts the rows inserted and the rows
// updated. The WHERE on DO UPDATE skips rows whose values are already
// those of the list, so they are not rewritten and come back in neither
// count; xmax = 0 tells a freshly inserted row from an updated one.
// ambito_id is neither inserted nor updated. The comuni must have distinct
// ISTAT codes: PostgreSQL refuses to update a row twice in one statement.
func (store) upsertComuniCount(ctx context.Context, q database.Querier, comuni []Comune) (inseriti, aggiornati int, err error) {
	n := len(comuni)
	istat, cat, den, prov, reg := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, c := range comuni {
		istat[i], cat[i], den[i], prov[i], reg[i] = c.CodiceISTAT, c.CodiceCatastale, c.Denominazione, c.Provincia, c.Regione
	}
	err = q.QueryRow(ctx, `
		WITH scritti AS (
			INSERT INTO comune (codice_istat, codice_catastale, denominazione, provincia, regione)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
			ON CONFLICT (codice_istat) DO UPDATE SET
				codice_catastale = EXCLUDED.codice_catastale, denominazione = EXCLUDED.denominazione,
				provincia = EXCLUDED.provincia, regione = EXCLUDED.regione
			WHERE (comune.codice_catastale, comune.denominazione, comune.provincia, comune.regione)
				IS DISTINCT FROM (EXCLUDED.codice_catastale, EXCLUDED.denominazione, EXCLUDED.provincia, EXCLUDED.regione)
			RETURNING xmax = 0 AS inserito)
		SELECT count(*) FILTER (WHERE inserito), count(*) FILTER (WHERE NOT inserito) FROM scritti`,
		istat, cat, den, prov, reg).Scan(&inseriti, &aggiornati)
	return inseriti, aggiornati, err
}

// catastaliOccupati finds every comune of the list whose catastale code
// belongs, in the table, to a comune with a different ISTAT code.
func (store) catastaliOccupati(ctx context.Context, q database.Querier, comuni []Comune) ([]conflittoCatastale, error) {
	istat, cat, den := make([]string, len(comuni)), make([]string, len(comuni)), make([]string, len(comuni))
	for i, c := range comuni {
		istat[i], cat[i], den[i] = c.CodiceISTAT, c.CodiceCatastale, c.Denominazione
	}
	rows, err := q.Query(ctx, `
		SELECT e.catastale, e.istat, e.denominazione, c.codice_istat, c.denominazione
		FROM unnest($1::text[], $2::text[], $3::text[]) AS e (istat, catastale, denominazione)
		JOIN comune c ON c.codice_catastale = e.catastale AND c.codice_istat <> e.istat
		ORDER BY e.istat`, istat, cat, den)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (conflittoCatastale, error) {
		var c conflittoCatastale
		err := r.Scan(&c.catastale, &c.istatElenco, &c.denominazioneElenco, &c.istatTabella, &c.denominazioneTabella)
		return c, err
	})
}
