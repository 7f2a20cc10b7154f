package flusso

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// Opzioni of Genera. The same Opzioni and n give the same file, byte for
// byte.
type Opzioni struct {
	Seme int64 // seed of the pseudo-random generator

	// Oggi is the day the file is generated on: PADs are spread over the
	// 150 days before it, so that some T120 terms have expired, some are
	// close and most are running. Zero: today in Europe/Rome (the file then
	// depends on the day).
	Oggi time.Time

	// Comuni are the codici ISTAT the households reside in, at least one.
	Comuni []string

	// PrimoNumero is the progressive number of the first id_domanda
	// (default 1), so that two files can have distinct domande.
	PrimoNumero int
}

// Genera writes n synthetic households in the format of the flow, all valid
// for Parse with the same Oggi: ADI households of the compositions that give
// right to it (minors, members aged 60 or more, disabilità, svantaggio) and
// some SFL ones; Italian and foreign-born members with consistent ages and
// relations; codici fiscali computed from the personal data, distinct across
// the whole file (a clash gets the omocodia variant, as the Agenzia delle
// entrate does); distinct id_domanda. Names and codici fiscali are
// synthetic, phone numbers cannot exist (051 000 …) and e-mail addresses are
// in the domains reserved for examples (RFC 2606).
func Genera(w io.Writer, n int, opts Opzioni) error {
	if n < 0 {
		return errors.New("flusso: genera: numero di nuclei negativo")
	}
	if len(opts.Comuni) == 0 {
		return errors.New("flusso: genera: nessun comune di residenza")
	}
	for _, c := range opts.Comuni {
		if !Cifre(c, 6) {
			return fmt.Errorf("flusso: genera: codice ISTAT non valido: %q", c)
		}
	}
	oggi := opts.Oggi
	if oggi.IsZero() {
		oggi = time.Now()
	}
	g := &generatore{
		rnd:    rand.New(rand.NewPCG(uint64(opts.Seme), 0x6e75636c656f)), // "nucleo"
		oggi:   calendario.Giorno(oggi),
		comuni: opts.Comuni,
		usati:  make(map[[16]byte]struct{}, n*3),
		numero: max(opts.PrimoNumero, 1),
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for range n {
		r := g.nucleo()
		if err := enc.Encode(&r); err != nil {
			return fmt.Errorf("flusso: genera: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("flusso: genera: %w", err)
	}
	return nil
}

type generatore struct {
	rnd    *rand.Rand
	oggi   time.Time
	comuni []string
	usati  map[[16]byte]struct{} // codici fiscali already written
	numero int                   // progressive of the next id_domanda
}

// persona is a member being built.
type persona struct {
	cognome, nome, sesso string
	nascita              time.Time
	luogo, cittadinanza  string
	titolo               *titoloSoggiornoJSON
	relazione            string
	disabilita           bool
	svantaggio           bool
	naz                  *nazionalita // nil: Italian
}

// Places of birth of Italian members (codici catastali), weighted: the
// Bologna area first, then the rest of Emilia-Romagna and the South, where
// many residents of the area were born.
var luoghiItaliani = []struct {
	belfiore string
	peso     int
}{
	{"A944", 30}, // Bologna
	{"B880", 8},  // Casalecchio di Reno
	{"M185", 4},  // Zola Predosa
	{"G972", 4},  // Sasso Marconi
	{"F257", 3},  // Modena
	{"D548", 3},  // Ferrara
	{"H223", 2},  // Reggio nell'Emilia
	{"G337", 2},  // Parma
	{"H199", 2},  // Ravenna
	{"D704", 2},  // Forlì
	{"H294", 1},  // Rimini
	{"G535", 1},  // Piacenza
	{"F839", 8},  // Napoli
	{"G273", 5},  // Palermo
	{"A662", 4},  // Bari
	{"D643", 4},  // Foggia
	{"C351", 3},  // Catania
	{"H224", 3},  // Reggio di Calabria
	{"H703", 2},  // Salerno
	{"F158", 2},  // Messina
	{"L049", 2},  // Taranto
	{"B963", 2},  // Caserta
	{"H501", 3},  // Roma
}

// Comuni whose name and CAP Genera knows, for addresses; for the others the
// address is the street only.
var comuniNoti = map[string]struct{ nome, cap string }{
	"037006": {"Bologna", "40100"},
	"037011": {"Casalecchio di Reno", "40033"},
	"037060": {"Zola Predosa", "40069"},
	"037057": {"Sasso Marconi", "40037"},
}

var strade = []string{
	"Via Roma", "Via Garibaldi", "Via Mazzini", "Via Guglielmo Marconi", "Via Matteotti", "Via Gramsci",
	"Via Porrettana", "Via Bazzanese", "Via del Risorgimento", "Via della Resistenza", "Via Dante Alighieri",
	"Via XX Settembre", "Via Sandro Pertini", "Via John Fitzgerald Kennedy", "Via dei Mille", "Via Cavour",
	"Via Giosuè Carducci", "Via Giovanni Pascoli", "Via Giuseppe Verdi", "Piazza del Popolo", "Via Emilia",
	"Via Fratelli Rosselli", "Via Don Giovanni Minzoni", "Via Piave", "Via Isonzo", "Via Monte Grappa",
	"Via Enrico Toti", "Via Aldo Moro", "Via Enrico Berlinguer", "Via Andrea Costa", "Via Nuova", "Via Santa Lucia",
	"Via Ronzani", "Via Tripoli", "Via Domenico Cimarosa", "Via Caravaggio", "Via Lunga", "Via Gesso",
	"Via Raibolini", "Via Cristoforo Colombo", "Via Vittorio Veneto", "Via Galileo Galilei", "Via San Lorenzo",
}

// Other prestazioni sociali, with codes made up for the synthetic files:
// the real ones are those of the SIUSS tables INPS uses.
var (
	prestazioneAUU     = prestazioneJSON{Codice: "AUU", Descrizione: "Assegno unico e universale per i figli a carico"}
	prestazioneIAC     = prestazioneJSON{Codice: "IAC", Descrizione: "Indennità di accompagnamento"}
	prestazioneAffitto = prestazioneJSON{Codice: "CFL", Descrizione: "Contributo del Fondo per il sostegno alle locazioni"}
	prestazioneBonus   = prestazioneJSON{Codice: "BSE", Descrizione: "Bonus sociale per disagio economico (luce e gas)"}
	prestazioneSAD     = prestazioneJSON{Codice: "SAD", Descrizione: "Servizio di assistenza domiciliare"}
)

var esitiNonVerificati = []string{
	"Residenza storica da verificare: richiesta al Comune tramite GePI",
	"Composizione del nucleo difforme tra ISEE e anagrafe: verifica anagrafica richiesta",
	"Residenza continuativa negli ultimi 2 anni non verificata",
}

// intervallo is a uniform integer in [da, a].
func (g *generatore) intervallo(da, a int) int { return da + g.rnd.IntN(a-da+1) }

func (g *generatore) prob(p float64) bool { return g.rnd.Float64() < p }

func scegli[T any](g *generatore, xs []T) T { return xs[g.rnd.IntN(len(xs))] }

// nascita returns a birth date that gives eta completed years today.
func (g *generatore) nascita(eta int) time.Time {
	return g.oggi.AddDate(-eta, 0, -g.rnd.IntN(365))
}

func (g *generatore) nazionalita() *nazionalita {
	tot := 0
	for _, n := range nazionalitaEstere {
		tot += n.peso
	}
	x := g.rnd.IntN(tot)
	for i := range nazionalitaEstere {
		if x < nazionalitaEstere[i].peso {
			return &nazionalitaEstere[i]
		}
		x -= nazionalitaEstere[i].peso
	}
	return &nazionalitaEstere[0]
}

func (g *generatore) luogoItaliano() string {
	tot := 0
	for _, l := range luoghiItaliani {
		tot += l.peso
	}
	x := g.rnd.IntN(tot)
	for _, l := range luoghiItaliani {
		if x < l.peso {
			return l.belfiore
		}
		x -= l.peso
	}
	return "A944"
}

func (g *generatore) nome(sesso string, naz *nazionalita) string {
	switch {
	case naz == nil && sesso == "M":
		return scegli(g, nomiMaschili)
	case naz == nil:
		return scegli(g, nomiFemminili)
	case sesso == "M":
		return scegli(g, naz.maschili)
	}
	return scegli(g, naz.femminili)
}

func (g *generatore) cognome(naz *nazionalita) string {
	if naz == nil {
		return scegli(g, cognomi)
	}
	return scegli(g, naz.cognomi)
}

// adulto makes an adult of the given origin, born abroad when foreign.
func (g *generatore) adulto(sesso string, etaMin, etaMax int, naz *nazionalita, relazione string) persona {
	p := persona{sesso: sesso, nascita: g.nascita(g.intervallo(etaMin, etaMax)), relazione: relazione, naz: naz}
	p.nome, p.cognome = g.nome(sesso, naz), g.cognome(naz)
	g.origine(&p, false)
	return p
}

// origine sets place of birth, citizenship and residence permit.
// natoQui: a child born while the family lived here, in a Bologna hospital;
// a child of a foreign family born here keeps the parents' citizenship
// (there is no ius soli).
func (g *generatore) origine(p *persona, natoQui bool) {
	if p.naz == nil {
		p.cittadinanza = "ITA"
		if natoQui {
			p.luogo = "A944"
		} else {
			p.luogo = g.luogoItaliano()
		}
		return
	}
	p.cittadinanza = p.naz.iso
	if natoQui {
		p.luogo = "A944"
	} else {
		p.luogo = p.naz.belfiore
	}
	switch {
	case p.naz.ue:
		if g.prob(0.5) {
			p.titolo = &titoloSoggiornoJSON{Tipo: "attestazione_soggiorno_ue"}
		}
	case g.prob(0.75):
		p.titolo = &titoloSoggiornoJSON{Tipo: "permesso_ue_lungo_periodo"}
	case g.prob(0.8):
		// Some have expired, as in real files: the permit is being renewed.
		p.titolo = &titoloSoggiornoJSON{Tipo: "protezione_internazionale",
			Scadenza: g.oggi.AddDate(0, 0, g.intervallo(-60, 5*365)).Format(time.DateOnly)}
	default:
		p.titolo = &titoloSoggiornoJSON{Tipo: "carta_soggiorno_familiare_ue",
			Scadenza: g.oggi.AddDate(0, 0, g.intervallo(30, 5*365)).Format(time.DateOnly)}
	}
}

// figlio makes a child of madre or padre (either may be nil, not both)
// aged eta, younger than both parents by at least 18 years: the caller
// picks eta accordingly. It has the father's surname when he is in the
// household, and a first name none of its siblings has.
func (g *generatore) figlio(padre, madre *persona, eta int, fratelli []persona) persona {
	genitore := madre
	if genitore == nil {
		genitore = padre
	}
	p := persona{sesso: scegli(g, []string{"M", "F"}), nascita: g.nascita(eta), relazione: "figlio", naz: genitore.naz}
	if padre != nil {
		p.cognome = padre.cognome
	} else {
		p.cognome = madre.cognome
	}
	for range 20 {
		p.nome = g.nome(p.sesso, p.naz)
		if !slices.ContainsFunc(fratelli, func(f persona) bool { return f.nome == p.nome }) {
			break
		}
	}
	g.origine(&p, eta < 10 && g.prob(0.85) || g.prob(0.4))
	if p.naz != nil && p.titolo == nil && genitore.titolo != nil {
		t := *genitore.titolo // minors are on the parent's permit
		p.titolo = &t
	}
	return p
}

// eta is the age in completed years on oggi.
func eta(oggi, nascita time.Time) int {
	e := oggi.Year() - nascita.Year()
	if oggi.Month() < nascita.Month() || oggi.Month() == nascita.Month() && oggi.Day() < nascita.Day() {
		e--
	}
	return e
}

// figli adds k children to the household, the first a minor, all born
// when the younger parent was 19 to 45.
func (g *generatore) figli(padre, madre *persona, k int, membri []persona) []persona {
	giovane := 200
	for _, p := range []*persona{padre, madre} {
		if p != nil {
			giovane = min(giovane, eta(g.oggi, p.nascita))
		}
	}
	massima := max(0, min(giovane-19, 25)) // 19: a margin for the days of the year
	minima := max(0, giovane-45)
	primo := len(membri)
	for i := range k {
		if i > 0 && g.prob(0.03) { // twins
			gemello := g.figlio(padre, madre, 0, membri)
			gemello.nascita, gemello.luogo = membri[len(membri)-1].nascita, membri[len(membri)-1].luogo
			membri = append(membri, gemello)
			continue
		}
		// Siblings are born at least 10 months apart; when the parents'
		// ages leave no room, the household has fewer children.
		for range 20 {
			e := g.intervallo(minima, max(minima, massima))
			if i == 0 {
				e = g.intervallo(min(minima, 17), min(max(minima, massima), 17)) // the first is a minor
			}
			f := g.figlio(padre, madre, e, membri)
			distanti := true
			for _, s := range membri[primo:] {
				if d := f.nascita.Sub(s.nascita).Hours() / 24; d > -300 && d < 300 {
					distanti = false
				}
			}
			if distanti {
				membri = append(membri, f)
				break
			}
		}
	}
	return membri
}

func altroSesso(s string) string {
	if s == "M" {
		return "F"
	}
	return "M"
}

// quantiFigli: 1 to 4, fewer more often.
func (g *generatore) quantiFigli() int {
	switch x := g.rnd.IntN(100); {
	case x < 40:
		return 1
	case x < 75:
		return 2
	case x < 93:
		return 3
	}
	return 4
}

// composizione builds the members of a household; ADI households always
// have a minor, a member aged 60 or more, one with disabilità or one in
// svantaggio (domain.md §11).
func (g *generatore) composizione(misura string) []persona {
	var naz *nazionalita
	if g.prob(0.22) {
		naz = g.nazionalita()
	}
	if misura == "SFL" {
		r := g.adulto(scegli(g, []string{"M", "F"}), 18, 59, naz, "richiedente")
		if g.prob(0.7) {
			return []persona{r}
		}
		c := g.adulto(altroSesso(r.sesso), 18, 59, naz, scegli(g, []string{"coniuge", "convivente"}))
		return []persona{r, c}
	}

	x := g.rnd.IntN(100)
	switch {
	case x < 20: // anziano solo
		r := g.adulto(scegli(g, []string{"M", "F", "F"}), 60, 90, naz, "richiedente")
		r.disabilita = g.prob(0.3)
		return []persona{r}
	case x < 28: // coppia di anziani
		r := g.adulto("M", 62, 88, naz, "richiedente")
		c := g.adulto("F", 58, min(eta(g.oggi, r.nascita)+2, 90), naz, "coniuge")
		c.cognome = g.cognome(naz)
		c.disabilita = g.prob(0.2)
		return []persona{r, c}
	case x < 50: // genitore solo con figli
		sesso := "F"
		if g.prob(0.15) {
			sesso = "M"
		}
		r := g.adulto(sesso, 20, 52, naz, "richiedente")
		var membri []persona
		if sesso == "F" {
			membri = g.figli(nil, &r, min(g.quantiFigli(), 3), []persona{r})
		} else {
			membri = g.figli(&r, nil, min(g.quantiFigli(), 3), []persona{r})
		}
		return membri
	case x < 75: // coppia con figli
		r := g.adulto(scegli(g, []string{"M", "F"}), 22, 55, naz, "richiedente")
		er := eta(g.oggi, r.nascita)
		c := g.adulto(altroSesso(r.sesso), max(20, er-8), min(er+8, 58), naz, scegli(g, []string{"coniuge", "coniuge", "coniuge", "convivente"}))
		padre, madre := &r, &c
		if r.sesso == "F" {
			padre, madre = &c, &r
		}
		membri := g.figli(padre, madre, g.quantiFigli(), []persona{r, c})
		if g.prob(0.04) && len(membri) > 2 {
			membri[len(membri)-1].disabilita = true
		}
		return membri
	case x < 83: // adulto con disabilità
		r := g.adulto(scegli(g, []string{"M", "F"}), 18, 59, naz, "richiedente")
		r.disabilita = true
		return []persona{r}
	case x < 90: // adulto in condizione di svantaggio
		r := g.adulto(scegli(g, []string{"M", "M", "F"}), 25, 59, naz, "richiedente")
		r.svantaggio = true
		if g.prob(0.15) {
			f := g.adulto(scegli(g, []string{"M", "F"}), 18, 59, naz, "altro_parente")
			f.cognome = r.cognome
			return []persona{r, f}
		}
		return []persona{r}
	case x < 95: // famiglia con un nonno convivente
		r := g.adulto(scegli(g, []string{"M", "F"}), 26, 45, naz, "richiedente")
		er := eta(g.oggi, r.nascita)
		c := g.adulto(altroSesso(r.sesso), max(22, er-6), er+6, naz, "coniuge")
		padre, madre := &r, &c
		if r.sesso == "F" {
			padre, madre = &c, &r
		}
		membri := g.figli(padre, madre, g.intervallo(1, 2), []persona{r, c})
		nonno := g.adulto(scegli(g, []string{"M", "F"}), max(60, er+20), max(60, er+20)+g.intervallo(0, 15), naz, "genitore")
		if nonno.sesso == "M" {
			nonno.cognome = r.cognome
		}
		nonno.disabilita = g.prob(0.25)
		return append(membri, nonno)
	default: // genitore con figlio adulto con disabilità
		r := g.adulto(scegli(g, []string{"M", "F", "F"}), 45, 78, naz, "richiedente")
		er := eta(g.oggi, r.nascita)
		var f persona
		if r.sesso == "F" {
			f = g.figlio(nil, &r, g.intervallo(18, er-20), nil)
		} else {
			f = g.figlio(&r, nil, g.intervallo(18, er-20), nil)
		}
		f.disabilita = true
		return []persona{r, f}
	}
}

// codiceFiscale computes p's code and makes it unique in the file: when
// another person already has it, the next omocodia variant is used
// (digits replaced with letters from the right, as the Agenzia delle
// entrate does); when all seven are taken, p gets another first name.
func (g *generatore) codiceFiscale(p *persona) string {
	for {
		base := codicefiscale.Compute(p.cognome, p.nome, p.nascita, p.sesso, p.luogo)
		for livello := 0; livello <= len(posizioniOmocodia); livello++ {
			cf := omocodia(base, livello)
			var k [16]byte
			copy(k[:], cf)
			if _, ok := g.usati[k]; !ok {
				g.usati[k] = struct{}{}
				return cf
			}
		}
		p.nome = g.nome(p.sesso, p.naz)
	}
}

// posizioniOmocodia are the digit positions of a codice fiscale in the
// order omocodia replaces them.
var posizioniOmocodia = []int{14, 13, 12, 10, 9, 7, 6}

// omocodia returns the variant of cf with the last livello digits replaced
// by the letters LMNPQRSTUV, and its check character recomputed.
func omocodia(cf string, livello int) string {
	if livello == 0 {
		return cf
	}
	b := []byte(cf)
	for _, i := range posizioniOmocodia[:livello] {
		b[i] = "LMNPQRSTUV"[b[i]-'0']
	}
	b[15] = codicefiscale.CheckChar(string(b[:15]))
	return string(b)
}

func (g *generatore) indirizzo(comune string) string {
	via := fmt.Sprintf("%s %d", scegli(g, strade), g.intervallo(1, 180))
	if g.prob(0.2) {
		via += "/" + string(rune('A'+g.rnd.IntN(4)))
	}
	if c, ok := comuniNoti[comune]; ok {
		return via + ", " + c.cap + " " + c.nome
	}
	return via
}

func (g *generatore) telefono() string {
	return fmt.Sprintf("051 000 %04d", g.rnd.IntN(10000))
}

var dominiEsempio = []string{"example.org", "example.com", "example.net"}

func email(nome, cognome string, n int, dominio string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(nome + "." + cognome) {
		switch {
		case r >= 'a' && r <= 'z', r == '.':
			b.WriteRune(r)
		case r == 'à' || r == 'á':
			b.WriteByte('a')
		case r == 'è' || r == 'é':
			b.WriteByte('e')
		case r == 'ì':
			b.WriteByte('i')
		case r == 'ò':
			b.WriteByte('o')
		case r == 'ù':
			b.WriteByte('u')
		}
	}
	b.WriteString(strconv.Itoa(n))
	b.WriteByte('@')
	b.WriteString(dominio)
	return b.String()
}

// nucleo builds one line.
func (g *generatore) nucleo() rigaJSON {
	misura := "ADI"
	if g.prob(0.12) {
		misura = "SFL"
	}
	comune := scegli(g, g.comuni)
	indirizzo := g.indirizzo(comune)

	pad := g.oggi.AddDate(0, 0, -g.rnd.IntN(151))
	domanda := pad.AddDate(0, 0, -g.rnd.IntN(16))
	trasmissione := pad.AddDate(0, 0, g.intervallo(1, 20))
	if trasmissione.After(g.oggi) {
		trasmissione = g.oggi
	}
	giorni := int(g.oggi.Sub(pad).Hours() / 24)
	var stato string
	switch x := g.rnd.IntN(100); {
	case giorni < 20 && x < 60:
		stato = "in_istruttoria"
	case giorni < 20:
		stato = "accolta"
	case x < 85:
		stato = "in_erogazione"
	case x < 90:
		stato = "accolta"
	case x < 96:
		stato = "sospesa"
	case x < 98:
		stato = "decaduta"
	case x < 99:
		stato = "revocata"
	default:
		stato = "terminata"
	}

	verificati := !g.prob(0.04)
	r := rigaJSON{
		VersioneTracciato:             new(VersioneTracciato),
		IDDomanda:                     fmt.Sprintf("INPS-%s-%d-%07d", misura, domanda.Year(), g.numero),
		Misura:                        misura,
		DataDomanda:                   domanda.Format(time.DateOnly),
		DataPAD:                       pad.Format(time.DateOnly),
		DataTrasmissione:              trasmissione.Format(time.DateOnly),
		StatoErogazione:               stato,
		ComuneResidenza:               comune,
		Contatti:                      &contattiJSON{Indirizzo: indirizzo},
		RequisitiAnagraficiVerificati: &verificati,
	}
	g.numero++
	if stato != "in_istruttoria" {
		r.DataDecorrenza = time.Date(pad.Year(), pad.Month()+1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	if !verificati {
		r.EsitiControlli = scegli(g, esitiNonVerificati)
	}

	membri := g.composizione(misura)
	r.Componenti = make([]componenteJSON, len(membri))
	minori := false
	for i := range membri {
		p := &membri[i]
		cf := g.codiceFiscale(p)
		scala := !(p.relazione != "richiedente" && g.prob(0.01))
		c := componenteJSON{
			CodiceFiscale: cf, Cognome: p.cognome, Nome: p.nome, Sesso: p.sesso,
			DataNascita: p.nascita.Format(time.DateOnly), LuogoNascita: p.luogo, Cittadinanza: p.cittadinanza,
			TitoloSoggiorno: p.titolo, Relazione: p.relazione, InScalaEquivalenza: &scala,
			Disabilita: p.disabilita, SvantaggioCertificato: p.svantaggio, Residenza: indirizzo,
		}
		adulto := eta(g.oggi, p.nascita) >= 18
		minori = minori || !adulto
		if p.relazione == "richiedente" {
			if g.prob(0.9) {
				c.Telefono = g.telefono()
				r.Contatti.Telefono = c.Telefono
			}
			if g.prob(0.6) {
				c.Email = email(p.nome, p.cognome, g.rnd.IntN(100), scegli(g, dominiEsempio))
				r.Contatti.Email = c.Email
			}
		} else if adulto && g.prob(0.3) {
			c.Telefono = g.telefono()
		}
		if p.disabilita && g.prob(0.5) {
			pr := prestazioneIAC
			pr.CodiceFiscale = cf
			r.AltrePrestazioni = append(r.AltrePrestazioni, pr)
		}
		r.Componenti[i] = c
	}
	if minori && g.prob(0.7) {
		r.AltrePrestazioni = append(r.AltrePrestazioni, prestazioneAUU)
	}
	if g.prob(0.12) {
		r.AltrePrestazioni = append(r.AltrePrestazioni, prestazioneAffitto)
	}
	if g.prob(0.2) {
		r.AltrePrestazioni = append(r.AltrePrestazioni, prestazioneBonus)
	}
	if eta(g.oggi, membri[0].nascita) >= 75 && g.prob(0.3) {
		r.AltrePrestazioni = append(r.AltrePrestazioni, prestazioneSAD)
	}
	return r
}
