// Package prestazioni records the prestazioni sociali erogate to the people
// in charge of the servizio sociale (any case: ADI or a presa in carico
// without a measure), with the SINA assessment of a non-self-sufficient
// person, and writes for each insertion, correction and cancellation the
// PS-PSA-SINA flow that SIUSS acquires from the ente (issue 18; INPS's
// contract in docs/specs/inps-waas/).
//
// The fields, their codes and their limits are those of INPS's XML Schema
// PS_PSA_SINA201812.xsd (PrestazioniSocialiType, SINAType) and of the
// technical specification's table 9 (the rules across fields: DSU all or
// none, the dates and amounts each carattere requires, the quote adding up
// to the amount). Every flow is validated against the schema with xmllint
// before it is stored (ADR 0020): a flow that would not validate is never
// written, and the operator reads what to correct.
//
// A flow carries one beneficiary and one prestazione (cooperazione
// applicativa). An insertion is one flow with TipoOperazione I; a
// cancellation one with C; a correction a C of the prestazione as it was
// followed by an I of it as it is now. Each flow has its id_flusso
// (EEEEE.PS.AAAAMMGG.NNNNNNN: the ente, the day, the day's progressivo) and
// its ts_flusso, strictly increasing per ente at millisecond precision: the
// ente's row of siuss_ente is locked by every flow written.
//
// A sostegno of the case's signed patto that is a prestazione is recorded
// once, not twice: the prestazione names it (sostegno_id, at most one live
// prestazione per sostegno of a case, migration 000028; a cancellation
// frees it), and the patto's page shows it through patto.FontePrestazioni.
//
// The case manager of the case records them from the case
// (/casi/{id}/prestazioni), through casi.ScriviContenuto like every case
// module; the amministratore di ambito sets the ente's data the flows carry
// (/admin/siuss). Every read and write is in the registro.
//
// INPS acquires the flows by polling the ente's e-service on PDND (waas.go:
// /waas/v1 exactly as docs/specs/inps-waas/api-comuni.yaml, each call with
// a PDND voucher checked by internal/pdnd) and sends back its outcome of
// each flow, which the case manager reads on the case; the operatore ATS
// follows the ambito's flows at /siuss (monitoraggio.go) by ids, codes and
// states only.
package prestazioni

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors.
var (
	ErrNotFound = fmt.Errorf("prestazioni: %w", httpx.ErrNotFound)
	// ErrConflict: the prestazione (or the ente's data) was changed by
	// someone else since the form was shown (optimistic locking on versione).
	ErrConflict = fmt.Errorf("prestazioni: changed by someone else: %w", httpx.ErrConflict)
	// ErrChiuso: the case is closed, its prestazioni are read-only.
	ErrChiuso = fmt.Errorf("prestazioni: il caso è chiuso: %w", httpx.ErrReadOnly)
)

// Scelta is a code of an enumeration of the schema with its Italian label.
type Scelta struct{ Value, Label string }

// The enumerations of PS_PSA_SINA201812.xsd, with the schema's own labels.
var (
	Caratteri  = []Scelta{{"1", "Periodica"}, {"2", "Occasionale (una tantum)"}}
	ProveMezzi = []Scelta{
		{"1", "Soggetta a ISEE"},
		{"2", "Soggetta a prova dei mezzi, ma non attraverso l'ISEE"},
		{"3", "Soggetta a ISEE, ma esentata per questo beneficiario per altri criteri di bisogno"},
		{"4", "Non soggetta a prova dei mezzi"},
	}
	PreseInCarico = []Scelta{{"1", "Sì"}, {"2", "No"}}
	AreeUtenza    = []Scelta{{"1", "Famiglia e minori"}, {"2", "Disabilità e non autosufficienza"}, {"3", "Povertà ed esclusione sociale"}}

	Mobilita                = []Scelta{{"1", "Si sposta da solo"}, {"2", "Si sposta assistito"}, {"3", "Non si sposta"}}
	AttivitaVita            = []Scelta{{"1", "Autonomo"}, {"2", "Parzialmente dipendente"}, {"3", "Totalmente dipendente"}}
	DisturbiCognitivi       = []Scelta{{"1", "Lievi"}, {"2", "Moderati"}, {"3", "Gravi"}}
	DisturbiComportamentali = []Scelta{{"1", "Assenti"}, {"2", "Presenti"}}
	CureSanitarie           = []Scelta{{"1", "Bassa"}, {"2", "Media"}, {"3", "Alta"}}
	AreaReddituale          = []Scelta{{"1", "Autonomo e in equilibrio finanziario"}, {"2", "Riceve aiuto da parenti o da altre persone"},
		{"3", "In condizione di bisogno economico, senza aiuto da parenti o altre persone"}}
	AreaSupporto = []Scelta{{"1", "Presenza della rete familiare o informale"}, {"2", "Presenza parziale o temporanea della rete familiare o informale"},
		{"3", "Assenza della rete familiare o informale"}}
	FontiValutazione     = []Scelta{{"1", "UVM"}, {"2", "Cartella sociale"}, {"3", "Altra documentazione"}, {"4", "Raccolta diretta"}}
	StrumentiValutazione = []Scelta{{"1", "SVAMA"}, {"2", "AGED"}, {"3", "RUG"}, {"4", "SOSIA"}, {"5", "Schema polare"}, {"6", "VALGRAF"},
		{"7", "Altro sistema di codifica"}}
	FontiInvalidita = []Scelta{{"1", "Certificazione verificata online o cartacea"}, {"2", "Dichiarazione della persona"}}
	Invalidita      = []Scelta{
		{"1", "Invalidità civile parziale non inferiore al 75%"},
		{"2", "Invalidità civile totale (100%) con indennità di accompagnamento"},
		{"3", "Invalidità civile totale (100%) senza indennità di accompagnamento"},
		{"4", "Certificazione NPI"},
		{"5", "Legge 104, art. 3, comma 1"},
		{"6", "Legge 104, art. 3, comma 3"},
		{"7", "Legge 104, art. 12"},
		{"8", "Legge 104, art. 13"},
	}
)

// Etichetta is the label of code v in list, v itself when unknown.
func Etichetta(list []Scelta, v string) string {
	for _, s := range list {
		if s.Value == v {
			return s.Label
		}
	}
	return v
}

func valido(list []Scelta, v string) bool {
	for _, s := range list {
		if s.Value == v {
			return true
		}
	}
	return false
}

// Dati are the fields of a prestazione as the schema has them: codes as
// strings, dates, amounts as canonical decimals ("350.00"; "" when not
// given). Modulo is the same as typed.
type Dati struct {
	PersonaID         uuid.UUID
	Codice            string
	Denominazione     string // from the catalogue
	Carattere         string
	ProvaMezzi        string
	DSUProtocollo     string
	DSUAnno           string
	DSUData           *time.Time
	ProtocolloDomanda string
	DataEvento        *time.Time
	DataInizio        *time.Time
	DataFine          *time.Time
	DataErogazione    *time.Time
	Importo           string
	Periodo           int // 0: not given
	ImportoMensile    string
	QuotaEnte         string
	QuotaUtente       string
	QuotaSSN          string
	QuotaRichiesta    string
	SogliaISEE        string
	OreMensili        string
	PresaCarico       string
	AreaUtenza        string
	SINA              *SINA
	// SostegnoID is the sostegno of the case's signed patto this
	// prestazione is (patto.Sostegno.ID), "" when none: a sostegno that is
	// a prestazione is recorded once (migration 000028).
	SostegnoID string
}

// SINA is the assessment of a non-self-sufficient person (SINAType).
type SINA struct {
	Mobilita, AttivitaVita, Cognitivi, Comportamentali, Cure string
	Reddituale, Supporto, Fonte, Strumento, FonteInvalidita  string
	Invalidita                                               []string // InvCiv codes
	Interventi                                               []string // NecessitaInterventiSociali: catalogue codes
}

// Prestazione as recorded, with its flows.
type Prestazione struct {
	ID     uuid.UUID
	CasoID uuid.UUID
	Dati
	Beneficiario string // "Cognome Nome"
	Versione     int
	RegistratoDa string
	RegistratoIl time.Time
	AggiornatoIl time.Time
	CancellataIl *time.Time
	Flussi       []Flusso // oldest first
}

// Cancellata reports whether the prestazione was cancelled.
func (p Prestazione) Cancellata() bool { return p.CancellataIl != nil }

// Flusso is a PS-PSA-SINA flow as stored.
type Flusso struct {
	ID             int64
	IDFlusso       string
	TipoOperazione string // I or C
	TS             time.Time
	Stato          string // pronto, offerto, acquisito, scartato
	// INPS's outcome (POST /esiti of the e-service): its code, its
	// description, SIUSS's acquisition code when OK.
	CodiceEsito      string
	DescrizioneEsito string
	IDAcquisizione   string
}

// StatoLabel is how the case manager reads the flow's state.
func (f Flusso) StatoLabel() string {
	switch f.Stato {
	case "pronto":
		return "pronto per INPS"
	case "offerto":
		return "inviato a INPS, in attesa dell'esito"
	case "acquisito":
		return "acquisito da INPS"
	case "scartato":
		return "scartato da INPS"
	}
	return f.Stato
}

// Modulo is the prestazione form as typed: nothing is lost when it is
// refused.
type Modulo struct {
	PersonaID, Codice, Carattere, ProvaMezzi                     string
	DSUProtocollo, DSUAnno, DSUData, ProtocolloDomanda           string
	DataEvento, DataInizio, DataFine, DataErogazione             string
	Importo, Periodo, ImportoMensile                             string
	QuotaEnte, QuotaUtente, QuotaSSN, QuotaRichiesta, SogliaISEE string
	OreMensili, PresaCarico, AreaUtenza                          string
	SINA                                                         bool
	Mobilita, AttivitaVita, Cognitivi, Comportamentali, Cure     string
	Reddituale, Supporto, Fonte, Strumento, FonteInvalidita      string
	Invalidita                                                   []string
	Interventi                                                   string // codes separated by commas or spaces
	SostegnoID                                                   string // a sostegno of the signed patto, "" for none
	Versione                                                     string
}

// SostegnoPatto is a sostegno of the case's newest signed patto as the
// prestazione form offers it.
type SostegnoPatto struct {
	ID        string
	Etichetta string // the catalogue's label, the ente erogatore, the dates
	PersonaID string // the member it is for, "" for the nucleo
	// Prestazione is the live prestazione it is linked to, uuid.Nil when
	// none.
	Prestazione uuid.UUID
}

// Ente is the ente erogatore of an ambito as the flows name it (EnteType).
type Ente struct {
	AmbitoID      int64
	CodiceEnte    string // Codice, and the EEEEE of id_flusso
	Belfiore      string // Indirizzo: the codice catastale of the seat
	Denominazione string
	CFOperatore   string
	Versione      int // 0: not configured yet
}

// ModuloEnte is the ente form as typed.
type ModuloEnte struct{ CodiceEnte, Belfiore, Denominazione, CFOperatore, Versione string }
