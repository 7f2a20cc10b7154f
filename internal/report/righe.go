package report

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	riga := make([]Valore, len(cols))
	n := 0
	err := base.ScorriDataset(ctx, f, LottoDataset, func(casi []CasoDataset) error {
		ids := make([]string, len(casi))
		for i, c := range casi {
			ids[i] = c.ID
		}
		extra := make([]map[string][]string, len(fornitori))
		for i, fo := range fornitori {
			var err error
			if extra[i], err = fo.ValoriDataset(ctx, f, ids); err != nil {
				return err
			}
		}
		for _, c := range casi {
			if len(c.Valori) != nb {
				return fmt.Errorf("report: dataset: %d valori di base, attesi %d", len(c.Valori), nb)
			}
			riga = riga[:0]
			riga = append(riga, T(Pseudonimo(chiave, c.ID)))
			for _, v := range c.Valori {
				riga = append(riga, T(v))
			}
			for i, k := range ks {
				vv := extra[i][c.ID]
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
	})
	return n, err
}
