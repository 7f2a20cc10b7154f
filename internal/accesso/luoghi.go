package accesso

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/httpx"
)

// Places by name (issue 21, point 6): the comuni and the foreign states a
// person may be born in, and the nations a person may be a citizen of, are
// typed by name and resolved here to the codes the model stores: the codice
// catastale (Belfiore) of the place of birth, as in the codice fiscale, and
// the ISO 3166-1 alpha-3 code of the citizenship. The lists ship with the
// binary (docs/formats/luoghi.md says where they come from): the ISTAT list
// of comuni, read with ParseComuniISTAT (the parser of the amministratore's
// import), and ISTAT's list of foreign states with their codici catastali
// (Z…) and ISO codes.

//go:embed dati/comuni-istat.csv.gz dati/stati-esteri.csv
var datiLuoghi embed.FS

// Stato is a foreign state: its Italian name, its codice catastale (the
// "Codice AT" of ISTAT, Z followed by three digits, what a codice fiscale
// holds for a person born there) and its ISO 3166-1 alpha-3 code.
type Stato struct {
	Nome, Catastale, ISO3 string
}

// Luogo is a place of birth: a comune (Provincia is its sigla) or a foreign
// state (Estero).
type Luogo struct {
	Catastale string // "A944", "Z330"
	Nome      string // "Bologna", "Marocco"
	Provincia string // "BO"; empty for a foreign state
	Estero    bool
}

// Etichetta is how a place is shown and typed back: "Bologna (BO)",
// "Marocco".
func (l Luogo) Etichetta() string {
	if l.Provincia == "" {
		return l.Nome
	}
	return l.Nome + " (" + l.Provincia + ")"
}

// suffissoEstero tells a foreign state from a comune of the same name
// ("Palau (SS)", "Palau (stato estero)") when a name is ambiguous.
const suffissoEstero = "stato estero"

// Scelta is how a place is offered among others of the same name, in a
// form that RisolviLuogo resolves to it alone: "Castro (LE)", "Palau (stato
// estero)".
func (l Luogo) Scelta() string {
	if l.Estero {
		return l.Nome + " (" + suffissoEstero + ")"
	}
	return l.Etichetta()
}

// Cittadinanza is a nation one may be a citizen of: Italy, a foreign state,
// or none (apolide, stored as XXA as in ISO/ICAO).
type Cittadinanza struct {
	Nome, ISO3 string
}

// Non-foreign citizenships, which the list of foreign states lacks.
var (
	cittadinanzaItaliana = Cittadinanza{Nome: "Italia", ISO3: "ITA"}
	apolide              = Cittadinanza{Nome: "Apolide (senza cittadinanza)", ISO3: "XXA"}
)

// Luoghi holds the comuni and the foreign states, indexed by name and by
// code. It is read once at start-up (CaricaLuoghi) and only read after.
type Luoghi struct {
	comuni       []Comune
	stati        []Stato
	perNome      map[string][]Luogo // chiave(name) → places of that name
	perCatastale map[string]Luogo
	perISO3      map[string]Cittadinanza
	cittPerNome  map[string]Cittadinanza
}

// CaricaLuoghi returns the lists shipped with the binary, read on the first
// call only: they are constants of the binary, and a *Luoghi is never
// written after it is built, so every caller (each server the tests start)
// shares one.
func CaricaLuoghi() (*Luoghi, error) { return luoghiDelBinario() }

var luoghiDelBinario = sync.OnceValues(leggiLuoghi)

// leggiLuoghi reads the lists shipped with the binary.
func leggiLuoghi() (*Luoghi, error) {
	gz, err := datiLuoghi.Open("dati/comuni-istat.csv.gz")
	if err != nil {
		return nil, fmt.Errorf("accesso: luoghi: %w", err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		return nil, fmt.Errorf("accesso: luoghi: %w", err)
	}
	comuni, _, err := ParseComuniISTAT(zr)
	if err != nil {
		return nil, fmt.Errorf("accesso: luoghi: %w", err)
	}
	raw, err := datiLuoghi.ReadFile("dati/stati-esteri.csv")
	if err != nil {
		return nil, fmt.Errorf("accesso: luoghi: %w", err)
	}
	stati, err := ParseStatiEsteri(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("accesso: luoghi: %w", err)
	}
	return NuoviLuoghi(comuni, stati), nil
}

// NuoviLuoghi indexes the given lists (CaricaLuoghi's, or a test's).
func NuoviLuoghi(comuni []Comune, stati []Stato) *Luoghi {
	l := &Luoghi{
		comuni: comuni, stati: stati,
		perNome: map[string][]Luogo{}, perCatastale: map[string]Luogo{},
		perISO3: map[string]Cittadinanza{}, cittPerNome: map[string]Cittadinanza{},
	}
	for _, c := range comuni {
		lu := Luogo{Catastale: c.CodiceCatastale, Nome: c.Denominazione, Provincia: c.Provincia}
		k := chiave(c.Denominazione)
		l.perNome[k] = append(l.perNome[k], lu)
		l.perCatastale[c.CodiceCatastale] = lu
	}
	for _, s := range stati {
		lu := Luogo{Catastale: s.Catastale, Nome: s.Nome, Estero: true}
		k := chiave(s.Nome)
		l.perNome[k] = append(l.perNome[k], lu)
		l.perCatastale[s.Catastale] = lu
		ci := Cittadinanza{Nome: s.Nome, ISO3: s.ISO3}
		l.perISO3[s.ISO3] = ci
		l.cittPerNome[k] = ci
	}
	for _, ci := range []Cittadinanza{cittadinanzaItaliana, apolide} {
		l.perISO3[ci.ISO3] = ci
		l.cittPerNome[chiave(ci.Nome)] = ci
	}
	l.cittPerNome["italiana"] = cittadinanzaItaliana
	l.cittPerNome["apolide"] = apolide
	return l
}

// Comuni is the ISTAT list of comuni (the demo loads it into the comune
// table with ImportComuni).
func (l *Luoghi) Comuni() []Comune { return l.comuni }

// Stati is the list of foreign states, in alphabetical order.
func (l *Luoghi) Stati() []Stato { return l.stati }

// ComuneDaISTAT is the comune with the given ISTAT code.
func (l *Luoghi) ComuneDaISTAT(istat string) (Comune, bool) {
	for _, c := range l.comuni {
		if c.CodiceISTAT == istat {
			return c, true
		}
	}
	return Comune{}, false
}

// ComuniDellaProvincia are the comuni with the given sigla, by name.
func (l *Luoghi) ComuniDellaProvincia(sigla string) []Comune {
	var out []Comune
	for _, c := range l.comuni {
		if c.Provincia == sigla {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Comune) int { return strings.Compare(chiave(a.Denominazione), chiave(b.Denominazione)) })
	return out
}

// Cittadinanze are the citizenships one may choose: Italy first, then the
// foreign states, then apolide.
func (l *Luoghi) Cittadinanze() []Cittadinanza {
	out := []Cittadinanza{cittadinanzaItaliana}
	for _, s := range l.stati {
		out = append(out, Cittadinanza{Nome: s.Nome, ISO3: s.ISO3})
	}
	return append(out, apolide)
}

// Luogo is the place with codice catastale cat, if known.
func (l *Luoghi) Luogo(cat string) (Luogo, bool) {
	lu, ok := l.perCatastale[strings.ToUpper(strings.TrimSpace(cat))]
	return lu, ok
}

// NomeCittadinanza is the name of the nation of ISO 3166-1 alpha-3 code
// iso3 ("MAR" → "Marocco"), the code itself when unknown.
func (l *Luoghi) NomeCittadinanza(iso3 string) string {
	if l == nil {
		return iso3
	}
	if ci, ok := l.perISO3[strings.ToUpper(strings.TrimSpace(iso3))]; ok {
		return ci.Nome
	}
	return iso3
}

// EtichettaLuogo is how a stored codice catastale is shown: "Bologna (BO)",
// the code itself when unknown.
func (l *Luoghi) EtichettaLuogo(cat string) string {
	if l == nil {
		return cat
	}
	if lu, ok := l.Luogo(cat); ok {
		return lu.Etichetta()
	}
	return cat
}

// Risoluzione is what a typed place resolved to: one place (Trovato), more
// places of the same name (Scelte, to be chosen among), or nothing.
type Risoluzione struct {
	Luogo   Luogo
	Trovato bool
	Scelte  []Luogo // two or more: the name is ambiguous
	// Codice: what was typed is a codice catastale the list lacks (a comune
	// soppresso), to be taken as typed.
	Codice bool
}

// ElencoScelte is the choices of an ambiguous name as the messages list
// them: "Castro (BG), Castro (LE)".
func (r Risoluzione) ElencoScelte() string {
	scelte := make([]string, len(r.Scelte))
	for i, l := range r.Scelte {
		scelte[i] = l.Scelta()
	}
	return strings.Join(scelte, ", ")
}

var (
	reCatastale = regexp.MustCompile(`^[A-Za-z][0-9]{3}$`)
	reConSigla  = regexp.MustCompile(`^(.*\S)\s*\(\s*([A-Za-z]{2}|(?i:stato estero|estero))\s*\)$`)
)

// RisolviLuogo resolves a typed place of birth: a codice catastale ("A944",
// "z330"), a name in any case and with or without accents ("Bologna",
// "bologna", "Forli"), a name with the sigla of its provincia ("Bologna
// (BO)", "Castro (LE)"), or a foreign state's name ("Marocco").
func (l *Luoghi) RisolviLuogo(testo string) Risoluzione {
	t := strings.Join(strings.Fields(testo), " ")
	if t == "" {
		return Risoluzione{}
	}
	if reCatastale.MatchString(t) {
		if lu, ok := l.Luogo(t); ok {
			return Risoluzione{Luogo: lu, Trovato: true}
		}
		return Risoluzione{Codice: true}
	}
	nome, sigla, estero := t, "", false
	if m := reConSigla.FindStringSubmatch(t); m != nil {
		nome = m[1]
		if len(m[2]) == 2 {
			sigla = strings.ToUpper(m[2])
		} else {
			estero = true
		}
	}
	var scelte, esatti []Luogo
	for _, lu := range l.perNome[chiave(nome)] {
		if (sigla == "" || lu.Provincia == sigla) && (!estero || lu.Estero) {
			scelte = append(scelte, lu)
			if strings.EqualFold(lu.Nome, nome) {
				esatti = append(esatti, lu)
			}
		}
	}
	if len(scelte) > 1 && len(esatti) == 1 && strings.ContainsFunc(nome, func(r rune) bool { return r > unicode.MaxASCII }) {
		// "Paternò" typed with its accent is not Paterno (PZ); "Paterno"
		// without it may be either, written on a keyboard without accents.
		scelte = esatti
	}
	switch len(scelte) {
	case 0:
		return Risoluzione{}
	case 1:
		return Risoluzione{Luogo: scelte[0], Trovato: true}
	}
	slices.SortFunc(scelte, func(a, b Luogo) int { return strings.Compare(a.Etichetta(), b.Etichetta()) })
	return Risoluzione{Scelte: scelte}
}

// RisolviCittadinanza resolves a typed citizenship: a nation's name
// ("Marocco", "italia", "Italiana", "apolide") or its ISO 3166-1 alpha-3
// code ("MAR").
func (l *Luoghi) RisolviCittadinanza(testo string) (Cittadinanza, bool) {
	t := strings.Join(strings.Fields(testo), " ")
	if t == "" {
		return Cittadinanza{}, false
	}
	if len(t) == 3 {
		if ci, ok := l.perISO3[strings.ToUpper(t)]; ok {
			return ci, true
		}
	}
	ci, ok := l.cittPerNome[chiave(t)]
	return ci, ok
}

// chiave is a name as compared: lower case, accents and apostrophe variants
// gone, runs of spaces as one ("Forlì" = "forli", "Sant’Agata" =
// "sant'agata").
func chiave(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '’' || r == '`' || r == '´':
			b.WriteRune('\'')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// ErrElencoStatiNonValido: the file is not ISTAT's list of foreign states.
var ErrElencoStatiNonValido = errors.New("elenco degli stati esteri non valido")

// ParseStatiEsteri reads ISTAT's "Elenco dei codici e delle denominazioni
// delle unità territoriali estere" (separator ";", UTF-8 or Windows-1252):
// columns are found by their header ("Denominazione IT", "Codice AT",
// "Codice ISO 3166 alpha3"), the others ignored, so both ISTAT's file and the
// extract shipped with Cartella are read. Rows without a codice catastale
// ("n.d.": territories that have none) are skipped.
func ParseStatiEsteri(r io.Reader) ([]Stato, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxElencoComuni+1))
	if err != nil {
		return nil, fmt.Errorf("accesso: lettura stati esteri: %w", err)
	}
	text, err := decodificaElenco(raw)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = ';'
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: intestazione illeggibile", ErrElencoStatiNonValido)
	}
	col := map[string]int{}
	for i, h := range head {
		col[normalizzaIntestazione(h)] = i
	}
	iNome, ok1 := col["denominazione it"]
	iCat, ok2 := col["codice at"]
	iISO, ok3 := col["codice iso 3166 alpha3"]
	if !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("%w: servono le colonne «Denominazione IT», «Codice AT» e «Codice ISO 3166 alpha3»", ErrElencoStatiNonValido)
	}
	var out []Stato
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("accesso: lettura stati esteri: %w", err)
		}
		cell := func(i int) string {
			if i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		s := Stato{Nome: cell(iNome), Catastale: strings.ToUpper(cell(iCat)), ISO3: strings.ToUpper(cell(iISO))}
		if s.Nome == "" || !reCodiceCatastale.MatchString(s.Catastale) || len(s.ISO3) != 3 {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Stato) int { return strings.Compare(chiave(a.Nome), chiave(b.Nome)) })
	return out, nil
}

// validaAnagrafica checks an operator's anagrafica (Anagrafica.validate)
// and, with the ISTAT lists (SetLuoghi), the comune or foreign state of
// birth: resolved by name ("bologna" is stored as "Bologna (BO)"), an
// ambiguous or unknown name answered next to the field, and a place that is
// not the one in the codice fiscale refused (issue 21, point 6).
func (s *Service) validaAnagrafica(an Anagrafica, errs httpx.FieldErrors) (Anagrafica, *time.Time) {
	an, nascita := an.validate(errs)
	if s.luoghi == nil || an.ComuneNascita == "" {
		return an, nascita
	}
	if _, bad := errs["comune_nascita"]; bad {
		return an, nascita
	}
	r := s.luoghi.RisolviLuogo(an.ComuneNascita)
	switch {
	case len(r.Scelte) > 0:
		errs["comune_nascita"] = fmt.Sprintf("«%s» è il nome di più luoghi; scrivi quale: %s.", an.ComuneNascita, r.ElencoScelte())
	case r.Codice:
		// A codice catastale the list lacks (a comune soppresso): as typed.
	case !r.Trovato:
		errs["comune_nascita"] = fmt.Sprintf("«%s» non è un comune italiano né uno stato estero dell'elenco ISTAT; controlla come è scritto (per esempio Bologna, Castro (LE), Marocco).", an.ComuneNascita)
	default:
		an.ComuneNascita = r.Luogo.Etichetta()
		if _, bad := errs["codice_fiscale"]; !bad {
			if nelCF := codicefiscale.Luogo(an.CodiceFiscale); nelCF != r.Luogo.Catastale {
				errs["comune_nascita"] = fmt.Sprintf("%s non corrisponde al codice fiscale, che indica %s (codice %s); verifica il luogo di nascita e il codice fiscale.",
					r.Luogo.Etichetta(), s.luoghi.EtichettaLuogo(nelCF), nelCF)
			}
		}
	}
	return an, nascita
}
