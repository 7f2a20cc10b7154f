package controlli

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
)

// The SQL of the export of the esiti for INPS (esporta.go): the esiti of a
// comune waiting for a batch, the batches, their files.

// contaDaInviare counts the finalised esiti of the requests asked to
// comune not yet in a batch, and those of them given after the term.
func contaDaInviare(ctx context.Context, q database.Querier, comune int64) (tutti, oltre int, err error) {
	err = q.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE NOT e.entro_termine)
		FROM controllo_esito e JOIN controllo_richiesta r ON r.id = e.richiesta_id
		WHERE e.invio_id IS NULL AND r.comune_id = $1`, comune).Scan(&tutti, &oltre)
	return tutti, oltre, err
}

// voceEsito is a finalised esito as the export writes it.
type voceEsito struct {
	richiesta string // the request's uuid, for the registro
	riga      RigaEsito
}

// esitiDaEsportare are the finalised esiti of the requests asked to comune
// not yet in a batch, by id (a rectification after the esito it corrects),
// locked: a concurrent export waits on them, then skips those this one
// carried (FOR NO KEY UPDATE re-checks invio_id IS NULL on the row's
// latest version).
func esitiDaEsportare(ctx context.Context, tx pgx.Tx, comune int64) ([]voceEsito, error) {
	rows, err := tx.Query(ctx, `
		SELECT e.id, r.id::text, r.id_richiesta, r.tipo, co.codice_istat, r.codice_fiscale, r.id_domanda,
		       r.data_richiesta, r.data_riferimento, r.scadenza, e.esito, e.motivazione, e.data_esito,
		       e.entro_termine, e.rettifica_di, o.codice_fiscale, e.finalizzato_il
		FROM controllo_esito e
		JOIN controllo_richiesta r ON r.id = e.richiesta_id
		JOIN comune co ON co.id = r.comune_id
		JOIN operatore o ON o.id = e.finalizzato_da
		WHERE e.invio_id IS NULL AND r.comune_id = $1
		ORDER BY e.id
		FOR NO KEY UPDATE OF e`, comune)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []voceEsito
	for rows.Next() {
		var v voceEsito
		var dr, rif, sc, de time.Time
		var il time.Time
		x := &v.riga
		if err := rows.Scan(&x.IDEsito, &v.richiesta, &x.IDRichiesta, &x.Tipo, &x.ComuneISTAT, &x.CodiceFiscale, &x.IDDomanda,
			&dr, &rif, &sc, &x.Esito, &x.Motivazione, &de, &x.EntroTermine, &x.RettificaDi, &x.FinalizzatoDa, &il); err != nil {
			return nil, err
		}
		x.DataRichiesta, x.DataRiferimento, x.Scadenza, x.DataEsito = calendario.ISO(dr), calendario.ISO(rif), calendario.ISO(sc), calendario.ISO(de)
		x.GiorniImpiegati = giorniImpiegati(dr, de)
		x.Rettifica = x.RettificaDi != nil
		x.FinalizzatoIl = il.UTC().Format(time.RFC3339)
		out = append(out, v)
	}
	return out, rows.Err()
}

// nuovoInvioEsiti reserves the id of a new batch.
func nuovoInvioEsiti(ctx context.Context, tx pgx.Tx) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('controllo_invio', 'id'))`).Scan(&id)
	return id, err
}

// inserisciInvioEsiti stores batch inv of comune.
func inserisciInvioEsiti(ctx context.Context, tx pgx.Tx, inv InvioEsiti, comune int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO controllo_invio (id, comune_id, created_by, created_at, nome_file, contenuto, sha256, numero)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, inv.ID, comune, inv.CreatoDaID, inv.CreatoIl, inv.NomeFile,
		inv.Contenuto, inv.SHA256, inv.Numero)
	return err
}

// segnaEsitiInviati puts the esiti ids in batch invio at il; it returns how
// many it marked.
func segnaEsitiInviati(ctx context.Context, tx pgx.Tx, ids []int64, invio int64, il time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE controllo_esito SET invio_id = $2, inviato_il = $3
		WHERE id = ANY($1) AND invio_id IS NULL`, ids, invio, il)
	return tag.RowsAffected(), err
}

const colonneInvio = `SELECT i.id, COALESCE(o.nome || ' ' || o.cognome, ''), i.created_at, i.nome_file, i.sha256, i.numero,
	(SELECT count(*) FROM controllo_esito e WHERE e.invio_id = i.id AND NOT e.entro_termine),
	(SELECT count(*) FROM controllo_esito e WHERE e.invio_id = i.id AND e.rettifica_di IS NOT NULL)
	FROM controllo_invio i LEFT JOIN operatore o ON o.id = i.created_by`

func scanInvio(r pgx.Row, i *InvioEsiti) error {
	return r.Scan(&i.ID, &i.CreatoDa, &i.CreatoIl, &i.NomeFile, &i.SHA256, &i.Numero, &i.OltreTermine, &i.Rettifiche)
}

// inviiEsiti is page pagina of comune's batches, newest first (one row more
// than a page: database.Taglia).
func inviiEsiti(ctx context.Context, q database.Querier, comune int64, pagina int) ([]InvioEsiti, error) {
	rows, err := q.Query(ctx, colonneInvio+` WHERE i.comune_id = $1 ORDER BY i.id DESC`+
		database.Pagina(pagina, DimensionePaginaInvii), comune)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (InvioEsiti, error) {
		var i InvioEsiti
		err := scanInvio(r, &i)
		return i, err
	})
}

// fileInvioEsiti reads batch id of comune with its file; none is pgx.ErrNoRows.
func fileInvioEsiti(ctx context.Context, q database.Querier, comune, id int64, i *InvioEsiti) error {
	if err := scanInvio(q.QueryRow(ctx, colonneInvio+` WHERE i.comune_id = $1 AND i.id = $2`, comune, id), i); err != nil {
		return err
	}
	return q.QueryRow(ctx, `SELECT contenuto FROM controllo_invio WHERE id = $1`, id).Scan(&i.Contenuto)
}

// giorniImpiegati are the calendar days from a to b.
func giorniImpiegati(a, b time.Time) int {
	a = time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, time.UTC)
	b = time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}
