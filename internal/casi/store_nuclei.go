package casi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/flusso"
)

// The SQL of the households of the nuclei flow (nuclei.go): the lookups in
// bulk, the COPY of a Batch, the update of a known household.

func domandeNote(ctx context.Context, q database.Querier, idDomanda []string) (map[string]DomandaNota, error) {
	known := map[string]DomandaNota{}
	rows, err := q.Query(ctx, `
		SELECT d.id_domanda, d.id, COALESCE(d.hash_flusso, ''), COALESCE((SELECT c.ambito_id FROM caso c WHERE c.domanda_id = d.id ORDER BY c.created_at DESC LIMIT 1), 0)
		FROM domanda d WHERE d.id_domanda = ANY($1)`, idDomanda)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var e DomandaNota
		if err := rows.Scan(&k, &e.ID, &e.Hash, &e.AmbitoID); err != nil {
			return nil, err
		}
		known[k] = e
	}
	return known, rows.Err()
}

func personeNote(ctx context.Context, q database.Querier, cfs []string) (map[string]uuid.UUID, error) {
	persone := map[string]uuid.UUID{}
	rows, err := q.Query(ctx, `SELECT codice_fiscale, id FROM persona WHERE codice_fiscale = ANY($1)`, cfs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cf string
		var pid uuid.UUID
		if err := rows.Scan(&cf, &pid); err != nil {
			return nil, err
		}
		persone[cf] = pid
	}
	return persone, rows.Err()
}

// domandaPerAggiornare returns the domanda idDomanda and its nucleo, locked
// for update; an unknown one is pgx.ErrNoRows.
func domandaPerAggiornare(ctx context.Context, q database.Querier, idDomanda string) (domandaID, nucleoID uuid.UUID, err error) {
	err = q.QueryRow(ctx, `SELECT id, nucleo_id FROM domanda WHERE id_domanda = $1 FOR UPDATE`, idDomanda).Scan(&domandaID, &nucleoID)
	return domandaID, nucleoID, err
}

// personaDi returns the persona of codice fiscale cf.
func personaDi(ctx context.Context, q database.Querier, cf string) (uuid.UUID, error) {
	var pid uuid.UUID
	err := q.QueryRow(ctx, `SELECT id FROM persona WHERE codice_fiscale = $1`, cf).Scan(&pid)
	return pid, err
}

// updateDomanda writes the flow's data of the domanda.
func updateDomanda(ctx context.Context, q database.Querier, domandaID uuid.UUID, n flusso.Nucleo, hash []byte, impID int64) error {
	_, err := q.Exec(ctx, `UPDATE domanda SET misura = $2, data_domanda = $3, data_pad = $4, data_decorrenza = $5,
			data_trasmissione = $6, stato_erogazione = $7, requisiti_verificati = $8, esiti_controlli = $9, hash_flusso = $10,
			importazione_id = $11, updated_at = now() WHERE id = $1`,
		domandaID, n.Misura, n.DataDomanda, n.DataPAD, n.DataDecorrenza, n.DataTrasmissione, n.StatoErogazione,
		n.RequisitiAnagraficiVerificati, n.EsitiControlli, hash, impID)
	return err
}

// upsertPersona writes member k's master record, inserted or updated, and
// returns it.
func upsertPersona(ctx context.Context, q database.Querier, k flusso.Componente) (uuid.UUID, error) {
	var pid uuid.UUID
	tipo, scad := titolo(k)
	err := q.QueryRow(ctx, `
				INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita, luogo_nascita, cittadinanza,
					titolo_soggiorno_tipo, titolo_soggiorno_scadenza, residenza, domicilio, telefono, email)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
				ON CONFLICT (codice_fiscale) DO UPDATE SET cognome = EXCLUDED.cognome, nome = EXCLUDED.nome, sesso = EXCLUDED.sesso,
					data_nascita = EXCLUDED.data_nascita, luogo_nascita = EXCLUDED.luogo_nascita, cittadinanza = EXCLUDED.cittadinanza,
					titolo_soggiorno_tipo = EXCLUDED.titolo_soggiorno_tipo, titolo_soggiorno_scadenza = EXCLUDED.titolo_soggiorno_scadenza,
					residenza = EXCLUDED.residenza, domicilio = EXCLUDED.domicilio,
					telefono = COALESCE(NULLIF(EXCLUDED.telefono, ''), persona.telefono), email = COALESCE(NULLIF(EXCLUDED.email, ''), persona.email),
					versione = persona.versione + 1, updated_at = now()
				RETURNING id`,
		k.CodiceFiscale, k.Cognome, k.Nome, k.Sesso, k.DataNascita, k.LuogoNascita, k.Cittadinanza, tipo, scad,
		k.Residenza, k.Domicilio, k.Telefono, k.Email).Scan(&pid)
	return pid, err
}

// rigaAttuale reads the current row of persona pid in the nucleo; none
// is pgx.ErrNoRows.
func rigaAttuale(ctx context.Context, q database.Querier, nucleoID, pid uuid.UUID) (rel string, scala, dis, sv, viol bool, cpi *time.Time, err error) {
	err = q.QueryRow(ctx, `SELECT relazione, in_scala_equivalenza, disabilita, svantaggio, vittima_violenza, inviato_cpi_il
				FROM nucleo_componente WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`, nucleoID, pid).
		Scan(&rel, &scala, &dis, &sv, &viol, &cpi)
	return rel, scala, dis, sv, viol, cpi, err
}

// chiudiRigaComponente closes the current row of persona pid on day al.
func chiudiRigaComponente(ctx context.Context, q database.Querier, nucleoID, pid uuid.UUID, al time.Time) error {
	_, err := q.Exec(ctx, `UPDATE nucleo_componente SET al = $3 WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`,
		nucleoID, pid, al)
	return err
}

// insertComponenteFlusso opens a row of member k (persona pid) from dal,
// keeping what the case manager recorded (viol, cpi).
func insertComponenteFlusso(ctx context.Context, q database.Querier, nucleoID, pid uuid.UUID, k flusso.Componente, viol bool, cpi *time.Time, dal time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione, in_scala_equivalenza, disabilita,
				svantaggio, vittima_violenza, inviato_cpi_il, dal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		nucleoID, pid, k.Relazione, k.InScalaEquivalenza, k.Disabilita, k.SvantaggioCertificato, viol, cpi, dal)
	return err
}

// personeAttuali are the persons of the nucleo's current rows.
func personeAttuali(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT persona_id FROM nucleo_componente WHERE nucleo_id = $1 AND al IS NULL`, nucleoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// uscitaComponente closes the current row of persona pid, who left the
// nucleo, on day al (not before the row's start).
func uscitaComponente(ctx context.Context, q database.Querier, nucleoID, pid uuid.UUID, al time.Time) error {
	_, err := q.Exec(ctx, `UPDATE nucleo_componente SET al = GREATEST(dal, $3::date) WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`,
		nucleoID, pid, al)
	return err
}

// casoDellaDomanda is the domanda's case: the open one, else the latest.
func casoDellaDomanda(ctx context.Context, q database.Querier, domandaID uuid.UUID) (uuid.UUID, error) {
	var casoID uuid.UUID
	err := q.QueryRow(ctx, `SELECT id FROM caso WHERE domanda_id = $1 ORDER BY stato = 'chiuso', created_at DESC LIMIT 1`, domandaID).Scan(&casoID)
	return casoID, err
}

// Copy writes the batch inside tx, one COPY per table.
func (b *Batch) Copy(ctx context.Context, tx pgx.Tx) error {
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"persona", []string{"id", "codice_fiscale", "cognome", "nome", "sesso", "data_nascita", "luogo_nascita",
			"cittadinanza", "titolo_soggiorno_tipo", "titolo_soggiorno_scadenza", "residenza", "domicilio", "telefono", "email"}, b.persone},
		{"nucleo", []string{"id", "fonte", "telefono", "email", "indirizzo"}, b.nuclei},
		{"nucleo_componente", []string{"nucleo_id", "persona_id", "relazione", "in_scala_equivalenza", "disabilita",
			"svantaggio", "dal"}, b.componenti},
		{"domanda", []string{"id", "misura", "id_domanda", "nucleo_id", "data_domanda", "data_pad", "data_decorrenza",
			"data_trasmissione", "stato_erogazione", "requisiti_verificati", "esiti_controlli", "altre_prestazioni",
			"hash_flusso", "importazione_id"}, b.domande},
		{"caso", []string{"id", "domanda_id", "nucleo_id", "ambito_id", "comune_id", "case_manager_id", "assegnato_il",
			"stato", "origine", "aperto_il", "t120_scadenza", "t120_stato", "t90_scadenza", "t90_stato", "urgenza"}, b.casiRows},
		{"caso_assegnazione", []string{"caso_id", "case_manager_id", "dal", "motivo"}, b.assegnazioni},
		{"caso_storico", []string{"caso_id", "quando", "evento", "da", "a", "nota"}, b.storico},
	} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("casi: copy %s: %w", t.table, err)
		}
	}
	return nil
}
