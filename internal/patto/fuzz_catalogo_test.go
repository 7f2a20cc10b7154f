package patto

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
)

// FuzzParseCatalogo is the fuzz target of the catalogue of sostegni
// (docs/formats/sostegni.md; issue 20), the parse stage only (applying it
// all or nothing is the database tests' job). Properties: no file makes it
// panic; a file refused whole says why, in Italian; every rejected row has
// its line and a reason; every voce accepted is well formed (codice, date in
// range, no control characters), its codice once; the voci written again as
// a file read back the same.
func FuzzParseCatalogo(f *testing.F) {
	esempio := "codice;valido_dal;etichetta;macrolivello;nomenclatore_codice;nomenclatore_versione;ordine\n" +
		"tirocinio_inclusione;01/01/2027;Tirocinio finalizzato all'inclusione sociale;5;D5;CISIS 2013;\n" +
		"centro_diurno;01/01/2027;Centro diurno socio-educativo;3;LB2;CISIS 2013;12\n" +
		"altro;01/01/2027;Altro intervento;;;;\n"
	for _, s := range []string{esempio, "\uFEFF" + strings.ReplaceAll(esempio, "\n", "\r\n"),
		"Codice,VALIDO_DAL,descrizione,tirocinio\nx,2024-02-29,\"a\nb\",sì\ny,29/02/2023,,forse\n,,,\n",
		"codice;valido_dal;etichetta\nnul;2027-01-01;a\x00b\nctl;2027-01-01;a\x01b\n",
		"codice;valido_dal;etichetta\nutf8;2027-01-01;\xff\n",
		"codice;valido_dal;ordine\na;2027-01-01;99999999999999999999\nb;2027-01-01;+5\nc;0207-01-01;1\na;2027-01-01;2\n",
		"codice;valido_dal;codice\n", "codice;x\n", "", "\n\n", "codice;valido_dal\n", "codice;valido_dal\n\"a;2027-01-01\n",
		"codice;valido_dal;etichetta\na;2027-01-01;\"x\"\"y\";z\n", "codice;valido_dal;etichetta\r\nA;2027-01-01;\"\r\"\r\n",
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
			if v.Riga < 2 || v.Riga > linee || righe[v.Riga] || codici[v.Codice] || !reCodiceSostegno.MatchString(v.Codice) ||
				v.ValidoDal.Before(primaDataCatalogo) || v.ValidoDal.After(ultimaDataCatalogo) {
				t.Fatalf("file %q: voce %+v", file, v)
			}
			righe[v.Riga], codici[v.Codice] = true, true
			for _, p := range []*string{v.Etichetta, v.Descrizione, v.Macrolivello, v.NomenclatoreCodice, v.NomenclatoreVersione} {
				if p != nil && (!utf8.ValidString(*p) || strings.IndexFunc(*p, func(r rune) bool {
					return unicode.IsControl(r) && !(p == v.Descrizione && (r == '\n' || r == '\t'))
				}) >= 0) {
					t.Fatalf("file %q: voce %s with text %q", file, v.Codice, *p)
				}
			}
		}
		if len(c.Voci) == 0 {
			return
		}
		// Written again as a file: the same voci.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Comma = ';'
		v0 := c.Voci[0]
		header := []string{colCodice, colValidoDal, colTirocinio, colOrdine}
		testi := map[string]func(VoceCatalogo) *string{
			colEtichetta: func(v VoceCatalogo) *string { return v.Etichetta }, colDescrizione: func(v VoceCatalogo) *string { return v.Descrizione },
			colMacrolivello:         func(v VoceCatalogo) *string { return v.Macrolivello },
			colNomenclatoreCodice:   func(v VoceCatalogo) *string { return v.NomenclatoreCodice },
			colNomenclatoreVersione: func(v VoceCatalogo) *string { return v.NomenclatoreVersione }}
		for _, col := range colonneCatalogo {
			if fn, ok := testi[col]; ok && fn(v0) != nil {
				header = append(header, col)
			}
		}
		_ = w.Write(header)
		for _, v := range c.Voci {
			rec := []string{v.Codice, calendario.ISO(v.ValidoDal), "", ""}
			if v.Tirocinio != nil {
				rec[2] = map[bool]string{true: "sì", false: "no"}[*v.Tirocinio]
			}
			if v.Ordine != nil {
				rec[3] = strconv.Itoa(*v.Ordine)
			}
			for _, col := range header[4:] {
				rec = append(rec, *testi[col](v))
			}
			_ = w.Write(rec)
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
				t.Fatalf("file %q written again as %q: voce %+v read back as %+v", file, buf.String(), a, b)
			}
		}
	})
}
