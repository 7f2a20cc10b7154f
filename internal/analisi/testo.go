package analisi

import (
	"fmt"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/schede"
)

// Sezione is one section of the analisi as plain text (the équipe's extract).
type Sezione struct{ Codice, Titolo, Testo string }

// sezioni are the sections of the scheda (domain.md §3.3), in order.
var sezioni = []struct{ Codice, Titolo string }{
	{"nucleo", "Informazioni sul nucleo"},
	{"servizi", "Servizi e prestazioni in corso"},
	{"bisogni", "Bisogni nelle aree della valutazione"},
	{"risorse", "Risorse e aspirazioni"},
	{"esito", "Esito"},
}

// SezioniDisponibili are the sections an extract can be made of, in order.
func SezioniDisponibili() []struct{ Codice, Titolo string } {
	return append([]struct{ Codice, Titolo string }(nil), sezioni...)
}

// campi are the labels of the simple fields, by JSON key.
var campi = map[string]string{
	"misura": "Misura", "id_domanda": "Identificativo della domanda", "data_pad": "Data del PAD",
	"telefono": "Telefono", "email": "E-mail", "indirizzo": "Residenza", "domicilio": "Domicilio",
	"note": "Note", "servizi_note": "Note sui servizi", "prestazioni": "Altre prestazioni",
	"risorse": "Risorse e punti di forza", "aspirazioni": "Aspirazioni",
	"codice_fiscale": "Codice fiscale", "persona_id": "Identificativo", "cognome": "Cognome", "nome": "Nome",
	"sesso": "Sesso", "data_nascita": "Data di nascita", "relazione": "Relazione con il richiedente",
	"in_scala": "Nella scala di equivalenza", "disabilita": "Disabilità", "svantaggio": "Svantaggio certificato",
	"vittima_violenza": "Vittima di violenza di genere", "uscito": "Non più nel nucleo",
	"occupato": "Occupato", "studente": "Studente", "pensionato": "Pensionato",
	"percorso": "Percorso", "invio_cpi": "Da inviare al CPI", "data_invio_cpi": "Data di invio al CPI",
	"esito": "Esito", "motivazione": "Motivazione dell'esito",
}

// Etichettatore returns the labeller of the paths of schede.Differenze for
// contents like cs: "componenti[RSSMRA…].aree.economica.bisogno" becomes
// "Rossi Maria — Situazione economica: bisogno".
func Etichettatore(rif Riferimenti, cs ...Contenuto) func(string) string {
	nomi := map[string]string{}
	for _, c := range cs {
		for _, m := range c.Componenti {
			nomi[m.CodiceFiscale] = m.Nominativo()
		}
	}
	return func(p string) string {
		var prefisso, resto string
		switch {
		case strings.HasPrefix(p, "componenti["):
			k, r, _ := strings.Cut(strings.TrimPrefix(p, "componenti["), "]")
			nome := nomi[k]
			if nome == "" {
				nome = "Componente " + k
			}
			prefisso, resto = nome+" — ", strings.TrimPrefix(r, ".")
		case strings.HasPrefix(p, "nucleo."):
			prefisso, resto = "Nucleo — ", strings.TrimPrefix(p, "nucleo.")
		default:
			resto = p
		}
		return prefisso + etichettaCampo(rif, resto)
	}
}

func etichettaCampo(rif Riferimenti, p string) string {
	switch {
	case strings.HasPrefix(p, "aree."):
		area, campo, _ := strings.Cut(strings.TrimPrefix(p, "aree."), ".")
		if campo == "descrizione" {
			return rif.Aree.Label(area) + ": descrizione"
		}
		return rif.Aree.Label(area) + ": bisogno"
	case strings.HasPrefix(p, "servizi["):
		k, _, _ := strings.Cut(strings.TrimPrefix(p, "servizi["), "]")
		return "Servizio coinvolto: " + rif.Servizi.Label(k)
	case strings.HasPrefix(p, "motivi["):
		k, r, _ := strings.Cut(strings.TrimPrefix(p, "motivi["), "]")
		l := "Motivo di esclusione o esonero «" + rif.Motivi.Label(k) + "»"
		switch strings.TrimPrefix(r, ".") {
		case "dal":
			return l + ": dal"
		case "al":
			return l + ": al"
		}
		return l
	}
	if l, ok := campi[p]; ok {
		return l
	}
	return p
}

// Leggibili turns the values of differences into what a reader expects:
// labels instead of codes, dates as dd/mm/yyyy (the contents compared are
// not needed: schede.Modulo passes them).
func Leggibili(rif Riferimenti, ds []schede.Differenza, _ ...Contenuto) []schede.Differenza {
	out := make([]schede.Differenza, len(ds))
	for i, d := range ds {
		d.Prima, d.Dopo = Valore(rif, d.Percorso, d.Prima), Valore(rif, d.Percorso, d.Dopo)
		out[i] = d
	}
	return out
}

// Valore is the value v of the field at path p as shown.
func Valore(rif Riferimenti, p, v string) string {
	if v == "" {
		return ""
	}
	last := p
	if i := strings.LastIndex(p, "."); i >= 0 {
		last = p[i+1:]
	}
	switch {
	case p == "esito":
		return v + " — " + rif.Esiti.Label(v)
	case last == "bisogno":
		return BisognoLabel(v)
	case last == "percorso":
		return rif.Percorsi.Label(v)
	case last == "relazione":
		return RelazioneLabel(v)
	case last == "misura":
		return casi.Misura(v).Label()
	case last == "codice" && strings.Contains(p, "motivi["), strings.HasSuffix(p, "]") && strings.Contains(p, "servizi["):
		return "sì"
	case last == "dal" || last == "al" || strings.HasPrefix(last, "data_"):
		return DataIT(v)
	}
	return v
}

// Testo renders c section by section as plain text.
func Testo(c Contenuto, rif Riferimenti, oggi time.Time) []Sezione {
	out := make([]Sezione, 0, len(sezioni))
	for _, s := range sezioni {
		var b strings.Builder
		switch s.Codice {
		case "nucleo":
			testoNucleo(&b, c, oggi)
		case "servizi":
			testoServizi(&b, c, rif)
		case "bisogni":
			testoBisogni(&b, c, rif)
		case "risorse":
			testoRisorse(&b, c)
		case "esito":
			testoEsito(&b, c, rif)
		}
		out = append(out, Sezione{Codice: s.Codice, Titolo: s.Titolo, Testo: strings.TrimRight(b.String(), "\n")})
	}
	return out
}

func riga(b *strings.Builder, label, v string) {
	if strings.TrimSpace(v) != "" {
		fmt.Fprintf(b, "%s: %s\n", label, strings.TrimSpace(v))
	}
}

func attivi(c Contenuto) []Componente {
	var out []Componente
	for _, m := range c.Componenti {
		if !m.Uscito {
			out = append(out, m)
		}
	}
	return out
}

// Condizioni lists a member's flags in words.
func (m Componente) Condizioni(oggi time.Time) []string {
	var out []string
	if m.InScala {
		out = append(out, "nella scala di equivalenza")
	} else {
		out = append(out, "fuori dalla scala di equivalenza")
	}
	for _, f := range []struct {
		on bool
		l  string
	}{{m.Disabilita, "disabilità"}, {m.Svantaggio, "svantaggio certificato"}, {m.VittimaViolenza, "vittima di violenza di genere"},
		{m.Occupato, "occupato"}, {m.Studente, "studente"}, {m.Pensionato, "pensionato"}} {
		if f.on {
			out = append(out, f.l)
		}
	}
	if e := m.Eta(oggi); e >= 60 {
		out = append(out, "60 anni o più")
	} else if e >= 0 && e < 18 {
		out = append(out, "minorenne")
	}
	return out
}

// Anagrafica is "Richiedente, nata il 12/04/1985 (40 anni)".
func (m Componente) Anagrafica(oggi time.Time) string {
	nato := "nato"
	if m.Sesso == "F" {
		nato = "nata"
	}
	s := RelazioneLabel(m.Relazione)
	if m.DataNascita != "" {
		s += ", " + nato + " il " + DataIT(m.DataNascita)
		if e := m.Eta(oggi); e >= 0 {
			s += fmt.Sprintf(" (%d anni)", e)
		}
	}
	return s
}

func testoNucleo(b *strings.Builder, c Contenuto, oggi time.Time) {
	n := c.Nucleo
	if n.Misura != "" {
		riga(b, "Misura", casi.Misura(n.Misura).Label())
	}
	riga(b, "Identificativo della domanda", n.IDDomanda)
	riga(b, "Data del PAD", DataIT(n.DataPAD))
	riga(b, "Residenza", n.Indirizzo)
	riga(b, "Domicilio", n.Domicilio)
	riga(b, "Telefono", n.Telefono)
	riga(b, "E-mail", n.Email)
	riga(b, "Note", n.Note)
	b.WriteString("Componenti:\n")
	for _, m := range attivi(c) {
		fmt.Fprintf(b, "- %s: %s; %s\n", m.Nominativo(), m.Anagrafica(oggi), strings.Join(m.Condizioni(oggi), ", "))
		if m.Note != "" {
			fmt.Fprintf(b, "  Note: %s\n", m.Note)
		}
	}
}

func etichette(l Lista, codici []string) string {
	var out []string
	for _, c := range codici {
		out = append(out, l.Label(c))
	}
	return strings.Join(out, ", ")
}

func testoServizi(b *strings.Builder, c Contenuto, rif Riferimenti) {
	riga(b, "Servizi coinvolti con il nucleo", etichette(rif.Servizi, c.Nucleo.Servizi))
	riga(b, "Note sui servizi", c.Nucleo.ServiziNote)
	riga(b, "Altre prestazioni", c.Nucleo.Prestazioni)
	for _, m := range attivi(c) {
		if len(m.Servizi) == 0 && m.ServiziNote == "" {
			continue
		}
		fmt.Fprintf(b, "%s:\n", m.Nominativo())
		riga(b, "  Servizi coinvolti", etichette(rif.Servizi, m.Servizi))
		riga(b, "  Note sui servizi", m.ServiziNote)
	}
	if b.Len() == 0 {
		b.WriteString("Nessun servizio indicato.\n")
	}
}

func testoAree(b *strings.Builder, indent string, aree map[string]Area, rif Riferimenti) {
	for _, a := range rif.Aree {
		x, ok := aree[a.Codice]
		if !ok || x.Bisogno == "" && x.Descrizione == "" {
			continue
		}
		fmt.Fprintf(b, "%s%s: %s", indent, a.Etichetta, strings.ToLower(BisognoLabel(x.Bisogno)))
		if x.Descrizione != "" {
			fmt.Fprintf(b, " — %s", x.Descrizione)
		}
		b.WriteString("\n")
	}
}

func testoBisogni(b *strings.Builder, c Contenuto, rif Riferimenti) {
	b.WriteString("Nucleo:\n")
	testoAree(b, "  ", c.Nucleo.Aree, rif)
	for _, m := range attivi(c) {
		var mb strings.Builder
		testoAree(&mb, "  ", m.Aree, rif)
		if mb.Len() > 0 {
			fmt.Fprintf(b, "%s:\n%s", m.Nominativo(), mb.String())
		}
	}
}

func testoRisorse(b *strings.Builder, c Contenuto) {
	riga(b, "Risorse e punti di forza del nucleo", c.Nucleo.Risorse)
	riga(b, "Aspirazioni del nucleo", c.Nucleo.Aspirazioni)
	for _, m := range attivi(c) {
		riga(b, "Risorse di "+m.Nominativo(), m.Risorse)
		riga(b, "Aspirazioni di "+m.Nominativo(), m.Aspirazioni)
	}
	if b.Len() == 0 {
		b.WriteString("Nessuna risorsa o aspirazione indicata.\n")
	}
}

// Periodo is "dal 01/02/2026" or "dal 01/02/2026 al 31/12/2026".
func (m Motivo) Periodo() string {
	s := ""
	if m.Dal != "" {
		s = "dal " + DataIT(m.Dal)
	}
	if m.Al != "" {
		s = strings.TrimSpace(s + " al " + DataIT(m.Al))
	}
	return s
}

func testoEsito(b *strings.Builder, c Contenuto, rif Riferimenti) {
	if c.Esito != "" {
		riga(b, "Esito", c.Esito+" — "+rif.Esiti.Label(c.Esito))
	} else {
		b.WriteString("Esito: non ancora indicato\n")
	}
	riga(b, "Motivazione", c.Motivazione)
	for _, m := range attivi(c) {
		fmt.Fprintf(b, "%s:\n", m.Nominativo())
		if m.Percorso != "" {
			riga(b, "  Percorso", rif.Percorsi.Label(m.Percorso))
		} else {
			b.WriteString("  Percorso: non indicato\n")
		}
		for _, mo := range m.Motivi {
			riga(b, "  Motivo di esclusione o esonero", strings.TrimSpace(rif.Motivi.Label(mo.Codice)+" "+mo.Periodo()))
		}
		if m.InvioCPI {
			riga(b, "  Inviato al Centro per l'impiego", "il "+DataIT(m.DataInvioCPI))
		}
	}
}
