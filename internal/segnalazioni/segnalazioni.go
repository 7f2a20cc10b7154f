// Package segnalazioni is the segnalazione to INPS of a fact liable to
// decadenza or decurtazione of the benefit (domain.md §8): the case manager
// drafts it (tipo of event, member, dates, description, attachments) and
// sends it to approval; the coordinatore PaIS approves or refuses it,
// seeing only what the decision needs (DecisionePage, docs/roles.md); the
// approved ones go into an export batch for INPS
// (docs/formats/segnalazioni.md), which marks them inviata; a sent
// segnalazione is rectified by a new segnalazione linked to it, and when the
// rectification is sent in its turn the original becomes rettificata. The
// coordinatore records the esito INPS returns for a sent one (acquisita, or
// scartata with the reason, which the case manager sees to rectify it;
// esito.go). Every state change and every esito is kept (segnalazione_stato).
//
// Only the case manager assigned to the case reads or writes its
// segnalazioni (casi.Access, casi.Lock); the coordinatore reaches them only
// through the approval queue of their scope (Principal.Covers). Every edit
// uses optimistic locking on versione; every read and write is recorded.
package segnalazioni

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors.
var (
	ErrNotFound = fmt.Errorf("segnalazioni: non trovata: %w", httpx.ErrNotFound)
	// ErrConflict: the segnalazione changed since the page was loaded.
	ErrConflict = fmt.Errorf("segnalazioni: changed by someone else: %w", httpx.ErrConflict)
	// ErrStato: the action is not possible in the segnalazione's state.
	ErrStato = fmt.Errorf("segnalazioni: not possible in this state: %w", httpx.ErrConflict)
	// ErrChiuso: a closed case's segnalazioni are read-only.
	ErrChiuso = fmt.Errorf("segnalazioni: il caso è chiuso: %w", httpx.ErrReadOnly)
	// ErrNienteDaInviare: no approved segnalazione waits for an export.
	ErrNienteDaInviare = errors.New("segnalazioni: nothing to export")
)

// Stato of a segnalazione.
type Stato string

// States: bozza → in_approvazione → approvata | respinta; respinta → (edit)
// → in_approvazione; approvata → inviata (export) → rettificata (when its
// rectification is sent); bozza or respinta → annullata.
const (
	Bozza          Stato = "bozza"
	InApprovazione Stato = "in_approvazione"
	Approvata      Stato = "approvata"
	Respinta       Stato = "respinta"
	Inviata        Stato = "inviata"
	Rettificata    Stato = "rettificata"
	Annullata      Stato = "annullata"
)

// Label is the state in Italian.
func (s Stato) Label() string {
	switch s {
	case Bozza:
		return "Bozza"
	case InApprovazione:
		return "In approvazione"
	case Approvata:
		return "Approvata, da inviare"
	case Respinta:
		return "Respinta"
	case Inviata:
		return "Inviata a INPS"
	case Rettificata:
		return "Rettificata"
	case Annullata:
		return "Annullata"
	case "":
		return "—"
	}
	return string(s)
}

// Kind is the colour of the state's badge.
func (s Stato) Kind() string {
	switch s {
	case InApprovazione, Approvata:
		return "warning"
	case Respinta:
		return "danger"
	case Inviata:
		return "success"
	case Rettificata, Annullata:
		return "secondary"
	}
	return "primary"
}

// Modificabile reports whether the case manager may still edit it.
func (s Stato) Modificabile() bool { return s == Bozza || s == Respinta }

// Effetto of a tipo of event on the benefit.
type Effetto string

// Label is the effect in Italian.
func (e Effetto) Label() string {
	switch e {
	case "decadenza":
		return "Decadenza dal beneficio"
	case "decurtazione":
		return "Decurtazione del beneficio"
	case "verifica":
		return "Verifica dei requisiti da parte di INPS"
	case "da_valutare":
		return "Da valutare da parte di INPS"
	}
	return string(e)
}

// Tipo is a kind of event (segnalazione_tipo).
type Tipo struct {
	ID              int64
	Codice          string
	Etichetta       string
	Descrizione     string
	Riferimento     string // riferimento normativo
	Effetto         Effetto
	RiguardaImpegni bool
}

// Allegato is an attachment; Dati only when downloaded.
type Allegato struct {
	ID         uuid.UUID
	Nome       string
	Mime       string
	Dimensione int
	SHA256     []byte
	CaricatoIl time.Time
	Dati       []byte
}

// Passaggio is one state change.
type Passaggio struct {
	Da, A     Stato
	Operatore string
	Quando    time.Time
	Nota      string
}

// Segnalazione is a segnalazione as the case manager sees it.
type Segnalazione struct {
	ID               uuid.UUID
	CasoID           uuid.UUID
	AmbitoID         int64
	ComuneID         int64
	Numero           int
	Tipo             Tipo
	PersonaID        uuid.UUID
	Componente       string // "Cognome Nome"
	CodiceFiscale    string
	ImpegnoID        string
	ImpegnoTesto     string
	DataEvento       time.Time
	DataAccertamento time.Time
	Descrizione      string
	Stato            Stato
	RettificaDi      *uuid.UUID
	RettificaDiNum   int
	RettificataDa    *uuid.UUID // the rectification in progress or sent, if any
	RettificataDaNum int
	MotivoRifiuto    string
	InApprovazioneIl *time.Time
	ApprovataDa      string
	ApprovataIl      *time.Time
	InviataIl        *time.Time
	InvioID          *int64
	Esito            Esito // the outcome INPS returned, once sent
	Versione         int
	CreataDa         string
	CreataIl         time.Time
	Origine          string // OrigineCaso, or OrigineControlli: drafted by a controllo anagrafico

	AggiornataIl time.Time
	Allegati     []Allegato
	Storia       []Passaggio
}

// DelCaseManager reports whether the case manager drafted it and so may
// edit, cancel or rectify it; one drafted by the controlli anagrafici is
// theirs, and the case manager only reads it.
func (s Segnalazione) DelCaseManager() bool { return s.Origine != OrigineControlli }

// Codice is the number as operators quote it, e.g. "S-000012".
func (s Segnalazione) Codice() string { return Codice(s.Numero) }

// Codice formats a segnalazione number.
func Codice(n int) string { return fmt.Sprintf("S-%06d", n) }
