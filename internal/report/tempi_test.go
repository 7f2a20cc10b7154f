package report

import (
	"strings"
	"testing"
)

// Durations: the rows of the three modules make one table; the days of
// fewer than 5 cases are never shown (nor kept in the cell), the count of
// 1 to 4 cases is "<5"; no totals, no shares; the chart draws the days.
func TestTempi(t *testing.T) {
	p := func(n int) *int { return &n }
	ii := unisci([]Indicatore{
		{Codice: "altro", Righe: []string{"a"}, Colonne: []string{"n"}, Valori: [][]int{{7}}},
		Tempi("Primo incontro svolto", 7, p(12), p(30)),
		Tempi("Analisi preliminare definitiva", 3, p(40), p(41)),
		Tempi("Patto sottoscritto", 0, nil, nil),
		Tempi("Un giorno", 5, p(1), p(1)),
	})
	if len(ii) != 2 || ii[1].Codice != CodiceTempi || len(ii[1].Righe) != 4 {
		t.Fatalf("unisci: %+v", ii)
	}
	tb := NuovaTabella(ii[1])
	var got []string
	for _, r := range tb.Celle {
		var x []string
		for _, c := range r {
			x = append(x, c.Testo())
		}
		got = append(got, strings.Join(x, "/"))
	}
	want := []string{"7/12 giorni/30 giorni", "<5/<5 casi/<5 casi", "0/–/–", "5/1 giorno/1 giorno"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("celle %q, want %q", got, want)
	}
	if tb.Celle[1][1].Valore != 0 || tb.Celle[1][2].Valore != 0 {
		t.Error("the days of fewer than 5 cases are kept in the cell")
	}
	if tb.TotRiga != nil || tb.TotColonna != nil || tb.Totale != nil || tb.Quote != nil || !tb.Soppressa {
		t.Errorf("totals or shares: %+v", tb)
	}
	g := GraficoDi(tb)
	if len(g.Legenda) != 2 || g.Legenda[0].Nome != "Mediana" || len(g.Righe[0].Barre) != 2 || g.Righe[0].Barre[1].W != graficoBarre {
		t.Errorf("chart: %+v", g)
	}
	if !strings.Contains(g.Descrizione, "Analisi preliminare definitiva: Mediana <5 casi, 90° percentile <5 casi, casi <5") ||
		strings.Contains(g.Descrizione, "40") {
		t.Errorf("chart description: %q", g.Descrizione)
	}
	// The other tables are as before.
	if a := NuovaTabella(ii[0]); a.Celle[0][0].Testo() != "7" {
		t.Errorf("count: %q", a.Celle[0][0].Testo())
	}
}
