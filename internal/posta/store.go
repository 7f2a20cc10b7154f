package posta

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// Voce is a message as the outbox holds it.
type Voce struct {
	ID                 int64
	MessageID          string
	Messaggio          // Allegato is loaded only by Leggi
	AllegatoDimensione int
	Stato              string
	Tentativi          int
	ProssimoTentativo  time.Time
	Errore             string
	CreatoIl           time.Time
	InviatoIl          *time.Time
}

// StatoLabel is the state in Italian.
func (v Voce) StatoLabel() string {
	switch v.Stato {
	case InCoda:
		if v.Tentativi > 0 {
			return "In coda (nuovo tentativo previsto)"
		}
		return "In coda"
	case Inviato:
		return "Inviato"
	case Errore:
		return "Non recapitato"
	case Sink:
		return "Consegnato alla posta di prova"
	}
	return v.Stato
}

const colonne = `id, message_id, destinatario, oggetto, corpo, allegato, allegato_nome, allegato_mime,
	COALESCE(octet_length(allegato), 0), caso_id, stato, tentativi, prossimo_tentativo, errore, created_at, inviato_at`

// colonneElenco are colonne without the attachment's bytes.
const colonneElenco = `id, message_id, destinatario, oggetto, corpo, NULL::bytea, allegato_nome, allegato_mime,
	COALESCE(octet_length(allegato), 0), caso_id, stato, tentativi, prossimo_tentativo, errore, created_at, inviato_at`

func scanVoce(r pgx.CollectableRow) (Voce, error) {
	var v Voce
	var caso *uuid.UUID
	err := r.Scan(&v.ID, &v.MessageID, &v.Destinatario, &v.Oggetto, &v.Corpo, &v.Allegato, &v.AllegatoNome, &v.AllegatoMime,
		&v.AllegatoDimensione, &caso, &v.Stato, &v.Tentativi, &v.ProssimoTentativo, &v.Errore, &v.CreatoIl, &v.InviatoIl)
	v.CasoID = caso
	return v, err
}

// Elenco returns up to n messages, newest first, older than the message
// dopo (0: from the newest); the attachment's bytes are not loaded.
func (o *Outbox) Elenco(ctx context.Context, dopo int64, n int) ([]Voce, error) {
	sql := `SELECT ` + colonneElenco + ` FROM posta_uscita WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2`
	rows, err := o.pool.Query(ctx, sql, dopo, n)
	if err != nil {
		return nil, fmt.Errorf("posta: elenco: %w", err)
	}
	vs, err := pgx.CollectRows(rows, scanVoce)
	if err != nil {
		return nil, fmt.Errorf("posta: elenco: %w", err)
	}
	return vs, nil
}

// Leggi returns a message with its attachment.
func (o *Outbox) Leggi(ctx context.Context, id int64) (Voce, error) {
	rows, err := o.pool.Query(ctx, `SELECT `+colonne+` FROM posta_uscita WHERE id = $1`, id)
	if err != nil {
		return Voce{}, fmt.Errorf("posta: leggi: %w", err)
	}
	v, err := pgx.CollectOneRow(rows, scanVoce)
	if errors.Is(err, pgx.ErrNoRows) {
		return Voce{}, ErrNotFound
	}
	if err != nil {
		return Voce{}, fmt.Errorf("posta: leggi: %w", err)
	}
	return v, nil
}

// Stati returns the state of each message of ids (for "who received
// what" pages).
func (o *Outbox) Stati(ctx context.Context, ids []int64) (map[int64]Voce, error) {
	rows, err := o.pool.Query(ctx, `SELECT `+colonneElenco+` FROM posta_uscita WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("posta: stati: %w", err)
	}
	vs, err := pgx.CollectRows(rows, scanVoce)
	if err != nil {
		return nil, fmt.Errorf("posta: stati: %w", err)
	}
	out := make(map[int64]Voce, len(vs))
	for _, v := range vs {
		out[v.ID] = v
	}
	return out, nil
}

// inserisciMessaggio inserts message m to addr with Message-ID messageID, to be sent.
func inserisciMessaggio(ctx context.Context, q database.Querier, messageID, addr string, m Messaggio) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `
		INSERT INTO posta_uscita (message_id, destinatario, oggetto, corpo, allegato, allegato_nome, allegato_mime, caso_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		messageID, addr, strings.TrimSpace(m.Oggetto), m.Corpo, m.Allegato, m.AllegatoNome, m.AllegatoMime, m.CasoID).Scan(&id)
	return id, err
}

// prendi claims the next due message, counting its attempt and hiding it
// for lease; none due is pgx.ErrNoRows.
func prendi(ctx context.Context, q database.Querier, lease time.Duration) (Voce, error) {
	rows, err := q.Query(ctx, `
		UPDATE posta_uscita SET tentativi = tentativi + 1, prossimo_tentativo = now() + $1::interval
		WHERE id = (SELECT id FROM posta_uscita WHERE stato = 'in_coda' AND prossimo_tentativo <= now()
		            ORDER BY prossimo_tentativo, id LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING `+colonne, lease.String())
	if err != nil {
		return Voce{}, err
	}
	return pgx.CollectOneRow(rows, scanVoce)
}

// segnaInviato marks message id sent (stato: inviato or sink).
func segnaInviato(ctx context.Context, q database.Querier, id int64, stato string) error {
	_, err := q.Exec(ctx, `UPDATE posta_uscita SET stato = $2, inviato_at = now(), errore = '' WHERE id = $1`, id, stato)
	return err
}

// segnaErrore gives message id up with errore, if it is still queued at
// attempt tentativi: otherwise, after the lease, another worker claimed it
// again (and may have delivered it), and it reports false.
func segnaErrore(ctx context.Context, q database.Querier, id int64, tentativi int, errore string) (bool, error) {
	tag, err := q.Exec(ctx, `UPDATE posta_uscita SET stato = 'errore', errore = $3
		WHERE id = $1 AND stato = 'in_coda' AND tentativi = $2`, id, tentativi, errore)
	return tag.RowsAffected() > 0, err
}

// riprova schedules message id again after attesa, keeping errore, if it
// is still queued at attempt tentativi (see segnaErrore).
func riprova(ctx context.Context, q database.Querier, id int64, tentativi int, attesa time.Duration, errore string) (bool, error) {
	tag, err := q.Exec(ctx, `UPDATE posta_uscita SET prossimo_tentativo = now() + $3::interval, errore = $4
		WHERE id = $1 AND stato = 'in_coda' AND tentativi = $2`, id, tentativi, attesa.String(), errore)
	return tag.RowsAffected() > 0, err
}
