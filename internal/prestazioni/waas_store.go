package prestazioni

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// enteWaaS is the ente of codice (its ambito, Belfiore, denomination);
// false when no ambito has it.
func enteWaaS(ctx context.Context, q database.Querier, codice string) (Ente, bool, error) {
	var e Ente
	err := q.QueryRow(ctx, `SELECT ambito_id, codice_ente, belfiore, denominazione, cf_operatore, versione
		FROM siuss_ente WHERE codice_ente = $1`, codice).Scan(&e.AmbitoID, &e.CodiceEnte, &e.Belfiore, &e.Denominazione, &e.CFOperatore, &e.Versione)
	if errors.Is(err, pgx.ErrNoRows) {
		return Ente{}, false, nil
	}
	return e, err == nil, err
}

// flussiDopo are at most limit flows of ambito written after since, by
// ts_flusso (the index of UNIQUE (ambito_id, ts_flusso)).
func flussiDopo(ctx context.Context, q database.Querier, ambitoID int64, since time.Time, limit int) ([]FlussoOfferto, error) {
	rows, err := q.Query(ctx, `SELECT id, id_flusso, ts_flusso, xml FROM prestazione_flusso
		WHERE ambito_id = $1 AND ts_flusso > $2 ORDER BY ts_flusso LIMIT $3`, ambitoID, since, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (FlussoOfferto, error) {
		var f FlussoOfferto
		err := r.Scan(&f.id, &f.IDFlusso, &f.TS, &f.XML)
		f.TS = f.TS.UTC()
		return f, err
	})
}

// segnaOfferti marks flows ids as served to INPS at quando.
func segnaOfferti(ctx context.Context, q database.Querier, ids []int64, quando time.Time) error {
	_, err := q.Exec(ctx, `UPDATE prestazione_flusso SET offerto_il = COALESCE(offerto_il, $2), offerte = offerte + 1,
		stato = CASE WHEN stato = 'pronto' THEN 'offerto' ELSE stato END
		WHERE id = ANY($1)`, ids, quando)
	return err
}

// salvaEsito stores INPS's outcome of flow idFlusso of ambito: false when
// the ambito has no such flow, or its outcome is already OK (final).
func salvaEsito(ctx context.Context, q database.Querier, ambitoID int64, e Esito, quando time.Time) (bool, error) {
	stato := "scartato"
	if e.Codice == EsitoOK {
		stato = "acquisito"
	}
	tag, err := q.Exec(ctx, `UPDATE prestazione_flusso SET codice_esito = $3, descrizione_esito = $4, id_acquisizione_siuss = $5,
		ts_acquisizione = $6, esito_il = $7, stato = $8
		WHERE ambito_id = $1 AND id_flusso = $2 AND codice_esito IS DISTINCT FROM 'OK'`,
		ambitoID, e.IDFlusso, e.Codice, e.Descrizione, e.IDAcquisizione, e.TSAcquisizione, quando, stato)
	return tag.RowsAffected() == 1, err
}
