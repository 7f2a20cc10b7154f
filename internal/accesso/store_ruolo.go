package accesso

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
)

// conRuolo: the active operators holding ruolo in comuneID on giorno.
func (store) conRuolo(ctx context.Context, q database.Querier, ruolo authz.Ruolo, comuneID int64, giorno time.Time) ([]Operatore, error) {
	rows, err := q.Query(ctx, `
		SELECT `+operatoreCols+` FROM operatore o
		WHERE o.stato = 'attivo' AND EXISTS (
		        SELECT 1 FROM operatore_ruolo r WHERE r.operatore_id = o.id AND r.ruolo = $1 AND r.comune_id = $2
		          AND r.dal <= $3 AND (r.al IS NULL OR r.al >= $3))
		ORDER BY lower(o.cognome), lower(o.nome), o.id`, string(ruolo), comuneID, giorno)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Operatore, error) { return scanOperatore(r) })
}
