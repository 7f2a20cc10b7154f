package flusso

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
)

// Scarto is a line of the flow that was not imported, with every reason in
// Italian, so that whoever sent the file can fix it: nothing is dropped
// without the operator knowing. The fields are those of the
// importazione_scarto table.
type Scarto struct {
	Riga      int    // 1-based line of the file
	IDDomanda string // as written on the line, empty when it could not be read
	Motivo    string // all the reasons, joined by "; "
}

// Report counts what Parse read.
type Report struct {
	Righe  int      // lines read, empty lines included: the number of the last line
	Byte   int64    // bytes read
	Validi int      // households handed to the callback and accepted by it
	Scarti []Scarto // rejected lines, in file order
}

// Progresso is what Parse has done so far, for a progress bar: Byte against
// the size of the file gives the fraction read.
type Progresso struct {
	Byte     int64
	Righe    int
	Validi   int
	Scartati int
}

// Parser reads the flow. The zero value is ready to use and checks dates
// against today in Europe/Rome.
type Parser struct {
	// Oggi is the day dates of the past are checked against (a domanda, a
	// PAD, a birth cannot be after it). Zero: today in Europe/Rome.
	Oggi time.Time

	// Comuni, when not empty, are the codici ISTAT the households may
	// reside in (the comuni of the Ambito importing the file); a household
	// of another comune is rejected. Empty: any well-formed code.
	Comuni []string

	// MaxRiga is the longest line accepted, in bytes, without the line
	// terminator. Zero: the package's MaxRiga.
	MaxRiga int

	// Avanzamento, when not nil, is called every OgniRighe lines and once
	// at the end.
	Avanzamento func(Progresso)
	OgniRighe   int // zero: 1000
}

// Parse reads the flow with a zero Parser: see Parser.Parse.
func Parse(r io.Reader, fn func(Nucleo) error) (Report, error) {
	return Parser{}.Parse(r, fn)
}

// errScarto is what Scarta returns.
type errScarto struct{ motivo string }

func (e *errScarto) Error() string { return "flusso: riga scartata: " + e.motivo }

// Scarta returns the error a callback of Parse returns to reject a valid
// household for a reason Parse cannot see (the codice fiscale belongs to a
// person with another birth date, the domanda was closed by hand): Parse
// then reports the line with motivo, in Italian, and goes on. Any other
// error stops Parse.
func Scarta(motivo string) error { return &errScarto{motivo: motivo} }

// Parse reads the flow line by line. Every line is checked completely: a
// valid household is handed to fn, within which the caller applies it all
// or nothing; a line with problems is added to the Report's Scarti with its
// number, its id_domanda and all its reasons, and reading goes on. Empty
// lines are skipped; a UTF-8 byte order mark at the start of the file is
// ignored; lines may end in LF or CRLF. A line longer than MaxRiga is
// rejected without being read into memory whole.
//
// An id_domanda may appear on one line only: every later line with the same
// id is rejected, whether or not the first was valid, because which of the
// two is current cannot be told from the file.
//
// The error is non-nil only when the reader fails or fn returns an error
// other than one from Scarta; the Report then covers the lines read so far.
func (p Parser) Parse(r io.Reader, fn func(Nucleo) error) (Report, error) {
	maxRiga := p.MaxRiga
	if maxRiga <= 0 {
		maxRiga = MaxRiga
	}
	ogni := p.OgniRighe
	if ogni <= 0 {
		ogni = 1000
	}
	oggi := p.Oggi
	if oggi.IsZero() {
		oggi = time.Now()
	}
	c := controllo{oggi: calendario.Giorno(oggi)}
	if len(p.Comuni) > 0 {
		c.comuni = make(map[string]bool, len(p.Comuni))
		for _, k := range p.Comuni {
			c.comuni[k] = true
		}
	}

	var (
		rep   Report
		ids   = map[string]int{} // id_domanda → first line with it
		br    = bufio.NewReaderSize(r, maxRiga+2)
		prima = true
	)
	avanza := func() {
		if p.Avanzamento != nil {
			p.Avanzamento(Progresso{Byte: rep.Byte, Righe: rep.Righe, Validi: rep.Validi, Scartati: len(rep.Scarti)})
		}
	}
	for {
		line, err := br.ReadSlice('\n')
		troppoLunga := false
		if errors.Is(err, bufio.ErrBufferFull) {
			// Skip to the end of the line without keeping it.
			troppoLunga = true
			rep.Byte += int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				rep.Byte += int64(len(line))
			}
			line = nil
		} else {
			rep.Byte += int64(len(line))
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return rep, fmt.Errorf("flusso: lettura alla riga %d: %w", rep.Righe+1, err)
		}
		if len(line) == 0 && !troppoLunga {
			break // io.EOF right after the last line terminator
		}
		rep.Righe++
		riga := rep.Righe

		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if prima {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
			prima = false
		}
		switch {
		case troppoLunga || len(line) > maxRiga:
			rep.Scarti = append(rep.Scarti, Scarto{Riga: riga,
				Motivo: fmt.Sprintf("riga troppo lunga: oltre %d byte", maxRiga)})
		case len(bytes.TrimSpace(line)) == 0:
			// an empty line: nothing to import, nothing to report
		default:
			n, id, motivi := c.riga(line)
			if id != "" {
				if primaRiga, ok := ids[id]; ok {
					motivi = append(motivi, fmt.Sprintf("id_domanda ripetuto: già alla riga %d", primaRiga))
				} else {
					ids[id] = riga
				}
			}
			if len(motivi) > 0 {
				rep.Scarti = append(rep.Scarti, Scarto{Riga: riga, IDDomanda: Breve(id), Motivo: strings.Join(motivi, "; ")})
				break
			}
			n.Riga = riga
			if err := fn(n); err != nil {
				var s *errScarto
				if !errors.As(err, &s) {
					return rep, fmt.Errorf("flusso: riga %d: %w", riga, err)
				}
				rep.Scarti = append(rep.Scarti, Scarto{Riga: riga, IDDomanda: Breve(id), Motivo: s.motivo})
				break
			}
			rep.Validi++
		}
		if riga%ogni == 0 {
			avanza()
		}
		if err != nil { // io.EOF after a last line without terminator
			break
		}
	}
	avanza()
	return rep, nil
}

// riga decodes and checks one non-empty line. It returns the household, the
// id_domanda as written (trimmed) and every reason why the line cannot be
// imported, none when it can.
func (c *controllo) riga(line []byte) (Nucleo, string, []string) {
	c.motivi, c.rotti = c.motivi[:0], nil
	if !utf8.Valid(line) {
		return Nucleo{}, "", []string{"la riga non è testo UTF-8 valido"}
	}
	if bytes.TrimSpace(line)[0] != '{' {
		return Nucleo{}, "", []string{"la riga non è un oggetto JSON"}
	}

	// encoding/json matches keys regardless of case: "Misura" fills misura.
	// Such a line is read as if the key were written in lower case.
	var rw rigaJSON
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	err := dec.Decode(&rw)
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case err == nil:
	case errors.As(err, &syn):
		return Nucleo{}, "", []string{fmt.Sprintf("JSON non valido al carattere %d", syn.Offset)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Nucleo{}, "", []string{"JSON incompleto: la riga finisce prima della chiusura dell'oggetto"}
	case errors.As(err, &typ) || strings.HasPrefix(err.Error(), "json: unknown field"):
		// The decoder stops at the first problem but fills in everything
		// else: explain them all from the generic form, then check the rest.
		c.rotti = map[string]bool{}
		// Numbers as written: 1e999 or 99999999999999999999 is not an
		// integer of the tracciato, and must not stop this reading either.
		var v map[string]any
		gen := json.NewDecoder(bytes.NewReader(line[:dec.InputOffset()]))
		gen.UseNumber()
		if gen.Decode(&v) == nil {
			c.struttura(v, schemaNucleo, "")
		}
		if len(c.motivi) == 0 { // unreachable unless the schema drifts from rigaJSON
			c.motivi = append(c.motivi, "JSON non conforme al tracciato")
		}
	default:
		return Nucleo{}, "", []string{"JSON non leggibile"}
	}
	if len(bytes.TrimSpace(line[dec.InputOffset():])) > 0 {
		c.motivi = append(c.motivi, "testo dopo la chiusura dell'oggetto JSON")
	}
	for _, k := range ChiaviRipetute(line) {
		c.motivi = append(c.motivi, "campo "+k+" ripetuto: ogni campo compare una volta sola")
	}
	n := c.nucleo(&rw)
	return n, strings.TrimSpace(rw.IDDomanda), c.motivi
}
