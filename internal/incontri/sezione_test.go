package incontri

import "testing"

// The case page's card of the meetings counts them, in the singular for one.
func TestTestoSezione(t *testing.T) {
	for n, want := range map[int]string{0: "0 incontri registrati", 1: "1 incontro registrato", 2: "2 incontri registrati"} {
		if got := testoSezione(n); got != want {
			t.Errorf("%d meetings: %q, want %q", n, got, want)
		}
	}
}
