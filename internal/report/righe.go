package report

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
)

// RigheTabella are the rows of the file of table t, exactly as the page
// shows it (view.templ, tabella): its title and period, the header, one row
// per row of the table with its total and share, the totals' row, and the
// note on the suppressed cells. The cells' texts are Cella.Testo: "<5" and
// "n.d." where the page has them.
func RigheTabella(t Tabella, periodo string) [][]Valore {
	out := [][]Valore{{T(t.Titolo)}, {T(periodo)}, {T(t.Descrizione)}, {}}
	h := []Valore{T(intestazioneRighe(t))}
	for _, c := range t.Colonne {
		h = append(h, T(c))
	}
	if t.TotRiga != nil {
		h = append(h, T("Totale"))
	}
	if t.Quota {
		h = append(h, T("Quota "+t.Colonne[0]))
	}
	out = append(out, h)
	cella := func(x Cella) Valore {
		if x.Nascosta {
			return T(x.Testo())
		}
		if x.OltreTetto {
			return T(x.Testo() + " (oltre il tetto)")
		}
		return N(x.Valore)
	}
	for r, riga := range t.Celle {
		row := []Valore{T(t.Righe[r])}
		for _, x := range riga {
			row = append(row, cella(x))
		}
		if t.TotRiga != nil {
			row = append(row, cella(t.TotRiga[r]))
		}
		if t.Quota {
			row = append(row, T(t.Quote[r]))
		}
		out = append(out, row)
	}
	if t.TotColonna != nil {
		row := []Valore{T("Totale")}
		for _, x := range t.TotColonna {
			row = append(row, cella(x))
		}
		if t.TotRiga != nil && t.Totale != nil {
			row = append(row, cella(*t.Totale))
		}
		out = append(out, row)
	}
	if len(t.Righe) == 0 {
		out = append(out, []Valore{T("Nessun dato per il periodo e il comune scelti.")})
	}
	if t.Soppressa && t.Misura == MisuraGiorni {
		out = append(out, []Valore{}, []Valore{T("<5: da 1 a 4 casi. <5 casi: i giorni di meno di 5 casi non sono mostrati.")})
	} else if t.Soppressa {
		out = append(out, []Valore{}, []Valore{T("<5: da 1 a 4. n.d.: oscurato per non far ricavare un valore <5 dai totali.")})
	}
	return out
}

// ColonnaPseudonimo is the first column of the dataset.
const ColonnaPseudonimo = "id_pseudonimo"

// Pseudonimo is the stable pseudonymous id of case casoID in the ambito
// whose key is chiave: HMAC-SHA256, hex, its first 20 characters (80
// bits). Without the key, which never leaves the database, it cannot be
// linked back to the case; another ambito's key gives another id.
func Pseudonimo(chiave []byte, casoID string) string {
	m := hmac.New(sha256.New, chiave)
	m.Write([]byte(casoID))
	return hex.EncodeToString(m.Sum(nil))[:20]
}

// ColonneDataset are the dataset's columns: the pseudonymous id, the
// base's, each provider's.
func ColonneDataset(base BaseDataset, fornitori []FornitoreDataset) []string {
	cols := append([]string{ColonnaPseudonimo}, base.ColonneBase()...)
	for _, fo := range fornitori {
		cols = append(cols, fo.ColonneDataset()...)
	}
	return cols
}

// LottoDataset is the number of cases read and joined at a time.
const LottoDataset = 2000

// ScriviDataset writes the dataset of f to s: the header, then the cases
// batch by batch (LottoDataset), each with the providers' columns;
// progresso is called after each batch with the rows written.
func ScriviDataset(ctx context.Context, s Scrittore, base BaseDataset, fornitori []FornitoreDataset, chiave []byte, f Filtro, progresso func(int) error) (int, error) {
	cols := ColonneDataset(base, fornitori)
	h := make([]Valore, len(cols))
	for i, c := range cols {
		h[i] = T(c)
	}
	if err := s.Riga(h); err != nil {
		return 0, err
	}
	nb := len(base.ColonneBase())
	ks := make([]int, len(fornitori))
	for i, fo := range fornitori {
		ks[i] = len(fo.ColonneDataset())
	}
	// Three stages at once, a batch or two apart, so that the database
	// reads the next cases and their modules' columns while this process
	// writes the rows: the base's cases as they stream; each batch's
	// columns, the modules asked together; the rows written in order.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type lottoPronto struct {
		casi  []CasoDataset
		extra []map[string][]string
	}
	lotti := make(chan []CasoDataset, 1)
	pronti := make(chan lottoPronto, 1)
	var errBase, errModuli error
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(lotti)
		errBase = base.ScorriDataset(ctx, f, LottoDataset, func(casi []CasoDataset) error {
			select {
			case lotti <- append([]CasoDataset(nil), casi...): // the base reuses its batch
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	})
	wg.Go(func() {
		defer close(pronti)
		for casi := range lotti {
			ids := make([]string, len(casi))
			for i, c := range casi {
				ids[i] = c.ID
			}
			extra := make([]map[string][]string, len(fornitori))
			errs := make([]error, len(fornitori))
			var mg sync.WaitGroup
			for i, fo := range fornitori {
				mg.Go(func() { extra[i], errs[i] = fo.ValoriDataset(ctx, f, ids) })
			}
			mg.Wait()
			if errModuli = errors.Join(errs...); errModuli != nil {
				cancel()
				return
			}
			select {
			case pronti <- lottoPronto{casi, extra}:
			case <-ctx.Done():
				return
			}
		}
	})
	riga := make([]Valore, len(cols))
	n := 0
	scrivi := func(lp lottoPronto) error {
		for _, c := range lp.casi {
			if len(c.Valori) != nb {
				return fmt.Errorf("report: dataset: %d valori di base, attesi %d", len(c.Valori), nb)
			}
			riga = riga[:0]
			riga = append(riga, T(Pseudonimo(chiave, c.ID)))
			for _, v := range c.Valori {
				riga = append(riga, T(v))
			}
			for i, k := range ks {
				vv := lp.extra[i][c.ID]
				for j := range k {
					if j < len(vv) {
						riga = append(riga, T(vv[j]))
					} else {
						riga = append(riga, T(""))
					}
				}
			}
			if err := s.Riga(riga); err != nil {
				return err
			}
			n++
		}
		if progresso != nil {
			return progresso(n)
		}
		return nil
	}
	var errScrivi error
	for lp := range pronti {
		if errScrivi == nil {
			if errScrivi = scrivi(lp); errScrivi != nil {
				cancel() // the other stages stop; pronti is drained
			}
		}
	}
	wg.Wait()
	switch {
	case errScrivi != nil:
		return n, errScrivi
	case errModuli != nil:
		return n, errModuli
	case errBase != nil && !errors.Is(errBase, context.Canceled):
		return n, errBase
	}
	return n, ctx.Err()
}
