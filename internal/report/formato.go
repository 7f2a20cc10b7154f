package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The files of the exports (docs/formats/esportazioni.md, dataset.md):
// CSV as Italian Excel opens it (UTF-8 with BOM, ";", CRLF) and XLSX
// written by our own SpreadsheetML writer (xlsx.go, ADR 0019). Both are
// written row by row, never held whole in memory.

// Formati of an export.
const (
	CSV  = "csv"
	XLSX = "xlsx"
)

// Valore is one cell of a file: a count (a number cell in XLSX) or a text.
type Valore struct {
	Testo  string
	Numero bool
}

// T is a text cell, N a count.
func T(s string) Valore { return Valore{Testo: s} }

// N is a count.
func N(n int) Valore { return Valore{Testo: strconv.Itoa(n), Numero: true} }

// Scrittore writes the rows of a file.
type Scrittore interface {
	Riga(vv []Valore) error
	// Chiudi writes what is left; the file is complete only after it.
	Chiudi() error
}

// pericoloso: a text starting with one of these is taken by a spreadsheet
// as a formula (or as the start of one, after a tab or a return).
func pericoloso(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// Neutralizza returns the text of a cell as a spreadsheet shows it and
// never runs it: a leading apostrophe before a text that would start a
// formula (OWASP, CSV injection).
func Neutralizza(s string) string {
	if pericoloso(s) {
		return "'" + s
	}
	return s
}

// NuovoScrittore returns the writer of formato on w.
func NuovoScrittore(w io.Writer, formato string) (Scrittore, error) {
	switch formato {
	case CSV:
		return nuovoCSV(w)
	case XLSX:
		return nuovoXLSX(w)
	}
	return nil, fmt.Errorf("report: formato %q sconosciuto", formato)
}

type scrittoreCSV struct {
	w *bufio.Writer
}

func nuovoCSV(w io.Writer) (*scrittoreCSV, error) {
	b := bufio.NewWriterSize(w, 64<<10)
	if _, err := b.WriteString("\ufeff"); err != nil {
		return nil, err
	}
	return &scrittoreCSV{w: b}, nil
}

func (s *scrittoreCSV) Riga(vv []Valore) error {
	for i, v := range vv {
		if i > 0 {
			s.w.WriteByte(';')
		}
		t := v.Testo
		if !v.Numero {
			t = Neutralizza(t)
		}
		if strings.ContainsAny(t, "\";\r\n") {
			s.w.WriteByte('"')
			s.w.WriteString(strings.ReplaceAll(t, `"`, `""`))
			s.w.WriteByte('"')
		} else {
			s.w.WriteString(t)
		}
	}
	_, err := s.w.WriteString("\r\n")
	return err
}

func (s *scrittoreCSV) Chiudi() error { return s.w.Flush() }
