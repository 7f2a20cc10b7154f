// Package equipe is the équipe multidisciplinare of a case (domain.md §4):
// its members (professionals with nome, cognome, funzione, ente or
// servizio, contacts, role and period; the familiare referente, a member of
// the nucleo), the case manager as its referente, and its convocazioni:
// date, place, the members invited and an extract of the analisi
// preliminare, sent to each of them by e-mail with the extract in PDF
// through the outbox (internal/posta). Who received what is recorded in the
// registro, one record per recipient.
//
// Only the case manager assigned to the case reads or writes it (casi.Access,
// casi.Lock); edits of a member use optimistic locking on its versione.
package equipe

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors.
var (
	ErrNotFound = fmt.Errorf("equipe: non trovato: %w", httpx.ErrNotFound)
	// ErrConflict: the member was changed by someone else since the form
	// was loaded.
	ErrConflict = fmt.Errorf("equipe: changed by someone else: %w", httpx.ErrConflict)
	// ErrChiuso: a closed case's équipe is read-only.
	ErrChiuso = fmt.Errorf("equipe: il caso è chiuso: %w", httpx.ErrReadOnly)
)

// Ruolo of a member in the équipe. The case manager is its referente by
// definition and is not a member row.
type Ruolo string

// Roles.
const (
	Componente         Ruolo = "componente"
	ReferenteServizio  Ruolo = "referente_servizio"
	Esperto            Ruolo = "esperto"
	FamiliareReferente Ruolo = "familiare_referente"
)

// RuoliProfessionali are the roles of the professionals, in display order.
var RuoliProfessionali = []Ruolo{Componente, ReferenteServizio, Esperto}

// Label is the role in Italian.
func (r Ruolo) Label() string {
	switch r {
	case Componente:
		return "Componente"
	case ReferenteServizio:
		return "Referente del servizio"
	case Esperto:
		return "Esperto o consulente"
	case FamiliareReferente:
		return "Familiare referente"
	}
	return string(r)
}

// Membro is a member of the équipe.
type Membro struct {
	ID        uuid.UUID
	CasoID    uuid.UUID
	Ruolo     Ruolo
	PersonaID *uuid.UUID // the familiare referente's persona
	Nome      string
	Cognome   string
	Funzione  string
	Ente      string
	Email     string
	Telefono  string
	Dal       time.Time
	Al        *time.Time
	Versione  int
}

// Nominativo is "Nome Cognome".
func (m Membro) Nominativo() string { return m.Nome + " " + m.Cognome }

// Attivo reports whether the member is in the équipe on day oggi.
func (m Membro) Attivo(oggi time.Time) bool {
	return !m.Dal.After(oggi) && (m.Al == nil || !m.Al.Before(oggi))
}

// Cessato reports whether the member's period ended before oggi.
func (m Membro) Cessato(oggi time.Time) bool { return m.Al != nil && m.Al.Before(oggi) }

// Invitabile reports whether the member can be sent a convocazione.
func (m Membro) Invitabile(oggi time.Time) bool {
	return m.Email != "" && (m.Al == nil || !m.Al.Before(oggi))
}

// Familiare is a current member of the nucleo, candidate familiare
// referente.
type Familiare struct {
	PersonaID uuid.UUID
	Nome      string
	Cognome   string
	Relazione string
	Eta       int
	Email     string
	Telefono  string
}

// Maggiorenne reports whether the person is an adult.
func (f Familiare) Maggiorenne() bool { return f.Eta >= 18 }

// Sezione is one section of the extract sent with a convocazione: its
// code, title and plain text.
type Sezione struct {
	Codice string `json:"codice"`
	Titolo string `json:"titolo"`
	Testo  string `json:"testo"`
}

// FonteEstratto provides the sections an extract can be made of: those of
// the case's latest analisi preliminare (internal/analisi), or, before it
// exists, the case's header (FonteCaso). It checks nothing and records
// nothing: the équipe service has done casi.Access or casi.Lock.
type FonteEstratto interface {
	Sezioni(ctx context.Context, casoID uuid.UUID) ([]Sezione, error)
}

// Convocazione of the équipe.
type Convocazione struct {
	ID              uuid.UUID
	CasoID          uuid.UUID
	Inizio          time.Time
	Luogo           string
	OrdineDelGiorno string
	Sezioni         []string
	Estratto        []Sezione // as sent
	Stato           string
	CreatoDa        string // "Nome Cognome" of the case manager
	CreatoIl        time.Time
	Invitati        int
	Inviti          []Invito
}

// Invito is who was sent a convocazione, and how delivery went.
type Invito struct {
	MembroID  uuid.UUID
	Nome      string // "Nome Cognome"
	Funzione  string
	Ente      string
	Email     string
	PostaID   *int64
	Stato     string // of the message (posta.InCoda, …)
	StatoText string
	InviatoIl *time.Time
}

var relazioni = map[string]string{
	"richiedente": "Richiedente", "coniuge": "Coniuge", "convivente": "Convivente", "figlio": "Figlio o figlia",
	"genitore": "Genitore", "altro_parente": "Altro parente", "altro": "Altro",
}

// RelazioneLabel is a relationship in Italian.
func RelazioneLabel(r string) string {
	if l, ok := relazioni[r]; ok {
		return l
	}
	return r
}
