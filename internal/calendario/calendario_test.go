package calendario

import (
	"testing"
	"time"
)

func TestParseData(t *testing.T) {
	d := func(y int, m time.Month, g int) time.Time { return time.Date(y, m, g, 0, 0, 0, 0, time.UTC) }
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"29/06/2024", d(2024, 6, 29), true},
		{" 29/06/2024 ", d(2024, 6, 29), true},
		{"1/2/2025", d(2025, 2, 1), true},
		{"01-02-2025", d(2025, 2, 1), true},
		{"01.02.2025", d(2025, 2, 1), true},
		{"2024-06-29", d(2024, 6, 29), true},
		{"29/02/2024", d(2024, 2, 29), true}, // leap year
		{"29/02/2025", time.Time{}, false},   // not a leap year
		{"31/04/2025", time.Time{}, false},   // April has 30 days
		{"2025-2-1", time.Time{}, false},     // ISO wants two digits
		{"00/01/2025", time.Time{}, false},
		{"01/13/2025", time.Time{}, false},
		{"01/01/25", time.Time{}, false}, // a two-digit year is ambiguous
		{"oggi", time.Time{}, false},
		{"", time.Time{}, false},
		{"1/+2/2025", time.Time{}, false},
		{"12/2025", time.Time{}, false},
		{"1/2/-000", time.Time{}, false},   // found by FuzzParseData: a signed year
		{"01/01/0000", time.Time{}, false}, // there is no year 0
		{"01/01/0001", d(1, 1, 1), true},
	} {
		got, ok := ParseData(c.in)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("ParseData(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseOra(t *testing.T) {
	for _, c := range []struct {
		in     string
		h, m   int
		wantOK bool
	}{{"09:30", 9, 30, true}, {"9.30", 9, 30, true}, {"24:00", 0, 0, false}, {"", 0, 0, false}} {
		h, m, ok := ParseOra(c.in)
		if ok != c.wantOK || h != c.h || m != c.m {
			t.Errorf("ParseOra(%q) = %d, %d, %v", c.in, h, m, ok)
		}
	}
}

func TestFormati(t *testing.T) {
	// 23:30 UTC on 31 December is already 1 January in Rome.
	ist := time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := DataOra(ist); got != "01/01/2026 00:30" {
		t.Errorf("DataOra = %q", got)
	}
	if got := Giorno(ist); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Giorno = %v", got)
	}
	if got := Data(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); got != "01/01/2026" {
		t.Errorf("Data = %q", got)
	}
	if DataPtr(nil) != "—" || DataOraPtr(nil) != "—" {
		t.Error("nil dates must read —")
	}
	if ISO(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) != "2026-03-04" {
		t.Error("ISO")
	}
}

func TestGiornoEsteso(t *testing.T) {
	if got := GiornoEsteso(time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC)); got != "lunedì 26 ottobre 2026" {
		t.Errorf("GiornoEsteso = %q", got)
	}
}

func TestIncontro(t *testing.T) {
	inizio, md, mo, ok := Incontro("05/03/2027", "9.30")
	if !ok || md != "" || mo != "" || !inizio.Equal(time.Date(2027, 3, 5, 9, 30, 0, 0, Roma)) {
		t.Errorf("Incontro(05/03/2027, 9.30) = %v %q %q %v", inizio, md, mo, ok)
	}
	if _, md, mo, ok := Incontro("", "25:00"); ok || md != "Indica la data dell'incontro." || mo != OraNonValida {
		t.Errorf("empty date, bad time: %q %q %v", md, mo, ok)
	}
	if _, md, mo, ok := Incontro("31/02/2027", ""); ok || md != DataNonValida || mo != "Indica l'ora dell'incontro." {
		t.Errorf("bad date, empty time: %q %q %v", md, mo, ok)
	}
	// Found by FuzzParseOra: 02:30 on the day summer time starts does not
	// exist in Rome; time.Date moved it to 03:30 without a word.
	if _, md, mo, ok := Incontro("28/03/2027", "02:30"); ok || md != "" || mo != OraInesistente {
		t.Errorf("hour skipped by summer time: %q %q %v", md, mo, ok)
	}
	if inizio, _, _, ok := Incontro("31/10/2027", "02:30"); !ok || inizio.In(Roma).Hour() != 2 {
		t.Errorf("hour repeated when summer time ends: %v %v", inizio, ok)
	}
}

// Easter against the dates published for those years; the holidays around
// it and the fixed ones; weekends.
func TestFestivi(t *testing.T) {
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2028: "2028-04-16", 2038: "2038-04-25", 2000: "2000-04-23", 2019: "2019-04-21"} {
		if got := ISO(Pasqua(y)); got != want {
			t.Errorf("Pasqua %d: %s, want %s", y, got, want)
		}
	}
	d := func(s string) time.Time { x, _ := time.Parse(time.DateOnly, s); return x }
	for day, want := range map[string]string{
		"2026-04-06": "Lunedì dell'Angelo", "2027-03-29": "Lunedì dell'Angelo", "2026-12-08": "Immacolata Concezione",
		"2026-06-02": "Festa della Repubblica", "2026-10-04": "San Francesco d'Assisi", "2025-10-04": "sabato",
		"2024-10-04": "", "2026-12-05": "sabato", "2026-12-06": "domenica", "2026-12-07": "", "2038-04-25": "Festa della Liberazione", // and Easter
		"2038-04-26": "Lunedì dell'Angelo", "2026-12-26": "Santo Stefano",
	} {
		if got := NonLavorativo(d(day)); got != want {
			t.Errorf("%s: %q, want %q", day, got, want)
		}
	}
}
