// Package presentazioni is the registrazione delle presentazioni of an
// Assegno di inclusione nucleo (INPS messaggio 2132 of 5 June 2024; domain.md
// §2.2, §7): an avvenuto incontro, a presentazione spontanea or a giustificato
// motivo, with where it happened (servizi sociali, patronato, CPI, domicilio),
// who registered it and when; the periods of the benefit (first month paid,
// renewals with their new PAD; DL 48/2023 art. 3 c. 1); and the outcome of
// the CPI's convocation of each member sent there (domain.md §2.2, §8.1).
//
// Two roles write here. The case manager, from the case
// (/casi/{id}/presentazioni), through casi.ScriviContenuto like every case
// module. The operatore presentazioni (comune scope) at /presentazioni finds
// a nucleo by codice fiscale among the open ADI cases of their comune and
// registers a presentation or a giustificato motivo; they see the name, the
// case number, the counters and the day-20 cut-off, and nothing else of the
// case. Every read and write is recorded in the registro.
//
// The rules (what a registration at a patronato meets, the cut-off, the
// periods, the CPI absence) are internal/scadenze's: this module feeds them
// through casi.FonteSituazione and casi.Aggiorna recomputes the case's
// deadlines in the same transaction as every write.
package presentazioni

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/scadenze"
)

// Errors.
var (
	ErrNotFound = fmt.Errorf("presentazioni: %w", httpx.ErrNotFound)
	// ErrConflict: the record was changed by someone else since the form was
	// shown (optimistic locking on versione).
	ErrConflict = fmt.Errorf("presentazioni: changed by someone else: %w", httpx.ErrConflict)
	// ErrChiuso: the case is closed, its registrations are read-only.
	ErrChiuso = fmt.Errorf("presentazioni: il caso è chiuso: %w", httpx.ErrReadOnly)
)

// Scelta is a value of an enumerated column with its Italian label.
type Scelta struct{ Value, Label string }

// Eventi a registration records.
var Eventi = []Scelta{
	{string(scadenze.AvvenutoIncontro), scadenze.AvvenutoIncontro.Label()},
	{string(scadenze.PresentazioneSpontanea), scadenze.PresentazioneSpontanea.Label()},
	{string(scadenze.GiustificatoMotivoReg), scadenze.GiustificatoMotivoReg.Label()},
}

// Luoghi of a registration.
var Luoghi = []Scelta{
	{string(scadenze.ServiziSociali), "Servizi sociali"},
	{string(scadenze.Patronato), "Patronato"},
	{string(scadenze.CentroImpiego), "Centro per l'impiego"},
	{string(scadenze.Domicilio), "Domicilio (visita dei servizi sociali)"},
}

// EsitiCPI of a member's convocation at the CPI.
var EsitiCPI = []Scelta{
	{string(scadenze.CPIPresente), scadenze.CPIPresente.Label()},
	{string(scadenze.CPIAssenteGiustificato), scadenze.CPIAssenteGiustificato.Label()},
	{string(scadenze.CPIAssente), scadenze.CPIAssente.Label()},
}

func valido(list []Scelta, v string) bool {
	for _, s := range list {
		if s.Value == v {
			return true
		}
	}
	return false
}

// Registrazione as recorded.
type Registrazione struct {
	ID           uuid.UUID
	Evento       scadenze.EventoPresentazione
	Luogo        scadenze.Luogo
	Data         time.Time
	Al           *time.Time
	Motivo       string
	RegistratoDa string // "Nome Cognome"
	Ruolo        string // the role it was registered in
	RegistratoIl time.Time
}

// Pagamento says which month's payment the registration counted for
// (scadenze.MesePagamento), e.g. "dicembre 2026" or "gennaio 2027
// (novembre come arretrato)".
func (r Registrazione) Pagamento() string {
	if r.Evento == scadenze.GiustificatoMotivoReg {
		return ""
	}
	mese, arretrati := scadenze.MesePagamento(r.RegistratoIl)
	s := fmt.Sprintf("%s %d", scadenze.NomeMese(mese), mese.Year())
	if arretrati {
		prec := mese.AddDate(0, -1, 0)
		s += fmt.Sprintf(" (%s come arretrato)", scadenze.NomeMese(prec))
	}
	return s
}

// presentazione is r as the rules read it.
func (r Registrazione) presentazione() scadenze.Presentazione {
	return scadenze.Presentazione{Evento: r.Evento, Luogo: r.Luogo, Data: r.Data, Al: r.Al, RegistrataIl: r.RegistratoIl}
}

// NuovaRegistrazione is the registration form as typed.
type NuovaRegistrazione struct{ Evento, Luogo, Data, Al, Motivo string }

// Beneficio is what the case records of the benefit's periods.
type Beneficio struct {
	PrimoMese *time.Time
	Versione  int // 0: not recorded yet
	Rinnovi   []Rinnovo
}

// Rinnovo of the benefit.
type Rinnovo struct {
	ID           uuid.UUID
	DataPAD      time.Time
	PrimoMese    *time.Time
	RegistratoIl time.Time
}

// regole is b as the rules read it.
func (b Beneficio) regole() scadenze.Beneficio {
	r := scadenze.Beneficio{PrimoMese: b.PrimoMese}
	for _, x := range b.Rinnovi {
		r.Rinnovi = append(r.Rinnovi, scadenze.Rinnovo{DataPAD: x.DataPAD, PrimoMese: x.PrimoMese})
	}
	return r
}

// NuovoPrimoMese is the first-month form: the month as "aaaa-mm" or a date.
type NuovoPrimoMese struct{ PrimoMese, Versione string }

// NuovoRinnovo is the renewal form.
type NuovoRinnovo struct{ DataPAD, PrimoMese string }

// ConvocazioneCPI of a member sent to the CPI, with its outcome.
type ConvocazioneCPI struct {
	PersonaID   uuid.UUID
	ConvocatoIl time.Time
	Esito       scadenze.EsitoCPI
	Versione    int
}

// NuovaConvocazioneCPI is the CPI outcome form of one member.
type NuovaConvocazioneCPI struct{ ConvocatoIl, Esito, Versione string }
