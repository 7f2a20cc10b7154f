package assegnazioni

import (
	"github.com/google/uuid"

	"fmt"
	"github.com/cartella/cartella/internal/casi"
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

// With the operator chosen, only case managers of the comuni of their open
// cases are offered to take them, never the operator (issue 21, point 8).
func TestAOptionsSoloComuniDeiCasi(t *testing.T) {
	da, zola, casa := uuid.New(), uuid.New(), uuid.New()
	c := Carichi{
		Operatori: []casi.Carico{{ID: da, Nome: "Ferrari Giulia", Aperti: 3, ComuniCasi: []int64{1}}},
		Attivi: []casi.CaseManager{{ID: da, Nome: "Ferrari Giulia", ComuneID: 1, Comune: "Casalecchio"},
			{ID: casa, Nome: "Neri Ada", ComuneID: 1, Comune: "Casalecchio"}, {ID: zola, Nome: "Bassi Luca", ComuneID: 2, Comune: "Zola"}},
	}
	var got []string
	for _, o := range aOptions(c, da.String())[1:] {
		got = append(got, o.Value)
	}
	if len(got) != 1 || got[0] != casa.String() {
		t.Errorf("offered %v, want only %s", got, casa)
	}
	if n := len(aOptions(c, "")) - 1; n != 3 {
		t.Errorf("without an operator chosen: %d offered, want all 3", n)
	}
}
