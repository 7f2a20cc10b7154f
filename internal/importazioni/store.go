package importazioni

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

func nuova(ctx context.Context, q database.Querier, ambitoID int64, operatore *uuid.UUID, nome string, size int64, istanza uuid.UUID, ripresaDi int64) (int64, error) {
	var id int64
	// ripresa_di only when it is an import of the same ambito that did not complete.
	err := q.QueryRow(ctx, `INSERT INTO importazione (ambito_id, operatore_id, file_nome, file_byte, istanza, battito, ripresa_di)
		VALUES ($1, $2, $3, $4, $5, now(), (SELECT id FROM importazione WHERE id = $6 AND ambito_id = $1 AND stato IN ('interrotta', 'fallita')))
		RETURNING id`,
		ambitoID, operatore, nome, max(size, 0), istanza, ripresaDi).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("importazioni: nuova importazione: %w", err)
	}
	return id, nil
}

// fallita ends an import still in corso as fallita with motivo.
func fallita(ctx context.Context, q database.Querier, id int64, motivo string) error {
	_, err := q.Exec(ctx, `UPDATE importazione SET stato = 'fallita', errore = $2, conclusa_il = now() WHERE id = $1 AND stato = 'in_corso'`, id, motivo)
	if err != nil {
		return fmt.Errorf("importazioni: importazione fallita: %w", err)
	}
	return nil
}

const colonne = `
	SELECT im.id, im.ambito_id, COALESCE(o.nome || ' ' || o.cognome, ''), im.file_nome, im.file_byte, im.stato,
	       im.byte_letti, im.righe, im.inseriti, im.aggiornati, im.invariati, im.scartati, im.errore, im.iniziata_il, im.conclusa_il,
	       COALESCE(im.ripresa_di, 0), COALESCE((SELECT max(r.id) FROM importazione r WHERE r.ripresa_di = im.id), 0), im.battito
	FROM importazione im LEFT JOIN operatore o ON o.id = im.operatore_id`

func scan(row pgx.Row) (Importazione, error) {
	var i Importazione
	err := row.Scan(&i.ID, &i.AmbitoID, &i.Operatore, &i.FileNome, &i.FileByte, &i.Stato, &i.ByteLetti, &i.Righe, &i.Inseriti,
		&i.Aggiornati, &i.Invariati, &i.Scartati, &i.Errore, &i.IniziataIl, &i.ConclusaIl, &i.RipresaDi, &i.RipresaIn, &i.Battito)
	return i, err
}

func get(ctx context.Context, q database.Querier, id int64) (Importazione, error) {
	i, err := scan(q.QueryRow(ctx, colonne+` WHERE im.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Importazione{}, ErrNotFound
	}
	if err != nil {
		return Importazione{}, fmt.Errorf("importazioni: importazione: %w", err)
	}
	return i, nil
}

func elenco(ctx context.Context, q database.Querier, ambitoID int64, offset, limit int) ([]Importazione, error) {
	rows, err := q.Query(ctx, colonne+` WHERE im.ambito_id = $1 ORDER BY im.id DESC OFFSET $2 LIMIT $3`, ambitoID, offset, limit)
	if err != nil {
		return nil, fmt.Errorf("importazioni: importazioni: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Importazione, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("importazioni: importazioni: %w", err)
	}
	return out, nil
}

func scarti(ctx context.Context, q database.Querier, id int64, dopo, limit int) ([]Scarto, error) {
	rows, err := q.Query(ctx, `SELECT riga, id_domanda, motivo FROM importazione_scarto
		WHERE importazione_id = $1 AND riga > $2 ORDER BY riga LIMIT $3`, id, dopo, limit)
	if err != nil {
		return nil, fmt.Errorf("importazioni: scarti: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scarto, error) {
		var sc Scarto
		err := r.Scan(&sc.Riga, &sc.IDDomanda, &sc.Motivo)
		return sc, err
	})
	if err != nil {
		return nil, fmt.Errorf("importazioni: scarti: %w", err)
	}
	return out, nil
}

// ScartiCSV writes every rejected line of import id as CSV for the
// spreadsheets used in Italy (semicolon-separated, UTF-8 with BOM): riga,
// id_domanda, motivo. Cells a spreadsheet would run as a formula are
// neutralised. The export is recorded in the registro as v says.
func (s *Service) ScartiCSV(ctx context.Context, w io.Writer, id int64, v registro.Voce) error {
	if err := s.leggi(ctx, id, "esportazione CSV degli scarti", v); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"riga", "id_domanda", "motivo"})
	dopo := 0
	const blocco = 5000
	for {
		sc, err := scarti(ctx, s.pool, id, dopo, blocco)
		if err != nil {
			return err
		}
		for _, x := range sc {
			if err := cw.Write([]string{strconv.Itoa(x.Riga), neutralise(x.IDDomanda), neutralise(x.Motivo)}); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(sc) < blocco {
			return nil
		}
		dopo = sc[len(sc)-1].Riga
	}
}

// neutralise prefixes cells that spreadsheets would evaluate (CSV
// injection), as the registro's export does.
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Resoconto hands every rejected line of import id to fn, in file order,
// recording one read of the report in the registro as v says.
func (s *Service) Resoconto(ctx context.Context, id int64, v registro.Voce, fn func(Scarto) error) error {
	if err := s.leggi(ctx, id, "resoconto degli scarti", v); err != nil {
		return err
	}
	return s.OgniScarto(ctx, id, fn)
}

// OgniScarto hands every rejected line of import id to fn, in file order,
// with no record in the registro: for the command line, whose user holds
// the database itself (Resoconto is the recorded read).
func (s *Service) OgniScarto(ctx context.Context, id int64, fn func(Scarto) error) error {
	dopo := 0
	const blocco = 5000
	for {
		sc, err := scarti(ctx, s.pool, id, dopo, blocco)
		if err != nil {
			return err
		}
		for _, x := range sc {
			if err := fn(x); err != nil {
				return err
			}
		}
		if len(sc) < blocco {
			return nil
		}
		dopo = sc[len(sc)-1].Riga
	}
}

// comuniAmbito maps the ISTAT code of each comune of ambito ambitoID to its
// id: the comuni a household may live in to be imported there.
func comuniAmbito(ctx context.Context, q database.Querier, ambitoID int64) (map[string]int64, error) {
	rows, err := q.Query(ctx, `SELECT codice_istat, id FROM comune WHERE ambito_id = $1`, ambitoID)
	if err != nil {
		return nil, fmt.Errorf("importazioni: comuni: %w", err)
	}
	defer rows.Close()
	comuni := map[string]int64{}
	for rows.Next() {
		var istat string
		var id int64
		if err := rows.Scan(&istat, &id); err != nil {
			return nil, fmt.Errorf("importazioni: comuni: %w", err)
		}
		comuni[istat] = id
	}
	return comuni, rows.Err()
}

// progresso writes the progress of import id (bytes and lines read, the
// unchanged households) and its pending rejected lines with their count,
// in one transaction, and is a heartbeat. The households inserted and
// updated are counted by conta, in the transaction that writes them. Like
// conta, it writes nothing, and returns errNonInCorso, once the import is
// no longer in corso.
func progresso(ctx context.Context, pool *pgxpool.Pool, id int64, pr flusso.Progresso, c contatori, sc []Scarto) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if len(sc) > 0 {
			rows := make([][]any, len(sc))
			for i, x := range sc {
				rows[i] = []any{id, x.Riga, x.IDDomanda, x.Motivo}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"importazione_scarto"}, []string{"importazione_id", "riga", "id_domanda", "motivo"},
				pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE importazione SET byte_letti = GREATEST(byte_letti, $2), righe = GREATEST(righe, $3),
			invariati = $4, scartati = scartati + $5, battito = clock_timestamp() WHERE id = $1 AND stato = 'in_corso'`,
			id, pr.Byte, pr.Righe, c.invariati, len(sc))
		if err == nil && tag.RowsAffected() == 0 {
			err = errNonInCorso
		}
		return err
	})
}

// errNonInCorso: the import is no longer in corso, so its process must
// write nothing more for it. Another instance found its heartbeat too old
// and ended it as interrotta: the process had not died but stalled (a
// freeze, a paused VM, the database out of its reach) and has come back.
// The households it goes on to write would not be counted in the
// interrupted import, and the same file may be running again meanwhile,
// uploaded once more to take the import up: one import, two processes.
var errNonInCorso = errors.New("importazioni: the import is no longer in corso: another instance ended it as interrotta")

// conta adds n households inserted or updated (esito) to import id, in tx:
// the transaction that writes them, so that after a crash the counters
// are exactly the households committed. When the import is no longer in
// corso it returns errNonInCorso, and the caller's transaction must roll
// back: a household is written only while its import is in corso, which
// the row lock taken here keeps until the commit. The heartbeat is the
// time of this statement, not of the transaction's start (now()), which
// for a long chunk could be older than the last beat.
func conta(ctx context.Context, tx pgx.Tx, id int64, esito string, n int) error {
	col := "inseriti"
	if esito == casi.NucleoAggiornato {
		col = "aggiornati"
	}
	tag, err := tx.Exec(ctx, `UPDATE importazione SET `+col+` = `+col+` + $2, battito = clock_timestamp()
		WHERE id = $1 AND stato = 'in_corso'`, id, n)
	if err != nil {
		return fmt.Errorf("importazioni: conta: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return errNonInCorso
	}
	return nil
}

// batti records that the process running import id is alive.
func batti(ctx context.Context, q database.Querier, id int64) error {
	_, err := q.Exec(ctx, `UPDATE importazione SET battito = now() WHERE id = $1 AND stato = 'in_corso'`, id)
	return err
}

// interrompi ends as interrotta, with motivo, the imports in corso whose
// heartbeat is older than scadenza (id 0: any; otherwise only that one):
// their process is gone. Their counters stand as committed, the rejected
// lines counted from the rows kept. It returns the ids.
func interrompi(ctx context.Context, q database.Querier, id int64, scadenza time.Duration, motivo string) ([]int64, error) {
	rows, err := q.Query(ctx, `UPDATE importazione im SET stato = 'interrotta', errore = $3, conclusa_il = now(),
			scartati = (SELECT count(*) FROM importazione_scarto s WHERE s.importazione_id = im.id)
		WHERE stato = 'in_corso' AND battito < now() - make_interval(secs => $2) AND ($1 = 0 OR id = $1)
		RETURNING id`, id, scadenza.Seconds(), motivo)
	if err != nil {
		return nil, fmt.Errorf("importazioni: interrompi: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("importazioni: interrompi: %w", err)
	}
	return ids, nil
}

// concludi ends import id, if still in corso, in stato (Completata or
// Fallita, with errore): one ended as interrotta by another instance
// stays so.
func concludi(ctx context.Context, q database.Querier, id int64, stato, errore string) error {
	if _, err := q.Exec(ctx, `UPDATE importazione SET stato = $2, errore = $3, conclusa_il = now() WHERE id = $1 AND stato = 'in_corso'`,
		id, stato, errore); err != nil {
		return fmt.Errorf("importazioni: concludi: %w", err)
	}
	return nil
}
