package codicefiscale_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/codicefiscale"
)

// The fuzz targets of the package (issue 20): whatever is typed or sent as a
// codice fiscale, the functions never panic, a valid code is its own
// normal form, and the check character catches every single changed
// character. Seeds: here and in testdata/fuzz/.

var seedCF = []string{
	"RSSMRA80A01H501U", "BNCLRA85M52F205I", "RSSMRA80A01H5LMX", " tinit-rssmra80a01h501u ",
	"RSSMRA80A01H501", "RSSMRA80Z01H501U", "RSSMRA80B31H501U", "RSSMRA00B29H501", "rssmra80a01h501u\x00",
	"RSSMRA80A01H501U\xff", "\uFEFFRSSMRA80A01H501U", "RSSMRA80A01H501U\r\n", "TINIT-TINIT-RSSMRA80A01H501U",
	"", "0", "99999999999999999999", strings.Repeat("A", 4096), "ſSSMRA80A01H501U", "RSSMRAVVAVVH501U",
}

func FuzzCodiceFiscale(f *testing.F) {
	for _, s := range seedCF {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cf := codicefiscale.Normalize(s)
		err := codicefiscale.Validate(cf)
		for _, e := range []error{codicefiscale.ErrFormat, codicefiscale.ErrCheck, codicefiscale.ErrBirth} {
			if errors.Is(err, e) && err.Error() == "" {
				t.Fatalf("empty message")
			}
		}
		// Neither panics whatever the input, valid or not.
		_, _, errB := codicefiscale.BirthDate(s)
		_ = codicefiscale.Consistent(s, time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), "M")
		if len(s) >= 15 {
			_ = codicefiscale.CheckChar(s)
		}
		if err != nil {
			if err != codicefiscale.ErrFormat && err != codicefiscale.ErrCheck && err != codicefiscale.ErrBirth {
				t.Fatalf("Validate(%q) = %v: not one of the package's errors", cf, err)
			}
			return
		}
		if errB != nil && s == cf {
			t.Fatalf("BirthDate(%q) = %v on a valid code", s, errB)
		}
		// A valid code is its own normal form, also in lower case and
		// with SPID's prefix.
		if len(cf) != 16 || codicefiscale.Normalize(cf) != cf || codicefiscale.Normalize(" tinit-"+strings.ToLower(cf)+" ") != cf {
			t.Fatalf("normal form of %q not stable: %q", s, cf)
		}
		for i := 0; i < 16; i++ {
			if c := cf[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				t.Fatalf("valid code %q has %q", cf, c)
			}
		}
		if codicefiscale.CheckChar(cf[:15]) != cf[15] {
			t.Fatalf("check character of valid %q", cf)
		}
		nascita, sesso, err := codicefiscale.BirthDate(cf)
		if err != nil || (sesso != "M" && sesso != "F") || nascita.After(time.Now()) {
			t.Fatalf("BirthDate(%q) = %v, %q, %v", cf, nascita, sesso, err)
		}
		if !codicefiscale.Consistent(cf, nascita, sesso) {
			t.Fatalf("%q not consistent with its own birth date %v %s", cf, nascita, sesso)
		}
		altro := map[string]string{"M": "F", "F": "M"}[sesso]
		if codicefiscale.Consistent(cf, nascita, altro) || codicefiscale.Consistent(cf, nascita.AddDate(0, 0, 1), sesso) {
			t.Fatalf("%q consistent with another sex or day", cf)
		}
		// Every single changed character is caught.
		for i := 0; i < 16; i++ {
			for _, c := range []byte{'0', '7', 'A', 'L', 'V', 'Z', cf[i] + 1} {
				if c == cf[i] {
					continue
				}
				b := []byte(cf)
				b[i] = c
				if codicefiscale.Validate(string(b)) == nil {
					t.Fatalf("%q valid, and so is %q with one character changed", cf, b)
				}
			}
		}
		// Omocodia: the same person with the digits replaced by letters.
		b := []byte(cf)
		for _, p := range []int{14, 13, 12, 10, 9, 7, 6} {
			if b[p] >= '0' && b[p] <= '9' {
				b[p] = "LMNPQRSTUV"[b[p]-'0']
				break
			}
		}
		b[15] = codicefiscale.CheckChar(string(b[:15]))
		if codicefiscale.Validate(string(b)) != nil || !codicefiscale.Consistent(string(b), nascita, sesso) {
			t.Fatalf("omocodia of %q: %q not valid or not the same person", cf, b)
		}
	})
}

// FuzzCompute: the code computed from any name, any plausible birth date and
// any codice catastale is valid and consistent with the data it came from.
func FuzzCompute(f *testing.F) {
	f.Add("Rossi", "Mario", 0, false, "H501")
	f.Add("Bianchi", "Laura", 2000, true, "F205")
	f.Add("Fo", "Gianfranco", -3000, false, "B880")
	f.Add("D'Amico-Lò", "Nicolò Ìà", 12000, true, "Z330")
	f.Add("", "", 20000, true, "A000")
	f.Add("\x00\xff", "ſ\uFEFF", 365*4, false, "Z999")
	f.Add(strings.Repeat("Ä", 300), "x", -1, true, "A944")
	f.Fuzz(func(t *testing.T, cognome, nome string, giorni int, femmina bool, catastale string) {
		// Births from 1900 to today; the codice catastale: a letter and three digits.
		base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
		oggi := time.Now().UTC().Truncate(24 * time.Hour)
		span := int(oggi.Sub(base).Hours()/24) + 1
		g := giorni % span
		if g < 0 {
			g += span
		}
		nascita := base.AddDate(0, 0, g)
		sesso := "M"
		if femmina {
			sesso = "F"
		}
		cat := []byte("A000")
		for i := 0; i < len(catastale) && i < 4; i++ {
			if i == 0 {
				cat[0] = 'A' + catastale[0]%26
			} else {
				cat[i] = '0' + catastale[i]%10
			}
		}
		cf := codicefiscale.Compute(cognome, nome, nascita, sesso, string(cat))
		if err := codicefiscale.Validate(cf); err != nil {
			t.Fatalf("Compute(%q, %q, %v, %s, %s) = %q: %v", cognome, nome, nascita, sesso, cat, cf, err)
		}
		if !codicefiscale.Consistent(cf, nascita, sesso) {
			t.Fatalf("Compute = %q, not consistent with %v %s", cf, nascita, sesso)
		}
		if cf[11:15] != string(cat) {
			t.Fatalf("Compute = %q, place %s", cf, cat)
		}
	})
}
