// Package flusso reads and writes the flusso dei nuclei: the households that
// INPS, through SIISL and GePI, passes on to the servizi sociali of the
// Ambito for the Assegno di inclusione and the other measures (DI 8 August
// 2023 art. 3; domain.md §2.1 step 4, §12.6, §13.4–13.5).
//
// The format is JSON Lines, one household (one domanda) per line, and is
// specified in docs/formats/nuclei.md. A household is nested (its members,
// each with flags) and must be applied all or nothing, which a flat CSV would
// split across rows; JSON Lines also streams, and it is what a PDND e-service
// would emit.
//
// The package is pure: no database, no clock unless the caller leaves
// Parser.Oggi or Opzioni.Oggi empty. Parse checks every line completely and
// hands the valid households to a callback, reporting every other line with
// its number and all its reasons; Genera writes plausible synthetic files in
// the same format for demos, tests and load tests.
package flusso

import (
	"time"
)

// VersioneTracciato is the version of the format this package reads and
// writes. Every line carries it, so that a file of a later version is
// rejected line by line with a clear reason instead of being misread.
const VersioneTracciato = 1

// MaxRiga is the longest line Parse accepts, in bytes, without its line
// terminator. A household of ten members takes about 5 KB; the limit only
// keeps a wrong file (a JSON array on one line, a binary file) from being
// read into memory whole.
const MaxRiga = 1 << 20

// Misure: the measures a domanda of the flow may be for (domain.md §13.4).
// The values are those of the misura column of the domanda table.
var Misure = []string{"ADI", "SFL", "RDC", "ALTRO"}

// StatiErogazione: the states of the benefit INPS passes on with the
// domanda ("stato dei pagamenti", decadenza and revoca: DI 8 August 2023
// art. 3).
var StatiErogazione = []string{"in_istruttoria", "accolta", "in_erogazione", "sospesa", "decaduta", "revocata", "terminata"}

// Relazioni: a member's relation to the richiedente. The values are those of
// the relazione column of nucleo_componente.
var Relazioni = []string{"richiedente", "coniuge", "convivente", "figlio", "genitore", "altro_parente", "altro"}

// TipiTitoloSoggiorno: the residence permits a non-Italian member may hold.
// ADI requires a permesso UE per soggiornanti di lungo periodo, protezione
// internazionale, or the right of residence of an EU citizen or family
// member (DL 48/2023 art. 2); "permesso_soggiorno" and "altro" cover the
// rest.
var TipiTitoloSoggiorno = []string{"permesso_ue_lungo_periodo", "protezione_internazionale", "carta_soggiorno_familiare_ue",
	"attestazione_soggiorno_ue", "permesso_soggiorno", "altro"}

// Nucleo is one valid line of the flow: a domanda and the household it is
// for, to be applied all or nothing. Dates are civil dates at midnight UTC,
// the form pgx gives a DATE; optional ones are nil when absent. Text is
// trimmed; codici fiscali are upper case.
type Nucleo struct {
	Riga int // 1-based line of the file

	IDDomanda        string // INPS id of the domanda: the import's idempotence key
	Misura           string // one of Misure
	DataDomanda      time.Time
	DataPAD          *time.Time // signature of the PAD del nucleo; always set for ADI
	DataDecorrenza   *time.Time // first day of the benefit
	DataTrasmissione time.Time  // transmission of the nucleo through GePI/SIISL
	StatoErogazione  string     // one of StatiErogazione
	ComuneResidenza  string     // codice ISTAT, 6 digits

	Contatti Contatti

	// RequisitiAnagraficiVerificati is false for the nuclei whose requisiti
	// anagrafici INPS could not verify (DI 8 August 2023 art. 3): the Comune
	// is asked to check them.
	RequisitiAnagraficiVerificati bool
	EsitiControlli                string        // outcome of INPS's later controls, free text
	AltrePrestazioni              []Prestazione // other prestazioni sociali known to SIUSS

	Componenti []Componente // exactly one with Relazione "richiedente"
}

// Richiedente returns the member who submitted the domanda. A Nucleo handed
// out by Parse always has exactly one.
func (n Nucleo) Richiedente() Componente {
	for _, c := range n.Componenti {
		if c.Relazione == "richiedente" {
			return c
		}
	}
	return Componente{}
}

// Contatti of the household as INPS has them: where to send the convocazione.
type Contatti struct {
	Telefono  string
	Email     string
	Indirizzo string // residence address, always present
}

// Componente is a member of the household.
type Componente struct {
	CodiceFiscale   string
	Cognome         string
	Nome            string
	Sesso           string // "M" or "F"
	DataNascita     time.Time
	LuogoNascita    string           // codice catastale (Belfiore) of the comune or foreign state of birth
	Cittadinanza    string           // ISO 3166-1 alpha-3, "ITA" for Italians, "XXA" for stateless persons
	TitoloSoggiorno *TitoloSoggiorno // nil when none was declared
	Relazione       string           // one of Relazioni

	InScalaEquivalenza    bool // counted in the ISEE equivalence scale
	Disabilita            bool // condizione di disabilità (DPCM 159/2013 all. 3)
	SvantaggioCertificato bool // svantaggio, in a certified care programme (domain.md §11)

	Residenza string
	Domicilio string
	Telefono  string
	Email     string
}

// TitoloSoggiorno is a residence permit.
type TitoloSoggiorno struct {
	Tipo     string     // one of TipiTitoloSoggiorno
	Scadenza *time.Time // nil for permits without expiry
}

// Prestazione is another prestazione sociale received by the household or
// one of its members, as recorded in SIUSS.
type Prestazione struct {
	Codice        string
	Descrizione   string
	CodiceFiscale string // the member who receives it; empty when the whole household does
}
