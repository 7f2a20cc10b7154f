package calendario

import "time"

// Pasqua is Easter Sunday of year y (Gregorian calendar; the anonymous
// algorithm of Meeus/Jones/Butcher), as a civil date at midnight UTC.
func Pasqua(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	mese := (h + l - 7*m + 114) / 31
	giorno := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(mese), giorno, 0, 0, 0, 0, time.UTC)
}

// Festivo is the national public holiday on the civil date d, by name
// ("" when d is none): the days of legge 260/1949 and its amendments, Easter
// Monday computed, and 4 October (San Francesco d'Assisi) from 2026, when
// it became a national holiday again (legge 151/2025). The feast of each
// comune's patron saint is local and not listed.
func Festivo(d time.Time) string {
	y, m, g := d.Date()
	switch {
	case m == time.January && g == 1:
		return "Capodanno"
	case m == time.January && g == 6:
		return "Epifania"
	case m == time.April && g == 25:
		return "Festa della Liberazione"
	case m == time.May && g == 1:
		return "Festa del lavoro"
	case m == time.June && g == 2:
		return "Festa della Repubblica"
	case m == time.August && g == 15:
		return "Ferragosto"
	case m == time.October && g == 4 && y >= 2026:
		return "San Francesco d'Assisi"
	case m == time.November && g == 1:
		return "Ognissanti"
	case m == time.December && g == 8:
		return "Immacolata Concezione"
	case m == time.December && g == 25:
		return "Natale"
	case m == time.December && g == 26:
		return "Santo Stefano"
	}
	p := Pasqua(y)
	switch {
	case m == p.Month() && g == p.Day():
		return "Pasqua"
	case sameDay(d, p.AddDate(0, 0, 1)):
		return "Lunedì dell'Angelo"
	}
	return ""
}

func sameDay(a, b time.Time) bool {
	ya, ma, da := a.Date()
	yb, mb, db := b.Date()
	return ya == yb && ma == mb && da == db
}

// NonLavorativo says why the civil date d is not a working day: the
// holiday's name, "sabato" or "domenica"; "" on a working day.
func NonLavorativo(d time.Time) string {
	if f := Festivo(d); f != "" {
		return f
	}
	switch d.Weekday() {
	case time.Saturday:
		return "sabato"
	case time.Sunday:
		return "domenica"
	}
	return ""
}
