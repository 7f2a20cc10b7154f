// Package accesso holds the ambiti territoriali sociali, their comuni, the
// operators and their accreditation: which GePI role each operator holds and
// over which scope (the whole installation, an ambito, or a comune).
// Source: Ministry note of 2019 on the accreditation of the Amministratore di
// Ambito and the operator roles (seed 004); domain.md §1.1 and §13.4.
package accesso

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Sentinel errors of the module.
var (
	ErrNotFound       = errors.New("accesso: not found")
	ErrNotAccredited  = errors.New("accesso: operator has no active accreditation")
	ErrInvalidScope   = errors.New("accesso: role scope not valid for the role")
	ErrIncompatible   = errors.New("accesso: the amministratore role cannot be combined with other roles")
	ErrDuplicateEntry = errors.New("accesso: already exists")
)

// Ruolo is a role of the GePI role model.
type Ruolo string

// The roles (domain.md §1.1). The Amministratore di sistema is the
// Ministry-side role that creates ambiti and accredits their amministratori.
const (
	AmministratoreSistema Ruolo = "amministratore_sistema"
	AmministratoreAmbito  Ruolo = "amministratore_ambito"
	CoordinatorePaIS      Ruolo = "coordinatore_pais"
	CaseManager           Ruolo = "case_manager"
	CoordinatoreControlli Ruolo = "coordinatore_controlli"
	ResponsabileControlli Ruolo = "responsabile_controlli"
	OperatoreATS          Ruolo = "operatore_ats"
)

// Ruoli lists every role in display order.
var Ruoli = []Ruolo{AmministratoreSistema, AmministratoreAmbito, CoordinatorePaIS, CaseManager,
	CoordinatoreControlli, ResponsabileControlli, OperatoreATS}

// Label is the role's Italian name as operators know it from GePI.
func (r Ruolo) Label() string {
	switch r {
	case AmministratoreSistema:
		return "Amministratore di sistema"
	case AmministratoreAmbito:
		return "Amministratore di ambito"
	case CoordinatorePaIS:
		return "Coordinatore PaIS"
	case CaseManager:
		return "Case manager"
	case CoordinatoreControlli:
		return "Coordinatore controlli anagrafici"
	case ResponsabileControlli:
		return "Responsabile controlli anagrafici"
	case OperatoreATS:
		return "Operatore ATS"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Ruolo) Valid() bool {
	for _, x := range Ruoli {
		if x == r {
			return true
		}
	}
	return false
}

// Ambito is an ambito territoriale sociale.
type Ambito struct {
	ID            int64
	Codice        string
	Denominazione string
	EnteCapofila  string
}

// Comune is a municipality, identified by its ISTAT code.
type Comune struct {
	ID              int64
	CodiceISTAT     string
	CodiceCatastale string
	Denominazione   string
	Provincia       string
	Regione         string
	AmbitoID        *int64
}

// Operatore is an accredited (or formerly accredited) person.
type Operatore struct {
	ID            uuid.UUID
	CodiceFiscale string
	Nome          string
	Cognome       string
	DataNascita   *time.Time
	ComuneNascita string
	Genere        string
	Email         string
	Telefono      string
	AmbitoID      *int64
	Stato         string // attivo, sospeso, revocato
}

// NomeCompleto is "Nome Cognome".
func (o Operatore) NomeCompleto() string { return o.Nome + " " + o.Cognome }

// Assegnazione is one role held by an operator within its scope.
type Assegnazione struct {
	ID         int64
	Ruolo      Ruolo
	AmbitoID   *int64
	AmbitoNome string
	ComuneID   *int64
	ComuneNome string
	Fondo      string
	Dal        time.Time
	Al         *time.Time
}

// Domain is the scope as a casbin domain: "*" for the whole installation,
// "ambito:ID" or "comune:ID".
func (a Assegnazione) Domain() string {
	switch {
	case a.ComuneID != nil:
		return fmt.Sprintf("comune:%d", *a.ComuneID)
	case a.AmbitoID != nil:
		return fmt.Sprintf("ambito:%d", *a.AmbitoID)
	}
	return "*"
}

// Ambito describes the scope for people: the comune, the ambito or the
// whole installation.
func (a Assegnazione) Ambito() string {
	switch {
	case a.ComuneNome != "":
		return "Comune di " + a.ComuneNome
	case a.AmbitoNome != "":
		return a.AmbitoNome
	}
	return "Intera installazione"
}

// checkScope enforces which scope each role takes (mirrors the table's CHECK,
// so callers get a clear error before the database refuses).
func checkScope(r Ruolo, ambitoID, comuneID *int64) error {
	switch r {
	case AmministratoreSistema:
		if ambitoID != nil || comuneID != nil {
			return ErrInvalidScope
		}
	case AmministratoreAmbito, OperatoreATS:
		if ambitoID == nil || comuneID != nil {
			return ErrInvalidScope
		}
	case CoordinatorePaIS:
		if ambitoID == nil {
			return ErrInvalidScope
		}
	case CaseManager, CoordinatoreControlli, ResponsabileControlli:
		if ambitoID == nil || comuneID == nil {
			return ErrInvalidScope
		}
	default:
		return ErrInvalidScope
	}
	return nil
}
