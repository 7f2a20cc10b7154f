// Package schede stores the versioned schede of a case: the analisi
// preliminare, the quadro di analisi, and any scheda that the national
// e-services return "in the specific version". A scheda is a JSON document
// whose shape the owning package defines; this package keeps its versions:
//
//   - a draft (bozza) can be saved any number of times; each save must name
//     the revisione it started from, and a save over a revisione that moved
//     on is refused with the differences the other person made (Conflitto);
//   - finalising (definitiva) freezes the version: the database refuses any
//     later change;
//   - reopening creates version n+1 as a draft copied from version n.
//
// The functions take the caller's transaction or pool: the case-level row
// scope and the registro record are the caller's (casi.Lock, casi.Access),
// so that the write, its audit and the case's state move together.
package schede

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// Tipo is the kind of scheda.
type Tipo string

// The schede of a case.
const (
	AnalisiPreliminare Tipo = "analisi_preliminare"
	QuadroAnalisi      Tipo = "quadro_analisi"
	Patto              Tipo = "patto" // the Patto per l'inclusione sociale: a finalised version is a signed one
)

// Stato of a version.
type Stato string

// The states of a version.
const (
	Bozza      Stato = "bozza"
	Definitiva Stato = "definitiva"
)

// Label is the state in Italian.
func (s Stato) Label() string {
	if s == Definitiva {
		return "Definitiva"
	}
	return "Bozza"
}

// Versione is one version of a scheda.
type Versione struct {
	ID               uuid.UUID
	CasoID           uuid.UUID
	Tipo             Tipo
	Numero           int
	Stato            Stato
	Contenuto        json.RawMessage
	Esito            string
	Revisione        int
	CreataDa         string // operator's name
	CreataIl         time.Time
	AggiornataDa     string
	AggiornataIl     time.Time
	FinalizzataDa    string
	FinalizzataIl    *time.Time
	MotivoRiapertura string
}

// Definitiva reports whether the version is finalised.
func (v Versione) Definitiva() bool { return v.Stato == Definitiva }

// Errors.
var (
	// ErrNonTrovata: no such version (or no scheda at all).
	ErrNonTrovata = errors.New("schede: versione non trovata")
	// ErrBozzaEsistente: a draft exists already (NuovaBozza, Riapri).
	ErrBozzaEsistente = errors.New("schede: esiste già una bozza")
	// ErrNessunaBozza: saving or finalising when there is no draft.
	ErrNessunaBozza = errors.New("schede: nessuna bozza")
	// ErrNonDefinitiva: reopening a scheda whose last version is a draft.
	ErrNonDefinitiva = errors.New("schede: l'ultima versione non è definitiva")
)

// Conflitto is a save over a revisione that moved on: someone else saved
// the draft since the caller loaded it.
type Conflitto struct {
	Attuale  Versione     // the draft as it is now
	Cambiate []Differenza // what the others changed since the caller's revisione
	Da       string       // who saved last
}

func (c *Conflitto) Error() string {
	return fmt.Sprintf("schede: conflitto, la bozza è alla revisione %d", c.Attuale.Revisione)
}

// Querier is a pool or a transaction.
type Querier = database.Querier
