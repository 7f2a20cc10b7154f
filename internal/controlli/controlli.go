// Package controlli is the comune's section for the controlli anagrafici
// and the verifiche del nucleo (domain.md §9): the requests of verification
// INPS sends to the comune, with their 60-day term; the coordinatore
// controlli's worklist, assignment and workload; the responsabile's record
// of what the anagrafe holds (residence periods, absences, documents seen),
// evaluated by the rules of internal/residenza; the esito, immutable once
// finalised (a rectification is a new esito); the backward chain to the
// comuni of previous residence; the controlli ex post and the verifiche del
// nucleo, whose negative findings become segnalazioni approved by the
// coordinatore controlli (internal/segnalazioni); the export of the esiti
// for INPS in batches.
//
// Scope: a principal acts for one comune (Principal.ComuneID). The
// coordinatore controlli sees the requests of their comune and those
// forwarded to it; the responsabile those assigned to them. Neither sees
// any content of a case. A comune reached by the backward chain sees only
// what its step needs: the person, the request's type and dates, the chain,
// its own periods. Every read and write is recorded in the registro.
package controlli

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors, wrapping the kinds httpx maps to a status.
var (
	// ErrNotFound: no such request, or one the principal may not reach (not told apart).
	ErrNotFound = fmt.Errorf("controlli: richiesta: %w", httpx.ErrNotFound)
	// ErrConflict: the request changed since the page was loaded.
	ErrConflict = fmt.Errorf("controlli: changed by someone else: %w", httpx.ErrConflict)
	// ErrStato: the action is not possible in the request's state.
	ErrStato = fmt.Errorf("controlli: not possible in this state: %w", httpx.ErrConflict)
	// ErrFuoriAmbito: the principal acts for no comune.
	ErrFuoriAmbito = fmt.Errorf("controlli: no comune: %w", httpx.ErrForbidden)
)

// Termine is the days INPS gives the comune to answer (domain.md §9.2).
const Termine = 60

// Tipo of a request of verification (domain.md §9.3).
type Tipo string

// The types.
const (
	Residenza          Tipo = "residenza"
	Soggiorno          Tipo = "soggiorno"
	Cittadinanza       Tipo = "cittadinanza"
	ResidenzaExPost    Tipo = "residenza_ex_post"
	ComposizioneNucleo Tipo = "composizione_nucleo"
	Svantaggio         Tipo = "svantaggio"
)

// Tipi lists the types in display order.
var Tipi = []Tipo{Residenza, Soggiorno, Cittadinanza, ResidenzaExPost, ComposizioneNucleo, Svantaggio}

// Label is the type in Italian.
func (t Tipo) Label() string {
	switch t {
	case Residenza:
		return "Residenza"
	case Soggiorno:
		return "Titolo di soggiorno"
	case Cittadinanza:
		return "Cittadinanza"
	case ResidenzaExPost:
		return "Residenza (controllo ex post)"
	case ComposizioneNucleo:
		return "Composizione del nucleo"
	case Svantaggio:
		return "Condizione di svantaggio certificata"
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t Tipo) Valid() bool {
	for _, x := range Tipi {
		if x == t {
			return true
		}
	}
	return false
}

// ConPeriodi reports whether the type is decided on residence periods (the
// rules of internal/residenza and the backward chain apply).
func (t Tipo) ConPeriodi() bool { return t == Residenza || t == ResidenzaExPost }

// Stato of a request.
type Stato string

// States: aperta (with the comune asked) → inoltrata (with a comune of
// previous residence) → aperta (returned) … → conclusa (an esito is final).
const (
	Aperta    Stato = "aperta"
	Inoltrata Stato = "inoltrata"
	Conclusa  Stato = "conclusa"
)

// Label is the state in Italian.
func (s Stato) Label() string {
	switch s {
	case Aperta:
		return "In lavorazione"
	case Inoltrata:
		return "Inoltrata al comune precedente"
	case Conclusa:
		return "Conclusa"
	}
	return string(s)
}

// Esito of a controllo.
type Esito string

// The esiti (domain.md §9.3).
const (
	Positivo        Esito = "positivo"
	Negativo        Esito = "negativo"
	NonVerificabile Esito = "non_verificabile"
)

// Esiti lists the esiti in display order.
var Esiti = []Esito{Positivo, Negativo, NonVerificabile}

// Label is the esito in Italian.
func (e Esito) Label() string {
	switch e {
	case Positivo:
		return "Positivo: requisito verificato"
	case Negativo:
		return "Negativo: requisito non soddisfatto"
	case NonVerificabile:
		return "Non verificabile"
	}
	return string(e)
}

// Kind is the colour of the esito's badge.
func (e Esito) Kind() string {
	switch e {
	case Positivo:
		return "success"
	case Negativo:
		return "danger"
	}
	return "secondary"
}

// Richiesta is a request of verification as its comune sees it.
type Richiesta struct {
	ID              uuid.UUID
	IDRichiesta     string // INPS's id: the import's idempotence key
	Tipo            Tipo
	AmbitoID        int64
	ComuneID        int64 // the comune asked (of last residence): it alone finalises
	Comune          string
	CodiceFiscale   string
	Cognome, Nome   string
	DataNascita     *time.Time
	IDDomanda       string
	CasoID          *uuid.UUID // the case of the domanda, when Cartella has it
	DataRichiesta   time.Time
	DataRiferimento time.Time // the date the requirement is checked at
	Scadenza        time.Time // DataRichiesta + Termine
	NotaINPS        string
	Stato           Stato
	AssegnatarioID  *uuid.UUID
	Assegnatario    string // "Nome Cognome"
	AssegnataIl     *time.Time
	Origine         string // importazione | manuale | campione
	CampioneID      *int64
	NoteLavoro      string
	Versione        int
	CreataIl        time.Time
}

// Nominativo is "Cognome Nome".
func (r Richiesta) Nominativo() string { return r.Cognome + " " + r.Nome }

// GiorniAllaScadenza are the days left to the term at oggi (negative: past due).
func (r Richiesta) GiorniAllaScadenza(oggi time.Time) int {
	return int(r.Scadenza.Sub(oggi).Hours() / 24)
}

// Tappa is one step of the backward chain.
type Tappa struct {
	ID             int64
	N              int
	DaComuneID     int64
	DaComune       string
	ComuneID       int64
	Comune         string
	InoltrataDa    string
	InoltrataIl    time.Time
	NotaInoltro    string
	AssegnatarioID *uuid.UUID
	Assegnatario   string
	Esito          string // "" (open), restituita, nessun_record, inoltrata
	ChiusaDa       string
	ChiusaIl       *time.Time
	NotaChiusura   string
}

// Aperta reports whether the step is still with its comune.
func (t Tappa) Aperta() bool { return t.Esito == "" }

// Periodo is a residence period as an anagrafe holds it.
type Periodo struct {
	ID            int64
	ComuneID      int64 // the comune that recorded it
	ComuneIstat   string
	ComuneNome    string
	Iscrizione    time.Time
	Cancellazione *time.Time
	Fonte         string
	RegistratoDa  string
	RegistratoIl  time.Time
}

// Assenza is an absence from Italy.
type Assenza struct {
	ID           int64
	ComuneID     int64
	Dal, Al      time.Time
	MotiviSalute bool
	Nota         string
	RegistratoDa string
	RegistratoIl time.Time
}

// Documento is a document the responsabile saw.
type Documento struct {
	ID            int64
	ComuneID      int64
	Tipo          string
	Estremi       string
	DataDocumento *time.Time
	Nota          string
	RegistratoDa  string
	RegistratoIl  time.Time
}

// EsitoFinale is a finalised esito.
type EsitoFinale struct {
	ID             int64
	RichiestaID    uuid.UUID
	Esito          Esito
	Motivazione    string
	DataEsito      time.Time
	EntroTermine   bool
	FinalizzatoDa  string
	FinalizzatoIl  time.Time
	RettificaDi    *int64
	SegnalazioneID *uuid.UUID
	InvioID        *int64
	InviatoIl      *time.Time
}
