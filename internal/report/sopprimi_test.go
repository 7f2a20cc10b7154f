package report

import (
	"reflect"
	"testing"
)

// nessunaSola checks the property suppression is for: in every line with
// a total, no hidden entry stays alone.
func nessunaSola(t *testing.T, v [][]int, s Soppressione) {
	t.Helper()
	R, C := len(v), len(v[0])
	if C > 1 {
		for r := range R {
			n := 0
			for c := range C {
				if s.Celle[r][c] {
					n++
				}
			}
			if s.TotRiga[r] {
				n++
			}
			if n == 1 {
				t.Errorf("riga %d: una sola cella nascosta, ricavabile dal totale", r)
			}
		}
	}
	if R > 1 {
		for c := range C {
			n := 0
			for r := range R {
				if s.Celle[r][c] {
					n++
				}
			}
			if s.TotColonna[c] {
				n++
			}
			if n == 1 {
				t.Errorf("colonna %d: una sola cella nascosta, ricavabile dal totale", c)
			}
		}
	}
	for r := range R {
		for c := range C {
			if v[r][c] > 0 && v[r][c] < Soglia && !s.Celle[r][c] {
				t.Errorf("cella %d,%d = %d visibile", r, c, v[r][c])
			}
			if s.Primarie[r][c] != (v[r][c] > 0 && v[r][c] < Soglia) {
				t.Errorf("cella %d,%d: primaria %v", r, c, s.Primarie[r][c])
			}
		}
	}
}

func TestSopprimi(t *testing.T) {
	for _, tc := range []struct {
		nome   string
		v      [][]int
		celle  [][]bool
		totale bool
	}{
		{"nulla sotto 5", [][]int{{10, 20}, {30, 40}}, [][]bool{{false, false}, {false, false}}, false},
		{"lo zero si mostra", [][]int{{0, 20}, {30, 40}}, [][]bool{{false, false}, {false, false}}, false},
		{"una cella: la più piccola della riga e della colonna con lei, e la quarta",
			[][]int{{3, 20, 9}, {30, 40, 50}, {12, 6, 7}},
			[][]bool{{true, false, true}, {false, false, false}, {true, false, true}}, false},
		{"due piccole nella stessa riga si proteggono a vicenda nella riga",
			[][]int{{2, 3, 50}, {30, 40, 50}},
			[][]bool{{true, true, false}, {true, true, false}}, false},
		{"una colonna sola: la più piccola delle altre righe",
			[][]int{{4}, {9}, {7}}, [][]bool{{true}, {false}, {true}}, false},
		{"una colonna, il totale sotto 5", [][]int{{1}, {2}}, [][]bool{{true}, {true}}, true},
		{"una riga sola", [][]int{{4, 8, 6}}, [][]bool{{true, false, true}}, false},
		// row 0's total is 3 too: the totals column hides row 1's total
		// with it, and row 1's 6 (hidden for column 0) is protected by it.
		{"anche i totali di riga si proteggono",
			[][]int{{3, 0, 0}, {6, 7, 8}},
			[][]bool{{true, false, false}, {true, false, false}}, false},
	} {
		t.Run(tc.nome, func(t *testing.T) {
			s := Sopprimi(tc.v, true)
			if !reflect.DeepEqual(s.Celle, tc.celle) {
				t.Errorf("celle = %v, want %v", s.Celle, tc.celle)
			}
			if s.Totale != tc.totale {
				t.Errorf("totale nascosto = %v, want %v", s.Totale, tc.totale)
			}
			nessunaSola(t, tc.v, s)
		})
	}
}

// TestSopprimiNessunaSola runs the property over many tables.
func TestSopprimiNessunaSola(t *testing.T) {
	x := uint32(7)
	rnd := func(n int) int { x = x*1664525 + 1013904223; return int(x>>16) % n }
	for k := 0; k < 500; k++ {
		R, C := 1+rnd(6), 1+rnd(5)
		v := make([][]int, R)
		for r := range v {
			v[r] = make([]int, C)
			for c := range v[r] {
				if rnd(3) == 0 {
					v[r][c] = rnd(5)
				} else {
					v[r][c] = rnd(40)
				}
			}
		}
		nessunaSola(t, v, Sopprimi(v, true))
	}
}

func TestTabellaTesti(t *testing.T) {
	tb := NuovaTabella(Indicatore{Righe: []string{"A", "B", "C"}, Colonne: []string{"entro", "oltre"}, Valori: [][]int{{3, 10}, {20, 8}, {12, 6}}, Nuclei: true, Quota: true})
	if got := tb.Celle[0][0].Testo(); got != "<5" {
		t.Errorf("cella 3 = %q, want <5", got)
	}
	if got := tb.Celle[0][1].Testo(); got != "n.d." {
		t.Errorf("complementare = %q, want n.d.", got)
	}
	if tb.Quote[0] != "n.d." || tb.Quote[1] != "71,4 %" {
		t.Errorf("quote = %v", tb.Quote)
	}
	if !tb.Soppressa {
		t.Error("nota della soppressione assente")
	}
	c := NuovaTabella(Indicatore{Righe: []string{"X", "Y"}, Colonne: []string{"Casi aperti"}, Valori: [][]int{{3}, {41}}, Tetto: 40})
	if c.Celle[0][0].Testo() != "3" || !reflect.DeepEqual(c.Oltre, []string{"Y"}) {
		t.Errorf("carico: %v, oltre %v", c.Celle, c.Oltre)
	}
}

// Columns that are different measures (new, closed, in charge) give a row
// no total: only the columns are protected.
func TestSopprimiSenzaTotaleRiga(t *testing.T) {
	s := Sopprimi([][]int{{2, 10, 12}, {20, 30, 40}}, false)
	if want := [][]bool{{true, false, false}, {true, false, false}}; !reflect.DeepEqual(s.Celle, want) || s.TotRiga != nil {
		t.Errorf("celle %v totali di riga %v, want %v and none", s.Celle, s.TotRiga, want)
	}
	tb := NuovaTabella(Indicatore{Righe: []string{"A", "B"}, Colonne: []string{"Nuovi", "Chiusi", "In carico"},
		Valori: [][]int{{2, 10, 12}, {20, 30, 40}}, Nuclei: true, SenzaTotaleRiga: true})
	if tb.TotRiga != nil || tb.Celle[1][0].Testo() != "n.d." || tb.TotColonna[0].Testo() != "22" {
		t.Errorf("tabella: %+v", tb)
	}
}
