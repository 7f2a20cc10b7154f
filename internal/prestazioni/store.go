package prestazioni

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// colonne are a prestazione's columns as scanPrestazione reads them; the
// amounts as text, the canonical decimals of Dati.
const colonne = `
	SELECT p.id, p.caso_id, p.persona_id, pe.cognome || ' ' || pe.nome, p.codice, p.denominazione, p.carattere, p.prova_mezzi,
	       p.dsu_protocollo, p.dsu_anno, p.dsu_data, p.protocollo_domanda, p.data_evento, p.data_inizio, p.data_fine, p.data_erogazione,
	       COALESCE(p.importo::text, ''), COALESCE(p.periodo_erogazione, 0), COALESCE(p.importo_mensile::text, ''),
	       COALESCE(p.quota_ente::text, ''), COALESCE(p.quota_utente::text, ''), COALESCE(p.quota_ssn::text, ''),
	       COALESCE(p.quota_richiesta::text, ''), COALESCE(p.soglia_isee::text, ''), COALESCE(p.ore_mensili::text, ''),
	       p.presa_carico, p.area_utenza,
	       p.sina_mobilita, p.sina_avq, p.sina_cognitivi, p.sina_comportamentali, p.sina_cure, p.sina_reddituale, p.sina_supporto,
	       p.sina_fonte, p.sina_strumento, p.sina_fonte_invalidita, p.sina_invalidita, p.sina_interventi,
	       p.versione, o.nome || ' ' || o.cognome, p.registrato_il, p.aggiornato_il, p.cancellata_il, COALESCE(p.sostegno_id, '')
	FROM prestazione p JOIN persona pe ON pe.id = p.persona_id JOIN operatore o ON o.id = p.registrato_da`

func scanPrestazione(r pgx.Row) (Prestazione, error) {
	var (
		p Prestazione
		s SINA
	)
	d := &p.Dati
	err := r.Scan(&p.ID, &p.CasoID, &d.PersonaID, &p.Beneficiario, &d.Codice, &d.Denominazione, &d.Carattere, &d.ProvaMezzi,
		&d.DSUProtocollo, &d.DSUAnno, &d.DSUData, &d.ProtocolloDomanda, &d.DataEvento, &d.DataInizio, &d.DataFine, &d.DataErogazione,
		&d.Importo, &d.Periodo, &d.ImportoMensile, &d.QuotaEnte, &d.QuotaUtente, &d.QuotaSSN, &d.QuotaRichiesta, &d.SogliaISEE,
		&d.OreMensili, &d.PresaCarico, &d.AreaUtenza,
		&s.Mobilita, &s.AttivitaVita, &s.Cognitivi, &s.Comportamentali, &s.Cure, &s.Reddituale, &s.Supporto,
		&s.Fonte, &s.Strumento, &s.FonteInvalidita, &s.Invalidita, &s.Interventi,
		&p.Versione, &p.RegistratoDa, &p.RegistratoIl, &p.AggiornatoIl, &p.CancellataIl, &d.SostegnoID)
	if s.Mobilita != "" {
		d.SINA = &s
	}
	return p, err
}

// prestazioniDelCaso are the case's prestazioni, the latest first, with
// their flows.
func prestazioniDelCaso(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Prestazione, error) {
	var ps []Prestazione
	b := &pgx.Batch{}
	accodaPrestazioniDelCaso(b, casoID, &ps)
	return ps, q.SendBatch(ctx, b).Close()
}

// accodaPrestazioniDelCaso queues on b the case's prestazioni, newest
// first, each with its flows, into ps: two statements.
func accodaPrestazioniDelCaso(b *pgx.Batch, casoID uuid.UUID, ps *[]Prestazione) {
	b.Queue(colonne+` WHERE p.caso_id = $1 ORDER BY p.registrato_il DESC, p.id`, casoID).Query(func(rows pgx.Rows) error {
		var err error
		*ps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Prestazione, error) { return scanPrestazione(r) })
		return err
	})
	accodaFlussiDelCaso(b, casoID, func(fl map[uuid.UUID][]Flusso) {
		for i := range *ps {
			(*ps)[i].Flussi = fl[(*ps)[i].ID]
		}
	})
}

// prestazione returns prestazione id of case casoID (locked when
// forUpdate), with its flows; pgx.ErrNoRows when there is none.
func prestazione(ctx context.Context, q database.Querier, casoID, id uuid.UUID, forUpdate bool) (Prestazione, error) {
	sql := colonne + ` WHERE p.caso_id = $1 AND p.id = $2`
	if forUpdate {
		sql += ` FOR UPDATE OF p`
	}
	p, err := scanPrestazione(q.QueryRow(ctx, sql, casoID, id))
	if err != nil {
		return p, err
	}
	fl, err := flussiDelCaso(ctx, q, casoID)
	p.Flussi = fl[p.ID]
	return p, err
}

func flussiDelCaso(ctx context.Context, q database.Querier, casoID uuid.UUID) (map[uuid.UUID][]Flusso, error) {
	var out map[uuid.UUID][]Flusso
	b := &pgx.Batch{}
	accodaFlussiDelCaso(b, casoID, func(fl map[uuid.UUID][]Flusso) { out = fl })
	return out, q.SendBatch(ctx, b).Close()
}

// accodaFlussiDelCaso queues on b the flows of the case's prestazioni, by
// prestazione in the order sent, handed to poi.
func accodaFlussiDelCaso(b *pgx.Batch, casoID uuid.UUID, poi func(map[uuid.UUID][]Flusso)) {
	b.Queue(`SELECT prestazione_id, id, id_flusso, tipo_operazione, ts_flusso, stato,
		COALESCE(codice_esito, ''), descrizione_esito, id_acquisizione_siuss
		FROM prestazione_flusso WHERE caso_id = $1 ORDER BY ts_flusso`, casoID).Query(func(rows pgx.Rows) error {
		out := map[uuid.UUID][]Flusso{}
		for rows.Next() {
			var (
				pid uuid.UUID
				f   Flusso
			)
			if err := rows.Scan(&pid, &f.ID, &f.IDFlusso, &f.TipoOperazione, &f.TS, &f.Stato, &f.CodiceEsito, &f.DescrizioneEsito, &f.IDAcquisizione); err != nil {
				return err
			}
			out[pid] = append(out[pid], f)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		poi(out)
		return nil
	})
}

// argomenti are d's columns in the order of insertPrestazione and
// updatePrestazione ($1…$36).
func argomenti(d Dati) []any {
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	var periodo *int
	if d.Periodo > 0 {
		periodo = &d.Periodo
	}
	s := d.SINA
	if s == nil {
		s = &SINA{}
	}
	inv, itv := s.Invalidita, s.Interventi
	if inv == nil {
		inv = []string{}
	}
	if itv == nil {
		itv = []string{}
	}
	return []any{d.PersonaID, d.Codice, d.Denominazione, d.Carattere, d.ProvaMezzi, d.DSUProtocollo, d.DSUAnno, d.DSUData,
		d.ProtocolloDomanda, d.DataEvento, d.DataInizio, d.DataFine, d.DataErogazione,
		null(d.Importo), periodo, null(d.ImportoMensile), null(d.QuotaEnte), null(d.QuotaUtente), null(d.QuotaSSN),
		null(d.QuotaRichiesta), null(d.SogliaISEE), null(d.OreMensili), d.PresaCarico, d.AreaUtenza,
		s.Mobilita, s.AttivitaVita, s.Cognitivi, s.Comportamentali, s.Cure, s.Reddituale, s.Supporto, s.Fonte, s.Strumento,
		s.FonteInvalidita, inv, itv}
}

const campiScritti = `persona_id, codice, denominazione, carattere, prova_mezzi, dsu_protocollo, dsu_anno, dsu_data,
	protocollo_domanda, data_evento, data_inizio, data_fine, data_erogazione,
	importo, periodo_erogazione, importo_mensile, quota_ente, quota_utente, quota_ssn,
	quota_richiesta, soglia_isee, ore_mensili, presa_carico, area_utenza,
	sina_mobilita, sina_avq, sina_cognitivi, sina_comportamentali, sina_cure, sina_reddituale, sina_supporto, sina_fonte, sina_strumento,
	sina_fonte_invalidita, sina_invalidita, sina_interventi`

func insertPrestazione(ctx context.Context, q database.Querier, casoID uuid.UUID, d Dati, operatore uuid.UUID, quando time.Time) (uuid.UUID, error) {
	var id uuid.UUID
	args := append(argomenti(d), casoID, operatore, quando)
	err := q.QueryRow(ctx, `INSERT INTO prestazione (`+campiScritti+`, caso_id, registrato_da, registrato_il, aggiornato_il)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::numeric, $15, $16::numeric, $17::numeric, $18::numeric,
		        $19::numeric, $20::numeric, $21::numeric, $22::numeric, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36,
		        $37, $38, $39, $39)
		RETURNING id`, args...).Scan(&id)
	return id, err
}

// updatePrestazione rewrites prestazione id if its versione is still
// versione; false when it is not (someone changed it).
func updatePrestazione(ctx context.Context, q database.Querier, id uuid.UUID, versione int, d Dati, operatore uuid.UUID, quando time.Time) (bool, error) {
	args := append(argomenti(d), id, versione, operatore, quando)
	tag, err := q.Exec(ctx, `UPDATE prestazione SET (`+campiScritti+`, versione, aggiornato_da, aggiornato_il) =
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::numeric, $15, $16::numeric, $17::numeric, $18::numeric,
		 $19::numeric, $20::numeric, $21::numeric, $22::numeric, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36,
		 versione + 1, $39, $40)
		WHERE id = $37 AND versione = $38 AND cancellata_il IS NULL`, args...)
	return tag.RowsAffected() == 1, err
}

// collegaSostegno sets the sostegno prestazione id is ("" for none). A
// sostegno already linked to another live prestazione of the case breaks
// prestazione_sostegno_idx (migration 000028).
func collegaSostegno(ctx context.Context, q database.Querier, id uuid.UUID, sostegnoID string) error {
	var sid *string
	if sostegnoID != "" {
		sid = &sostegnoID
	}
	_, err := q.Exec(ctx, `UPDATE prestazione SET sostegno_id = $2 WHERE id = $1`, id, sid)
	return err
}

// sostegniCollegati are the sostegni of case casoID linked to a live
// prestazione, with it.
func sostegniCollegati(ctx context.Context, q database.Querier, casoID uuid.UUID) (map[string]uuid.UUID, error) {
	rows, err := q.Query(ctx, `SELECT sostegno_id, id FROM prestazione
		WHERE caso_id = $1 AND sostegno_id IS NOT NULL AND cancellata_il IS NULL`, casoID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]uuid.UUID{}
	for rows.Next() {
		var (
			sid string
			id  uuid.UUID
		)
		if err := rows.Scan(&sid, &id); err != nil {
			return nil, err
		}
		out[sid] = id
	}
	return out, rows.Err()
}

func cancelPrestazione(ctx context.Context, q database.Querier, id uuid.UUID, versione int, operatore uuid.UUID, quando time.Time) (bool, error) {
	tag, err := q.Exec(ctx, `UPDATE prestazione SET cancellata_il = $3, cancellata_da = $4, versione = versione + 1, aggiornato_il = $3
		WHERE id = $1 AND versione = $2 AND cancellata_il IS NULL`, id, versione, quando, operatore)
	return tag.RowsAffected() == 1, err
}

// The ente and its flow sequence.

// sequenza is the ente's flow sequence as its row holds it.
type sequenza struct {
	UltimoTS    *time.Time
	Giorno      *time.Time
	Progressivo int
}

func ente(ctx context.Context, q database.Querier, ambitoID int64) (Ente, error) {
	var e Ente
	err := q.QueryRow(ctx, `SELECT ambito_id, codice_ente, belfiore, denominazione, cf_operatore, versione
		FROM siuss_ente WHERE ambito_id = $1`, ambitoID).Scan(&e.AmbitoID, &e.CodiceEnte, &e.Belfiore, &e.Denominazione, &e.CFOperatore, &e.Versione)
	if errors.Is(err, pgx.ErrNoRows) {
		return Ente{AmbitoID: ambitoID}, nil
	}
	return e, err
}

// bloccaEnte locks the ente's row for a flow and returns it with its
// sequence; pgx.ErrNoRows when the ambito has no ente configured.
func bloccaEnte(ctx context.Context, q database.Querier, ambitoID int64) (Ente, sequenza, error) {
	var (
		e Ente
		s sequenza
	)
	err := q.QueryRow(ctx, `SELECT ambito_id, codice_ente, belfiore, denominazione, cf_operatore, versione, ultimo_ts, giorno, progressivo
		FROM siuss_ente WHERE ambito_id = $1 FOR UPDATE`, ambitoID).Scan(&e.AmbitoID, &e.CodiceEnte, &e.Belfiore, &e.Denominazione,
		&e.CFOperatore, &e.Versione, &s.UltimoTS, &s.Giorno, &s.Progressivo)
	return e, s, err
}

func avanzaSequenza(ctx context.Context, q database.Querier, ambitoID int64, ts, giorno time.Time, progressivo int) error {
	_, err := q.Exec(ctx, `UPDATE siuss_ente SET ultimo_ts = $2, giorno = $3, progressivo = $4 WHERE ambito_id = $1`,
		ambitoID, ts, giorno, progressivo)
	return err
}

func insertFlusso(ctx context.Context, q database.Querier, ambitoID int64, prestID, casoID uuid.UUID, idFlusso string, op Operazione,
	ts time.Time, xml []byte, operatore uuid.UUID) error {
	_, err := q.Exec(ctx, `INSERT INTO prestazione_flusso (ambito_id, prestazione_id, caso_id, id_flusso, tipo_operazione, ts_flusso, xml, creato_da)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ambitoID, prestID, casoID, idFlusso, string(op), ts, xml, operatore)
	return err
}

// salvaEnte writes the ente of an ambito if its versione is still versione
// (0: not configured yet); false when it is not.
func salvaEnte(ctx context.Context, q database.Querier, e Ente, versione int, operatore *uuid.UUID) (bool, error) {
	if versione == 0 {
		tag, err := q.Exec(ctx, `INSERT INTO siuss_ente (ambito_id, codice_ente, belfiore, denominazione, cf_operatore, aggiornato_da)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ambito_id) DO NOTHING`, e.AmbitoID, e.CodiceEnte, e.Belfiore, e.Denominazione, e.CFOperatore, operatore)
		return tag.RowsAffected() == 1, err
	}
	tag, err := q.Exec(ctx, `UPDATE siuss_ente SET codice_ente = $2, belfiore = $3, denominazione = $4, cf_operatore = $5,
		aggiornato_da = $6, aggiornato_il = now(), versione = versione + 1 WHERE ambito_id = $1 AND versione = $7`,
		e.AmbitoID, e.CodiceEnte, e.Belfiore, e.Denominazione, e.CFOperatore, operatore, versione)
	return tag.RowsAffected() == 1, err
}

// flussoXML is the XML of flow id of case casoID.
func flussoXML(ctx context.Context, q database.Querier, casoID uuid.UUID, id int64) ([]byte, error) {
	var b []byte
	err := q.QueryRow(ctx, `SELECT xml FROM prestazione_flusso WHERE caso_id = $1 AND id = $2`, casoID, id).Scan(&b)
	return b, err
}
