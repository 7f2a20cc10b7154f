// Package calendario is the one place where Cartella reads and writes civil
// dates and times: the Europe/Rome location in which every date of the
// service is a day (domain.md §2.2 counts the legal deadlines in calendar
// days), the parser of every date an operator types (gg/mm/aaaa as people
// write it, or aaaa-mm-gg as the date input sends it) and the formatters of
// the pages.
//
// File formats (the nuclei flow, docs/formats/) have their own strict
// parsers: a tracciato fixes one form, a person typing does not.
package calendario

import (
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a zoneinfo database
)

// Roma is Europe/Rome, where the service's days begin and end.
var Roma = mustLoad("Europe/Rome")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // unreachable: time/tzdata is embedded above
	}
	return loc
}

// Giorno is the civil date of an instant in Europe/Rome, at midnight UTC:
// the form a DATE column takes through pgx. Midnight UTC has no daylight
// saving time, so adding days and subtracting dates is exact.
func Giorno(t time.Time) time.Time {
	y, m, d := t.In(Roma).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseData reads a date typed in a form: gg/mm/aaaa (leading zeros
// optional, "-" or "." accepted instead of "/") or aaaa-mm-gg, the value of
// an <input type="date">. Spaces around it are ignored. A day that does not
// exist (30/02/2025), a year before 1 and a signed number are refused. The
// result is at midnight UTC.
func ParseData(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	var parts []string
	iso := false
	switch {
	case strings.Count(s, "/") == 2:
		parts = strings.Split(s, "/")
	case strings.Count(s, ".") == 2:
		parts = strings.Split(s, ".")
	case strings.Count(s, "-") == 2:
		parts = strings.Split(s, "-")
		iso = len(parts[0]) == 4
	default:
		return time.Time{}, false
	}
	if iso {
		parts[0], parts[2] = parts[2], parts[0]
		if len(parts[1]) != 2 || len(parts[0]) != 2 {
			return time.Time{}, false
		}
	}
	n := [3]int{}
	for i, p := range parts {
		if p == "" || len(p) > 4 || (i < 2 && len(p) > 2) {
			return time.Time{}, false
		}
		if strings.Trim(p, "0123456789") != "" { // no sign, no spaces: "1/2/-000" is not a date
			return time.Time{}, false
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, false
		}
		n[i] = v
	}
	g, m, a := n[0], n[1], n[2]
	if len(parts[2]) != 4 || a < 1 || m < 1 || m > 12 || g < 1 { // there is no year 0
		return time.Time{}, false
	}
	t := time.Date(a, time.Month(m), g, 0, 0, 0, 0, time.UTC)
	if t.Day() != g {
		return time.Time{}, false
	}
	return t, true
}

// ParseOra reads a time of day typed in a form: hh:mm, or hh.mm as people
// also write it.
func ParseOra(s string) (ore, minuti int, ok bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(strings.Replace(s, ".", ":", 1)))
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

// Data writes a civil date as Italian forms do: 29/06/2024. The date is
// taken as it is (a DATE column is already a day), not moved to Rome.
func Data(t time.Time) string { return t.Format("02/01/2006") }

// DataPtr is Data, or "—" when there is no date.
func DataPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return Data(*t)
}

// DataOra writes an instant as Rome saw it: 29/06/2024 15:04.
func DataOra(t time.Time) string { return t.In(Roma).Format("02/01/2006 15:04") }

// DataOraPtr is DataOra, or "—" when there is no instant.
func DataOraPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return DataOra(*t)
}

// ISO writes a civil date as <input type="date"> expects it: 2024-06-29.
func ISO(t time.Time) string { return t.Format(time.DateOnly) }

// The messages of a date or a time typed wrongly, the same on every form.
const (
	DataNonValida = "Data non valida: usa il formato gg/mm/aaaa."
	OraNonValida  = "Ora non valida: usa il formato hh:mm, per esempio 09:30."
)

// Incontro reads the day and the time of a meeting typed in a form (the
// fields data and ora) as the instant it starts in Rome. msgData and msgOra
// are the Italian messages of the two fields, "" for one that is right; ok
// is true when both are.
func Incontro(data, ora string) (inizio time.Time, msgData, msgOra string, ok bool) {
	giorno, okData := ParseData(data)
	h, m, okOra := ParseOra(ora)
	switch {
	case strings.TrimSpace(data) == "":
		msgData = "Indica la data dell'incontro."
	case !okData:
		msgData = DataNonValida
	}
	switch {
	case strings.TrimSpace(ora) == "":
		msgOra = "Indica l'ora dell'incontro."
	case !okOra:
		msgOra = OraNonValida
	}
	if !okData || !okOra {
		return time.Time{}, msgData, msgOra, false
	}
	inizio = time.Date(giorno.Year(), giorno.Month(), giorno.Day(), h, m, 0, 0, Roma)
	if inizio.Hour() != h || inizio.Minute() != m {
		// The hour skipped when summer time starts (02:00-02:59 on the last
		// Sunday of March): time.Date would silently move it an hour on.
		return time.Time{}, "", OraInesistente, false
	}
	return inizio, "", "", true
}

// OraInesistente is the message of a time that the clocks skip.
const OraInesistente = "Quest'ora non esiste in quel giorno: alle 2 di notte l'orologio passa all'ora legale e salta alle 3. Scegli un altro orario."
