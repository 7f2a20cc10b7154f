package incontri_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/incontri"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestParseSettimana(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string // Monday, "" = invalid
	}{
		{"2026-W48", "2026-11-23"},
		{"2026-W01", "2025-12-29"},
		{"2026-W43", "2026-10-19"},
		{"2026-w44", "2026-10-26"},
		{"2020-W53", "2020-12-28"},
		{"2026-W53", "2026-12-28"}, // 2026 begins on a Thursday: 53 weeks
		{"2025-W53", ""},           // 52 weeks
		{"2026-W00", ""},
		{"2026-48", ""},
		{"", ""},
	} {
		got, ok := incontri.ParseSettimana(tc.in)
		if (tc.want == "") != !ok || (ok && got.Format("2006-01-02") != tc.want) {
			t.Errorf("ParseSettimana(%q) = %s %v, want %q", tc.in, got.Format("2006-01-02"), ok, tc.want)
		}
		if ok && incontri.CodiceSettimana(got) != strings.ToUpper(tc.in) {
			t.Errorf("CodiceSettimana(%s) = %s", got, incontri.CodiceSettimana(got))
		}
	}
}

// section returns the HTML of one day of the week view.
func section(t *testing.T, page, day string) string {
	t.Helper()
	i := strings.Index(page, `data-testid="giorno-`+day+`"`)
	if i < 0 {
		t.Fatalf("no section for %s", day)
	}
	end := "</section>"
	if strings.HasSuffix(strings.TrimRight(page[:i], " "), `<p class="agenda-vuoto mb-2 px-3"`) {
		end = "</p>" // an empty day is a line
	}
	j := strings.Index(page[i:], end)
	return page[i : i+j]
}

// The week is compact: a day with nothing is one line; weekends and public
// holidays are marked, and an appointment on one is pointed out on the
// agenda and on the case's meetings page, without being refused (issue 21,
// point 9).
func TestAgendaFestiviECompatta(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.now = time.Date(2026, 12, 1, 9, 0, 0, 0, calendario.Roma)
	for _, at := range []time.Time{
		time.Date(2026, 12, 8, 10, 0, 0, 0, calendario.Roma),  // Immacolata, a Tuesday
		time.Date(2026, 12, 12, 10, 0, 0, 0, calendario.Roma), // Saturday
		time.Date(2026, 12, 10, 10, 0, 0, 0, calendario.Roma), // Thursday
	} {
		form := convocazione(at)
		form.Set("inviata_il", "2026-12-01")
		if resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("convocazione %s: %d\n%s", at, resp.StatusCode, body)
		}
	}
	_, page := f.do(t, "casemanager", "GET", "/agenda?settimana=2026-W50", nil)
	if imm := section(t, page, "2026-12-08"); !strings.Contains(imm, "festivo: Immacolata Concezione") ||
		!strings.Contains(imm, "Attenzione: appuntamenti di Immacolata Concezione") {
		t.Errorf("8 December:\n%s", imm)
	}
	if sat := section(t, page, "2026-12-12"); !strings.Contains(sat, "fine settimana") || !strings.Contains(sat, "Attenzione: appuntamenti di sabato") {
		t.Errorf("Saturday 12 December:\n%s", sat)
	}
	if thu := section(t, page, "2026-12-10"); strings.Contains(thu, "Attenzione") || strings.Contains(thu, "festivo") {
		t.Errorf("Thursday 10 December is a working day:\n%s", thu)
	}
	wed := section(t, page, "2026-12-09")
	if !strings.Contains(wed, "nessun appuntamento") || strings.Contains(page, `<section aria-labelledby="g-2026-12-09"`) {
		t.Errorf("an empty day is not one line:\n%s", wed)
	}
	if sun := section(t, page, "2026-12-13"); !strings.Contains(sun, "fine settimana") {
		t.Errorf("Sunday 13 December not marked:\n%s", sun)
	}
	_, scheda := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri"), nil)
	if n := strings.Count(scheda, `data-testid="giorno-non-lavorativo"`); n != 2 || !strings.Contains(scheda, "Attenzione: cade di sabato.") {
		t.Errorf("the meetings page points out %d of the 2 appointments on non-working days", n)
	}
}

// The week view puts each appointment on its Rome day and time across the
// end of summer time (Sunday 25 October 2026, 03:00 → 02:00): 00:30 on
// Sunday is 22:30 UTC on Saturday, and Monday's 09:00 would read 08:00
// with the week's opening offset.
func TestAgendaAcrossDST(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.now = time.Date(2026, 10, 25, 8, 0, 0, 0, calendario.Roma)
	for _, at := range []time.Time{
		time.Date(2026, 10, 25, 0, 30, 0, 0, calendario.Roma),
		time.Date(2026, 10, 25, 23, 30, 0, 0, calendario.Roma),
		time.Date(2026, 10, 26, 9, 0, 0, 0, calendario.Roma),
	} {
		form := convocazione(at)
		form.Set("pregressa", "1")
		form.Set("inviata_il", "2026-10-19")
		if resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("convocazione %s: %d\n%s", at, resp.StatusCode, body)
		}
	}
	f.do(t, "coordinatore", "POST", "/agenda/disponibilita", url.Values{"comune_id": {itoa(*f.people["casemanager"].ComuneID)},
		"ufficio": {"Servizio sociale"}, "giorno": {"1"}, "dalle": {"09:00"}, "alle": {"12:30"}})

	resp, page := f.do(t, "casemanager", "GET", "/agenda?settimana=2026-W43", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "Settimana dal 19/10/2026 al 25/10/2026") {
		t.Fatalf("week 43: %d", resp.StatusCode)
	}
	sun := section(t, page, "2026-10-25")
	if !strings.Contains(sun, "00:30–01:15") || !strings.Contains(sun, "23:30–00:15") || !strings.Contains(sun, "Rossi Maria") ||
		!strings.Contains(sun, "C-0000") || !strings.Contains(sun, `aria-current="date"`) {
		t.Errorf("Sunday 25/10 (today) lacks its appointments or the today marker:\n%s", sun)
	}
	if sat := section(t, page, "2026-10-24"); strings.Contains(sat, "appuntamento-") {
		t.Errorf("an appointment on Saturday:\n%s", sat)
	}
	if strings.Contains(page, "09:00–09:45") {
		t.Error("next Monday's appointment in this week")
	}
	if !strings.Contains(page, `href="/agenda?settimana=2026-W44"`) || !strings.Contains(page, `href="/agenda?settimana=2026-W42"`) {
		t.Error("no previous/next week links")
	}
	_, page = f.do(t, "casemanager", "GET", "/agenda?settimana=2026-W44", nil)
	mon := section(t, page, "2026-10-26")
	if !strings.Contains(mon, "09:00–09:45") || !strings.Contains(mon, "Servizio sociale 09:00–12:30") {
		t.Errorf("Monday 26/10 lacks 09:00 or the office slot:\n%s", mon)
	}
	if strings.Contains(page, `aria-current="date"`) {
		t.Error("today marked in another week")
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'agenda'`); n != 2 {
		t.Errorf("%d agenda reads recorded, want 2", n)
	}

	// The coordinatore sees the office availability, no appointments.
	resp, page = f.do(t, "coordinatore", "GET", "/agenda?settimana=2026-W44", nil)
	if resp.StatusCode != 200 || strings.Contains(page, "appuntamento-") || strings.Contains(page, "Rossi") ||
		!strings.Contains(section(t, page, "2026-10-26"), "Casalecchio di Reno, Servizio sociale 09:00–12:30") {
		t.Errorf("coordinatore's week: %d", resp.StatusCode)
	}
	// Cancelled convocazioni leave the agenda.
	f.exec(t, `UPDATE convocazione SET annullata = true WHERE inizio = '2026-10-26 09:00 Europe/Rome'`)
	if _, page = f.do(t, "casemanager", "GET", "/agenda?settimana=2026-W44", nil); strings.Contains(page, "09:00–09:45") {
		t.Error("cancelled convocazione in the agenda")
	}
}

// Office slots: the coordinatore adds, is told about overlaps, deletes;
// the case manager may not manage them.
func TestDisponibilita(t *testing.T) {
	t.Parallel()
	f := setup(t)
	comune := itoa(*f.people["casemanager"].ComuneID)
	slot := url.Values{"comune_id": {comune}, "ufficio": {"Sportello sociale"}, "giorno": {"3"}, "dalle": {"09:00"}, "alle": {"12:00"}}
	if resp, _ := f.do(t, "coordinatore", "POST", "/agenda/disponibilita", slot); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	slot.Set("dalle", "11:00")
	slot.Set("alle", "13:00")
	resp, body := f.do(t, "coordinatore", "POST", "/agenda/disponibilita", slot)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Si sovrappone alla fascia 09:00–12:00") || !strings.Contains(body, `value="Sportello sociale"`) {
		t.Errorf("overlap: %d", resp.StatusCode)
	}
	slot.Set("alle", "10:00")
	if _, body := f.do(t, "coordinatore", "POST", "/agenda/disponibilita", slot); !strings.Contains(body, "L&#39;orario di chiusura deve seguire quello di apertura.") {
		t.Error("alle before dalle accepted")
	}
	_, page := f.do(t, "coordinatore", "GET", "/agenda/disponibilita", nil)
	if !strings.Contains(page, "Mercoledì") || !strings.Contains(page, "09:00–12:00") {
		t.Error("slot not listed")
	}
	var id int64
	f.scan(t, `SELECT id FROM disponibilita_ufficio`, []any{&id})
	if resp, _ := f.do(t, "casemanager", "POST", "/agenda/disponibilita/"+itoa(id)+"/elimina", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("case manager deletes a slot: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "coordinatore", "POST", "/agenda/disponibilita/"+itoa(id)+"/elimina", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if n := f.count(t, `SELECT count(*) FROM disponibilita_ufficio`); n != 0 {
		t.Errorf("%d slots after delete", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'disponibilita_ufficio'`); n != 2 {
		t.Errorf("%d slot writes recorded, want 2", n)
	}
}

var reLink = regexp.MustCompile(`value="(https://cartella\.example\.it/calendario/[A-Za-z0-9_-]{43}\.ics)"`)

func (f *fixture) nuovoLink(t *testing.T, who string) string {
	t.Helper()
	resp, body := f.do(t, who, "POST", "/agenda/calendario", nil)
	m := reLink.FindStringSubmatch(body)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("POST /agenda/calendario: %d, no link", resp.StatusCode)
	}
	return strings.TrimPrefix(m[1], "https://cartella.example.it")
}

// unfold parses an iCalendar body back into logical lines, checking the
// physical ones: CRLF endings, at most 75 octets, continuation by a space.
func unfold(t *testing.T, body string) []string {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Error("body does not end with CRLF")
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.Contains(l, "\n") {
			t.Errorf("bare LF in %q", l)
		}
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") && len(out) > 0 {
			out[len(out)-1] += l[1:]
			continue
		}
		out = append(out, l)
	}
	return out
}

type vevent map[string]string

func events(lines []string) []vevent {
	var evs []vevent
	var cur vevent
	for _, l := range lines {
		switch l {
		case "BEGIN:VEVENT":
			cur = vevent{}
		case "END:VEVENT":
			evs = append(evs, cur)
			cur = nil
		default:
			if cur != nil {
				k, v, _ := strings.Cut(l, ":")
				cur[k] = v
			}
		}
	}
	return evs
}

// The feed is valid iCalendar with no personal data, honours cancellations,
// stops working for a regenerated token and for a suspended operator, and
// every read is recorded.
func TestCalendarioFeed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, page := f.do(t, "casemanager", "GET", "/agenda/calendario", nil)
	if !strings.Contains(page, `data-testid="nessun-collegamento"`) || !strings.Contains(page, "mai nomi o codici fiscali") {
		t.Error("calendar page before generation")
	}
	link := f.nuovoLink(t, "casemanager")
	long := convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma))
	long.Set("luogo", "Sede del servizio sociale; sala B, piano terra, via Porrettana 360 \\ ingresso laterale, Casalecchio di Reno (BO)")
	f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), long)
	f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 29, 15, 30, 0, 0, calendario.Roma)))
	f.exec(t, `UPDATE convocazione SET annullata = true, versione = versione + 1 WHERE inizio = '2026-10-29 15:30 Europe/Rome'`)
	// Far outside the window: not published.
	far := convocazione(time.Date(2027, 3, 1, 10, 0, 0, 0, calendario.Roma))
	f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), far)

	resp, body := f.do(t, "", "GET", link, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := unfold(t, body)
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Errorf("not a VCALENDAR: %q … %q", lines[0], lines[len(lines)-1])
	}
	evs := events(lines)
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2:\n%s", len(evs), body)
	}
	var numero int64
	f.scan(t, `SELECT numero FROM caso WHERE id = $1`, []any{&numero}, f.caso)
	codice := "C-" + strings.Repeat("0", 6-len(itoa(numero))) + itoa(numero)
	first, second := evs[0], evs[1]
	for k, want := range map[string]string{
		"SUMMARY":  "Convocazione " + codice + " - Primo incontro",
		"DTSTART":  "20261022T080000Z",
		"DTEND":    "20261022T084500Z",
		"LOCATION": `Sede del servizio sociale\; sala B\, piano terra\, via Porrettana 360 \\ ingresso laterale\, Casalecchio di Reno (BO)`,
		"STATUS":   "CONFIRMED",
	} {
		if first[k] != want {
			t.Errorf("first event %s = %q, want %q", k, first[k], want)
		}
	}
	if second["STATUS"] != "CANCELLED" || second["DTSTART"] != "20261029T143000Z" || second["SEQUENCE"] != "1" {
		t.Errorf("cancelled event: %v", second)
	}
	var conv uuid.UUID
	f.scan(t, `SELECT id FROM convocazione WHERE inizio = '2026-10-22 10:00 Europe/Rome'`, []any{&conv})
	if first["UID"] != conv.String()+"@cartella" || first["DTSTAMP"] == "" {
		t.Errorf("UID %q DTSTAMP %q", first["UID"], first["DTSTAMP"])
	}
	// Stable UID: the same on the next read.
	if _, again := f.do(t, "", "GET", link, nil); events(unfold(t, again))[0]["UID"] != first["UID"] {
		t.Error("UID changed between reads")
	}
	var cfs []string
	rows, _ := f.pool.Query(t.Context(), `SELECT codice_fiscale FROM persona`)
	for rows.Next() {
		var cf string
		_ = rows.Scan(&cf)
		cfs = append(cfs, cf)
	}
	rows.Close()
	for _, never := range append(cfs, "Rossi", "Maria", "Luca", "Ferrari") {
		if strings.Contains(body, never) {
			t.Errorf("the feed contains %q", never)
		}
	}
	op := f.people["casemanager"].OperatoreID
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'calendario' AND operatore_id = $1 AND ambito_id IS NOT NULL`, op); n != 2 {
		t.Errorf("%d feed reads recorded, want 2", n)
	}
	// The case reassigned to someone else: its convocazioni leave the feed.
	f.exec(t, `UPDATE caso SET case_manager_id = $1 WHERE id = $2`, f.people["casemanager2"].OperatoreID, f.caso)
	if _, dopo := f.do(t, "", "GET", link, nil); len(events(unfold(t, dopo))) != 0 {
		t.Errorf("the feed still lists the convocazioni of a case reassigned to someone else:\n%s", dopo)
	}
	f.exec(t, `UPDATE caso SET case_manager_id = $1 WHERE id = $2`, op, f.caso)

	// Regenerating invalidates the old link.
	newLink := f.nuovoLink(t, "casemanager")
	if resp, _ := f.do(t, "", "GET", link, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("old link after regeneration: %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, "", "GET", newLink, nil); resp.StatusCode != 200 {
		t.Errorf("new link: %d", resp.StatusCode)
	}
	_, page = f.do(t, "casemanager", "GET", "/agenda/calendario", nil)
	if !strings.Contains(page, `data-testid="collegamento-attivo"`) || strings.Contains(page, newLink) {
		t.Error("calendar page after generation shows the link again, or not the active one")
	}
	if n := f.count(t, `SELECT count(*) FROM calendario_token WHERE token_hash = sha256(convert_to($1, 'UTF8'))`,
		strings.TrimSuffix(strings.TrimPrefix(newLink, "/calendario/"), ".ics")); n != 1 {
		t.Error("the token's SHA-256 is not what is stored")
	}
	if n := f.count(t, `SELECT count(*) FROM calendario_token WHERE position(convert_to($1, 'UTF8') in token_hash) > 0`, "calendario"); n != 0 {
		t.Error("unexpected token content")
	}
	// A suspended operator's feed is gone.
	f.exec(t, `UPDATE operatore SET stato = 'sospeso' WHERE id = $1`, op)
	if resp, _ := f.do(t, "", "GET", newLink, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("suspended operator's feed: %d", resp.StatusCode)
	}
	for _, bad := range []string{"/calendario/nope.ics", "/calendario/" + strings.Repeat("A", 43) + ".ics"} {
		if resp, _ := f.do(t, "", "GET", bad, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
}

// Folding never splits a UTF-8 character, and text values are escaped.
func TestWriteICSFolding(t *testing.T) {
	t.Parallel()
	ev := incontri.Evento{Codice: "C-000001"}
	ev.ID = uuid.MustParse("00000000-0000-0000-0000-000000000001")
	ev.Tipo, ev.Versione, ev.DurataMinuti = "equipe", 1, 30
	ev.Inizio = time.Date(2026, 3, 29, 1, 30, 0, 0, calendario.Roma)
	ev.Luogo = strings.Repeat("Èàù,", 30) + "\nseconda riga"
	var buf bytes.Buffer
	if err := incontri.WriteICS(&buf, []incontri.Evento{ev}, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), ""); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets", len(l))
		}
		if !utf8Valid(l) {
			t.Errorf("line splits a character: %q", l)
		}
	}
	e := events(unfold(t, buf.String()))[0]
	if want := strings.Repeat(`Èàù\,`, 30) + `\nseconda riga`; e["LOCATION"] != want {
		t.Errorf("LOCATION %q", e["LOCATION"])
	}
	if e["SUMMARY"] != "Convocazione C-000001 - Équipe multidisciplinare" || e["DTSTART"] != "20260329T003000Z" {
		t.Errorf("event %v", e)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
