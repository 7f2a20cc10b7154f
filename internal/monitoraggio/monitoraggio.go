// Package monitoraggio is the monitoring of the Patto per l'inclusione
// sociale (domain.md §7, GePI "Scheda di Monitoraggio Incontri e
// Verifiche"): the case manager plans meetings with the nucleo (date, time,
// duration, place; the risultati attesi of the objectives of each member and
// the impegni to assess), then records the assessment of each meeting held:
// the presence of each member, each risultato raggiunto / parziale / non
// raggiunto / non valutabile, each impegno rispettato / non rispettato /
// giustificato, the general notes and the next meeting.
//
// Recording a meeting registers an incontro of tipo "monitoraggio" with the
// presences through internal/incontri, in the same transaction, so the
// 90-day counter of the case restarts (internal/scadenze); the first one
// moves the case from patto_sottoscritto to monitoraggio; the next meeting,
// if stated, is planned at once with the same items.
//
// A meeting refers to the signed version of the patto it assesses, and to
// its items by the patto's stable IDs (internal/patto). Everything here is
// case content: reads go through casi.Access, writes through casi.Lock, and
// are recorded in the registro (oggetto "monitoraggio"); edits of a meeting
// use optimistic locking on its versione.
package monitoraggio

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/incontri"
)

// OggettoTipo is how the registro names what this package reads and writes.
const OggettoTipo = "monitoraggio"

// Errors.
var (
	ErrNotFound = fmt.Errorf("monitoraggio: incontro non trovato: %w", httpx.ErrNotFound)
	// ErrConflict: the meeting was changed (recorded or cancelled) by
	// someone else since the form was shown.
	ErrConflict = fmt.Errorf("monitoraggio: incontro modificato da altri: %w", httpx.ErrConflict)
	// ErrChiuso: the case is closed, its monitoring is read-only.
	ErrChiuso = fmt.Errorf("monitoraggio: il caso è chiuso: %w", httpx.ErrReadOnly)
	// ErrSenzaPatto: the case has no signed patto, there is nothing to
	// monitor yet.
	ErrSenzaPatto = errors.New("monitoraggio: the case has no signed patto")
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

func valido(list []Scelta, v string) bool {
	for _, s := range list {
		if s.Value == v {
			return true
		}
	}
	return false
}

// Stato of a meeting.
type Stato string

// States.
const (
	Pianificato Stato = "pianificato"
	Svolto      Stato = "svolto"
	Annullato   Stato = "annullato"
)

// Label is the Italian name of the state.
func (s Stato) Label() string {
	switch s {
	case Pianificato:
		return "Pianificato"
	case Svolto:
		return "Svolto"
	case Annullato:
		return "Annullato"
	}
	return string(s)
}

// ValutazioniRisultato are the assessments of a risultato atteso.
var ValutazioniRisultato = []Scelta{
	{"raggiunto", "Raggiunto"}, {"parziale", "Parzialmente raggiunto"},
	{"non_raggiunto", "Non raggiunto"}, {"non_valutabile", "Non valutabile"},
}

// ValutazioniImpegno are the assessments of an impegno.
var ValutazioniImpegno = []Scelta{
	{"rispettato", "Rispettato"}, {"non_rispettato", "Non rispettato"},
	{"giustificato", "Non rispettato per giustificato motivo"},
}

// RisultatoLabel is the Italian name of a risultato's assessment.
func RisultatoLabel(v string) string { return label(ValutazioniRisultato, v) }

// ImpegnoLabel is the Italian name of an impegno's assessment.
func ImpegnoLabel(v string) string { return label(ValutazioniImpegno, v) }

// Presenze a member may have at a meeting (the values of internal/incontri).
var Presenze = []Scelta{
	{"presente", "Presente"}, {"giustificato", "Assente con giustificato motivo"}, {"assente", "Assente ingiustificato"},
}

// Incontro is a monitoring meeting, planned, held or cancelled.
type Incontro struct {
	ID                 uuid.UUID
	CasoID             uuid.UUID
	PattoID            uuid.UUID // the scheda row of the signed patto
	PattoVersione      int
	Data               time.Time // civil date (midnight UTC)
	Ora                string    // "09:30"
	DurataMinuti       int
	Luogo              string
	Stato              Stato
	Note               string // the agenda when planned; the general notes once held
	Partecipanti       string // once held: operators and others present besides the case manager
	MotivoAnnullamento string
	ProssimoIncontro   *time.Time
	IncontroID         *uuid.UUID // the incontro registered when held
	PrecedenteID       *uuid.UUID // the meeting at which this one was planned
	Versione           int
	CreatoDa           string
	CreatoIl           time.Time
	AggiornatoDa       string
	AggiornatoIl       time.Time
	Risultati          []VoceRisultato
	Impegni            []VoceImpegno
}

// VoceRisultato is a risultato atteso to assess at the meeting.
type VoceRisultato struct {
	RisultatoID string
	PersonaID   *uuid.UUID // the member of its objective; nil: the nucleo
	Valutazione string     // "" until assessed
	Nota        string
}

// VoceImpegno is an impegno to assess at the meeting.
type VoceImpegno struct {
	ImpegnoID   string
	Valutazione string // "" until assessed
	Nota        string
}

// NonRispettati reports whether an impegno was assessed as not respected
// (without a giustificato motivo): the case manager may have to send a
// segnalazione (domain.md §8.1 c).
func (in Incontro) NonRispettati() bool {
	for _, i := range in.Impegni {
		if i.Valutazione == "non_rispettato" {
			return true
		}
	}
	return false
}

// Componente is a current member of the case's nucleo.
type Componente = incontri.Componente

// Presenza of a member at a held meeting.
type Presenza = incontri.Presenza
