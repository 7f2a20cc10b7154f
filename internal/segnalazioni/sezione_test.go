package segnalazioni

import "testing"

// The case page's card of the segnalazioni counts them and those in course.
func TestTestoSezione(t *testing.T) {
	for _, c := range []struct {
		tutte, aperte int
		want          string
	}{
		{3, 1, "3 segnalazioni, 1 in corso"},
		{1, 0, "1 segnalazione"},
		{0, 0, "Nessuna segnalazione all'INPS"},
	} {
		if got := testoSezione(c.tutte, c.aperte); got != c.want {
			t.Errorf("%d, %d open: %q, want %q", c.tutte, c.aperte, got, c.want)
		}
	}
}
