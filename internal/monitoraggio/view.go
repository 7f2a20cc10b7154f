package monitoraggio

import (
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/scadenze"
)

// dataIso shows a yyyy-mm-dd of the patto as dd/mm/yyyy.
func dataIso(v string) string {
	if t, ok := calendario.ParseData(v); ok {
		return calendario.Data(t)
	}
	return v
}

// quando is "martedì 10/11/2026 alle 09:30".
func quando(in Incontro) string {
	return calendario.NomeGiorno(in.Data) + " " + calendario.Data(in.Data) + " alle " + in.Ora
}

func durata(min int) string {
	switch {
	case min < 60:
		return strconv.Itoa(min) + " minuti"
	case min%60 == 0 && min == 60:
		return "1 ora"
	case min%60 == 0:
		return strconv.Itoa(min/60) + " ore"
	}
	return strconv.Itoa(min) + " minuti"
}

func statoKind(s Stato) string {
	switch s {
	case Pianificato:
		return "info"
	case Svolto:
		return "success"
	}
	return "secondary"
}

func valutazioneKind(v string) string {
	switch v {
	case "raggiunto", "rispettato":
		return "success"
	case "parziale", "giustificato":
		return "warning"
	case "non_raggiunto", "non_rispettato":
		return "danger"
	}
	return "secondary"
}

// areaLabel shows an area's codice of the patto (e.g. "ricerca_lavoro")
// as words.
func areaLabel(v string) string {
	v = strings.ReplaceAll(v, "_", " ")
	if v == "" {
		return ""
	}
	return strings.ToUpper(v[:1]) + v[1:]
}

func daValutare(in Incontro) string {
	r, i := len(in.Risultati), len(in.Impegni)
	parti := []string{}
	switch r {
	case 0:
	case 1:
		parti = append(parti, "1 risultato")
	default:
		parti = append(parti, strconv.Itoa(r)+" risultati")
	}
	switch i {
	case 0:
	case 1:
		parti = append(parti, "1 impegno")
	default:
		parti = append(parti, strconv.Itoa(i)+" impegni")
	}
	return strings.Join(parti, ", ")
}

var esiti = map[string]string{
	"pianificato": "Incontro pianificato.",
	"registrato":  "Incontro registrato: la valutazione è salvata e l'incontro è nel registro degli incontri del caso.",
	"annullato":   "Incontro annullato.",
}

// Scadenza is the T90 counter as the page shows it.
type Scadenza struct {
	Kind, Stato, Messaggio, Rischio string
}

func contatoreT90(sc scadenze.Scadenze) Scadenza {
	t := sc.T90
	s := Scadenza{Stato: t.Stato.Label(), Messaggio: t.Messaggio, Rischio: t.Rischio.Label()}
	switch t.Stato {
	case scadenze.Rispettato:
		s.Kind = "success"
	case scadenze.InCorso:
		s.Kind = "info"
	case scadenze.InScadenza, scadenze.Tardivo:
		s.Kind = "warning"
	case scadenze.Scaduto:
		s.Kind = "danger"
	default:
		s.Kind = "secondary"
	}
	if s.Messaggio != "" && !strings.HasSuffix(s.Messaggio, ".") {
		s.Messaggio += "."
	}
	return s
}

func checked(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// form is the assessment form's content: what was typed, or the defaults.
func form(d Dettaglio, st stato) Registrazione {
	if st.Reg != nil {
		return *st.Reg
	}
	return Registrazione{Versione: strconv.Itoa(d.Incontro.Versione), Data: calendario.ISO(d.Incontro.Data)}
}

func presenzaOf(in Registrazione, id uuid.UUID) incontri.PresenzaInput {
	return in.Presenze[id]
}

func righe(s string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

// limiteHint is the hint of the next meeting's field.
func limiteHint(d Dettaglio) string {
	f := d.Patto.Frequenza()
	h := "Facoltativo: se lo indichi, l'incontro successivo viene pianificato con gli stessi risultati e impegni. "
	if f < scadenze.GiorniT90 {
		return h + "Secondo il patto (un incontro ogni " + strconv.Itoa(f) + " giorni) va tenuto entro il " + calendario.Data(d.Limite()) +
			"; in ogni caso entro 90 giorni dall'incontro."
	}
	return h + "Va tenuto entro 90 giorni, cioè entro il " + calendario.Data(d.Limite()) + "."
}

// PresenzaInputView is a member's presence as typed (internal/incontri's).
type PresenzaInputView = incontri.PresenzaInput

func presenzaLabel(p Presenza) string { return label(Presenze, p.Stato()) }

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
