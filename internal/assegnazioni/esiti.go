package assegnazioni

import (
	"strconv"
	"strings"
)

// gruppoEsiti is the cases refused for one same reason: one line for
// forty identical errors.
type gruppoEsiti struct {
	Motivo string
	Codici []string
}

// Riga is the group as one line: "C-000001: motivo." or "3 casi
// (C-000001, C-000002, C-000003): motivo."
func (g gruppoEsiti) Riga() string {
	if len(g.Codici) == 1 {
		return g.Codici[0] + ": " + g.Motivo + "."
	}
	elenco := g.Codici
	altri := ""
	if len(elenco) > 10 {
		altri = " e altri " + strconv.Itoa(len(elenco)-10)
		elenco = elenco[:10]
	}
	return strconv.Itoa(len(g.Codici)) + " casi (" + strings.Join(elenco, ", ") + altri + "): " + g.Motivo + "."
}

// raggruppa gathers the refused outcomes by reason, in the order of the
// first case of each.
func raggruppa(esiti []Esito) []gruppoEsiti {
	var out []gruppoEsiti
	idx := map[string]int{}
	for _, e := range esiti {
		if e.OK {
			continue
		}
		i, ok := idx[e.Motivo]
		if !ok {
			i = len(out)
			idx[e.Motivo] = i
			out = append(out, gruppoEsiti{Motivo: e.Motivo})
		}
		out[i].Codici = append(out[i].Codici, e.Codice)
	}
	return out
}

// codiciAssegnati lists the numbers of the cases assigned (the first ten).
func codiciAssegnati(esiti []Esito) string {
	var c []string
	for _, e := range esiti {
		if e.OK {
			c = append(c, e.Codice)
		}
	}
	if len(c) > 10 {
		return strings.Join(c[:10], ", ") + " e altri " + strconv.Itoa(len(c)-10)
	}
	return strings.Join(c, ", ")
}
