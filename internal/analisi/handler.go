package analisi

import (
	"net/http"
	"net/url"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

// Handler serves the analisi preliminare of a case.
type Handler struct {
	svc    *Service
	flusso schede.Flusso[Scheda, Contenuto]
	pagine schede.Pagine[Scheda, Confronto]
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, flusso: schede.Flusso[Scheda, Contenuto]{RS: rs, Errori: svc.m.Errori, Base: Base,
		Svc: schede.Servizio[Scheda, Contenuto]{Corrente: svc.Corrente, Leggi: svc.Leggi, Inizia: svc.Apri,
			Salva: svc.salva, Finalizza: svc.Finalizza, Riapri: svc.Riapri},
		Messaggi: map[string]string{
			"iniziata":    "Analisi preliminare iniziata: i dati noti del nucleo sono già compilati.",
			"salvata":     "Bozza salvata.",
			"finalizzata": "Analisi preliminare finalizzata: questa versione non si modifica più.",
			"riaperta":    "Analisi preliminare riaperta: è una nuova versione in bozza; la versione precedente resta consultabile.",
		},
		Avvisi: schede.Avvisi{
			NonIniziabile:   "Il caso è chiuso: l'analisi preliminare non si può iniziare.",
			NonModificabile: "Il caso è chiuso: l'analisi preliminare non si modifica.",
			NonRiapribile:   "Il caso è chiuso: l'analisi preliminare non si riapre.",
			Finalizzata:     "Nel frattempo l'analisi preliminare è stata finalizzata da un altro operatore: le modifiche non sono state salvate. Se serve, riaprila.",
			Riaperta:        "Nel frattempo l'analisi preliminare è già stata riaperta da un altro operatore: ecco la bozza.",
		},
		Modulo: func(f url.Values) (func(*Contenuto), httpx.FieldErrors) { return DaModulo(f), nil },
		Leggibili: func(sc Scheda, d []schede.Differenza, _ Contenuto) []schede.Differenza {
			return Leggibili(sc.Riferimenti, d)
		},
		Valore: func(sc Scheda, p, v string, _ Contenuto) string { return Valore(sc.Riferimenti, p, v) },
		Viste: schede.Viste[Scheda, Contenuto]{Stampa: paginaStampa,
			Pagina: func(s ui.Shell, sc Scheda, c schede.Compilazione[Contenuto]) templ.Component {
				return paginaAnalisi(s, Pagina{Scheda: sc, Compilazione: c})
			}},
	},
		pagine: schede.Pagine[Scheda, Confronto]{RS: rs, NonTrovata: ErrNonTrovata,
			Corrente: svc.Corrente, Leggi: svc.Leggi, Confronta: svc.Confronta,
			VistaVersioni: paginaVersioni, VistaVersione: paginaVersione, VistaConfronto: paginaConfronto},
	}
}

// The pages of the versioned scheda (schede.Flusso and schede.Pagine),
// listed in internal/app/routes.go.

// Pagina is the main page: the draft form, or the finalised version read-only.
func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) { h.flusso.Mostra(w, r) }

// Salva saves the draft (optimistic locking on its revisione).
func (h *Handler) Salva(w http.ResponseWriter, r *http.Request) { h.flusso.Salva(w, r) }

// Inizia creates version 1.
func (h *Handler) Inizia(w http.ResponseWriter, r *http.Request) { h.flusso.Inizia(w, r) }

// Finalizza finalises the draft.
func (h *Handler) Finalizza(w http.ResponseWriter, r *http.Request) { h.flusso.Finalizza(w, r) }

// Riapri opens version n+1 as a draft.
func (h *Handler) Riapri(w http.ResponseWriter, r *http.Request) { h.flusso.Riapri(w, r) }

// Stampa is the print view.
func (h *Handler) Stampa(w http.ResponseWriter, r *http.Request) { h.flusso.Stampa(w, r) }

// Versioni lists the versions.
func (h *Handler) Versioni(w http.ResponseWriter, r *http.Request) { h.pagine.Versioni(w, r) }

// Versione shows version n.
func (h *Handler) Versione(w http.ResponseWriter, r *http.Request) { h.pagine.Versione(w, r) }

// Confronto compares version n with another (?con=m).
func (h *Handler) Confronto(w http.ResponseWriter, r *http.Request) { h.pagine.Confronto(w, r) }

// Base is the path of a case's analisi preliminare (the case page links to it).
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/analisi-preliminare" }

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
