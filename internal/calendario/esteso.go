package calendario

import (
	"strconv"
	"time"
)

var (
	giorni = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}
	mesi   = [...]string{"", "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
		"settembre", "ottobre", "novembre", "dicembre"}
)

// NomeGiorno is the day of the week of a date: "giovedì".
func NomeGiorno(t time.Time) string { return giorni[t.Weekday()] }

// GiornoEsteso writes a date in words, as a letter or a day's heading
// does: "giovedì 14 maggio 2026". Like Data, the date is taken as it is;
// an instant is moved to Roma by the caller.
func GiornoEsteso(t time.Time) string {
	return NomeGiorno(t) + " " + strconv.Itoa(t.Day()) + " " + mesi[t.Month()] + " " + strconv.Itoa(t.Year())
}

// MeseEsteso writes a date's month in words: "maggio 2026".
func MeseEsteso(t time.Time) string {
	return mesi[t.Month()] + " " + strconv.Itoa(t.Year())
}
