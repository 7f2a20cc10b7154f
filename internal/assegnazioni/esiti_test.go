package assegnazioni

import (
	"fmt"
	"strings"
	"testing"
)

// Forty cases refused for one reason are one line, not forty (issue 21,
// point 8); different reasons stay apart, in the order met.
func TestEsitiRaggruppati(t *testing.T) {
	var esiti []Esito
	for i := 1; i <= 40; i++ {
		esiti = append(esiti, Esito{Codice: fmt.Sprintf("C-%06d", i), Motivo: "il case manager scelto non opera nel comune del caso"})
	}
	esiti = append(esiti, Esito{Codice: "C-000041", Motivo: "caso chiuso"}, Esito{Codice: "C-000042", OK: true})
	g := raggruppa(esiti)
	if len(g) != 2 {
		t.Fatalf("%d groups: %+v", len(g), g)
	}
	if r := g[0].Riga(); !strings.HasPrefix(r, "40 casi (C-000001, ") || !strings.Contains(r, "e altri 30): il case manager scelto") {
		t.Errorf("first line: %q", r)
	}
	if r := g[1].Riga(); r != "C-000041: caso chiuso." {
		t.Errorf("second line: %q", r)
	}
	if c := codiciAssegnati(esiti); c != "C-000042" {
		t.Errorf("assigned: %q", c)
	}
}
