package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// scriviXLSX writes rr as an XLSX and opens it with excelize, the
// validator of our writer (ADR 0019).
func scriviXLSX(t *testing.T, rr ...[]Valore) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	s, err := NuovoScrittore(&buf, XLSX)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rr {
		if err := s.Riga(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Chiudi(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, buf.Bytes()
}

// Our SpreadsheetML, read back by excelize: a date is a number with the
// dd/mm/yyyy format, a count a number, a text that would start a formula
// a string, never a formula; XML's special and forbidden characters,
// Excel's _xHHHH_ escapes and the spaces around a text survive.
func TestXLSXCelle(t *testing.T) {
	lungo := strings.Repeat("é", maxCaratteri+10)
	f, _ := scriviXLSX(t,
		[]Valore{T("id"), T("aperto_il"), T("casi"), T("nota")},
		[]Valore{T("abc"), T("05/03/2026"), N(42), T(`=HYPERLINK("http://x")`)},
		[]Valore{T("<a & b>"), T("01/01/1900"), N(-7), T("+39 051")},
		[]Valore{T("a\x01b\x1fc\ufffe"), T("31/12/1899"), T(""), T("  spazi\t")},
		[]Valore{T("_x0041_ e _x005F_"), T("31/02/2026"), N(0), T("riga\r\nnuova")},
		[]Valore{T(lungo), T("\xff\xfe"), T("1/3/2026"), T("@SUM(A1)")},
	)
	if n := f.GetSheetList(); len(n) != 1 || n[0] != Foglio {
		t.Fatalf("sheets %q", n)
	}
	tipo := func(cella string) excelize.CellType {
		t.Helper()
		ty, err := f.GetCellType(Foglio, cella)
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	valore := func(cella string) string {
		t.Helper()
		v, err := f.GetCellValue(Foglio, cella)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	grezzo := func(cella string) string {
		t.Helper()
		v, err := f.GetCellValue(Foglio, cella, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// A date: a number cell, the serial of 05/03/2026, shown dd/mm/yyyy.
	if ty := tipo("B2"); ty != excelize.CellTypeUnset && ty != excelize.CellTypeNumber {
		t.Errorf("B2 type %v, want a number", ty)
	}
	if v := grezzo("B2"); v != "46086" {
		t.Errorf("B2 serial %q, want 46086", v)
	}
	if v := valore("B2"); v != "05/03/2026" {
		t.Errorf("B2 shows %q", v)
	}
	st, err := f.GetCellStyle(Foglio, "B2")
	if err != nil {
		t.Fatal(err)
	}
	stile, err := f.GetStyle(st)
	if err != nil {
		t.Fatal(err)
	}
	if stile.CustomNumFmt == nil || *stile.CustomNumFmt != "dd/mm/yyyy" {
		t.Errorf("B2 style %+v, want dd/mm/yyyy", stile)
	}
	// 01/01/1900 is Excel's day 1; before 1900 there is no serial, and
	// 31/02 or 1/3/2026 is not a gg/mm/aaaa date: texts.
	if v := grezzo("B3"); v != "1" {
		t.Errorf("B3 serial %q, want 1", v)
	}
	for cella, want := range map[string]string{"B4": "31/12/1899", "B5": "31/02/2026", "C6": "1/3/2026"} {
		if ty := tipo(cella); ty != excelize.CellTypeInlineString || valore(cella) != want {
			t.Errorf("%s: %v %q, want the text %q", cella, ty, valore(cella), want)
		}
	}
	// Counts: numbers.
	for cella, want := range map[string]string{"C2": "42", "C3": "-7", "C5": "0"} {
		if ty := tipo(cella); (ty != excelize.CellTypeUnset && ty != excelize.CellTypeNumber) || valore(cella) != want {
			t.Errorf("%s: %v %q, want the number %s", cella, ty, valore(cella), want)
		}
	}
	// Texts: strings whatever they start with, never formulas.
	for cella, want := range map[string]string{
		"D2": `=HYPERLINK("http://x")`, "D3": "+39 051", "D6": "@SUM(A1)", "A1": "id",
		"A3": "<a & b>", "A4": "a\ufffdb\ufffdc\ufffd", "D4": "  spazi\t",
		"A5": "_x0041_ e _x005F_", "D5": "riga\r\nnuova", "B6": "\ufffd\ufffd",
	} {
		if ty := tipo(cella); ty != excelize.CellTypeInlineString {
			t.Errorf("%s type %v, want an inline string", cella, ty)
		}
		if v := valore(cella); v != want {
			t.Errorf("%s = %q, want %q", cella, v, want)
		}
		if fo, _ := f.GetCellFormula(Foglio, cella); fo != "" {
			t.Errorf("%s is a formula: %q", cella, fo)
		}
	}
	// An empty text is an empty cell; a text longer than Excel's cell is cut.
	if v := valore("C4"); v != "" {
		t.Errorf("C4 = %q", v)
	}
	if v := valore("A6"); v != lungo[:2*maxCaratteri] {
		t.Errorf("A6 has %d characters, want %d", len([]rune(v)), maxCaratteri)
	}
	righe, err := f.GetRows(Foglio)
	if err != nil || len(righe) != 6 || strings.Join(righe[0], "|") != "id|aperto_il|casi|nota" {
		t.Errorf("rows %d %q %v", len(righe), righe[0], err)
	}
}

// The parts of the workbook, and the XML well formed for a reader
// stricter than excelize: every part parses with encoding/xml.
func TestXLSXParti(t *testing.T) {
	_, dati := scriviXLSX(t, []Valore{T("a\x00<"), T("01/01/2026"), N(1)})
	z, err := zip.NewReader(bytes.NewReader(dati), int64(len(dati)))
	if err != nil {
		t.Fatal(err)
	}
	var nomi []string
	for _, f := range z.File {
		nomi = append(nomi, f.Name)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := xmlBenFormato(b); err != nil {
			t.Errorf("%s: %v\n%s", f.Name, err, b)
		}
	}
	want := "[Content_Types].xml _rels/.rels xl/workbook.xml xl/_rels/workbook.xml.rels xl/styles.xml xl/worksheets/sheet1.xml"
	if got := strings.Join(nomi, " "); got != want {
		t.Errorf("parts %s, want %s", got, want)
	}
}

// BenchmarkXLSX writes rows like the dataset's (ten base columns, seven
// of the modules', mostly empty) into a discarding writer.
func BenchmarkXLSX(b *testing.B) {
	r := []Valore{T("3f9a0c1b7d2e4a5f6b80"), T("Casalecchio di Reno"), T("30-49"), T("F"), T("ADI"), T("ricevuto"),
		T("10/01/2025"), T(""), T(""), T(""), T(""), T(""), T(""), T(""), T(""), T(""), T("")}
	c := []Valore{T("3f9a0c1b7d2e4a5f6b81"), T("Zola Predosa"), T("65+"), T("M"), T("SFL"), T("chiuso"),
		T("10/01/2025"), T("01/02/2025"), T("01/12/2025"), T("Rinuncia"), T("03/02/2025"), T(""), T(""), T(""), T(""), T(""), T("")}
	s, err := NuovoScrittore(io.Discard, XLSX)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := range b.N {
		v := r
		if i%10 == 0 {
			v = c
		}
		if err := s.Riga(v); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Chiudi(); err != nil {
		b.Fatal(err)
	}
}

// xmlBenFormato reads every token of b.
func xmlBenFormato(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
