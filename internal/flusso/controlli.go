package flusso

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// controllo checks one line at a time and collects the reasons, each
// prefixed with where it is ("componente 2: ", "contatti: ").
type controllo struct {
	oggi   time.Time
	comuni map[string]bool // nil: any comune

	motivi []string
	// rotti are the fields (prefix + name) whose JSON type was wrong: they
	// are already reported, and must not be reported again as missing.
	rotti map[string]bool
}

func (c *controllo) add(pre, format string, args ...any) {
	c.motivi = append(c.motivi, pre+fmt.Sprintf(format, args...))
}

// manca reports a required field as missing, unless it is there with the
// wrong JSON type.
func (c *controllo) manca(pre, campo string) {
	if !c.rotti[pre+campo] {
		c.motivi = append(c.motivi, pre+"campo "+campo+" mancante")
	}
}

// struttura explains, field by field, why the decoder refused an object:
// unknown fields, values of the wrong JSON type. null counts as absent.
func (c *controllo) struttura(obj map[string]any, schema map[string]campoJSON, pre string) {
	chiavi := make([]string, 0, len(obj))
	for k := range obj {
		chiavi = append(chiavi, k)
	}
	sort.Strings(chiavi)
	tipoErrato := func(k, atteso string) {
		c.add(pre, "campo %s: atteso %s", k, atteso)
		c.rotti[pre+k] = true
	}
	for _, k := range chiavi {
		f, ok := schema[k]
		if !ok {
			c.add(pre, "campo sconosciuto %q", Breve(k))
			continue
		}
		v := obj[k]
		if v == nil {
			continue
		}
		switch f.tipo {
		case tTesto:
			if _, ok := v.(string); !ok {
				tipoErrato(k, "un testo")
			}
		case tBooleano:
			if _, ok := v.(bool); !ok {
				tipoErrato(k, "true o false")
			}
		case tIntero:
			if x, ok := v.(json.Number); !ok || !intero(string(x)) {
				tipoErrato(k, "un numero intero")
			}
		case tOggetto:
			m, ok := v.(map[string]any)
			if !ok {
				tipoErrato(k, "un oggetto")
				continue
			}
			c.struttura(m, f.campi, pre+k+": ")
		case tLista:
			l, ok := v.([]any)
			if !ok {
				tipoErrato(k, "una lista")
				continue
			}
			for i, e := range l {
				el := fmt.Sprintf("%s%s %d: ", pre, elemento(k), i+1)
				m, ok := e.(map[string]any)
				if !ok {
					c.motivi = append(c.motivi, el+"atteso un oggetto")
					c.rotti[el] = true
					continue
				}
				c.struttura(m, f.campi, el)
			}
		}
	}
}

// intero reports whether a JSON number is an integer that fits an int, as
// the decoder wants it for an int field (1.0 and 1e0 are not).
func intero(s string) bool {
	_, err := strconv.ParseInt(s, 10, 0)
	return err == nil
}

// elemento names one element of a list field in the reasons.
func elemento(lista string) string {
	switch lista {
	case "componenti":
		return "componente"
	case "altre_prestazioni":
		return "prestazione"
	}
	return lista
}

// nucleo checks the decoded line and turns it into a Nucleo.
func (c *controllo) nucleo(r *rigaJSON) Nucleo {
	var n Nucleo

	switch {
	case c.rotti["versione_tracciato"]:
	case r.VersioneTracciato == nil:
		c.manca("", "versione_tracciato")
	case *r.VersioneTracciato != VersioneTracciato:
		c.add("", "versione_tracciato %d non supportata (attesa %d)", *r.VersioneTracciato, VersioneTracciato)
	}

	n.IDDomanda = c.testo("", "id_domanda", r.IDDomanda)
	if n.IDDomanda == "" {
		c.manca("", "id_domanda")
	} else if !IDValido(n.IDDomanda) {
		c.add("", "id_domanda non valido: %q (ammessi fino a 64 tra lettere, cifre e . _ / -)", Breve(n.IDDomanda))
	}
	n.Misura = c.valore("", "misura", r.Misura, Misure)

	if d := c.dataObbligatoria("", "data_domanda", r.DataDomanda); d != nil {
		n.DataDomanda = *d
	}
	n.DataPAD = c.data("", "data_pad", r.DataPAD, true)
	if n.Misura == "ADI" && strings.TrimSpace(r.DataPAD) == "" && !c.rotti["data_pad"] {
		c.add("", "data_pad obbligatoria per ADI")
	}
	n.DataDecorrenza = c.data("", "data_decorrenza", r.DataDecorrenza, false)
	if d := c.dataObbligatoria("", "data_trasmissione", r.DataTrasmissione); d != nil {
		n.DataTrasmissione = *d
	}
	n.StatoErogazione = c.valore("", "stato_erogazione", r.StatoErogazione, StatiErogazione)

	n.ComuneResidenza = c.testo("", "comune_residenza", r.ComuneResidenza)
	switch {
	case n.ComuneResidenza == "":
	case !Cifre(n.ComuneResidenza, 6):
		c.add("", "comune_residenza non valido: %q (atteso il codice ISTAT di 6 cifre)", Breve(n.ComuneResidenza))
	case c.comuni != nil && !c.comuni[n.ComuneResidenza]:
		c.add("", "comune_residenza %s non è un comune dell'ambito", n.ComuneResidenza)
	}

	if r.Contatti == nil {
		c.manca("", "contatti")
	} else {
		const pre = "contatti: "
		n.Contatti = Contatti{
			Telefono:  c.telefono(pre, "telefono", r.Contatti.Telefono),
			Email:     c.email(pre, "email", r.Contatti.Email),
			Indirizzo: c.testo(pre, "indirizzo", r.Contatti.Indirizzo),
		}
		if n.Contatti.Indirizzo == "" {
			c.manca(pre, "indirizzo")
		}
	}

	if r.RequisitiAnagraficiVerificati == nil {
		c.manca("", "requisiti_anagrafici_verificati")
	} else {
		n.RequisitiAnagraficiVerificati = *r.RequisitiAnagraficiVerificati
	}
	n.EsitiControlli = c.testoLungo("", "esiti_controlli", r.EsitiControlli)

	if len(r.Componenti) == 0 {
		if !c.rotti["componenti"] {
			c.add("", "nessun componente")
		}
	} else {
		c.componenti(r.Componenti, &n)
	}

	// Whether a prestazione's codice fiscale is a member's can be told only
	// when every member could be read.
	completi := len(r.Componenti) > 0 && len(n.Componenti) == len(r.Componenti)
	for i, rp := range r.AltrePrestazioni {
		pre := fmt.Sprintf("prestazione %d: ", i+1)
		if c.rotti[pre] {
			continue
		}
		p := Prestazione{
			Codice:        c.testo(pre, "codice", rp.Codice),
			Descrizione:   c.testo(pre, "descrizione", rp.Descrizione),
			CodiceFiscale: codicefiscale.Normalize(rp.CodiceFiscale),
		}
		if p.Codice == "" {
			c.manca(pre, "codice")
		}
		if p.CodiceFiscale != "" && completi && !slices.ContainsFunc(n.Componenti, func(k Componente) bool {
			return k.CodiceFiscale == p.CodiceFiscale
		}) {
			c.add(pre, "codice fiscale %s non è di un componente del nucleo", Breve(p.CodiceFiscale))
		}
		n.AltrePrestazioni = append(n.AltrePrestazioni, p)
	}
	return n
}

// componenti checks the members, then what involves several of them: no
// codice fiscale twice, exactly one richiedente.
func (c *controllo) componenti(rs []componenteJSON, n *Nucleo) {
	var (
		richiedenti []string
		primo       = make(map[string]int, len(rs))
		saltati     bool
	)
	n.Componenti = make([]Componente, 0, len(rs))
	for i := range rs {
		pre := "componente " + strconv.Itoa(i+1) + ": "
		if c.rotti[pre] {
			saltati = true
			continue
		}
		k := c.componente(pre, &rs[i])
		if k.CodiceFiscale != "" {
			if j, ok := primo[k.CodiceFiscale]; ok {
				c.add(pre, "codice fiscale %s ripetuto nello stesso nucleo (già al componente %d)", Breve(k.CodiceFiscale), j)
			} else {
				primo[k.CodiceFiscale] = i + 1
			}
		}
		if k.Relazione == "richiedente" {
			richiedenti = append(richiedenti, strconv.Itoa(i+1))
		}
		n.Componenti = append(n.Componenti, k)
	}
	switch {
	case len(richiedenti) == 0 && !saltati:
		c.add("", "manca il richiedente")
	case len(richiedenti) > 1:
		c.add("", "più di un richiedente (componenti %s)", strings.Join(richiedenti, ", "))
	}
}

func (c *controllo) componente(pre string, r *componenteJSON) Componente {
	k := Componente{
		CodiceFiscale:         codicefiscale.Normalize(r.CodiceFiscale),
		Cognome:               c.testo(pre, "cognome", r.Cognome),
		Nome:                  c.testo(pre, "nome", r.Nome),
		Sesso:                 c.valore(pre, "sesso", r.Sesso, []string{"M", "F"}),
		LuogoNascita:          c.testo(pre, "luogo_nascita", r.LuogoNascita),
		Cittadinanza:          c.testo(pre, "cittadinanza", r.Cittadinanza),
		Relazione:             c.valore(pre, "relazione", r.Relazione, Relazioni),
		Disabilita:            r.Disabilita,
		SvantaggioCertificato: r.SvantaggioCertificato,
		Residenza:             c.testo(pre, "residenza", r.Residenza),
		Domicilio:             c.testo(pre, "domicilio", r.Domicilio),
		Telefono:              c.telefono(pre, "telefono", r.Telefono),
		Email:                 c.email(pre, "email", r.Email),
	}

	cfValido := false
	switch err := codicefiscale.Validate(k.CodiceFiscale); {
	case k.CodiceFiscale == "":
		c.manca(pre, "codice_fiscale")
	case err == nil:
		cfValido = true
	case errors.Is(err, codicefiscale.ErrCheck):
		c.add(pre, "codice fiscale %s: carattere di controllo errato (atteso %c)",
			k.CodiceFiscale, codicefiscale.CheckChar(k.CodiceFiscale[:15]))
	case errors.Is(err, codicefiscale.ErrBirth):
		c.add(pre, "codice fiscale %s: data di nascita non valida", k.CodiceFiscale)
	default:
		c.add(pre, "codice fiscale %s: formato non valido", Breve(k.CodiceFiscale))
	}

	if k.Cognome == "" {
		c.manca(pre, "cognome")
	}
	if k.Nome == "" {
		c.manca(pre, "nome")
	}
	nascita := c.dataObbligatoria(pre, "data_nascita", r.DataNascita)
	switch {
	case nascita == nil:
	case nascita.Year() < 1900:
		c.add(pre, "data_nascita non plausibile: %s", calendario.ISO(*nascita))
		nascita = nil
	default:
		k.DataNascita = *nascita
	}
	switch {
	case k.LuogoNascita == "":
		c.manca(pre, "luogo_nascita")
	case !catastale(k.LuogoNascita):
		c.add(pre, "luogo_nascita non valido: %q (atteso il codice catastale, come A944 o Z330)", Breve(k.LuogoNascita))
		k.LuogoNascita = ""
	}
	switch {
	case k.Cittadinanza == "":
		c.manca(pre, "cittadinanza")
	case len(k.Cittadinanza) != 3 || strings.IndexFunc(k.Cittadinanza, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0:
		c.add(pre, "cittadinanza non valida: %q (atteso il codice ISO 3166 di 3 lettere, come ITA)", Breve(k.Cittadinanza))
	}

	// The codice fiscale must be the one of this person: the same birth
	// date, sex and place. Omocodia is accepted. The letters of surname and
	// name are not compared: foreign names are transliterated in more than
	// one way, and the Agenzia delle entrate's code is the one that counts.
	if cfValido && nascita != nil && k.Sesso != "" && !codicefiscale.Consistent(k.CodiceFiscale, *nascita, k.Sesso) {
		d, s, _ := codicefiscale.BirthDate(k.CodiceFiscale)
		if s != k.Sesso {
			c.add(pre, "codice fiscale %s incoerente con sesso %s", k.CodiceFiscale, k.Sesso)
		}
		if d.Day() != nascita.Day() || d.Month() != nascita.Month() || d.Year()%100 != nascita.Year()%100 {
			c.add(pre, "codice fiscale %s incoerente con data di nascita %s", k.CodiceFiscale, calendario.ISO(*nascita))
		}
	}
	if cfValido && k.LuogoNascita != "" {
		if l := codicefiscale.Luogo(k.CodiceFiscale); l != k.LuogoNascita {
			c.add(pre, "codice fiscale %s incoerente con luogo_nascita %s (nel codice %s)", k.CodiceFiscale, k.LuogoNascita, l)
		}
	}

	if r.TitoloSoggiorno != nil && !c.rotti[pre+"titolo_soggiorno"] {
		tpre := pre + "titolo_soggiorno: "
		k.TitoloSoggiorno = &TitoloSoggiorno{
			Tipo:     c.valore(tpre, "tipo", r.TitoloSoggiorno.Tipo, TipiTitoloSoggiorno),
			Scadenza: c.data(tpre, "scadenza", r.TitoloSoggiorno.Scadenza, false),
		}
	}

	if r.InScalaEquivalenza == nil {
		c.manca(pre, "in_scala_equivalenza")
	} else {
		k.InScalaEquivalenza = *r.InScalaEquivalenza
	}
	return k
}

// testo trims a text field and rejects control characters, which
// PostgreSQL (NUL) or the screens could not show.
func (c *controllo) testo(pre, campo, s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		c.add(pre, "%s: contiene caratteri di controllo", campo)
	}
	c.lunghezza(pre, campo, s, MaxTestoBreve)
	return s
}

// MaxTestoBreve and MaxTestoLungo are the longest a text field and a free
// text of a line may be, in characters (docs/formats/limiti.md).
const (
	MaxTestoBreve = 200
	MaxTestoLungo = 4000
)

// lunghezza rejects s longer than max characters.
func (c *controllo) lunghezza(pre, campo, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		c.add(pre, "%s: al massimo %d caratteri (ne ha %d)", campo, max, n)
	}
}

// testoLungo is testo for free text, where line breaks and tabs are allowed.
func (c *controllo) testoLungo(pre, campo, s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }) >= 0 {
		c.add(pre, "%s: contiene caratteri di controllo", campo)
	}
	c.lunghezza(pre, campo, s, MaxTestoLungo)
	return s
}

// valore checks a required field against its allowed values.
func (c *controllo) valore(pre, campo, s string, ammessi []string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		c.manca(pre, campo)
	case !slices.Contains(ammessi, s):
		c.add(pre, "%s %s: %q (ammessi %s)", campo, nonValido(campo), Breve(s), strings.Join(ammessi, ", "))
		return ""
	}
	return s
}

// data reads a date written as YYYY-MM-DD. Empty is absent (nil, no
// reason: the caller knows whether it is required). passata: the date
// cannot be after today.
func (c *controllo) data(pre, campo, s string, passata bool) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	d, ok := parseData(s)
	if !ok {
		c.add(pre, "%s: data non valida: %s (attesa AAAA-MM-GG)", campo, Breve(s))
		return nil
	}
	if passata && d.After(c.oggi) {
		c.add(pre, "%s: data futura: %s", campo, s)
		return nil
	}
	return &d
}

// dataObbligatoria is data for a required date of the past.
func (c *controllo) dataObbligatoria(pre, campo, s string) *time.Time {
	if strings.TrimSpace(s) == "" {
		c.manca(pre, campo)
		return nil
	}
	return c.data(pre, campo, s, true)
}

// parseData parses YYYY-MM-DD strictly (two-digit month and day, a day that
// exists) without the allocations of time.Parse.
func parseData(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !Cifre(s[:4], 4) || !Cifre(s[5:7], 2) || !Cifre(s[8:], 2) {
		return time.Time{}, false
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	d := int(s[8]-'0')*10 + int(s[9]-'0')
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// telefono checks a phone number loosely: digits with the usual
// separators, an optional leading +, 6 to 15 digits (ITU E.164).
func (c *controllo) telefono(pre, campo, s string) string {
	s = c.testo(pre, campo, s)
	if s == "" {
		return ""
	}
	n := 0
	ok := true
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '/', r == '(', r == ')':
		default:
			ok = false
		}
	}
	if !ok || n < 6 || n > 15 {
		c.add(pre, "%s %s: %q", campo, nonValido(campo), Breve(s))
	}
	return s
}

// nonValido agrees with the Italian noun the field is named after.
func nonValido(campo string) string {
	switch campo {
	case "misura", "relazione", "email", "cittadinanza":
		return "non valida"
	}
	return "non valido"
}

// email checks an address loosely: one @, a dotted domain, no spaces.
func (c *controllo) email(pre, campo, s string) string {
	s = c.testo(pre, campo, s)
	if s == "" {
		return ""
	}
	at := strings.IndexByte(s, '@')
	dom := s[at+1:]
	if at < 1 || strings.LastIndexByte(s, '@') != at || len(s) > 254 || strings.ContainsAny(s, " \t") ||
		!strings.Contains(dom, ".") || strings.HasPrefix(dom, ".") || strings.HasSuffix(dom, ".") {
		c.add(pre, "%s %s: %q", campo, nonValido(campo), Breve(s))
	}
	return s
}

// IDValido: the id_domanda is a key of the database and a part of
// messages, so it is kept to a safe alphabet.
func IDValido(s string) bool {
	if len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b >= 'A' && b <= 'Z', b >= 'a' && b <= 'z', b >= '0' && b <= '9':
		case (b == '-' || b == '_' || b == '.' || b == '/') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Cifre reports whether s is n ASCII digits.
func Cifre(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// catastale reports whether s has the form of a codice catastale
// (Belfiore): a letter and three digits.
func catastale(s string) bool {
	return len(s) == 4 && s[0] >= 'A' && s[0] <= 'Z' && Cifre(s[1:], 3)
}

// Breve is a value as quoted in a reason: at most 40 characters, so that a
// wrong file cannot make the report as big as itself, and every control
// character (the NUL character, which PostgreSQL cannot store, a line
// break) shown as U+FFFD, so that the report can be stored and shown.
func Breve(s string) string {
	const max = 40
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return utf8.RuneError
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
