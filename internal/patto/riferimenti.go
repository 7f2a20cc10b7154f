package patto

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// TipoSostegno is a row of the catalogue of sostegni (patto_sostegno_tipo),
// as valid on a day.
type TipoSostegno struct {
	Codice               string
	Etichetta            string
	Descrizione          string
	Macrolivello         string // FNPS macrolivello, "" when none
	NomenclatoreCodice   string // official code, "" until the list is loaded
	NomenclatoreVersione string
	Tirocinio            bool
	Valido               bool // offered in drafts today
}

// AreaImpegno is a row of patto_impegno_area.
type AreaImpegno struct {
	Codice, Etichetta, Descrizione string
	Valida                         bool
}

// Riferimenti are the patto's reference lists: the rows valid on the day,
// and those no longer valid (marked) so that old versions keep their labels.
type Riferimenti struct {
	Sostegni []TipoSostegno
	Aree     []AreaImpegno
}

// Sostegno returns the catalogue row of codice.
func (r Riferimenti) Sostegno(codice string) (TipoSostegno, bool) {
	for _, t := range r.Sostegni {
		if t.Codice == codice {
			return t, true
		}
	}
	return TipoSostegno{}, false
}

// EtichettaSostegno is the label of a sostegno tipo (the code when unknown).
func (r Riferimenti) EtichettaSostegno(codice string) string {
	if t, ok := r.Sostegno(codice); ok {
		return t.Etichetta
	}
	return codice
}

// EtichettaArea is the label of an impegno area (the code when unknown).
func (r Riferimenti) EtichettaArea(codice string) string {
	for _, a := range r.Aree {
		if a.Codice == codice {
			return a.Etichetta
		}
	}
	return codice
}

func (r Riferimenti) areaValida(codice string) bool {
	for _, a := range r.Aree {
		if a.Codice == codice {
			return a.Valida
		}
	}
	return false
}

const valido = `attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)`

// CaricaRiferimenti reads the reference lists as valid on day.
func CaricaRiferimenti(ctx context.Context, q database.Querier, day time.Time) (Riferimenti, error) {
	var r Riferimenti
	type ordinato[T any] struct {
		v      T
		ordine int
	}
	rows, err := q.Query(ctx, `
		SELECT DISTINCT ON (codice) codice, etichetta, descrizione, macrolivello, nomenclatore_codice, nomenclatore_versione,
		       tirocinio, `+valido+`, ordine
		FROM patto_sostegno_tipo
		ORDER BY codice, (`+valido+`) DESC, valido_dal DESC`, day)
	if err != nil {
		return r, fmt.Errorf("patto: catalogo dei sostegni: %w", err)
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ordinato[TipoSostegno], error) {
		var o ordinato[TipoSostegno]
		t := &o.v
		err := row.Scan(&t.Codice, &t.Etichetta, &t.Descrizione, &t.Macrolivello, &t.NomenclatoreCodice, &t.NomenclatoreVersione,
			&t.Tirocinio, &t.Valido, &o.ordine)
		return o, err
	})
	if err != nil {
		return r, fmt.Errorf("patto: catalogo dei sostegni: %w", err)
	}
	slices.SortStableFunc(ts, func(a, b ordinato[TipoSostegno]) int {
		return cmp.Or(cmp.Compare(a.ordine, b.ordine), strings.Compare(a.v.Codice, b.v.Codice))
	})
	for _, t := range ts {
		r.Sostegni = append(r.Sostegni, t.v)
	}
	rows, err = q.Query(ctx, `
		SELECT DISTINCT ON (codice) codice, etichetta, descrizione, `+valido+`, ordine
		FROM patto_impegno_area
		ORDER BY codice, (`+valido+`) DESC, valido_dal DESC`, day)
	if err != nil {
		return r, fmt.Errorf("patto: aree degli impegni: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ordinato[AreaImpegno], error) {
		var o ordinato[AreaImpegno]
		err := row.Scan(&o.v.Codice, &o.v.Etichetta, &o.v.Descrizione, &o.v.Valida, &o.ordine)
		return o, err
	})
	if err != nil {
		return r, fmt.Errorf("patto: aree degli impegni: %w", err)
	}
	slices.SortStableFunc(as, func(a, b ordinato[AreaImpegno]) int {
		return cmp.Or(cmp.Compare(a.ordine, b.ordine), strings.Compare(a.v.Codice, b.v.Codice))
	})
	for _, a := range as {
		r.Aree = append(r.Aree, a.v)
	}
	return r, nil
}
