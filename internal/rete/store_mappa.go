package rete

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartella/cartella/internal/database"
)

// Comune is a comune of the ambito, as the forms offer it.
type Comune struct {
	ID            int64
	Denominazione string
}

func comuniAmbito(ctx context.Context, q database.Querier, ambitoID int64) ([]Comune, error) {
	rows, _ := q.Query(ctx, `SELECT id, denominazione FROM comune WHERE ambito_id = $1 ORDER BY denominazione`, ambitoID)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Comune])
}

// unico reports whether err is a violation of a unique constraint.
func unico(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// like is the ILIKE pattern of a free text (its wildcards escaped).
func like(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.TrimSpace(s))
	return "%" + s + "%"
}

// --- enti ---

const colonneEnte = `e.id, e.ambito_id, e.denominazione, e.tipo, e.codice_fiscale, e.indirizzo, e.telefono, e.email, e.pec,
	e.referente, e.attivo, e.versione,
	COALESCE((SELECT array_agg(ec.comune_id ORDER BY c.denominazione) FROM rete_ente_comune ec JOIN comune c ON c.id = ec.comune_id WHERE ec.ente_id = e.id), '{}'),
	COALESCE((SELECT array_agg(c.denominazione ORDER BY c.denominazione) FROM rete_ente_comune ec JOIN comune c ON c.id = ec.comune_id WHERE ec.ente_id = e.id), '{}')`

func scanEnte(row pgx.Row) (Ente, error) {
	var e Ente
	err := row.Scan(&e.ID, &e.AmbitoID, &e.Denominazione, &e.Tipo, &e.CodiceFiscale, &e.Indirizzo, &e.Telefono, &e.Email,
		&e.PEC, &e.Referente, &e.Attivo, &e.Versione, &e.Comuni, &e.NomiComuni)
	if errors.Is(err, pgx.ErrNoRows) {
		return Ente{}, ErrNotFound
	}
	return e, err
}

func caricaEnte(ctx context.Context, q database.Querier, id int64) (Ente, error) {
	return scanEnte(q.QueryRow(ctx, `SELECT `+colonneEnte+` FROM rete_ente e WHERE e.id = $1`, id))
}

func elencoEnti(ctx context.Context, q database.Querier, ambitoID int64, soloAttivi bool) ([]Ente, error) {
	rows, err := q.Query(ctx, `SELECT `+colonneEnte+` FROM rete_ente e WHERE e.ambito_id = $1 AND (e.attivo OR NOT $2)
		ORDER BY e.attivo DESC, e.denominazione`, ambitoID, soloAttivi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Ente
	for rows.Next() {
		e, err := scanEnte(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scriviComuniEnte(ctx context.Context, tx pgx.Tx, id int64, comuni []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM rete_ente_comune WHERE ente_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO rete_ente_comune (ente_id, comune_id) SELECT $1, unnest($2::bigint[])`, id, comuni)
	return err
}

// --- servizi ---

const colonneServizio = `s.id, s.ente_id, e.denominazione, e.attivo, e.ambito_id, s.denominazione, s.descrizione, s.area,
	s.sostegno_codice, s.destinatari, s.criteri_accesso, s.modalita_accesso, s.contatti, s.capacita, s.periodo_capacita,
	s.valido_dal, s.valido_al, s.attivo, s.versione,
	COALESCE((SELECT array_agg(sc.comune_id ORDER BY c.denominazione) FROM rete_servizio_comune sc JOIN comune c ON c.id = sc.comune_id WHERE sc.servizio_id = s.id), '{}'),
	COALESCE((SELECT array_agg(c.denominazione ORDER BY c.denominazione) FROM rete_servizio_comune sc JOIN comune c ON c.id = sc.comune_id WHERE sc.servizio_id = s.id), '{}'),
	e.indirizzo, e.telefono, e.email`

func scanServizio(row pgx.Row) (Servizio, error) {
	var s Servizio
	err := row.Scan(&s.ID, &s.EnteID, &s.Ente, &s.EnteAttivo, &s.AmbitoID, &s.Denominazione, &s.Descrizione, &s.Area,
		&s.SostegnoCodice, &s.Destinatari, &s.CriteriAccesso, &s.ModalitaAccesso, &s.Contatti, &s.Capacita, &s.PeriodoCapacita,
		&s.ValidoDal, &s.ValidoAl, &s.Attivo, &s.Versione, &s.Comuni, &s.NomiComuni, &s.EnteIndirizzo, &s.EnteTelefono, &s.EnteEmail)
	if errors.Is(err, pgx.ErrNoRows) {
		return Servizio{}, ErrNotFound
	}
	return s, err
}

func caricaServizio(ctx context.Context, q database.Querier, id int64) (Servizio, error) {
	return scanServizio(q.QueryRow(ctx, `SELECT `+colonneServizio+` FROM rete_servizio s JOIN rete_ente e ON e.id = s.ente_id WHERE s.id = $1`, id))
}

func raccogliServizi(rows pgx.Rows, err error) ([]Servizio, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Servizio
	for rows.Next() {
		s, err := scanServizio(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// elencoServizi is the gestore's list: every service of the ambito (also
// inactive or expired), filtered by ente, area and text, one page.
func elencoServizi(ctx context.Context, q database.Querier, ambitoID int64, f FiltroServizi, righe int) ([]Servizio, error) {
	return raccogliServizi(q.Query(ctx, `SELECT `+colonneServizio+` FROM rete_servizio s JOIN rete_ente e ON e.id = s.ente_id
		WHERE e.ambito_id = $1 AND ($2 = 0 OR s.ente_id = $2) AND ($3 = '' OR s.area = $3)
		  AND ($4 = '%%' OR s.denominazione || ' ' || s.descrizione || ' ' || e.denominazione ILIKE $4)
		ORDER BY s.attivo DESC, e.denominazione, s.denominazione`+database.Pagina(f.Pagina, righe),
		ambitoID, f.EnteID, f.Area, like(f.Testo)))
}

// disponibili are the services a case manager may propose on day oggi to a
// household of comune comuneID (0: any comune of the ambito): active, of an
// active ente of the ambito, valid on the day, covering the comune (the
// service's comuni, or if it lists none the ente's).
func disponibili(ctx context.Context, q database.Querier, ambitoID, comuneID int64, oggi time.Time, area, testo string) ([]Servizio, error) {
	return raccogliServizi(q.Query(ctx, `SELECT `+colonneServizio+` FROM rete_servizio s JOIN rete_ente e ON e.id = s.ente_id
		WHERE e.ambito_id = $1 AND e.attivo AND s.attivo AND s.valido_dal <= $3 AND (s.valido_al IS NULL OR s.valido_al >= $3)
		  AND ($2 = 0 OR CASE WHEN EXISTS (SELECT 1 FROM rete_servizio_comune sc WHERE sc.servizio_id = s.id)
		        THEN EXISTS (SELECT 1 FROM rete_servizio_comune sc WHERE sc.servizio_id = s.id AND sc.comune_id = $2)
		        ELSE EXISTS (SELECT 1 FROM rete_ente_comune ec WHERE ec.ente_id = e.id AND ec.comune_id = $2) END)
		  AND ($4 = '' OR s.area = $4)
		  AND ($5 = '%%' OR s.denominazione || ' ' || s.descrizione || ' ' || s.destinatari || ' ' || e.denominazione ILIKE $5)
		ORDER BY s.area, s.denominazione, e.denominazione`, ambitoID, comuneID, oggi, area, like(testo)))
}

func scriviComuniServizio(ctx context.Context, tx pgx.Tx, id int64, comuni []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM rete_servizio_comune WHERE servizio_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO rete_servizio_comune (servizio_id, comune_id) SELECT $1, unnest($2::bigint[])`, id, comuni)
	return err
}

// --- protocolli ---

const colonneProtocollo = `p.id, p.ambito_id, p.titolo, p.data_stipula, p.valido_dal, p.valido_al, p.procedura, p.priorita,
	p.giorni_risposta_cm, p.giorni_risposta_persona, p.periodo_rendicontazione, p.motivi_rifiuto, p.documento_nome,
	p.documento_sha256, p.versione,
	COALESCE((SELECT array_agg(pe.ente_id ORDER BY pe.ente_id) FROM rete_protocollo_ente pe WHERE pe.protocollo_id = p.id), '{}'),
	COALESCE((SELECT array_agg(e.denominazione ORDER BY e.denominazione) FROM rete_protocollo_ente pe JOIN rete_ente e ON e.id = pe.ente_id WHERE pe.protocollo_id = p.id), '{}')`

func scanProtocollo(row pgx.Row) (Protocollo, error) {
	var p Protocollo
	err := row.Scan(&p.ID, &p.AmbitoID, &p.Titolo, &p.DataStipula, &p.ValidoDal, &p.ValidoAl, &p.Procedura, &p.Priorita,
		&p.GiorniRispostaCM, &p.GiorniRispostaPersona, &p.PeriodoRendicontazione, &p.MotiviRifiuto, &p.DocumentoNome,
		&p.DocumentoSHA256, &p.Versione, &p.Enti, &p.NomiEnti)
	if errors.Is(err, pgx.ErrNoRows) {
		return Protocollo{}, ErrNotFound
	}
	return p, err
}

func caricaProtocollo(ctx context.Context, q database.Querier, id int64) (Protocollo, error) {
	p, err := scanProtocollo(q.QueryRow(ctx, `SELECT `+colonneProtocollo+` FROM rete_protocollo p WHERE p.id = $1`, id))
	if err != nil {
		return p, err
	}
	rows, _ := q.Query(ctx, `SELECT ps.servizio_id, s.denominazione, e.denominazione, ps.capacita
		FROM rete_protocollo_servizio ps JOIN rete_servizio s ON s.id = ps.servizio_id JOIN rete_ente e ON e.id = s.ente_id
		WHERE ps.protocollo_id = $1 ORDER BY e.denominazione, s.denominazione`, id)
	p.Servizi, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ServizioProtocollo])
	return p, err
}

func elencoProtocolli(ctx context.Context, q database.Querier, ambitoID int64) ([]Protocollo, error) {
	rows, err := q.Query(ctx, `SELECT `+colonneProtocollo+` FROM rete_protocollo p WHERE p.ambito_id = $1
		ORDER BY p.valido_dal DESC, p.titolo`, ambitoID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Protocollo
	for rows.Next() {
		p, err := scanProtocollo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scriviPartiProtocollo(ctx context.Context, tx pgx.Tx, id int64, enti []int64, servizi []ServizioProtocollo) error {
	if _, err := tx.Exec(ctx, `DELETE FROM rete_protocollo_ente WHERE protocollo_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM rete_protocollo_servizio WHERE protocollo_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO rete_protocollo_ente (protocollo_id, ente_id) SELECT $1, unnest($2::bigint[])`, id, enti); err != nil {
		return err
	}
	for _, s := range servizi {
		if _, err := tx.Exec(ctx, `INSERT INTO rete_protocollo_servizio (protocollo_id, servizio_id, capacita) VALUES ($1, $2, $3)`,
			id, s.ServizioID, s.Capacita); err != nil {
			return err
		}
	}
	return nil
}
