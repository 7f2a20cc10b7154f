package home

import (
	"testing"
	"time"
)

func TestSaluto(t *testing.T) {
	for _, tc := range []struct {
		utc  string
		want string
	}{
		{"2026-11-22T08:00:00Z", "Buongiorno"}, // 09:00 in Rome
		{"2026-11-22T15:59:00Z", "Buongiorno"}, // 16:59
		{"2026-11-22T16:00:00Z", "Buonasera"},  // 17:00
		{"2026-07-01T14:30:00Z", "Buongiorno"}, // 16:30 CEST
		{"2026-11-22T22:30:00Z", "Buonasera"},  // 23:30
	} {
		now, _ := time.Parse(time.RFC3339, tc.utc)
		if got := saluto(now); got != tc.want {
			t.Errorf("saluto(%s) = %s, want %s", tc.utc, got, tc.want)
		}
	}
}
