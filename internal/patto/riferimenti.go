package patto

// TipoSostegno is a row of the catalogue of sostegni (patto_sostegno_tipo),
// as valid on a day.
type TipoSostegno struct {
	Codice               string
	Etichetta            string
	Descrizione          string
	Macrolivello         string // FNPS macrolivello, "" when none
	NomenclatoreCodice   string // official code, "" until the list is loaded
	NomenclatoreVersione string
	Tirocinio            bool
	Valido               bool // offered in drafts today
}

// AreaImpegno is a row of patto_impegno_area.
type AreaImpegno struct {
	Codice, Etichetta, Descrizione string
	Valida                         bool
}

// Riferimenti are the patto's reference lists: the rows valid on the day,
// and those no longer valid (marked) so that old versions keep their labels.
type Riferimenti struct {
	Sostegni []TipoSostegno
	Aree     []AreaImpegno
}

// Sostegno returns the catalogue row of codice.
func (r Riferimenti) Sostegno(codice string) (TipoSostegno, bool) {
	for _, t := range r.Sostegni {
		if t.Codice == codice {
			return t, true
		}
	}
	return TipoSostegno{}, false
}

// EtichettaSostegno is the label of a sostegno tipo (the code when unknown).
func (r Riferimenti) EtichettaSostegno(codice string) string {
	if t, ok := r.Sostegno(codice); ok {
		return t.Etichetta
	}
	return codice
}

// EtichettaArea is the label of an impegno area (the code when unknown).
func (r Riferimenti) EtichettaArea(codice string) string {
	for _, a := range r.Aree {
		if a.Codice == codice {
			return a.Etichetta
		}
	}
	return codice
}

func (r Riferimenti) areaValida(codice string) bool {
	for _, a := range r.Aree {
		if a.Codice == codice {
			return a.Valida
		}
	}
	return false
}

const valido = `attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)`
