package equipe

import (
	"strconv"
	"strings"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/web/ui"
)

func periodo(m Membro) string {
	if m.Al == nil {
		return "dal " + calendario.Data(m.Dal)
	}
	return "dal " + calendario.Data(m.Dal) + " al " + calendario.Data(*m.Al)
}

func ruoliOptions() []ui.Option {
	out := []ui.Option{}
	for _, r := range RuoliProfessionali {
		out = append(out, ui.Option{Value: string(r), Label: r.Label()})
	}
	return out
}

func familiariOptions(fs []Familiare) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli un componente del nucleo"}}
	for _, f := range fs {
		if f.Maggiorenne() {
			out = append(out, ui.Option{Value: f.PersonaID.String(),
				Label: f.Cognome + " " + f.Nome + " (" + strings.ToLower(RelazioneLabel(f.Relazione)) + ", " + strconv.Itoa(f.Eta) + " anni)"})
		}
	}
	return out
}

var esiti = map[string]string{
	"membro-aggiunto":   "Componente aggiunto all'équipe.",
	"familiare":         "Familiare referente indicato.",
	"membro-modificato": "Modifiche salvate.",
	"membro-terminato":  "Incarico nell'équipe terminato.",
}

func statoPostaKind(stato string) string {
	switch stato {
	case posta.Inviato, posta.Sink:
		return "success"
	case posta.Errore:
		return "danger"
	}
	return "warning"
}

func checked(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// righe splits a text into its lines, for display.
func righe(s string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

// differenze lists, for a member edit refused by a conflict, the fields
// where what is saved now differs from what the user typed.
func differenze(attuale Membro, in MembroInput) [][3]string {
	now := FromMembro(attuale)
	var out [][3]string
	for _, f := range []struct{ label, a, b string }{
		{"Ruolo", Ruolo(now.Ruolo).Label(), Ruolo(in.Ruolo).Label()},
		{"Nome", now.Nome, in.Nome}, {"Cognome", now.Cognome, in.Cognome},
		{"Funzione", now.Funzione, in.Funzione}, {"Ente o servizio", now.Ente, in.Ente},
		{"E-mail", now.Email, in.Email}, {"Telefono", now.Telefono, in.Telefono},
		{"Dal", now.Dal, in.Dal}, {"Al", now.Al, in.Al},
	} {
		if attuale.Ruolo == FamiliareReferente && (f.label == "Ruolo" || f.label == "Nome" || f.label == "Cognome" || f.label == "Funzione" || f.label == "Ente o servizio") {
			continue
		}
		if strings.TrimSpace(f.a) != strings.TrimSpace(f.b) {
			a, b := f.a, f.b
			if f.label == "Dal" || f.label == "Al" {
				a, b = dataIso(a), dataIso(b)
			}
			out = append(out, [3]string{f.label, a, b})
		}
	}
	return out
}

func dataIso(v string) string {
	if t, ok := calendario.ParseData(v); ok {
		return calendario.Data(t)
	}
	return v
}

func vuoto(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(vuoto)"
	}
	return s
}

// withoutCaso are the form's field errors without the page-level one.
func withoutCaso(errs httpx.FieldErrors) map[string]string {
	out := map[string]string{}
	for k, v := range errs {
		if k != "caso" {
			out[k] = v
		}
	}
	return out
}
