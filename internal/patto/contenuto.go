// Package patto is the Patto per l'inclusione sociale (PaIS) of a case
// (domain.md §6): objectives with expected results, sostegni, impegni, the
// équipe, the case manager and the familiare responsabile, the monitoring
// method and the duration. The patto is a versioned scheda
// (internal/schede, tipo "patto"): a draft is built and agreed with the
// family; signing finalises the version, which never changes again; a
// revision is a new version with its reason.
//
// This file is the content model shared by the patto's pages, its
// monitoring (meetings assess its risultati and impegni by ID) and the
// records for the national e-services: keep the JSON keys stable.
package patto

import "github.com/cartella/cartella/internal/schede"

// Tipo is the patto's tipo of scheda.
const Tipo = schede.Patto

// Contenuto is the patto as the scheda stores it. IDs of objectives,
// results, sostegni and impegni are generated once (uuid strings) and kept
// across versions, so that meetings, sostegni in progress and the national
// records refer to the same item whatever the version.
type Contenuto struct {
	Obiettivi []Obiettivo `json:"obiettivi,omitempty"`
	Sostegni  []Sostegno  `json:"sostegni,omitempty"`
	Impegni   []Impegno   `json:"impegni,omitempty"`

	// The people of the patto, as at the last save: the case manager
	// (responsabile del caso), the members of the équipe, the familiare
	// responsabile (persona_id of a member of the nucleo).
	CaseManager           string          `json:"case_manager,omitempty"`
	Equipe                []MembroEquipe  `json:"equipe,omitempty"`
	FamiliareResponsabile string          `json:"familiare_responsabile,omitempty"`
	Componenti            []Componente    `json:"componenti,omitempty"`                // the nucleo, snapshot
	Monitoraggio          string          `json:"monitoraggio,omitempty"`              // methods of monitoring, periodic check and revision
	FrequenzaIncontri     int             `json:"frequenza_incontri_giorni,omitempty"` // days between monitoring meetings (at most 90)
	Dal                   string          `json:"dal,omitempty"`                       // duration: yyyy-mm-dd
	Al                    string          `json:"al,omitempty"`                        // may outlast the benefit
	ProgettiIntegrati     string          `json:"progetti_integrati,omitempty"`        // projects of other services the patto integrates
	Note                  string          `json:"note,omitempty"`
	Sottoscrizione        *Sottoscrizione `json:"sottoscrizione,omitempty"` // set when signed
}

// Componente is a member of the nucleo as the patto names them.
type Componente struct {
	PersonaID     string `json:"persona_id"`
	CodiceFiscale string `json:"codice_fiscale"`
	Cognome       string `json:"cognome"`
	Nome          string `json:"nome"`
	DataNascita   string `json:"data_nascita"`
	Relazione     string `json:"relazione"`
}

// MembroEquipe is a member of the équipe as the patto names them.
type MembroEquipe struct {
	ID       string `json:"id"` // equipe_membro.id
	Nome     string `json:"nome"`
	Cognome  string `json:"cognome"`
	Funzione string `json:"funzione"`
	Ente     string `json:"ente,omitempty"`
}

// Obiettivo is an objective: a priority need re-read as the change wanted.
type Obiettivo struct {
	ID          string      `json:"id"`
	Titolo      string      `json:"titolo"`
	Descrizione string      `json:"descrizione,omitempty"`
	Dimensione  string      `json:"dimensione,omitempty"` // the quadro's dimension it comes from, if any
	PersonaID   string      `json:"persona_id,omitempty"` // "" for the nucleo
	Entro       string      `json:"entro,omitempty"`      // expected time: yyyy-mm-dd
	Risultati   []Risultato `json:"risultati,omitempty"`
}

// Risultato is an expected result of an objective: an intermediate step.
type Risultato struct {
	ID          string `json:"id"`
	Descrizione string `json:"descrizione"`
	Entro       string `json:"entro,omitempty"` // yyyy-mm-dd
}

// Sostegno is a service or intervention activated for the nucleo or a
// member (domain.md §6.3). Its progress after signing (actual dates, state
// and reason) is not part of the signed version: see the attuazione.
type Sostegno struct {
	ID                 string `json:"id"`
	Tipo               string `json:"tipo"`                 // codice of the catalogue (patto_sostegno_tipo)
	PersonaID          string `json:"persona_id,omitempty"` // "" for the nucleo
	EnteErogatore      string `json:"ente_erogatore"`
	Referente          string `json:"referente,omitempty"`
	AvvioPrevisto      string `json:"avvio_previsto,omitempty"` // yyyy-mm-dd
	FinePrevista       string `json:"fine_prevista,omitempty"`
	ObiettivoID        string `json:"obiettivo_id,omitempty"`
	FonteFinanziamento string `json:"fonte_finanziamento,omitempty"`
	Note               string `json:"note,omitempty"`
}

// Impegno is a commitment of a member (domain.md §6.2): the obliged member
// carries it out, the others involved are not bound by it.
type Impegno struct {
	ID          string   `json:"id"`
	Area        string   `json:"area"`       // codice of patto_impegno_area
	PersonaID   string   `json:"persona_id"` // the member tenuto agli obblighi
	Coinvolti   []string `json:"coinvolti,omitempty"`
	Descrizione string   `json:"descrizione"`
	Frequenza   string   `json:"frequenza,omitempty"` // e.g. "ogni settimana"
	Scadenza    string   `json:"scadenza,omitempty"`  // yyyy-mm-dd
	ObiettivoID string   `json:"obiettivo_id,omitempty"`
}

// Sottoscrizione is how the version was signed.
type Sottoscrizione struct {
	Data      string       `json:"data"`           // yyyy-mm-dd
	Modalita  string       `json:"modalita"`       // cartacea (scan uploaded), fea, otp, altra
	Nota      string       `json:"nota,omitempty"` // how, when the modalità is "altra"
	Firmatari []Firmatario `json:"firmatari"`
	Scansione string       `json:"scansione,omitempty"` // id of the uploaded signed scan
}

// Firmatario is one who signed: a member of the nucleo or an operator.
type Firmatario struct {
	Tipo      string `json:"tipo"` // componente | operatore
	PersonaID string `json:"persona_id,omitempty"`
	Nome      string `json:"nome"`            // "Cognome Nome"
	Ruolo     string `json:"ruolo,omitempty"` // case manager, familiare responsabile, membro dell'équipe…
}

// Componente returns the member with persona_id id.
func (c Contenuto) Componente(id string) (Componente, bool) {
	for _, m := range c.Componenti {
		if m.PersonaID == id {
			return m, true
		}
	}
	return Componente{}, false
}

// Risultato returns the result with id, and its objective.
func (c Contenuto) Risultato(id string) (Obiettivo, Risultato, bool) {
	for _, o := range c.Obiettivi {
		for _, r := range o.Risultati {
			if r.ID == id {
				return o, r, true
			}
		}
	}
	return Obiettivo{}, Risultato{}, false
}

// Impegno returns the impegno with id.
func (c Contenuto) Impegno(id string) (Impegno, bool) {
	for _, i := range c.Impegni {
		if i.ID == id {
			return i, true
		}
	}
	return Impegno{}, false
}
