package presentazioni

import (
	"strconv"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/scadenze"
	"github.com/cartella/cartella/web/ui"
)

func itoa(n int) string { return strconv.Itoa(n) }

func opzioni(list []Scelta, vuota string) []ui.Option {
	out := []ui.Option{}
	if vuota != "" {
		out = append(out, ui.Option{Value: "", Label: vuota})
	}
	for _, s := range list {
		out = append(out, ui.Option{Value: s.Value, Label: s.Label})
	}
	return out
}

func label(list []Scelta, v string) string {
	for _, s := range list {
		if s.Value == v {
			return s.Label
		}
	}
	return v
}

var esiti = map[string]string{
	"registrata": "Registrazione salvata: i contatori sono aggiornati.",
	"primo-mese": "Primo mese pagato registrato.",
	"rinnovo":    "Rinnovo registrato: decorre un nuovo termine di 120 giorni dal nuovo PAD.",
	"cpi":        "Convocazione al CPI registrata.",
}

// coloreStato is the badge colour of a timer state.
func coloreStato(t scadenze.Timer) string {
	if t.Rischio == scadenze.Decadenza || t.Stato == scadenze.Scaduto {
		return "danger"
	}
	switch t.Stato {
	case scadenze.Rispettato:
		return "success"
	case scadenze.InCorso:
		return "info"
	case scadenze.InScadenza, scadenze.Tardivo:
		return "warning"
	}
	return "secondary"
}

// contatoreBreve is a counter as the operatore presentazioni sees it: state,
// due date and the month of suspension, no case content.
func contatoreBreve(t scadenze.Timer) string {
	s := t.Stato.Label()
	if t.Scadenza != nil {
		switch t.Stato {
		case scadenze.Rispettato, scadenze.Tardivo:
			s += " (termine del " + calendario.Data(*t.Scadenza) + ")"
		default:
			s += ", scadenza " + calendario.Data(*t.Scadenza)
		}
	}
	if t.SospensioneDal != nil {
		s += "; prestazione sospesa dal " + calendario.Data(*t.SospensioneDal)
	}
	return s
}

func dataPtr(t *time.Time) string { return calendario.DataPtr(t) }

func mese(t *time.Time) string {
	if t == nil {
		return ""
	}
	return scadenze.NomeMese(*t) + " " + strconv.Itoa(t.Year())
}

// cpiForm is the CPI form of member m: what was typed when this form was
// refused, else what is recorded.
func cpiForm(m Componente, f forms) (NuovaConvocazioneCPI, map[string]string) {
	if f.CPIPer == m.PersonaID && (len(f.CPIErr) > 0) {
		return f.CPI, f.CPIErr
	}
	in := NuovaConvocazioneCPI{}
	if m.CPI != nil {
		in = NuovaConvocazioneCPI{ConvocatoIl: calendario.ISO(m.CPI.ConvocatoIl), Esito: string(m.CPI.Esito), Versione: itoa(m.CPI.Versione)}
	} else {
		in.Versione = "0"
	}
	return in, nil
}

// segnalazioneCPI is the new segnalazione's form of the case prefilled for
// a member's absence at the CPI (DL 48/2023 art. 8 c. 6 lett. a: "mancata
// presentazione ai servizi"), the day of the convocation as the event's.
func segnalazioneCPI(sc Scheda, m Componente) string {
	return "/casi/" + sc.Caso.ID.String() + "/segnalazioni/nuova?tipo=mancata_presentazione&persona_id=" + m.PersonaID.String() +
		"&data_evento=" + calendario.ISO(m.CPI.ConvocatoIl)
}

// statoBreve is a counter of the list: the state and the due date.
func statoBreve(st scadenze.Stato, scad *time.Time) string {
	if st == "" {
		return "—"
	}
	if scad != nil && st.Pendente() {
		return st.Label() + ", scadenza " + calendario.Data(*scad)
	}
	return st.Label()
}
