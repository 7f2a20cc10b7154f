package calendario

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzz targets of the date and time parsers (issue 20): nothing typed
// makes them panic, a date they accept is written back by the formatters as
// the same day, and what they accept is exactly what the documented forms
// describe (checked against an independent reading with a regular
// expression).

var (
	reGMA = regexp.MustCompile(`^([0-9]{1,2})([/.-])([0-9]{1,2})([/.-])([0-9]{4})$`)
	reISO = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
)

// attesa is the reference reading of ParseData: the day, and whether s is one.
func attesa(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	var g, m, a string
	if x := reISO.FindStringSubmatch(s); x != nil {
		a, m, g = x[1], x[2], x[3]
	} else if x := reGMA.FindStringSubmatch(s); x != nil && x[2] == x[4] {
		g, m, a = x[1], x[3], x[5]
	} else {
		return time.Time{}, false
	}
	gi, _ := strconv.Atoi(g)
	mi, _ := strconv.Atoi(m)
	ai, _ := strconv.Atoi(a)
	t := time.Date(ai, time.Month(mi), gi, 0, 0, 0, 0, time.UTC)
	if ai < 1 || mi < 1 || mi > 12 || gi < 1 || t.Day() != gi || t.Month() != time.Month(mi) {
		return time.Time{}, false
	}
	return t, true
}

func FuzzParseData(f *testing.F) {
	for _, s := range []string{"29/06/2024", " 1/2/2025 ", "01-02-2025", "01.02.2025", "2024-06-29", "29/02/2024",
		"29/02/2025", "29/02/1900", "29/02/2000", "31/04/2025", "2025-2-1", "00/01/2025", "01/13/2025", "01/01/25",
		"1/2/-000", "1/2/+000", "01/01/0000", "31/12/9999", "99999999999999999999", "1/2/2025\x00", "1/2/2025\xff",
		"\uFEFF01/02/2025", "01/02/2025\r\n", "1/2.2025", "١/٢/٢٠٢٥", "1 /2/2025", strings.Repeat("1/", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseData(s)
		want, wantOK := attesa(s)
		if ok != wantOK || !got.Equal(want) {
			t.Fatalf("ParseData(%q) = %v, %v; want %v, %v", s, got, ok, want, wantOK)
		}
		if !ok {
			if !got.IsZero() {
				t.Fatalf("ParseData(%q) refused but returned %v", s, got)
			}
			return
		}
		if got.Location() != time.UTC || got.Hour() != 0 || got.Minute() != 0 || got.Second() != 0 || got.Nanosecond() != 0 {
			t.Fatalf("ParseData(%q) = %v: not midnight UTC", s, got)
		}
		for _, scritta := range []string{Data(got), ISO(got), DataPtr(&got)} {
			if back, ok := ParseData(scritta); !ok || !back.Equal(got) {
				t.Fatalf("ParseData(%q) = %v, written %q, read back %v, %v", s, got, scritta, back, ok)
			}
		}
		if Giorno(got) != got {
			t.Fatalf("Giorno(%v) = %v", got, Giorno(got))
		}
	})
}

func FuzzParseOra(f *testing.F) {
	for _, s := range []string{"09:30", "9.30", "24:00", "", "23:59", "00:00", "9:5", " 9:30 ", "09:30:00", "-1:30",
		"+9:30", "9.3.0", "99999999999999999999:00", "09:30\x00", "09:30\xff", "\uFEFF09:30", "09:30\r\n", "٠٩:٣٠"} {
		f.Add(s, "30/03/2025")
	}
	f.Add("02:30", "30/03/2025") // summer time starts: 02:30 does not exist in Rome
	f.Add("02:30", "26/10/2025") // summer time ends: 02:30 happens twice
	f.Add("10:00", "29/02/2024")
	f.Fuzz(func(t *testing.T, s, data string) {
		h, m, ok := ParseOra(s)
		if !ok {
			if h != 0 || m != 0 {
				t.Fatalf("ParseOra(%q) refused but returned %d:%d", s, h, m)
			}
		} else {
			if h < 0 || h > 23 || m < 0 || m > 59 {
				t.Fatalf("ParseOra(%q) = %d:%d", s, h, m)
			}
			if strings.Trim(s, "0123456789:. \t\r\n\v\f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000") != "" {
				t.Fatalf("ParseOra(%q) accepted other characters", s)
			}
			for _, scritta := range []string{fmt.Sprintf("%02d:%02d", h, m), fmt.Sprintf("%d.%02d", h, m)} {
				if h2, m2, ok := ParseOra(scritta); !ok || h2 != h || m2 != m {
					t.Fatalf("ParseOra(%q) = %d:%d, written %q, read back %d:%d %v", s, h, m, scritta, h2, m2, ok)
				}
			}
		}
		inizio, msgData, msgOra, ok := Incontro(data, s)
		if !ok {
			if msgData == "" && msgOra == "" {
				t.Fatalf("Incontro(%q, %q) refused without a message", data, s)
			}
			return
		}
		if msgData != "" || msgOra != "" {
			t.Fatalf("Incontro(%q, %q) accepted with messages %q %q", data, s, msgData, msgOra)
		}
		// The meeting is on the day and at the time typed, as Rome's clocks show them.
		giorno, _ := ParseData(data)
		if r := inizio.In(Roma); r.Hour() != h || r.Minute() != m || Giorno(inizio) != giorno {
			t.Fatalf("Incontro(%q, %q) = %v: another day or time", data, s, r)
		}
		if got := DataOra(inizio); got != Data(giorno)+fmt.Sprintf(" %02d:%02d", h, m) {
			t.Fatalf("DataOra = %q", got)
		}
	})
}
