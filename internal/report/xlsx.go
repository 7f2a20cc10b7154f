package report

import (
	"archive/zip"
	"compress/flate"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
)

// The XLSX of an export, written by hand (ADR 0019, "Decision, amended"):
// a zip of the few SpreadsheetML parts a workbook needs, the sheet's XML
// written into its zip entry as the rows come, so the file streams into
// the export's blocks and memory stays constant whatever the number of
// rows. ECMA-376 Part 1, §18 (SpreadsheetML) and Part 2 (packaging).
//
// Each cell is appended to one reused buffer: texts are inline strings
// (t="inlineStr": no shared-strings table growing with the rows, and a
// text is never a formula whatever it starts with), counts are number
// cells, dates gg/mm/aaaa are serial numbers with the date style.

// Foglio is the name of the only sheet of an XLSX export.
const Foglio = "Esportazione"

// The fixed parts of the workbook. The sheet is xl/worksheets/sheet1.xml;
// style 1 of cellXfs is the date (number format 164, dd/mm/yyyy).
const (
	xlsxTipi = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`
	xlsxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`
	xlsxWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="` + Foglio + `" sheetId="1" r:id="rId1"/></sheets>` +
		`</workbook>`
	xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`
	// Excel wants a font, the two default fills and a border even when
	// nothing uses them.
	xlsxStili = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>` +
		`<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
		`<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
		`</styleSheet>`
	xlsxFoglioInizio = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheetData>`
	xlsxFoglioFine = `</sheetData></worksheet>`
)

// xlsxBlocco: the sheet's XML goes to the compressor in pieces of about
// this size.
const xlsxBlocco = 64 << 10

// maxCaratteri is the most a cell of Excel holds (UTF-16 units); a longer
// text is cut, as Excel itself would.
const maxCaratteri = 32767

type scrittoreXLSX struct {
	zw      *zip.Writer
	foglio  io.Writer // the sheet's entry
	buf     []byte
	riga    int
	num     []byte   // the current row's number, for the cells' references
	colonne [][]byte // A, B, …, AA: the columns' letters, as they are met
}

func nuovoXLSX(w io.Writer) (*scrittoreXLSX, error) {
	zw := zip.NewWriter(w)
	// Deflate at its fastest level: the file is about a tenth larger
	// and written in half the time (docs/performance.md).
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, p := range []struct{ nome, testo string }{
		{"[Content_Types].xml", xlsxTipi},
		{"_rels/.rels", xlsxRels},
		{"xl/workbook.xml", xlsxWorkbook},
		{"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
		{"xl/styles.xml", xlsxStili},
	} {
		f, err := zw.CreateHeader(intestazioneZip(p.nome))
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(f, p.testo); err != nil {
			return nil, err
		}
	}
	foglio, err := zw.CreateHeader(intestazioneZip("xl/worksheets/sheet1.xml"))
	if err != nil {
		return nil, err
	}
	s := &scrittoreXLSX{zw: zw, foglio: foglio, buf: make([]byte, 0, xlsxBlocco+8<<10)}
	s.buf = append(s.buf, xlsxFoglioInizio...)
	return s, nil
}

// intestazioneZip: a deflated entry dated now (a zero date reads as
// 1980 or as invalid in some archivers).
func intestazioneZip(nome string) *zip.FileHeader {
	return &zip.FileHeader{Name: nome, Method: zip.Deflate, Modified: time.Now()}
}

func (s *scrittoreXLSX) Riga(vv []Valore) error {
	s.riga++
	s.num = strconv.AppendInt(s.num[:0], int64(s.riga), 10)
	b := append(s.buf, `<row r="`...)
	b = append(b, s.num...)
	b = append(b, `">`...)
	for i, v := range vv {
		if v.Testo == "" {
			continue // an empty cell: nothing written
		}
		b = append(b, `<c r="`...)
		b = append(b, s.colonna(i)...)
		b = append(b, s.num...)
		if v.Numero {
			if n, err := strconv.ParseInt(v.Testo, 10, 64); err == nil {
				b = append(b, `"><v>`...)
				b = strconv.AppendInt(b, n, 10)
				b = append(b, `</v></c>`...)
				continue
			}
		} else if g, ok := seriale(v.Testo); ok {
			b = append(b, `" s="1"><v>`...)
			b = strconv.AppendInt(b, g, 10)
			b = append(b, `</v></c>`...)
			continue
		}
		b = append(b, `" t="inlineStr"><is><t`...)
		b = appendTesto(b, v.Testo)
		b = append(b, `</t></is></c>`...)
	}
	s.buf = append(b, `</row>`...)
	if len(s.buf) >= xlsxBlocco {
		return s.svuota()
	}
	return nil
}

// svuota gives the buffered XML to the sheet's entry.
func (s *scrittoreXLSX) svuota() error {
	_, err := s.foglio.Write(s.buf)
	s.buf = s.buf[:0]
	return err
}

func (s *scrittoreXLSX) Chiudi() error {
	s.buf = append(s.buf, xlsxFoglioFine...)
	if err := s.svuota(); err != nil {
		return err
	}
	return s.zw.Close()
}

// colonna is the letters of column i (0: A).
func (s *scrittoreXLSX) colonna(i int) []byte {
	for len(s.colonne) <= i {
		n := len(s.colonne) + 1
		var l []byte
		for n > 0 {
			n--
			l = append([]byte{byte('A' + n%26)}, l...)
			n /= 26
		}
		s.colonne = append(s.colonne, l)
	}
	return s.colonne[i]
}

// seriale is the serial number of a gg/mm/aaaa date in Excel's 1900 date
// system (1 is 01/01/1900; Excel counts a 29/02/1900 that never was, so
// from 01/03/1900 it is the days since 30/12/1899). A date before 1900
// has no serial number: it stays a text.
func seriale(s string) (int64, bool) {
	if len(s) != 10 || s[2] != '/' || s[5] != '/' {
		return 0, false
	}
	d, ok := calendario.ParseData(s)
	if !ok || d.Year() < 1900 {
		return 0, false
	}
	g := d.Unix()/86400 + 25569 // 25569: 01/01/1970
	if g < 61 {                 // before 01/03/1900
		g--
	}
	return g, true
}

// appendTesto appends the rest of a <t> start tag and the text of an
// inline string, escaped for XML 1.0:
//   - xml:space="preserve" when it starts or ends with a space, a tab or a
//     new line, which Excel would otherwise drop;
//   - & < > as entities, a carriage return as &#xD; (a literal one would
//     be read as a new line);
//   - a character XML 1.0 does not allow (the control characters but tab
//     and new line, U+FFFE, U+FFFF, bytes that are not UTF-8) as U+FFFD,
//     as encoding/xml's EscapeText does;
//   - a literal _xHHHH_, which Excel would read as the character HHHH, as
//     _x005F_xHHHH_ (ECMA-376 Part 1, the ST_Xstring type);
//   - cut at maxCaratteri UTF-16 units.
func appendTesto(b []byte, s string) []byte {
	if len(s) > maxCaratteri {
		s = taglia(s)
	}
	switch s[0] {
	case ' ', '\t', '\n', '\r':
		b = append(b, ` xml:space="preserve"`...)
	default:
		switch s[len(s)-1] {
		case ' ', '\t', '\n', '\r':
			b = append(b, ` xml:space="preserve"`...)
		}
	}
	b = append(b, '>')
	da := 0 // s[da:i] is still to be copied as it is
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && n == 1) || r == 0xFFFE || r == 0xFFFF {
				b = append(b, s[da:i]...)
				b = append(b, "\uFFFD"...)
				da = i + n
			}
			i += n
			continue
		}
		if !speciale[c] {
			i++
			continue
		}
		b = append(b, s[da:i]...)
		da = i + 1
		switch c {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '\r':
			b = append(b, "&#xD;"...)
		case '_':
			if escapeOOXML(s[i:]) {
				b = append(b, "_x005F"...)
			}
			b = append(b, '_')
		default: // a control character
			b = append(b, "\uFFFD"...)
		}
		i++
	}
	return append(b, s[da:]...)
}

// speciale: the ASCII bytes appendTesto does not copy as they are.
var speciale = func() (t [utf8.RuneSelf]bool) {
	for c := range 0x20 {
		t[c] = c != '\t' && c != '\n'
	}
	for _, c := range "&<>_" {
		t[c] = true
	}
	return t
}()

// escapeOOXML: s starts with _xHHHH_.
func escapeOOXML(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// taglia cuts s to maxCaratteri UTF-16 units, on a character boundary.
func taglia(s string) string {
	n := 0
	for i, r := range s {
		k := 1
		if r >= 0x10000 {
			k = 2
		}
		if n+k > maxCaratteri {
			return s[:i]
		}
		n += k
	}
	return s
}
