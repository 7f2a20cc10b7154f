package prestazioni

import (
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/web/ui"
)

func opzioni(list []Scelta, vuota string) []ui.Option {
	out := []ui.Option{}
	if vuota != "" {
		out = append(out, ui.Option{Value: "", Label: vuota})
	}
	for _, s := range list {
		out = append(out, ui.Option{Value: s.Value, Label: s.Value + " – " + s.Label})
	}
	return out
}

func opzioniCatalogo(cat []VoceCatalogo) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli la prestazione"}}
	for _, v := range cat {
		out = append(out, ui.Option{Value: v.Codice, Label: v.Codice + " – " + v.Denominazione})
	}
	return out
}

func opzioniMembri(ms []casi.Componente) []ui.Option {
	out := []ui.Option{}
	for _, m := range ms {
		out = append(out, ui.Option{Value: m.PersonaID.String(), Label: m.Cognome + " " + m.Nome + " (" + m.CodiceFiscale + ")"})
	}
	return out
}

// opzioniSostegni are the sostegni of the signed patto not yet linked to a
// live prestazione, and the one chosen (the prestazione's own, or one typed
// and refused: nothing typed is lost).
func opzioniSostegni(sc Scheda, scelto string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Nessuno: non è un sostegno del patto"}}
	for _, x := range sc.Sostegni {
		if x.Prestazione == uuid.Nil || x.ID == scelto {
			out = append(out, ui.Option{Value: x.ID, Label: x.Etichetta})
		}
	}
	if _, ok := sc.Sostegno(scelto); scelto != "" && !ok {
		out = append(out, ui.Option{Value: scelto, Label: "Sostegno non più nel patto firmato"})
	}
	return out
}

// sostegno is how a prestazione's linked sostegno reads, "" when none.
func sostegno(sc Scheda, p Prestazione) string {
	if p.SostegnoID == "" {
		return ""
	}
	if e, ok := sc.Sostegno(p.SostegnoID); ok {
		return e
	}
	return "un sostegno non più nel patto firmato"
}

var esiti = map[string]string{
	"registrata": "Prestazione registrata: il suo flusso (I) è pronto per INPS.",
	"corretta":   "Prestazione corretta: i flussi di cancellazione (C) e di nuovo inserimento (I) sono pronti per INPS.",
	"cancellata": "Prestazione cancellata: il flusso di cancellazione (C) è pronto per INPS.",
	"salvato":    "Dati dell'ente per SIUSS salvati.",
}

func operazione(op string) string {
	if op == "C" {
		return "C · cancellazione"
	}
	return "I · inserimento"
}

func coloreFlusso(f Flusso) string {
	switch f.Stato {
	case "acquisito":
		return "success"
	case "scartato":
		return "danger"
	}
	return "info"
}

// periodo is a prestazione's dates as the list shows them.
func periodo(p Prestazione) string {
	d := p.Dati
	switch {
	case d.Carattere == "2" && d.DataErogazione != nil:
		return "erogata il " + calendario.Data(*d.DataErogazione)
	case d.DataInizio != nil && d.DataFine != nil:
		return "dal " + calendario.Data(*d.DataInizio) + " al " + calendario.Data(*d.DataFine)
	case d.DataInizio != nil:
		return "dal " + calendario.Data(*d.DataInizio)
	}
	return ""
}

// importi is a prestazione's amounts as the list shows them.
func importi(p Prestazione) string {
	d := p.Dati
	s := ""
	if d.ImportoMensile != "" {
		s = Euro(d.ImportoMensile) + " al mese"
		if d.Periodo > 0 {
			s += " per " + strconv.Itoa(d.Periodo) + " mesi"
		}
	}
	if d.Importo != "" {
		if s != "" {
			s += "; "
		}
		s += Euro(d.Importo)
	}
	return s
}

func haInvalidita(m Modulo, v string) bool { return slices.Contains(m.Invalidita, v) }

func itoa(n int) string  { return strconv.Itoa(n) }
func i64(n int64) string { return strconv.FormatInt(n, 10) }
