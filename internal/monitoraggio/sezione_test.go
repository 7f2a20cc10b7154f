package monitoraggio

import (
	"testing"
	"time"
)

// The case page's card of the monitoring says how many meetings were held
// and when the next one is.
func TestTestoSezione(t *testing.T) {
	prossimo := time.Date(2027, 1, 7, 0, 0, 0, 0, time.UTC)
	if got := testoSezione(2, &prossimo); got != "2 incontri svolti · prossimo il 07/01/2027" {
		t.Errorf("held and planned: %q", got)
	}
	if got := testoSezione(1, nil); got != "1 incontro svolto" {
		t.Errorf("one held: %q", got)
	}
	if got := testoSezione(0, nil); got != "Nessun incontro di monitoraggio" {
		t.Errorf("none: %q", got)
	}
}
