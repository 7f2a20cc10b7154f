package report

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Geometry of the bar charts, in SVG user units.
const (
	graficoEtichette = 210 // the row labels
	graficoBarre     = 340 // the longest bar
	graficoBarra     = 14  // a bar's height
	graficoGruppo    = 10  // the space between rows
	graficoLegenda   = 24  // the legend's line, with more than one column
)

// colori of the columns: each has a contrast of at least 4.5:1 on white,
// and the value is written beside the bar, so colour is never the only
// carrier of the information.
var colori = []string{"#0066cc", "#a6324a", "#00704a", "#5c6f82", "#8a5300"}

// Grafico is a horizontal bar chart of a Tabella: per row, one bar per
// column.
type Grafico struct {
	ID          string
	Titolo      string
	Descrizione string
	Larghezza   int
	Altezza     int
	Righe       []RigaGrafico
	Legenda     []VoceLegenda
	TettoX      int // 0: no cap
	Tetto       int
}

// RigaGrafico is one row's label and bars.
type RigaGrafico struct {
	Etichetta string
	Y         int // the label's baseline
	Barre     []Barra
}

// Barra is one bar.
type Barra struct {
	Y, W   int
	Colore string
	Testo  string // the value written after it
}

// VoceLegenda is one column in the legend.
type VoceLegenda struct {
	X      int
	Colore string
	Nome   string
}

func colore(c int) string { return colori[c%len(colori)] }

func corta(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// GraficoDi draws t.
func GraficoDi(t Tabella) Grafico {
	g := Grafico{ID: "g-" + t.Codice, Titolo: t.Titolo, Larghezza: graficoEtichette + graficoBarre + 60}
	C := len(t.Colonne)
	// A duration's chart draws the days, not the count of cases (another
	// scale): the count goes in the description.
	primo := 0
	if t.Misura == MisuraGiorni {
		primo = 1
	}
	m := 0
	for _, r := range t.Celle {
		for _, c := range r[min(primo, len(r)):] {
			if !c.Nascosta {
				m = max(m, c.Valore)
			}
		}
	}
	if t.Tetto > 0 {
		m = max(m, t.Tetto)
		g.Tetto = t.Tetto
	}
	scala := func(v int) int {
		if m == 0 {
			return 0
		}
		return int(math.Round(float64(v) * graficoBarre / float64(m)))
	}
	y := 0
	if C-primo > 1 {
		x := 0
		for c, nome := range t.Colonne[primo:] {
			g.Legenda = append(g.Legenda, VoceLegenda{X: x, Colore: colore(c), Nome: nome})
			x += 22 + 8*utf8.RuneCountInString(nome)
		}
		y = graficoLegenda
	}
	var desc []string
	for r, riga := range t.Celle {
		rg := RigaGrafico{Etichetta: corta(t.Righe[r], 30), Y: y + graficoBarra - 3}
		var parti []string
		for c, cella := range riga {
			if c < primo {
				continue
			}
			b := Barra{Y: y, Colore: colore(c - primo), Testo: cella.Testo()}
			if !cella.Nascosta {
				b.W = scala(cella.Valore)
			}
			rg.Barre = append(rg.Barre, b)
			y += graficoBarra + 2
			if C-primo > 1 {
				parti = append(parti, t.Colonne[c]+" "+cella.Testo())
			} else {
				parti = append(parti, cella.Testo())
			}
		}
		y += graficoGruppo
		g.Righe = append(g.Righe, rg)
		if primo > 0 && len(riga) > 0 {
			parti = append(parti, "casi "+riga[0].Testo())
		}
		desc = append(desc, t.Righe[r]+": "+strings.Join(parti, ", "))
	}
	if t.Tetto > 0 {
		g.TettoX = graficoEtichette + scala(t.Tetto)
		desc = append(desc, "tetto "+itoa(t.Tetto)+" casi")
	}
	g.Altezza = max(y, graficoBarra)
	if len(desc) == 0 {
		g.Descrizione = "Nessun dato nel periodo."
	} else {
		g.Descrizione = strings.Join(desc, "; ") + "."
	}
	return g
}
