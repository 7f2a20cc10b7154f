package patto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

// The catalogue of sostegni (patto_sostegno_tipo) is loaded from a CSV file
// with `cartella import sostegni FILE` (docs/formats/sostegni.md), so that
// the amministratore di sistema can give each local codice the code of the
// official list (the interregional Nomenclatore degli interventi e servizi
// sociali, or the regional list) without writing SQL. Rows are never
// rewritten: a change closes the row in force the day before and starts a
// new one, so that signed patti keep the labels and codes they were signed
// with.

// ErrCatalogoNonValido wraps every reason why a file cannot be read as a
// catalogue of sostegni at all (empty, too big, not UTF-8, an unknown or
// missing column). Bad rows are not errors: ParseCatalogo reports them one
// by one.
var ErrCatalogoNonValido = errors.New("catalogo dei sostegni non valido")

// ErrRigheScartate is returned, with the result that lists them, when some
// rows of the file were rejected: then nothing is written.
var ErrRigheScartate = errors.New("catalogo dei sostegni: righe scartate")

// MaxCatalogo is the largest file ParseCatalogo reads. The official lists
// have a few hundred entries; the limit keeps a wrong file out of memory.
const MaxCatalogo = 4 << 20

// The columns of the file. codice and valido_dal are required; the others
// are optional, and a column left out keeps the value the voce has.
const (
	colCodice               = "codice"
	colValidoDal            = "valido_dal"
	colEtichetta            = "etichetta"
	colDescrizione          = "descrizione"
	colMacrolivello         = "macrolivello"
	colNomenclatoreCodice   = "nomenclatore_codice"
	colNomenclatoreVersione = "nomenclatore_versione"
	colTirocinio            = "tirocinio"
	colOrdine               = "ordine"
)

var colonneCatalogo = []string{colCodice, colValidoDal, colEtichetta, colDescrizione, colMacrolivello,
	colNomenclatoreCodice, colNomenclatoreVersione, colTirocinio, colOrdine}

// reCodiceSostegno is the table's CHECK on codice.
var reCodiceSostegno = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// The dates a file may carry: a typo such as 0207 for the year is refused
// rather than loaded as a date nobody meant.
var (
	primaDataCatalogo  = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	ultimaDataCatalogo = time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC)
)

// RigaScartata is a line of the file that cannot be loaded, with the reason
// in Italian, so the amministratore di sistema can fix the file.
type RigaScartata struct {
	Riga   int    // 1-based line of the file where the record starts; the header is line 1
	Motivo string // e.g. "codice mancante"
}

// VoceCatalogo is a row of the file. A nil field is a column the file does
// not have (or, for Tirocinio and Ordine, an empty cell): the voce keeps the
// value of the row in force, or the table's default for a new codice.
type VoceCatalogo struct {
	Riga                 int
	Codice               string
	ValidoDal            time.Time // UTC midnight
	Etichetta            *string
	Descrizione          *string
	Macrolivello         *string
	NomenclatoreCodice   *string
	NomenclatoreVersione *string
	Tirocinio            *bool
	Ordine               *int
}

// Catalogo is a parsed file: the rows that can be compared with the table,
// and those already rejected.
type Catalogo struct {
	Voci     []VoceCatalogo
	Scartate []RigaScartata
}

// ParseCatalogo reads a catalogue file: CSV, UTF-8 (a byte order mark is
// ignored), separator ";" or "," as the header line uses, a header naming
// the columns in any case. An unknown, unnamed or repeated column refuses the
// whole file (a misspelt column would otherwise be silently ignored); a bad
// row is reported with its line and reason, and so is a codice the file
// repeats. The error is non-nil only when the file as a whole is unusable
// (it then wraps ErrCatalogoNonValido) or cannot be read.
func ParseCatalogo(r io.Reader) (Catalogo, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxCatalogo+1))
	if err != nil {
		return Catalogo{}, fmt.Errorf("patto: lettura catalogo dei sostegni: %w", err)
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
		return Catalogo{}, fmt.Errorf("%w: intestazione illeggibile: %v", ErrCatalogoNonValido, err)
	}
	col, err := colonneIntestazione(header)
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
			// With LazyQuotes and a variable field count encoding/csv has no
			// syntax error left to report: this is a read failure.
			return Catalogo{}, fmt.Errorf("patto: lettura catalogo dei sostegni: %w", err)
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
		if v.Codice != "" && reCodiceSostegno.MatchString(v.Codice) {
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
		return Catalogo{}, fmt.Errorf("%w: il file non contiene voci, solo l'intestazione", ErrCatalogoNonValido)
	}
	return c, nil
}

// colonneIntestazione maps each column name of the header to its index,
// refusing the file when a column is unknown, unnamed, repeated, or when
// codice or valido_dal is missing.
func colonneIntestazione(header []string) (map[string]int, error) {
	col := map[string]int{}
	var sconosciute, ripetute []string
	for i, h := range header {
		h = strings.TrimSpace(h)
		nome := strings.ToLower(h)
		switch _, doppia := col[nome]; {
		case !slices.Contains(colonneCatalogo, nome):
			sconosciute = append(sconosciute, fmt.Sprintf("«%s» (colonna %d)", visibile(h), i+1))
		case doppia:
			ripetute = append(ripetute, "«"+visibile(nome)+"»")
		default:
			col[nome] = i
		}
	}
	switch {
	case len(sconosciute) == 1:
		return nil, fmt.Errorf("%w: colonna sconosciuta %s; le colonne ammesse sono %s",
			ErrCatalogoNonValido, sconosciute[0], strings.Join(colonneCatalogo, ", "))
	case len(sconosciute) > 1:
		return nil, fmt.Errorf("%w: colonne sconosciute %s; le colonne ammesse sono %s",
			ErrCatalogoNonValido, strings.Join(sconosciute, ", "), strings.Join(colonneCatalogo, ", "))
	case len(ripetute) > 0:
		return nil, fmt.Errorf("%w: colonne ripetute nell'intestazione: %s", ErrCatalogoNonValido, strings.Join(ripetute, ", "))
	}
	var mancanti []string
	for _, nome := range []string{colCodice, colValidoDal} {
		if _, ok := col[nome]; !ok {
			mancanti = append(mancanti, "«"+visibile(nome)+"»")
		}
	}
	switch len(mancanti) {
	case 1:
		return nil, fmt.Errorf("%w: manca la colonna %s", ErrCatalogoNonValido, mancanti[0])
	case 2:
		return nil, fmt.Errorf("%w: mancano le colonne %s", ErrCatalogoNonValido, strings.Join(mancanti, " e "))
	}
	return col, nil
}

// leggiVoce reads one record and lists, in Italian, what is wrong with it.
func leggiVoce(rec []string, col map[string]int) (VoceCatalogo, []string) {
	cell := func(nome string) (string, bool) {
		i, ok := col[nome]
		if !ok {
			return "", false
		}
		return strings.TrimSpace(rec[i]), true
	}
	testo := func(nome string) *string {
		if s, ok := cell(nome); ok {
			return &s
		}
		return nil
	}
	var (
		v      VoceCatalogo
		motivi []string
	)
	v.Codice, _ = cell(colCodice)
	switch {
	case v.Codice == "":
		motivi = append(motivi, "codice mancante")
	case !reCodiceSostegno.MatchString(v.Codice):
		motivi = append(motivi, fmt.Sprintf("codice non valido: «%s» (lettere minuscole senza accenti, cifre e _, fino a 40 caratteri)", visibile(v.Codice)))
	}
	switch s, _ := cell(colValidoDal); {
	case s == "":
		motivi = append(motivi, "data di validità mancante")
	default:
		d, ok := parseDataCatalogo(s)
		switch {
		case !ok:
			motivi = append(motivi, fmt.Sprintf("data di validità non valida: «%s» (aaaa-mm-gg o gg/mm/aaaa)", visibile(s)))
		case d.Before(primaDataCatalogo) || d.After(ultimaDataCatalogo):
			motivi = append(motivi, fmt.Sprintf("data di validità fuori intervallo: «%s» (dal 2000 al 2099)", visibile(s)))
		}
		v.ValidoDal = d
	}
	v.Etichetta, v.Descrizione, v.Macrolivello = testo(colEtichetta), testo(colDescrizione), testo(colMacrolivello)
	v.NomenclatoreCodice, v.NomenclatoreVersione = testo(colNomenclatoreCodice), testo(colNomenclatoreVersione)
	// The NUL character cannot be stored, and no other control character
	// belongs in a label; a description may go to a new line.
	for _, t := range []struct {
		nome  string
		v     *string
		righe bool
	}{{colEtichetta, v.Etichetta, false}, {colDescrizione, v.Descrizione, true}, {colMacrolivello, v.Macrolivello, false},
		{colNomenclatoreCodice, v.NomenclatoreCodice, false}, {colNomenclatoreVersione, v.NomenclatoreVersione, false}} {
		if t.v != nil && strings.IndexFunc(*t.v, func(r rune) bool {
			return unicode.IsControl(r) && !(t.righe && (r == '\n' || r == '\t'))
		}) >= 0 {
			motivi = append(motivi, t.nome+" contiene caratteri di controllo")
		}
	}
	if v.Etichetta != nil && *v.Etichetta == "" {
		motivi = append(motivi, "etichetta vuota")
	}
	if v.Macrolivello != nil && !macrolivelloValido(*v.Macrolivello) {
		motivi = append(motivi, fmt.Sprintf("macrolivello non valido: «%s» (da 1 a 5, o vuoto)", visibile(*v.Macrolivello)))
	}
	if v.NomenclatoreCodice != nil && v.NomenclatoreVersione != nil &&
		(*v.NomenclatoreCodice == "") != (*v.NomenclatoreVersione == "") {
		motivi = append(motivi, motivoNomenclatore)
	}
	if s, _ := cell(colTirocinio); s != "" {
		b, ok := parseSiNo(s)
		if ok {
			v.Tirocinio = &b
		} else {
			motivi = append(motivi, fmt.Sprintf("tirocinio non valido: «%s» (sì o no)", visibile(s)))
		}
	}
	if s, _ := cell(colOrdine); s != "" {
		n, err := strconv.ParseInt(s, 10, 32)
		if err == nil {
			o := int(n)
			v.Ordine = &o
		} else {
			motivi = append(motivi, fmt.Sprintf("ordine non valido: «%s» (un numero intero)", visibile(s)))
		}
	}
	return v, motivi
}

const motivoNomenclatore = "codice e versione del nomenclatore vanno indicati insieme (o lasciati vuoti entrambi)"

// motivoNomenclatoreColonna explains a voce whose file has only one of the
// two nomenclatore columns, and whose other value (kept from the row in
// force, or empty for a new codice) does not go with it.
func motivoNomenclatoreColonna(v VoceCatalogo) string {
	manca := colNomenclatoreVersione
	if v.NomenclatoreCodice == nil {
		manca = colNomenclatoreCodice
	}
	return motivoNomenclatore + ": aggiungi la colonna " + manca
}

func macrolivelloValido(s string) bool {
	return s == "" || (len(s) == 1 && s[0] >= '1' && s[0] <= '5')
}

// parseDataCatalogo reads aaaa-mm-gg, or gg/mm/aaaa as an Italian
// spreadsheet writes it (leading zeros optional). A day that does not exist
// (30/02) is refused.
func parseDataCatalogo(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "2/1/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

func parseSiNo(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "si", "sì", "true", "1":
		return true, true
	case "no", "false", "0":
		return false, true
	}
	return false, false
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

// visibile is a value of the file as quoted in a reason, which the
// terminal and the pages show: a control character (the NUL character, an
// escape sequence) becomes U+FFFD.
func visibile(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, s)
}

// Esiti of a voce of the file.
const (
	VoceNuova      = "nuova"      // a codice the table did not have
	VoceAggiornata = "aggiornata" // a new row from valido_dal; the row in force closes the day before
	VoceInvariata  = "invariata"  // the row in force on valido_dal already has these values
)

// EsitoVoce is what the import does, or would do, with a voce of the file.
type EsitoVoce struct {
	Riga   int
	Codice string
	Esito  string    // VoceNuova, VoceAggiornata, VoceInvariata
	Dal    time.Time // start of the new row; for an invariata, of the row that already holds the values
}

// String is the line the command prints for the voce, e.g.
// "tirocinio_inclusione: aggiornata dal 01/01/2027".
func (e EsitoVoce) String() string {
	switch e.Esito {
	case VoceNuova, VoceAggiornata:
		return fmt.Sprintf("%s: %s dal %s", e.Codice, e.Esito, e.Dal.Format("02/01/2006"))
	}
	return e.Codice + ": " + e.Esito
}

// RisultatoCatalogo is the outcome of an import (or of a trial): the voci
// in the order of the file, and the rejected rows by line.
type RisultatoCatalogo struct {
	Voci     []EsitoVoce
	Scartate []RigaScartata
}

// Conta counts the voci by esito.
func (r RisultatoCatalogo) Conta() (nuove, aggiornate, invariate int) {
	for _, v := range r.Voci {
		switch v.Esito {
		case VoceNuova:
			nuove++
		case VoceAggiornata:
			aggiornate++
		default:
			invariate++
		}
	}
	return nuove, aggiornate, invariate
}

// Riepilogo is the summary line the command prints and the registro keeps.
func (r RisultatoCatalogo) Riepilogo() string {
	n, a, i := r.Conta()
	return fmt.Sprintf("catalogo dei sostegni: %d voci nuove, %d aggiornate, %d invariate", n, a, i)
}

// ImportaCatalogo compares the file with the table and applies it in one
// transaction, with its record in the registro (v says who and from where;
// the rest is filled in): all of it or, when any row is rejected, nothing
// (the result lists the rejections and the error is ErrRigheScartate).
// Codici of the table the file does not name are left as they are. now is
// the time of the import: a row starting after its day (Europe/Rome) is a
// variation already planned.
func ImportaCatalogo(ctx context.Context, pool *pgxpool.Pool, reg *registro.Service, c Catalogo, now time.Time, v registro.Voce) (RisultatoCatalogo, error) {
	var res RisultatoCatalogo
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Writes by hand or by a second import wait: the plan must hold
		// until commit.
		if err := bloccaCatalogo(ctx, tx); err != nil {
			return err
		}
		var (
			passi []passoCatalogo
			err   error
		)
		res, passi, err = pianificaCatalogo(ctx, tx, c, casi.Oggi(now))
		if err != nil {
			return err
		}
		if len(res.Scartate) > 0 {
			return ErrRigheScartate
		}
		for _, p := range passi {
			if err := scriviPasso(ctx, tx, p); err != nil {
				return err
			}
		}
		v.Azione, v.OggettoTipo, v.Dettaglio, v.Esito = registro.Scrittura, "patto_sostegno_tipo", res.Riepilogo(), registro.Consentito
		return reg.RecordTx(ctx, tx, v)
	})
	switch {
	case errors.Is(err, ErrRigheScartate):
		return res, err
	case err != nil:
		return RisultatoCatalogo{}, fmt.Errorf("patto: import catalogo dei sostegni: %w", err)
	}
	return res, nil
}

// ProvaCatalogo tells what ImportaCatalogo would do with the file today,
// writing nothing: the same result, and ErrRigheScartate when rows would be
// rejected.
func ProvaCatalogo(ctx context.Context, q database.Querier, c Catalogo, now time.Time) (RisultatoCatalogo, error) {
	res, _, err := pianificaCatalogo(ctx, q, c, casi.Oggi(now))
	if err != nil {
		return RisultatoCatalogo{}, fmt.Errorf("patto: prova catalogo dei sostegni: %w", err)
	}
	if len(res.Scartate) > 0 {
		return res, ErrRigheScartate
	}
	return res, nil
}

// valoriSostegno are the columns of a catalogue row that a voce compares
// and writes. attivo is not in the file: a voce keeps it, a new one is on.
type valoriSostegno struct {
	etichetta, descrizione, macrolivello, nomenclatoreCodice, nomenclatoreVersione string
	tirocinio                                                                      bool
	ordine                                                                         int
	attivo                                                                         bool
}

// applica overwrites with v's values the columns the file has.
func (val *valoriSostegno) applica(v VoceCatalogo) {
	for _, f := range []struct {
		dst *string
		src *string
	}{{&val.etichetta, v.Etichetta}, {&val.descrizione, v.Descrizione}, {&val.macrolivello, v.Macrolivello},
		{&val.nomenclatoreCodice, v.NomenclatoreCodice}, {&val.nomenclatoreVersione, v.NomenclatoreVersione}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if v.Tirocinio != nil {
		val.tirocinio = *v.Tirocinio
	}
	if v.Ordine != nil {
		val.ordine = *v.Ordine
	}
}

// rigaSostegno is a row of patto_sostegno_tipo.
type rigaSostegno struct {
	id     int64
	codice string
	val    valoriSostegno
	dal    time.Time
	al     *time.Time
}

// copre reports whether the row is the one in force on day by its dates.
func (r rigaSostegno) copre(day time.Time) bool {
	return !r.dal.After(day) && (r.al == nil || !r.al.Before(day))
}

// passoCatalogo is what the import writes for one voce: the row to close
// (chiudi, 0 when none) and the row to insert.
type passoCatalogo struct {
	codice   string
	chiudi   int64
	chiudiAl time.Time
	dal      time.Time
	val      valoriSostegno
}

// pianificaCatalogo compares each voce with the rows of its codice. Only the
// latest row of a codice is ever closed: history already in force is not
// rewritten, so a valido_dal that is not after its start is refused, and so
// is any change while a variation starting after today is already planned.
func pianificaCatalogo(ctx context.Context, q database.Querier, c Catalogo, oggi time.Time) (RisultatoCatalogo, []passoCatalogo, error) {
	storie, maxOrdine, err := leggiStorie(ctx, q)
	if err != nil {
		return RisultatoCatalogo{}, nil, err
	}
	for _, v := range c.Voci {
		if v.Ordine != nil {
			maxOrdine = max(maxOrdine, *v.Ordine)
		}
	}
	res := RisultatoCatalogo{Scartate: slices.Clone(c.Scartate)}
	var passi []passoCatalogo
	scarta := func(v VoceCatalogo, motivo string) {
		res.Scartate = append(res.Scartate, RigaScartata{v.Riga, motivo})
	}
	for _, v := range c.Voci {
		storia := storie[v.Codice]
		if len(storia) == 0 {
			if v.Etichetta == nil {
				scarta(v, "voce nuova senza etichetta: aggiungi la colonna etichetta")
				continue
			}
			val := valoriSostegno{attivo: true}
			val.applica(v)
			if (val.nomenclatoreCodice == "") != (val.nomenclatoreVersione == "") {
				scarta(v, motivoNomenclatoreColonna(v))
				continue
			}
			if v.Ordine == nil {
				maxOrdine++
				val.ordine = maxOrdine
			}
			passi = append(passi, passoCatalogo{codice: v.Codice, dal: v.ValidoDal, val: val})
			res.Voci = append(res.Voci, EsitoVoce{v.Riga, v.Codice, VoceNuova, v.ValidoDal})
			continue
		}
		ultima := storia[len(storia)-1]
		base := ultima
		// The latest row covering the day, as CaricaRiferimenti reads it
		// should rows overlap (edited by hand).
		inVigore := -1
		for i := len(storia) - 1; i >= 0 && inVigore < 0; i-- {
			if storia[i].copre(v.ValidoDal) {
				inVigore = i
			}
		}
		if inVigore >= 0 {
			base = storia[inVigore]
		}
		val := base.val
		val.applica(v)
		switch {
		case inVigore >= 0 && val == base.val:
			res.Voci = append(res.Voci, EsitoVoce{v.Riga, v.Codice, VoceInvariata, base.dal})
			continue
		case (val.nomenclatoreCodice == "") != (val.nomenclatoreVersione == ""):
			scarta(v, motivoNomenclatoreColonna(v))
			continue
		case ultima.dal.After(oggi):
			scarta(v, fmt.Sprintf("è già prevista una variazione dal %s: una nuova si carica quando quella è in vigore",
				ultima.dal.Format("02/01/2006")))
			continue
		case !v.ValidoDal.After(ultima.dal):
			scarta(v, fmt.Sprintf("la data di validità deve essere successiva al %s, inizio della voce in vigore",
				ultima.dal.Format("02/01/2006")))
			continue
		}
		p := passoCatalogo{codice: v.Codice, dal: v.ValidoDal, val: val}
		if ultima.al == nil || !ultima.al.Before(v.ValidoDal) {
			p.chiudi, p.chiudiAl = ultima.id, v.ValidoDal.AddDate(0, 0, -1)
		}
		passi = append(passi, p)
		res.Voci = append(res.Voci, EsitoVoce{v.Riga, v.Codice, VoceAggiornata, v.ValidoDal})
	}
	slices.SortStableFunc(res.Scartate, func(a, b RigaScartata) int { return a.Riga - b.Riga })
	return res, passi, nil
}
