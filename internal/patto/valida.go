package patto

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
)

// Form field names of the draft: objective i is "o<i>-…", its result j
// "o<i>-r<j>-…", sostegno i "s<i>-…", impegno i "i<i>-…"; the errors use the
// same names, so that each is shown next to its field.
func campoObiettivo(i int, f string) string    { return fmt.Sprintf("o%d-%s", i, f) }
func campoRisultato(i, j int, f string) string { return fmt.Sprintf("o%d-r%d-%s", i, j, f) }
func campoSostegno(i int, f string) string     { return fmt.Sprintf("s%d-%s", i, f) }
func campoImpegno(i int, f string) string      { return fmt.Sprintf("i%d-%s", i, f) }

// MaxTesto bounds every free text of the patto.
const MaxTesto = 4000

// iso is a date typed in any form calendario reads as stored, aaaa-mm-gg;
// anything else is kept as typed (the checks refuse it).
func iso(s string) string {
	if t, ok := calendario.ParseData(s); ok {
		return calendario.ISO(t)
	}
	return s
}

// Formati checks what must be well formed even in a draft: the dates, the
// frequency of the meetings (at most 90 days, the presentazione periodica
// of DL 48/2023), the length of the texts, the order of the dates.
func Formati(c Contenuto) httpx.FieldErrors {
	errs := httpx.FieldErrors{}
	date := func(campo, chi, v string) {
		if v != "" {
			if _, ok := calendario.ParseData(v); !ok {
				errs[campo] = chi + "la data non è valida: usa il formato gg/mm/aaaa."
			}
		}
	}
	testo := func(campo, chi, v string) {
		if utf8.RuneCountInString(v) > MaxTesto {
			errs[campo] = fmt.Sprintf("%sil testo supera i %d caratteri.", chi, MaxTesto)
		}
	}
	ordine := func(campo, chi, da, a string) {
		d1, ok1 := calendario.ParseData(da)
		d2, ok2 := calendario.ParseData(a)
		if ok1 && ok2 && d2.Before(d1) {
			errs[campo] = chi + "la fine non può precedere l'inizio."
		}
	}
	for i, o := range c.Obiettivi {
		chi := fmt.Sprintf("Obiettivo %d: ", i+1)
		date(campoObiettivo(i, "entro"), chi, o.Entro)
		testo(campoObiettivo(i, "descrizione"), chi, o.Descrizione)
		testo(campoObiettivo(i, "titolo"), chi, o.Titolo)
		for j, r := range o.Risultati {
			chi := fmt.Sprintf("Obiettivo %d, risultato %d: ", i+1, j+1)
			date(campoRisultato(i, j, "entro"), chi, r.Entro)
			testo(campoRisultato(i, j, "descrizione"), chi, r.Descrizione)
		}
	}
	for i, x := range c.Sostegni {
		chi := fmt.Sprintf("Sostegno %d: ", i+1)
		date(campoSostegno(i, "avvio"), chi, x.AvvioPrevisto)
		date(campoSostegno(i, "fine"), chi, x.FinePrevista)
		ordine(campoSostegno(i, "fine"), chi, x.AvvioPrevisto, x.FinePrevista)
		testo(campoSostegno(i, "note"), chi, x.Note)
	}
	for i, x := range c.Impegni {
		chi := fmt.Sprintf("Impegno %d: ", i+1)
		date(campoImpegno(i, "scadenza"), chi, x.Scadenza)
		testo(campoImpegno(i, "descrizione"), chi, x.Descrizione)
	}
	date("dal", "Durata del patto: ", c.Dal)
	date("al", "Durata del patto: ", c.Al)
	ordine("al", "Durata del patto: ", c.Dal, c.Al)
	if c.FrequenzaIncontri < 0 || c.FrequenzaIncontri > 90 {
		errs["frequenza"] = "Gli incontri di monitoraggio vanno fissati almeno ogni 90 giorni: indica un numero di giorni da 1 a 90."
	}
	for campo, v := range map[string]string{"monitoraggio": c.Monitoraggio, "progetti": c.ProgettiIntegrati, "note": c.Note} {
		testo(campo, "", v)
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Valida checks a draft before it is signed: at least one objective with
// an expected result; every row complete (objective's title, result's
// description, sostegno's type and ente erogatore, impegno's area, obliged
// member and description); the familiare responsabile, an adult member of
// the nucleo; the duration and the frequency of the meetings; dates
// coherent with the duration.
func Valida(c Contenuto, rif Riferimenti, oggi time.Time) httpx.FieldErrors {
	errs := Formati(c)
	if errs == nil {
		errs = httpx.FieldErrors{}
	}
	set := func(campo, msg string) {
		if _, ok := errs[campo]; !ok {
			errs[campo] = msg
		}
	}
	dal, okDal := calendario.ParseData(c.Dal)
	al, okAl := calendario.ParseData(c.Al)
	nelPatto := func(campo, chi, v string) {
		d, ok := calendario.ParseData(v)
		if !ok {
			return
		}
		if okDal && d.Before(dal) {
			set(campo, chi+"la data è precedente all'inizio del patto.")
		} else if okAl && d.After(al) {
			set(campo, chi+"la data è successiva alla fine del patto.")
		}
	}
	conRisultati := 0
	for i, o := range c.Obiettivi {
		chi := fmt.Sprintf("Obiettivo %d: ", i+1)
		if strings.TrimSpace(o.Titolo) == "" {
			set(campoObiettivo(i, "titolo"), chi+"scrivi l'obiettivo, cioè il cambiamento che la famiglia vuole raggiungere.")
		}
		if o.PersonaID != "" {
			if _, ok := c.Componente(o.PersonaID); !ok {
				set(campoObiettivo(i, "persona"), chi+"la persona non fa più parte del nucleo: scegli un componente o il nucleo.")
			}
		}
		nelPatto(campoObiettivo(i, "entro"), chi, o.Entro)
		if len(o.Risultati) > 0 {
			conRisultati++
		}
		for j, r := range o.Risultati {
			chi := fmt.Sprintf("Obiettivo %d, risultato %d: ", i+1, j+1)
			if strings.TrimSpace(r.Descrizione) == "" {
				set(campoRisultato(i, j, "descrizione"), chi+"descrivi il risultato atteso.")
			}
			nelPatto(campoRisultato(i, j, "entro"), chi, r.Entro)
		}
	}
	if conRisultati == 0 {
		set("obiettivi", "Indica almeno un obiettivo con almeno un risultato atteso.")
	}
	obiettivo := func(id string) bool {
		for _, o := range c.Obiettivi {
			if o.ID == id {
				return true
			}
		}
		return id == ""
	}
	for i, x := range c.Sostegni {
		chi := fmt.Sprintf("Sostegno %d: ", i+1)
		if t, ok := rif.Sostegno(x.Tipo); !ok {
			set(campoSostegno(i, "tipo"), chi+"scegli il tipo di sostegno dal catalogo.")
		} else if !t.Valido {
			set(campoSostegno(i, "tipo"), chi+"il tipo «"+t.Etichetta+"» non è più nel catalogo: scegline un altro.")
		}
		if strings.TrimSpace(x.EnteErogatore) == "" {
			set(campoSostegno(i, "ente"), chi+"indica l'ente o il servizio che eroga il sostegno.")
		}
		if x.PersonaID != "" {
			if _, ok := c.Componente(x.PersonaID); !ok {
				set(campoSostegno(i, "persona"), chi+"la persona non fa più parte del nucleo.")
			}
		}
		if !obiettivo(x.ObiettivoID) {
			set(campoSostegno(i, "obiettivo"), chi+"l'obiettivo collegato è stato tolto: scegline un altro.")
		}
		nelPatto(campoSostegno(i, "avvio"), chi, x.AvvioPrevisto)
	}
	for i, x := range c.Impegni {
		chi := fmt.Sprintf("Impegno %d: ", i+1)
		if x.Area == "" {
			set(campoImpegno(i, "area"), chi+"scegli l'area dell'impegno.")
		} else if !rif.areaValida(x.Area) {
			set(campoImpegno(i, "area"), chi+"l'area «"+rif.EtichettaArea(x.Area)+"» non è più in uso: scegline un'altra.")
		}
		if x.PersonaID == "" {
			set(campoImpegno(i, "persona"), chi+"indica il componente tenuto all'impegno.")
		} else if _, ok := c.Componente(x.PersonaID); !ok {
			set(campoImpegno(i, "persona"), chi+"il componente tenuto all'impegno non fa più parte del nucleo.")
		}
		if strings.TrimSpace(x.Descrizione) == "" {
			set(campoImpegno(i, "descrizione"), chi+"descrivi che cosa il componente si impegna a fare.")
		}
		if strings.TrimSpace(x.Frequenza) == "" && x.Scadenza == "" {
			set(campoImpegno(i, "frequenza"), chi+"indica ogni quanto o entro quando.")
		}
		if !obiettivo(x.ObiettivoID) {
			set(campoImpegno(i, "obiettivo"), chi+"l'obiettivo collegato è stato tolto: scegline un altro.")
		}
		nelPatto(campoImpegno(i, "scadenza"), chi, x.Scadenza)
	}
	if c.FamiliareResponsabile == "" {
		set("familiare", "Indica il familiare responsabile del patto, un componente maggiorenne del nucleo.")
	} else if m, ok := c.Componente(c.FamiliareResponsabile); !ok {
		set("familiare", "Il familiare responsabile non fa più parte del nucleo: indicane un altro.")
	} else if !Maggiorenne(m, oggi) {
		set("familiare", "Il familiare responsabile deve essere maggiorenne.")
	}
	if c.Dal == "" {
		set("dal", "Indica da quando vale il patto.")
	}
	if c.Al == "" {
		set("al", "Indica fino a quando vale il patto (può durare più del beneficio).")
	}
	if c.FrequenzaIncontri == 0 {
		set("frequenza", "Indica ogni quanti giorni ci si incontra per il monitoraggio (al massimo 90).")
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Maggiorenne reports whether the member is 18 or older on day.
func Maggiorenne(m Componente, day time.Time) bool {
	d, ok := calendario.ParseData(m.DataNascita)
	return ok && !d.AddDate(18, 0, 0).After(day)
}
