package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/cartella/cartella/internal/auth"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/web"
	"github.com/cartella/cartella/web/ui"
)

// publicRoutes may be reached without signing in; routes mounts them
// itself, below. Every other route is a row of rotte, behind
// auth.RequireLogin and its authz guard; routes_test.go walks the router and
// fails on any route that is neither.
var publicRoutes = map[string]bool{
	"GET /healthz":       true,
	"GET /readyz":        true,
	"GET /static/*":      true,
	"GET /":              true, // landing page; the role's home once signed in
	"GET /login":         true,
	"GET /auth/callback": true,
	"GET /logout":        true,
	"POST /logout":       true,
	"GET /uscita":        true,
	"GET /ruolo":         true, // needs a session, not a role (auth.RequireSession)
	"POST /ruolo":        true,
	"* /demo-idp/*":      true, // demo mode only
	// The demo's mail sink (internal/posta): demo mode without SMTP only.
	"GET /demo/posta":               true,
	"GET /demo/posta/{id}":          true,
	"GET /demo/posta/{id}/allegato": true,
	// The e-service INPS polls for the SIUSS flows: no session, a PDND
	// voucher on every call (internal/prestazioni, internal/pdnd).
	"GET /waas/v1/flussi": true,
	"POST /waas/v1/esiti": true,
	"GET /waas/v1/status": true,
	"* /waas/v1/*":        true,
	// The demo PDND authorization server: demo mode only.
	"POST /demo-pdnd/token":                true,
	"GET /demo-pdnd/.well-known/jwks.json": true,
	// An operator's iCalendar feed: calendar apps cannot sign in, the secret
	// token in the URL authenticates it (internal/incontri).
	"GET /calendario/{token}.ics": true,
}

// rotta is one guarded route: only a signed-in operator whose role is
// granted (obj, act) by policies/policy.csv reaches h. Row-level scope (this
// case, this ambito) is the module's service's to check.
type rotta struct {
	metodo   string
	percorso string
	obj      authz.Object
	act      authz.Action
	h        http.HandlerFunc
}

// rotte is every guarded route of Cartella, grouped by area. A route is
// added here and nowhere else: TestRouteRoleTable and the route list of
// docs/roles.md (go test ./internal/app -run TestRolesDoc -update) follow
// from this table.
func rotte(d *deps) []rotta {
	return []rotta{
		// Ambiti and their comuni and amministratori (internal/accesso).
		{"GET", "/admin/ambiti", authz.Ambiti, authz.Read, d.ambiti.Elenco},
		{"GET", "/admin/ambiti/nuovo", authz.Ambiti, authz.Read, d.ambiti.Nuovo},
		{"POST", "/admin/ambiti", authz.Ambiti, authz.Write, d.ambiti.Crea},
		{"GET", "/admin/ambiti/{id}", authz.Ambiti, authz.Read, d.ambiti.Scheda},
		{"POST", "/admin/ambiti/{id}/comuni", authz.Ambiti, authz.Write, d.ambiti.AggiungiComune},
		{"POST", "/admin/ambiti/{id}/comuni/{comune}/rimuovi", authz.Ambiti, authz.Write, d.ambiti.RimuoviComune},
		{"POST", "/admin/ambiti/{id}/amministratori", authz.Ambiti, authz.Write, d.ambiti.Accredita},
		{"POST", "/admin/ambiti/{id}/amministratori/{operatore}/stato", authz.Ambiti, authz.Write, d.ambiti.CambiaStato},

		// Operators and their accreditation, and the amministratore di
		// ambito's settings of the printed documents (internal/accesso).
		{"GET", "/admin/ambito", authz.Operatori, authz.Read, d.impostaz.Mostra},
		{"POST", "/admin/ambito", authz.Operatori, authz.Write, d.impostaz.Salva},
		{"GET", "/admin/ambito/logo", authz.Operatori, authz.Read, d.impostaz.Logo},
		// The ente of the ambito in the SIUSS flows (internal/prestazioni):
		// the amministratore di ambito's.
		{"GET", "/admin/siuss", authz.Operatori, authz.Read, d.prestazH.Ente},
		{"POST", "/admin/siuss", authz.Operatori, authz.Write, d.prestazH.SalvaEnte},
		{"GET", "/admin/operatori", authz.Operatori, authz.Read, d.operatori.Elenco},
		{"GET", "/admin/operatori/nuovo", authz.Operatori, authz.Write, d.operatori.Nuovo},
		{"POST", "/admin/operatori", authz.Operatori, authz.Write, d.operatori.Crea},
		{"GET", "/admin/operatori/{id}", authz.Operatori, authz.Read, d.operatori.Scheda},
		{"GET", "/admin/operatori/{id}/modifica", authz.Operatori, authz.Write, d.operatori.Modifica},
		{"POST", "/admin/operatori/{id}/modifica", authz.Operatori, authz.Write, d.operatori.Aggiorna},
		{"POST", "/admin/operatori/{id}/ruoli", authz.Operatori, authz.Write, d.operatori.AggiungiRuolo},
		{"POST", "/admin/operatori/{id}/ruoli/{ruolo}/termina", authz.Operatori, authz.Write, d.operatori.TerminaRuolo},
		{"POST", "/admin/operatori/{id}/stato", authz.Operatori, authz.Write, d.operatori.CambiaStato},

		// Registro degli accessi (internal/registro).
		{"GET", "/admin/registro", authz.Registro, authz.Read, d.registroH.Elenco},
		{"GET", "/admin/registro/esporta", authz.Registro, authz.Read, d.registroH.Esporta},

		// The case: list, page, opening, history, closing, members (internal/casi).
		{"GET", "/casi", authz.Casi, authz.Read, d.casiH.Elenco},
		{"GET", "/casi/{id}", authz.Casi, authz.Read, d.casiH.Scheda},
		{"GET", "/casi/nuovo", authz.Apertura, authz.Write, d.casiH.Nuovo},
		{"POST", "/casi", authz.Apertura, authz.Write, d.casiH.Apri},
		{"GET", "/casi/{id}/storico", authz.Casi, authz.Read, d.casiH.Storico},
		{"GET", "/casi/{id}/chiudi", authz.Casi, authz.Read, d.casiH.Chiusura},
		{"POST", "/casi/{id}/chiudi", authz.Casi, authz.Write, d.casiH.Chiudi},
		{"GET", "/casi/{id}/riapri", authz.Casi, authz.Read, d.casiH.Riapertura},
		{"POST", "/casi/{id}/riapri", authz.Casi, authz.Write, d.casiH.Riapri},
		{"GET", "/casi/{id}/componenti/{persona}", authz.Casi, authz.Read, d.casiH.Componente},
		{"POST", "/casi/{id}/componenti/{persona}", authz.Casi, authz.Write, d.casiH.AggiornaComponente},

		// Diario sociale (internal/casi).
		{"GET", "/casi/{id}/diario", authz.Casi, authz.Read, d.casiH.Diario},
		{"POST", "/casi/{id}/diario", authz.Casi, authz.Write, d.casiH.ScriviNota},

		// Assignment board, workloads and transfers (internal/assegnazioni).
		{"GET", "/assegnazioni", authz.Assegnazioni, authz.Read, d.board.Bacheca},
		{"POST", "/assegnazioni", authz.Assegnazioni, authz.Write, d.board.Assegna},
		{"GET", "/assegnazioni/{id}", authz.Assegnazioni, authz.Read, d.board.Anagrafica},
		{"POST", "/assegnazioni/{id}", authz.Assegnazioni, authz.Write, d.board.AssegnaUno},
		{"GET", "/assegnazioni/carichi", authz.Assegnazioni, authz.Read, d.board.Carichi},
		{"POST", "/assegnazioni/carichi", authz.Assegnazioni, authz.Write, d.board.RiassegnaTutti},
		{"GET", "/assegnazioni/{id}/trasferisci", authz.Assegnazioni, authz.Read, d.board.Trasferimento},
		{"POST", "/assegnazioni/{id}/trasferisci", authz.Assegnazioni, authz.Write, d.board.Trasferisci},

		// Convocazioni and incontri of a case (internal/incontri).
		{"GET", "/casi/{id}/incontri", authz.Casi, authz.Read, d.incontri.Pagina},
		{"POST", "/casi/{id}/convocazioni", authz.Casi, authz.Write, d.incontri.Convoca},
		{"POST", "/casi/{id}/convocazioni/{conv}/esito", authz.Casi, authz.Write, d.incontri.Esito},
		{"POST", "/casi/{id}/incontri", authz.Casi, authz.Write, d.incontri.Registra},
		{"POST", "/casi/{id}/giustificati", authz.Casi, authz.Write, d.incontri.Giustifica},

		// Registrations of presentations, periods of the benefit, CPI
		// outcomes: the case manager's side (internal/presentazioni).
		// Prestazioni sociali erogate and their flows to SIUSS (internal/prestazioni).
		{"GET", "/casi/{id}/prestazioni", authz.Casi, authz.Read, d.prestazH.Pagina},
		{"POST", "/casi/{id}/prestazioni", authz.Casi, authz.Write, d.prestazH.Registra},
		{"GET", "/casi/{id}/prestazioni/flussi/{flusso}", authz.Casi, authz.Read, d.prestazH.Flusso},
		{"GET", "/casi/{id}/prestazioni/{prestazione}", authz.Casi, authz.Read, d.prestazH.Modifica},
		{"POST", "/casi/{id}/prestazioni/{prestazione}", authz.Casi, authz.Write, d.prestazH.Correggi},
		{"POST", "/casi/{id}/prestazioni/{prestazione}/cancella", authz.Casi, authz.Write, d.prestazH.Cancella},
		{"GET", "/casi/{id}/presentazioni", authz.Casi, authz.Read, d.presentH.Pagina},
		{"POST", "/casi/{id}/presentazioni", authz.Casi, authz.Write, d.presentH.Registra},
		{"POST", "/casi/{id}/beneficio", authz.Casi, authz.Write, d.presentH.PrimoMese},
		{"POST", "/casi/{id}/beneficio/rinnovi", authz.Casi, authz.Write, d.presentH.Rinnova},
		{"POST", "/casi/{id}/cpi/{persona}", authz.Casi, authz.Write, d.presentH.CPI},

		// The operatore presentazioni's desk (internal/presentazioni): find a
		// nucleo by codice fiscale, register a presentation; no case content.
		{"GET", "/presentazioni", authz.Presentazioni, authz.Read, d.presentH.Sportello},
		{"POST", "/presentazioni/cerca", authz.Presentazioni, authz.Read, d.presentH.Cerca},
		{"GET", "/presentazioni/{id}", authz.Presentazioni, authz.Read, d.presentH.Nucleo},
		{"POST", "/presentazioni/{id}", authz.Presentazioni, authz.Write, d.presentH.RegistraSportello},

		// Agenda (internal/incontri). Managing office slots is the
		// coordinatore's; the case manager sees them in the week view.
		{"GET", "/agenda", authz.Agenda, authz.Read, d.incontri.Agenda},
		{"GET", "/agenda/disponibilita", authz.Agenda, authz.Write, d.incontri.Disponibilita},
		{"POST", "/agenda/disponibilita", authz.Agenda, authz.Write, d.incontri.AggiungiSlot},
		{"POST", "/agenda/disponibilita/{id}/elimina", authz.Agenda, authz.Write, d.incontri.EliminaSlot},
		{"GET", "/agenda/calendario", authz.Agenda, authz.Read, d.incontri.Calendario},
		{"POST", "/agenda/calendario", authz.Agenda, authz.Read, d.incontri.NuovoCalendario},

		// Analisi preliminare (internal/analisi).
		{"GET", "/casi/{id}/analisi-preliminare", authz.Casi, authz.Read, d.analisiH.Mostra},
		{"POST", "/casi/{id}/analisi-preliminare", authz.Casi, authz.Write, d.analisiH.Salva},
		{"POST", "/casi/{id}/analisi-preliminare/inizia", authz.Casi, authz.Write, d.analisiH.Inizia},
		{"POST", "/casi/{id}/analisi-preliminare/finalizza", authz.Casi, authz.Write, d.analisiH.Finalizza},
		{"POST", "/casi/{id}/analisi-preliminare/riapri", authz.Casi, authz.Write, d.analisiH.Riapri},
		{"GET", "/casi/{id}/analisi-preliminare/stampa", authz.Casi, authz.Read, d.analisiH.Stampa},
		{"GET", "/casi/{id}/analisi-preliminare/versioni", authz.Casi, authz.Read, d.analisiH.Versioni},
		{"GET", "/casi/{id}/analisi-preliminare/versioni/{n}", authz.Casi, authz.Read, d.analisiH.Versione},
		{"GET", "/casi/{id}/analisi-preliminare/versioni/{n}/confronto", authz.Casi, authz.Read, d.analisiH.Confronto},

		// Quadro di analisi (internal/quadro).
		{"GET", "/casi/{id}/quadro-di-analisi", authz.Casi, authz.Read, d.quadroH.Mostra},
		{"POST", "/casi/{id}/quadro-di-analisi", authz.Casi, authz.Write, d.quadroH.Salva},
		{"POST", "/casi/{id}/quadro-di-analisi/inizia", authz.Casi, authz.Write, d.quadroH.Inizia},
		{"POST", "/casi/{id}/quadro-di-analisi/finalizza", authz.Casi, authz.Write, d.quadroH.Finalizza},
		{"POST", "/casi/{id}/quadro-di-analisi/riapri", authz.Casi, authz.Write, d.quadroH.Riapri},
		{"GET", "/casi/{id}/quadro-di-analisi/stampa", authz.Casi, authz.Read, d.quadroH.Stampa},
		{"GET", "/casi/{id}/quadro-di-analisi/versioni", authz.Casi, authz.Read, d.quadroH.Versioni},
		{"GET", "/casi/{id}/quadro-di-analisi/versioni/{n}", authz.Casi, authz.Read, d.quadroH.Versione},
		{"GET", "/casi/{id}/quadro-di-analisi/versioni/{n}/confronto", authz.Casi, authz.Read, d.quadroH.Confronto},

		// Patto per l'inclusione sociale (internal/patto).
		{"GET", "/casi/patti", authz.Casi, authz.Read, d.pattoH.InScadenza},
		{"GET", "/casi/{id}/patto", authz.Casi, authz.Read, d.pattoH.Mostra},
		{"POST", "/casi/{id}/patto", authz.Casi, authz.Write, d.pattoH.Salva},
		{"POST", "/casi/{id}/patto/inizia", authz.Casi, authz.Write, d.pattoH.Inizia},
		{"POST", "/casi/{id}/patto/sottoscrivi", authz.Casi, authz.Write, d.pattoH.Sottoscrivi},
		{"POST", "/casi/{id}/patto/rivedi", authz.Casi, authz.Write, d.pattoH.Riapri},
		{"POST", "/casi/{id}/patto/sostegni/{sostegno}", authz.Casi, authz.Write, d.pattoH.Sostegno},
		{"GET", "/casi/{id}/patto/versioni", authz.Casi, authz.Read, d.pattoH.Versioni},
		{"GET", "/casi/{id}/patto/versioni/{n}", authz.Casi, authz.Read, d.pattoH.Versione},
		{"GET", "/casi/{id}/patto/versioni/{n}/confronto", authz.Casi, authz.Read, d.pattoH.Confronto},
		{"GET", "/casi/{id}/patto/versioni/{n}/scansione", authz.Casi, authz.Read, d.pattoH.Scansione},
		{"GET", "/casi/{id}/patto/stampa", authz.Casi, authz.Read, d.pattoH.Stampa},
		{"GET", "/casi/{id}/patto/patto.pdf", authz.Casi, authz.Read, d.pattoH.PDF},

		// The patto's records for the national e-services (internal/fsl).
		{"GET", "/casi/{id}/patto/fsl.json", authz.Casi, authz.Read, d.fslH.Tracciati},

		// Imports of the nuclei flow (internal/importazioni).
		{"GET", "/importazioni", authz.Importazioni, authz.Read, d.nucleiH.Elenco},
		{"GET", "/importazioni/nuova", authz.Importazioni, authz.Write, d.nucleiH.Nuova},
		{"POST", "/importazioni", authz.Importazioni, authz.Write, d.nucleiH.Carica},
		{"GET", "/importazioni/{id}", authz.Importazioni, authz.Read, d.nucleiH.Dettaglio},
		{"GET", "/importazioni/{id}/scarti.csv", authz.Importazioni, authz.Read, d.nucleiH.Scarti},

		// Équipe multidisciplinare (internal/equipe).
		{"GET", "/casi/{id}/equipe", authz.Casi, authz.Read, d.equipeH.Pagina},
		{"POST", "/casi/{id}/equipe/membri", authz.Casi, authz.Write, d.equipeH.Aggiungi},
		{"GET", "/casi/{id}/equipe/membri/{membro}", authz.Casi, authz.Read, d.equipeH.Membro},
		{"POST", "/casi/{id}/equipe/membri/{membro}", authz.Casi, authz.Write, d.equipeH.Modifica},
		{"POST", "/casi/{id}/equipe/membri/{membro}/termina", authz.Casi, authz.Write, d.equipeH.Termina},
		{"GET", "/casi/{id}/equipe/convocazioni/nuova", authz.Casi, authz.Read, d.equipeH.Nuova},
		{"POST", "/casi/{id}/equipe/convocazioni/nuova", authz.Casi, authz.Write, d.equipeH.Convoca},
		{"GET", "/casi/{id}/equipe/convocazioni/{conv}", authz.Casi, authz.Read, d.equipeH.Convocazione},
		{"GET", "/casi/{id}/equipe/convocazioni/{conv}/stampa", authz.Casi, authz.Read, d.equipeH.Stampa},
		{"GET", "/casi/{id}/equipe/convocazioni/{conv}/estratto.pdf", authz.Casi, authz.Read, d.equipeH.PDF},

		// Segnalazioni to INPS, the case manager's side (internal/segnalazioni).
		{"GET", "/casi/segnalazioni", authz.Casi, authz.Read, d.segnalH.Mie},
		{"GET", "/casi/{id}/segnalazioni", authz.Casi, authz.Read, d.segnalH.Elenco},
		{"GET", "/casi/{id}/segnalazioni/nuova", authz.Casi, authz.Read, d.segnalH.Nuova},
		{"POST", "/casi/{id}/segnalazioni", authz.Casi, authz.Write, d.segnalH.Crea},
		{"GET", "/casi/{id}/segnalazioni/{seg}", authz.Casi, authz.Read, d.segnalH.Dettaglio},
		{"POST", "/casi/{id}/segnalazioni/{seg}", authz.Casi, authz.Write, d.segnalH.Modifica},
		{"POST", "/casi/{id}/segnalazioni/{seg}/approvazione", authz.Casi, authz.Write, d.segnalH.Approvazione},
		{"POST", "/casi/{id}/segnalazioni/{seg}/annulla", authz.Casi, authz.Write, d.segnalH.Annulla},
		{"POST", "/casi/{id}/segnalazioni/{seg}/rettifica", authz.Casi, authz.Write, d.segnalH.Rettifica},
		{"GET", "/casi/{id}/segnalazioni/{seg}/allegati/{allegato}", authz.Casi, authz.Read, d.segnalH.Allegato},

		// Segnalazioni to INPS, the coordinatore PaIS's side: approval,
		// export batches, esiti (internal/segnalazioni).
		{"GET", "/segnalazioni", authz.Segnalazioni, authz.Read, d.segnalH.Coda},
		{"GET", "/segnalazioni/invii", authz.Segnalazioni, authz.Read, d.segnalH.Invii},
		{"POST", "/segnalazioni/invii", authz.Segnalazioni, authz.Write, d.segnalH.Esporta},
		{"GET", "/segnalazioni/invii/{invio}", authz.Segnalazioni, authz.Read, d.segnalH.Invio},
		{"GET", "/segnalazioni/invii/{invio}/file", authz.Segnalazioni, authz.Read, d.segnalH.File},
		{"GET", "/segnalazioni/scartate", authz.Segnalazioni, authz.Read, d.segnalH.Scartate},
		{"GET", "/segnalazioni/{seg}", authz.Segnalazioni, authz.Read, d.segnalH.Decisione},
		{"POST", "/segnalazioni/{seg}/approva", authz.Segnalazioni, authz.Write, d.segnalH.Approva},
		{"POST", "/segnalazioni/{seg}/respingi", authz.Segnalazioni, authz.Write, d.segnalH.Respingi},
		{"POST", "/segnalazioni/{seg}/esito", authz.Segnalazioni, authz.Write, d.segnalH.Esito},
		{"GET", "/segnalazioni/{seg}/allegati/{allegato}", authz.Segnalazioni, authz.Read, d.segnalH.AllegatoDecisione},

		// Monitoring of the patto (internal/monitoraggio).
		{"GET", "/casi/{id}/monitoraggio", authz.Casi, authz.Read, d.monitorH.Pagina},
		{"GET", "/casi/{id}/monitoraggio/nuovo", authz.Casi, authz.Read, d.monitorH.Nuovo},
		{"POST", "/casi/{id}/monitoraggio/nuovo", authz.Casi, authz.Write, d.monitorH.Pianifica},
		{"GET", "/casi/{id}/monitoraggio/{inc}", authz.Casi, authz.Read, d.monitorH.Incontro},
		{"POST", "/casi/{id}/monitoraggio/{inc}/registra", authz.Casi, authz.Write, d.monitorH.Registra},
		{"POST", "/casi/{id}/monitoraggio/{inc}/annulla", authz.Casi, authz.Write, d.monitorH.Annulla},
		{"GET", "/casi/{id}/monitoraggio/{inc}/verbale", authz.Casi, authz.Read, d.monitorH.Verbale},

		// Controlli anagrafici (internal/controlli): the worklist, assignment
		// and workload.
		// -- lista --
		{"GET", "/controlli", authz.Controlli, authz.Read, d.controlH.Lista},
		{"POST", "/controlli/assegna", authz.Controlli, authz.Assign, d.controlH.Assegna},
		{"GET", "/controlli/carichi", authz.Controlli, authz.Assign, d.controlH.Carichi},

		// Controlli anagrafici: requests entered by hand and imported.
		// -- importazione --
		{"GET", "/controlli/nuova", authz.Controlli, authz.Assign, d.controlH.Nuova},
		{"POST", "/controlli/nuova", authz.Controlli, authz.Assign, d.controlH.Crea},
		{"GET", "/controlli/importazioni", authz.Controlli, authz.Assign, d.controlH.Importazioni},
		{"POST", "/controlli/importazioni", authz.Controlli, authz.Assign, d.controlH.Importa},
		{"GET", "/controlli/importazioni/{n}", authz.Controlli, authz.Assign, d.controlH.Importazione},

		// Controlli anagrafici: one request, what the anagrafe holds, the
		// backward chain, the esito.
		// -- scheda --
		{"GET", "/controlli/{id}", authz.Controlli, authz.Read, d.controlH.Scheda},
		{"POST", "/controlli/{id}/periodi", authz.Controlli, authz.Write, d.controlH.Registra("periodi")},
		{"POST", "/controlli/{id}/periodi/{n}/elimina", authz.Controlli, authz.Write, d.controlH.Elimina("periodi")},
		{"POST", "/controlli/{id}/assenze", authz.Controlli, authz.Write, d.controlH.Registra("assenze")},
		{"POST", "/controlli/{id}/assenze/{n}/elimina", authz.Controlli, authz.Write, d.controlH.Elimina("assenze")},
		{"POST", "/controlli/{id}/documenti", authz.Controlli, authz.Write, d.controlH.Registra("documenti")},
		{"POST", "/controlli/{id}/documenti/{n}/elimina", authz.Controlli, authz.Write, d.controlH.Elimina("documenti")},
		{"POST", "/controlli/{id}/discrepanze", authz.Controlli, authz.Write, d.controlH.RegistraDiscrepanza},
		{"POST", "/controlli/{id}/discrepanze/{n}/elimina", authz.Controlli, authz.Write, d.controlH.EliminaDiscrepanza},
		{"POST", "/controlli/{id}/inoltra", authz.Controlli, authz.Write, d.controlH.Inoltra},
		{"POST", "/controlli/{id}/restituisci", authz.Controlli, authz.Write, d.controlH.Restituisci},
		{"POST", "/controlli/{id}/esito", authz.Controlli, authz.Write, d.controlH.Finalizza},

		// Verifiche del nucleo: the samples.
		// -- campione --
		{"GET", "/controlli/campioni", authz.Controlli, authz.Read, d.controlH.Campioni},
		{"POST", "/controlli/campioni", authz.Controlli, authz.Assign, d.controlH.Estrai},
		{"GET", "/controlli/campioni/{n}", authz.Controlli, authz.Read, d.controlH.Campione},
		{"GET", "/controlli/campioni/{n}/popolazione", authz.Controlli, authz.Read, d.controlH.Popolazione},

		// Controlli anagrafici: the esiti exported for INPS.
		// -- esiti --

		// Rete dei servizi (internal/rete): enti, mappa delle risorse,
		// protocolli d'intesa (the gestore della rete); the map searched by
		// the case manager.
		// -- mappa --
		{"GET", "/rete", authz.Rete, authz.Read, d.reteH.Rete},
		{"GET", "/rete/enti/nuovo", authz.Rete, authz.Write, d.reteH.NuovoEnte},
		{"POST", "/rete/enti", authz.Rete, authz.Write, d.reteH.CreaEnte},
		{"GET", "/rete/enti/{n}", authz.Rete, authz.Read, d.reteH.SchedaEnte},
		{"POST", "/rete/enti/{n}", authz.Rete, authz.Write, d.reteH.AggiornaEnte},
		{"POST", "/rete/enti/{n}/stato", authz.Rete, authz.Write, d.reteH.StatoEnte},
		{"GET", "/rete/servizi", authz.Rete, authz.Read, d.reteH.ElencoServizi},
		{"GET", "/rete/servizi/nuovo", authz.Rete, authz.Write, d.reteH.NuovoServizio},
		{"POST", "/rete/servizi", authz.Rete, authz.Write, d.reteH.CreaServizio},
		{"GET", "/rete/servizi/{n}", authz.Rete, authz.Read, d.reteH.SchedaServizio},
		{"POST", "/rete/servizi/{n}", authz.Rete, authz.Write, d.reteH.AggiornaServizio},
		{"POST", "/rete/servizi/{n}/stato", authz.Rete, authz.Write, d.reteH.StatoServizio},
		{"GET", "/rete/servizi/{n}/scheda", authz.Rete, authz.Read, d.reteH.Scheda},
		{"GET", "/rete/protocolli", authz.Rete, authz.Read, d.reteH.ElencoProtocolli},
		{"GET", "/rete/protocolli/nuovo", authz.Rete, authz.Write, d.reteH.NuovoProtocollo},
		{"POST", "/rete/protocolli", authz.Rete, authz.Write, d.reteH.CreaProtocollo},
		{"GET", "/rete/protocolli/{n}", authz.Rete, authz.Read, d.reteH.SchedaProtocollo},
		{"POST", "/rete/protocolli/{n}", authz.Rete, authz.Write, d.reteH.AggiornaProtocollo},
		{"POST", "/rete/protocolli/{n}/documento", authz.Rete, authz.Write, d.reteH.CaricaDocumento},
		{"GET", "/rete/protocolli/{n}/documento", authz.Rete, authz.Read, d.reteH.ScaricaDocumento},
		{"GET", "/rete/mappa", authz.Rete, authz.Read, d.reteH.Mappa},

		// Rete dei servizi: the case manager's invii.
		// -- invii --
		{"GET", "/casi/invii", authz.Casi, authz.Read, d.reteH.MieiInRitardo},
		{"GET", "/casi/{id}/invii", authz.Casi, authz.Read, d.reteH.Invii},
		{"GET", "/casi/{id}/invii/nuovo", authz.Casi, authz.Read, d.reteH.NuovoInvio},
		{"POST", "/casi/{id}/invii/nuovo", authz.Casi, authz.Write, d.reteH.CreaInvio},
		{"GET", "/casi/{id}/invii/{invio}", authz.Casi, authz.Read, d.reteH.InvioCaso},
		{"POST", "/casi/{id}/invii/{invio}/ritira", authz.Casi, authz.Write, d.reteH.Ritira},
		// The coordinatore PaIS's list of overdue answers.
		{"GET", "/rete/invii-in-ritardo", authz.Rete, authz.Read, d.reteH.InviiInRitardo},

		// Rete dei servizi: the ente's side of the invii, and the reports.
		// -- ente --
		// authz.Invii and ("rete") are authz.Invii and authz.Rete
		// once the roles of issue 15 are in authz.
		{"GET", "/invii", authz.Invii, authz.Read, d.reteH.InviiEnte},
		{"GET", "/invii/{n}", authz.Invii, authz.Read, d.reteH.InvioEnte},
		{"POST", "/invii/{n}/accetta", authz.Invii, authz.Write, d.reteH.Accetta},
		{"POST", "/invii/{n}/rifiuta", authz.Invii, authz.Write, d.reteH.Rifiuta},
		{"POST", "/invii/{n}/avvia", authz.Invii, authz.Write, d.reteH.Avvia},
		{"POST", "/invii/{n}/note", authz.Invii, authz.Write, d.reteH.Annota},
		{"POST", "/invii/{n}/concludi", authz.Invii, authz.Write, d.reteH.Concludi},
		{"GET", "/rete/report", authz.Rete, authz.Read, d.reteH.Report},
		{"GET", "/rete/report.csv", authz.Rete, authz.Read, d.reteH.ReportCSV},
		{"GET", "/controlli/invii", authz.Controlli, authz.Read, d.controlH.InviiEsiti},

		// The cruscotto: aggregated indicators of the ambito, or of the
		// coordinatore's scope (internal/report).
		{"GET", "/report", authz.Report, authz.Read, d.reportH.Cruscotto},
		// Its exports: asking one is read (it writes only the requester's
		// own job, no case data: docs/roles.md); only who asked sees it.
		{"POST", "/report/esportazioni", authz.Report, authz.Read, d.reportH.Richiedi},
		{"GET", "/report/esportazioni", authz.Report, authz.Read, d.reportH.Esportazioni},
		{"GET", "/report/esportazioni/{id}", authz.Report, authz.Read, d.reportH.Esportazione},
		{"GET", "/report/esportazioni/{id}/file", authz.Report, authz.Read, d.reportH.File},
		// The coordinatore PaIS's drill-down: a cell's cases, anagrafica
		// only, what assegnazioni / read already shows them (the operatore
		// ATS, without it, is refused).
		{"GET", "/report/casi", authz.Assegnazioni, authz.Read, d.reportH.Dettaglio},

		// The operatore ATS's monitoring of the flows to SIUSS
		// (internal/prestazioni): ids, codes, states, INPS's outcomes.
		{"GET", "/siuss", authz.Siuss, authz.Read, d.prestazH.Monitor},
		{"POST", "/controlli/invii", authz.Controlli, authz.Assign, d.controlH.EsportaEsiti},
		{"GET", "/controlli/invii/{invio}/file", authz.Controlli, authz.Read, d.controlH.FileEsiti},
	}
}

// tranneWaaS applies mw to every request but the e-service's, which checks
// its own parameters and answers in problem+json (internal/prestazioni).
func tranneWaaS(mw func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		wrapped := mw(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/waas/") {
				next.ServeHTTP(w, r)
				return
			}
			wrapped.ServeHTTP(w, r)
		})
	}
}

// routes is the whole URL map: the public routes, then every row of rotte.
func routes(d *deps) http.Handler {
	r := chi.NewRouter()
	r.NotFound(d.rs.NotFound)
	r.MethodNotAllowed(d.rs.MethodNotAllowed)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.rs.Render(w, r, http.StatusForbidden, ui.ErrorPage(d.shell(r), http.StatusForbidden, "Richiesta rifiutata",
			"La richiesta proviene da un altro sito ed è stata bloccata per proteggere i tuoi dati. Ripeti l'operazione dalle pagine di Cartella."))
	}))

	// HEAD is answered like GET (monitoring probes use it on /healthz).
	// The deadlines first, on the server's own ResponseWriter (tempi.go).
	r.Use(d.tempi.limiti, middleware.GetHead, httpx.Comprimi, httpx.RequestID, httpx.AccessLog(d.log), d.rs.Recover,
		httpx.SecurityHeaders(d.cfg.Secure(), formActionOrigins(d.cfg)...), cop.Handler, tranneWaaS(d.rs.TestoValido))

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := d.pool.Ping(ctx); err != nil {
			d.log.Warn("readyz: database not answering", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database non raggiungibile\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	r.Method(http.MethodGet, "/static/*", web.Handler())
	r.Get("/calendario/{token}.ics", d.incontri.Feed)
	if d.demoIdP != nil {
		r.Handle("/demo-idp/*", d.demoIdP)
	}
	if d.waas != nil {
		// The e-service INPS polls for the SIUSS flows (internal/prestazioni),
		// exactly as docs/specs/inps-waas/api-comuni.yaml: a PDND voucher of
		// the configured consumer on every call, errors in problem+json.
		r.Route("/waas/v1", func(r chi.Router) {
			r.NotFound(d.waas.NonTrovato)
			r.MethodNotAllowed(d.waas.MetodoNonAmmesso)
			r.Use(d.waas.Voucher)
			r.Get("/flussi", d.waas.Flussi)
			r.Post("/esiti", d.waas.Esiti)
			r.Get("/status", d.waas.Status)
		})
	}
	if d.pdndDemo != nil {
		// The demo PDND authorization server (internal/pdnd): demo mode only.
		r.Post("/demo-pdnd/token", d.pdndDemo.Token)
		r.Get("/demo-pdnd/.well-known/jwks.json", d.pdndDemo.JWKS)
	}
	if d.postaDemo != nil {
		r.Get("/demo/posta", d.postaDemo.Elenco)
		r.Get("/demo/posta/{id}", d.postaDemo.Messaggio)
		r.Get("/demo/posta/{id}/allegato", d.postaDemo.Allegato)
	}

	r.Group(func(r chi.Router) {
		r.Use(d.auth.LoadPrincipal)
		r.Get("/login", d.auth.Login)
		r.Get("/auth/callback", d.auth.Callback)
		r.Get("/logout", d.auth.ConfermaUscita)
		r.Post("/logout", d.auth.Logout)
		r.Get("/uscita", d.auth.Uscita)
		r.Get("/", d.home.Pagina)
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireSession)
			r.Get("/ruolo", d.auth.ScegliRuolo)
			r.Post("/ruolo", d.auth.ImpostaRuolo)
		})
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireLogin, d.registro.Idempotenza(d.log, d.rs))
			for _, x := range rotte(d) {
				r.With(d.guard.Require(x.obj, x.act)).Method(x.metodo, x.percorso, x.h)
			}
		})
	})
	return r
}
