package incontri

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The iCalendar feed (RFC 5545). Feeds leave the system: they are read by
// phones and cloud calendars outside the ente's control. So an event says
// only "Convocazione C-000123", the type of meeting, the place and the
// time, never a name or a codice fiscale (docs/operations.md, "Calendario
// iCal").

// icsWriter writes content lines: CRLF endings, folded at 75 octets
// without splitting a UTF-8 character (RFC 5545 §3.1).
type icsWriter struct {
	buf bytes.Buffer
}

func (w *icsWriter) line(name, value string) {
	l := name + ":" + value
	first := true
	for len(l) > 0 {
		limit := 75
		if !first {
			limit = 74 // the leading space counts
			w.buf.WriteByte(' ')
		}
		n := len(l)
		if n > limit {
			n = limit
			for n > 0 && !utf8.RuneStart(l[n]) {
				n--
			}
		}
		w.buf.WriteString(l[:n])
		w.buf.WriteString("\r\n")
		l = l[n:]
		first = false
	}
}

// icsText escapes a TEXT value: backslash, semicolon, comma and newlines.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`)
	return r.Replace(s)
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Summary is the only description of an event that leaves the system.
func Summary(e Evento) string {
	return "Convocazione " + e.Codice + " - " + TipoLabel(e.Tipo)
}

// WriteICS writes the feed of evs; dtstamp is the time of the export, base
// the application's URL for the link back to the case (which needs signing
// in).
func WriteICS(out io.Writer, evs []Evento, dtstamp time.Time, base string) error {
	w := &icsWriter{}
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", "-//Cartella//Convocazioni//IT")
	w.line("CALSCALE", "GREGORIAN")
	w.line("METHOD", "PUBLISH")
	w.line("X-WR-CALNAME", icsText("Cartella - convocazioni"))
	w.line("X-WR-TIMEZONE", "Europe/Rome")
	for _, e := range evs {
		w.line("BEGIN", "VEVENT")
		w.line("UID", e.ID.String()+"@cartella")
		w.line("DTSTAMP", icsTime(dtstamp))
		w.line("DTSTART", icsTime(e.Inizio))
		w.line("DTEND", icsTime(e.Fine()))
		w.line("SEQUENCE", itoa(e.Versione-1))
		w.line("SUMMARY", icsText(Summary(e)))
		w.line("LOCATION", icsText(e.Luogo))
		if e.Annullata {
			w.line("STATUS", "CANCELLED")
		} else {
			w.line("STATUS", "CONFIRMED")
		}
		w.line("TRANSP", "OPAQUE")
		if base != "" {
			w.line("URL", strings.TrimSuffix(base, "/")+e.Href)
		}
		w.line("END", "VEVENT")
	}
	w.line("END", "VCALENDAR")
	_, err := out.Write(w.buf.Bytes())
	return err
}

func itoa(n int) string { return strconv.Itoa(max(n, 0)) }
