package prestazioni

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzParseCatalogo is the fuzz target of the catalogue of INPS prestazioni
// (docs/formats/prestazioni.md), the parse stage. Properties: no file makes
// it panic; a file refused whole says why, in Italian; every rejected row
// has its line and a reason; every voce accepted has a codice and a
// denominazione as the schema allows them, its codice once; the voci written
// again as a file read back the same.
func FuzzParseCatalogo(f *testing.F) {
	for _, s := range []string{
		"codice;denominazione;area\nA1.09;Contributo economico per l'affitto;3\nB2.01;Assistenza domiciliare socio-assistenziale;2\n",
		"\uFEFFCODICE,Denominazione\r\nC3.02,Contributo economico una tantum\r\n",
		"codice;denominazione;area\na1.09;Breve;7\nA1.09;Contributo economico;\nA1.09;Contributo economico bis;1\n;;\n",
		"codice;denominazione\nA1.09;\"Contributo\neconomico\"\nX;\xff\n", "codice;denominazione;codice\n", "codice;nome\n", "", "\n",
		"codice;denominazione\n", "codice;denominazione\nA1.09;Contributo per l'affitto;in più\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		c, err := ParseCatalogo(bytes.NewReader(file))
		if err != nil {
			if !errors.Is(err, ErrCatalogoNonValido) || !utf8.ValidString(err.Error()) || strings.IndexFunc(err.Error(), unicode.IsControl) >= 0 {
				t.Fatalf("file %q refused with %v", file, err)
			}
			return
		}
		if len(c.Voci)+len(c.Scartate) == 0 {
			t.Fatalf("file %q accepted with nothing in it", file)
		}
		linee := bytes.Count(file, []byte("\n")) + 1
		righe := map[int]bool{}
		for _, s := range c.Scartate {
			if s.Riga < 2 || s.Riga > linee || strings.TrimSpace(s.Motivo) == "" || righe[s.Riga] ||
				!utf8.ValidString(s.Motivo) || strings.IndexFunc(s.Motivo, unicode.IsControl) >= 0 {
				t.Fatalf("file %q: rejected row %+v", file, s)
			}
			righe[s.Riga] = true
		}
		codici := map[string]bool{}
		for _, v := range c.Voci {
			n := utf8.RuneCountInString(v.Denominazione)
			if v.Riga < 2 || v.Riga > linee || righe[v.Riga] || codici[v.Codice] || !reCodice.MatchString(v.Codice) ||
				n < 10 || n > 200 || strings.IndexFunc(v.Denominazione, unicode.IsControl) >= 0 || !valido(append(AreeUtenza, Scelta{}), v.Area) {
				t.Fatalf("file %q: voce %+v", file, v)
			}
			righe[v.Riga], codici[v.Codice] = true, true
		}
		if len(c.Voci) == 0 {
			return
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = ';'
		_ = w.Write(colonneCatalogo)
		for _, v := range c.Voci {
			_ = w.Write([]string{v.Codice, v.Denominazione, v.Area})
		}
		w.Flush()
		c2, err := ParseCatalogo(&buf)
		if err != nil || len(c2.Scartate) > 0 || len(c2.Voci) != len(c.Voci) {
			t.Fatalf("file %q written again as %q: %v, %+v", file, buf.String(), err, c2.Scartate)
		}
		for i := range c.Voci {
			a, b := c.Voci[i], c2.Voci[i]
			a.Riga, b.Riga = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("file %q written again: voce %+v read back as %+v", file, a, b)
			}
		}
	})
}
