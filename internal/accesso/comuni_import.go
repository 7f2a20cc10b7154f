package accesso

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/encoding/charmap"
)

// ErrElencoNonValido wraps every reason why a file cannot be read as the
// ISTAT list of comuni at all (empty, too big, a required column missing), so
// that a handler can tell a wrong file, which the user fixes, from a server
// failure. Bad rows are not errors: ParseComuniISTAT reports them one by one.
var ErrElencoNonValido = errors.New("elenco dei comuni ISTAT non valido")

// MaxElencoComuni is the largest file ParseComuniISTAT reads. The real list
// (about 7,900 comuni, 26 columns) is under 2 MB; the limit keeps a wrong
// upload from being read into memory whole.
const MaxElencoComuni = 16 << 20

// RigaScartata is a line of the ISTAT file that was not imported, with the
// reason in Italian, so the amministratore di sistema can fix the file
// instead of finding a comune silently missing later.
type RigaScartata struct {
	Riga   int    // 1-based line of the file where the record starts; the header is line 1
	Motivo string // e.g. "codice catastale mancante"
}

// RisultatoImport counts what ImportComuni did, so the amministratore di
// sistema sees that importing the same list again changes nothing.
type RisultatoImport struct {
	Inseriti   int // comuni that were not in the table
	Aggiornati int // comuni whose catastale code, name, provincia or regione changed
	Invariati  int // comuni already in the table exactly as in the list
}

var (
	reCodiceISTAT      = regexp.MustCompile(`^[0-9]{6}$`)
	reCodiceCatastale  = regexp.MustCompile(`^[A-Z][0-9]{3}$`)
	reSigla            = regexp.MustCompile(`^[A-Z]{2}$`)
	reNumerico         = regexp.MustCompile(`^[0-9]+$`)
	reNotaIntestazione = regexp.MustCompile(`\(\s*[0-9]+\s*\)`)
)

// colonnaISTAT is a column the import needs: how its header starts once
// normalised (ISTAT renames columns between releases but keeps the start)
// and how ISTAT names it, for the error when it is missing.
type colonnaISTAT struct {
	prefisso string
	nome     string
}

var (
	colCodiceISTAT = colonnaISTAT{"codice comune formato alfanumerico", "Codice Comune formato alfanumerico"}
	colItaliano    = colonnaISTAT{"denominazione in italiano", "Denominazione in italiano"}
	colDenominaz   = colonnaISTAT{"denominazione (italiana e straniera)", "Denominazione (Italiana e straniera)"}
	colRegione     = colonnaISTAT{"denominazione regione", "Denominazione Regione"}
	colSigla       = colonnaISTAT{"sigla automobilistica", "Sigla automobilistica"}
	colCatastale   = colonnaISTAT{"codice catastale", "Codice Catastale del comune"}
)

// normalizzaIntestazione makes header cells of different releases comparable:
// lowercase, footnote markers such as "(1)" dropped, runs of spaces and the
// newlines ISTAT puts inside quoted header cells collapsed to one space.
func normalizzaIntestazione(s string) string {
	s = strings.ToLower(strings.TrimPrefix(s, "\uFEFF"))
	s = reNotaIntestazione.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// trovaColonna returns the index of the first normalised header cell that
// starts with c's prefix, -1 when none does.
func trovaColonna(header []string, c colonnaISTAT) int {
	for i, h := range header {
		if strings.HasPrefix(h, c.prefisso) {
			return i
		}
	}
	return -1
}

// decodificaElenco returns the file as UTF-8 text. ISTAT published the list
// in Windows-1252 for years and in UTF-8 (sometimes with a BOM) later; a
// Windows-1252 file with accented names is never valid UTF-8, so validity
// tells the two apart without asking the user.
func decodificaElenco(b []byte) ([]byte, error) {
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if utf8.Valid(b) {
		return b, nil
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: codifica non riconosciuta: %v", ErrElencoNonValido, err)
	}
	return out, nil
}

// ParseComuniISTAT reads the "Elenco comuni italiani" CSV that ISTAT
// publishes (separator ";", Windows-1252 or UTF-8, CRLF, quoted header cells
// spanning lines) and returns the valid comuni and every line it rejected
// with the reason, so that nothing is dropped without the amministratore di
// sistema knowing. Columns are found by the start of their header, because
// ISTAT renames and adds columns between releases. The error is non-nil
// only when the file as a whole is unusable (it then wraps
// ErrElencoNonValido) or cannot be read.
func ParseComuniISTAT(r io.Reader) ([]Comune, []RigaScartata, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxElencoComuni+1))
	if err != nil {
		return nil, nil, fmt.Errorf("accesso: lettura elenco comuni: %w", err)
	}
	if len(raw) > MaxElencoComuni {
		return nil, nil, fmt.Errorf("%w: il file supera %d MB", ErrElencoNonValido, MaxElencoComuni>>20)
	}
	text, err := decodificaElenco(raw)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = ';'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1

	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: il file è vuoto", ErrElencoNonValido)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: intestazione illeggibile: %v", ErrElencoNonValido, err)
	}
	header := make([]string, len(rec))
	for i, h := range rec {
		header[i] = normalizzaIntestazione(h)
	}
	iISTAT, iCat, iSigla, iReg := trovaColonna(header, colCodiceISTAT), trovaColonna(header, colCatastale),
		trovaColonna(header, colSigla), trovaColonna(header, colRegione)
	iIta, iDen := trovaColonna(header, colItaliano), trovaColonna(header, colDenominaz)
	var mancanti []string
	for _, m := range []struct {
		i int
		c colonnaISTAT
	}{{iISTAT, colCodiceISTAT}, {max(iIta, iDen), colItaliano}, {iReg, colRegione}, {iSigla, colSigla}, {iCat, colCatastale}} {
		if m.i < 0 {
			mancanti = append(mancanti, "«"+m.c.nome+"»")
		}
	}
	switch len(mancanti) {
	case 0:
	case 1:
		return nil, nil, fmt.Errorf("%w: manca la colonna %s", ErrElencoNonValido, mancanti[0])
	default:
		return nil, nil, fmt.Errorf("%w: mancano le colonne %s", ErrElencoNonValido, strings.Join(mancanti, ", "))
	}

	var (
		comuni    []Comune
		scartate  []RigaScartata
		rigaISTAT = map[string]int{}
		rigaCat   = map[string]int{}
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// With LazyQuotes and a variable field count encoding/csv has no
			// syntax error left to report: this is a read failure.
			return nil, nil, fmt.Errorf("accesso: lettura elenco comuni: %w", err)
		}
		riga, _ := cr.FieldPos(0)
		cell := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		if vuota(rec) {
			continue
		}
		c := Comune{
			CodiceISTAT:     normalizzaCodiceISTAT(cell(iISTAT)),
			CodiceCatastale: strings.ToUpper(cell(iCat)),
			Denominazione:   cell(iIta),
			Provincia:       strings.ToUpper(cell(iSigla)),
			Regione:         cell(iReg),
		}
		if c.Denominazione == "" {
			// Older releases have only the column with both names.
			c.Denominazione = cell(iDen)
		}
		motivi := problemiComune(c)
		if len(motivi) == 0 {
			if prima, ok := rigaISTAT[c.CodiceISTAT]; ok {
				motivi = append(motivi, fmt.Sprintf("codice ISTAT duplicato (già alla riga %d)", prima))
			}
			if prima, ok := rigaCat[c.CodiceCatastale]; ok {
				motivi = append(motivi, fmt.Sprintf("codice catastale duplicato (già alla riga %d)", prima))
			}
		}
		if len(motivi) > 0 {
			scartate = append(scartate, RigaScartata{Riga: riga, Motivo: strings.Join(motivi, "; ")})
			continue
		}
		rigaISTAT[c.CodiceISTAT], rigaCat[c.CodiceCatastale] = riga, riga
		comuni = append(comuni, c)
	}
	return comuni, scartate, nil
}

// vuota reports whether every cell is blank: an empty line, or the line of
// bare separators that spreadsheets leave at the end of a sheet.
func vuota(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// normalizzaCodiceISTAT restores the leading zeros a spreadsheet drops when
// it takes the code for a number: "1001" (Agliè, provincia 001) and "37011"
// become "001001" and "037011". Four digits is the shortest such code, since
// the provincia part is at least 001.
func normalizzaCodiceISTAT(s string) string {
	if (len(s) == 4 || len(s) == 5) && reNumerico.MatchString(s) {
		return strings.Repeat("0", 6-len(s)) + s
	}
	return s
}

// problemiComune lists, in Italian, why c cannot go into the comune table:
// the same rules as the table's CHECKs, checked first so that one bad line
// is reported with its reason instead of failing the whole import; and no
// control characters in the names (the NUL character cannot be stored).
func problemiComune(c Comune) []string {
	var p []string
	switch {
	case c.CodiceISTAT == "":
		p = append(p, "codice ISTAT mancante")
	case !reCodiceISTAT.MatchString(c.CodiceISTAT):
		p = append(p, "codice ISTAT non valido: "+strconv.Quote(c.CodiceISTAT))
	}
	switch {
	case c.CodiceCatastale == "":
		p = append(p, "codice catastale mancante")
	case !reCodiceCatastale.MatchString(c.CodiceCatastale):
		p = append(p, "codice catastale non valido: "+strconv.Quote(c.CodiceCatastale))
	}
	switch {
	case c.Denominazione == "":
		p = append(p, "denominazione mancante")
	case strings.IndexFunc(c.Denominazione, unicode.IsControl) >= 0:
		p = append(p, "denominazione con caratteri di controllo: "+strconv.Quote(c.Denominazione))
	}
	switch {
	case c.Provincia == "":
		p = append(p, "sigla automobilistica mancante")
	case !reSigla.MatchString(c.Provincia):
		p = append(p, "sigla automobilistica non valida: "+strconv.Quote(c.Provincia))
	}
	switch {
	case c.Regione == "":
		p = append(p, "regione mancante")
	case strings.IndexFunc(c.Regione, unicode.IsControl) >= 0:
		p = append(p, "regione con caratteri di controllo: "+strconv.Quote(c.Regione))
	}
	return p
}

// ImportComuni writes the list of comuni into the table in one transaction,
// so that a failure (for instance a catastale code that belongs to another
// comune already in the table) leaves the table as it was rather than half
// imported. A comune is matched by its ISTAT code: new ones are inserted,
// existing ones get the list's catastale code, name, provincia and regione.
// The ambito a comune belongs to is never touched (AmbitoID in comuni is
// ignored): it is set by whoever creates the ambiti, not by ISTAT. Comuni
// missing from the list are kept, as operators' roles may refer to them.
// The list is checked first with the same rules as ParseComuniISTAT,
// duplicates included; a bad entry fails the import before the database is
// touched.
func (s *Service) ImportComuni(ctx context.Context, comuni []Comune) (RisultatoImport, error) {
	istat := make(map[string]int, len(comuni))
	cat := make(map[string]int, len(comuni))
	for i, c := range comuni {
		motivi := problemiComune(c)
		if prima, ok := istat[c.CodiceISTAT]; ok {
			motivi = append(motivi, fmt.Sprintf("codice ISTAT duplicato (già al comune n. %d)", prima+1))
		}
		if prima, ok := cat[c.CodiceCatastale]; ok {
			motivi = append(motivi, fmt.Sprintf("codice catastale duplicato (già al comune n. %d)", prima+1))
		}
		if len(motivi) > 0 {
			return RisultatoImport{}, fmt.Errorf("accesso: import comuni: comune n. %d (%q): %s",
				i+1, c.Denominazione, strings.Join(motivi, "; "))
		}
		istat[c.CodiceISTAT], cat[c.CodiceCatastale] = i, i
	}
	if len(comuni) == 0 {
		return RisultatoImport{}, nil
	}
	var res RisultatoImport
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ins, agg, err := s.st.upsertComuniCount(ctx, tx, comuni)
		if err != nil {
			return err
		}
		res = RisultatoImport{Inseriti: ins, Aggiornati: agg, Invariati: len(comuni) - ins - agg}
		return nil
	})
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "comune_codice_catastale_key" {
			return RisultatoImport{}, s.erroreCatastaliOccupati(ctx, comuni, pgErr)
		}
		return RisultatoImport{}, fmt.Errorf("accesso: import comuni: %w", err)
	}
	return res, nil
}

// maxConflittiMostrati bounds the conflicts spelled out in the error, which
// is meant to be shown to the amministratore di sistema.
const maxConflittiMostrati = 5

// erroreCatastaliOccupati explains a failed import whose catastale codes are
// already held by other comuni, naming both sides: it typically happens when
// ISTAT gave a comune a new code (a change of provincia) and the table still
// has it under the old one, and the amministratore di sistema must know which
// comuni to look at. The database's own message names only the first code.
func (s *Service) erroreCatastaliOccupati(ctx context.Context, comuni []Comune, pgErr *pgconn.PgError) error {
	conflitti, err := s.st.catastaliOccupati(ctx, s.pool, comuni)
	if err != nil || len(conflitti) == 0 {
		return fmt.Errorf("accesso: import comuni: codice catastale già assegnato a un altro comune, nulla è stato importato (%s): %w",
			pgErr.Detail, ErrDuplicateEntry)
	}
	righe := make([]string, 0, maxConflittiMostrati+1)
	for i, c := range conflitti {
		if i == maxConflittiMostrati {
			righe = append(righe, fmt.Sprintf("e altri %d", len(conflitti)-i))
			break
		}
		righe = append(righe, fmt.Sprintf("%s di %s (%s) è già di %s (%s)",
			c.catastale, c.denominazioneElenco, c.istatElenco, c.denominazioneTabella, c.istatTabella))
	}
	return fmt.Errorf("accesso: import comuni: codici catastali già assegnati ad altri comuni, nulla è stato importato: %s: %w",
		strings.Join(righe, "; "), ErrDuplicateEntry)
}

// conflittoCatastale is a catastale code of the list held in the table by a
// comune with another ISTAT code.
type conflittoCatastale struct {
	catastale, istatElenco, denominazioneElenco, istatTabella, denominazioneTabella string
}
