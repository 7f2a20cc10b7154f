// Package incontri is the case manager's convocazioni of the nucleo, the
// incontri held with the presence of each member, the giustificati motivi
// that suspend the terms (domain.md §2.2, §7, §13.4), and the agenda:
// each operator's appointments in a week view, the office availability of
// the comuni (DI 8 Aug 2023 art. 6, "disponibilità degli uffici") and a
// private iCalendar feed.
//
// Everything here is case content: it is reached only through casi.Access
// (reads, recorded in the registro) and casi.Lock (writes, recorded in the
// same transaction), so only the case manager assigned to the case sees it.
// After every write casi.Aggiorna recomputes the case's deadlines (the rules
// are internal/scadenze's).
package incontri

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors.
var (
	ErrNotFound = fmt.Errorf("incontri: %w", httpx.ErrNotFound)
	// ErrConflict: the convocazione was changed by someone else since the
	// form was shown (optimistic locking on convocazione.versione).
	ErrConflict = fmt.Errorf("incontri: convocazione changed by someone else: %w", httpx.ErrConflict)
	// ErrChiuso: the case is closed, its meetings are read-only.
	ErrChiuso = fmt.Errorf("incontri: il caso è chiuso: %w", httpx.ErrReadOnly)
)

// Scelta is a value of an enumerated column with its Italian label.
type Scelta struct{ Value, Label string }

func label(list []Scelta, v string) string {
	for _, s := range list {
		if s.Value == v {
			return s.Label
		}
	}
	return v
}

// Canali of a convocazione (domain.md §13.4: SMS, e-mail, notifica SIISL,
// telefono, lettera; di persona at the service's desk).
var Canali = []Scelta{
	{"sms", "SMS"}, {"email", "E-mail"}, {"notifica_siisl", "Notifica SIISL"},
	{"telefono", "Telefono"}, {"lettera", "Lettera"}, {"di_persona", "Di persona"},
}

// TipiConvocazione are the meetings a nucleo is convened to.
var TipiConvocazione = []Scelta{
	{"primo_incontro", "Primo incontro"}, {"aggiornamento_90", "Aggiornamento 90 giorni"},
	{"monitoraggio", "Monitoraggio"}, {"equipe", "Équipe multidisciplinare"}, {"verifica", "Verifica"},
}

// TipiIncontro are the meetings registered; "presentazione" is the nucleo
// turning up at the service (or a Patronato) without a convocazione.
var TipiIncontro = append(append([]Scelta(nil), TipiConvocazione...), Scelta{"presentazione", "Presentazione spontanea"})

// EsitiConsegna of a convocazione.
var EsitiConsegna = []Scelta{{"inviata", "Inviata"}, {"consegnata", "Consegnata"}, {"non_consegnata", "Non consegnata"}}

// Presenze a member may have at an incontro.
var Presenze = []Scelta{
	{"presente", "Presente"}, {"assente", "Assente"}, {"giustificato", "Assente con giustificato motivo"},
}

// Giorni of the week, 1 = lunedì as in disponibilita_ufficio.giorno.
var Giorni = []Scelta{
	{"1", "Lunedì"}, {"2", "Martedì"}, {"3", "Mercoledì"}, {"4", "Giovedì"},
	{"5", "Venerdì"}, {"6", "Sabato"}, {"7", "Domenica"},
}

// CanaleLabel, TipoLabel, EsitoLabel name a value in Italian.
func CanaleLabel(v string) string { return label(Canali, v) }

// TipoLabel is the Italian name of a meeting type.
func TipoLabel(v string) string { return label(TipiIncontro, v) }

// EsitoLabel is the Italian name of a delivery outcome.
func EsitoLabel(v string) string { return label(EsitiConsegna, v) }

// GiornoLabel is the Italian name of a weekday (1 = lunedì).
func GiornoLabel(g int) string {
	if g < 1 || g > 7 {
		return ""
	}
	return Giorni[g-1].Label
}

// Convocazione of the nucleo to a meeting.
type Convocazione struct {
	ID            uuid.UUID
	CasoID        uuid.UUID
	OperatoreID   *uuid.UUID
	Operatore     string // "Nome Cognome" of who meets the nucleo
	Tipo          string
	Inizio        time.Time
	DurataMinuti  int
	Luogo         string
	Canale        string
	InviataIl     time.Time
	EsitoConsegna string
	Annullata     bool
	Note          string
	Versione      int
}

// Fine is when the meeting is expected to end.
func (c Convocazione) Fine() time.Time {
	return c.Inizio.Add(time.Duration(c.DurataMinuti) * time.Minute)
}

// Componente is a current member of the case's nucleo.
type Componente struct {
	PersonaID uuid.UUID
	Nome      string // "Cognome Nome"
	Relazione string
}

// Presenza of one member at an incontro.
type Presenza struct {
	PersonaID    uuid.UUID
	Nome         string
	Presente     bool
	Giustificato bool
	Motivo       string
}

// Stato is presente, assente or giustificato.
func (p Presenza) Stato() string {
	switch {
	case p.Presente:
		return "presente"
	case p.Giustificato:
		return "giustificato"
	}
	return "assente"
}

// Incontro held (or missed) with the nucleo.
type Incontro struct {
	ID             uuid.UUID
	ConvocazioneID *uuid.UUID
	Tipo           string
	Data           time.Time
	Luogo          string
	Note           string
	RegistratoDa   string
	RegistratoIl   time.Time
	Presenze       []Presenza
}

// Giustificato is a giustificato motivo of a member for a period: it
// suspends the terms for that member (domain.md §2.2).
type Giustificato struct {
	ID           uuid.UUID
	PersonaID    uuid.UUID
	Componente   string
	Motivo       string
	Dal          time.Time
	Al           *time.Time
	Documento    string
	RegistratoDa string
	RegistratoIl time.Time
}

// Slot is a weekly opening of a comune's office.
type Slot struct {
	ID       int64
	ComuneID int64
	Comune   string
	Ufficio  string
	Giorno   int // 1 = lunedì
	Dalle    string
	Alle     string // "15:30"
}

// Comune is a comune of the operator's scope.
type Comune struct {
	ID            int64
	Denominazione string
}
