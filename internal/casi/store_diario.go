package casi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// The SQL of the diario sociale (diario.go): the table diario_nota.

// noteDiario are the case's notes of categoria ("" for every one), newest
// first.
func noteDiario(ctx context.Context, q database.Querier, casoID uuid.UUID, categoria string) ([]Nota, error) {
	rows, err := q.Query(ctx, `
		SELECT n.id, n.data_evento, n.categoria, n.testo, o.cognome || ' ' || o.nome, n.scritta_il, n.rettifica_di,
		       (SELECT r.id FROM diario_nota r WHERE r.rettifica_di = n.id ORDER BY r.scritta_il LIMIT 1)
		FROM diario_nota n JOIN operatore o ON o.id = n.autore_id
		WHERE n.caso_id = $1 AND ($2 = '' OR n.categoria = $2)
		ORDER BY n.data_evento DESC, n.scritta_il DESC
		LIMIT 500`, casoID, categoria)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Nota, error) {
		var n Nota
		err := r.Scan(&n.ID, &n.DataEvento, &n.Categoria, &n.Testo, &n.Autore, &n.ScrittaIl, &n.RettificaDi, &n.RettificataDa)
		return n, err
	})
}

// notaDaRettificare returns the category of note id of the case and whether
// it is corrected already; no such note is pgx.ErrNoRows.
func notaDaRettificare(ctx context.Context, q database.Querier, id, casoID uuid.UUID) (cat string, corretta bool, err error) {
	err = q.QueryRow(ctx, `SELECT categoria, EXISTS (SELECT 1 FROM diario_nota r WHERE r.rettifica_di = n.id)
				FROM diario_nota n WHERE n.id = $1 AND n.caso_id = $2`, id, casoID).Scan(&cat, &corretta)
	return cat, corretta, err
}

// insertNota adds a note (a correction of rettifica when not nil); a second
// correction of the same note is the unique violation (23505).
func insertNota(ctx context.Context, q database.Querier, casoID uuid.UUID, dataEvento time.Time, categoria, testo string,
	autore uuid.UUID, rettifica *uuid.UUID) (uuid.UUID, error) {
	var nid uuid.UUID
	err := q.QueryRow(ctx, `INSERT INTO diario_nota (caso_id, data_evento, categoria, testo, autore_id, rettifica_di)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, casoID, dataEvento, categoria, testo, autore, rettifica).Scan(&nid)
	return nid, err
}

// accodaContaNote queues on b the count of the case's notes into n.
func accodaContaNote(b *pgx.Batch, casoID uuid.UUID, n *int) {
	b.Queue(`SELECT count(*) FROM diario_nota WHERE caso_id = $1`, casoID).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(n); err != nil {
			return fmt.Errorf("diario: %w", err)
		}
		return nil
	})
}
