package report

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/cartella/cartella/internal/calendario"
)

// The files of the exports (docs/formats/esportazioni.md, dataset.md):
// CSV as Italian Excel opens it (UTF-8 with BOM, ";", CRLF) and XLSX
// through excelize's StreamWriter (ADR 0019). Both are written row by
// row, never held whole in memory.

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

// Foglio is the name of the only sheet of an XLSX export.
const Foglio = "Esportazione"

type scrittoreXLSX struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	riga int
	data int // the style of a date cell
	buf  []any
}

func nuovoXLSX(w io.Writer) (*scrittoreXLSX, error) {
	// The StreamWriter keeps up to excelize's chunk in memory and the rest
	// of the sheet in a temporary file, zipped into w by Chiudi.
	f := excelize.NewFile(excelize.Options{TmpDir: os.TempDir()})
	// excelize's Write builds the whole zip in a bytes.Buffer (for
	// 1,000,000 rows the process went over 400 MB): its zip writer is
	// given w instead, so the archive streams to the blocks and the buffer
	// stays empty. Deflate at its fastest level: the file is about a tenth
	// larger and written in half the time (docs/performance.md). The
	// buffer is also where excelize would patch zip64 headers, which only
	// an entry over 4 GB needs.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(out, flate.BestSpeed)
		})
		return zw
	})
	if err := f.SetSheetName("Sheet1", Foglio); err != nil {
		return nil, err
	}
	formato := "dd/mm/yyyy"
	data, err := f.NewStyle(&excelize.Style{CustomNumFmt: &formato})
	if err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(Foglio)
	if err != nil {
		return nil, err
	}
	return &scrittoreXLSX{out: w, f: f, sw: sw, data: data}, nil
}

// dataItaliana parses a gg/mm/aaaa cell, written as a date in XLSX.
func dataItaliana(s string) (time.Time, bool) {
	if len(s) != 10 || s[2] != '/' || s[5] != '/' {
		return time.Time{}, false
	}
	return calendario.ParseData(s)
}

func (s *scrittoreXLSX) Riga(vv []Valore) error {
	s.riga++
	s.buf = s.buf[:0]
	for _, v := range vv {
		switch {
		case v.Numero:
			n, err := strconv.Atoi(v.Testo)
			if err != nil {
				s.buf = append(s.buf, excelize.Cell{Value: v.Testo})
				continue
			}
			s.buf = append(s.buf, n)
		default:
			if d, ok := dataItaliana(v.Testo); ok {
				s.buf = append(s.buf, excelize.Cell{StyleID: s.data, Value: d})
				continue
			}
			// A string cell: whatever it starts with, never a formula.
			s.buf = append(s.buf, excelize.Cell{Value: v.Testo})
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, s.riga)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, s.buf)
}

func (s *scrittoreXLSX) Chiudi() error {
	if err := s.sw.Flush(); err != nil {
		return err
	}
	if err := s.f.Write(s.out); err != nil {
		return err
	}
	return s.f.Close()
}
