// Package rete is the network of services of the ambito (Linee guida per la
// costruzione di Reti di servizi connessi all'attuazione dell'ADI, chapters
// III and V): the enti of the network and the comuni they serve; the mappa
// delle risorse, the services each ente offers, which the case managers
// search; the protocolli d'intesa with their capacity, acceptance procedure,
// response times and reasons of refusal; the invii, by which a case manager
// sends a member of a case to a service with the consent to share chosen
// sections of the case, answered by the operatore of the ente (accepted,
// refused with a reason, in progress, concluded) under the protocol's
// response time; and the reporting to the network (Box 7).
//
// Who: the gestore della rete (ambito) manages enti, services and protocols
// and reads the reports; the case manager searches the map and sends and
// follows their cases' invii; the operatore of an ente sees only the invii
// addressed to their ente, with the consented extract, never the case; the
// coordinatore PaIS sees the overdue answers and the reports. Every read and
// write is recorded in the registro.
package rete

import (
	"fmt"

	"github.com/cartella/cartella/internal/httpx"
)

// Errors, wrapping the kinds httpx maps to a status.
var (
	ErrNotFound = fmt.Errorf("rete: non trovato: %w", httpx.ErrNotFound)
	ErrConflict = fmt.Errorf("rete: changed by someone else: %w", httpx.ErrConflict)
	ErrStato    = fmt.Errorf("rete: not possible in this state: %w", httpx.ErrConflict)
)

// Opzione is a value of an enumeration with its Italian label.
type Opzione struct{ Codice, Etichetta string }

// etichetta finds the label of codice among os (codice itself if unknown).
func etichetta(os []Opzione, codice string) string {
	for _, o := range os {
		if o.Codice == codice {
			return o.Etichetta
		}
	}
	return codice
}

// valido reports whether codice is among os.
func valido(os []Opzione, codice string) bool {
	for _, o := range os {
		if o.Codice == codice {
			return true
		}
	}
	return false
}

// TipiEnte are the kinds of ente (rete_ente.tipo).
var TipiEnte = []Opzione{
	{"comune", "Comune"}, {"ats", "Ambito territoriale sociale"}, {"cpi", "Centro per l'impiego"},
	{"sanitario", "ASL, distretto o consultorio"}, {"scuola", "Scuola o CPIA"},
	{"terzo_settore", "Ente del Terzo settore"}, {"patronato_caf", "Patronato o CAF"},
	{"formazione", "Ente di formazione"}, {"altro", "Altro"},
}

// Aree are the areas of the mappa delle risorse (rete_servizio.area).
var Aree = []Opzione{
	{"lavoro_formazione", "Lavoro e formazione"}, {"salute", "Salute"}, {"istruzione", "Istruzione"},
	{"abitazione", "Abitazione"}, {"relazioni_socializzazione", "Relazioni e socializzazione"},
	{"sostegno_economico", "Sostegno economico"}, {"altro", "Altro"},
}

// Periodi of capacity (rete_servizio.periodo_capacita).
var Periodi = []Opzione{{"settimana", "a settimana"}, {"mese", "al mese"}, {"trimestre", "a trimestre"}, {"anno", "all'anno"}}

// Procedure of acceptance of a protocol (Linee guida, Tabella 2).
var Procedure = []Opzione{
	{"immediata", "Accettazione immediata se sussistono i requisiti"},
	{"ordine_arrivo", "In ordine di arrivo"},
	{"priorita", "Secondo priorità concordate"},
	{"nuova_valutazione", "Subordinata a una nuova valutazione dell'ente"},
	{"disponibilita_budget", "Subordinata alla disponibilità di budget"},
}

// PeriodiRendicontazione of a protocol.
var PeriodiRendicontazione = []Opzione{{"mese", "Mensile"}, {"trimestre", "Trimestrale"}, {"semestre", "Semestrale"}, {"anno", "Annuale"}}

// StatiInvio are the states of an invio: inviato → ricevuto → accettato |
// rifiutato; accettato → in_corso → concluso; ritirato by the case manager
// before a conclusion.
var StatiInvio = []Opzione{
	{"inviato", "Inviato"}, {"ricevuto", "Ricevuto dall'ente"}, {"accettato", "Accettato"},
	{"rifiutato", "Rifiutato"}, {"in_corso", "In corso"}, {"concluso", "Concluso"}, {"ritirato", "Ritirato"},
}

// Sezioni of a case that the person may consent to share with an ente; the
// invio itself (service, motivation, the member's name and how to reach
// them) always goes.
var Sezioni = []Opzione{
	{"anagrafica", "Dati anagrafici e recapiti del componente"},
	{"nucleo", "Composizione del nucleo"},
	{"condizioni", "Condizioni del componente (disabilità, svantaggio)"},
	{"analisi", "Esito dell'analisi preliminare e bisogni rilevati"},
	{"patto", "Obiettivi e impegni del patto che riguardano il componente"},
	{"sostegno", "Il sostegno del patto a cui l'invio si riferisce"},
}

// ModalitaConsenso are the ways a consent is given.
var ModalitaConsenso = []Opzione{{"scritto", "Per iscritto (modulo firmato)"}, {"orale_verbalizzato", "A voce, verbalizzato"}, {"digitale", "In forma digitale"}}

// EsitiConclusione of a concluded invio.
var EsitiConclusione = []Opzione{{"completato", "Percorso completato"}, {"interrotto", "Percorso interrotto"}}
