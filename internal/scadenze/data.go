package scadenze

import (
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/calendario"
)

// Oggi is the civil date of the instant now in Europe/Rome, at midnight UTC:
// the form every date of this package takes.
func Oggi(now time.Time) time.Time { return calendario.Giorno(now) }

// giornoRoma is the civil date of an instant (a timestamptz, time.Now) in
// Europe/Rome (calendario.Giorno). A civil date stored at midnight UTC, as
// pgx returns a DATE, stays the same day, since Rome is never behind UTC.
func giornoRoma(t time.Time) time.Time { return calendario.Giorno(t) }

// giorno is the civil date of a date value (a DATE column): its year, month
// and day in its own location, at midnight UTC. Midnight UTC has no daylight
// saving time, so adding days and subtracting dates is exact.
func giorno(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dopo returns the date n calendar days after d.
func dopo(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }

// giorniTra is the number of calendar days from a to b (negative when b is
// before a); both are civil dates at midnight UTC.
func giorniTra(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

// primoDelMeseDopo is the first day of the month after d's.
func primoDelMeseDopo(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

func ptr[T any](t T) *T { return &t }

// entro covers a period with an optional end: [dal, al], or [dal, ∞) when al
// is nil. Both ends are included.
func entro(d, dal time.Time, al *time.Time) bool {
	return !d.Before(giorno(dal)) && (al == nil || !d.After(giorno(*al)))
}

// mancano is the Italian "days left" phrase of a pending timer.
func mancano(n int) string {
	switch n {
	case 0:
		return "scade oggi"
	case 1:
		return "manca 1 giorno"
	}
	return fmt.Sprintf("mancano %d giorni", n)
}

// scadutoDa is the Italian "overdue by" phrase; n > 0.
func scadutoDa(n int) string {
	if n == 1 {
		return "termine scaduto da 1 giorno"
	}
	return fmt.Sprintf("termine scaduto da %d giorni", n)
}
