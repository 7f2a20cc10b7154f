// Package residenza holds the rules of the residence requirement of the
// Assegno di Inclusione (ADI) and of the historical Reddito di Cittadinanza
// (RdC), as the controlli anagrafici of domain.md §9 verify them: how many
// years of residence in Italy a member must have at a reference date, and
// whether the last years are continuous. It is pure: no database, no HTTP;
// the periods of residence and the absences come from the caller (the
// registry officer's records, or the comuni of the backward chain, §9.2).
//
// # The rules
//
//   - ADI, D.L. 4 maggio 2023 n. 48 art. 2 c. 2 lett. a) n. 2 (domain.md §9.1
//     [ALTROCONSUMO]): resident in Italy for at least 5 years, of which the
//     last 2 continuously, at the reference date (the date of the domanda, or
//     for a controllo ex post the date of the check).
//   - RdC, D.L. 28 gennaio 2019 n. 4 art. 2 c. 1 lett. a) n. 2 (domain.md §9.1
//     [WELF-CA]): 10 years, of which the last 2 continuously.
//   - Continuity is interrupted by an absence from Italy of 2 or more
//     consecutive months, or of 4 or more months, even not consecutive, within
//     18 months; absences for serious and documented health reasons never
//     interrupt it (D.L. 48/2023 art. 2 c. 10; Ministero del Lavoro, "ADI –
//     Continuità della residenza", domain.md [LAV-RESCONT],
//     https://www.lavoro.gov.it/adi/verifica-requisiti/continuita-residenza).
//
// # The conventions chosen
//
// Dates are civil days at midnight UTC (package calendario); a Periodo and an
// Assenza include both their first and their last day.
//
// Years back from a date are calendar years: the 5 years before 29/02/2024
// start on 28/02/2019 (29 February becomes 28 February in a year that has
// none), the 2 years before 15/03/2024 start on 15/03/2022. The required
// residence is the number of days from that start to the day before the
// reference date: [al − N anni, al). So 5 years before 15/03/2024 are 1827
// days (2020 and 2024 are leap years), 5 years before 15/03/2023 are 1826:
// the calendar handles leap years, not 365 × N. The reference date itself is
// not counted (a Periodo is cut at the day before it): a person registered on
// 15/03/2019 has exactly 5 years at 15/03/2024, one registered on 16/03/2019
// is one day short.
//
// The total of 5 (10) years need not be continuous: it is the number of days
// covered by at least one Periodo before the reference date, at any time.
// Periods that overlap (two comuni registering the same days, common in the
// backward chain) are merged and counted once. A registered absence does not
// reduce the total: the requirement is residence (anagrafe), absences only
// bear on continuity.
//
// Months are calendar months with month-end clamping: one month after
// 31/01/2024 is 29/02/2024, not 02/03/2024 (addMonths, not time.AddDate). An
// absence lasts n months when its day after the last reaches n months after
// its first day: 01/01/2024–29/02/2024 is 2 months (the day after,
// 01/03/2024, is 01/01/2024 + 2 mesi), 01/03/2024–29/04/2024 is 1 month and
// 29 days. Clamping makes month ends count from the end of the month:
// 31/12/2023 + 2 mesi = 29/02/2024, so 31/12/2023–28/02/2024 is exactly 2
// months, and 31/12/2024 + 2 mesi = 28/02/2025, so 31/12/2024–27/02/2025 is 2
// months too (the absence runs to the last day of February); 31/01/2024 + 2 mesi = 31/03/2024, so 31/01/2024–30/03/2024 is 2
// months and 31/01/2024–29/03/2024 is 1 month (to 29/02) and 30 days.
//
// "4 months, even not consecutive, within 18 months" (AssenzeCumulate): for
// every window of 18 calendar months [s, s + 18 mesi) the absences in it are
// added up, each as whole calendar months from its own first day plus the
// days left over, and the left-over days of all of them are turned into
// months at 30 days each (the commercial month used for fractions of months;
// a calendar month has no fixed length once pieces are summed). Continuity is
// interrupted when the sum reaches 4 months. Counting whole calendar months
// per absence keeps the text's "quattro mesi" exact (four absences each of a
// full calendar month, February included, are 4 months), which a fixed total
// of 120 days would not be (February + April + June + September is 118 days),
// and counting the calendar months an absence merely touches would make a
// two-day absence across a month end worth two months. Absences that make up
// 2 consecutive months are already an interruption (AssenzaContinuativa) and
// are not counted again in a window.
//
// Which absences bear on the last 2 years: continuity restarts only on the
// return to Italy. So an absence of 2 consecutive months that ends on or
// after the first day of the continuity period interrupts it even when it
// began before (the person was abroad when the period began and came back
// within it), and a window of 18 months counts when the absence that
// completes its 4 months ends on or after that day; earlier absences in the
// same window count too. Absences after the reference date are ignored.
//
// Gaps in residence [interpretation]: a day between two periods on which the
// person is resident in no comune in Italy counts as a day of absence for the
// continuity rules, so a gap of 10 days does not interrupt and a gap of 2
// months does. A transfer between comuni (cancellation one day, iscrizione
// the same day or the next) is no gap. Days after the last period up to the
// reference date (residence cancelled) are a gap too. A registered absence
// outside every period adds nothing: those days are a gap already, or before
// the first known period. Health absences (Salute) never interrupt; they do
// not cover a gap either (a medical certificate is not a residence).
//
// The backward chain (domain.md §9.2): when the known periods do not cover
// the required years, or do not reach back to the start of the continuity
// period, and nothing known has already interrupted continuity, the result is
// ServonoPeriodiPrecedenti: the request goes to the comune of previous
// residence. The chain ends when the earliest period is an iscrizione from
// abroad (Periodo.DallEstero): then the missing years are a negative esito.
//
// RdC [interpretation]: the absence rules were written for the ADI; RdC
// applies them by analogy (set MesiConsecutivi and MesiCumulati to 0 in a
// Requisito to check only gaps of residence).
package residenza

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/calendario"
)

// Periodo is a residence in a comune in Italy, from the iscrizione to the
// cancellazione in its anagrafe, both days included; Al nil means still
// resident.
type Periodo struct {
	Comune string
	Dal    time.Time
	Al     *time.Time
	// DallEstero: the iscrizione came from abroad, so no residence in Italy
	// precedes it and the backward chain ends here.
	DallEstero bool
}

// Assenza is a recorded absence from Italy, both days included. Salute marks
// an absence for serious and documented health reasons (D.L. 48/2023 art. 2
// c. 10), which never interrupts continuity.
type Assenza struct {
	Dal, Al time.Time
	Salute  bool
}

// Requisito is a residence requirement: Anni years of residence in Italy, of
// which the last AnniContinui continuously, continuity being interrupted by
// an absence of MesiConsecutivi consecutive months or of MesiCumulati months
// within ArcoMesi months (0 turns a rule off).
type Requisito struct {
	Codice          string // "ADI", "RdC"
	Nome            string // for messages: "Assegno di Inclusione"
	Anni            int
	AnniContinui    int
	MesiConsecutivi int
	MesiCumulati    int
	ArcoMesi        int
	Fonte           string // the norm, for the motivazione
}

// ADI is the residence requirement of the Assegno di Inclusione: 5 years, the
// last 2 continuous (D.L. 48/2023 art. 2 c. 2 lett. a) n. 2); continuity
// interrupted by 2 consecutive months of absence or 4 months within 18
// (Ministero del Lavoro, ADI – Continuità della residenza [LAV-RESCONT]).
var ADI = Requisito{
	Codice: "ADI", Nome: "Assegno di Inclusione",
	Anni: 5, AnniContinui: 2,
	MesiConsecutivi: 2, MesiCumulati: 4, ArcoMesi: 18,
	Fonte: "art. 2, c. 2, lett. a), n. 2, D.L. 48/2023",
}

// RdC is the residence requirement of the Reddito di Cittadinanza, for
// requests of before 2024: 10 years, the last 2 continuous (D.L. 4/2019 art.
// 2 c. 1 lett. a) n. 2 [WELF-CA]); the absence rules of the ADI apply by
// analogy [interpretation].
var RdC = Requisito{
	Codice: "RdC", Nome: "Reddito di Cittadinanza",
	Anni: 10, AnniContinui: 2,
	MesiConsecutivi: 2, MesiCumulati: 4, ArcoMesi: 18,
	Fonte: "art. 2, c. 1, lett. a), n. 2, D.L. 4/2019",
}

// Inizio is the first day of the Anni years before al: al − Anni calendar
// years (29 February becomes 28 February).
func (r Requisito) Inizio(al time.Time) time.Time { return addMonths(giorno(al), -12*r.Anni) }

// InizioContinuita is the first day of the last AnniContinui years before al.
func (r Requisito) InizioContinuita(al time.Time) time.Time {
	return addMonths(giorno(al), -12*r.AnniContinui)
}

// Regola names the rule by which continuity was interrupted.
type Regola string

const (
	// AssenzaContinuativa: an absence of MesiConsecutivi (2) or more
	// consecutive months [LAV-RESCONT].
	AssenzaContinuativa Regola = "assenza_continuativa"
	// AssenzeCumulate: absences of MesiCumulati (4) or more months, even not
	// consecutive, within ArcoMesi (18) months [LAV-RESCONT].
	AssenzeCumulate Regola = "assenze_cumulate"
)

// Interruzione is what broke continuity: an absence (or a gap in residence)
// and the rule it triggered. For AssenzeCumulate, Dal and Al are the first and
// last day of absence counted in the window.
type Interruzione struct {
	Regola      Regola
	Dal, Al     time.Time
	Lacuna      bool   // it includes days of no residence in Italy
	Descrizione string // Italian, for the motivazione
}

// Valutazione is the result of Valuta.
type Valutazione struct {
	Requisito        Requisito
	Al               time.Time // the reference date
	Inizio           time.Time // first day of the Anni years
	InizioContinuita time.Time // first day of the AnniContinui years

	Soddisfatto     bool // the requirement is met at Al
	GiorniCoperti   int  // days of residence in Italy before Al (overlaps counted once)
	GiorniRichiesti int  // days from Inizio to the day before Al
	Mancano         int  // GiorniRichiesti − GiorniCoperti, at least 0

	Continuita   bool // the last AnniContinui years are covered and not interrupted
	Interruzioni []Interruzione

	// ServonoPeriodiPrecedenti: the known periods do not reach back far
	// enough; forward the request to the comune of previous residence.
	ServonoPeriodiPrecedenti bool

	// Anomalie are the input errors (Italian); the invalid periods and
	// absences are left out, and the requirement is not declared met.
	Anomalie []string

	// Motivazione is one or two Italian sentences for the esito.
	Motivazione string
}

// ErrDati is wrapped by every error of Valida.
var ErrDati = errors.New("dati di residenza non validi")

// Valida checks periods and absences: a last day before the first day, or a
// missing first day, is an error with an Italian message (wrapping ErrDati),
// one per record, joined.
func Valida(periodi []Periodo, assenze []Assenza) error {
	var errs []error
	for _, m := range anomalie(periodi, assenze) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrDati, m))
	}
	return errors.Join(errs...)
}

func anomalie(periodi []Periodo, assenze []Assenza) []string {
	var out []string
	for i, p := range periodi {
		if m := p.anomalia(); m != "" {
			out = append(out, fmt.Sprintf("Periodo %d%s: %s", i+1, nomeComune(p.Comune), m))
		}
	}
	for i, a := range assenze {
		if m := a.anomalia(); m != "" {
			out = append(out, fmt.Sprintf("Assenza %d: %s", i+1, m))
		}
	}
	return out
}

func nomeComune(c string) string {
	if c == "" {
		return ""
	}
	return " (" + c + ")"
}

func (p Periodo) anomalia() string {
	switch {
	case p.Dal.IsZero():
		return "manca la data di iscrizione."
	case p.Al != nil && giorno(*p.Al).Before(giorno(p.Dal)):
		return fmt.Sprintf("la data di cancellazione (%s) è precedente alla data di iscrizione (%s).",
			calendario.Data(giorno(*p.Al)), calendario.Data(giorno(p.Dal)))
	}
	return ""
}

func (a Assenza) anomalia() string {
	switch {
	case a.Dal.IsZero() || a.Al.IsZero():
		return "mancano le date di inizio o di fine."
	case giorno(a.Al).Before(giorno(a.Dal)):
		return fmt.Sprintf("la data di fine (%s) è precedente alla data di inizio (%s).",
			calendario.Data(giorno(a.Al)), calendario.Data(giorno(a.Dal)))
	}
	return ""
}

// Somma is the number of days of residence in Italy before al: the days
// covered by at least one valid period, each cut at the day before al.
func Somma(periodi []Periodo, al time.Time) int {
	n := 0
	for _, iv := range unisci(periodi, giorno(al)) {
		n += iv.b - iv.a
	}
	return n
}

// Valuta evaluates requirement r at the reference date al on the periods of
// residence and the absences known (see the package comment for the rules
// and conventions).
func Valuta(r Requisito, al time.Time, periodi []Periodo, assenze []Assenza) Valutazione {
	al = giorno(al)
	v := Valutazione{
		Requisito: r, Al: al,
		Inizio: r.Inizio(al), InizioContinuita: r.InizioContinuita(al),
		Anomalie: anomalie(periodi, assenze),
	}
	v.GiorniRichiesti = giorni(v.Inizio, al)

	fine := num(al)
	inizioC := num(v.InizioContinuita)
	merged := unisci(periodi, al)
	for _, iv := range merged {
		v.GiorniCoperti += iv.b - iv.a
	}
	v.Mancano = max(0, v.GiorniRichiesti-v.GiorniCoperti)

	if len(merged) > 0 {
		v.Interruzioni = interruzioni(r, merged, assenze, inizioC, fine)
	}
	primo := fine
	if len(merged) > 0 {
		primo = merged[0].a
	}
	v.Continuita = primo <= inizioC && len(v.Interruzioni) == 0
	v.Soddisfatto = v.Mancano == 0 && v.Continuita && len(v.Anomalie) == 0
	if len(v.Interruzioni) == 0 && (v.Mancano > 0 || primo > inizioC) && !dallEstero(periodi, al) {
		v.ServonoPeriodiPrecedenti = true
	}
	v.Motivazione = motivazione(v)
	return v
}

// dallEstero says whether the earliest valid period before al is an
// iscrizione from abroad.
func dallEstero(periodi []Periodo, al time.Time) bool {
	var primo *Periodo
	for i, p := range periodi {
		if p.anomalia() != "" || !giorno(p.Dal).Before(al) {
			continue
		}
		if primo == nil || giorno(p.Dal).Before(giorno(primo.Dal)) {
			primo = &periodi[i]
		}
	}
	return primo != nil && primo.DallEstero
}

// intervallo is a half-open range of day numbers [a, b).
type intervallo struct{ a, b int }

// unisci merges the valid periods, cut at the day before al, into sorted
// disjoint ranges; periods that overlap or touch (a transfer the same day or
// the next) become one.
func unisci(periodi []Periodo, al time.Time) []intervallo {
	fine := num(al)
	var ivs []intervallo
	for _, p := range periodi {
		if p.anomalia() != "" {
			continue
		}
		a, b := num(giorno(p.Dal)), fine
		if p.Al != nil {
			b = min(b, num(giorno(*p.Al))+1)
		}
		if a < b {
			ivs = append(ivs, intervallo{a, b})
		}
	}
	return fondi(ivs)
}

func fondi(ivs []intervallo) []intervallo {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].a < ivs[j].a })
	var out []intervallo
	for _, iv := range ivs {
		if n := len(out); n > 0 && iv.a <= out[n-1].b {
			out[n-1].b = max(out[n-1].b, iv.b)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// interruzioni applies the continuity rules of r to the days from the first
// period (merged, non empty) to the day before fine.
func interruzioni(r Requisito, merged []intervallo, assenze []Assenza, inizioC, fine int) []Interruzione {
	lo := merged[0].a
	n := fine - lo
	residente := make([]bool, n)
	for _, iv := range merged {
		for d := iv.a; d < iv.b; d++ {
			residente[d-lo] = true
		}
	}
	assente := make([]bool, n)
	for i := range n {
		assente[i] = !residente[i] // a gap counts as absence [interpretation]
	}
	segna := func(a Assenza, valore bool) {
		from, to := max(num(giorno(a.Dal)), lo), min(num(giorno(a.Al))+1, fine)
		for d := from; d < to; d++ {
			if residente[d-lo] {
				assente[d-lo] = valore
			}
		}
	}
	for _, a := range assenze {
		if a.anomalia() == "" && !a.Salute {
			segna(a, true)
		}
	}
	for _, a := range assenze {
		if a.anomalia() == "" && a.Salute {
			segna(a, false) // health absences never interrupt
		}
	}

	// Stretches of consecutive days of absence, inclusive day numbers.
	type tratto struct {
		a, b   int
		lacuna bool
	}
	var tratti []tratto
	for i := 0; i < n; {
		if !assente[i] {
			i++
			continue
		}
		t := tratto{a: lo + i}
		for i < n && assente[i] {
			t.lacuna = t.lacuna || !residente[i]
			i++
		}
		t.b = lo + i - 1
		tratti = append(tratti, t)
	}

	var out []Interruzione
	var brevi []tratto
	for _, t := range tratti {
		m, _ := durata(t.a, t.b)
		if r.MesiConsecutivi > 0 && m >= r.MesiConsecutivi {
			if t.b >= inizioC {
				out = append(out, Interruzione{
					Regola: AssenzaContinuativa, Dal: data(t.a), Al: data(t.b), Lacuna: t.lacuna,
					Descrizione: fmt.Sprintf("%s dal %s al %s (%s), pari o superiore a %s continuativi.",
						cosa(t.lacuna, !t.lacuna || haAssenza(t.a, t.b, residente, lo), false),
						calendario.Data(data(t.a)), calendario.Data(data(t.b)), mesiGiorni(durata(t.a, t.b)),
						mesiGiorni(r.MesiConsecutivi, 0)),
				})
			}
			continue
		}
		brevi = append(brevi, t)
	}

	if r.MesiCumulati <= 0 || r.ArcoMesi <= 0 || len(brevi) == 0 {
		return out
	}
	// Every window of ArcoMesi months [s, s + ArcoMesi) that can hold an
	// absence ending on or after the start of the continuity period.
	finestra := func(s int) (f finestraAssenze) {
		f.s, f.e = s, min(num(addMonths(data(s), r.ArcoMesi)), fine)
		f.primo, f.ultimo = -1, -1
		resto := 0
		for _, t := range brevi {
			a, b := max(t.a, s), min(t.b, f.e-1)
			if a > b {
				continue
			}
			m, g := durata(a, b)
			f.mesi, resto = f.mesi+m, resto+g
			if f.primo < 0 {
				f.primo = a
			}
			f.ultimo = b
			f.lacuna = f.lacuna || t.lacuna
			f.assenza = f.assenza || !t.lacuna || haAssenza(a, b, residente, lo)
			f.pezzi = append(f.pezzi, calendario.Data(data(a))+"–"+calendario.Data(data(b)))
		}
		f.mesi, f.giorni = f.mesi+resto/30, resto%30
		return f
	}
	for s := max(lo, num(addMonths(data(inizioC), -r.ArcoMesi))); s < fine; {
		f := finestra(s)
		if f.primo < 0 || f.ultimo < inizioC || f.mesi < r.MesiCumulati {
			s++
			continue
		}
		// Described from its first absence: that window holds at least the
		// same absences, so it reaches the same months.
		f = finestra(f.primo)
		out = append(out, Interruzione{
			Regola: AssenzeCumulate, Dal: data(f.primo), Al: data(f.ultimo), Lacuna: f.lacuna,
			Descrizione: fmt.Sprintf("%s per complessivi %s, anche non continuativi, nei %d mesi dal %s al %s (%s), pari o superiori a %s.",
				cosa(f.lacuna, f.assenza, true), mesiGiorni(f.mesi, f.giorni), r.ArcoMesi,
				calendario.Data(data(f.s)), calendario.Data(addMonths(data(f.s), r.ArcoMesi).AddDate(0, 0, -1)),
				strings.Join(f.pezzi, ", "), mesiGiorni(r.MesiCumulati, 0)),
		})
		s = f.ultimo + 1 // look for another, after the absences counted
	}
	return out
}

// finestraAssenze is the absences counted in the window [s, e) of day
// numbers: from primo to ultimo, mesi months and giorni days in all.
type finestraAssenze struct {
	s, e, primo, ultimo int
	mesi, giorni        int
	lacuna, assenza     bool
	pezzi               []string
}

// haAssenza says whether a stretch has a day of recorded absence (a day on
// which the person was resident).
func haAssenza(a, b int, residente []bool, lo int) bool {
	for d := a; d <= b; d++ {
		if residente[d-lo] {
			return true
		}
	}
	return false
}

// cosa names what a stretch or a window of absence is made of.
func cosa(lacuna, assenza, plurale bool) string {
	switch {
	case lacuna && assenza && plurale:
		return "Assenze dall'Italia e periodi senza residenza in alcun comune"
	case lacuna && assenza:
		return "Assenza dall'Italia e mancata residenza in alcun comune"
	case lacuna && plurale:
		return "Periodi senza residenza in alcun comune (lacune tra i periodi di residenza)"
	case lacuna:
		return "Mancata residenza in alcun comune (lacuna tra i periodi di residenza)"
	case plurale:
		return "Assenze dall'Italia"
	}
	return "Assenza dall'Italia"
}

// durata is the length of the days a..b (day numbers, both included) as
// whole calendar months from a plus the days left over: the largest m such
// that addMonths(a, m) is not after b + 1, then the days from there to b + 1.
func durata(a, b int) (mesi, giorniResto int) {
	inizio, dopo := data(a), data(b+1)
	for !addMonths(inizio, mesi+1).After(dopo) {
		mesi++
	}
	return mesi, giorni(addMonths(inizio, mesi), dopo)
}

func mesiGiorni(m, g int) string {
	var parti []string
	switch {
	case m == 1:
		parti = append(parti, "1 mese")
	case m > 1:
		parti = append(parti, fmt.Sprintf("%d mesi", m))
	}
	switch {
	case g == 1:
		parti = append(parti, "1 giorno")
	case g > 1 || m == 0:
		parti = append(parti, fmt.Sprintf("%d giorni", g))
	}
	return strings.Join(parti, " e ")
}

func motivazione(v Valutazione) string {
	r := v.Requisito
	req := fmt.Sprintf("requisito di residenza %s (%d anni in Italia, di cui gli ultimi %d continuativi, %s)",
		r.Codice, r.Anni, r.AnniContinui, r.Fonte)
	alData := calendario.Data(v.Al)
	coperti := fmt.Sprintf("%d giorni di residenza su %d richiesti dal %s", v.GiorniCoperti, v.GiorniRichiesti, calendario.Data(v.Inizio))
	switch {
	case len(v.Anomalie) > 0:
		return fmt.Sprintf("Verifica del %s non conclusa al %s: dati non validi. %s",
			req, alData, strings.Join(v.Anomalie, " "))
	case v.Soddisfatto:
		return fmt.Sprintf("Il %s è soddisfatto al %s: %s, residenza continuativa dal %s.",
			req, alData, coperti, calendario.Data(v.InizioContinuita))
	case len(v.Interruzioni) > 0:
		return fmt.Sprintf("Il %s non è soddisfatto al %s: la continuità della residenza dal %s è interrotta. %s",
			req, alData, calendario.Data(v.InizioContinuita), v.Interruzioni[0].Descrizione)
	case v.ServonoPeriodiPrecedenti:
		return fmt.Sprintf("Il %s non è verificabile al %s con i periodi registrati (%s, ne mancano %d): la richiesta va inoltrata al comune di precedente residenza.",
			req, alData, coperti, v.Mancano)
	case v.Mancano > 0:
		return fmt.Sprintf("Il %s non è soddisfatto al %s: %s (ne mancano %d), con iscrizione dall'estero nel periodo più antico.",
			req, alData, coperti, v.Mancano)
	}
	return fmt.Sprintf("Il %s non è soddisfatto al %s: la residenza non copre gli ultimi %d anni dal %s, con iscrizione dall'estero.",
		req, alData, r.AnniContinui, calendario.Data(v.InizioContinuita))
}

// addMonths is t plus n calendar months (n may be negative), the day clamped
// to the last day of the month reached: 31/01/2024 + 1 = 29/02/2024,
// 29/02/2024 − 12 = 28/02/2023. time.AddDate would normalise to March.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	tot := int(m) - 1 + n
	y += tot / 12
	mm := tot % 12
	if mm < 0 {
		mm += 12
		y--
	}
	last := time.Date(y, time.Month(mm+2), 0, 0, 0, 0, 0, time.UTC).Day()
	return time.Date(y, time.Month(mm+1), min(d, last), 0, 0, 0, 0, time.UTC)
}

// giorno is the civil date of a date value: its year, month and day in its
// own location, at midnight UTC.
func giorno(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// num is the day number of a civil date (days since 01/01/1970).
func num(t time.Time) int { return int(giorno(t).Unix() / 86400) }

// data is the civil date of a day number.
func data(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

// giorni is the number of days from a to b.
func giorni(a, b time.Time) int { return num(b) - num(a) }
