package patto

import (
	"strings"

	"github.com/cartella/cartella/internal/schede"
)

var campiObiettivo = map[string]string{
	"titolo": "Obiettivo", "descrizione": "Descrizione", "persona_id": "Riguarda", "entro": "Entro il", "dimensione": "Dimensione del quadro",
}

var campiSostegno = map[string]string{
	"tipo": "Tipo", "persona_id": "Per", "ente_erogatore": "Ente erogatore", "referente": "Referente",
	"avvio_previsto": "Avvio previsto", "fine_prevista": "Fine prevista", "obiettivo_id": "Obiettivo collegato",
	"fonte_finanziamento": "Fonte di finanziamento", "note": "Note",
}

var campiImpegno = map[string]string{
	"area": "Area", "persona_id": "Componente tenuto all'impegno", "descrizione": "Descrizione", "frequenza": "Frequenza",
	"scadenza": "Entro il", "obiettivo_id": "Obiettivo collegato",
}

var campiGenerali = map[string]string{
	"familiare_responsabile":    "Familiare responsabile",
	"monitoraggio":              "Modalità di monitoraggio",
	"frequenza_incontri_giorni": "Incontri di monitoraggio (ogni quanti giorni)",
	"dal":                       "Durata: dal",
	"al":                        "Durata: al",
	"progetti_integrati":        "Progetti integrati di altri servizi",
	"note":                      "Note",
	"case_manager":              "Case manager",
}

// nomi collects the labels of the items of the contents: objectives by
// title, sostegni by type, impegni by description, members by name.
type nomi struct {
	obiettivi, sostegni, impegni, persone map[string]string
}

func raccogli(rif Riferimenti, cs []Contenuto) nomi {
	n := nomi{map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}}
	for _, c := range cs {
		for _, o := range c.Obiettivi {
			n.obiettivi[o.ID] = o.Titolo
		}
		for _, s := range c.Sostegni {
			n.sostegni[s.ID] = rif.EtichettaSostegno(s.Tipo)
		}
		for _, i := range c.Impegni {
			n.impegni[i.ID] = breve(i.Descrizione)
		}
		for _, m := range c.Componenti {
			n.persone[m.PersonaID] = strings.TrimSpace(m.Cognome + " " + m.Nome)
		}
	}
	return n
}

func breve(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return string(r)
}

func etichetta(nome, fallback string) string {
	if nome == "" {
		return fallback
	}
	return fallback + " «" + nome + "»"
}

// Etichettatore labels the paths of the patto's content in Italian, for the
// differences between versions and the conflict box; cs are the contents
// compared (for the names of the items).
func Etichettatore(rif Riferimenti, cs ...Contenuto) func(string) string {
	n := raccogli(rif, cs)
	return func(path string) string {
		if l, ok := campiGenerali[path]; ok {
			return l
		}
		if rest, ok := strings.CutPrefix(path, "obiettivi["); ok {
			id, rest, _ := strings.Cut(rest, "]")
			chi := etichetta(n.obiettivi[id], "Obiettivo")
			rest = strings.TrimPrefix(rest, ".")
			if r, ok := strings.CutPrefix(rest, "risultati["); ok {
				_, f, _ := strings.Cut(r, "]")
				f = strings.TrimPrefix(f, ".")
				if f == "entro" {
					return chi + " — Risultato atteso — Entro il"
				}
				return chi + " — Risultato atteso"
			}
			if l, ok := campiObiettivo[rest]; ok {
				return chi + " — " + l
			}
			return chi + " — " + rest
		}
		if rest, ok := strings.CutPrefix(path, "sostegni["); ok {
			id, rest, _ := strings.Cut(rest, "]")
			chi := etichetta(n.sostegni[id], "Sostegno")
			rest = strings.TrimPrefix(rest, ".")
			if l, ok := campiSostegno[rest]; ok {
				return chi + " — " + l
			}
			return chi + " — " + rest
		}
		if rest, ok := strings.CutPrefix(path, "impegni["); ok {
			id, rest, _ := strings.Cut(rest, "]")
			chi := etichetta(n.impegni[id], "Impegno")
			rest = strings.TrimPrefix(rest, ".")
			if strings.HasPrefix(rest, "coinvolti[") {
				return chi + " — Altri componenti coinvolti"
			}
			if l, ok := campiImpegno[rest]; ok {
				return chi + " — " + l
			}
			return chi + " — " + rest
		}
		if rest, ok := strings.CutPrefix(path, "sottoscrizione."); ok {
			switch {
			case rest == "data":
				return "Sottoscrizione — Data"
			case rest == "modalita":
				return "Sottoscrizione — Modalità"
			case rest == "nota":
				return "Sottoscrizione — Nota"
			case strings.HasPrefix(rest, "firmatari"):
				return "Sottoscrizione — Firmatari"
			}
			return "Sottoscrizione"
		}
		if strings.HasPrefix(path, "equipe[") {
			return "Équipe multidisciplinare"
		}
		if strings.HasPrefix(path, "componenti[") {
			return "Componenti del nucleo"
		}
		return path
	}
}

// Valore shows the value of path as the user reads it: codes as labels,
// members and objectives by name, dates as dd/mm/yyyy.
func Valore(rif Riferimenti, path, v string, cs ...Contenuto) string {
	if v == "" {
		return ""
	}
	n := raccogli(rif, cs)
	switch {
	case strings.HasSuffix(path, ".persona_id"), path == "familiare_responsabile", strings.Contains(path, ".coinvolti["):
		if nome, ok := n.persone[v]; ok {
			return nome
		}
	case strings.HasSuffix(path, ".obiettivo_id"):
		if t, ok := n.obiettivi[v]; ok {
			return t
		}
	case strings.HasPrefix(path, "sostegni[") && strings.HasSuffix(path, ".tipo"):
		return rif.EtichettaSostegno(v)
	case strings.HasPrefix(path, "impegni[") && strings.HasSuffix(path, ".area"):
		return rif.EtichettaArea(v)
	case path == "sottoscrizione.modalita":
		return EtichettaModalita(v)
	case strings.HasSuffix(path, "entro"), strings.HasSuffix(path, "previsto"), strings.HasSuffix(path, "prevista"),
		strings.HasSuffix(path, ".scadenza"), path == "dal", path == "al", path == "sottoscrizione.data":
		return Data(v)
	}
	return v
}

// Leggibili turns labelled differences into what the user reads: the
// values shown as labels, and the bookkeeping left out (item IDs, the
// anagrafica snapshot of the members and the équipe, the scan's id).
func Leggibili(rif Riferimenti, ds []schede.Differenza, cs ...Contenuto) []schede.Differenza {
	out := make([]schede.Differenza, 0, len(ds))
	for _, d := range ds {
		switch {
		case strings.HasSuffix(d.Percorso, ".id"), strings.HasPrefix(d.Percorso, "componenti["), strings.HasPrefix(d.Percorso, "equipe["),
			d.Percorso == "sottoscrizione.scansione", strings.HasPrefix(d.Percorso, "sottoscrizione.firmatari["):
			continue
		}
		d.Prima, d.Dopo = Valore(rif, d.Percorso, d.Prima, cs...), Valore(rif, d.Percorso, d.Dopo, cs...)
		out = append(out, d)
	}
	return out
}
