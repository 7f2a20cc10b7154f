package prestazioni

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

// The catalogue of INPS prestazioni (prestazione_catalogo) is loaded from a
// CSV file with `cartella import prestazioni FILE` (docs/formats/
// prestazioni.md): the code and denomination a flow carries
// (CodicePrestazione 5–10 characters, DenominazionePrestazione 10–200,
// PS_PSA_SINA201812.xsd) and, if the file says, the AreaUtenza the
// prestazione belongs to. The load is strict and all or nothing: one bad
// row and nothing is written, every bad row listed with its line and reason.
// Loading the same file again changes nothing.

// ErrCatalogoNonValido wraps every reason why a file cannot be read as a
// catalogue at all (empty, too big, not UTF-8, an unknown or missing column).
var ErrCatalogoNonValido = errors.New("catalogo delle prestazioni non valido")

// ErrRigheScartate: some rows were rejected, so nothing was written.
var ErrRigheScartate = errors.New("catalogo delle prestazioni: righe scartate")

// MaxCatalogo is the largest file read.
const MaxCatalogo = 4 << 20

const (
	colCodice        = "codice"
	colDenominazione = "denominazione"
	colArea          = "area"
)

var colonneCatalogo = []string{colCodice, colDenominazione, colArea}

// reCodice is a CodicePrestazione as the catalogue stores it: 5 to 10
// characters, capital letters, digits and points, as in "A1.09".
var reCodice = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.]{4,9}$`)

// RigaScartata is a line of the file that cannot be loaded, with the reason.
type RigaScartata struct {
	Riga   int // 1-based line where the record starts; the header is line 1
	Motivo string
}

// VoceCatalogo is a prestazione of the catalogue.
type VoceCatalogo struct {
	Riga          int
	Codice        string
	Denominazione string
	Area          string // "", "1", "2", "3"
}

// Catalogo is a parsed file.
type Catalogo struct {
	Voci     []VoceCatalogo
	Scartate []RigaScartata
}

// ParseCatalogo reads a catalogue file: CSV, UTF-8 (a byte order mark is
// ignored), separator ";" or "," as the header uses, a header naming the
// columns in any case. An unknown, unnamed or repeated column refuses the
// whole file; a bad row is reported with its line and reason, and so is a
// codice the file repeats. The error is non-nil only when the file as a
// whole is unusable (it wraps ErrCatalogoNonValido) or cannot be read.
func ParseCatalogo(r io.Reader) (Catalogo, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxCatalogo+1))
	if err != nil {
		return Catalogo{}, fmt.Errorf("prestazioni: lettura del catalogo: %w", err)
	}
	if len(raw) > MaxCatalogo {
		return Catalogo{}, fmt.Errorf("%w: il file supera %d MB", ErrCatalogoNonValido, MaxCatalogo>>20)
	}
	cr, problema := flusso.ApriCSV(raw)
	if problema != "" {
		return Catalogo{}, fmt.Errorf("%w: %s", ErrCatalogoNonValido, problema)
	}
	header, err := cr.Read()
	if err != nil {
		return Catalogo{}, fmt.Errorf("%w: intestazione illeggibile", ErrCatalogoNonValido)
	}
	col, err := colonneFile(header)
	if err != nil {
		return Catalogo{}, err
	}
	var c Catalogo
	rigaCodice := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Catalogo{}, fmt.Errorf("prestazioni: lettura del catalogo: %w", err)
		}
		riga, _ := cr.FieldPos(0)
		if vuota(rec) {
			continue
		}
		if len(rec) != len(header) {
			c.Scartate = append(c.Scartate, RigaScartata{riga,
				fmt.Sprintf("la riga ha %d valori, l'intestazione %d colonne", len(rec), len(header))})
			continue
		}
		v, motivi := leggiVoce(rec, col)
		v.Riga = riga
		if reCodice.MatchString(v.Codice) {
			if prima, ok := rigaCodice[v.Codice]; ok {
				motivi = append(motivi, fmt.Sprintf("il codice %s è già alla riga %d", v.Codice, prima))
			} else {
				rigaCodice[v.Codice] = riga
			}
		}
		if len(motivi) > 0 {
			c.Scartate = append(c.Scartate, RigaScartata{riga, strings.Join(motivi, "; ")})
			continue
		}
		c.Voci = append(c.Voci, v)
	}
	if len(c.Voci)+len(c.Scartate) == 0 {
		return Catalogo{}, fmt.Errorf("%w: il file non contiene prestazioni, solo l'intestazione", ErrCatalogoNonValido)
	}
	return c, nil
}

func vuota(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// visibile quotes s for a message: control characters as \xNN, at most 40
// characters.
func visibile(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 40 {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			fmt.Fprintf(&b, "\\x%02X", r&0xff)
		} else {
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

func colonneFile(header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		nome := strings.ToLower(strings.TrimSpace(h))
		_, doppia := col[nome]
		switch {
		case !slices.Contains(colonneCatalogo, nome):
			return nil, fmt.Errorf("%w: colonna sconosciuta «%s» (colonna %d); le colonne ammesse sono %s",
				ErrCatalogoNonValido, visibile(strings.TrimSpace(h)), i+1, strings.Join(colonneCatalogo, ", "))
		case doppia:
			return nil, fmt.Errorf("%w: la colonna «%s» è ripetuta nell'intestazione", ErrCatalogoNonValido, nome)
		}
		col[nome] = i
	}
	for _, nome := range []string{colCodice, colDenominazione} {
		if _, ok := col[nome]; !ok {
			return nil, fmt.Errorf("%w: manca la colonna «%s»", ErrCatalogoNonValido, nome)
		}
	}
	return col, nil
}

func leggiVoce(rec []string, col map[string]int) (VoceCatalogo, []string) {
	cell := func(nome string) string {
		if i, ok := col[nome]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var motivi []string
	v := VoceCatalogo{Codice: cell(colCodice), Denominazione: cell(colDenominazione), Area: cell(colArea)}
	switch {
	case v.Codice == "":
		motivi = append(motivi, "codice mancante")
	case !reCodice.MatchString(v.Codice):
		motivi = append(motivi, fmt.Sprintf("codice non valido: «%s» (da 5 a 10 caratteri: lettere maiuscole, cifre e punti, come A1.09)", visibile(v.Codice)))
	}
	n := utf8.RuneCountInString(v.Denominazione)
	switch {
	case strings.IndexFunc(v.Denominazione, unicode.IsControl) >= 0:
		motivi = append(motivi, "la denominazione contiene caratteri di controllo")
	case n == 0:
		motivi = append(motivi, "denominazione mancante")
	case n < 10 || n > 200:
		motivi = append(motivi, fmt.Sprintf("la denominazione ha %d caratteri: INPS ne chiede da 10 a 200", n))
	}
	if v.Area != "" && !valido(AreeUtenza, v.Area) {
		motivi = append(motivi, fmt.Sprintf("area non valida: «%s» (1 famiglia e minori, 2 disabilità e non autosufficienza, 3 povertà ed esclusione sociale, o vuota)", visibile(v.Area)))
	}
	return v, motivi
}

// RisultatoCatalogo says what a load did.
type RisultatoCatalogo struct {
	Inseriti, Aggiornati, Invariati int
	Scartate                        []RigaScartata
}

// Riepilogo is the one-line summary of r.
func (r RisultatoCatalogo) Riepilogo() string {
	return fmt.Sprintf("catalogo delle prestazioni INPS: %d inserite, %d aggiornate, %d invariate", r.Inseriti, r.Aggiornati, r.Invariati)
}

// ImportaCatalogo writes c, all or nothing: with any rejected row nothing is
// written and the error is ErrRigheScartate. The load is recorded in the
// registro (v: who, from where).
func ImportaCatalogo(ctx context.Context, pool *pgxpool.Pool, reg *registro.Service, c Catalogo, v registro.Voce) (RisultatoCatalogo, error) {
	res := RisultatoCatalogo{Scartate: c.Scartate}
	if len(c.Scartate) > 0 {
		return res, ErrRigheScartate
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		esistenti, err := catalogo(ctx, tx)
		if err != nil {
			return err
		}
		per := map[string]VoceCatalogo{}
		for _, e := range esistenti {
			per[e.Codice] = e
		}
		for _, x := range c.Voci {
			e, ok := per[x.Codice]
			switch {
			case !ok:
				res.Inseriti++
			case e.Denominazione != x.Denominazione || e.Area != x.Area:
				res.Aggiornati++
			default:
				res.Invariati++
				continue
			}
			if err := upsertVoce(ctx, tx, x); err != nil {
				return fmt.Errorf("prestazioni: catalogo: %w", err)
			}
		}
		v.Azione, v.Esito, v.OggettoTipo, v.Dettaglio = registro.Scrittura, registro.Consentito, "catalogo_prestazioni", res.Riepilogo()
		return reg.RecordTx(ctx, tx, v)
	})
	if err != nil {
		return RisultatoCatalogo{Scartate: c.Scartate}, err
	}
	return res, nil
}
