package scadenze

import (
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/calendario"
)

// This file holds the rules of issue 16: the registrazione delle
// presentazioni (INPS messaggio 2132 of 5 June 2024) with its place, the
// day-20 cut-off of the monthly payment, who is tenuto agli obblighi on a
// day (DL 48/2023 art. 6 c. 4-5), the outcome of the CPI convocation and
// the periods of the benefit (DL 48/2023 art. 3 c. 1).

// EventoPresentazione is what a registrazione records (INPS messaggio 2132
// of 5 June 2024: the GePI role that registers presentations has these three
// events, each of which lifts a suspension).
type EventoPresentazione string

// The three events.
const (
	AvvenutoIncontro       EventoPresentazione = "avvenuto_incontro"
	PresentazioneSpontanea EventoPresentazione = "presentazione_spontanea"
	GiustificatoMotivoReg  EventoPresentazione = "giustificato_motivo"
)

// Label is the Italian name shown to operators.
func (e EventoPresentazione) Label() string {
	switch e {
	case AvvenutoIncontro:
		return "Avvenuto incontro"
	case PresentazioneSpontanea:
		return "Presentazione spontanea"
	case GiustificatoMotivoReg:
		return "Giustificato motivo"
	}
	return string(e)
}

// Luogo where a presentation happened.
type Luogo string

// Places of a presentation.
const (
	ServiziSociali Luogo = "servizi_sociali"
	Patronato      Luogo = "patronato"
	CentroImpiego  Luogo = "cpi"
	Domicilio      Luogo = "domicilio" // a home visit by the servizi sociali
)

// Label is the Italian name shown to operators.
func (l Luogo) Label() string {
	switch l {
	case ServiziSociali:
		return "servizi sociali"
	case Patronato:
		return "patronato"
	case CentroImpiego:
		return "Centro per l'impiego"
	case Domicilio:
		return "domicilio (visita dei servizi sociali)"
	}
	return string(l)
}

// Presentazione is a registrazione: an avvenuto incontro or a presentazione
// spontanea on day Data at Luogo, or a giustificato motivo from Data to Al
// (nil while it lasts). RegistrataIl is the instant it was registered: it
// decides the month of payment it counts for (MesePagamento).
type Presentazione struct {
	Evento       EventoPresentazione
	Luogo        Luogo
	Data         time.Time
	Al           *time.Time
	RegistrataIl time.Time
}

// ValePerT120 reports whether a registrazione meets the primo incontro: an
// avvenuto incontro or a presentazione spontanea with the servizi sociali, at
// their office or at home. The first meeting is with the servizi sociali of
// the Comune (DL 48/2023 art. 4 c. 5; DM 154/2023 art. 9 c. 1), so a
// presentation at a patronato or at the CPI does not meet it.
func (p Presentazione) ValePerT120() bool {
	return p.Evento != GiustificatoMotivoReg && (p.Luogo == ServiziSociali || p.Luogo == Domicilio)
}

// ValePerT90 reports whether a registrazione meets the presentazione
// periodica: an avvenuto incontro or a presentazione spontanea at the servizi
// sociali, at home, at a patronato (DM 154/2023 art. 9: "presso i servizi
// sociali o gli istituti di patronato") or at the CPI, where the members
// attivabili al lavoro present themselves (DL 48/2023 art. 4 c. 5; our
// reading: the counter is the nucleo's, as in SIISL, so any of them resets it).
func (p Presentazione) ValePerT90() bool {
	return p.Evento != GiustificatoMotivoReg
}

// giustificati returns the giustificati motivi registered as presentazioni,
// as the nucleo's (PersonaID ""): the family as a whole is justified.
func giustificatiRegistrati(ps []Presentazione) []GiustificatoMotivo {
	var out []GiustificatoMotivo
	for _, p := range ps {
		if p.Evento == GiustificatoMotivoReg {
			out = append(out, GiustificatoMotivo{Dal: p.Data, Al: p.Al})
		}
	}
	return out
}

// # Day-20 cut-off

// GiornoTaglio is the last day of the month on which a registrazione counts
// for that month's payment; later ones are paid as arrears with the next
// month's (INPS messaggio 2132 of 5 June 2024).
const GiornoTaglio = 20

// MesePagamento is the first day of the month whose payment a registrazione
// made at the instant registrata counts for, and whether the month of the
// registration itself is then paid as arrears: by the 20th (Rome time) it is
// that month's, afterwards the next month's, the month of the registration
// being paid as arrears.
//
// A 20th falling on a Sunday or a holiday is not moved: GePI and SIISL take
// registrations every day and INPS reads them on its own schedule, and a later
// cut-off would promise a payment the nucleo may not get (the same
// conservative choice as for the due dates, see the package doc). Taglio says
// which working day comes before it, since offices and patronati are closed.
func MesePagamento(registrata time.Time) (mese time.Time, arretrati bool) {
	d := giornoRoma(registrata)
	mese = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	if d.Day() <= GiornoTaglio {
		return mese, false
	}
	return mese.AddDate(0, 1, 0), true
}

// Taglio is the cut-off that applies on a day.
type Taglio struct {
	// Mese is the first day of the month whose payment a registration made
	// today counts for; Entro its 20th.
	Mese, Entro time.Time
	// UltimoLavorativo is the last working day on or before Entro (Entro
	// itself unless it is a Saturday, a Sunday or a holiday).
	UltimoLavorativo time.Time
	// Arretrati: today is after this month's 20th, so this month is paid as
	// arrears.
	Arretrati bool
	Messaggio string
}

var mesi = [...]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
	"agosto", "settembre", "ottobre", "novembre", "dicembre"}

// NomeMese is the Italian name of t's month.
func NomeMese(t time.Time) string { return mesi[t.Month()-1] }

// TaglioAl is the cut-off of the day of the instant now, e.g. "registra
// entro il 20/12 per il pagamento di dicembre", and after the 20th "la
// mensilità di dicembre sarà pagata come arretrato".
func TaglioAl(now time.Time) Taglio {
	oggi := giornoRoma(now)
	questo := time.Date(oggi.Year(), oggi.Month(), 1, 0, 0, 0, 0, time.UTC)
	t := Taglio{Mese: questo}
	if oggi.Day() > GiornoTaglio {
		t.Arretrati = true
		t.Mese = questo.AddDate(0, 1, 0)
	}
	t.Entro = t.Mese.AddDate(0, 0, GiornoTaglio-1)
	t.UltimoLavorativo = t.Entro
	for calendario.NonLavorativo(t.UltimoLavorativo) != "" {
		t.UltimoLavorativo = dopo(t.UltimoLavorativo, -1)
	}
	entro := fmt.Sprintf("registra entro il %s per il pagamento di %s", t.Entro.Format("02/01"), NomeMese(t.Mese))
	if !t.UltimoLavorativo.Equal(t.Entro) {
		entro += fmt.Sprintf(" (il %s è %s: l'ultimo giorno lavorativo è %s %s)", t.Entro.Format("02/01"),
			calendario.NonLavorativo(t.Entro), calendario.NomeGiorno(t.UltimoLavorativo), t.UltimoLavorativo.Format("02/01"))
	}
	if t.Arretrati {
		t.Messaggio = fmt.Sprintf("Passato il %d/%s: la mensilità di %s sarà pagata come arretrato; %s",
			GiornoTaglio, questo.Format("01"), NomeMese(questo), entro)
	} else {
		t.Messaggio = "Per non perdere la mensilità: " + entro
	}
	return t
}

// # Obbligati

// MotivoObbligo is a reason of exclusion or exemption from the obblighi of a
// member, from Dal to Al included (Al nil: still valid), as the analisi
// preliminare records it (the reference table analisi_motivo: DL 48/2023 art.
// 6 c. 4-5, DM 154/2023 art. 9). EsoneroT90: it also exempts from the
// presentazione periodica (age, disabilità, violenza di genere).
type MotivoObbligo struct {
	Codice     string
	EsoneroT90 bool
	Dal        time.Time
	Al         *time.Time
}

// TenutoAgliObblighi reports whether member m is bound to the obblighi on day
// d and, when not, why (DL 48/2023 art. 6 c. 4-5): a minor or a member of 60
// or more is not; nor one with a reason of exclusion or exemption in force on
// d; nor one whose percorso carries only a facoltà (3; 2 without reasons
// recorded, see below); nor one with the undated flags of disabilità or
// violenza di genere. A member with no percorso
// and no reason recorded is bound: the analisi preliminare decides, and until
// then the stricter reading applies.
func TenutoAgliObblighi(m Membro, d time.Time) (bool, string) {
	d = giorno(d)
	if !m.DataNascita.IsZero() {
		if d.Before(giorno(m.DataNascita).AddDate(18, 0, 0)) {
			return false, "minorenne"
		}
		if !d.Before(compie60(m)) {
			return false, "eta_60"
		}
	}
	for _, mo := range m.Motivi {
		if entro(d, mo.Dal, mo.Al) {
			return false, mo.Codice
		}
	}
	// Percorso 2 is for members excluded or exempted: with its reasons
	// recorded, their dates rule, and once every reason has lapsed the member
	// is bound again (a child turning 3; domain.md §3.5) until the analisi is
	// revised. Without reasons, and for percorso 3, the percorso rules.
	if m.Percorso == "3" || m.Percorso == "2" && len(m.Motivi) == 0 {
		return false, "percorso_" + m.Percorso
	}
	if m.Disabilita {
		return false, "disabilita"
	}
	if m.VittimaViolenza {
		return false, "violenza"
	}
	return true, ""
}

// ricalcola is the first day after oggi on which a dated reason of a member
// starts or lapses (Scadenze.Ricalcola).
func ricalcola(membri []Membro, oggi time.Time) *time.Time {
	var r *time.Time
	prima := func(d time.Time) {
		if d.After(oggi) && (r == nil || d.Before(*r)) {
			r = ptr(d)
		}
	}
	for _, m := range membri {
		for _, mo := range m.Motivi {
			prima(giorno(mo.Dal))
			if mo.Al != nil {
				prima(dopo(giorno(*mo.Al), 1))
			}
		}
	}
	return r
}

// tenutoIl reports whether the member with id is bound on day d; a member
// not listed (or a nucleo whose members are not known) is.
func tenutoIl(membri []Membro, id string, d time.Time) bool {
	for _, m := range membri {
		if m.PersonaID == id {
			ok, _ := TenutoAgliObblighi(m, d)
			return ok
		}
	}
	return true
}

// # CPI

// EsitoCPI is the outcome of a member's convocation at the CPI.
type EsitoCPI string

// Outcomes of the CPI convocation.
const (
	CPIPresente            EsitoCPI = "presente"
	CPIAssenteGiustificato EsitoCPI = "assente_giustificato"
	CPIAssente             EsitoCPI = "assente" // without giustificato motivo
)

// Label is the Italian name shown to operators.
func (e EsitoCPI) Label() string {
	switch e {
	case CPIPresente:
		return "Presente"
	case CPIAssenteGiustificato:
		return "Assente con giustificato motivo"
	case CPIAssente:
		return "Assente senza giustificato motivo"
	}
	return string(e)
}

// # Periods of the benefit

// Lengths of the periods of the benefit, in months (DL 48/2023 art. 3 c. 1:
// 18 months, renewable after a one-month suspension for 12 months each).
const (
	MesiPrimoPeriodo = 18
	MesiRinnovo      = 12
	MesiSospensione  = 1
)

// Rinnovo of the benefit: a new domanda with a new PAD signed on DataPAD.
// PrimoMese is the first month paid, when known; otherwise it is the month
// after the PAD (domain.md §2.1 step 2), and never before the end of the
// one-month suspension.
type Rinnovo struct {
	DataPAD   time.Time
	PrimoMese *time.Time
}

// Beneficio is what the case knows of the periods: the first month paid and
// the renewals in order.
type Beneficio struct {
	PrimoMese *time.Time
	Rinnovi   []Rinnovo
}

// PeriodoBeneficio is one period: from the first day of its first month Dal
// to the last day of its last month Al.
type PeriodoBeneficio struct {
	Numero  int // 1 the first, 2 the first renewal, ...
	Dal, Al time.Time
	Mesi    int
	DataPAD *time.Time // the renewal's PAD; nil for the first period
}

// Label is e.g. "primo periodo (18 mesi)" or "rinnovo n. 1 (12 mesi)".
func (p PeriodoBeneficio) Label() string {
	if p.Numero == 1 {
		return fmt.Sprintf("primo periodo (%d mesi)", p.Mesi)
	}
	return fmt.Sprintf("rinnovo n. %d (%d mesi)", p.Numero-1, p.Mesi)
}

func primoDelMese(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Periodi lists the periods of b: the first of MesiPrimoPeriodo months from
// the first month paid; each renewal of MesiRinnovo months from its first
// month (see Rinnovo), at least MesiSospensione months after the end of the
// previous one. Without a first month paid there are none.
func Periodi(b Beneficio) []PeriodoBeneficio {
	if b.PrimoMese == nil {
		return nil
	}
	dal := primoDelMese(giorno(*b.PrimoMese))
	out := []PeriodoBeneficio{{Numero: 1, Dal: dal, Mesi: MesiPrimoPeriodo,
		Al: dal.AddDate(0, MesiPrimoPeriodo, -1)}}
	for i, r := range b.Rinnovi {
		prec := out[len(out)-1]
		minimo := primoDelMeseDopo(prec.Al).AddDate(0, MesiSospensione, 0)
		dal := primoDelMeseDopo(giorno(r.DataPAD))
		if r.PrimoMese != nil {
			dal = primoDelMese(giorno(*r.PrimoMese))
		}
		if dal.Before(minimo) {
			dal = minimo
		}
		out = append(out, PeriodoBeneficio{Numero: i + 2, Dal: dal, Mesi: MesiRinnovo,
			Al: dal.AddDate(0, MesiRinnovo, -1), DataPAD: ptr(giorno(r.DataPAD))})
	}
	return out
}

// StatoBeneficio is where the nucleo stands in its periods on a day.
type StatoBeneficio struct {
	Periodo *PeriodoBeneficio // the period in force; nil between periods or without any
	// MesiRimanenti counts the months of the period still to be paid, the
	// current one included.
	MesiRimanenti int
	// Prossima is the next milestone and its date.
	Prossima     string
	ProssimaData *time.Time
	Messaggio    string
}

// StatoBeneficioAl computes where the nucleo stands on the day of now.
func StatoBeneficioAl(b Beneficio, now time.Time) StatoBeneficio {
	oggi := giornoRoma(now)
	ps := Periodi(b)
	if len(ps) == 0 {
		return StatoBeneficio{Messaggio: "Periodi del beneficio: primo mese pagato non registrato"}
	}
	var s StatoBeneficio
	for i := range ps {
		p := ps[i]
		if entro(oggi, p.Dal, &p.Al) {
			s.Periodo = &ps[i]
			s.MesiRimanenti = (p.Al.Year()-oggi.Year())*12 + int(p.Al.Month()-oggi.Month()) + 1
			stop := primoDelMeseDopo(p.Al)
			s.Prossima = fmt.Sprintf("fine del periodo il %s, sospensione di un mese (%s %d), poi rinnovo con nuova domanda e nuovo PAD",
				calendario.Data(p.Al), NomeMese(stop), stop.Year())
			s.ProssimaData = ptr(p.Al)
			if i+1 < len(ps) {
				s.Prossima = fmt.Sprintf("fine del periodo il %s; rinnovo n. %d dal %s", calendario.Data(p.Al), i+1, calendario.Data(ps[i+1].Dal))
			}
			s.Messaggio = fmt.Sprintf("Beneficio: %s dal %s al %s, %s. Prossima scadenza: %s", p.Label(),
				calendario.Data(p.Dal), calendario.Data(p.Al), mesiRimanenti(s.MesiRimanenti), s.Prossima)
			return s
		}
	}
	if oggi.Before(ps[0].Dal) {
		s.ProssimaData = ptr(ps[0].Dal)
		s.Prossima = "primo mese pagato il " + calendario.Data(ps[0].Dal)
		s.Messaggio = "Beneficio: il primo periodo inizia il " + calendario.Data(ps[0].Dal)
		return s
	}
	// Between periods or after the last.
	var ultimo PeriodoBeneficio
	for _, p := range ps {
		if p.Al.Before(oggi) {
			ultimo = p
		}
	}
	for _, p := range ps {
		if p.Dal.After(oggi) {
			s.ProssimaData = ptr(p.Dal)
			s.Prossima = fmt.Sprintf("rinnovo n. %d dal %s", p.Numero-1, calendario.Data(p.Dal))
			s.Messaggio = fmt.Sprintf("Beneficio sospeso dopo il %s (%s concluso): %s", calendario.Data(ultimo.Al),
				ultimo.Label(), s.Prossima)
			return s
		}
	}
	s.Prossima = "rinnovo: nuova domanda e nuovo PAD, poi primo incontro entro 120 giorni dal nuovo PAD"
	s.Messaggio = fmt.Sprintf("Beneficio: %s concluso il %s, nessun rinnovo registrato; %s", ultimo.Label(),
		calendario.Data(ultimo.Al), s.Prossima)
	return s
}

func mesiRimanenti(n int) string {
	if n == 1 {
		return "ultimo mese"
	}
	return fmt.Sprintf("%d mesi rimanenti compreso il corrente", n)
}

// padInVigore is the PAD of the period in force at oggi: the latest renewal
// signed on or before oggi, if any.
func padInVigore(b Beneficio, oggi time.Time) *time.Time {
	var pad *time.Time
	for _, r := range b.Rinnovi {
		if d := giorno(r.DataPAD); !d.After(oggi) && (pad == nil || d.After(*pad)) {
			pad = ptr(d)
		}
	}
	return pad
}
