package analisi

// VoceRif is one row of a reference list, as valid at a date: Valida says
// whether it is offered in new schede (attivo and within its validity);
// labels of rows no longer valid still resolve, so that old versions read
// as they were written.
type VoceRif struct {
	Codice      string
	Etichetta   string
	Descrizione string // percorsi: who it is for; esiti: the next step
	Tipo        string // motivi: esclusione | esonero
	EsoneroT90  bool   // motivi: also exempts from the 90-day presentation
	Fonte       string // motivi: legal source
	StatoCaso   string // esiti: where the case goes on finalisation ("" stays)
	Ordine      int
	Valida      bool
}

// Lista is a reference list in display order.
type Lista []VoceRif

// Label returns the label of codice, or codice itself when unknown.
func (l Lista) Label(codice string) string {
	for _, v := range l {
		if v.Codice == codice {
			return v.Etichetta
		}
	}
	return codice
}

// LabelOrEmpty is Label, "" for "".
func (l Lista) LabelOrEmpty(codice string) string {
	if codice == "" {
		return ""
	}
	return l.Label(codice)
}

// Get returns the row of codice.
func (l Lista) Get(codice string) (VoceRif, bool) {
	for _, v := range l {
		if v.Codice == codice {
			return v, true
		}
	}
	return VoceRif{}, false
}

// Offerte are the rows to offer in a form: the valid ones, and those no
// longer valid that the scheda already uses (so that nothing is lost).
func (l Lista) Offerte(usati func(codice string) bool) Lista {
	var out Lista
	for _, v := range l {
		if v.Valida || usati != nil && usati(v.Codice) {
			out = append(out, v)
		}
	}
	return out
}

// Riferimenti are the reference lists the scheda uses.
type Riferimenti struct {
	Aree, Motivi, Percorsi, Esiti, Servizi Lista
}
