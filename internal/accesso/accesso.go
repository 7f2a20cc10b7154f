// Package accesso holds the ambiti territoriali sociali, their comuni, the
// operators and their accreditation: which GePI role each operator holds and
// over which scope (the whole installation, an ambito, a comune, or an ente
// of the rete dei servizi for its operators).
// Source: Ministry note of 2019 on the accreditation of the Amministratore di
// Ambito and the operator roles (seed 004); domain.md §1.1 and §13.4.
package accesso

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
)

// Sentinel errors of the module.
var (
	ErrNotFound       = fmt.Errorf("accesso: not found: %w", httpx.ErrNotFound)
	ErrNotAccredited  = errors.New("accesso: operator has no active accreditation")
	ErrInvalidScope   = errors.New("accesso: role scope not valid for the role")
	ErrIncompatible   = errors.New("accesso: the amministratore role cannot be combined with other roles")
	ErrDuplicateEntry = fmt.Errorf("accesso: already exists: %w", httpx.ErrConflict)
)

// Ruolo is a role of the GePI role model; the roles themselves are
// declared once, in authz (authz.Ruolo and its constants).
type Ruolo = authz.Ruolo

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
	// The office contacts a family reaches the operator at, printed on the
	// patto ("A chi rivolgervi"): phone, e-mail, opening hours.
	TelefonoUfficio, EmailUfficio, OrariUfficio string
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
	EnteID     *int64 // the ente of the network, for an operatore_ente
	EnteNome   string // its denominazione, through Enti (accesso does not read rete's tables)
	Fondo      string
	Dal        time.Time
	Al         *time.Time
}

// Domain is the scope as a casbin domain: "*" for the whole installation,
// "ambito:ID", "comune:ID" or, for an operator of an ente, "ente:ID".
func (a Assegnazione) Domain() string {
	switch {
	case a.EnteID != nil:
		return fmt.Sprintf("ente:%d", *a.EnteID)
	case a.ComuneID != nil:
		return fmt.Sprintf("comune:%d", *a.ComuneID)
	case a.AmbitoID != nil:
		return fmt.Sprintf("ambito:%d", *a.AmbitoID)
	}
	return "*"
}

// Ambito describes the scope for people: the ente, the comune, the ambito
// or the whole installation.
func (a Assegnazione) Ambito() string {
	switch {
	case a.EnteID != nil && a.EnteNome != "":
		return "Ente: " + a.EnteNome
	case a.EnteID != nil:
		return fmt.Sprintf("Ente n. %d", *a.EnteID)
	case a.ComuneNome != "":
		return "Comune di " + a.ComuneNome
	case a.AmbitoNome != "":
		return a.AmbitoNome
	}
	return "Intera installazione"
}

// checkScope enforces which scope each role takes (mirrors the table's CHECK,
// so callers get a clear error before the database refuses).
func checkScope(a Assegnazione) error {
	ambitoID, comuneID := a.AmbitoID, a.ComuneID
	if a.Ruolo != authz.OperatoreEnte && a.EnteID != nil {
		return ErrInvalidScope
	}
	switch a.Ruolo {
	case authz.AmministratoreSistema:
		if ambitoID != nil || comuneID != nil {
			return ErrInvalidScope
		}
	case authz.AmministratoreAmbito, authz.OperatoreATS, authz.GestoreRete:
		if ambitoID == nil || comuneID != nil {
			return ErrInvalidScope
		}
	case authz.OperatoreEnte:
		if ambitoID == nil || comuneID != nil || a.EnteID == nil {
			return ErrInvalidScope
		}
	case authz.CoordinatorePaIS:
		if ambitoID == nil {
			return ErrInvalidScope
		}
	case authz.CaseManager, authz.CoordinatoreControlli, authz.ResponsabileControlli, authz.OperatorePresentazioni:
		if ambitoID == nil || comuneID == nil {
			return ErrInvalidScope
		}
	default:
		return ErrInvalidScope
	}
	return nil
}
