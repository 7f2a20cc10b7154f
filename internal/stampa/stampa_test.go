package stampa

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// parsed is what a reader finds in the file by following its
// cross-reference table.
type parsed struct {
	oggetti map[int]string // object number → its text up to endobj
	pagine  int
	testi   []string // decompressed content stream of each page
}

var reObj = regexp.MustCompile(`^(\d+) 0 obj\n`)

// parse checks the structure a PDF reader relies on: the header, startxref
// pointing at the xref table, every in-use entry's offset at "n 0 obj",
// /Size, the page tree's /Count, and each page's content stream of the
// declared /Length.
func parse(t *testing.T, pdf []byte) parsed {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) {
		t.Fatalf("header %q", pdf[:min(len(pdf), 10)])
	}
	if !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("no end-of-file marker at the end")
	}
	i := bytes.LastIndex(pdf, []byte("startxref\n"))
	if i < 0 {
		t.Fatal("no startxref")
	}
	xref, err := strconv.Atoi(strings.Fields(string(pdf[i+len("startxref\n"):]))[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table: %q", xref, pdf[xref:min(len(pdf), xref+20)])
	}
	lines := strings.Split(string(pdf[xref:]), "\n")
	var first, count int
	if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &count); err != nil || first != 0 {
		t.Fatalf("xref subsection %q", lines[1])
	}
	if lines[2] != "0000000000 65535 f " {
		t.Errorf("free entry %q", lines[2])
	}
	p := parsed{oggetti: map[int]string{}}
	for n := 1; n < count; n++ {
		e := lines[2+n]
		if len(e)+1 != 20 || !strings.HasSuffix(e, " 00000 n ") {
			t.Fatalf("xref entry %d %q is not 20 bytes in use", n, e)
		}
		off, _ := strconv.Atoi(e[:10])
		m := reObj.FindSubmatch(pdf[off:])
		if m == nil || string(m[1]) != strconv.Itoa(n) {
			t.Fatalf("xref entry %d points at %q", n, pdf[off:min(len(pdf), off+15)])
		}
		end := bytes.Index(pdf[off:], []byte("\nendobj\n"))
		p.oggetti[n] = string(pdf[off : off+end])
	}
	if !strings.Contains(string(pdf), fmt.Sprintf("/Size %d ", count)) {
		t.Errorf("trailer /Size is not %d", count)
	}
	for n := 1; n < count; n++ {
		o := p.oggetti[n]
		if !strings.Contains(o, "/Type /Page ") {
			continue
		}
		p.pagine++
		var cont int
		if _, err := fmt.Sscanf(o[strings.Index(o, "/Contents "):], "/Contents %d 0 R", &cont); err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		s := p.oggetti[cont]
		var length int
		if _, err := fmt.Sscanf(s[strings.Index(s, "/Length "):], "/Length %d", &length); err != nil {
			t.Fatal(err)
		}
		start := strings.Index(s, "stream\n") + len("stream\n")
		if !strings.HasPrefix(s[start+length:], "\nendstream") {
			t.Fatalf("stream of page %d: /Length %d does not end at endstream", n, length)
		}
		zr, err := zlib.NewReader(strings.NewReader(s[start : start+length]))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		p.testi = append(p.testi, string(b))
	}
	if !strings.Contains(p.oggetti[2], fmt.Sprintf("/Count %d ", p.pagine)) {
		t.Errorf("page tree %q does not count %d pages", p.oggetti[2], p.pagine)
	}
	return p
}

func TestDocumentoBreve(t *testing.T) {
	pdf, err := PDF(Documento{
		Titolo:      "Estratto dell'analisi preliminare",
		Sottotitolo: "Caso C-000001 · 12/05/2026",
		Piede:       "Documento riservato",
		Blocchi:     []Blocco{{Titolo: "Informazioni sul nucleo", Testo: "Rossi Maria, 40 anni, richiedente.\nPiù servizi attivi: però è già seguita (cioè)."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, pdf)
	if p.pagine != 1 {
		t.Fatalf("%d pages, want 1", p.pagine)
	}
	txt := p.testi[0]
	for _, want := range []string{
		"(Estratto dell'analisi preliminare) Tj",
		"/F2 16 Tf",
		"(Informazioni sul nucleo) Tj",
		// Accented letters in WinAnsiEncoding, parentheses escaped.
		"(Pi\xf9 servizi attivi: per\xf2 \xe8 gi\xe0 seguita \\(cio\xe8\\).) Tj",
		"(Pagina 1 di 1) Tj",
		"(Documento riservato) Tj",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("page lacks %q:\n%s", want, txt)
		}
	}
	if !strings.Contains(p.oggetti[3], "/BaseFont /Helvetica /Encoding /WinAnsiEncoding") ||
		!strings.Contains(p.oggetti[4], "/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding") {
		t.Errorf("fonts: %q %q", p.oggetti[3], p.oggetti[4])
	}
}

func TestDocumentoLungoVaSuPiuPagine(t *testing.T) {
	par := strings.Repeat("Il nucleo è seguito dal servizio sociale e dal centro per l'impiego; ", 12)
	var blocchi []Blocco
	for i := range 12 {
		blocchi = append(blocchi, Blocco{Titolo: fmt.Sprintf("Sezione %d", i+1), Testo: par + "\n\n" + par})
	}
	pdf, err := PDF(Documento{Titolo: "Documento lungo", Blocchi: blocchi})
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, pdf)
	if p.pagine < 3 {
		t.Fatalf("%d pages, want several", p.pagine)
	}
	reY := regexp.MustCompile(`Td \(`)
	for i, txt := range p.testi {
		if want := fmt.Sprintf("(Pagina %d di %d) Tj", i+1, p.pagine); !strings.Contains(txt, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if len(reY.FindAllString(txt, -1)) < 5 && i < p.pagine-1 {
			t.Errorf("page %d is almost empty", i+1)
		}
		// Every line is inside the page: no baseline below the foot area.
		for _, m := range regexp.MustCompile(`([\d.]+) ([\d.]+) Td`).FindAllStringSubmatch(txt, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			y, _ := strconv.ParseFloat(m[2], 64)
			if x < margine-1 || x > larghezzaPagina-margine || y < 20 || y > altezzaPagina-margine {
				t.Errorf("page %d: text at %v,%v outside the printable area", i+1, x, y)
			}
		}
	}
	if !strings.Contains(p.testi[len(p.testi)-1], "(Sezione 12) Tj") {
		t.Error("the last section is not on the last page")
	}
}

// Lines never exceed the usable width, and a word longer than a line is cut.
func TestACapo(t *testing.T) {
	s := winAnsi(strings.Repeat("parola ", 40) + strings.Repeat("x", 300) + " fine")
	righe := aCapo(s, normale, corpoTesto, larghezzaUtile)
	if len(righe) < 4 {
		t.Fatalf("%d lines", len(righe))
	}
	var tutto []string
	for _, r := range righe {
		if w := larghezza(r, normale, corpoTesto); w > larghezzaUtile {
			t.Errorf("line %q is %v wide, over %v", r, w, larghezzaUtile)
		}
		tutto = append(tutto, string(r))
	}
	if got := strings.Join(tutto, ""); strings.Count(got, "x") != 300 || !strings.HasSuffix(got, "fine") {
		t.Errorf("text lost in wrapping: %q", got)
	}
	if len(aCapo(nil, normale, corpoTesto, larghezzaUtile)) != 1 {
		t.Error("an empty paragraph is one empty line")
	}
}

func TestWinAnsi(t *testing.T) {
	if got := winAnsi("€ “perché” — àèéìòù ÀÈÉÌÒÙ 😀\x07"); string(got) != "\x80 \x93perch\xe9\x94 \x97 \xe0\xe8\xe9\xec\xf2\xf9 \xc0\xc8\xc9\xcc\xd2\xd9 ? " {
		t.Errorf("winAnsi: %q", got)
	}
	if _, err := PDF(Documento{}); err != ErrVuoto {
		t.Errorf("empty document: %v", err)
	}
}
