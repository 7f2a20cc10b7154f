package report

import (
	"fmt"
	"strconv"
)

// Soglia: a count of nuclei from 1 to Soglia-1 is shown as "<5".
const Soglia = 5

// Soppressione says which cells of a table and of its margins are hidden.
// Primary: a count from 1 to 4. Complementary: in every row and column
// that has a total (a table of more than one column has row totals, of
// more than one row column totals), a hidden cell never stays alone, or
// the total minus the visible cells would give it back; the smallest other
// cell is hidden with it (a cell of 0 when no other is left, the total
// when no cell is left), until no line has exactly one.
type Soppressione struct {
	Celle      [][]bool // [r][c]: hidden
	Primarie   [][]bool // [r][c]: hidden because under Soglia
	TotRiga    []bool   // the total of row r hidden (only with more than one column)
	TotColonna []bool   // the total of column c hidden (only with more than one row)
	Totale     bool     // the grand total hidden
}

// Sopprimi computes the suppression of valori (rows of equal length);
// totRiga false: the columns are different measures of a row, which has
// no total, so only the columns are lines.
func Sopprimi(valori [][]int, totRiga bool) Soppressione {
	R := len(valori)
	C := 0
	if R > 0 {
		C = len(valori[0])
	}
	totCol, totColonne := C > 1 && totRiga, R > 1 // whether rows have a total column, columns a total row
	RR, CC := R, C
	if totColonne {
		RR++
	}
	if totCol {
		CC++
	}
	m := make([][]int, RR)
	for i := range m {
		m[i] = make([]int, CC)
	}
	for r := range R {
		for c := range C {
			v := valori[r][c]
			m[r][c] = v
			if totCol {
				m[r][C] += v
			}
			if totColonne {
				m[R][c] += v
			}
			if totCol && totColonne {
				m[R][C] += v
			}
		}
	}
	hid := make([][]bool, RR)
	prim := make([][]bool, RR)
	for i := range hid {
		hid[i] = make([]bool, CC)
		prim[i] = make([]bool, CC)
		for j := range CC {
			if m[i][j] > 0 && m[i][j] < Soglia {
				hid[i][j], prim[i][j] = true, true
			}
		}
	}
	// lines: each is a list of positions, the last one its total.
	type pos struct{ r, c int }
	var linee [][]pos
	if totCol {
		for i := range RR {
			l := make([]pos, 0, CC)
			for j := range CC {
				l = append(l, pos{i, j})
			}
			linee = append(linee, l)
		}
	}
	if totColonne {
		for j := range CC {
			l := make([]pos, 0, RR)
			for i := range RR {
				l = append(l, pos{i, j})
			}
			linee = append(linee, l)
		}
	}
	for cambiato := true; cambiato; {
		cambiato = false
		for _, l := range linee {
			n := 0
			for _, p := range l {
				if hid[p.r][p.c] {
					n++
				}
			}
			if n != 1 {
				continue
			}
			// the smallest visible cell (not the total), positive first
			best := -1
			for k, p := range l[:len(l)-1] {
				if hid[p.r][p.c] {
					continue
				}
				if best < 0 {
					best = k
					continue
				}
				b := l[best]
				v, bv := m[p.r][p.c], m[b.r][b.c]
				if (v > 0 && bv == 0) || ((v > 0) == (bv > 0) && v < bv) {
					best = k
				}
			}
			t := l[len(l)-1]
			if best >= 0 {
				t = l[best]
			}
			hid[t.r][t.c] = true
			cambiato = true
		}
	}
	s := Soppressione{Celle: make([][]bool, R), Primarie: make([][]bool, R)}
	for r := range R {
		s.Celle[r] = hid[r][:C]
		s.Primarie[r] = prim[r][:C]
		if totCol {
			s.TotRiga = append(s.TotRiga, hid[r][C])
		}
	}
	if totColonne {
		s.TotColonna = hid[R][:C]
	}
	switch {
	case totCol && totColonne:
		s.Totale = hid[R][C]
	case totCol && R == 1:
		s.Totale = hid[0][C]
	case totColonne && C == 1:
		s.Totale = hid[R][0]
	}
	return s
}

// Cella is one shown count.
type Cella struct {
	Valore     int
	Nascosta   bool
	Primaria   bool // under Soglia, not just hidden to protect another
	Totale     bool
	Percento   string // for a share: "" when hidden
	OltreTetto bool
	// Giorni: a duration (MisuraGiorni); hidden, its row counts fewer
	// than Soglia cases (or none: Vuota), and Valore is 0.
	Giorni bool
	Vuota  bool
}

// Testo is what the cell shows.
func (c Cella) Testo() string {
	switch {
	case c.Giorni && c.Vuota:
		return "–"
	case c.Giorni && c.Nascosta:
		return "<" + strconv.Itoa(Soglia) + " casi"
	case c.Giorni && c.Valore == 1:
		return "1 giorno"
	case c.Giorni:
		return strconv.Itoa(c.Valore) + " giorni"
	case c.Nascosta && c.Primaria:
		return "<" + strconv.Itoa(Soglia)
	case c.Nascosta:
		return "n.d."
	}
	return strconv.Itoa(c.Valore)
}

// Tabella is an indicator ready to be shown: the cells with their
// suppression, the totals, the shares.
type Tabella struct {
	Indicatore
	Celle      [][]Cella
	TotRiga    []Cella // nil: no total column
	TotColonna []Cella // nil: no total row
	Totale     *Cella
	Quote      []string // per row, with Quota: "42,1 %" or "n.d."
	Oltre      []string // the rows over Tetto
	Soppressa  bool     // some cell hidden: the note is shown
}

// NuovaTabella applies the suppression (for counts of nuclei) to i.
func NuovaTabella(i Indicatore) Tabella {
	if i.Misura == MisuraGiorni {
		return tabellaGiorni(i)
	}
	t := Tabella{Indicatore: i}
	R, C := len(i.Righe), len(i.Colonne)
	var s Soppressione
	if i.Nuclei {
		s = Sopprimi(i.Valori, !i.SenzaTotaleRiga)
	}
	nascosta := func(b [][]bool, r, c int) bool { return b != nil && b[r][c] }
	tc := make([]int, C)
	tot := 0
	for r := range R {
		riga := make([]Cella, C)
		tr := 0
		for c := range C {
			v := i.Valori[r][c]
			riga[c] = Cella{Valore: v, Nascosta: nascosta(s.Celle, r, c), Primaria: nascosta(s.Primarie, r, c)}
			t.Soppressa = t.Soppressa || riga[c].Nascosta
			tr += v
			tc[c] += v
			tot += v
		}
		if i.Tetto > 0 && C > 0 && i.Valori[r][0] > i.Tetto {
			riga[0].OltreTetto = true
			t.Oltre = append(t.Oltre, i.Righe[r])
		}
		t.Celle = append(t.Celle, riga)
		if C > 1 && !i.SenzaTotaleRiga {
			x := Cella{Valore: tr, Totale: true}
			if s.TotRiga != nil {
				x.Nascosta, x.Primaria = s.TotRiga[r], tr > 0 && tr < Soglia
			}
			t.TotRiga = append(t.TotRiga, x)
		}
		if i.Quota && C > 0 {
			q := "n.d."
			if tr > 0 && !riga[0].Nascosta && (t.TotRiga == nil || !t.TotRiga[r].Nascosta) {
				q = percento(i.Valori[r][0], tr)
			}
			if tr == 0 {
				q = "–"
			}
			t.Quote = append(t.Quote, q)
		}
	}
	if R > 1 {
		for c := range C {
			x := Cella{Valore: tc[c], Totale: true}
			if s.TotColonna != nil {
				x.Nascosta, x.Primaria = s.TotColonna[c], tc[c] > 0 && tc[c] < Soglia
			}
			t.TotColonna = append(t.TotColonna, x)
		}
	}
	if R > 1 || (C > 1 && !i.SenzaTotaleRiga) {
		t.Totale = &Cella{Valore: tot, Totale: true, Nascosta: s.Totale, Primaria: s.Totale && tot > 0 && tot < Soglia}
	}
	return t
}

func percento(n, d int) string {
	x := fmt.Sprintf("%.1f", float64(n)*100/float64(d))
	b := []byte(x)
	for k := range b {
		if b[k] == '.' {
			b[k] = ','
		}
	}
	return string(b) + " %"
}

// tabellaGiorni shows durations (MisuraGiorni): per row the count of
// cases, "<5" from 1 to Soglia-1, and the days, hidden as "<5 casi" then
// (their value is dropped, not just hidden); no totals, no shares.
func tabellaGiorni(i Indicatore) Tabella {
	i.Quota, i.Tetto = false, 0
	t := Tabella{Indicatore: i}
	for _, v := range i.Valori {
		n := 0
		if len(v) > 0 {
			n = v[0]
		}
		pochi := n > 0 && n < Soglia
		riga := make([]Cella, len(v))
		for c := range v {
			switch {
			case c == 0:
				riga[c] = Cella{Valore: n, Nascosta: pochi, Primaria: pochi}
			case n == 0:
				riga[c] = Cella{Giorni: true, Vuota: true, Nascosta: true}
			case pochi:
				riga[c] = Cella{Giorni: true, Nascosta: true}
			default:
				riga[c] = Cella{Giorni: true, Valore: v[c]}
			}
		}
		t.Soppressa = t.Soppressa || pochi
		t.Celle = append(t.Celle, riga)
	}
	return t
}
