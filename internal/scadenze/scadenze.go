// Package scadenze computes the legal deadlines (scadenze) of an Assegno di
// inclusione case from what is recorded about it: the T120 for the primo
// incontro with the servizi sociali, the T90 for the presentazione periodica,
// and the 60 days within which the Centro per l'impiego must convene a member
// sent to it (domain.md §2.2). It is pure: no database, no clock, no I/O. The
// casi module feeds it a Situazione and stores what Calcola returns in the
// case's derived columns (t120_*, t90_*, urgenza).
//
// # Dates
//
// Every term is counted in calendar days on civil dates of Europe/Rome, held
// as time.Time at midnight UTC (the form pgx gives a DATE). Instants, that is
// Situazione.Oggi and Convocazione.Inizio, are turned into their Rome date;
// date fields are read as the year, month and day they carry. Midnight UTC
// has no daylight saving time, so the changes of the last Sunday of March and
// October cannot move a deadline by a day.
//
// A term of n days from a date d ends on d + n: the day of the start is not
// counted and the last day is (dies a quo non computatur). A PAD signed on 1
// March 2024 gives a primo incontro due by 29 June 2024, and a meeting on
// that day is in time. A due date falling on a Sunday or a holiday is not
// moved to the next working day as procedural terms are (c.p.c. art. 155):
// that is a conservative choice, not a confirmed rule, since INPS checks the
// expiry automatically.
//
// # T120: primo incontro
//
// Start: the signature of the PAD del nucleo (DL 48/2023 art. 4 c. 4-5). For
// domande submitted on or before 29 February 2024 the count starts from the
// transmission of the nucleo to the Comune through GePI instead (Nota MLPS
// 6062 of 28 March 2024); see InizioT120. Its recommended convocation date is
// start + 60 days (Linee guida PaIS 2024, DM 72 of 2 May 2024).
//
// The term is met by the first incontro registered on or after the start with
// at least one member present, or by a registered "presentazione" (the nucleo
// must show up even if not convened). A meeting after the term is "tardivo":
// INPS lifts the suspension, with arrears, once it is registered (INPS
// messaggio 2132 of 5 June 2024).
//
// When the term runs out without a meeting, INPS suspends the benefit of the
// whole nucleo from the month after the expiry (messaggio 2132), and
// Timer.SospensioneDal is that month's first day. The Rischio then depends on
// the convocazioni (Nota MLPS 12607 of 16 July 2024):
//
//   - an absence without giustificato motivo at a convocazione is a cause of
//     decadenza (DL 48/2023 art. 8 c. 6 lett. a): Rischio is Decadenza. The
//     event is the absence itself, so it is reported as soon as it is recorded,
//     while the term still runs and even after a later meeting: reconvening
//     does not erase it, and the case manager decides whether to send the
//     segnalazione (domain.md §8.3) or to record the giustificato motivo;
//   - otherwise Rischio is Sospensione: no convocazione was sent in the term;
//     or it was sent for a day after the expiry (the nucleo could not have
//     been absent yet); or the nucleo was absent with a giustificato motivo; or
//     the outcome of a convocazione has not been registered. The message says
//     which.
//
// An absence is a registered incontro on the day of a convocazione that
// reached the nucleo (not annullata, not non consegnata) with presences
// recorded and none present. It is justified when an absent member's presence
// is marked giustificato, or a GiustificatoMotivo of any member covers the day:
// the first meeting is the nucleo's, and one member's justified reason (an
// illness, caring for a child in hospital) is why the family did not come. An
// incontro with no presence recorded is not an absence: its outcome is
// missing. A giustificato motivo does not extend the T120, whose length is
// fixed by law; it only decides whether an absence is a cause of decadenza.
//
// # T90: presentazione periodica
//
// Members must present themselves to the servizi sociali or a patronato every
// 90 days, counted from the last registered incontro with a member present
// (DM 154/2023 art. 9; domain.md §7: registration resets the count and lifts
// any suspension). The count is the nucleo's, as in GePI: any member present
// resets it. It does not start before the first meeting (NonApplicabile,
// unless the nucleo is Esente anyway).
//
// Not bound to it, at the date of Oggi: members of 60 or more, members with
// disabilità, victims of violenza di genere, and members sent to the Centro
// per l'impiego, who follow the CPI. When no member is bound the timer is
// Esente and Scadenze.Esenzioni says why; a nucleo whose members are not
// listed is treated as bound. A member who turns 60 during the term is bound
// until the day before the birthday; when every bound member turns 60 by the
// due date the message says from when the nucleo is no longer bound.
//
// A giustificato motivo recorded for a bound member suspends the term for its
// period (DM 154/2023 art. 9; domain.md §2.2). "Sospensione dei termini" has
// its ordinary meaning in Italian law (c.c. artt. 2941-2942, against the
// interruzione of artt. 2943-2945, which would restart the count): the days
// of the period that fall inside the running term are not counted, so the due
// date moves later by that many days; overlapping periods count once; a
// period that starts after the expiry does not revive the term. While a motivo
// covers Oggi the timer is Sospeso. A motivo without an end date is counted up
// to Oggi, so Scadenza is the earliest day the term can end and moves on each
// day the motivo stays open. One bound member's motivo suspends the nucleo's
// term: the nucleo answers as a whole for the presentation (domain.md §2.2,
// note), and the case manager records a motivo precisely to stop the clock.
// An overdue T90 risks suspension of the benefit until a meeting is registered.
//
// # Registrazioni, cut-off, obbligati, periods (adi.go)
//
// A registrazione (Presentazione: avvenuto incontro, presentazione spontanea
// or giustificato motivo, with its place) resets the counters as an incontro
// does, except that only one with the servizi sociali meets the T120: one at
// a patronato or at the CPI meets the T90 only. A registered giustificato
// motivo is the nucleo's and suspends the T90 for its period. The T90 running
// out suspends the benefit from the month after the expiry, as the T120 does.
// A registrazione by the 20th counts for that month's payment, later ones are
// paid as arrears (TaglioAl, MesePagamento; a Sunday 20th is not moved).
// An absence is a cause of decadenza only when an absent member is tenuto
// agli obblighi that day (TenutoAgliObblighi), and a dated exemption from the
// T90 holds only within its dates. The benefit runs in periods (Periodi): a
// renewal's PAD starts a new T120.
//
// # Convocazione del CPI
//
// The CPI must convene a member within 60 days of the avvio by the Comune
// (Linee guida Reti, DM 93 of 11 June 2024). It is a duty of the CPI and
// carries no sanction for the nucleo, so it is reported per member but does not
// move the case in the lists (Urgenza). The member's absence without
// giustificato motivo at that convocation, when tenuto agli obblighi that day,
// is a cause of decadenza (DL 48/2023 art. 8 c. 6 lett. a, "servizi per il
// lavoro") and raises the case's Rischio.
package scadenze

import (
	"time"
)

// Lengths of the terms, in calendar days, and the related thresholds.
const (
	GiorniT120 = 120 // primo incontro, DL 48/2023 art. 4 c. 4
	GiorniT90  = 90  // presentazione periodica, DM 154/2023 art. 9
	GiorniCPI  = 60  // convocazione da parte del CPI, Linee guida Reti 2024

	// GiorniConvocazioneConsigliata after the start of the T120 the nucleo
	// should have been convened, so that the PaIS can be signed in time
	// (Linee guida PaIS 2024).
	GiorniConvocazioneConsigliata = 60

	// SogliaInScadenza is how many days before the due date a pending timer
	// turns InScadenza (the due date itself included).
	SogliaInScadenza = 15

	// EtaEsenzione is the age from which a member is no longer bound to the
	// presentazione periodica.
	EtaEsenzione = 60
)

// fineTransitorio is the last day of submission of the domande whose T120
// starts from the GePI transmission (Nota MLPS 6062 of 28 March 2024).
var fineTransitorio = time.Date(2024, time.February, 29, 0, 0, 0, 0, time.UTC)

// Stato of a timer. The values are stored in caso.t120_stato / t90_stato.
type Stato string

// States of a timer.
const (
	InCorso        Stato = "in_corso"        // running, more than SogliaInScadenza days left
	InScadenza     Stato = "in_scadenza"     // running, at most SogliaInScadenza days left
	Scaduto        Stato = "scaduto"         // expired and not met
	Sospeso        Stato = "sospeso"         // T90 only: a giustificato motivo covers Oggi
	Rispettato     Stato = "rispettato"      // met by its due date
	Tardivo        Stato = "tardivo"         // met after its due date
	Esente         Stato = "esente"          // T90 only: no member is bound to it
	NonApplicabile Stato = "non_applicabile" // not started (no PAD, no first meeting)
)

// Label is the Italian name shown to operators.
func (s Stato) Label() string {
	switch s {
	case InCorso:
		return "In corso"
	case InScadenza:
		return "In scadenza"
	case Scaduto:
		return "Scaduto"
	case Sospeso:
		return "Termine sospeso"
	case Rispettato:
		return "Rispettato"
	case Tardivo:
		return "Oltre il termine"
	case Esente:
		return "Esente"
	case NonApplicabile:
		return "Non applicabile"
	}
	return string(s)
}

// Pendente reports whether the timer still waits for something, so that its
// due date counts for Urgenza.
func (s Stato) Pendente() bool {
	switch s {
	case InCorso, InScadenza, Scaduto, Sospeso:
		return true
	}
	return false
}

// Rischio is the consequence for the benefit that a timer exposes the nucleo to.
type Rischio string

// Risks, from the least to the most serious.
const (
	Nessuno     Rischio = ""
	Sospensione Rischio = "sospensione" // benefit suspended until a meeting is registered
	Decadenza   Rischio = "decadenza"   // DL 48/2023 art. 8 c. 6 lett. a
)

// Label is the Italian name shown to operators.
func (r Rischio) Label() string {
	switch r {
	case Nessuno:
		return ""
	case Sospensione:
		return "Rischio di sospensione"
	case Decadenza:
		return "Rischio di decadenza"
	}
	return string(r)
}

func (r Rischio) gravita() int {
	switch r {
	case Sospensione:
		return 1
	case Decadenza:
		return 2
	}
	return 0
}

// Situazione is what is recorded about a case that the deadlines depend on.
// Dates are civil dates (see the package doc); optional ones are nil when not
// known. IDs are the caller's, compared as strings.
type Situazione struct {
	Oggi             time.Time  // the instant of the computation, e.g. time.Now()
	DataDomanda      *time.Time // submission of the domanda to INPS
	DataPAD          *time.Time // signature of the PAD del nucleo
	DataTrasmissione *time.Time // transmission of the nucleo to the Comune through GePI
	Convocazioni     []Convocazione
	Incontri         []Incontro
	Membri           []Membro // the current members of the nucleo
	Giustificati     []GiustificatoMotivo
	// Presentazioni registered (avvenuto incontro, presentazione spontanea,
	// giustificato motivo) with their place; see Presentazione.
	Presentazioni []Presentazione
	// Beneficio: the periods of the benefit; a renewal's PAD starts a new T120.
	Beneficio Beneficio
}

// Convocazione of the nucleo to a meeting.
type Convocazione struct {
	Inizio        time.Time // the instant of the meeting (timestamptz)
	InviataIl     time.Time // the day it was sent; zero when unknown
	Annullata     bool
	NonConsegnata bool // it did not reach the nucleo (esito_consegna 'non_consegnata')
}

// TipoPresentazione is the Incontro.Tipo of a presentation registered without
// a convocation (at the servizi sociali or a patronato): it counts as held
// whatever its presences.
const TipoPresentazione = "presentazione"

// Incontro registered for the case, held or missed.
type Incontro struct {
	Data     time.Time
	Tipo     string // e.g. "primo_incontro", "aggiornamento_90", TipoPresentazione
	Presenze []Presenza
}

// Presenza of a member at an incontro.
type Presenza struct {
	PersonaID    string
	Presente     bool
	Giustificato bool // absent with a giustificato motivo
}

// Membro of the nucleo, with what decides whether the T90 binds them.
type Membro struct {
	PersonaID       string
	DataNascita     time.Time // zero when unknown: no exemption by age
	Disabilita      bool      // ISEE definition (DPCM 159/2013 all. 3)
	VittimaViolenza bool      // victim of violenza di genere
	InviatoCPI      *time.Time
	ConvocatoCPI    *time.Time // day the CPI convened the member, if recorded
	EsitoCPI        EsitoCPI   // outcome of that convocation; "" when not recorded

	// Percorso of the analisi preliminare ("1".."4", "" not decided) and the
	// reasons of exclusion or exemption with their dates: who is tenuto agli
	// obblighi on a day (TenutoAgliObblighi).
	Percorso string
	Motivi   []MotivoObbligo
}

// GiustificatoMotivo recorded by the case manager for a member, from Dal to
// Al included; Al is nil while it lasts.
type GiustificatoMotivo struct {
	PersonaID string
	Dal       time.Time
	Al        *time.Time
}

// Timer is the state of one deadline.
type Timer struct {
	Inizio   *time.Time // the day the term counts from
	Scadenza *time.Time // the due date; nil when there is none

	// GiorniRimanenti is Scadenza - Oggi while the timer is pending (negative
	// when overdue), 0 otherwise.
	GiorniRimanenti int
	Stato           Stato
	Rischio         Rischio

	// SospensioneDal is the first day of the month from which INPS suspends
	// the benefit (T120 expired without a meeting); nil otherwise.
	SospensioneDal *time.Time

	// Messaggio says it all in Italian, for the operator.
	Messaggio string
}

// TimerCPI is the CPI convocation deadline of one member.
type TimerCPI struct {
	PersonaID string
	Timer
}

// MotivoEsenzione is why a member is not bound to the presentazione periodica.
type MotivoEsenzione string

// Reasons of exemption from the T90 (DM 154/2023 art. 9).
const (
	PerEta        MotivoEsenzione = "eta"        // EtaEsenzione years or more
	PerDisabilita MotivoEsenzione = "disabilita" // disabilità
	PerViolenza   MotivoEsenzione = "violenza"   // vittima di violenza di genere
	PerCPI        MotivoEsenzione = "cpi"        // sent to the CPI, follows its path
)

// Label is the Italian description shown to operators.
func (m MotivoEsenzione) Label() string {
	switch m {
	case PerEta:
		return "almeno 60 anni"
	case PerDisabilita:
		return "disabilità"
	case PerViolenza:
		return "vittima di violenza di genere"
	case PerCPI:
		return "seguito dal Centro per l'impiego"
	}
	return string(m)
}

// Esenzione of a member from the T90, with every reason that applies.
type Esenzione struct {
	PersonaID string
	Motivi    []MotivoEsenzione
}

// Scadenze are all the deadlines of a case at a date.
type Scadenze struct {
	T120 Timer
	// ConvocareEntro is the recommended convocation date (start of the T120
	// + GiorniConvocazioneConsigliata); nil without a start.
	ConvocareEntro *time.Time

	T90       Timer
	Esenzioni []Esenzione // members not bound to the T90, in input order
	CPI       []TimerCPI  // one per member sent to the CPI, in input order

	// Urgenza is the earliest due date among the pending T120 and T90, nil
	// when none is pending: lists sort on it, so overdue cases come first.
	Urgenza *time.Time
	// Rischio is the most serious risk of the T120, the T90 and the CPI
	// convocations.
	Rischio Rischio

	// Taglio is the day-20 cut-off of the monthly payment, set when a
	// pending T120 or T90 is in scadenza or overdue (the nucleo is suspended
	// or about to be): nil otherwise.
	Taglio *Taglio
	// Beneficio is where the nucleo stands in the periods of the benefit.
	Beneficio StatoBeneficio

	// Ricalcola is the first day after Oggi on which a member's dated reason
	// of exclusion or exemption starts or lapses, so that who is bound may
	// change with the passing of days alone; nil when none.
	Ricalcola *time.Time
}

// InizioT120 is the day the T120 counts from: the PAD signature or, for
// domande submitted on or before 29 February 2024, the transmission of the
// nucleo through GePI (Nota MLPS 6062 of 28 March 2024). Without the date of
// the domanda the ordinary rule applies; for a transitional domanda without a
// transmission date the PAD is used, which can only give an earlier, stricter
// due date. ok is false when the date the rule needs is missing.
func InizioT120(dataDomanda, dataPAD, dataTrasmissione *time.Time) (inizio time.Time, ok bool) {
	if dataDomanda != nil && !giorno(*dataDomanda).After(fineTransitorio) && dataTrasmissione != nil {
		return giorno(*dataTrasmissione), true
	}
	if dataPAD == nil {
		return time.Time{}, false
	}
	return giorno(*dataPAD), true
}

// Calcola computes every deadline of the case described by s at s.Oggi.
func Calcola(s Situazione) Scadenze {
	oggi := giornoRoma(s.Oggi)
	var r Scadenze

	inizio, ok := InizioT120(s.DataDomanda, s.DataPAD, s.DataTrasmissione)
	if pad := padInVigore(s.Beneficio, oggi); pad != nil {
		// A renewal: a new PAD and a new 120-day term (domain.md §2.1 step 10).
		inizio, ok = *pad, true
	}
	s.Giustificati = append(append([]GiustificatoMotivo(nil), s.Giustificati...), giustificatiRegistrati(s.Presentazioni)...)
	if ok {
		r.ConvocareEntro = ptr(dopo(inizio, GiorniConvocazioneConsigliata))
		r.T120 = t120(s, oggi, inizio)
	} else {
		r.T120 = Timer{Stato: NonApplicabile,
			Messaggio: "Primo incontro: manca la data di sottoscrizione del PAD"}
	}

	var tenuti []Membro
	r.Esenzioni, tenuti = esenzioni(s.Membri, oggi)
	r.T90 = t90(s, oggi, r.Esenzioni, tenuti)
	r.CPI = cpi(s.Membri, oggi)

	for _, t := range []Timer{r.T120, r.T90} {
		if t.Stato.Pendente() && t.Scadenza != nil && (r.Urgenza == nil || t.Scadenza.Before(*r.Urgenza)) {
			r.Urgenza = ptr(*t.Scadenza)
		}
		if t.Rischio.gravita() > r.Rischio.gravita() {
			r.Rischio = t.Rischio
		}
		if t.Stato == InScadenza || t.Stato == Scaduto {
			r.Taglio = ptr(TaglioAl(s.Oggi))
		}
	}
	for _, t := range r.CPI {
		if t.Rischio.gravita() > r.Rischio.gravita() {
			r.Rischio = t.Rischio
		}
	}
	r.Beneficio = StatoBeneficioAl(s.Beneficio, s.Oggi)
	r.Ricalcola = ricalcola(s.Membri, oggi)
	return r
}

// pendente fills the fields of a running timer from its due date.
func pendente(t *Timer, oggi, scadenza time.Time) {
	t.Scadenza = ptr(scadenza)
	t.GiorniRimanenti = giorniTra(oggi, scadenza)
	switch {
	case t.GiorniRimanenti < 0:
		t.Stato = Scaduto
	case t.GiorniRimanenti <= SogliaInScadenza:
		t.Stato = InScadenza
	default:
		t.Stato = InCorso
	}
}

// svolto reports whether an incontro was held: a presentation, or a meeting
// with a member present.
func svolto(in Incontro) bool {
	if in.Tipo == TipoPresentazione {
		return true
	}
	for _, p := range in.Presenze {
		if p.Presente {
			return true
		}
	}
	return false
}
