package patto

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/accesso"
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
	// The ente's header: the comune, the ambito, its logo.
	Comune, Ambito string
	Logo           []byte
	// Firmatari are who signs (a version not signed yet): the same as the
	// signing form's (Firmatari), with their codici fiscali.
	Firmatari []Candidato
	// Firma is how the version was signed, nil before.
	Firma *FirmaStampata
	// Firmato is Firma in one sentence ("" before signing).
	Firmato     string
	Informativa string // the ambito's privacy notice
	Bozza       bool   // a draft printed as such, not the version to sign
}

// FirmaStampata is the signature data printed on a signed version.
type FirmaStampata struct {
	Data, Luogo, Modalita, Nota string
	Firmatari                   []Candidato
	Scansione                   bool // the signed paper is kept as a scan
}

// Luogo is the place of signing: the case's comune.
func (d Documento) Luogo() string { return d.Comune }

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

// PerLaFamiglia builds the document of version v of case c with the ente's
// data of carta; perLaFirma prints a draft as the version to sign (no
// "Bozza" notice: it is the text the family signs).
func PerLaFamiglia(c casi.Caso, v Versione, rif Riferimenti, oggi time.Time, carta accesso.Carta, perLaFirma bool) Documento {
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
	d := Documento{Titolo: "Il nostro patto per l'inclusione sociale", Bozza: !v.Definitiva() && !perLaFirma,
		Comune: c.Comune, Ambito: carta.Ambito, Logo: carta.Logo, Informativa: carta.Informativa}
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
	cm := carta.Contatti
	contatti := func(v *Voce) {
		if cm.Telefono != "" {
			v.Dettagli = append(v.Dettagli, "Telefono: "+cm.Telefono)
		}
		if cm.Email != "" {
			v.Dettagli = append(v.Dettagli, "E-mail: "+cm.Email)
		}
		if cm.Orari != "" {
			v.Dettagli = append(v.Dettagli, "Orari di ricevimento: "+cm.Orari)
		}
	}
	if k.CaseManager != "" {
		v := Voce{Testo: k.CaseManager, Dettagli: []string{"Case manager: segue il vostro patto ed è la prima persona da contattare."}}
		if cm.Nome == k.CaseManager {
			contatti(&v)
		}
		ref.Voci = append(ref.Voci, v)
	}
	if cm.Nome != "" && cm.Nome != k.CaseManager {
		// The case has another case manager now: the family calls them.
		v := Voce{Testo: cm.Nome, Dettagli: []string{"Case manager che segue ora il vostro caso."}}
		contatti(&v)
		ref.Voci = append(ref.Voci, v)
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
		f := &FirmaStampata{Data: Data(s.Data), Luogo: c.Comune, Modalita: EtichettaModalita(s.Modalita), Nota: s.Nota, Scansione: s.Scansione != ""}
		for _, x := range s.Firmatari {
			fs = append(fs, x.Nome)
			cf := ""
			if m, ok := k.Componente(x.PersonaID); ok && x.PersonaID != "" {
				cf = m.CodiceFiscale
			}
			f.Firmatari = append(f.Firmatari, Candidato{Tipo: x.Tipo, PersonaID: x.PersonaID, Nome: x.Nome, CodiceFiscale: cf, Ruolo: x.Ruolo})
		}
		d.Firma = f
		d.Firmato = "Sottoscritto a " + c.Comune + " il " + Data(s.Data) + " (" + strings.ToLower(EtichettaModalita(s.Modalita)) + ") da " + strings.Join(fs, ", ") + "."
	} else {
		d.Firmatari = Firmatari(k, oggi)
	}
	// The case manager signs with their codice fiscale too, when they are
	// still the case's.
	for _, fs := range [][]Candidato{d.Firmatari, firmatariFirmati(d.Firma)} {
		for i := range fs {
			if fs[i].Tipo == "operatore" && fs[i].Ruolo == "case manager" && fs[i].Nome == cm.Nome && fs[i].CodiceFiscale == "" {
				fs[i].CodiceFiscale = cm.CodiceFiscale
			}
		}
	}
	return d
}

func firmatariFirmati(f *FirmaStampata) []Candidato {
	if f == nil {
		return nil
	}
	return f.Firmatari
}

// cf is the codice fiscale column of the signature table.
func cf(f Candidato) string {
	if f.CodiceFiscale != "" {
		return f.CodiceFiscale
	}
	return "—"
}

// PDF is the document as a stampa.Documento.
func (d Documento) PDF(creato time.Time) stampa.Documento {
	out := stampa.Documento{
		Intestazione: stampa.Intestazione{Righe: []string{"Comune di " + d.Comune}, Logo: d.Logo},
		Titolo:       d.Titolo,
		Sottotitolo:  strings.Join(d.Sottotitolo, "\n"),
		Piede:        "Documento riservato: contiene dati personali.",
		Creato:       creato,
	}
	if d.Ambito != "" {
		out.Intestazione.Righe = append(out.Intestazione.Righe, d.Ambito)
	}
	out.Intestazione.Righe = append(out.Intestazione.Righe, "Servizi sociali · Patto per l'inclusione sociale")
	if d.Bozza {
		out.Avviso = "Bozza: il contenuto può ancora cambiare. Non è la versione da firmare."
	}
	for _, s := range d.Sezioni {
		b := stampa.Blocco{Titolo: s.Titolo, Testo: s.Intro}
		for _, v := range s.Voci {
			b.Voci = append(b.Voci, stampa.Voce{Testo: v.Testo, Dettagli: v.Dettagli})
		}
		out.Blocchi = append(out.Blocchi, b)
	}
	if d.Informativa != "" {
		out.Blocchi = append(out.Blocchi, stampa.Blocco{Titolo: "Informativa sul trattamento dei dati personali", Testo: d.Informativa})
	}
	if f := d.Firma; f != nil {
		testo := "Il patto è stato sottoscritto a " + f.Luogo + " il " + f.Data + ". Modalità: " + f.Modalita + "."
		if f.Nota != "" {
			testo += "\n" + f.Nota
		}
		t := &stampa.Tabella{Colonne: []stampa.Colonna{{Titolo: "Ha firmato", Peso: 3}, {Titolo: "Codice fiscale", Peso: 2.6}, {Titolo: "Ruolo", Peso: 3}}}
		for _, x := range f.Firmatari {
			t.Righe = append(t.Righe, []string{x.Nome, cf(x), x.Ruolo})
		}
		chiusura := ""
		if f.Scansione {
			chiusura = "L'originale firmato su carta è conservato dal servizio; la sua scansione è registrata nella cartella sociale."
		}
		out.Blocchi = append(out.Blocchi, stampa.Blocco{Titolo: "Sottoscrizione", Testo: testo, Tabella: t, Chiusura: chiusura})
	} else if len(d.Firmatari) > 0 {
		t := &stampa.Tabella{
			Colonne:     []stampa.Colonna{{Titolo: "Firmatario", Peso: 3}, {Titolo: "Codice fiscale", Peso: 2.6}, {Titolo: "Ruolo", Peso: 2.4}, {Titolo: "Firma", Peso: 3.2}},
			AltezzaRiga: 15,
		}
		for _, x := range d.Firmatari {
			t.Righe = append(t.Righe, []string{x.Nome, cf(x), x.Ruolo, ""})
		}
		out.Blocchi = append(out.Blocchi, stampa.Blocco{
			Titolo:  "Firme",
			Testo:   "Letto, confermato e sottoscritto a " + d.Luogo() + ", il ____ / ____ / ________\n\nCon la firma i componenti del nucleo dichiarano di aver ricevuto l'informativa sul trattamento dei dati personali.",
			Tabella: t,
		})
	}
	return out
}
