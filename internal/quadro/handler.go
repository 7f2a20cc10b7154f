package quadro

import (
	"net/url"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

// Handler serves the quadro di analisi of a case.
type Handler struct {
	svc    *Service
	guard  *authz.Guard
	flusso schede.Flusso[Scheda, Contenuto]
	pagine schede.Pagine[Scheda, Confronto]
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder, guard *authz.Guard) *Handler {
	return &Handler{svc: svc, guard: guard,
		flusso: schede.Flusso[Scheda, Contenuto]{RS: rs, Errori: svc.m.Errori, Base: Base,
			Svc: schede.Servizio[Scheda, Contenuto]{Corrente: svc.Corrente, Leggi: svc.Leggi, Inizia: svc.Apri,
				Salva: svc.salva, Finalizza: svc.Finalizza, Riapri: svc.Riapri},
			NonAttivabile: ErrNonAttivato,
			Messaggi: map[string]string{
				"iniziata":    "Quadro di analisi iniziato: i componenti del nucleo sono già elencati.",
				"salvata":     "Bozza salvata.",
				"finalizzata": "Quadro di analisi finalizzato: questa versione non si modifica più; le dimensioni prioritarie sono pronte per gli obiettivi del patto.",
				"riaperta":    "Quadro di analisi riaperto: è una nuova versione in bozza; la versione precedente resta consultabile.",
			},
			Avvisi: schede.Avvisi{
				NonIniziabile:   "Il caso è chiuso: il quadro di analisi non si può iniziare.",
				NonAttivabile:   "Il quadro di analisi si compila quando l'analisi preliminare si chiude con l'esito C (bisogni complessi, équipe multidisciplinare).",
				NonModificabile: "Il caso è chiuso: il quadro di analisi non si modifica.",
				NonRiapribile:   "Il caso è chiuso: il quadro di analisi non si riapre.",
				Finalizzata:     "Nel frattempo il quadro di analisi è stato finalizzato da un altro operatore: le modifiche non sono state salvate. Se serve, riaprilo.",
				Riaperta:        "Nel frattempo il quadro di analisi è già stato riaperto da un altro operatore: ecco la bozza.",
			},
			Modulo: func(f url.Values) (func(*Contenuto), httpx.FieldErrors) { return DaModulo(f), nil },
			Leggibili: func(sc Scheda, d []schede.Differenza, _ Contenuto) []schede.Differenza {
				return Leggibili(sc.Riferimenti, d)
			},
			Valore: func(sc Scheda, p, v string, _ Contenuto) string { return Valore(sc.Riferimenti, p, v) },
			Viste: schede.Viste[Scheda, Contenuto]{Stampa: paginaStampa,
				Pagina: func(s ui.Shell, sc Scheda, c schede.Compilazione[Contenuto]) templ.Component {
					return paginaQuadro(s, Pagina{Scheda: sc, Compilazione: c})
				}},
		},
		pagine: schede.Pagine[Scheda, Confronto]{RS: rs, NonTrovata: ErrNonTrovata,
			Corrente: svc.Corrente, Leggi: svc.Leggi, Confronta: svc.Confronta,
			Versioni: paginaVersioni, Versione: paginaVersione, Confronto: paginaConfronto},
	}
}

// Base is the path of a case's quadro di analisi (the case page links to it).
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/quadro-di-analisi" }

// Routes mounts the pages; every route declares its permission (the row
// scope, only the assigned case manager, is the service's).
func (h *Handler) Routes(r chi.Router) {
	read := h.guard.Require(authz.Casi, authz.Read)
	write := h.guard.Require(authz.Casi, authz.Write)
	const base = "/casi/{id}/quadro-di-analisi"
	h.flusso.Routes(r, base, read, write)
	h.pagine.Routes(r, base, read)
}

// Pagina is what the main page shows: the scheda and its form.
type Pagina struct {
	Scheda
	schede.Compilazione[Contenuto]
}

// Mostrata is the content and revisione of the version shown (schede.Vista).
func (sc Scheda) Mostrata() (Contenuto, int, bool) {
	if sc.Versione == nil {
		return Contenuto{}, 0, false
	}
	return sc.Versione.Contenuto, sc.Versione.Revisione, true
}
