package analisi

import (
	"strconv"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/web/ui"
)

func itoa(n int) string { return strconv.Itoa(n) }

func trattino(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// attivi returns the members still in the nucleo, for the form.
func (c Contenuto) Attivi() []Componente { return attivi(c) }

// percorsoOptions are the percorsi offered, plus the one in use.
func percorsoOptions(rif Riferimenti, attuale string) []ui.Option {
	opts := []ui.Option{{Value: "", Label: "Non indicato"}}
	for _, p := range rif.Percorsi.Offerte(func(c string) bool { return c == attuale }) {
		opts = append(opts, ui.Option{Value: p.Codice, Label: p.Etichetta})
	}
	return opts
}

// areeOfferte are the areas offered in the form: the valid ones and those
// the content already uses.
func areeOfferte(rif Riferimenti, c Contenuto) Lista {
	return rif.Aree.Offerte(func(cod string) bool {
		if _, ok := c.Nucleo.Aree[cod]; ok {
			return true
		}
		for _, m := range c.Componenti {
			if _, ok := m.Aree[cod]; ok {
				return true
			}
		}
		return false
	})
}

func serviziOfferti(rif Riferimenti, usati []string) Lista {
	return rif.Servizi.Offerte(func(cod string) bool { return has(usati, cod) })
}

func motiviOfferti(rif Riferimenti, m Componente) Lista {
	return rif.Motivi.Offerte(func(cod string) bool { _, ok := m.Motivo(cod); return ok })
}

func esitiOfferti(rif Riferimenti, attuale string) Lista {
	return rif.Esiti.Offerte(func(cod string) bool { return cod == attuale })
}

func bisognoDi(aree map[string]Area, cod string) Area {
	a := aree[cod]
	if a.Bisogno == "" {
		a.Bisogno = NonValutato
	}
	return a
}

func motivoTipo(v VoceRif) string {
	s := "Esclusione"
	if v.Tipo == "esonero" {
		s = "Esonero"
	}
	if v.EsoneroT90 {
		s += "; esonera anche dalla presentazione ogni 90 giorni"
	}
	return s
}

func statoVersione(v schede.Versione) string {
	if v.Definitiva() {
		return "Definitiva"
	}
	return "Bozza"
}

func esitoBreve(rif Riferimenti, cod string) string {
	if cod == "" {
		return "—"
	}
	return cod + " — " + rif.Esiti.Label(cod)
}

func serviziTesto(rif Riferimenti, cod []string) string {
	if len(cod) == 0 {
		return "Nessuno"
	}
	return etichette(rif.Servizi, cod)
}

func condizioniTesto(m Componente, oggi time.Time) string {
	s := ""
	for i, c := range m.Condizioni(oggi) {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}

// altreVersioni are the versions to compare version n with.
func altreVersioni(vs []schede.Versione, n int) []ui.Option {
	return schede.AltreVersioni(vs, n, statoVersione)
}

// erroriMotivi reports whether a reason of m has an error (its list is then
// shown open).
func erroriMotivi(errs httpx.FieldErrors, m Componente) bool {
	for k := range errs {
		if strings.HasPrefix(k, campoComp(m.PersonaID, "motivo-")) {
			return true
		}
	}
	return false
}
