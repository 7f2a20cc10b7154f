package quadro

import (
	"net/url"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

// Handler serves the quadro di analisi of a case.
type Handler struct {
	svc *Service
	// The pages every versioned scheda has (Mostra, Salva, Inizia,
	// Finalizza, Riapri, Stampa; Versioni, Versione, Confronto), listed in
	// internal/app/routes.go.
	schede.Flusso[Scheda, Contenuto]
	schede.Pagine[Scheda, Confronto]
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, Flusso: schede.Flusso[Scheda, Contenuto]{RS: rs, Errori: svc.m.Errori, Base: Base,
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
		Limiti: Limiti,
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
		Pagine: schede.Pagine[Scheda, Confronto]{RS: rs, NonTrovata: ErrNonTrovata,
			Corrente: svc.Corrente, Leggi: svc.Leggi, Confronta: svc.Confronta,
			VistaVersioni: paginaVersioni, VistaVersione: paginaVersione, VistaConfronto: paginaConfronto},
	}
}

// Base is the path of a case's quadro di analisi (the case page links to it).
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/quadro-di-analisi" }

// Pagina is what the main page shows: the scheda and its form.
type Pagina struct {
	Scheda
	schede.Compilazione[Contenuto]
}
