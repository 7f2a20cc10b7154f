package patto

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
		return "Sottoscritta"
	}
	return "Bozza"
}

// FontiFinanziamento are the funds a sostegno may be paid from.
var FontiFinanziamento = []ui.Option{
	{Value: "fondo_poverta", Label: "Fondo nazionale povertà (quota servizi)"},
	{Value: "pn_inclusione", Label: "PN Inclusione e lotta alla povertà 2021-2027"},
	{Value: "fnps", Label: "Fondo nazionale politiche sociali"},
	{Value: "regione", Label: "Risorse regionali"},
	{Value: "comune", Label: "Risorse del comune o dell'ambito"},
	{Value: "sanitario", Label: "Servizio sanitario"},
	{Value: "altro", Label: "Altra fonte"},
}

// EtichettaFonte is the label of a fonte di finanziamento.
func EtichettaFonte(c string) string {
	for _, o := range FontiFinanziamento {
		if o.Value == c {
			return o.Label
		}
	}
	return c
}

func opzioniFonti(attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Non indicata"}}
	trovata := attuale == ""
	for _, o := range FontiFinanziamento {
		out = append(out, o)
		trovata = trovata || o.Value == attuale
	}
	if !trovata {
		out = append(out, ui.Option{Value: attuale, Label: attuale})
	}
	return out
}

func nome(m Componente) string { return strings.TrimSpace(m.Cognome + " " + m.Nome) }

// persona is the name of a member of c ("Nucleo" for "").
func persona(c Contenuto, id string) string {
	if id == "" {
		return "Tutto il nucleo"
	}
	if m, ok := c.Componente(id); ok {
		return nome(m)
	}
	return "Componente non più nel nucleo"
}

func opzioniPersone(c Contenuto, vuota, attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: vuota}}
	trovata := attuale == ""
	for _, m := range c.Componenti {
		out = append(out, ui.Option{Value: m.PersonaID, Label: nome(m)})
		trovata = trovata || m.PersonaID == attuale
	}
	if !trovata {
		out = append(out, ui.Option{Value: attuale, Label: "Componente non più nel nucleo"})
	}
	return out
}

func opzioniAdulti(c Contenuto, oggi time.Time, attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli un componente maggiorenne"}}
	for _, m := range c.Componenti {
		if Maggiorenne(m, oggi) || m.PersonaID == attuale {
			out = append(out, ui.Option{Value: m.PersonaID, Label: nome(m)})
		}
	}
	return out
}

func opzioniSostegni(r Riferimenti, attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli dal catalogo"}}
	for _, t := range r.Sostegni {
		if t.Valido || t.Codice == attuale {
			out = append(out, ui.Option{Value: t.Codice, Label: t.Etichetta})
		}
	}
	return out
}

func opzioniAree(r Riferimenti, attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli l'area"}}
	for _, a := range r.Aree {
		if a.Valida || a.Codice == attuale {
			out = append(out, ui.Option{Value: a.Codice, Label: a.Etichetta})
		}
	}
	return out
}

func opzioniObiettivi(c Contenuto, attuale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Nessuno in particolare"}}
	for i, o := range c.Obiettivi {
		t := o.Titolo
		if t == "" {
			t = "Obiettivo " + itoa(i+1)
		}
		out = append(out, ui.Option{Value: o.ID, Label: t})
	}
	return out
}

func opzioniStati(attuale string) []ui.Option {
	var out []ui.Option
	for _, s := range StatiSostegno {
		out = append(out, ui.Option{Value: string(s), Label: s.Label()})
	}
	return out
}

// conVuoto are the rows of a list with one blank row at the end (the
// "add another" row of a form without JavaScript).
func obiettiviConVuoto(c Contenuto) []Obiettivo {
	return append(append([]Obiettivo(nil), c.Obiettivi...), Obiettivo{})
}
func risultatiConVuoto(o Obiettivo) []Risultato {
	return append(append([]Risultato(nil), o.Risultati...), Risultato{})
}
func sostegniConVuoto(c Contenuto) []Sostegno {
	return append(append([]Sostegno(nil), c.Sostegni...), Sostegno{})
}
func impegniConVuoto(c Contenuto) []Impegno {
	return append(append([]Impegno(nil), c.Impegni...), Impegno{})
}

func coinvolto(x Impegno, id string) bool {
	for _, p := range x.Coinvolti {
		if p == id {
			return true
		}
	}
	return false
}

func frequenza(pg Pagina) string {
	if pg.Frequenza != "" {
		return pg.Frequenza
	}
	if pg.Form.FrequenzaIncontri > 0 {
		return itoa(pg.Form.FrequenzaIncontri)
	}
	return ""
}

// attuazioneForm is the progress form of sostegno id: as typed, or as
// stored.
func attuazioneForm(pg Pagina, id string) AttuazioneInput {
	if in, ok := pg.Attuazione[id]; ok {
		return in
	}
	if a, ok := pg.Scheda.Attuazione[id]; ok {
		return DaAttuazione(a)
	}
	return AttuazioneInput{SostegnoID: id, Stato: string(Proposto), Versione: "0"}
}

// altreVersioni are the versions to compare version n with.
func altreVersioni(vs []schede.Versione, n int) []ui.Option {
	return schede.AltreVersioni(vs, n, statoVersione)
}

func descrizioneTipo(r Riferimenti, codice string) string {
	if t, ok := r.Sostegno(codice); ok {
		return t.Descrizione
	}
	return ""
}

func titoloObiettivo(c Contenuto, id string) string {
	for _, o := range c.Obiettivi {
		if o.ID == id {
			return o.Titolo
		}
	}
	return ""
}

func labelRisultato(j int, nuovo bool) string {
	if nuovo {
		return "Nuovo risultato atteso"
	}
	return "Risultato atteso " + itoa(j+1)
}

func tern(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

// giorni is a count of days in words: "1 giorno", "12 giorni".
func giorni(n int) string {
	if n == 1 {
		return "1 giorno"
	}
	return itoa(n) + " giorni"
}
