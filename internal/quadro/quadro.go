// Package quadro is the quadro di analisi of a case (domain.md §5): the
// second part of the valutazione multidimensionale, filled when the
// analisi preliminare ends with esito C. Each dimension of the nucleo (area
// Ambiente e famiglia) and of each member (area Bisogni e risorse della
// persona) is assessed with a need level, resources, priority, source and
// notes; the priority dimensions become the starting objectives of the
// patto. The quadro is a versioned scheda (internal/schede); its dimensions
// and scales are reference tables (migration 000011).
package quadro

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/schede"
)

// Tipo is the quadro's tipo of scheda.
const Tipo = schede.QuadroAnalisi

// Errors.
var (
	ErrNonTrovata     = fmt.Errorf("quadro: non trovato: %w", httpx.ErrNotFound)
	ErrChiuso         = fmt.Errorf("quadro: il caso è chiuso: %w", httpx.ErrReadOnly)
	ErrNessunaBozza   = fmt.Errorf("quadro: nessuna bozza: %w", httpx.ErrConflict)
	ErrBozzaEsistente = fmt.Errorf("quadro: esiste già una bozza: %w", httpx.ErrConflict)
	// ErrNonAttivato: the case has not reached the quadro (esito C of the
	// analisi preliminare moves it to "QdA in corso").
	ErrNonAttivato = errors.New("quadro: non ancora attivato")
)

var errori = schede.Errori{NonTrovata: ErrNonTrovata, Chiuso: ErrChiuso, NessunaBozza: ErrNessunaBozza, BozzaEsistente: ErrBozzaEsistente}

// Valutazione is the assessment of one dimension (§5.3).
type Valutazione struct {
	Bisogno  string `json:"bisogno,omitempty"`         // quadro_scala 'bisogno'
	Livello  string `json:"risorse_livello,omitempty"` // quadro_scala 'risorse'
	Risorse  string `json:"risorse,omitempty"`         // resources and protective factors
	Priorita bool   `json:"priorita,omitempty"`        // to be addressed in the patto
	Fonte    string `json:"fonte,omitempty"`           // quadro_scala 'fonte'
	Note     string `json:"note,omitempty"`
}

// Vuota reports whether nothing was assessed.
func (v Valutazione) Vuota() bool { return v == Valutazione{} }

// Persona is a member of the nucleo in the quadro: an anagrafica snapshot
// and the assessment of each personal dimension.
type Persona struct {
	PersonaID   string                 `json:"persona_id"`
	Cognome     string                 `json:"cognome"`
	Nome        string                 `json:"nome"`
	DataNascita string                 `json:"data_nascita"`
	Relazione   string                 `json:"relazione"`
	Uscito      bool                   `json:"uscito,omitempty"` // left the nucleo since
	Dimensioni  map[string]Valutazione `json:"dimensioni,omitempty"`
}

// Nominativo is "Cognome Nome".
func (p Persona) Nominativo() string { return strings.TrimSpace(p.Cognome + " " + p.Nome) }

// Minore reports whether the member is under 18 on day.
func (p Persona) Minore(day time.Time) bool {
	d, err := time.Parse(time.DateOnly, p.DataNascita)
	return err == nil && d.AddDate(18, 0, 0).After(day)
}

// Anni is the member's age on day (200 when the birth date is unknown, so
// that no minimum age hides a dimension).
func (p Persona) Anni(day time.Time) int {
	d, err := time.Parse(time.DateOnly, p.DataNascita)
	if err != nil {
		return 200
	}
	y := day.Year() - d.Year()
	if day.Month() < d.Month() || (day.Month() == d.Month() && day.Day() < d.Day()) {
		y--
	}
	return y
}

// Contenuto is the quadro as the scheda stores it.
type Contenuto struct {
	Famiglia map[string]Valutazione `json:"famiglia,omitempty"` // by dimension codice
	Persone  []Persona              `json:"persone,omitempty"`
	Sintesi  string                 `json:"sintesi,omitempty"`
}

// Versione is a version of the quadro with its content decoded.
type Versione = schede.Letta[Contenuto]

// Dimensione is a row of quadro_dimensione.
type Dimensione struct {
	Codice, Etichetta, Descrizione string
	Persona                        bool // livello 'persona'
	SoloMinori                     bool
	EtaMinima                      int  // 0: any age
	Valida                         bool // offered in new schede today
}

// Voce is a row of quadro_scala.
type Voce struct {
	Codice, Etichetta string
	Valida            bool
}

// Scala is a scale in display order.
type Scala []Voce

// Label returns the label of codice ("" for "", codice when unknown).
func (s Scala) Label(codice string) string {
	if codice == "" {
		return ""
	}
	for _, v := range s {
		if v.Codice == codice {
			return v.Etichetta
		}
	}
	return codice
}

func (s Scala) has(codice string) bool {
	for _, v := range s {
		if v.Codice == codice {
			return true
		}
	}
	return false
}

// Riferimenti are the reference lists, as valid on a day.
type Riferimenti struct {
	Dimensioni              []Dimensione
	Bisogno, Risorse, Fonte Scala
}

// Famiglia are the dimensions of the nucleo to show: the valid ones and any
// no longer valid that c assessed.
func (r Riferimenti) Famiglia(c Contenuto) []Dimensione {
	var out []Dimensione
	for _, d := range r.Dimensioni {
		if !d.Persona && (d.Valida || !c.Famiglia[d.Codice].Vuota()) {
			out = append(out, d)
		}
	}
	return out
}

// DellaPersona are the dimensions of member p to show.
func (r Riferimenti) DellaPersona(p Persona, oggi time.Time) []Dimensione {
	var out []Dimensione
	for _, d := range r.Dimensioni {
		if !d.Persona {
			continue
		}
		if _, ok := p.Dimensioni[d.Codice]; ok && !p.Dimensioni[d.Codice].Vuota() {
			out = append(out, d)
			continue
		}
		if d.Valida && (!d.SoloMinori || p.Minore(oggi)) && (d.EtaMinima == 0 || p.Anni(oggi) >= d.EtaMinima) {
			out = append(out, d)
		}
	}
	return out
}

// Etichetta returns the label of a dimension codice.
func (r Riferimenti) Etichetta(codice string) string {
	for _, d := range r.Dimensioni {
		if d.Codice == codice {
			return d.Etichetta
		}
	}
	return codice
}

// Priorita is a dimension marked as priority in a finalised quadro: a
// starting objective of the patto.
type Priorita struct {
	Dimensione string // codice
	Etichetta  string
	Bisogno    string // label of the need level
	PersonaID  string // "" for the nucleo
	Persona    string // "Cognome Nome", "" for the nucleo
	Note       string
	Risorse    string
}

// priorita lists the priority dimensions of c.
func priorita(c Contenuto, rif Riferimenti) []Priorita {
	var out []Priorita
	for _, d := range rif.Dimensioni {
		if v := c.Famiglia[d.Codice]; !d.Persona && v.Priorita {
			out = append(out, Priorita{Dimensione: d.Codice, Etichetta: d.Etichetta, Bisogno: rif.Bisogno.Label(v.Bisogno), Note: v.Note, Risorse: v.Risorse})
		}
	}
	for _, p := range c.Persone {
		if p.Uscito {
			continue
		}
		for _, d := range rif.Dimensioni {
			if v := p.Dimensioni[d.Codice]; d.Persona && v.Priorita {
				out = append(out, Priorita{Dimensione: d.Codice, Etichetta: d.Etichetta, Bisogno: rif.Bisogno.Label(v.Bisogno),
					PersonaID: p.PersonaID, Persona: p.Nominativo(), Note: v.Note, Risorse: v.Risorse})
			}
		}
	}
	return out
}

// allinea brings a reopened content up to date with the nucleo: members who
// joined are added, those who left are marked. It reports whether anything
// changed.
func allinea(c Contenuto, attuali []Persona) (Contenuto, bool) {
	cambiato := false
	presenti := map[string]Persona{}
	for _, a := range attuali {
		presenti[a.PersonaID] = a
	}
	for i := range c.Persone {
		m := &c.Persone[i]
		a, ok := presenti[m.PersonaID]
		if !ok {
			if !m.Uscito {
				m.Uscito, cambiato = true, true
			}
			continue
		}
		delete(presenti, m.PersonaID)
		if m.Uscito || m.Relazione != a.Relazione {
			m.Uscito, m.Relazione, cambiato = false, a.Relazione, true
		}
	}
	for _, a := range attuali {
		if _, nuovo := presenti[a.PersonaID]; nuovo {
			c.Persone = append(c.Persone, a)
			cambiato = true
		}
	}
	return c, cambiato
}
