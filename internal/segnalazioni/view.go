package segnalazioni

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/web/ui"
)

func dimensione(n int) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", (n+512)>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

func tipoMime(m string) string {
	if l := MimeAmmessi[m]; l != "" {
		return l
	}
	return m
}

var esitiCM = map[string]string{
	"bozza":           "Segnalazione salvata come bozza.",
	"salvata":         "Modifiche salvate.",
	"in-approvazione": "Segnalazione inviata in approvazione al coordinatore.",
	"annullata":       "Segnalazione annullata.",
	"rettifica":       "Rettifica avviata: correggi i dati e inviala in approvazione. La segnalazione originale resta inviata finché la rettifica non è inviata a INPS.",
}

var esitiCoord = map[string]string{
	"approvata":        "Segnalazione approvata: sarà inclusa nella prossima esportazione per INPS.",
	"respinta":         "Segnalazione respinta: il case manager vede il motivo e può correggerla.",
	"esito-registrato": "Esito INPS registrato: il case manager lo vede sulla segnalazione.",
	"registrato":       "Esito INPS registrato: il case manager lo vede sulla segnalazione.",
}

func tipiOptions(ts []Tipo) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli il tipo di evento"}}
	for _, t := range ts {
		out = append(out, ui.Option{Value: t.Codice, Label: t.Etichetta})
	}
	return out
}

func componentiOptions(cs []Componente) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli il componente"}}
	for _, c := range cs {
		out = append(out, ui.Option{Value: c.PersonaID.String(),
			Label: c.Cognome + " " + c.Nome + " (" + c.CodiceFiscale + ", " + relazione(c.Relazione) + ")"})
	}
	return out
}

func impegniOptions(m Modulo) []ui.Option {
	nomi := map[string]string{}
	for _, c := range m.Componenti {
		nomi[c.PersonaID.String()] = c.Cognome + " " + c.Nome
	}
	out := []ui.Option{{Value: "", Label: "Nessun impegno in particolare"}}
	for _, i := range m.Impegni {
		l := i.Testo
		if n := nomi[i.PersonaID]; n != "" {
			l = n + " · " + l
		}
		out = append(out, ui.Option{Value: i.ID, Label: l})
	}
	return out
}

func relazione(r string) string {
	switch r {
	case "richiedente":
		return "richiedente"
	case "coniuge":
		return "coniuge"
	case "convivente":
		return "convivente"
	case "figlio":
		return "figlio o figlia"
	case "genitore":
		return "genitore"
	case "altro_parente":
		return "altro parente"
	}
	return "altro"
}

// righe splits a text into its lines, for display.
func righe(s string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

func versione(n int) string { return strconv.Itoa(n) }

func allegatoURL(sg Segnalazione, a Allegato) string {
	return Base(sg.CasoID) + "/" + sg.ID.String() + "/allegati/" + a.ID.String()
}

func codaPager(c Coda) ui.Pager {
	return ui.Pager{Page: c.Pagina, HasNext: c.AltrePagine, BaseURL: "/segnalazioni", PageSize: DimensionePagina}
}

func casoAperto(c casi.Caso) bool { return c.Aperto() }

func checkedRimuovi(in Input, id string) bool {
	for _, x := range in.Rimuovi {
		if x == id {
			return true
		}
	}
	return false
}

// daPasso is a state change as the history lists it. An esito INPS is
// recorded as a row that stays in the same state (RegistraEsito): its note
// says which esito.
func daPasso(p Passaggio) string {
	switch {
	case p.Da == "":
		return "Creata come " + strings.ToLower(p.A.Label())
	case p.Da == p.A:
		return "Esito INPS"
	}
	return p.Da.Label() + " → " + p.A.Label()
}

// inFrase is a free text (a motivo) set inside a sentence: on one line,
// without its final full stop.
func inFrase(s string) string {
	return strings.TrimRight(strings.Join(strings.Fields(s), " "), ".;: ")
}

func invioPager(pi PaginaInvio) ui.Pager {
	return ui.Pager{Page: pi.Pagina, HasNext: pi.AltrePagine, BaseURL: invioURL(pi.Invio.ID, 1), PageSize: DimensionePagina}
}

func miePager(m Mie) ui.Pager {
	return ui.Pager{Page: m.Pagina, HasNext: m.AltrePagine, BaseURL: "/casi/segnalazioni", Total: m.Totale, PageSize: DimensionePagina}
}

func scartatePager(sc Scartate) ui.Pager {
	return ui.Pager{Page: sc.Pagina, HasNext: sc.AltrePagine, BaseURL: "/segnalazioni/scartate", PageSize: DimensionePagina}
}

func invioID(id int64) string { return strconv.FormatInt(id, 10) }

// statoEsito is what one esito form shows.
type statoEsito struct {
	In        EsitoInput
	Errs      httpx.FieldErrors
	Conflitto bool
	Avviso    string
	Aperto    bool // shown open: it is the form of a refused POST
}

// esitoDi is the state of the esito form of segnalazione id (esito e, at
// versione ver): what the user typed after a refused POST on it, else the
// recorded esito (or a new one dated today).
func esitoDi(f *formEsito, id uuid.UUID, e Esito, ver int, oggi time.Time) statoEsito {
	if f != nil && f.Seg == id {
		if f.Avviso != "" {
			return statoEsito{In: FromEsito(e, ver, oggi), Avviso: f.Avviso, Aperto: true}
		}
		in := f.In
		if f.Conflitto {
			// Recording again overwrites what the other recorded, knowingly.
			in.Versione = strconv.Itoa(ver)
		}
		return statoEsito{In: in, Errs: f.Errs, Conflitto: f.Conflitto, Aperto: true}
	}
	return statoEsito{In: FromEsito(e, ver, oggi)}
}

func errEsito(f *formEsito) httpx.FieldErrors {
	if f == nil {
		return nil
	}
	return f.Errs
}
