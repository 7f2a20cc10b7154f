package patto

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/stampa"
)

// Data shows a yyyy-mm-dd date as dd/mm/yyyy (anything else as it is).
func Data(s string) string {
	if d, ok := calendario.ParseData(s); ok {
		return d.Format("02/01/2006")
	}
	return s
}

// Documento is the patto as the family reads it ("Il nostro patto"): plain
// language, the same text in the print view and in the PDF.
type Documento struct {
	Titolo      string
	Sottotitolo []string
	Sezioni     []Sezione
	Firme       []string // one signature line each
	Firmato     string   // how and when it was signed, "" for a draft
	Bozza       bool
}

// Sezione is a part of the document: an introduction and a list.
type Sezione struct {
	ID     string
	Titolo string
	Intro  string
	Voci   []Voce
}

// Voce is an item of a section: a line in bold and the details under it.
type Voce struct {
	Testo    string
	Dettagli []string
}

func nominativo(m Componente) string { return strings.TrimSpace(m.Nome + " " + m.Cognome) }

// PerLaFamiglia builds the document of version v of case c.
func PerLaFamiglia(c casi.Caso, v Versione, rif Riferimenti, oggi time.Time) Documento {
	k := v.Contenuto
	chi := func(id string) string {
		if id == "" {
			return "tutta la famiglia"
		}
		if m, ok := k.Componente(id); ok {
			return nominativo(m)
		}
		return "un componente non più nel nucleo"
	}
	titoloObiettivo := func(id string) string {
		for _, o := range k.Obiettivi {
			if o.ID == id {
				return o.Titolo
			}
		}
		return ""
	}
	d := Documento{Titolo: "Il nostro patto per l'inclusione sociale", Bozza: !v.Definitiva()}
	var nomi []string
	for _, m := range k.Componenti {
		nomi = append(nomi, nominativo(m))
	}
	d.Sottotitolo = append(d.Sottotitolo, "Famiglia: "+strings.Join(nomi, ", "))
	d.Sottotitolo = append(d.Sottotitolo, fmt.Sprintf("Comune di %s · caso %s · versione %d", c.Comune, c.Codice(), v.Numero))
	durata := "Il patto vale"
	if k.Dal != "" {
		durata += " dal " + Data(k.Dal)
	}
	if k.Al != "" {
		durata += " al " + Data(k.Al)
	}
	if k.Dal != "" || k.Al != "" {
		d.Sottotitolo = append(d.Sottotitolo, durata+".")
	}

	ob := Sezione{ID: "obiettivi", Titolo: "Che cosa vogliamo raggiungere",
		Intro: "Gli obiettivi che abbiamo deciso insieme e i passi per arrivarci."}
	for _, o := range k.Obiettivi {
		voce := Voce{Testo: o.Titolo}
		if o.PersonaID != "" {
			voce.Testo += " (" + chi(o.PersonaID) + ")"
		}
		if o.Descrizione != "" {
			voce.Dettagli = append(voce.Dettagli, o.Descrizione)
		}
		if o.Entro != "" {
			voce.Dettagli = append(voce.Dettagli, "Entro il "+Data(o.Entro)+".")
		}
		for _, r := range o.Risultati {
			t := "Passo: " + r.Descrizione
			if r.Entro != "" {
				t += " — entro il " + Data(r.Entro)
			}
			voce.Dettagli = append(voce.Dettagli, t)
		}
		ob.Voci = append(ob.Voci, voce)
	}
	d.Sezioni = append(d.Sezioni, ob)

	so := Sezione{ID: "sostegni", Titolo: "Che cosa fanno i servizi per voi",
		Intro: "Gli aiuti che i servizi mettono a disposizione, oltre al beneficio economico."}
	for _, x := range k.Sostegni {
		voce := Voce{Testo: rif.EtichettaSostegno(x.Tipo) + " per " + chi(x.PersonaID)}
		ente := "Lo offre: " + x.EnteErogatore
		if x.Referente != "" {
			ente += " (riferimento: " + x.Referente + ")"
		}
		voce.Dettagli = append(voce.Dettagli, ente)
		switch {
		case x.AvvioPrevisto != "" && x.FinePrevista != "":
			voce.Dettagli = append(voce.Dettagli, "Dal "+Data(x.AvvioPrevisto)+" al "+Data(x.FinePrevista)+".")
		case x.AvvioPrevisto != "":
			voce.Dettagli = append(voce.Dettagli, "Dal "+Data(x.AvvioPrevisto)+".")
		case x.FinePrevista != "":
			voce.Dettagli = append(voce.Dettagli, "Fino al "+Data(x.FinePrevista)+".")
		}
		if t := titoloObiettivo(x.ObiettivoID); t != "" {
			voce.Dettagli = append(voce.Dettagli, "Serve per: "+t+".")
		}
		if x.Note != "" {
			voce.Dettagli = append(voce.Dettagli, x.Note)
		}
		so.Voci = append(so.Voci, voce)
	}
	if len(so.Voci) == 0 {
		so.Intro = "Per ora non sono previsti sostegni oltre al beneficio economico."
	}
	d.Sezioni = append(d.Sezioni, so)

	im := Sezione{ID: "impegni", Titolo: "Che cosa vi impegnate a fare",
		Intro: "Gli impegni presi da ciascuno. Il beneficio dipende dal loro rispetto: se non potete mantenere un impegno, avvisate subito il case manager e spiegate il motivo."}
	for _, x := range k.Impegni {
		voce := Voce{Testo: chi(x.PersonaID) + ": " + x.Descrizione}
		var quando []string
		if x.Frequenza != "" {
			quando = append(quando, x.Frequenza)
		}
		if x.Scadenza != "" {
			quando = append(quando, "entro il "+Data(x.Scadenza))
		}
		if len(quando) > 0 {
			voce.Dettagli = append(voce.Dettagli, "Quando: "+strings.Join(quando, ", ")+".")
		}
		voce.Dettagli = append(voce.Dettagli, "Ambito: "+rif.EtichettaArea(x.Area)+".")
		if len(x.Coinvolti) > 0 {
			var cc []string
			for _, p := range x.Coinvolti {
				cc = append(cc, chi(p))
			}
			voce.Dettagli = append(voce.Dettagli, "Partecipano anche: "+strings.Join(cc, ", ")+".")
		}
		im.Voci = append(im.Voci, voce)
	}
	d.Sezioni = append(d.Sezioni, im)

	ref := Sezione{ID: "contatti", Titolo: "A chi rivolgervi"}
	if k.CaseManager != "" {
		ref.Voci = append(ref.Voci, Voce{Testo: k.CaseManager, Dettagli: []string{"Case manager: segue il vostro patto ed è la prima persona da contattare."}})
	}
	for _, m := range k.Equipe {
		det := m.Funzione
		if m.Ente != "" {
			det = strings.TrimPrefix(det+", "+m.Ente, ", ")
		}
		ref.Voci = append(ref.Voci, Voce{Testo: strings.TrimSpace(m.Nome + " " + m.Cognome), Dettagli: []string{det}})
	}
	if k.FamiliareResponsabile != "" {
		ref.Voci = append(ref.Voci, Voce{Testo: chi(k.FamiliareResponsabile), Dettagli: []string{"Familiare responsabile del patto per la famiglia."}})
	}
	d.Sezioni = append(d.Sezioni, ref)

	inc := Sezione{ID: "incontri", Titolo: "Quando ci incontriamo"}
	if k.FrequenzaIncontri > 0 {
		inc.Intro = "Ci incontriamo almeno ogni " + strconv.Itoa(k.FrequenzaIncontri) + " giorni per vedere insieme come va."
	}
	if k.Monitoraggio != "" {
		inc.Voci = append(inc.Voci, Voce{Testo: k.Monitoraggio})
	}
	if k.ProgettiIntegrati != "" {
		inc.Voci = append(inc.Voci, Voce{Testo: "Altri progetti collegati: " + k.ProgettiIntegrati})
	}
	d.Sezioni = append(d.Sezioni, inc)

	if s := k.Sottoscrizione; s != nil {
		var fs []string
		for _, f := range s.Firmatari {
			fs = append(fs, f.Nome)
		}
		d.Firmato = "Sottoscritto il " + Data(s.Data) + " (" + strings.ToLower(EtichettaModalita(s.Modalita)) + ") da " + strings.Join(fs, ", ") + "."
	} else {
		for _, m := range k.Componenti {
			if Maggiorenne(m, oggi) {
				d.Firme = append(d.Firme, nominativo(m))
			}
		}
		if k.CaseManager != "" {
			d.Firme = append(d.Firme, k.CaseManager+", case manager")
		}
	}
	return d
}

// PDF is the document as a stampa.Documento.
func (d Documento) PDF(creato time.Time) stampa.Documento {
	out := stampa.Documento{
		Titolo:      d.Titolo,
		Sottotitolo: strings.Join(d.Sottotitolo, "\n"),
		Piede:       "Documento riservato: contiene dati personali.",
		Creato:      creato,
	}
	if d.Bozza {
		out.Blocchi = append(out.Blocchi, stampa.Blocco{Titolo: "Bozza", Testo: "Questa è una bozza: il contenuto può ancora cambiare."})
	}
	for _, s := range d.Sezioni {
		var b strings.Builder
		if s.Intro != "" {
			b.WriteString(s.Intro + "\n\n")
		}
		for _, v := range s.Voci {
			b.WriteString("• " + v.Testo + "\n")
			for _, x := range v.Dettagli {
				b.WriteString("   " + x + "\n")
			}
		}
		out.Blocchi = append(out.Blocchi, stampa.Blocco{Titolo: s.Titolo, Testo: b.String()})
	}
	if d.Firmato != "" {
		out.Blocchi = append(out.Blocchi, stampa.Blocco{Titolo: "Sottoscrizione", Testo: d.Firmato})
	} else if len(d.Firme) > 0 {
		var b strings.Builder
		b.WriteString("Data ____________________\n\n")
		for _, f := range d.Firme {
			b.WriteString(f + "   ________________________________\n\n")
		}
		out.Blocchi = append(out.Blocchi, stampa.Blocco{Titolo: "Firme", Testo: b.String()})
	}
	return out
}
