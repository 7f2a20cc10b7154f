package quadro

import (
	"strconv"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

func itoa(n int) string { return strconv.Itoa(n) }

func trattino(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func statoVersione(v schede.Versione) string {
	if v.Definitiva() {
		return "Definitiva"
	}
	return "Bozza"
}

// opzioni are a scale's choices: the valid ones, and the current value if
// it is no longer valid.
func opzioni(s Scala, attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Non indicato"}}
	for _, v := range s {
		if v.Valida || v.Codice == attuale {
			out = append(out, ui.Option{Value: v.Codice, Label: v.Etichetta})
		}
	}
	return out
}

// altreVersioni are the versions to compare version n with.
func altreVersioni(vs []schede.Versione, n int) []ui.Option {
	return schede.AltreVersioni(vs, n, statoVersione)
}

// attive are the members still in the nucleo.
func attive(c Contenuto) []Persona {
	var out []Persona
	for _, p := range c.Persone {
		if !p.Uscito {
			out = append(out, p)
		}
	}
	return out
}

func eta(p Persona, oggi time.Time) string {
	if n := p.Anni(oggi); n < 200 {
		return strconv.Itoa(n) + " anni"
	}
	return ""
}

func relazione(r string) string { return strings.ReplaceAll(r, "_", " ") }
