package flusso

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"unicode/utf8"
)

// ApriCSV prepares the reading of a CSV file loaded by hand (the catalogues
// of sostegni and of INPS prestazioni): a byte order mark is ignored, the
// file must be UTF-8 and not empty, the separator is ";" or "," as the
// first line uses more of, the rows may have any number of fields (the
// caller reports a row that does not match the header) and quotes are
// lazy. problema, in Italian, says why the file as a whole cannot be read
// ("" when it can); the caller wraps it in its own error.
func ApriCSV(raw []byte) (cr *csv.Reader, problema string) {
	raw = bytes.TrimPrefix(raw, []byte("\uFEFF"))
	if i := PrimoNonUTF8(raw); i >= 0 {
		return nil, fmt.Sprintf("il file non è in UTF-8 (riga %d): salvalo come «CSV UTF-8»", 1+bytes.Count(raw[:i], []byte("\n")))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, "il file è vuoto"
	}
	first, _, _ := bytes.Cut(bytes.TrimLeft(raw, "\r\n"), []byte("\n"))
	cr = csv.NewReader(bytes.NewReader(raw))
	cr.Comma = ','
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr, ""
}

// PrimoNonUTF8 is the offset of the first byte of b that is not valid
// UTF-8, -1 if there is none.
func PrimoNonUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}
