// Package home serves "/": the public landing page, and for a signed-in
// operator the home of the role they act in, which says what the role does
// and what it may see under the GePI role model (nota Ministero 2019).
package home

import (
	"context"
	"fmt"
	"net/http"
	"time"
	_ "time/tzdata" // Europe/Rome on machines without a zoneinfo database

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/session"
)

// DemoAccount is a demo login shown on the landing page in demo mode.
type DemoAccount struct {
	Username, Ruolo, Ambito string
}

// Lavoro is the operator's work at a glance: counts, each with the page
// that lists them.
type Lavoro struct {
	Voci []VoceLavoro
	Note []string // what the sources add under the counts (e.g. the day-20 cut-off)
}

// VoceLavoro is one count.
type VoceLavoro struct {
	Etichetta string // after a number other than 1: "casi aperti"
	Singolare string // after 1, when it differs: "caso aperto"
	Numero    int
	Href      string
	Allarme   bool // shown as a warning when not zero
}

// Testo is the label that goes with the number.
func (v VoceLavoro) Testo() string {
	if v.Numero == 1 && v.Singolare != "" {
		return v.Singolare
	}
	return v.Etichetta
}

// Contatore is one source of the home's work counts: the counts a module
// keeps of the work of an operator acting in Ruolo. Voci are their labels,
// links and alarms; Conta gives their numbers, one for each voce in order
// (ok false: nothing to count for p). internal/app lists the sources.
type Contatore struct {
	Ruolo authz.Ruolo
	Voci  []VoceLavoro
	Conta func(ctx context.Context, p authz.Principal) (numeri []int, ok bool, err error)
	// Nota, when set, is a line shown under the counts, from the numbers
	// just counted ("" for none).
	Nota func(numeri []int) string
}

// Uno adapts a single count to Contatore.Conta.
func Uno(conta func(ctx context.Context, p authz.Principal) (int, bool, error)) func(context.Context, authz.Principal) ([]int, bool, error) {
	return func(ctx context.Context, p authz.Principal) ([]int, bool, error) {
		n, ok, err := conta(ctx, p)
		return []int{n}, ok, err
	}
}

// lavoroDi returns the counts of p's work, in the order of the sources; ok
// is false when no source has any for p's role.
func lavoroDi(ctx context.Context, fonti []Contatore, p authz.Principal) (l Lavoro, ok bool, err error) {
	for _, c := range fonti {
		if c.Ruolo != p.Ruolo {
			continue
		}
		numeri, ok, err := c.Conta(ctx, p)
		if err != nil {
			return Lavoro{}, false, err
		}
		if !ok {
			continue
		}
		if len(numeri) != len(c.Voci) {
			return Lavoro{}, false, fmt.Errorf("home: %d counts for %d labels (%s)", len(numeri), len(c.Voci), c.Ruolo)
		}
		for i, v := range c.Voci {
			v.Numero = numeri[i]
			l.Voci = append(l.Voci, v)
		}
		if c.Nota != nil {
			if n := c.Nota(numeri); n != "" {
				l.Note = append(l.Note, n)
			}
		}
	}
	return l, len(l.Voci) > 0, nil
}

// Handler serves the home pages.
type Handler struct {
	rs       *httpx.Responder
	sessions interface {
		IdleExpiry(session.Session) time.Time
	}
	demo   []DemoAccount // nil outside demo mode
	lavoro []Contatore   // nil: no counts
}

// ConLavoro makes the home show the operator's work at a glance, counted
// by the sources fonti in the order shown.
func (h *Handler) ConLavoro(fonti ...Contatore) *Handler {
	h.lavoro = fonti
	return h
}

// NewHandler returns the handler; demo lists the demo accounts (nil in production).
func NewHandler(rs *httpx.Responder, sessions interface {
	IdleExpiry(session.Session) time.Time
}, demo []DemoAccount) *Handler {
	return &Handler{rs: rs, sessions: sessions, demo: demo}
}

func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) {
	p, ok := authz.PrincipalFrom(r.Context())
	if !ok {
		if _, hasSession := session.FromContext(r.Context()); hasSession {
			httpx.Redirect(w, r, "/ruolo")
			return
		}
		h.rs.Render(w, r, http.StatusOK, landingPage(h.rs.Shell(r), h.demo))
		return
	}
	s, _ := session.FromContext(r.Context())
	props := homeProps{
		Saluto:      saluto(time.Now()),
		Nome:        p.NomeCompleto(),
		Ruolo:       p.RuoloLabel,
		Ambito:      p.Ambito,
		Compiti:     compiti[p.Ruolo],
		Visibilita:  visibilita[p.Ruolo],
		Accesso:     s.CreatedAt,
		ScadenzaMax: s.ExpiresAt,
		Inattivita:  h.sessions.IdleExpiry(s),
	}
	if h.lavoro != nil {
		l, ok, err := lavoroDi(r.Context(), h.lavoro, p)
		if err != nil {
			// The home still opens: the counts are a convenience.
			h.rs.Log.ErrorContext(r.Context(), "home: work counts", "error", err)
		} else if ok {
			props.Lavoro = &l
		}
	}
	h.rs.Render(w, r, http.StatusOK, homePage(h.rs.Shell(r), props))
}

type homeProps struct {
	Saluto              string
	Nome, Ruolo, Ambito string
	Compiti             []string
	Visibilita          string
	Accesso             time.Time
	ScadenzaMax         time.Time
	Inattivita          time.Time
	Lavoro              *Lavoro // nil: none for the role
}

// saluto greets as Italians do: buongiorno until the afternoon, then buonasera.
func saluto(now time.Time) string {
	if h := now.In(calendario.Roma).Hour(); h >= 17 || h < 4 {
		return "Buonasera"
	}
	return "Buongiorno"
}

// compiti are the role's duties as the 2019 note and domain.md §1.1 list them.
var compiti = map[authz.Ruolo][]string{
	authz.AmministratoreSistema: {
		"Crea gli Ambiti territoriali sociali e vi associa i comuni.",
		"Accredita gli amministratori di ambito.",
	},
	authz.AmministratoreAmbito: {
		"Accredita gli operatori dell'Ambito e ne gestisce sospensione, riattivazione e revoca.",
		"Assegna a ciascun operatore i ruoli, i comuni di competenza e il fondo che finanzia il suo incarico.",
		"Consulta il registro degli accessi dell'Ambito.",
	},
	authz.CoordinatorePaIS: {
		"Assegna i nuclei in ingresso ai case manager e ne organizza i carichi di lavoro.",
		"Riassegna i casi quando un operatore cambia incarico.",
		"Approva le segnalazioni dei case manager prima dell'invio all'INPS.",
		"Consulta il cruscotto del suo ambito o comune: nuclei incontrati entro 120 giorni, carico dei case manager rispetto al tetto.",
	},
	authz.CaseManager: {
		"Convoca i nuclei assegnati e registra gli incontri entro le scadenze di legge.",
		"Compila l'analisi preliminare e, con l'équipe multidisciplinare, il quadro di analisi.",
		"Definisce e sottoscrive con il nucleo il Patto per l'inclusione sociale e ne cura il monitoraggio.",
	},
	authz.CoordinatoreControlli: {
		"Riceve le richieste di verifica dell'INPS (importate o inserite a mano) e le assegna ai responsabili, con il termine di 60 giorni sempre in vista.",
		"Estrae il campione delle verifiche del nucleo, esporta gli esiti per l'INPS e approva le segnalazioni che derivano dalle verifiche con esito negativo.",
	},
	authz.ResponsabileControlli: {
		"Registra i periodi di residenza, le assenze e i documenti risultanti all'anagrafe e finalizza l'esito della verifica.",
		"Inoltra la richiesta al comune di residenza precedente quando i periodi non bastano; gli esiti negativi diventano segnalazioni che il coordinatore approva.",
	},
	authz.OperatoreATS: {
		"Consulta il cruscotto dell'Ambito: casi per stato e misura, nuovi e chiusi, nuclei incontrati entro 120 giorni, carico dei case manager, segnalazioni; i conteggi sotto 5 sono oscurati.",
		"Importa i flussi dei nuclei e ne vede i conteggi, senza i dati delle singole domande.",
	},
	authz.GestoreRete: {
		"Tiene aggiornata la mappa delle risorse: gli enti della rete, i servizi che offrono e i comuni in cui sono disponibili.",
		"Registra i protocolli d'intesa con gli enti: servizi e posti concordati, procedure e tempi di risposta, motivi di rifiuto.",
		"Consulta i report sugli invii: ricevuti, accolti, rifiutati, tempi di risposta e posti utilizzati.",
	},
	authz.OperatorePresentazioni: {
		"Cerca il nucleo con il codice fiscale di un componente.",
		"Registra l'avvenuto incontro, la presentazione spontanea o il giustificato motivo, con il luogo: registrare entro il 20 del mese vale per il pagamento di quel mese.",
	},
	authz.OperatoreEnte: {
		"Riceve gli invii dei case manager rivolti al tuo ente e li prende in carico.",
		"Accoglie o rifiuta ciascun invio entro i tempi del protocollo d'intesa, indicando il motivo del rifiuto.",
		"Aggiorna l'andamento del percorso con note e ne registra la conclusione.",
	},
}

var visibilita = map[authz.Ruolo]string{
	authz.AmministratoreSistema:  "Non hai accesso ai dati dei beneficiari.",
	authz.AmministratoreAmbito:   "Non hai accesso ai dati dei beneficiari.",
	authz.CoordinatorePaIS:       "Vedi soltanto i dati anagrafici necessari all'assegnazione, mai il contenuto dei casi.",
	authz.CaseManager:            "Vedi i dati completi soltanto dei casi assegnati a te.",
	authz.CoordinatoreControlli:  "Vedi l'elenco dei beneficiari del tuo comune soggetti a controllo.",
	authz.ResponsabileControlli:  "Vedi i dati necessari ai controlli dei beneficiari del tuo comune.",
	authz.OperatoreATS:           "Vedi dati aggregati, mai il contenuto dei singoli casi né i nomi o i codici fiscali delle persone.",
	authz.GestoreRete:            "Vedi enti, servizi, protocolli e dati aggregati degli invii, mai il contenuto dei casi né i nomi delle persone.",
	authz.OperatorePresentazioni: "Vedi soltanto il nome, il numero del caso, i contatori delle presentazioni e la data utile per il pagamento, mai il contenuto del caso.",
	authz.OperatoreEnte:          "Vedi soltanto gli invii rivolti al tuo ente e, di ciascuno, le sole sezioni che la famiglia ha acconsentito a condividere.",
}
