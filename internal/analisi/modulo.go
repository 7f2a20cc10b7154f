package analisi

import (
	"net/url"
	"sort"
	"strings"
)

// DaModulo returns the change the form f makes to a draft: every editable
// field of the nucleo and of each current member (the anagrafica snapshot
// is not in the form and is kept). A checkbox not sent is unticked; an area
// not in the form is kept as it was.
func DaModulo(f url.Values) func(*Contenuto) {
	get := func(k string) string { return testoModulo(f.Get(k)) }
	return func(c *Contenuto) {
		n := &c.Nucleo
		n.Telefono, n.Email, n.Indirizzo, n.Domicilio, n.Note = get("n-telefono"), get("n-email"), get("n-indirizzo"), get("n-domicilio"), get("n-note")
		n.Servizi = codici(f["n-servizi"])
		n.ServiziNote, n.Prestazioni = get("n-servizi_note"), get("n-prestazioni")
		n.Aree = aree(f, "n-", n.Aree)
		n.Risorse, n.Aspirazioni = get("n-risorse"), get("n-aspirazioni")
		c.Esito, c.Motivazione = get("esito"), get("motivazione")
		for i := range c.Componenti {
			m := &c.Componenti[i]
			if m.Uscito {
				continue
			}
			k := func(nome string) string { return campoComp(m.PersonaID, nome) }
			m.Occupato, m.Studente, m.Pensionato = f.Get(k("occupato")) != "", f.Get(k("studente")) != "", f.Get(k("pensionato")) != ""
			m.Note = get(k("note"))
			m.Servizi = codici(f[k("servizi")])
			m.ServiziNote = get(k("servizi_note"))
			m.Aree = aree(f, k(""), m.Aree)
			m.Risorse, m.Aspirazioni = get(k("risorse")), get(k("aspirazioni"))
			m.Percorso = get(k("percorso"))
			m.Motivi = nil
			prefisso := k("motivo-")
			for key := range f {
				cod, ok := strings.CutPrefix(key, prefisso)
				if !ok || strings.Contains(cod, "-") || f.Get(key) == "" {
					continue
				}
				m.Motivi = append(m.Motivi, Motivo{Codice: cod,
					Dal: normData(get(campoMotivo(m.PersonaID, cod, "dal"))), Al: normData(get(campoMotivo(m.PersonaID, cod, "al")))})
			}
			sort.Slice(m.Motivi, func(a, b int) bool { return m.Motivi[a].Codice < m.Motivi[b].Codice })
			m.InvioCPI = f.Get(k("invio_cpi")) != ""
			m.DataInvioCPI = normData(get(k("data_invio_cpi")))
		}
	}
}

// testoModulo is a value of the form as kept: trimmed, every line break
// (CRLF as browsers send it, or a lone CR) a LF, so that the text shown
// again and saved unchanged stays the same.
func testoModulo(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
}

// codici is a set of codes as ticked, without repetitions, sorted.
func codici(vs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// aree reads the areas with prefix (their "bisogno" radio is always sent).
func aree(f url.Values, prefisso string, prima map[string]Area) map[string]Area {
	out := map[string]Area{}
	for k, a := range prima {
		out[k] = a
	}
	for key := range f {
		rest, ok := strings.CutPrefix(key, prefisso+"area-")
		if !ok {
			continue
		}
		area, ok := strings.CutSuffix(rest, "-bisogno")
		if !ok || strings.Contains(area, "-") {
			continue
		}
		b := f.Get(key)
		switch b {
		case Presente, Assente, NonValutato:
		default:
			b = NonValutato
		}
		out[area] = Area{Bisogno: b, Descrizione: testoModulo(f.Get(campoArea(prefisso, area, "descrizione")))}
	}
	return out
}
