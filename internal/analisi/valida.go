package analisi

import (
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
)

// Form field names, shared by the form, its parser and the validation (the
// errors are keyed by field).
func campoComp(personaID, nome string) string { return "c-" + personaID + "-" + nome }

func campoArea(prefisso, area, nome string) string { return prefisso + "area-" + area + "-" + nome }

func campoMotivo(personaID, motivo, nome string) string {
	if nome == "" {
		return campoComp(personaID, "motivo-"+motivo)
	}
	return campoComp(personaID, "motivo-"+motivo+"-"+nome)
}

// Valida checks that c can be finalised at oggi with the reference lists
// rif: an esito; a percorso for every member in the scala di equivalenza;
// each reason with a valid period; the date of invio for the members sent
// to the CPI. The messages are in Italian, keyed by form field.
func Valida(c Contenuto, rif Riferimenti, oggi time.Time) httpx.FieldErrors {
	errs := httpx.FieldErrors{}
	if c.Esito == "" {
		errs["esito"] = "Scegli l'esito dell'analisi preliminare."
	} else if e, ok := rif.Esiti.Get(c.Esito); !ok || !e.Valida {
		errs["esito"] = "L'esito scelto non è più in vigore: scegline uno dell'elenco."
	}
	for _, m := range c.Componenti {
		if m.Uscito {
			continue
		}
		nome := m.Nominativo()
		nascita, hasNascita := calendario.ParseData(m.DataNascita)
		switch {
		case m.Minore(oggi) && m.InvioCPI:
			errs[campoComp(m.PersonaID, "invio_cpi")] = fmt.Sprintf("%s è minorenne: non si invia al Centro per l'impiego.", nome)
		case m.Percorso == "" && m.InScala && !m.Minore(oggi):
			errs[campoComp(m.PersonaID, "percorso")] = fmt.Sprintf("Indica il percorso di %s (componente nella scala di equivalenza).", nome)
		case m.Percorso != "":
			if p, ok := rif.Percorsi.Get(m.Percorso); !ok || !p.Valida {
				errs[campoComp(m.PersonaID, "percorso")] = fmt.Sprintf("Il percorso scelto per %s non è più in vigore: scegline uno dell'elenco.", nome)
			}
		}
		for _, mo := range m.Motivi {
			r, ok := rif.Motivi.Get(mo.Codice)
			label := rif.Motivi.Label(mo.Codice)
			if !ok || !r.Valida {
				errs[campoMotivo(m.PersonaID, mo.Codice, "")] = fmt.Sprintf("Il motivo «%s» di %s non è più in vigore: toglilo.", label, nome)
				continue
			}
			dal, okDal := calendario.ParseData(mo.Dal)
			switch {
			case mo.Dal == "":
				errs[campoMotivo(m.PersonaID, mo.Codice, "dal")] = fmt.Sprintf("Indica da quando vale il motivo «%s» di %s.", label, nome)
			case !okDal:
				errs[campoMotivo(m.PersonaID, mo.Codice, "dal")] = fmt.Sprintf("La data di inizio del motivo «%s» di %s non è valida: scrivila come gg/mm/aaaa.", label, nome)
			case hasNascita && dal.Before(nascita):
				errs[campoMotivo(m.PersonaID, mo.Codice, "dal")] = fmt.Sprintf("La data di inizio del motivo «%s» precede la nascita di %s.", label, nome)
			}
			if mo.Al == "" {
				continue
			}
			al, okAl := calendario.ParseData(mo.Al)
			switch {
			case !okAl:
				errs[campoMotivo(m.PersonaID, mo.Codice, "al")] = fmt.Sprintf("La data di fine del motivo «%s» di %s non è valida: scrivila come gg/mm/aaaa.", label, nome)
			case okDal && al.Before(dal):
				errs[campoMotivo(m.PersonaID, mo.Codice, "al")] = fmt.Sprintf("La data di fine del motivo «%s» di %s precede quella di inizio.", label, nome)
			}
		}
		f := campoComp(m.PersonaID, "data_invio_cpi")
		switch {
		case m.InvioCPI && m.DataInvioCPI == "":
			errs[f] = fmt.Sprintf("Indica la data di invio al CPI di %s.", nome)
		case !m.InvioCPI && m.DataInvioCPI != "":
			errs[f] = fmt.Sprintf("Hai indicato una data di invio al CPI per %s: spunta «Da inviare al CPI» o cancella la data.", nome)
		case m.InvioCPI:
			d, ok := calendario.ParseData(m.DataInvioCPI)
			switch {
			case !ok:
				errs[f] = fmt.Sprintf("La data di invio al CPI di %s non è valida: scrivila come gg/mm/aaaa.", nome)
			case d.After(oggi):
				errs[f] = fmt.Sprintf("La data di invio al CPI di %s non può essere futura.", nome)
			case hasNascita && d.Before(nascita):
				errs[f] = fmt.Sprintf("La data di invio al CPI di %s precede la sua nascita.", nome)
			}
		}
	}
	return errs
}
