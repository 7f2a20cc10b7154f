// Package stampa writes simple printable documents as PDF with the standard
// library only: PDF 1.4, A4 pages, the standard fonts Helvetica and
// Helvetica-Bold in WinAnsiEncoding (every PDF reader has them, so nothing
// is embedded, and the Italian accented letters print), titled blocks of
// text with word wrap, page breaks and "Pagina n di m" at the foot of every
// page. It is what the équipe's extract of the analisi preliminare and,
// later, the patto are printed with.
package stampa

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Documento is what to print: a title, an optional subtitle (the case, the
// date), blocks of text, and a line at the foot of every page.
type Documento struct {
	Titolo      string
	Sottotitolo string
	Blocchi     []Blocco
	// Piede is printed at the foot of every page, left of the page number
	// (e.g. "Documento riservato: contiene dati personali").
	Piede string
	// Creato, if set, is the document's creation date in its metadata.
	Creato time.Time
}

// Blocco is a titled block; Testo keeps its line breaks, an empty line
// separates paragraphs.
type Blocco struct {
	Titolo string
	Testo  string
}

// ErrVuoto: a document with neither title nor blocks.
var ErrVuoto = errors.New("stampa: empty document")

// Page geometry, in points (1/72 inch).
const (
	larghezzaPagina = 595.28 // A4
	altezzaPagina   = 841.89
	margine         = 56.0 // about 2 cm
	margineBasso    = 64.0 // room for the foot line
	corpoTesto      = 10.5
	interlinea      = 14.0
	corpoTitolo     = 16.0
	corpoBlocco     = 12.0
	corpoPiede      = 8.5
)

const larghezzaUtile = larghezzaPagina - 2*margine

type font int

const (
	normale font = iota
	grassetto
)

func (f font) nome() string {
	if f == grassetto {
		return "F2"
	}
	return "F1"
}

// riga is one line of text placed on a page.
type riga struct {
	x, y  float64
	f     font
	size  float64
	testo []byte // WinAnsi
}

type impaginatore struct {
	pagine [][]riga
	y      float64 // baseline of the next line on the current page
}

func (p *impaginatore) nuovaPagina() {
	p.pagine = append(p.pagine, nil)
	p.y = altezzaPagina - margine
}

// spazio makes sure h points fit above the bottom margin, else starts a page.
func (p *impaginatore) spazio(h float64) {
	if len(p.pagine) == 0 || p.y-h < margineBasso {
		p.nuovaPagina()
	}
}

func (p *impaginatore) scrivi(f font, size float64, testo []byte, avanzamento float64) {
	p.spazio(avanzamento)
	p.y -= size
	n := len(p.pagine) - 1
	p.pagine[n] = append(p.pagine[n], riga{x: margine, y: p.y, f: f, size: size, testo: testo})
	p.y -= avanzamento - size
}

// paragrafo wraps text into lines of the usable width and writes them.
func (p *impaginatore) paragrafo(f font, size, avanzamento float64, testo string) {
	for _, l := range aCapo(winAnsi(testo), f, size, larghezzaUtile) {
		p.scrivi(f, size, l, avanzamento)
	}
}

// PDF renders doc as a PDF document.
func PDF(doc Documento) ([]byte, error) {
	if strings.TrimSpace(doc.Titolo) == "" && len(doc.Blocchi) == 0 {
		return nil, ErrVuoto
	}
	var p impaginatore
	p.nuovaPagina()
	if t := strings.TrimSpace(doc.Titolo); t != "" {
		p.paragrafo(grassetto, corpoTitolo, corpoTitolo*1.3, t)
	}
	if s := strings.TrimSpace(doc.Sottotitolo); s != "" {
		for _, l := range strings.Split(s, "\n") {
			p.paragrafo(normale, corpoTesto, interlinea, l)
		}
	}
	p.y -= interlinea
	for _, b := range doc.Blocchi {
		if t := strings.TrimSpace(b.Titolo); t != "" {
			// Keep a heading with at least two lines of its text.
			p.spazio(corpoBlocco*1.6 + 2*interlinea)
			p.y -= corpoBlocco * 0.4
			p.paragrafo(grassetto, corpoBlocco, corpoBlocco*1.5, t)
		}
		testo := strings.ReplaceAll(strings.ReplaceAll(b.Testo, "\r\n", "\n"), "\t", "    ")
		for _, l := range strings.Split(strings.TrimRight(testo, "\n "), "\n") {
			if strings.TrimSpace(l) == "" {
				p.y -= interlinea / 2
				continue
			}
			p.paragrafo(normale, corpoTesto, interlinea, l)
		}
		p.y -= interlinea / 2
	}
	return scriviPDF(doc, p.pagine)
}

// aCapo breaks s into lines no wider than w at size: at spaces, and inside
// a word only when the word alone is wider than a line.
func aCapo(s []byte, f font, size, w float64) [][]byte {
	var out [][]byte
	var linea []byte
	larg := 0.0
	spazio := larghezza([]byte{' '}, f, size)
	for _, parola := range bytes.Fields(s) {
		lp := larghezza(parola, f, size)
		if len(linea) > 0 && larg+spazio+lp <= w {
			linea = append(append(linea, ' '), parola...)
			larg += spazio + lp
			continue
		}
		if len(linea) > 0 {
			out = append(out, linea)
			linea, larg = nil, 0
		}
		for lp > w { // a word longer than the line: cut it
			n := 1
			for n < len(parola) && larghezza(parola[:n+1], f, size) <= w {
				n++
			}
			out = append(out, parola[:n])
			parola = parola[n:]
			lp = larghezza(parola, f, size)
		}
		linea, larg = append([]byte(nil), parola...), lp
	}
	if len(linea) > 0 || len(out) == 0 {
		out = append(out, linea)
	}
	return out
}

func larghezza(s []byte, f font, size float64) float64 {
	tab := &larghezzeHelvetica
	if f == grassetto {
		tab = &larghezzeHelveticaBold
	}
	n := 0
	for _, c := range s {
		n += int(tab[c])
	}
	return float64(n) * size / 1000
}

// winAnsiExtra are the characters of WinAnsiEncoding's 0x80–0x9F range.
var winAnsiExtra = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89,
	'Š': 0x8A, '‹': 0x8B, 'Œ': 0x8C, 'Ž': 0x8E, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95,
	'–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9A, '›': 0x9B, 'œ': 0x9C, 'ž': 0x9E, 'Ÿ': 0x9F,
}

// winAnsi converts UTF-8 text to WinAnsiEncoding; control characters become
// spaces and characters the encoding lacks a question mark.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\u00a0':
			out = append(out, ' ')
		case unicode.IsControl(r):
			out = append(out, ' ')
		case r < 0x80 || (r >= 0xA0 && r <= 0xFF):
			out = append(out, byte(r))
		default:
			if b, ok := winAnsiExtra[r]; ok {
				out = append(out, b)
			} else {
				out = append(out, '?')
			}
		}
	}
	return out
}

// stringa is a PDF literal string of WinAnsi bytes.
func stringa(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('(')
	for _, c := range b {
		switch c {
		case '(', ')', '\\':
			sb.WriteByte('\\')
			sb.WriteByte(c)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte(')')
	return sb.String()
}

// testoInfo is a PDF text string for the document information dictionary:
// UTF-16BE with a byte order mark, so that any title survives.
func testoInfo(s string) string {
	var sb strings.Builder
	sb.WriteString("<FEFF")
	for _, r := range s {
		if r > 0xFFFF {
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&sb, "%04X%04X", r1, r2)
			continue
		}
		fmt.Fprintf(&sb, "%04X", r)
	}
	sb.WriteString(">")
	return sb.String()
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}

func num(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-" {
		return "0"
	}
	return s
}

// scriviPDF writes the objects, the cross-reference table and the trailer.
func scriviPDF(doc Documento, pagine [][]riga) ([]byte, error) {
	var buf bytes.Buffer
	var offsets []int // offsets[i] is object i+1's
	obj := func(body string) int {
		offsets = append(offsets, buf.Len())
		n := len(offsets)
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", n, body)
		return n
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

	// Fixed numbers: 1 catalog, 2 page tree, 3 and 4 fonts, 5 info; then a
	// page and its content stream for each page.
	n := len(pagine)
	kids := make([]string, n)
	for i := range pagine {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	info := "<< /Producer (Cartella)"
	if doc.Titolo != "" {
		info += " /Title " + testoInfo(doc.Titolo)
	}
	if !doc.Creato.IsZero() {
		info += " /CreationDate (D:" + doc.Creato.UTC().Format("20060102150405") + "Z)"
	}
	obj(info + " >>")

	for i, righe := range pagine {
		var cs bytes.Buffer
		for _, r := range righe {
			fmt.Fprintf(&cs, "BT /%s %s Tf %s %s Td %s Tj ET\n", r.f.nome(), num(r.size), num(r.x), num(r.y), stringa(r.testo))
		}
		// The foot: a thin rule, the document's line on the left, the page
		// number on the right.
		fmt.Fprintf(&cs, "0.6 G 0.5 w %s %s m %s %s l S 0 G\n", num(margine), num(margineBasso-18), num(larghezzaPagina-margine), num(margineBasso-18))
		if doc.Piede != "" {
			piede := aCapo(winAnsi(doc.Piede), normale, corpoPiede, larghezzaUtile-90)[0]
			fmt.Fprintf(&cs, "BT /F1 %s Tf %s %s Td %s Tj ET\n", num(corpoPiede), num(margine), num(margineBasso-32), stringa(piede))
		}
		numero := winAnsi(fmt.Sprintf("Pagina %d di %d", i+1, n))
		x := larghezzaPagina - margine - larghezza(numero, normale, corpoPiede)
		fmt.Fprintf(&cs, "BT /F1 %s Tf %s %s Td %s Tj ET\n", num(corpoPiede), num(x), num(margineBasso-32), stringa(numero))

		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		if _, err := zw.Write(cs.Bytes()); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>",
			num(larghezzaPagina), num(altezzaPagina), 7+2*i))
		obj(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()))
	}

	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return buf.Bytes(), nil
}
