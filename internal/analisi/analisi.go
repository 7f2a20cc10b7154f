// Package analisi is the analisi preliminare (AP) of a case: the first
// instrument of the valutazione multidimensionale, always required
// (domain.md §3). Its five sections (§3.3) cover the nucleo and each member:
// information on the nucleo, services already involved, needs in the six
// areas of D.Lgs. 147/2017 art. 5, resources and aspirations, and the esito
// A/B/C/D (§3.4) with each member's ADI percorso, reasons of exclusion or
// exemption and invio al CPI (§3.5).
//
// The scheda is a versioned scheda (internal/schede): a draft is saved at
// any point, a stale save is refused with what the other person changed;
// finalising freezes the version and moves the case along (§2.3);
// reopening creates the next version as a draft. The lists it uses (areas,
// reasons, percorsi, esiti, services) live in reference tables, so that the
// official lists can replace them.
package analisi

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/schede"
)

// Tipo is the scheda's kind in internal/schede.
const Tipo = schede.AnalisiPreliminare

// Errors, wrapping the kinds httpx maps to a status.
var (
	// ErrNonTrovata: the case has no analisi preliminare yet, or no such version.
	ErrNonTrovata = fmt.Errorf("analisi: analisi preliminare non trovata: %w", httpx.ErrNotFound)
	// ErrChiuso: a closed case's analisi is read-only.
	ErrChiuso = fmt.Errorf("analisi: il caso è chiuso: %w", httpx.ErrReadOnly)
	// ErrNessunaBozza: saving or finalising when there is no draft (someone
	// finalised it meanwhile).
	ErrNessunaBozza = fmt.Errorf("analisi: nessuna bozza: %w", httpx.ErrConflict)
	// ErrBozzaEsistente: reopening while a draft exists (someone reopened it
	// meanwhile).
	ErrBozzaEsistente = fmt.Errorf("analisi: esiste già una bozza: %w", httpx.ErrConflict)
)

var errori = schede.Errori{NonTrovata: ErrNonTrovata, Chiuso: ErrChiuso, NessunaBozza: ErrNessunaBozza, BozzaEsistente: ErrBozzaEsistente}

// Bisogno: whether a need is present in an area (domain.md §3.3, section 3).
const (
	Presente    = "presente"
	Assente     = "assente"
	NonValutato = "non_valutato"
)

// Bisogni in display order.
var Bisogni = []string{Presente, Assente, NonValutato}

// BisognoLabel is the Italian label of a value of Bisogni.
func BisognoLabel(b string) string {
	switch b {
	case Presente:
		return "Bisogno presente"
	case Assente:
		return "Bisogno assente"
	case NonValutato, "":
		return "Non valutato"
	}
	return b
}

// Contenuto is what a version holds, serialised as the scheda's JSON. Keys
// are stable; members are keyed by codice_fiscale (schede.Differenze
// matches them across versions), areas by their codice, reasons by codice.
type Contenuto struct {
	Nucleo      Nucleo       `json:"nucleo"`
	Componenti  []Componente `json:"componenti"`
	Esito       string       `json:"esito"` // A/B/C/D (analisi_esito.codice)
	Motivazione string       `json:"motivazione"`
}

// Nucleo is the nucleo-level part.
type Nucleo struct {
	// Section 1: the measure (snapshot) and contacts, pre-filled from the case.
	Misura    string `json:"misura"`
	IDDomanda string `json:"id_domanda"`
	DataPAD   string `json:"data_pad"` // yyyy-mm-dd
	Telefono  string `json:"telefono"`
	Email     string `json:"email"`
	Indirizzo string `json:"indirizzo"`
	Domicilio string `json:"domicilio"`
	Note      string `json:"note"`
	// Section 2.
	Servizi     []string `json:"servizi"` // analisi_servizio.codice
	ServiziNote string   `json:"servizi_note"`
	Prestazioni string   `json:"prestazioni"`
	// Section 3: by analisi_area.codice.
	Aree map[string]Area `json:"aree"`
	// Section 4.
	Risorse     string `json:"risorse"`
	Aspirazioni string `json:"aspirazioni"`
}

// Area is the assessment of one of the six areas.
type Area struct {
	Bisogno     string `json:"bisogno"` // Presente, Assente, NonValutato
	Descrizione string `json:"descrizione"`
}

// Componente is one member's part. The anagrafica and the flags are a
// snapshot of the nucleo when the draft was created (or reopened).
type Componente struct {
	CodiceFiscale   string `json:"codice_fiscale"`
	PersonaID       string `json:"persona_id"`
	Cognome         string `json:"cognome"`
	Nome            string `json:"nome"`
	Sesso           string `json:"sesso"`
	DataNascita     string `json:"data_nascita"` // yyyy-mm-dd
	Relazione       string `json:"relazione"`
	InScala         bool   `json:"in_scala"`
	Disabilita      bool   `json:"disabilita"`
	Svantaggio      bool   `json:"svantaggio"`
	VittimaViolenza bool   `json:"vittima_violenza"`
	Uscito          bool   `json:"uscito"` // no longer in the nucleo
	// Section 1 integrations.
	Occupato   bool   `json:"occupato"`
	Studente   bool   `json:"studente"`
	Pensionato bool   `json:"pensionato"`
	Note       string `json:"note"`
	// Section 2.
	Servizi     []string `json:"servizi"`
	ServiziNote string   `json:"servizi_note"`
	// Section 3.
	Aree map[string]Area `json:"aree"`
	// Section 4.
	Risorse     string `json:"risorse"`
	Aspirazioni string `json:"aspirazioni"`
	// Section 5: ADI routing.
	Percorso     string   `json:"percorso"` // analisi_percorso.codice
	Motivi       []Motivo `json:"motivi"`
	InvioCPI     bool     `json:"invio_cpi"`
	DataInvioCPI string   `json:"data_invio_cpi"` // yyyy-mm-dd
}

// Motivo is a reason of exclusion or exemption with its period.
type Motivo struct {
	Codice string `json:"codice"` // analisi_motivo.codice
	Dal    string `json:"dal"`    // yyyy-mm-dd
	Al     string `json:"al"`     // yyyy-mm-dd, empty: still valid
}

// Nominativo is "Cognome Nome".
func (c Componente) Nominativo() string { return strings.TrimSpace(c.Cognome + " " + c.Nome) }

// Eta is the member's age in whole years at oggi (-1 when unknown).
func (c Componente) Eta(oggi time.Time) int {
	d, err := time.Parse(time.DateOnly, c.DataNascita)
	if err != nil {
		return -1
	}
	y := oggi.Year() - d.Year()
	if oggi.Month() < d.Month() || oggi.Month() == d.Month() && oggi.Day() < d.Day() {
		y--
	}
	return y
}

// Minore reports whether the member is under 18 at oggi: the ADI percorsi,
// the reasons of exclusion and the invio al CPI concern adults only (DL
// 48/2023 art. 6), so the form does not ask them.
func (c Componente) Minore(oggi time.Time) bool {
	e := c.Eta(oggi)
	return e >= 0 && e < 18
}

// PuoLavorare reports whether the form asks if the member works: from 16,
// the age at which the obbligo di istruzione ends and work (apprendistato)
// is allowed (L. 296/2006 art. 1 c. 622), or when the age is unknown.
func (c Componente) PuoLavorare(oggi time.Time) bool {
	e := c.Eta(oggi)
	return e < 0 || e >= 16
}

// Motivo returns the member's reason codice.
func (c Componente) Motivo(codice string) (Motivo, bool) {
	for _, m := range c.Motivi {
		if m.Codice == codice {
			return m, true
		}
	}
	return Motivo{}, false
}

// HaServizio reports whether the member has the service codice.
func (c Componente) HaServizio(codice string) bool { return has(c.Servizi, codice) }

// HaServizio reports whether the nucleo has the service codice.
func (n Nucleo) HaServizio(codice string) bool { return has(n.Servizi, codice) }

// Componente returns the member with persona id.
func (c *Contenuto) Componente(personaID string) *Componente {
	for i := range c.Componenti {
		if c.Componenti[i].PersonaID == personaID {
			return &c.Componenti[i]
		}
	}
	return nil
}

func has(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// RelazioneLabel is the Italian label of a relationship to the applicant.
func RelazioneLabel(r string) string {
	switch r {
	case "richiedente":
		return "Richiedente"
	case "coniuge":
		return "Coniuge"
	case "convivente":
		return "Convivente"
	case "figlio":
		return "Figlio/a"
	case "genitore":
		return "Genitore"
	case "altro_parente":
		return "Altro parente"
	case "altro":
		return "Altro"
	}
	return r
}

// DataIT formats a yyyy-mm-dd date as dd/mm/yyyy (as typed when it is not one).
func DataIT(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.Format("02/01/2006")
}

// normData turns a parsable date into yyyy-mm-dd; anything else is kept as
// typed (a draft keeps what was typed; finalising refuses it).
func normData(v string) string {
	v = strings.TrimSpace(v)
	if t, ok := calendario.ParseData(v); ok {
		return t.Format(time.DateOnly)
	}
	return v
}

// Versione is a version of the scheda with its content decoded.
type Versione = schede.Letta[Contenuto]

// uuidOf parses a persona id of the content.
func uuidOf(s string) (uuid.UUID, bool) {
	id, err := uuid.Parse(s)
	return id, err == nil
}
