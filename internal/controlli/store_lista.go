package controlli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// The worklist's SQL: the requests a principal reaches, each with the state
// its comune sees, the worklist page, the counts, the workload and the
// assignment writes.

// portata is whom a worklist query is for: the comune the principal acts
// for and, for a responsabile, the operator (nil for a coordinatore).
type portata struct {
	comune int64
	me     *uuid.UUID
	// aperte: only the requests not concluded for the comune asked (a
	// filter that excludes concluded ones reads only the open part of the
	// index on (comune_id, stato, scadenza, id)).
	aperte bool
}

// righeSQL is the CTE "righe": every request p reaches (PLAN "Scope rules"),
// one row each, with the state the comune sees (stato: da_assegnare,
// in_lavorazione, inoltrata, conclusa), the assignee on its side (the
// request's for the comune asked, the step's for a comune of the chain) and
// whether the comune is the one asked (propria). args receives the
// parameters; the returned text starts with WITH.
func righeSQL(pt portata, args *[]any) string {
	*args = append(*args, pt.comune)
	c := fmt.Sprintf("$%d", len(*args))
	mioR, mioT := "", ""
	if pt.aperte {
		mioR = " AND r.stato <> 'conclusa'"
	}
	if pt.me != nil {
		*args = append(*args, *pt.me)
		me := fmt.Sprintf("$%d", len(*args))
		mioR, mioT = mioR+" AND r.assegnatario = "+me, " AND t.assegnatario = "+me
	}
	return `WITH vis AS (
			SELECT r.id, NULL::bigint AS tappa_id FROM controllo_richiesta r WHERE r.comune_id = ` + c + mioR + `
			UNION ALL
			SELECT * FROM (SELECT DISTINCT ON (t.richiesta_id) t.richiesta_id, t.id FROM controllo_tappa t
			               WHERE t.comune_id = ` + c + mioT + ` ORDER BY t.richiesta_id, t.n DESC) ultime),
		righe AS (
			SELECT r.id, r.id_richiesta, r.tipo, r.comune_id, r.codice_fiscale, r.cognome, r.nome, r.data_nascita,
			       r.scadenza, r.versione, vis.tappa_id IS NULL AS propria, t.id AS tappa_id, t.chiusa_il,
			       CASE WHEN vis.tappa_id IS NULL THEN r.assegnatario ELSE t.assegnatario END AS assegnatario,
			       CASE WHEN vis.tappa_id IS NULL THEN
			                 CASE r.stato WHEN 'conclusa' THEN 'conclusa' WHEN 'inoltrata' THEN 'inoltrata'
			                      ELSE CASE WHEN r.assegnatario IS NULL THEN 'da_assegnare' ELSE 'in_lavorazione' END END
			            ELSE CASE WHEN t.esito IS NULL THEN
			                           CASE WHEN t.assegnatario IS NULL THEN 'da_assegnare' ELSE 'in_lavorazione' END
			                      WHEN t.esito = 'inoltrata' THEN 'inoltrata' ELSE 'conclusa' END
			       END AS stato
			FROM vis JOIN controllo_richiesta r ON r.id = vis.id
			LEFT JOIN controllo_tappa t ON t.id = vis.tappa_id)
		`
}

// filtroSQL is the WHERE of the worklist's filters over righe x.
func filtroSQL(f Filtro, oggi time.Time, args *[]any) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return fmt.Sprintf("$%d", len(*args))
	}
	conds := []string{"true"}
	if f.Tipo != "" {
		conds = append(conds, "x.tipo = "+arg(string(f.Tipo)))
	}
	switch f.Stato {
	case "":
		conds = append(conds, "x.stato <> 'conclusa'")
	case Tutte:
	default:
		conds = append(conds, "x.stato = "+arg(string(f.Stato)))
	}
	switch f.Scadenza {
	case InScadenza:
		conds = append(conds, "x.stato <> 'conclusa' AND x.scadenza BETWEEN "+arg(oggi)+"::date AND "+arg(oggi.AddDate(0, 0, f.Giorni))+"::date")
	case Scadute:
		conds = append(conds, "x.stato <> 'conclusa' AND x.scadenza < "+arg(oggi)+"::date")
	}
	if f.Responsabile != uuid.Nil {
		conds = append(conds, "x.assegnatario = "+arg(f.Responsabile))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		a := arg(q)
		conds = append(conds, "(x.codice_fiscale = upper("+a+") OR lower(x.cognome) LIKE lower("+arg(likePrefisso(q))+"))")
	}
	return strings.Join(conds, " AND ")
}

// likePrefisso is q as a LIKE prefix pattern, its wildcards escaped.
func likePrefisso(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(q) + "%"
}

// lista reads page f.Pagina of the worklist (one row more than a page).
func lista(ctx context.Context, q database.Querier, pt portata, f Filtro, oggi time.Time) ([]Riga, error) {
	var args []any
	pt.aperte = f.Scadenza != "" || (f.Stato != Tutte && f.Stato != ConclusaLista)
	sql := righeSQL(pt, &args) + `
		SELECT x.id, CASE WHEN x.propria THEN x.id_richiesta ELSE '' END, x.tipo, x.propria, x.codice_fiscale,
		       x.cognome, x.nome, x.data_nascita, co.denominazione, x.scadenza, x.stato, x.assegnatario,
		       COALESCE(o.nome || ' ' || o.cognome, ''), x.versione
		FROM righe x JOIN comune co ON co.id = x.comune_id LEFT JOIN operatore o ON o.id = x.assegnatario
		WHERE ` + filtroSQL(f, oggi, &args) + `
		ORDER BY x.scadenza, x.id` + database.Pagina(f.Pagina, DimensionePagina)
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Riga, error) {
		var x Riga
		err := r.Scan(&x.ID, &x.IDRichiesta, &x.Tipo, &x.Propria, &x.CodiceFiscale, &x.Cognome, &x.Nome, &x.DataNascita,
			&x.ComuneRichiesta, &x.Scadenza, &x.Stato, &x.AssegnatarioID, &x.Assegnatario, &x.Versione)
		return x, err
	})
}

// conteggi counts the requests pt reaches: to assign, in lavorazione, due
// within giorni days from oggi, past due (the last two: not concluded).
func conteggi(ctx context.Context, q database.Querier, pt portata, oggi time.Time, giorni int) (Conteggi, error) {
	var args []any
	pt.aperte = true // every count is of requests not concluded
	sql := righeSQL(pt, &args)
	args = append(args, oggi, oggi.AddDate(0, 0, giorni))
	n := len(args)
	var c Conteggi
	err := q.QueryRow(ctx, sql+fmt.Sprintf(`
		SELECT count(*) FILTER (WHERE x.stato = 'da_assegnare'),
		       count(*) FILTER (WHERE x.stato = 'in_lavorazione'),
		       count(*) FILTER (WHERE x.stato <> 'conclusa' AND x.scadenza BETWEEN $%d::date AND $%d::date),
		       count(*) FILTER (WHERE x.stato <> 'conclusa' AND x.scadenza < $%d::date)
		FROM righe x`, n-1, n, n-1), args...).Scan(&c.DaAssegnare, &c.InLavorazione, &c.InScadenza, &c.Scadute)
	return c, err
}

// carichi is the workload of comune pt.comune per assignee: open (in
// lavorazione or forwarded), due within giorni days, past due, concluded
// since oggi-30 (the first esito's date; a step's closing day).
func carichi(ctx context.Context, q database.Querier, pt portata, oggi time.Time, giorni int) ([]Carico, error) {
	var args []any
	sql := righeSQL(pt, &args)
	args = append(args, oggi, oggi.AddDate(0, 0, giorni), oggi.AddDate(0, 0, -30))
	n := len(args)
	rows, err := q.Query(ctx, sql+fmt.Sprintf(`
		SELECT x.assegnatario, o.nome || ' ' || o.cognome,
		       count(*) FILTER (WHERE x.stato IN ('in_lavorazione', 'inoltrata')),
		       count(*) FILTER (WHERE x.stato <> 'conclusa' AND x.scadenza BETWEEN $%[1]d::date AND $%[2]d::date),
		       count(*) FILTER (WHERE x.stato <> 'conclusa' AND x.scadenza < $%[1]d::date),
		       count(*) FILTER (WHERE x.stato = 'conclusa' AND
		             CASE WHEN x.propria THEN (SELECT min(e.data_esito) FROM controllo_esito e WHERE e.richiesta_id = x.id)
		                  ELSE (x.chiusa_il AT TIME ZONE 'Europe/Rome')::date END >= $%[3]d::date)
		FROM righe x JOIN operatore o ON o.id = x.assegnatario
		GROUP BY x.assegnatario, o.nome, o.cognome
		ORDER BY lower(o.cognome), lower(o.nome)`, n-2, n-1, n), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Carico, error) {
		var c Carico
		err := r.Scan(&c.ID, &c.Nome, &c.Aperte, &c.InScadenza, &c.Scadute, &c.Concluse30)
		return c, err
	})
}

// daAssegnare is a request locked for its assignment by comune comune.
type daAssegnare struct {
	propria       bool   // asked to comune
	stato         string // the request's
	versione      int
	assegnatario  *uuid.UUID // the request's, or the open step's
	tappaAperta   *int64     // the open step of comune, if any
	tappaChiusa   bool       // comune held a step, now closed
	nominativo    string
	codiceFiscale string
}

// perAssegnare locks request id and reads what its assignment by comune
// needs; pgx.ErrNoRows when there is no such request.
func perAssegnare(ctx context.Context, q database.Querier, id uuid.UUID, comune int64) (daAssegnare, error) {
	var d daAssegnare
	var tappaAss *uuid.UUID
	err := q.QueryRow(ctx, `
		SELECT r.comune_id = $2, r.stato, r.versione, r.assegnatario, r.cognome || ' ' || r.nome, r.codice_fiscale,
		       t.id, t.assegnatario,
		       EXISTS (SELECT 1 FROM controllo_tappa c WHERE c.richiesta_id = r.id AND c.comune_id = $2 AND c.esito IS NOT NULL)
		FROM controllo_richiesta r
		LEFT JOIN controllo_tappa t ON t.richiesta_id = r.id AND t.comune_id = $2 AND t.esito IS NULL
		WHERE r.id = $1
		FOR UPDATE OF r`, id, comune).
		Scan(&d.propria, &d.stato, &d.versione, &d.assegnatario, &d.nominativo, &d.codiceFiscale, &d.tappaAperta, &tappaAss, &d.tappaChiusa)
	if !d.propria {
		d.assegnatario = tappaAss
	}
	return d, err
}

// assegnaRichiesta gives request id to responsabile resp.
func assegnaRichiesta(ctx context.Context, q database.Querier, id, resp, da uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `
		UPDATE controllo_richiesta SET assegnatario = $2, assegnata_il = $4, versione = versione + 1, updated_by = $3, updated_at = $4
		WHERE id = $1`, id, resp, da, now)
	return err
}

// assegnaTappa gives the open step tappa of request id to responsabile
// resp; the request's versione moves (its chain changed).
func assegnaTappa(ctx context.Context, q database.Querier, id uuid.UUID, tappa int64, resp uuid.UUID, now time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE controllo_tappa SET assegnatario = $2, assegnata_il = $3 WHERE id = $1 AND esito IS NULL`,
		tappa, resp, now); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `UPDATE controllo_richiesta SET versione = versione + 1, updated_at = $2 WHERE id = $1`, id, now)
	return err
}
