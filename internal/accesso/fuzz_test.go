package accesso

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// FuzzParseComuniISTAT is the fuzz target of the ISTAT list of comuni
// (issue 20), the parse stage only (ImportComuni's all or nothing is the
// database tests' job). Properties: no file makes it panic; a file refused
// whole says why; every rejected line has its number and a reason; every
// comune accepted is well formed (codes, sigla, names without control
// characters), its codes once; the comuni written again as a file read back
// the same.
func FuzzParseComuniISTAT(f *testing.F) {
	file := headerISTAT + "\r\n" + strings.Join(righeISTAT, "\r\n") + "\r\n"
	cp1252, _ := charmap.Windows1252.NewEncoder().String(file)
	for _, s := range []string{file, "\uFEFF" + file, cp1252, strings.ReplaceAll(file, "\r\n", "\n"),
		"Codice Comune formato alfanumerico;Denominazione in italiano;Denominazione Regione;Sigla automobilistica;Codice Catastale del comune\n" +
			"001001;Agli\x00è;Piemonte;TO;A074\n001002;Airasca;Pie\x01monte;to;a075\n1003;\x81;\x90;ıT;A076\n" +
			"99999999999999999999;X;Y;ZZ;Z999\n001001;Doppio;Piemonte;TO;A074\n",
		"", ";;;\n", "Codice Comune formato alfanumerico\n1\n", "\xff\xfe", "\"", headerISTAT,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		comuni, scartate, err := ParseComuniISTAT(bytes.NewReader(file))
		if err != nil {
			if !errors.Is(err, ErrElencoNonValido) || !utf8.ValidString(err.Error()) || strings.IndexFunc(err.Error(), unicode.IsControl) >= 0 ||
				comuni != nil || scartate != nil {
				t.Fatalf("file %q refused with %v", file, err)
			}
			return
		}
		linee := bytes.Count(file, []byte("\n")) + bytes.Count(file, []byte("\r")) + 1
		righe := map[int]bool{}
		for _, s := range scartate {
			if s.Riga < 2 || s.Riga > linee || strings.TrimSpace(s.Motivo) == "" || righe[s.Riga] ||
				!utf8.ValidString(s.Motivo) || strings.IndexFunc(s.Motivo, unicode.IsControl) >= 0 {
				t.Fatalf("file %q: rejected line %+v", file, s)
			}
			righe[s.Riga] = true
		}
		istat, cat := map[string]bool{}, map[string]bool{}
		for _, c := range comuni {
			if len(problemiComune(c)) > 0 || istat[c.CodiceISTAT] || cat[c.CodiceCatastale] {
				t.Fatalf("file %q: comune %+v", file, c)
			}
			istat[c.CodiceISTAT], cat[c.CodiceCatastale] = true, true
			for _, s := range []string{c.Denominazione, c.Regione} {
				if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
					t.Fatalf("file %q: comune %s with text %q", file, c.CodiceISTAT, s)
				}
			}
		}
		if len(comuni) == 0 {
			return
		}
		// Written again as a file: the same comuni.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = ';'
		_ = w.Write([]string{"Codice Comune formato alfanumerico", "Denominazione in italiano", "Denominazione Regione",
			"Sigla automobilistica", "Codice Catastale del comune"})
		for _, c := range comuni {
			_ = w.Write([]string{c.CodiceISTAT, c.Denominazione, c.Regione, c.Provincia, c.CodiceCatastale})
		}
		w.Flush()
		di, sc, err := ParseComuniISTAT(&buf)
		if err != nil || len(sc) > 0 || !reflect.DeepEqual(di, comuni) {
			t.Fatalf("file %q written again as %q: %+v %+v %v", file, buf.String(), di, sc, err)
		}
	})
}

// FuzzRisolviLuogo is the fuzz target of what a form sends as a place of
// birth or a citizenship (issue 21, point 6), against the lists shipped
// with the binary. Properties: nothing panics; a place found has a codice
// catastale of the right form and is the one its code and its choice
// label resolve to; an ambiguous name offers two or more choices, each
// resolving to itself alone; a citizenship found is three capital letters
// and its name resolves to it.
func FuzzRisolviLuogo(f *testing.F) {
	l, err := CaricaLuoghi()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"Bologna", "bologna (bo)", "A944", "z330", "Castro", "Palau", "Palau (stato estero)", "Paternò",
		"Sant’Elena", "  ", "(BO)", "Bologna (", "\x00", "\xff\xfe", "Forlì", "FORLI'", "Italia", "MAR", "apolide", "Castro (XX)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := l.RisolviLuogo(s)
		switch {
		case r.Trovato:
			if !reCodiceCatastale.MatchString(r.Luogo.Catastale) || len(r.Scelte) > 0 {
				t.Fatalf("%q: %+v", s, r)
			}
			// "Palau" (the state) may be ambiguous by its name alone; its
			// choice label and its code are not.
			for _, label := range []string{r.Luogo.Scelta(), r.Luogo.Catastale} {
				if again := l.RisolviLuogo(label); !again.Trovato || again.Luogo != r.Luogo {
					t.Fatalf("%q → %+v, but %q → %+v", s, r.Luogo, label, again)
				}
			}
		case len(r.Scelte) == 1:
			t.Fatalf("%q: one choice is no choice: %+v", s, r)
		default:
			for _, c := range r.Scelte {
				if again := l.RisolviLuogo(c.Scelta()); !again.Trovato || again.Luogo != c {
					t.Fatalf("%q: choice %q → %+v", s, c.Scelta(), again)
				}
			}
		}
		if ci, ok := l.RisolviCittadinanza(s); ok {
			if len(ci.ISO3) != 3 || strings.ToUpper(ci.ISO3) != ci.ISO3 {
				t.Fatalf("%q: %+v", s, ci)
			}
			if again, ok := l.RisolviCittadinanza(ci.Nome); !ok || again != ci {
				t.Fatalf("%q → %+v, but its name → %+v", s, ci, again)
			}
		}
	})
}
