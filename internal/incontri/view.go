package incontri

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/scadenze"
	"github.com/cartella/cartella/web/ui"
)

func ora(t time.Time) string { return t.In(calendario.Roma).Format("15:04") }

// giornoEsteso is "Lunedì 26 ottobre 2026", a day's heading.
func giornoEsteso(d time.Time) string {
	g := calendario.GiornoEsteso(d)
	return strings.ToUpper(g[:1]) + g[1:]
}

func opzioni(list []Scelta, vuota string) []ui.Option {
	out := []ui.Option{}
	if vuota != "" {
		out = append(out, ui.Option{Value: "", Label: vuota})
	}
	for _, s := range list {
		out = append(out, ui.Option{Value: s.Value, Label: s.Label})
	}
	return out
}

func componentiOptions(cs []Componente) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli un componente"}}
	for _, c := range cs {
		out = append(out, ui.Option{Value: c.PersonaID.String(), Label: c.Nome})
	}
	return out
}

func convocazioniOptions(cs []Convocazione) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Nessuna (presentazione o incontro non convocato)"}}
	for _, c := range cs {
		if !c.Annullata {
			out = append(out, ui.Option{Value: c.ID.String(), Label: calendario.DataOra(c.Inizio) + " — " + TipoLabel(c.Tipo)})
		}
	}
	return out
}

func comuniOptions(cs []Comune) []ui.Option {
	out := []ui.Option{}
	if len(cs) > 1 {
		out = append(out, ui.Option{Value: "", Label: "Scegli un comune"})
	}
	for _, c := range cs {
		out = append(out, ui.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Denominazione})
	}
	return out
}

func presenzaOf(in NuovoIncontro, id uuid.UUID) PresenzaInput { return in.Presenze[id] }

func esitoBadge(c Convocazione) (string, string) {
	if c.Annullata {
		return "secondary", "Annullata"
	}
	switch c.EsitoConsegna {
	case "consegnata":
		return "success", "Consegnata"
	case "non_consegnata":
		return "danger", "Non consegnata"
	}
	return "info", "Inviata"
}

func presenzaBadge(p Presenza) (string, string) {
	switch p.Stato() {
	case "presente":
		return "success", "Presente"
	case "giustificato":
		return "warning", "Assente con giustificato motivo"
	}
	return "danger", "Assente"
}

// esiti are the messages after a successful write.
var esiti = map[string]string{
	"convocazione":              "Convocazione registrata.",
	"convocazione-fuori-orario": "",
	"esito":                     "Esito della convocazione aggiornato.",
	"incontro":                  "Incontro registrato.",
	"giustificato":              "Giustificato motivo registrato.",
}

// Scadenza is a deadline counter as the page shows it.
type Scadenza struct {
	Titolo    string
	Kind      string // Bootstrap colour: success, info, warning, danger, secondary
	Stato     string
	Messaggio string
	Rischio   string // e.g. "Rischio di decadenza"; empty when none
}

// coloreScadenza is the badge colour of a timer state (scadenze.Stato,
// stored in caso.t120_stato / t90_stato).
func coloreScadenza(s scadenze.Stato) string {
	switch s {
	case scadenze.Rispettato:
		return "success"
	case scadenze.InCorso:
		return "info"
	case scadenze.InScadenza, scadenze.Tardivo:
		return "warning"
	case scadenze.Scaduto:
		return "danger"
	}
	return "secondary"
}

func contatore(titolo string, t scadenze.Timer) Scadenza {
	s := Scadenza{Titolo: titolo, Kind: coloreScadenza(t.Stato), Stato: t.Stato.Label(), Messaggio: t.Messaggio,
		Rischio: t.Rischio.Label()}
	if t.Rischio == scadenze.Decadenza || (t.Rischio == scadenze.Sospensione && t.Stato == scadenze.Scaduto) {
		s.Kind = "danger"
	}
	if s.Messaggio != "" && !strings.HasSuffix(s.Messaggio, ".") {
		s.Messaggio += "."
	}
	return s
}

// contatori are the T120 and T90 counters of the case, computed by
// internal/scadenze at the time of the page with every message.
func contatori(sc scadenze.Scadenze) []Scadenza {
	return []Scadenza{
		contatore("Primo incontro entro 120 giorni dal PAD", sc.T120),
		contatore("Presentazione ogni 90 giorni", sc.T90),
	}
}
