package casi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/scadenze"
)

// The SQL of the case: its header, its history, the manual opening, the
// closing and reopening, the members' conditions, the lists, the history
// page, the home's counts and the derived deadline columns. The board's
// queries are in store_bacheca.go, the diary's in store_diario.go, the
// writes of the nuclei flow in store_nuclei.go (docs/adr/0010).

const header = `
	SELECT c.id, c.numero, c.domanda_id, c.nucleo_id, c.ambito_id, c.comune_id, co.denominazione,
	       c.case_manager_id, COALESCE(o.nome || ' ' || o.cognome, ''), c.assegnato_il, c.stato, c.origine, c.aperto_il,
	       d.misura, COALESCE(d.id_domanda, ''), d.data_domanda, d.data_pad, d.data_decorrenza, d.data_trasmissione,
	       d.stato_erogazione,
	       COALESCE(r.cognome || ' ' || r.nome, ''), COALESCE(r.codice_fiscale, ''),
	       c.t120_scadenza, c.t120_stato, c.t90_scadenza, c.t90_stato, c.urgenza, c.prossimo_appuntamento,
	       COALESCE(c.motivo_chiusura, ''), c.chiuso_il, c.versione
	FROM caso c
	JOIN comune co ON co.id = c.comune_id
	JOIN domanda d ON d.id = c.domanda_id
	LEFT JOIN operatore o ON o.id = c.case_manager_id
	LEFT JOIN LATERAL (
		SELECT p.cognome, p.nome, p.codice_fiscale
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', nc.id
		LIMIT 1) r ON true`

// ScanHeader scans a row selected with the columns of Header.
func ScanHeader(row pgx.Row) (Caso, error) {
	var c Caso
	var stato, misura string
	err := row.Scan(&c.ID, &c.Numero, &c.DomandaID, &c.NucleoID, &c.AmbitoID, &c.ComuneID, &c.Comune,
		&c.CaseManagerID, &c.CaseManager, &c.AssegnatoIl, &stato, &c.Origine, &c.ApertoIl,
		&misura, &c.IDDomanda, &c.DataDomanda, &c.DataPAD, &c.DataDecorrenza, &c.DataTrasmissione,
		&c.StatoErogazione, &c.Richiedente, &c.RichiedenteCF,
		&c.T120Scadenza, &c.T120Stato, &c.T90Scadenza, &c.T90Stato, &c.Urgenza, &c.ProssimoAppuntamento,
		&c.MotivoChiusura, &c.ChiusoIl, &c.Versione)
	c.Stato, c.Misura = Stato(stato), Misura(misura)
	return c, err
}

func load(ctx context.Context, q database.Querier, id uuid.UUID, forUpdate bool) (Caso, error) {
	sql := header + ` WHERE c.id = $1`
	if forUpdate {
		sql += ` FOR UPDATE OF c`
	}
	c, err := ScanHeader(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Caso{}, ErrNotFound
	}
	if err != nil {
		return Caso{}, fmt.Errorf("casi: load: %w", err)
	}
	return c, nil
}

// Storico appends an event to the case's history inside tx.
func Storico(ctx context.Context, q database.Querier, casoID uuid.UUID, operatore *uuid.UUID, evento, da, a, nota string) error {
	_, err := q.Exec(ctx, `INSERT INTO caso_storico (caso_id, operatore_id, evento, da, a, nota) VALUES ($1, $2, $3, $4, $5, $6)`,
		casoID, operatore, evento, da, a, nota)
	if err != nil {
		return fmt.Errorf("casi: storico: %w", err)
	}
	return nil
}

// updateScadenze writes the case's derived deadline columns.
func updateScadenze(ctx context.Context, q database.Querier, casoID uuid.UUID, sc scadenze.Scadenze, prossimo *time.Time) error {
	_, err := q.Exec(ctx, `
		UPDATE caso SET t120_scadenza = $2, t120_stato = $3, t90_scadenza = $4, t90_stato = $5, urgenza = $6,
		       prossimo_appuntamento = $7, ricalcola_il = $8
		WHERE id = $1`,
		casoID, sc.T120.Scadenza, string(sc.T120.Stato), sc.T90.Scadenza, string(sc.T90.Stato), sc.Urgenza, prossimo, sc.Ricalcola)
	return err
}

// dateSituazione reads the case's dates into sit and returns its nucleo.
func dateSituazione(ctx context.Context, q database.Querier, casoID uuid.UUID, sit *scadenze.Situazione) (uuid.UUID, error) {
	var nucleoID uuid.UUID
	err := q.QueryRow(ctx, `
		SELECT c.nucleo_id, d.data_domanda, d.data_pad, d.data_trasmissione
		FROM caso c JOIN domanda d ON d.id = c.domanda_id WHERE c.id = $1`, casoID).
		Scan(&nucleoID, &sit.DataDomanda, &sit.DataPAD, &sit.DataTrasmissione)
	return nucleoID, err
}

// membriSituazione are the current members of the nucleo, as the deadlines
// see them.
func membriSituazione(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]scadenze.Membro, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.data_nascita, nc.disabilita, nc.vittima_violenza, nc.inviato_cpi_il
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL ORDER BY nc.id`, nucleoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (scadenze.Membro, error) {
		var m scadenze.Membro
		var id uuid.UUID
		err := r.Scan(&id, &m.DataNascita, &m.Disabilita, &m.VittimaViolenza, &m.InviatoCPI)
		m.PersonaID = id.String()
		return m, err
	})
}

// situazioniLotto reads the dates and current members of the cases ids
// into one Situazione each (at now), and the derived columns they hold with
// the row's version (prima: xmin), with two queries. A case not found is
// not in the maps.
func situazioniLotto(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (map[uuid.UUID]*scadenze.Situazione, map[uuid.UUID]derivate, error) {
	sit := make(map[uuid.UUID]*scadenze.Situazione, len(ids))
	prima := make(map[uuid.UUID]derivate, len(ids))
	rows, err := q.Query(ctx, `
		SELECT c.id, c.xmin::text::bigint, d.data_domanda, d.data_pad, d.data_trasmissione,
		       c.t120_scadenza, c.t120_stato, c.t90_scadenza, c.t90_stato, c.urgenza, c.prossimo_appuntamento, c.ricalcola_il
		FROM caso c JOIN domanda d ON d.id = c.domanda_id
		WHERE c.id = ANY($1)`, ids)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		s := &scadenze.Situazione{Oggi: now}
		var d derivate
		if err := rows.Scan(&d.id, &d.versione, &s.DataDomanda, &s.DataPAD, &s.DataTrasmissione,
			&d.t120, &d.t120Stato, &d.t90, &d.t90Stato, &d.urgenza, &d.prossimo, &d.ricalcola); err != nil {
			rows.Close()
			return nil, nil, err
		}
		sit[d.id], prima[d.id] = s, d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = q.Query(ctx, `
		SELECT c.id, p.id, p.data_nascita, nc.disabilita, nc.vittima_violenza, nc.inviato_cpi_il
		FROM caso c
		JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		JOIN persona p ON p.id = nc.persona_id
		WHERE c.id = ANY($1) ORDER BY c.id, nc.id`, ids)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var casoID, pid uuid.UUID
		var m scadenze.Membro
		if err := rows.Scan(&casoID, &pid, &m.DataNascita, &m.Disabilita, &m.VittimaViolenza, &m.InviatoCPI); err != nil {
			return nil, nil, err
		}
		m.PersonaID = pid.String()
		if s := sit[casoID]; s != nil {
			s.Membri = append(s.Membri, m)
		}
	}
	return sit, prima, rows.Err()
}

// updateScadenzeLotto writes the derived columns of the cases ds with one
// statement (no row written when ds is empty, nor a row whose values are
// already these), each only if the row is still the version read (xmin
// = d.versione; 0: any): a row written meanwhile, by a write that
// recomputed its deadlines, is left as that write left it.
func updateScadenzeLotto(ctx context.Context, q database.Querier, ds []derivate) error {
	if len(ds) == 0 {
		return nil
	}
	ids, versioni := make([]uuid.UUID, len(ds)), make([]int64, len(ds))
	t120, t90, urgenza, ricalcola, prossimo := make([]*time.Time, len(ds)), make([]*time.Time, len(ds)),
		make([]*time.Time, len(ds)), make([]*time.Time, len(ds)), make([]*time.Time, len(ds))
	t120Stato, t90Stato := make([]string, len(ds)), make([]string, len(ds))
	for i, d := range ds {
		ids[i], versioni[i], t120[i], t120Stato[i], t90[i], t90Stato[i] = d.id, d.versione, d.t120, d.t120Stato, d.t90, d.t90Stato
		urgenza[i], prossimo[i], ricalcola[i] = d.urgenza, d.prossimo, d.ricalcola
	}
	_, err := q.Exec(ctx, `
		UPDATE caso c SET t120_scadenza = u.t120_scadenza, t120_stato = u.t120_stato, t90_scadenza = u.t90_scadenza,
		       t90_stato = u.t90_stato, urgenza = u.urgenza, prossimo_appuntamento = u.prossimo_appuntamento,
		       ricalcola_il = u.ricalcola_il
		FROM unnest($1::uuid[], $2::date[], $3::text[], $4::date[], $5::text[], $6::date[], $7::timestamptz[], $8::date[], $9::bigint[])
		     AS u(id, t120_scadenza, t120_stato, t90_scadenza, t90_stato, urgenza, prossimo_appuntamento, ricalcola_il, versione)
		WHERE c.id = u.id AND (u.versione = 0 OR c.xmin::text::bigint = u.versione)
		  AND (c.t120_scadenza, c.t120_stato, c.t90_scadenza, c.t90_stato, c.urgenza, c.prossimo_appuntamento, c.ricalcola_il)
		      IS DISTINCT FROM
		      (u.t120_scadenza, u.t120_stato, u.t90_scadenza, u.t90_stato, u.urgenza, u.prossimo_appuntamento, u.ricalcola_il)`,
		ids, t120, t120Stato, t90, t90Stato, urgenza, prossimo, ricalcola, versioni)
	return err
}

// casiDaAggiornare are the open cases whose timer state may have changed
// with the passing of days alone.
func casiDaAggiornare(ctx context.Context, q database.Querier, oggi, now time.Time) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `
		SELECT id FROM caso
		WHERE stato <> 'chiuso'
		  AND (urgenza <= $1::date + $2::int
		       OR t120_stato IN ('in_corso', 'in_scadenza', 'sospeso') AND t120_scadenza <= $1::date + $2::int
		       OR t90_stato IN ('in_corso', 'in_scadenza') AND t90_scadenza <= $1::date + $2::int
		       OR t90_stato = 'sospeso'
		       OR prossimo_appuntamento < $3
		       OR ricalcola_il <= $1)`,
		oggi, scadenze.SogliaInScadenza+1, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// Manual opening (apertura.go).

// comuniApertura are the comuni of ambito ambitoID (only comuneID, when not
// nil).
func comuniApertura(ctx context.Context, q database.Querier, ambitoID int64, comuneID *int64) ([]ComuneApertura, error) {
	rows, err := q.Query(ctx, `SELECT id, denominazione, codice_istat, ambito_id FROM comune
		WHERE ambito_id = $1 AND ($2::bigint IS NULL OR id = $2) ORDER BY denominazione`, ambitoID, comuneID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ComuneApertura, error) {
		var c ComuneApertura
		err := r.Scan(&c.ID, &c.Nome, &c.Istat, &c.AmbitoID)
		return c, err
	})
}

// domandaEsiste reports whether the INPS domanda idDomanda is known.
// domandaEsiste tells whether the domanda is already in the cartella, and
// whether one of its cases is of ambito amb (what the opener may be told).
func domandaEsiste(ctx context.Context, q database.Querier, idDomanda string, amb int64) (esiste, nellAmbito bool, err error) {
	err = q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM domanda WHERE id_domanda = $1),
			EXISTS (SELECT 1 FROM domanda d JOIN caso c ON c.domanda_id = d.id WHERE d.id_domanda = $1 AND c.ambito_id = $2)`,
		idDomanda, amb).Scan(&esiste, &nellAmbito)
	return esiste, nellAmbito, err
}

// insertNucleoDichiarato inserts a nucleo declared at the desk.
func insertNucleoDichiarato(ctx context.Context, q database.Querier, c flusso.Contatti) (uuid.UUID, error) {
	var nucleoID uuid.UUID
	err := q.QueryRow(ctx, `INSERT INTO nucleo (fonte, telefono, email, indirizzo) VALUES ('dichiarato', $1, $2, $3) RETURNING id`,
		c.Telefono, c.Email, c.Indirizzo).Scan(&nucleoID)
	return nucleoID, err
}

// insertComponenteApertura adds member k (persona pid) to the nucleo from dal.
func insertComponenteApertura(ctx context.Context, q database.Querier, nucleoID, pid uuid.UUID, k flusso.Componente, vittimaViolenza bool, dal time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione, in_scala_equivalenza, disabilita,
				svantaggio, vittima_violenza, dal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		nucleoID, pid, k.Relazione, k.InScalaEquivalenza, k.Disabilita, k.SvantaggioCertificato,
		vittimaViolenza, dal)
	return err
}

// insertDomandaApertura inserts the domanda of a manual opening; a
// duplicate id_domanda is the unique violation (23505).
func insertDomandaApertura(ctx context.Context, q database.Querier, nu flusso.Nucleo, idDomanda *string, nucleoID uuid.UUID,
	dataDomanda *time.Time, statoErogazione string) (uuid.UUID, error) {
	var domandaID uuid.UUID
	err := q.QueryRow(ctx, `INSERT INTO domanda (misura, id_domanda, nucleo_id, data_domanda, data_pad, data_decorrenza, stato_erogazione)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		nu.Misura, idDomanda, nucleoID, dataDomanda, nu.DataPAD, nu.DataDecorrenza, statoErogazione).Scan(&domandaID)
	return domandaID, err
}

// insertCasoManuale inserts a case opened by hand (assigned to cm when not
// nil) and returns its id and number.
func insertCasoManuale(ctx context.Context, q database.Querier, domandaID, nucleoID uuid.UUID, ambitoID, comuneID int64,
	cm *uuid.UUID, stato Stato, oggi time.Time) (id uuid.UUID, numero int64, err error) {
	err = q.QueryRow(ctx, `INSERT INTO caso (domanda_id, nucleo_id, ambito_id, comune_id, case_manager_id, assegnato_il, stato, origine, aperto_il)
			VALUES ($1, $2, $3, $4, $5, CASE WHEN $5::uuid IS NULL THEN NULL ELSE now() END, $6, 'manuale', $7) RETURNING id, numero`,
		domandaID, nucleoID, ambitoID, comuneID, cm, string(stato), oggi).Scan(&id, &numero)
	return id, numero, err
}

// insertAssegnazioneManuale opens the period of case manager op, who opened
// the case.
func insertAssegnazioneManuale(ctx context.Context, q database.Querier, casoID, op uuid.UUID) error {
	_, err := q.Exec(ctx, `INSERT INTO caso_assegnazione (caso_id, case_manager_id, assegnato_da, motivo) VALUES ($1, $2, $2, 'apertura manuale')`,
		casoID, op)
	return err
}

// personaApertura returns the master record of k's codice fiscale, creating
// it when new. An existing record is not changed; diverso reports that its
// surname or name differ from what was typed.
// personaApertura returns the person of k's codice fiscale, inserting it
// when new. diverso: the person is already registered with another surname
// or name; visibile: the person is a member of a household with a case of
// ambito amb (so the opener may be told what differs).
func personaApertura(ctx context.Context, tx database.Querier, k flusso.Componente, amb int64) (id uuid.UUID, diverso, visibile bool, err error) {
	var cognome, nome string
	err = tx.QueryRow(ctx, `SELECT p.id, p.cognome, p.nome, EXISTS (SELECT 1 FROM nucleo_componente nc JOIN caso c ON c.nucleo_id = nc.nucleo_id
			WHERE nc.persona_id = p.id AND c.ambito_id = $2)
		FROM persona p WHERE p.codice_fiscale = $1`, k.CodiceFiscale, amb).Scan(&id, &cognome, &nome, &visibile)
	if err == nil {
		return id, !strings.EqualFold(cognome, k.Cognome) || !strings.EqualFold(nome, k.Nome), visibile, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return id, false, false, err
	}
	tipo, scad := titolo(k)
	err = tx.QueryRow(ctx, `INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita, luogo_nascita, cittadinanza,
			titolo_soggiorno_tipo, titolo_soggiorno_scadenza)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (codice_fiscale) DO NOTHING RETURNING id`,
		k.CodiceFiscale, k.Cognome, k.Nome, k.Sesso, k.DataNascita, k.LuogoNascita, k.Cittadinanza, tipo, scad).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) { // inserted meanwhile by someone else
		return personaApertura(ctx, tx, k, amb)
	}
	return id, false, false, err
}

// Closing and reopening (chiusura.go).

// chiudiCaso closes the case, keeping the state it was in.
func chiudiCaso(ctx context.Context, q database.Querier, id uuid.UUID, motivo string, data time.Time) error {
	_, err := q.Exec(ctx, `UPDATE caso SET stato = 'chiuso', stato_prima_chiusura = stato, motivo_chiusura = $2, chiuso_il = $3,
			versione = versione + 1, updated_at = now() WHERE id = $1`, id, motivo, data)
	return err
}

// riapriCaso reopens the case in the state it was closed in, and returns
// it; another open case of the same domanda is the unique violation (23505).
func riapriCaso(ctx context.Context, q database.Querier, id uuid.UUID) (string, error) {
	var prima string
	err := q.QueryRow(ctx, `UPDATE caso SET stato = COALESCE(stato_prima_chiusura, CASE WHEN case_manager_id IS NULL THEN 'ricevuto' ELSE 'assegnato' END),
			stato_prima_chiusura = NULL, motivo_chiusura = NULL, chiuso_il = NULL, versione = versione + 1, updated_at = now()
			WHERE id = $1 RETURNING stato`, id).Scan(&prima)
	return prima, err
}

// Members' conditions (componente.go).

func membro(ctx context.Context, q database.Querier, nucleoID, personaID uuid.UUID, forUpdate bool) (Componente, error) {
	sql := colonneComponente + ` WHERE nc.nucleo_id = $1 AND nc.persona_id = $2 AND nc.al IS NULL`
	if forUpdate {
		sql += ` FOR UPDATE OF nc`
	}
	m, err := scanComponente(q.QueryRow(ctx, sql, nucleoID, personaID))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("casi: componente: %w", err)
	}
	return m, nil
}

// updateCondizioni records the member's conditions on their current row.
func updateCondizioni(ctx context.Context, q database.Querier, nucleoID, personaID uuid.UUID, vittimaViolenza bool, cpi *time.Time) error {
	_, err := q.Exec(ctx, `UPDATE nucleo_componente SET vittima_violenza = $3, inviato_cpi_il = $4
			WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`, nucleoID, personaID, vittimaViolenza, cpi)
	return err
}

// nuovaVersione bumps the case's versione.
func nuovaVersione(ctx context.Context, q database.Querier, id uuid.UUID) error {
	_, err := q.Exec(ctx, `UPDATE caso SET versione = versione + 1, updated_at = now() WHERE id = $1`, id)
	return err
}

// The lists (elenco.go).

// elencoCaseManager is a page (DimensionePagina+1 rows) of the cases of
// case manager op in comune comuneID matching f. A cursor that does not
// parse is ErrNotFound.
func elencoCaseManager(ctx context.Context, q database.Querier, op uuid.UUID, comuneID int64, f FiltroElenco) ([]Caso, error) {
	args := []any{op, comuneID}
	where := []string{"c.case_manager_id = $1", "c.comune_id = $2"}
	if f.Chiusi {
		where = append(where, "c.stato = 'chiuso'")
	} else {
		where = append(where, "c.stato <> 'chiuso'")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if n, ok := NumeroDaTesto(q); ok {
			args = append(args, n)
			where = append(where, fmt.Sprintf("c.numero = $%d", len(args)))
		} else {
			cf := codicefiscale.Normalize(q)
			args = append(args, cf, "%"+strings.ToLower(q)+"%")
			where = append(where, fmt.Sprintf(`EXISTS (SELECT 1 FROM nucleo_componente nc JOIN persona pe ON pe.id = nc.persona_id
			WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			  AND (pe.codice_fiscale = $%d OR lower(pe.cognome || ' ' || pe.nome) LIKE $%d OR lower(pe.nome || ' ' || pe.cognome) LIKE $%d))`,
				len(args)-1, len(args), len(args)))
		}
	}
	if f.Dopo != "" {
		cond, a, ok := dopoSQL(f.Dopo, args)
		if !ok {
			return nil, ErrNotFound
		}
		where, args = append(where, cond), a
	}
	sql := header + " WHERE " + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY c.urgenza ASC NULLS LAST, c.numero LIMIT %d", DimensionePagina+1)
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Caso, error) { return ScanHeader(r) })
}

// dopoSQL is the keyset condition for the rows after cursor s in the order
// (urgenza ASC NULLS LAST, numero), appending its arguments.
func dopoSQL(s string, args []any) (string, []any, bool) {
	cur, ok := parseCursore(s)
	if !ok {
		return "", args, false
	}
	if cur.urgenza != nil {
		args = append(args, *cur.urgenza, cur.numero)
		return fmt.Sprintf("(c.urgenza > $%d OR (c.urgenza = $%d AND c.numero > $%d) OR c.urgenza IS NULL)",
			len(args)-1, len(args)-1, len(args)), args, true
	}
	args = append(args, cur.numero)
	return fmt.Sprintf("(c.urgenza IS NULL AND c.numero > $%d)", len(args)), args, true
}

// componentiCorrenti are the nucleo's current members, the applicant first,
// then by birth date.
func componentiCorrenti(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Componente, error) {
	rows, err := q.Query(ctx, colonneComponente+` WHERE nc.nucleo_id = $1 AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', p.data_nascita, nc.id`, nucleoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) { return scanComponente(r) })
}

// colonneComponente selects the members of a nucleo, as scanComponente
// reads them.
const colonneComponente = `
	SELECT p.id, p.codice_fiscale, p.cognome, p.nome, p.sesso, p.data_nascita, nc.relazione, nc.in_scala_equivalenza,
	       nc.disabilita, nc.svantaggio, nc.vittima_violenza, nc.inviato_cpi_il, nc.dal, nc.al, nc.id
	FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id`

func scanComponente(r pgx.Row) (Componente, error) {
	var m Componente
	err := r.Scan(&m.PersonaID, &m.CodiceFiscale, &m.Cognome, &m.Nome, &m.Sesso, &m.DataNascita, &m.Relazione,
		&m.InScala, &m.Disabilita, &m.Svantaggio, &m.VittimaViolenza, &m.InviatoCPI, &m.Dal, &m.Al, &m.riga)
	return m, err
}

// accodaComponentiEStorico queues on b the nucleo's members, current ones
// first, and their earlier rows, into membri (then calls poi); and the
// case's latest 100 events, as its page shows them, into storico.
func accodaComponentiEStorico(b *pgx.Batch, nucleoID, casoID uuid.UUID, membri *[]Componente, storico *[]EventoStorico, poi func()) {
	b.Queue(colonneComponente+` WHERE nc.nucleo_id = $1
		ORDER BY nc.al IS NOT NULL, nc.relazione <> 'richiedente', p.data_nascita, nc.id`, nucleoID).
		Query(func(rows pgx.Rows) error {
			var err error
			*membri, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) { return scanComponente(r) })
			if err != nil {
				return fmt.Errorf("membri: %w", err)
			}
			poi()
			return nil
		})
	b.Queue(`
		SELECT s.quando, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), s.evento, s.da, s.a, s.nota
		FROM caso_storico s LEFT JOIN operatore o ON o.id = s.operatore_id
		WHERE s.caso_id = $1 ORDER BY s.id DESC LIMIT 100`, casoID).
		Query(func(rows pgx.Rows) error {
			var err error
			*storico, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
				var e EventoStorico
				err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
				return e, err
			})
			if err != nil {
				return fmt.Errorf("storico: %w", err)
			}
			return nil
		})
}

// The history page (storico.go).

// eventiStorico are the case's latest limit events, newest first.
func eventiStorico(ctx context.Context, q database.Querier, casoID uuid.UUID, limit int) ([]EventoStorico, error) {
	rows, err := q.Query(ctx, `
		SELECT s.quando, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), s.evento, s.da, s.a, s.nota
		FROM caso_storico s LEFT JOIN operatore o ON o.id = s.operatore_id
		WHERE s.caso_id = $1 ORDER BY s.id DESC LIMIT $2`, casoID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
		var e EventoStorico
		err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
		return e, err
	})
}

// periodiStorico are the case's periods with each case manager, latest
// first.
func periodiStorico(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]PeriodoAssegnazione, error) {
	rows, err := q.Query(ctx, `
		SELECT o.nome || ' ' || o.cognome, COALESCE(d.nome || ' ' || d.cognome, 'Sistema'), a.motivo, a.dal, a.al
		FROM caso_assegnazione a JOIN operatore o ON o.id = a.case_manager_id LEFT JOIN operatore d ON d.id = a.assegnato_da
		WHERE a.caso_id = $1 ORDER BY a.dal DESC, a.id DESC`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PeriodoAssegnazione, error) {
		var x PeriodoAssegnazione
		err := r.Scan(&x.CaseManager, &x.AssegnatoDa, &x.Motivo, &x.Dal, &x.Al)
		return x, err
	})
}

// The home's counts (riepilogo.go).

// riepilogoCaseManager counts the open cases of case manager op in comune
// comuneID; Oggi counts the appointments of the day starting at inizio.
func riepilogoCaseManager(ctx context.Context, q database.Querier, op uuid.UUID, comuneID int64, inizio time.Time) (Riepilogo, error) {
	return riepilogo(ctx, q, "c.case_manager_id = $1 AND c.comune_id = $2", []any{op, comuneID}, inizio)
}

// riepilogoAmbito counts the open cases of scope a.
func riepilogoAmbito(ctx context.Context, q database.Querier, a Ambito, inizio time.Time) (Riepilogo, error) {
	where, args := a.where(nil)
	return riepilogo(ctx, q, where, args, inizio)
}

func riepilogo(ctx context.Context, q database.Querier, where string, args []any, inizio time.Time) (Riepilogo, error) {
	var r Riepilogo
	args = append(args, inizio, inizio.AddDate(0, 0, 1))
	n := len(args)
	err := q.QueryRow(ctx, fmt.Sprintf(`
		SELECT count(*),
		       count(*) FILTER (WHERE c.case_manager_id IS NULL),
		       count(*) FILTER (WHERE c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto'),
		       count(*) FILTER (WHERE c.t120_stato = 'scaduto'),
		       count(*) FILTER (WHERE c.t120_stato = 'in_scadenza' OR c.t90_stato = 'in_scadenza'),
		       count(*) FILTER (WHERE c.prossimo_appuntamento >= $%d AND c.prossimo_appuntamento < $%d)
		FROM caso c WHERE %s AND c.stato <> 'chiuso'`, n-1, n, where), args...).
		Scan(&r.Aperti, &r.DaAssegnare, &r.Scaduti, &r.T120Scaduti, &r.InScadenza, &r.Oggi)
	return r, err
}

// portaInStato sets the workflow state of case id.
func portaInStato(ctx context.Context, q database.Querier, id uuid.UUID, stato Stato) error {
	tag, err := q.Exec(ctx, `UPDATE caso SET stato = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, id, string(stato))
	if err != nil {
		return fmt.Errorf("casi: porta in stato %s: %w", stato, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// casoPerCodiceFiscale is the open ADI case in a comune of the nucleo a
// person belongs to now (CasoPerCodiceFiscale).
func casoPerCodiceFiscale(ctx context.Context, q database.Querier, cf string, comuneID int64) (Caso, error) {
	return ScanHeader(q.QueryRow(ctx, header+`
		WHERE c.comune_id = $2 AND c.stato <> 'chiuso' AND d.misura = 'ADI'
		  AND c.nucleo_id IN (SELECT nc.nucleo_id FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		                      WHERE p.codice_fiscale = $1 AND nc.al IS NULL)
		ORDER BY c.aperto_il DESC, c.numero DESC LIMIT 1`, cf, comuneID))
}

// contaComune counts a comune's open ADI cases with a term overdue and in
// scadenza.
func contaComune(ctx context.Context, q database.Querier, comuneID int64) (scaduti, inScadenza int, err error) {
	err = q.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto'),
		       count(*) FILTER (WHERE (c.t120_stato = 'in_scadenza' OR c.t90_stato = 'in_scadenza')
		                          AND NOT (c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto'))
		FROM caso c JOIN domanda d ON d.id = c.domanda_id
		WHERE c.comune_id = $1 AND c.stato <> 'chiuso' AND d.misura = 'ADI'`, comuneID).Scan(&scaduti, &inScadenza)
	return scaduti, inScadenza, err
}

// inScadenzaComune is InScadenzaComune's query.
func inScadenzaComune(ctx context.Context, q database.Querier, comuneID int64, limit int) ([]Caso, error) {
	rows, err := q.Query(ctx, header+`
		WHERE c.comune_id = $1 AND c.stato <> 'chiuso' AND d.misura = 'ADI'
		  AND (c.t120_stato IN ('in_scadenza', 'scaduto') OR c.t90_stato IN ('in_scadenza', 'scaduto'))
		ORDER BY c.urgenza NULLS LAST, c.numero LIMIT $2`, comuneID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Caso, error) { return ScanHeader(r) })
}

// casoApertoPerDomanda is the open case of a domanda (CasoApertoPerDomanda).
func casoApertoPerDomanda(ctx context.Context, q database.Querier, idDomanda string) (Caso, error) {
	return ScanHeader(q.QueryRow(ctx, header+` WHERE d.id_domanda = $1 AND c.stato <> 'chiuso'`, idDomanda))
}
