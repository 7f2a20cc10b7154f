package assegnazioni

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
)

// The board's own SQL: read-only look-ups of the comuni, ambiti and
// operators (accesso's tables) its pages name. The cases are read and
// written through casi.Service (docs/adr/0009-split-casi.md).

// comuniScope are the comuni of p's scope, by name.
func comuniScope(ctx context.Context, q database.Querier, p authz.Principal) ([]ComuneScope, error) {
	args := []any{*p.AmbitoID}
	extra := ""
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		extra = " AND id = $2"
	}
	rows, err := q.Query(ctx, `SELECT id, denominazione FROM comune WHERE ambito_id = $1`+extra+` ORDER BY denominazione`, args...)
	if err != nil {
		return nil, fmt.Errorf("assegnazioni: comuni: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ComuneScope, error) {
		var c ComuneScope
		err := r.Scan(&c.ID, &c.Nome)
		return c, err
	})
}

// nomeOperatore is "Cognome Nome" of operator id ("" when there is none).
func nomeOperatore(ctx context.Context, q database.Querier, id uuid.UUID) (string, error) {
	var nome string
	err := q.QueryRow(ctx, `SELECT cognome || ' ' || nome FROM operatore WHERE id = $1`, id).Scan(&nome)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("assegnazioni: operatore: %w", err)
	}
	return nome, nil
}

// nomeAmbito is the denominazione of ambito id.
func nomeAmbito(ctx context.Context, q database.Querier, id int64) (string, error) {
	var nome string
	if err := q.QueryRow(ctx, `SELECT denominazione FROM ambito WHERE id = $1`, id).Scan(&nome); err != nil {
		return "", fmt.Errorf("assegnazioni: ambito: %w", err)
	}
	return nome, nil
}

const colonneComune = `SELECT co.id, co.codice_istat, co.denominazione, co.provincia, a.id, a.denominazione
	FROM comune co JOIN ambito a ON a.id = co.ambito_id`

func scanComune(r pgx.Row) (ComuneDestinazione, error) {
	var c ComuneDestinazione
	err := r.Scan(&c.ID, &c.CodiceISTAT, &c.Denominazione, &c.Provincia, &c.AmbitoID, &c.Ambito)
	return c, err
}

// comuneDestinazione is comune id with its ambito; ok is false when there
// is no such comune or it belongs to no ambito.
func comuneDestinazione(ctx context.Context, q database.Querier, id int64) (ComuneDestinazione, bool, error) {
	c, err := scanComune(q.QueryRow(ctx, colonneComune+` WHERE co.id = $1`, id))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return c, false, nil
	case err != nil:
		return c, false, fmt.Errorf("assegnazioni: comune: %w", err)
	}
	return c, true, nil
}

var (
	reISTAT     = regexp.MustCompile(`^[0-9]{6}$`)
	reProvincia = regexp.MustCompile(`^(.*\S)\s*\(([A-Za-z]{2})\)$`)
)

// cercaComuni is Service.CercaComuni.
func cercaComuni(ctx context.Context, q database.Querier, testo string) ([]ComuneDestinazione, error) {
	testo = strings.Join(strings.Fields(testo), " ")
	if testo == "" {
		return nil, nil
	}
	type cond struct {
		where string
		args  []any
	}
	var conds []cond
	if reISTAT.MatchString(testo) {
		conds = append(conds, cond{"co.codice_istat = $1", []any{testo}})
	} else {
		nome, prov := strings.ToLower(testo), ""
		if m := reProvincia.FindStringSubmatch(testo); m != nil {
			nome, prov = strings.ToLower(m[1]), strings.ToUpper(m[2])
		}
		provSQL, extra := "", []any{}
		if prov != "" {
			provSQL, extra = " AND co.provincia = $2", []any{prov}
		}
		like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(nome)
		conds = append(conds,
			cond{"lower(co.denominazione) = $1" + provSQL, append([]any{nome}, extra...)},
			cond{"lower(co.denominazione) LIKE '%' || $1 || '%'" + provSQL, append([]any{like}, extra...)})
	}
	for _, c := range conds {
		rows, err := q.Query(ctx, colonneComune+`
			WHERE `+c.where+` ORDER BY co.denominazione, co.provincia LIMIT `+strconv.Itoa(MaxComuniTrovati+1), c.args...)
		if err != nil {
			return nil, fmt.Errorf("assegnazioni: cerca comuni: %w", err)
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ComuneDestinazione, error) { return scanComune(r) })
		if err != nil {
			return nil, fmt.Errorf("assegnazioni: cerca comuni: %w", err)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}

// comuneFuoriAmbito is "Nome (PR)" of the comune of ISTAT code or exact
// name testo (optionally "Nome (PR)") that belongs to no ambito, "" if
// there is none (or more than one: the name says too little).
func comuneFuoriAmbito(ctx context.Context, q database.Querier, testo string) (string, error) {
	testo = strings.Join(strings.Fields(testo), " ")
	nome, prov := testo, ""
	if m := reProvincia.FindStringSubmatch(testo); m != nil {
		nome, prov = m[1], strings.ToUpper(m[2])
	}
	rows, err := q.Query(ctx, `SELECT denominazione || ' (' || provincia || ')' FROM comune
		WHERE ambito_id IS NULL AND (codice_istat = $1 OR (lower(denominazione) = lower($2) AND ($3 = '' OR provincia = $3)))
		LIMIT 2`, testo, nome, prov)
	if err != nil {
		return "", fmt.Errorf("assegnazioni: comune fuori ambito: %w", err)
	}
	nomi, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(nomi) != 1 {
		return "", err
	}
	return nomi[0], nil
}
