// Package casi is the case (presa in carico): a nucleo taken in charge for a
// measure (ADI, SFL, RdC, or none) in a comune, with its state (domain.md
// §2.3), its case manager and its legal deadlines (internal/scadenze).
//
// It owns the row-level scope of case content: Access lets a case manager
// reach only the cases assigned to them; the coordinatore PaIS reaches a
// case's anagrafica through the assegnazioni board, never its content. Other
// modules (incontri, diario, later analisi, quadro, patto) call Access before
// reading or writing anything of a case, and Aggiorna after any write that
// moves a deadline.
package casi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors, wrapping the kinds httpx maps to a status.
var (
	// ErrNotFound: no such case, or not one the principal may reach (the two
	// are not told apart, so that ids cannot be probed).
	ErrNotFound = fmt.Errorf("casi: caso: %w", httpx.ErrNotFound)
	ErrConflict = fmt.Errorf("casi: changed by someone else: %w", httpx.ErrConflict)
	// ErrChiuso: the case is closed, its content read-only (409).
	ErrChiuso = fmt.Errorf("casi: il caso è chiuso: %w", httpx.ErrReadOnly)
)

// Stato of a case (domain.md §2.3).
type Stato string

// States.
const (
	Ricevuto          Stato = "ricevuto"
	Assegnato         Stato = "assegnato"
	Convocato         Stato = "convocato"
	InValutazione     Stato = "in_valutazione"
	QdAInCorso        Stato = "qda_in_corso"
	Progettazione     Stato = "progettazione"
	PattoSottoscritto Stato = "patto_sottoscritto"
	Monitoraggio      Stato = "monitoraggio"
	Sospeso           Stato = "sospeso"
	Chiuso            Stato = "chiuso"
)

// Stati in workflow order.
var Stati = []Stato{Ricevuto, Assegnato, Convocato, InValutazione, QdAInCorso, Progettazione,
	PattoSottoscritto, Monitoraggio, Sospeso, Chiuso}

// Label is the Italian name shown to operators.
func (s Stato) Label() string {
	switch s {
	case Ricevuto:
		return "Ricevuto"
	case Assegnato:
		return "Assegnato"
	case Convocato:
		return "Convocato"
	case InValutazione:
		return "In valutazione"
	case QdAInCorso:
		return "Quadro di analisi in corso"
	case Progettazione:
		return "Progettazione del patto"
	case PattoSottoscritto:
		return "Patto sottoscritto"
	case Monitoraggio:
		return "Monitoraggio"
	case Sospeso:
		return "Sospeso"
	case Chiuso:
		return "Chiuso"
	}
	return string(s)
}

// Misura the nucleo receives.
type Misura string

// Measures.
const (
	ADI   Misura = "ADI"
	SFL   Misura = "SFL"
	RdC   Misura = "RDC"
	Altro Misura = "ALTRO"
)

// Misure in display order.
var Misure = []Misura{ADI, SFL, RdC, Altro}

// Label is the Italian name of the measure.
func (m Misura) Label() string {
	switch m {
	case ADI:
		return "Assegno di inclusione"
	case SFL:
		return "Supporto per la formazione e il lavoro"
	case RdC:
		return "Reddito di cittadinanza"
	case Altro:
		return "Presa in carico senza misura"
	}
	return string(m)
}

// MotiviChiusura of a case (domain.md §2.3).
var MotiviChiusura = []string{"Decadenza", "Revoca", "Fine del beneficio", "Trasferimento ad altro comune",
	"Esclusione o esonero", "Decesso", "Obiettivi raggiunti", "Rinuncia"}

// Caso is a case's header: what every page of the case shows on top.
type Caso struct {
	ID            uuid.UUID
	Numero        int64
	DomandaID     uuid.UUID
	NucleoID      uuid.UUID
	AmbitoID      int64
	ComuneID      int64
	Comune        string
	CaseManagerID *uuid.UUID
	CaseManager   string // "Nome Cognome", empty when not assigned
	AssegnatoIl   *time.Time
	Stato         Stato
	Origine       string // flusso | manuale
	ApertoIl      time.Time

	Misura           Misura
	IDDomanda        string
	DataDomanda      *time.Time
	DataPAD          *time.Time
	DataDecorrenza   *time.Time
	DataTrasmissione *time.Time
	StatoErogazione  string

	Richiedente   string // "Cognome Nome"
	RichiedenteCF string

	T120Scadenza         *time.Time
	T120Stato            string
	T90Scadenza          *time.Time
	T90Stato             string
	Urgenza              *time.Time
	ProssimoAppuntamento *time.Time

	MotivoChiusura string
	ChiusoIl       *time.Time
	Versione       int
}

// Codice is the case number as operators quote it, e.g. "C-000123".
func (c Caso) Codice() string { return fmt.Sprintf("C-%06d", c.Numero) }

// reNumero: a case number as people type it: "C-000016", "c-16", "C16",
// "C 16" or the bare number.
var reNumero = regexp.MustCompile(`^(?i:c)?[\s-]*0*([0-9]{1,15})$`)

// NumeroDaTesto reads a case number out of a search: ok when the whole
// text is one.
func NumeroDaTesto(q string) (int64, bool) {
	m := reNumero.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil && n > 0
}

// Aperto reports whether the case is not closed.
func (c Caso) Aperto() bool { return c.Stato != Chiuso }
