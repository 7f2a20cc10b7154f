package schede

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Every SQL statement of the package: the versions of the schede (scheda,
// scheda_revisione).

const colonne = `
	SELECT ` + campi

// campi are colonne after SELECT (for a SELECT DISTINCT ON).
const campi = `s.id, s.caso_id, s.tipo, s.versione, s.stato, s.contenuto, s.esito, s.revisione,
	       COALESCE(oc.nome || ' ' || oc.cognome, ''), s.creata_il,
	       COALESCE(oa.nome || ' ' || oa.cognome, ''), s.aggiornata_il,
	       COALESCE(ofi.nome || ' ' || ofi.cognome, ''), s.finalizzata_il, s.motivo_riapertura
	FROM scheda s
	LEFT JOIN operatore oc ON oc.id = s.creata_da
	LEFT JOIN operatore oa ON oa.id = s.aggiornata_da
	LEFT JOIN operatore ofi ON ofi.id = s.finalizzata_da`

func scan(r pgx.Row) (Versione, error) {
	var v Versione
	var tipo, stato string
	err := r.Scan(&v.ID, &v.CasoID, &tipo, &v.Numero, &stato, &v.Contenuto, &v.Esito, &v.Revisione,
		&v.CreataDa, &v.CreataIl, &v.AggiornataDa, &v.AggiornataIl, &v.FinalizzataDa, &v.FinalizzataIl, &v.MotivoRiapertura)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, ErrNonTrovata
	}
	v.Tipo, v.Stato = Tipo(tipo), Stato(stato)
	return v, err
}

// Elenco returns every version of the scheda of a case, newest first.
func Elenco(ctx context.Context, q Querier, casoID uuid.UUID, tipo Tipo) ([]Versione, error) {
	rows, err := q.Query(ctx, colonne+` WHERE s.caso_id = $1 AND s.tipo = $2 ORDER BY s.versione DESC`, casoID, string(tipo))
	if err != nil {
		return nil, fmt.Errorf("schede: elenco: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Versione, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("schede: elenco: %w", err)
	}
	return out, nil
}

// Ultima returns the newest version (the draft, if there is one); ErrNonTrovata
// when the case has no such scheda yet.
func Ultima(ctx context.Context, q Querier, casoID uuid.UUID, tipo Tipo) (Versione, error) {
	return scan(q.QueryRow(ctx, colonne+` WHERE s.caso_id = $1 AND s.tipo = $2 ORDER BY s.versione DESC LIMIT 1`, casoID, string(tipo)))
}

// sqlUltimaDefinitiva reads the newest finalised version of a case ($1)
// and tipo ($2).
const sqlUltimaDefinitiva = colonne + ` WHERE s.caso_id = $1 AND s.tipo = $2 AND s.stato = 'definitiva'
		ORDER BY s.versione DESC LIMIT 1`

// UltimaDefinitiva returns the newest finalised version.
func UltimaDefinitiva(ctx context.Context, q Querier, casoID uuid.UUID, tipo Tipo) (Versione, error) {
	return scan(q.QueryRow(ctx, sqlUltimaDefinitiva, casoID, string(tipo)))
}

// AccodaUltimaDefinitiva queues on b the reading of the newest finalised
// version into v; *trovata says whether there is one.
func AccodaUltimaDefinitiva(b *pgx.Batch, casoID uuid.UUID, tipo Tipo, v *Versione, trovata *bool) {
	b.Queue(sqlUltimaDefinitiva, casoID, string(tipo)).QueryRow(func(r pgx.Row) error {
		x, err := scan(r)
		if errors.Is(err, ErrNonTrovata) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("schede: ultima definitiva: %w", err)
		}
		*v, *trovata = x, true
		return nil
	})
}

// UltimeDefinitive is UltimaDefinitiva for the cases ids at once, in one
// query: the newest finalised version of each case that has one.
func UltimeDefinitive(ctx context.Context, q Querier, ids []uuid.UUID, tipo Tipo) (map[uuid.UUID]Versione, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (s.caso_id) `+campi+`
		WHERE s.caso_id = ANY($1) AND s.tipo = $2 AND s.stato = 'definitiva'
		ORDER BY s.caso_id, s.versione DESC`, ids, string(tipo))
	if err != nil {
		return nil, fmt.Errorf("schede: ultime definitive: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Versione, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("schede: ultime definitive: %w", err)
	}
	out := make(map[uuid.UUID]Versione, len(list))
	for _, v := range list {
		out[v.CasoID] = v
	}
	return out, nil
}

// Leggi returns version numero.
func Leggi(ctx context.Context, q Querier, casoID uuid.UUID, tipo Tipo, numero int) (Versione, error) {
	return scan(q.QueryRow(ctx, colonne+` WHERE s.caso_id = $1 AND s.tipo = $2 AND s.versione = $3`, casoID, string(tipo), numero))
}

// NuovaBozza creates version 1 of the scheda, a draft with contenuto.
func NuovaBozza(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, tipo Tipo, contenuto json.RawMessage, op uuid.UUID) (Versione, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM scheda WHERE caso_id = $1 AND tipo = $2`, casoID, string(tipo)).Scan(&n); err != nil {
		return Versione{}, fmt.Errorf("schede: nuova bozza: %w", err)
	}
	if n > 0 {
		return Versione{}, ErrBozzaEsistente
	}
	return inserisci(ctx, tx, casoID, tipo, 1, contenuto, "", op)
}

func inserisci(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, tipo Tipo, numero int, contenuto json.RawMessage, motivo string, op uuid.UUID) (Versione, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `INSERT INTO scheda (caso_id, tipo, versione, contenuto, creata_da, aggiornata_da, motivo_riapertura)
		VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id`, casoID, string(tipo), numero, []byte(contenuto), op, motivo).Scan(&id)
	if err != nil {
		return Versione{}, fmt.Errorf("schede: nuova versione: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO scheda_revisione (scheda_id, revisione, contenuto, salvata_da) VALUES ($1, 1, $2, $3)`,
		id, []byte(contenuto), op); err != nil {
		return Versione{}, fmt.Errorf("schede: nuova versione: %w", err)
	}
	return scan(tx.QueryRow(ctx, colonne+` WHERE s.id = $1`, id))
}

// bozza locks the draft of the case for a write, checking that revisione is
// still the current one; otherwise a *Conflitto with the differences since
// revisione, labelled by etichetta.
func bozza(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, tipo Tipo, revisione int, etichetta func(string) string) (Versione, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `SELECT id FROM scheda WHERE caso_id = $1 AND tipo = $2 AND stato = 'bozza' FOR UPDATE`, casoID, string(tipo)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Versione{}, ErrNessunaBozza
	} else if err != nil {
		return Versione{}, fmt.Errorf("schede: bozza: %w", err)
	}
	v, err := scan(tx.QueryRow(ctx, colonne+` WHERE s.id = $1`, id))
	if err != nil || v.Revisione == revisione {
		return v, err
	}
	var base []byte
	err = tx.QueryRow(ctx, `SELECT contenuto FROM scheda_revisione WHERE scheda_id = $1 AND revisione = $2`, id, revisione).Scan(&base)
	if errors.Is(err, pgx.ErrNoRows) {
		base = []byte("{}") // a revisione that never existed: everything is news
	} else if err != nil {
		return Versione{}, fmt.Errorf("schede: bozza: %w", err)
	}
	diff, err := Differenze(base, v.Contenuto, etichetta)
	if err != nil {
		return Versione{}, err
	}
	return Versione{}, &Conflitto{Attuale: v, Cambiate: diff, Da: v.AggiornataDa}
}

// Salva writes contenuto into the draft, which must still be at revisione
// (else *Conflitto); the draft moves to revisione+1.
func Salva(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, tipo Tipo, revisione int, contenuto json.RawMessage, op uuid.UUID, etichetta func(string) string) (Versione, error) {
	v, err := bozza(ctx, tx, casoID, tipo, revisione, etichetta)
	if err != nil {
		return v, err
	}
	if _, err := tx.Exec(ctx, `UPDATE scheda SET contenuto = $2, revisione = revisione + 1, aggiornata_da = $3, aggiornata_il = now()
		WHERE id = $1`, v.ID, []byte(contenuto), op); err != nil {
		return v, fmt.Errorf("schede: salva: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO scheda_revisione (scheda_id, revisione, contenuto, salvata_da) VALUES ($1, $2, $3, $4)`,
		v.ID, v.Revisione+1, []byte(contenuto), op); err != nil {
		return v, fmt.Errorf("schede: salva: %w", err)
	}
	return scan(tx.QueryRow(ctx, colonne+` WHERE s.id = $1`, v.ID))
}

// Finalizza saves contenuto into the draft (still at revisione, else
// *Conflitto) and freezes it as definitiva with esito.
func Finalizza(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, tipo Tipo, revisione int, contenuto json.RawMessage, esito string, op uuid.UUID, etichetta func(string) string) (Versione, error) {
	v, err := bozza(ctx, tx, casoID, tipo, revisione, etichetta)
	if err != nil {
		return v, err
	}
	if _, err := tx.Exec(ctx, `UPDATE scheda SET contenuto = $2, esito = $3, revisione = revisione + 1, aggiornata_da = $4,
		aggiornata_il = now(), stato = 'definitiva', finalizzata_da = $4, finalizzata_il = now() WHERE id = $1`,
		v.ID, []byte(contenuto), esito, op); err != nil {
		return v, fmt.Errorf("schede: finalizza: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM scheda_revisione WHERE scheda_id = $1`, v.ID); err != nil {
		return v, fmt.Errorf("schede: finalizza: %w", err)
	}
	return scan(tx.QueryRow(ctx, colonne+` WHERE s.id = $1`, v.ID))
}

// Riapri creates the next version as a draft copied from the newest
// finalised one, with the reason.
func Riapri(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, tipo Tipo, motivo string, op uuid.UUID) (Versione, error) {
	// Serialise reopenings of the same scheda: lock the newest version.
	v, err := scan(tx.QueryRow(ctx, colonne+` WHERE s.caso_id = $1 AND s.tipo = $2 ORDER BY s.versione DESC LIMIT 1 FOR UPDATE OF s`, casoID, string(tipo)))
	if err != nil {
		return v, err
	}
	if !v.Definitiva() {
		return Versione{}, ErrNonDefinitiva
	}
	return inserisci(ctx, tx, casoID, tipo, v.Numero+1, v.Contenuto, motivo, op)
}

// accodaUltimoStato queues on b the number, state and esito of the newest
// version, into v (*trovata false: the case has no such scheda).
func accodaUltimoStato(b *pgx.Batch, casoID uuid.UUID, tipo Tipo, v *Versione, trovata *bool) {
	b.Queue(`SELECT versione, stato, esito FROM scheda WHERE caso_id = $1 AND tipo = $2
		ORDER BY versione DESC LIMIT 1`, casoID, string(tipo)).QueryRow(func(r pgx.Row) error {
		var stato string
		err := r.Scan(&v.Numero, &stato, &v.Esito)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("schede: sezione %s: %w", tipo, err)
		}
		v.Stato, *trovata = Stato(stato), true
		return nil
	})
}
