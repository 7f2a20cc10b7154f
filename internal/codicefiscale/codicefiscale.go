// Package codicefiscale normalises, validates and computes Italian codici
// fiscali of natural persons (DM 23 Dec 1976, DPR 605/1973), including the
// omocodia variants in which the Agenzia delle Entrate replaces digits with
// letters to tell apart people who would otherwise share a code.
package codicefiscale

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Errors returned by Validate. Their text is Italian because forms show it
// next to the field.
var (
	ErrFormat   = errors.New("il codice fiscale deve avere 16 caratteri nel formato AAAAAA00A00A000A")
	ErrCheck    = errors.New("il carattere di controllo del codice fiscale non è corretto")
	ErrBirth    = errors.New("la data di nascita indicata nel codice fiscale non è valida")
	ErrMismatch = errors.New("il codice fiscale non corrisponde a data di nascita e genere indicati")
)

// omocodia maps a digit position's replacement letter back to its digit.
const omocodiaLetters = "LMNPQRSTUV"

// digit positions (0-based) that omocodia may replace with letters.
var digitPos = []int{6, 7, 9, 10, 12, 13, 14}

const months = "ABCDEHLMPRST"

// Normalize upper-cases, trims, and strips the "TINIT-" prefix that SPID
// uses in its fiscalNumber attribute.
func Normalize(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "TINIT-")
	return strings.ReplaceAll(s, " ", "")
}

// Validate checks the format (omocodia allowed), the birth date and the
// check character of a normalised code.
func Validate(cf string) error {
	if len(cf) != 16 {
		return ErrFormat
	}
	for i := 0; i < 16; i++ {
		c := rune(cf[i])
		isDigitPos := false
		for _, p := range digitPos {
			if p == i {
				isDigitPos = true
			}
		}
		switch {
		case i == 8 || i == 11 || i == 15 || i < 6:
			if c < 'A' || c > 'Z' {
				return ErrFormat
			}
		case isDigitPos:
			if !unicode.IsDigit(c) && !strings.ContainsRune(omocodiaLetters, c) {
				return ErrFormat
			}
		}
	}
	if !strings.ContainsRune(months, rune(cf[8])) {
		return ErrFormat
	}
	if _, _, err := BirthDate(cf); err != nil {
		return err
	}
	if CheckChar(cf[:15]) != cf[15] {
		return ErrCheck
	}
	return nil
}

// decodeDigits turns omocodia letters back into digits.
func decodeDigits(cf string) string {
	b := []byte(cf)
	for _, p := range digitPos {
		if i := strings.IndexByte(omocodiaLetters, b[p]); i >= 0 {
			b[p] = byte('0' + i)
		}
	}
	return string(b)
}

// BirthDate returns the birth date (the century is guessed: the latest
// date that is not in the future) and the sex ("M" or "F") encoded in a
// code of valid format. Any other string gets ErrFormat or ErrBirth, never
// a panic.
func BirthDate(cf string) (time.Time, string, error) {
	if len(cf) != 16 {
		return time.Time{}, "", ErrFormat
	}
	d := decodeDigits(cf)
	yy, okY := dueCifre(d[6:8])
	dd, okD := dueCifre(d[9:11])
	if !okY || !okD {
		return time.Time{}, "", ErrBirth
	}
	m := strings.IndexByte(months, d[8]) + 1
	sex := "M"
	if dd > 40 {
		sex, dd = "F", dd-40
	}
	year := 2000 + yy
	if time.Date(year, time.Month(m), dd, 0, 0, 0, 0, time.UTC).After(time.Now()) {
		year -= 100 // 31/12/26 read on 03/12/2026 is 1926: a birth is not in the future
	}
	t := time.Date(year, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
	if m < 1 || dd < 1 || t.Day() != dd {
		return time.Time{}, "", ErrBirth
	}
	return t, sex, nil
}

// dueCifre reads two ASCII digits.
func dueCifre(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// Consistent reports whether cf encodes the given birth date and sex.
func Consistent(cf string, birth time.Time, sex string) bool {
	b, s, err := BirthDate(cf)
	return err == nil && s == sex && b.Month() == birth.Month() && b.Day() == birth.Day() && b.Year()%100 == birth.Year()%100
}

var oddValues = map[byte]int{
	'0': 1, '1': 0, '2': 5, '3': 7, '4': 9, '5': 13, '6': 15, '7': 17, '8': 19, '9': 21,
	'A': 1, 'B': 0, 'C': 5, 'D': 7, 'E': 9, 'F': 13, 'G': 15, 'H': 17, 'I': 19, 'J': 21,
	'K': 2, 'L': 4, 'M': 18, 'N': 20, 'O': 11, 'P': 3, 'Q': 6, 'R': 8, 'S': 12, 'T': 14,
	'U': 16, 'V': 10, 'W': 22, 'X': 25, 'Y': 24, 'Z': 23,
}

// CheckChar computes the control character of the first 15 characters;
// 0 for a string shorter than 15 bytes.
func CheckChar(first15 string) byte {
	if len(first15) < 15 {
		return 0
	}
	sum := 0
	for i := 0; i < 15; i++ {
		c := first15[i]
		if i%2 == 0 { // odd positions, 1-based
			sum += oddValues[c]
		} else if c >= '0' && c <= '9' {
			sum += int(c - '0')
		} else {
			sum += int(c - 'A')
		}
	}
	return byte('A' + sum%26)
}

// Compute builds the code of a person from surname, name, birth date, sex
// ("M"/"F") and the codice catastale of the comune (or foreign state) of
// birth. It is used for synthetic demo data and to cross-check forms.
func Compute(cognome, nome string, birth time.Time, sex, catastale string) string {
	var b strings.Builder
	b.WriteString(nameCode(cognome, false))
	b.WriteString(nameCode(nome, true))
	fmt.Fprintf(&b, "%02d", birth.Year()%100)
	b.WriteByte(months[birth.Month()-1])
	day := birth.Day()
	if sex == "F" {
		day += 40
	}
	fmt.Fprintf(&b, "%02d", day)
	b.WriteString(strings.ToUpper(catastale))
	s := b.String()
	return s + string(CheckChar(s))
}

// CorrispondeNomi tells whether the first six letters of the valid code cf
// are those of cognome and nome. Names with letters outside the Latin
// alphabet (after removing accents) are not judged: how they were
// transliterated is not known, and the answer is true.
func CorrispondeNomi(cf, cognome, nome string) bool {
	if len(cf) < 6 {
		return false
	}
	for _, r := range strings.ToUpper(cognome + nome) {
		r = unaccent(r)
		if unicode.IsLetter(r) && (r < 'A' || r > 'Z') {
			return true
		}
	}
	if strings.TrimSpace(cognome) == "" || strings.TrimSpace(nome) == "" {
		return true // missing names are another field's message
	}
	return cf[:6] == nameCode(cognome, false)+nameCode(nome, true)
}

func nameCode(s string, isName bool) string {
	var cons, vows []byte
	for _, r := range strings.ToUpper(s) {
		r = unaccent(r)
		switch {
		case strings.ContainsRune("AEIOU", r):
			vows = append(vows, byte(r))
		case r >= 'A' && r <= 'Z':
			cons = append(cons, byte(r))
		}
	}
	if isName && len(cons) >= 4 {
		cons = []byte{cons[0], cons[2], cons[3]}
	}
	code := append(append([]byte{}, cons...), vows...)
	code = append(code, 'X', 'X', 'X')
	return string(code[:3])
}

func unaccent(r rune) rune {
	switch r {
	case 'À', 'Á':
		return 'A'
	case 'È', 'É':
		return 'E'
	case 'Ì', 'Í':
		return 'I'
	case 'Ò', 'Ó':
		return 'O'
	case 'Ù', 'Ú':
		return 'U'
	}
	return r
}

// Luogo is the codice catastale of the place of birth in positions 12–15 of
// a code of valid format, with the digits that omocodia replaced by letters
// restored ("H50M" → "H501"); "" for a string too short.
func Luogo(cf string) string {
	if len(cf) < 15 {
		return ""
	}
	return decodeDigits(cf[:15] + "X")[11:15]
}
