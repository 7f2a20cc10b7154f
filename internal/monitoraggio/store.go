package monitoraggio

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/incontri"
)

// Every SQL statement of the package. The only statement touching the case
// row is setStato (patto_sottoscritto → monitoraggio); the incontro is
// inserted by internal/incontri.

const colonne = `
	m.id, m.caso_id, m.patto_id, m.patto_versione, m.data, to_char(m.ora, 'HH24:MI'), m.durata_minuti, m.luogo,
	m.stato, m.note, m.partecipanti, m.motivo_annullamento, m.prossimo_incontro, m.incontro_id, m.precedente_id, m.versione,
	COALESCE(oc.nome || ' ' || oc.cognome, ''), m.created_at, COALESCE(ou.nome || ' ' || ou.cognome, ''), m.updated_at
	FROM monitoraggio_incontro m
	LEFT JOIN operatore oc ON oc.id = m.created_by
	LEFT JOIN operatore ou ON ou.id = m.updated_by`

func scanIncontro(r pgx.CollectableRow) (Incontro, error) {
	var in Incontro
	var stato string
	err := r.Scan(&in.ID, &in.CasoID, &in.PattoID, &in.PattoVersione, &in.Data, &in.Ora, &in.DurataMinuti, &in.Luogo,
		&stato, &in.Note, &in.Partecipanti, &in.MotivoAnnullamento, &in.ProssimoIncontro, &in.IncontroID, &in.PrecedenteID, &in.Versione,
		&in.CreatoDa, &in.CreatoIl, &in.AggiornatoDa, &in.AggiornatoIl)
	in.Stato = Stato(stato)
	return in, err
}

// elenco lists the case's meetings: planned ones first, soonest first, then
// the others, newest first.
func elenco(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Incontro, error) {
	rows, err := q.Query(ctx, `SELECT `+colonne+`
		WHERE m.caso_id = $1
		ORDER BY m.stato <> 'pianificato',
		         CASE WHEN m.stato = 'pianificato' THEN m.data END ASC,
		         m.data DESC, m.ora DESC, m.created_at DESC
		LIMIT 500`, casoID)
	if err != nil {
		return nil, err
	}
	list, err := pgx.CollectRows(rows, scanIncontro)
	if err != nil || len(list) == 0 {
		return list, err
	}
	byID := map[uuid.UUID]int{}
	ids := make([]uuid.UUID, len(list))
	for i, in := range list {
		byID[in.ID], ids[i] = i, in.ID
	}
	if err := voci(ctx, q, ids, func(id uuid.UUID, r *VoceRisultato, i *VoceImpegno) {
		x := &list[byID[id]]
		if r != nil {
			x.Risultati = append(x.Risultati, *r)
		} else {
			x.Impegni = append(x.Impegni, *i)
		}
	}); err != nil {
		return nil, err
	}
	return list, nil
}

// leggi returns a meeting of the case with its items; forUpdate locks it.
func leggi(ctx context.Context, q database.Querier, casoID, id uuid.UUID, forUpdate bool) (Incontro, error) {
	sql := `SELECT ` + colonne + ` WHERE m.caso_id = $1 AND m.id = $2`
	if forUpdate {
		sql += ` FOR UPDATE OF m`
	}
	rows, err := q.Query(ctx, sql, casoID, id)
	if err != nil {
		return Incontro{}, err
	}
	in, err := pgx.CollectExactlyOneRow(rows, scanIncontro)
	if errors.Is(err, pgx.ErrNoRows) {
		return Incontro{}, ErrNotFound
	}
	if err != nil {
		return Incontro{}, err
	}
	err = voci(ctx, q, []uuid.UUID{id}, func(_ uuid.UUID, r *VoceRisultato, i *VoceImpegno) {
		if r != nil {
			in.Risultati = append(in.Risultati, *r)
		} else {
			in.Impegni = append(in.Impegni, *i)
		}
	})
	return in, err
}

// voci calls fn with each item of the meetings ids, in insertion order.
func voci(ctx context.Context, q database.Querier, ids []uuid.UUID, fn func(uuid.UUID, *VoceRisultato, *VoceImpegno)) error {
	rows, err := q.Query(ctx, `
		SELECT incontro_id, risultato_id, persona_id, COALESCE(valutazione, ''), nota
		FROM monitoraggio_obiettivo WHERE incontro_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return err
	}
	type riga struct {
		id uuid.UUID
		r  VoceRisultato
		i  VoceImpegno
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (riga, error) {
		var x riga
		err := row.Scan(&x.id, &x.r.RisultatoID, &x.r.PersonaID, &x.r.Valutazione, &x.r.Nota)
		return x, err
	})
	if err != nil {
		return err
	}
	for _, x := range rs {
		fn(x.id, &x.r, nil)
	}
	rows, err = q.Query(ctx, `
		SELECT incontro_id, impegno_id, COALESCE(valutazione, ''), nota
		FROM monitoraggio_impegno WHERE incontro_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return err
	}
	is, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (riga, error) {
		var x riga
		err := row.Scan(&x.id, &x.i.ImpegnoID, &x.i.Valutazione, &x.i.Nota)
		return x, err
	})
	if err != nil {
		return err
	}
	for _, x := range is {
		fn(x.id, nil, &x.i)
	}
	return nil
}

// inserisci writes a planned meeting and its items.
func inserisci(ctx context.Context, q database.Querier, in Incontro, by uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := q.QueryRow(ctx, `
		INSERT INTO monitoraggio_incontro (caso_id, patto_id, patto_versione, data, ora, durata_minuti, luogo, note,
		                                   precedente_id, created_by, updated_by)
		VALUES ($1, $2, $3, $4, $5::time, $6, $7, $8, $9, $10, $10) RETURNING id`,
		in.CasoID, in.PattoID, in.PattoVersione, in.Data, in.Ora, in.DurataMinuti, in.Luogo, in.Note,
		in.PrecedenteID, by).Scan(&id)
	if err != nil {
		return uuid.Nil, err
	}
	for _, r := range in.Risultati {
		if _, err := q.Exec(ctx, `INSERT INTO monitoraggio_obiettivo (incontro_id, risultato_id, persona_id) VALUES ($1, $2, $3)`,
			id, r.RisultatoID, r.PersonaID); err != nil {
			return uuid.Nil, err
		}
	}
	for _, i := range in.Impegni {
		if _, err := q.Exec(ctx, `INSERT INTO monitoraggio_impegno (incontro_id, impegno_id) VALUES ($1, $2)`,
			id, i.ImpegnoID); err != nil {
			return uuid.Nil, err
		}
	}
	return id, nil
}

// svolto marks a planned meeting held at versione (compare-and-bump), with
// its assessment.
func svolto(ctx context.Context, q database.Querier, in Incontro, versione int, by uuid.UUID) error {
	tag, err := q.Exec(ctx, `
		UPDATE monitoraggio_incontro
		SET stato = 'svolto', data = $4, note = $5, prossimo_incontro = $6, incontro_id = $7,
		    versione = versione + 1, updated_by = $8, updated_at = now(), partecipanti = $9
		WHERE caso_id = $1 AND id = $2 AND versione = $3 AND stato = 'pianificato'`,
		in.CasoID, in.ID, versione, in.Data, in.Note, in.ProssimoIncontro, in.IncontroID, by, in.Partecipanti)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return ErrConflict
	}
	for _, r := range in.Risultati {
		if _, err := q.Exec(ctx, `UPDATE monitoraggio_obiettivo SET valutazione = $3, nota = $4
			WHERE incontro_id = $1 AND risultato_id = $2`, in.ID, r.RisultatoID, r.Valutazione, r.Nota); err != nil {
			return err
		}
	}
	for _, i := range in.Impegni {
		if _, err := q.Exec(ctx, `UPDATE monitoraggio_impegno SET valutazione = $3, nota = $4
			WHERE incontro_id = $1 AND impegno_id = $2`, in.ID, i.ImpegnoID, i.Valutazione, i.Nota); err != nil {
			return err
		}
	}
	return nil
}

// annulla cancels a planned meeting at versione (compare-and-bump).
func annulla(ctx context.Context, q database.Querier, casoID, id uuid.UUID, versione int, motivo string, by uuid.UUID) error {
	tag, err := q.Exec(ctx, `
		UPDATE monitoraggio_incontro
		SET stato = 'annullato', motivo_annullamento = $4, versione = versione + 1, updated_by = $5, updated_at = now()
		WHERE caso_id = $1 AND id = $2 AND versione = $3 AND stato = 'pianificato'`,
		casoID, id, versione, motivo, by)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return ErrConflict
	}
	return nil
}

// nomi are the names of everyone who has been a member of the nucleo.
func nomi(ctx context.Context, q database.Querier, nucleoID uuid.UUID) (map[string]string, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT p.id, p.cognome || ' ' || p.nome
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1`, nucleoID)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var id uuid.UUID
	var nome string
	_, err = pgx.ForEachRow(rows, []any{&id, &nome}, func() error {
		out[id.String()] = nome
		return nil
	})
	return out, err
}

// presenze of the incontro registered for a held meeting.
func presenze(ctx context.Context, q database.Querier, incontroID uuid.UUID) ([]Presenza, error) {
	rows, err := q.Query(ctx, `
		SELECT ip.persona_id, p.cognome || ' ' || p.nome, ip.presente, ip.giustificato, ip.motivo
		FROM incontro_presenza ip JOIN persona p ON p.id = ip.persona_id
		WHERE ip.incontro_id = $1 ORDER BY p.cognome, p.nome`, incontroID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Presenza, error) {
		var p Presenza
		err := r.Scan(&p.PersonaID, &p.Nome, &p.Presente, &p.Giustificato, &p.Motivo)
		return p, err
	})
}

// setStato moves the case to stato, bumping its versione like every other
// change of the case row.
func setStato(ctx context.Context, q database.Querier, casoID uuid.UUID, stato string) error {
	_, err := q.Exec(ctx, `UPDATE caso SET stato = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, casoID, stato)
	return err
}

// appuntamentoCols are a monitoring meeting m of case c as an appointment of
// the case manager $1, a convocazione of tipo monitoraggio.
const appuntamentoCols = `
	m.id, m.caso_id, c.case_manager_id, COALESCE(o.nome || ' ' || o.cognome, ''), 'monitoraggio',
	(m.data + m.ora) AT TIME ZONE 'Europe/Rome', m.durata_minuti, m.luogo, '', m.created_at, '',
	m.stato = 'annullato', '', m.versione, c.numero,
	CASE WHEN c.case_manager_id = $1 THEN COALESCE((
		SELECT p.cognome || ' ' || p.nome
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', nc.id LIMIT 1), '') ELSE '' END`

func scanAppuntamento(r pgx.CollectableRow) (incontri.AppuntamentoCaso, error) {
	var a incontri.AppuntamentoCaso
	c := &a.Convocazione
	err := r.Scan(&c.ID, &c.CasoID, &c.OperatoreID, &c.Operatore, &c.Tipo, &c.Inizio, &c.DurataMinuti,
		&c.Luogo, &c.Canale, &c.InviataIl, &c.EsitoConsegna, &c.Annullata, &c.Note, &c.Versione,
		&a.Numero, &a.Richiedente)
	a.Href = "/casi/" + a.CasoID.String() + "/monitoraggio/" + a.ID.String()
	return a, err
}

// daRegistrareSQL selects the monitoring meetings of case manager $1 still
// planned before $2, in their open cases.
const daRegistrareSQL = `
	SELECT ` + appuntamentoCols + `
	FROM monitoraggio_incontro m
	JOIN caso c ON c.id = m.caso_id
	LEFT JOIN operatore o ON o.id = c.case_manager_id
	WHERE c.case_manager_id = $1 AND c.stato <> 'chiuso' AND m.stato = 'pianificato'
	  AND (m.data + m.ora) AT TIME ZONE 'Europe/Rome' < $2`

// prossimoIncontro is the case's next monitoring meeting planned, at or
// after now.
func prossimoIncontro(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error) {
	var t *time.Time
	err := q.QueryRow(ctx, `
		SELECT min((data + ora) AT TIME ZONE 'Europe/Rome') FROM monitoraggio_incontro
		WHERE caso_id = $1 AND stato = 'pianificato' AND (data + ora) AT TIME ZONE 'Europe/Rome' >= $2`, casoID, now).Scan(&t)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: prossimo appuntamento: %w", err)
	}
	return t, nil
}

// appuntamentiOperatore are the monitoring meetings planned from dal to al
// in the open cases of case manager op (the cancelled ones too when
// annullati).
func appuntamentiOperatore(ctx context.Context, q database.Querier, op uuid.UUID, dal, al time.Time, annullati bool) ([]incontri.AppuntamentoCaso, error) {
	rows, err := q.Query(ctx, `
		SELECT `+appuntamentoCols+`
		FROM monitoraggio_incontro m
		JOIN caso c ON c.id = m.caso_id
		LEFT JOIN operatore o ON o.id = c.case_manager_id
		WHERE c.case_manager_id = $1 AND c.stato <> 'chiuso'
		  AND (m.stato = 'pianificato' OR ($4 AND m.stato = 'annullato'))
		  AND (m.data + m.ora) AT TIME ZONE 'Europe/Rome' >= $2 AND (m.data + m.ora) AT TIME ZONE 'Europe/Rome' < $3
		ORDER BY 6, 15`, op, dal, al, annullati)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: appuntamenti: %w", err)
	}
	return pgx.CollectRows(rows, scanAppuntamento)
}

// daRegistrareOperatore are the oldest limit monitoring meetings of case
// manager op still planned before prima, and how many there are.
func daRegistrareOperatore(ctx context.Context, q database.Querier, op uuid.UUID, prima time.Time, limit int) ([]incontri.AppuntamentoCaso, int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (`+daRegistrareSQL+`) x`, op, prima).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("monitoraggio: da registrare: %w", err)
	}
	if n == 0 || limit == 0 {
		return nil, n, nil
	}
	rows, err := q.Query(ctx, `SELECT * FROM (`+daRegistrareSQL+`) x ORDER BY 6, 15 LIMIT $3`, op, prima, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("monitoraggio: da registrare: %w", err)
	}
	as, err := pgx.CollectRows(rows, scanAppuntamento)
	return as, n, err
}

// accodaContaIncontri queues on b the count of the case's monitoring
// meetings held and the day of the first one planned (nil: none).
func accodaContaIncontri(b *pgx.Batch, casoID uuid.UUID, svolti *int, prossimo **time.Time) {
	b.Queue(`
		SELECT count(*) FILTER (WHERE stato = 'svolto'), min(data) FILTER (WHERE stato = 'pianificato')
		FROM monitoraggio_incontro WHERE caso_id = $1`, casoID).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(svolti, prossimo); err != nil {
			return fmt.Errorf("monitoraggio: sezione: %w", err)
		}
		return nil
	})
}

// prossimiIncontri is prossimoIncontro for the cases ids at once.
func prossimiIncontri(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (map[uuid.UUID]time.Time, error) {
	rows, err := q.Query(ctx, `
		SELECT caso_id, min((data + ora) AT TIME ZONE 'Europe/Rome') FROM monitoraggio_incontro
		WHERE caso_id = ANY($1) AND stato = 'pianificato' AND (data + ora) AT TIME ZONE 'Europe/Rome' >= $2
		GROUP BY caso_id`, ids, now)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: prossimi appuntamenti: %w", err)
	}
	out, err := database.PerChiave[uuid.UUID, time.Time](rows)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: prossimi appuntamenti: %w", err)
	}
	return out, nil
}
