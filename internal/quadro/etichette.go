package quadro

import (
	"net/url"
	"strings"

	"github.com/cartella/cartella/internal/schede"
)

// Form field names: the nucleo's dimension d is "f-<d>-<campo>", member
// p's is "p-<persona_id>-<d>-<campo>".
func campoFamiglia(d string) string      { return "f-" + d }
func campoPersona(p, d string) string    { return "p-" + p + "-" + d }
func campo(prefisso, nome string) string { return prefisso + "-" + nome }

var nomiCampi = map[string]string{
	"bisogno":         "Livello di bisogno",
	"risorse_livello": "Risorse (livello)",
	"risorse":         "Risorse e fattori protettivi",
	"priorita":        "Prioritaria per il patto",
	"fonte":           "Fonte",
	"note":            "Note",
}

// Etichettatore labels the paths of the quadro's content in Italian, for
// the differences between versions and the conflict box; cs are the
// contents compared (for the members' names).
func Etichettatore(rif Riferimenti, cs ...Contenuto) func(string) string {
	nomi := map[string]string{}
	for _, c := range cs {
		for _, p := range c.Persone {
			nomi[p.PersonaID] = p.Nominativo()
		}
	}
	return func(path string) string {
		if path == "sintesi" {
			return "Sintesi"
		}
		if rest, ok := strings.CutPrefix(path, "famiglia."); ok {
			d, f, _ := strings.Cut(rest, ".")
			return "Nucleo — " + rif.Etichetta(d) + " — " + nomeCampo(f)
		}
		if rest, ok := strings.CutPrefix(path, "persone["); ok {
			id, rest, _ := strings.Cut(rest, "]")
			chi := nomi[id]
			if chi == "" {
				chi = "Componente"
			}
			rest = strings.TrimPrefix(rest, ".")
			if d, ok := strings.CutPrefix(rest, "dimensioni."); ok {
				dim, f, _ := strings.Cut(d, ".")
				return chi + " — " + rif.Etichetta(dim) + " — " + nomeCampo(f)
			}
			switch rest {
			case "uscito":
				return chi + " — Uscito dal nucleo"
			case "relazione":
				return chi + " — Relazione"
			}
			return chi + " — " + rest
		}
		return path
	}
}

func nomeCampo(f string) string {
	if n, ok := nomiCampi[f]; ok {
		return n
	}
	return f
}

// Valore shows the value of path as the user reads it (codes as labels).
func Valore(rif Riferimenti, path, v string) string {
	switch {
	case strings.HasSuffix(path, ".bisogno"):
		return rif.Bisogno.Label(v)
	case strings.HasSuffix(path, ".risorse_livello"):
		return rif.Risorse.Label(v)
	case strings.HasSuffix(path, ".fonte"):
		return rif.Fonte.Label(v)
	}
	return v
}

// Leggibili turns the values of labelled differences into what the user
// reads; the anagrafica snapshot fields (names, dates) are left out.
func Leggibili(rif Riferimenti, ds []schede.Differenza, _ ...Contenuto) []schede.Differenza {
	out := make([]schede.Differenza, 0, len(ds))
	for _, d := range ds {
		switch {
		case strings.HasSuffix(d.Percorso, ".cognome"), strings.HasSuffix(d.Percorso, ".nome"),
			strings.HasSuffix(d.Percorso, ".data_nascita"), strings.HasSuffix(d.Percorso, ".persona_id"):
			continue
		}
		d.Prima, d.Dopo = Valore(rif, d.Percorso, d.Prima), Valore(rif, d.Percorso, d.Dopo)
		out = append(out, d)
	}
	return out
}

// DaModulo returns the change the form f makes to a draft: every dimension
// of the nucleo and of each current member shown in the form (a dimension
// not in the form is kept as it was).
func DaModulo(f url.Values) func(*Contenuto) {
	get := func(k string) string { return strings.TrimSpace(strings.ReplaceAll(f.Get(k), "\r\n", "\n")) }
	leggi := func(prefisso string) (Valutazione, bool) {
		if _, ok := f[campo(prefisso, "presente")]; !ok {
			return Valutazione{}, false
		}
		return Valutazione{
			Bisogno: get(campo(prefisso, "bisogno")), Livello: get(campo(prefisso, "risorse_livello")),
			Risorse: get(campo(prefisso, "risorse")), Priorita: f.Get(campo(prefisso, "priorita")) != "",
			Fonte: get(campo(prefisso, "fonte")), Note: get(campo(prefisso, "note")),
		}, true
	}
	dims := func(prefisso string, prima map[string]Valutazione) map[string]Valutazione {
		out := map[string]Valutazione{}
		for k, v := range prima {
			out[k] = v
		}
		for key := range f {
			rest, ok := strings.CutPrefix(key, prefisso)
			if !ok {
				continue
			}
			d, ok := strings.CutSuffix(rest, "-presente")
			if !ok || strings.Contains(d, "-") {
				continue
			}
			if v, ok := leggi(prefisso + d); ok {
				if v.Vuota() {
					delete(out, d)
				} else {
					out[d] = v
				}
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return func(c *Contenuto) {
		c.Famiglia = dims("f-", c.Famiglia)
		for i := range c.Persone {
			p := &c.Persone[i]
			if !p.Uscito {
				p.Dimensioni = dims("p-"+p.PersonaID+"-", p.Dimensioni)
			}
		}
		c.Sintesi = get("sintesi")
	}
}
