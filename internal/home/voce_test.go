package home

import "testing"

// A count of one reads in the singular where the label has one.
func TestTestoVoce(t *testing.T) {
	v := VoceLavoro{Etichetta: "casi aperti", Singolare: "caso aperto"}
	for n, want := range map[int]string{0: "casi aperti", 1: "caso aperto", 2: "casi aperti"} {
		v.Numero = n
		if got := v.Testo(); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
	if got := (VoceLavoro{Etichetta: "da assegnare", Numero: 1}).Testo(); got != "da assegnare" {
		t.Errorf("no singular: %q", got)
	}
}
