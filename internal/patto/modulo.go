package patto

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/httpx"
)

// Modulo is the draft's form as submitted: the editable parts of the
// content, parsed once (new rows get their IDs here, so that the same IDs
// are saved and shown again), and what could not be parsed.
type Modulo struct {
	c         Contenuto
	Frequenza string // as typed
	Errori    httpx.FieldErrors
}

// Applica writes the form's parts into c; the people of the patto and the
// signature are not the form's.
func (m Modulo) Applica(c *Contenuto) {
	c.Obiettivi, c.Sostegni, c.Impegni = m.c.Obiettivi, m.c.Sostegni, m.c.Impegni
	c.FamiliareResponsabile, c.Monitoraggio, c.FrequenzaIncontri = m.c.FamiliareResponsabile, m.c.Monitoraggio, m.c.FrequenzaIncontri
	c.Dal, c.Al, c.ProgettiIntegrati, c.Note = m.c.Dal, m.c.Al, m.c.ProgettiIntegrati, m.c.Note
}

// idOppureNuovo is the row's id as the form sent it, in canonical form, or a
// new one when it is not an id or another row of the form already has it
// (two rows with one id would be one row to the attuazione and the links).
func idOppureNuovo(s string, usati map[string]bool) string {
	id := uuid.NewString()
	if u, err := uuid.Parse(s); err == nil && !usati[u.String()] {
		id = u.String()
	}
	usati[id] = true
	return id
}

// DaModulo parses the draft's form. Rows left blank are ignored, rows with
// "rimuovi" ticked are dropped; the rows are numbered from 0 and each has a
// "-presente" marker.
func DaModulo(f url.Values) Modulo {
	// Every line break (CRLF as browsers send it, or a lone CR) a LF, so
	// that the text shown again and saved unchanged stays the same.
	get := func(k string) string {
		return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(f.Get(k), "\r\n", "\n"), "\r", "\n"))
	}
	giorno := func(k string) string { return iso(get(k)) }
	has := func(k string) bool { _, ok := f[k]; return ok }
	var m Modulo
	usati := map[string]bool{}
	for i := 0; has(campoObiettivo(i, "presente")); i++ {
		if get(campoObiettivo(i, "rimuovi")) != "" {
			continue
		}
		o := Obiettivo{Titolo: get(campoObiettivo(i, "titolo")), Descrizione: get(campoObiettivo(i, "descrizione")),
			Dimensione: get(campoObiettivo(i, "dimensione")), PersonaID: get(campoObiettivo(i, "persona")), Entro: giorno(campoObiettivo(i, "entro"))}
		for j := 0; has(campoRisultato(i, j, "presente")); j++ {
			if get(campoRisultato(i, j, "rimuovi")) != "" {
				continue
			}
			r := Risultato{Descrizione: get(campoRisultato(i, j, "descrizione")), Entro: giorno(campoRisultato(i, j, "entro"))}
			if r.Descrizione == "" && r.Entro == "" {
				continue
			}
			r.ID = idOppureNuovo(get(campoRisultato(i, j, "id")), usati)
			o.Risultati = append(o.Risultati, r)
		}
		if o.Titolo == "" && o.Descrizione == "" && o.Entro == "" && o.Dimensione == "" && len(o.Risultati) == 0 {
			continue
		}
		o.ID = idOppureNuovo(get(campoObiettivo(i, "id")), usati)
		m.c.Obiettivi = append(m.c.Obiettivi, o)
	}
	for i := 0; has(campoSostegno(i, "presente")); i++ {
		if get(campoSostegno(i, "rimuovi")) != "" {
			continue
		}
		s := Sostegno{Tipo: get(campoSostegno(i, "tipo")), PersonaID: get(campoSostegno(i, "persona")), EnteErogatore: get(campoSostegno(i, "ente")),
			Referente: get(campoSostegno(i, "referente")), AvvioPrevisto: giorno(campoSostegno(i, "avvio")), FinePrevista: giorno(campoSostegno(i, "fine")),
			ObiettivoID: get(campoSostegno(i, "obiettivo")), FonteFinanziamento: get(campoSostegno(i, "fonte")), Note: get(campoSostegno(i, "note"))}
		if s.Tipo == "" && s.EnteErogatore == "" && s.Referente == "" && s.AvvioPrevisto == "" && s.FinePrevista == "" && s.Note == "" {
			continue
		}
		s.ID = idOppureNuovo(get(campoSostegno(i, "id")), usati)
		m.c.Sostegni = append(m.c.Sostegni, s)
	}
	for i := 0; has(campoImpegno(i, "presente")); i++ {
		if get(campoImpegno(i, "rimuovi")) != "" {
			continue
		}
		x := Impegno{Area: get(campoImpegno(i, "area")), PersonaID: get(campoImpegno(i, "persona")), Descrizione: get(campoImpegno(i, "descrizione")),
			Frequenza: get(campoImpegno(i, "frequenza")), Scadenza: giorno(campoImpegno(i, "scadenza")), ObiettivoID: get(campoImpegno(i, "obiettivo"))}
		for _, p := range f[campoImpegno(i, "coinvolti")] {
			if p != "" && p != x.PersonaID {
				x.Coinvolti = append(x.Coinvolti, p)
			}
		}
		if x.Area == "" && x.PersonaID == "" && x.Descrizione == "" && x.Frequenza == "" && x.Scadenza == "" && len(x.Coinvolti) == 0 {
			continue
		}
		x.ID = idOppureNuovo(get(campoImpegno(i, "id")), usati)
		m.c.Impegni = append(m.c.Impegni, x)
	}
	// An objective removed: the sostegni and impegni linked to it lose the link.
	ids := map[string]bool{}
	for _, o := range m.c.Obiettivi {
		ids[o.ID] = true
	}
	for i := range m.c.Sostegni {
		if !ids[m.c.Sostegni[i].ObiettivoID] {
			m.c.Sostegni[i].ObiettivoID = ""
		}
	}
	for i := range m.c.Impegni {
		if !ids[m.c.Impegni[i].ObiettivoID] {
			m.c.Impegni[i].ObiettivoID = ""
		}
	}
	m.c.FamiliareResponsabile = get("familiare")
	m.c.Monitoraggio = get("monitoraggio")
	m.c.Dal, m.c.Al = giorno("dal"), giorno("al")
	m.c.ProgettiIntegrati, m.c.Note = get("progetti"), get("note")
	m.Frequenza = get("frequenza")
	if m.Frequenza != "" {
		n, err := strconv.Atoi(m.Frequenza)
		if err != nil || n < 1 || n > 90 {
			m.Errori = httpx.FieldErrors{"frequenza": "Gli incontri di monitoraggio vanno fissati almeno ogni 90 giorni: indica un numero di giorni da 1 a 90."}
		} else {
			m.c.FrequenzaIncontri = n
		}
	}
	return m
}
