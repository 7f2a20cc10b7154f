package analisi

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// VoceRif is one row of a reference list, as valid at a date: Valida says
// whether it is offered in new schede (attivo and within its validity);
// labels of rows no longer valid still resolve, so that old versions read
// as they were written.
type VoceRif struct {
	Codice      string
	Etichetta   string
	Descrizione string // percorsi: who it is for; esiti: the next step
	Tipo        string // motivi: esclusione | esonero
	EsoneroT90  bool   // motivi: also exempts from the 90-day presentation
	Fonte       string // motivi: legal source
	StatoCaso   string // esiti: where the case goes on finalisation ("" stays)
	Ordine      int
	Valida      bool
}

// Lista is a reference list in display order.
type Lista []VoceRif

// Label returns the label of codice, or codice itself when unknown.
func (l Lista) Label(codice string) string {
	for _, v := range l {
		if v.Codice == codice {
			return v.Etichetta
		}
	}
	return codice
}

// LabelOrEmpty is Label, "" for "".
func (l Lista) LabelOrEmpty(codice string) string {
	if codice == "" {
		return ""
	}
	return l.Label(codice)
}

// Get returns the row of codice.
func (l Lista) Get(codice string) (VoceRif, bool) {
	for _, v := range l {
		if v.Codice == codice {
			return v, true
		}
	}
	return VoceRif{}, false
}

// Offerte are the rows to offer in a form: the valid ones, and those no
// longer valid that the scheda already uses (so that nothing is lost).
func (l Lista) Offerte(usati func(codice string) bool) Lista {
	var out Lista
	for _, v := range l {
		if v.Valida || usati != nil && usati(v.Codice) {
			out = append(out, v)
		}
	}
	return out
}

// Riferimenti are the reference lists the scheda uses.
type Riferimenti struct {
	Aree, Motivi, Percorsi, Esiti, Servizi Lista
}

// CaricaRiferimenti loads the reference lists as valid at oggi.
func CaricaRiferimenti(ctx context.Context, q database.Querier, oggi time.Time) (Riferimenti, error) {
	var r Riferimenti
	var err error
	load := func(dst *Lista, table, extra string) {
		if err != nil {
			return
		}
		// One row per code: the one valid at oggi if any, else the latest.
		sql := `SELECT DISTINCT ON (codice) codice, etichetta, ordine,
		               attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1) AS valida, ` + extra + `
		        FROM ` + table + `
		        ORDER BY codice, (attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)) DESC, valido_dal DESC`
		var rows pgx.Rows
		rows, err = q.Query(ctx, sql, oggi)
		if err != nil {
			err = fmt.Errorf("analisi: riferimenti %s: %w", table, err)
			return
		}
		*dst, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (VoceRif, error) {
			var v VoceRif
			err := row.Scan(&v.Codice, &v.Etichetta, &v.Ordine, &v.Valida, &v.Descrizione, &v.Tipo, &v.EsoneroT90, &v.Fonte, &v.StatoCaso)
			return v, err
		})
		if err != nil {
			err = fmt.Errorf("analisi: riferimenti %s: %w", table, err)
			return
		}
		sort.SliceStable(*dst, func(i, j int) bool {
			a, b := (*dst)[i], (*dst)[j]
			if a.Ordine != b.Ordine {
				return a.Ordine < b.Ordine
			}
			return a.Codice < b.Codice
		})
	}
	load(&r.Aree, "analisi_area", `'', '', false, '', ''`)
	load(&r.Motivi, "analisi_motivo", `'', tipo, esonero_t90, fonte, ''`)
	load(&r.Percorsi, "analisi_percorso", `descrizione, '', false, '', ''`)
	load(&r.Esiti, "analisi_esito", `prossimo_passo, '', false, '', COALESCE(stato_caso, '')`)
	load(&r.Servizi, "analisi_servizio", `'', '', false, '', ''`)
	return r, err
}
