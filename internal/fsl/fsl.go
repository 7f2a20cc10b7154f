// Package fsl maps a case's signed patto to the records the national
// e-services of the Ministry carry on the PDND (domain.md §12.5):
// "Consultazione PaIS" (the version of the patto), "Consultazione impegni
// del PaIS" and "Consultazione sostegni del PaIS" / "Invio sostegni". The
// shape of the records, their codes and the mapping from Cartella's data
// are documented in docs/formats/fsl.md; the API that serves them to the
// national systems comes later. GET /casi/{id}/patto/fsl.json returns the
// three for the newest signed version, for the case manager to check.
package fsl

import (
	"time"

	"github.com/cartella/cartella/internal/patto"
)

// Tracciato is the version of the records' shape (docs/formats/fsl.md).
const Tracciato = "1"

// RecordPaIS is a version of the patto.
type RecordPaIS struct {
	Tracciato               string         `json:"tracciato"`
	IDCaso                  string         `json:"id_caso"`
	IDDomanda               *string        `json:"id_domanda"`
	Misura                  string         `json:"misura"`
	Comune                  string         `json:"comune"`
	VersionePaIS            int            `json:"versione_pais"`
	Stato                   string         `json:"stato"`
	DataSottoscrizione      *string        `json:"data_sottoscrizione"`
	ModalitaSottoscrizione  *string        `json:"modalita_sottoscrizione"`
	Firmatari               []Firmatario   `json:"firmatari"`
	MotivoRevisione         *string        `json:"motivo_revisione"`
	DataInizio              *string        `json:"data_inizio"`
	DataFine                *string        `json:"data_fine"`
	FrequenzaIncontriGiorni *int           `json:"frequenza_incontri_giorni"`
	ModalitaMonitoraggio    *string        `json:"modalita_monitoraggio"`
	ProgettiIntegrati       *string        `json:"progetti_integrati"`
	CaseManager             *string        `json:"case_manager"`
	FamiliareResponsabileCF *string        `json:"familiare_responsabile_cf"`
	Componenti              []Componente   `json:"componenti"`
	Equipe                  []MembroEquipe `json:"equipe"`
	Obiettivi               []Obiettivo    `json:"obiettivi"`
	NumeroImpegni           int            `json:"numero_impegni"`
	NumeroSostegni          int            `json:"numero_sostegni"`
}

// Firmatario is one who signed.
type Firmatario struct {
	Tipo          string  `json:"tipo"` // componente | operatore
	CodiceFiscale *string `json:"codice_fiscale"`
	Nominativo    string  `json:"nominativo"`
	Ruolo         string  `json:"ruolo"`
}

// Componente is a member of the nucleo named by the patto.
type Componente struct {
	CodiceFiscale string `json:"codice_fiscale"`
	Relazione     string `json:"relazione"`
}

// MembroEquipe is a member of the équipe.
type MembroEquipe struct {
	IDMembro   string  `json:"id_membro"`
	Nominativo string  `json:"nominativo"`
	Funzione   *string `json:"funzione"`
	Ente       *string `json:"ente"`
}

// Obiettivo is an objective with its expected results.
type Obiettivo struct {
	IDObiettivo   string      `json:"id_obiettivo"`
	Titolo        string      `json:"titolo"`
	Descrizione   *string     `json:"descrizione"`
	Destinatario  string      `json:"destinatario"` // nucleo | componente
	CodiceFiscale *string     `json:"codice_fiscale"`
	Dimensione    *string     `json:"dimensione_quadro"`
	DataEntro     *string     `json:"data_entro"`
	Risultati     []Risultato `json:"risultati_attesi"`
}

// Risultato is an expected result.
type Risultato struct {
	IDRisultato string  `json:"id_risultato"`
	Descrizione string  `json:"descrizione"`
	DataEntro   *string `json:"data_entro"`
}

// RecordImpegno is an impegno of a version of the patto.
type RecordImpegno struct {
	Tracciato          string   `json:"tracciato"`
	IDCaso             string   `json:"id_caso"`
	VersionePaIS       int      `json:"versione_pais"`
	IDImpegno          string   `json:"id_impegno"`
	Area               string   `json:"area"`
	AreaDescrizione    string   `json:"area_descrizione"`
	CodiceFiscale      *string  `json:"codice_fiscale_obbligato"`
	CodiciFiscaliAltri []string `json:"codici_fiscali_coinvolti"`
	Descrizione        string   `json:"descrizione"`
	Frequenza          *string  `json:"frequenza"`
	DataScadenza       *string  `json:"data_scadenza"`
	IDObiettivo        *string  `json:"id_obiettivo"`
}

// RecordSostegno is a sostegno of a version of the patto, with its
// progress.
type RecordSostegno struct {
	Tracciato            string  `json:"tracciato"`
	IDCaso               string  `json:"id_caso"`
	VersionePaIS         int     `json:"versione_pais"`
	IDSostegno           string  `json:"id_sostegno"`
	Tipo                 string  `json:"tipo"`
	TipoDescrizione      string  `json:"tipo_descrizione"`
	CodiceNomenclatore   *string `json:"codice_nomenclatore"`
	VersioneNomenclatore *string `json:"versione_nomenclatore"`
	Macrolivello         *string `json:"macrolivello"`
	Tirocinio            bool    `json:"tirocinio"`
	Destinatario         string  `json:"destinatario"` // nucleo | componente
	CodiceFiscale        *string `json:"codice_fiscale"`
	EnteErogatore        string  `json:"ente_erogatore"`
	Referente            *string `json:"referente"`
	DataAvvioPrevista    *string `json:"data_avvio_prevista"`
	DataFinePrevista     *string `json:"data_fine_prevista"`
	DataAvvioEffettiva   *string `json:"data_avvio_effettiva"`
	DataFineEffettiva    *string `json:"data_fine_effettiva"`
	Stato                string  `json:"stato"`
	MotivoStato          *string `json:"motivo_stato"`
	FonteFinanziamento   *string `json:"fonte_finanziamento"`
	IDObiettivo          *string `json:"id_obiettivo"`
}

// Records are the three records of a signed version, as
// /casi/{id}/patto/fsl.json returns them.
type Records struct {
	PaIS     RecordPaIS       `json:"pais"`
	Impegni  []RecordImpegno  `json:"impegni"`
	Sostegni []RecordSostegno `json:"sostegni"`
}

// Tutti returns the three records of n.
func Tutti(n patto.Nazionale) Records {
	return Records{PaIS: PaIS(n), Impegni: Impegni(n), Sostegni: Sostegni(n)}
}

// opt is nil for "", else a pointer to s.
func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optData(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// cf is the codice fiscale of member persona_id of c (nil when unknown).
func cf(c patto.Contenuto, personaID string) *string {
	if personaID == "" {
		return nil
	}
	if m, ok := c.Componente(personaID); ok {
		return opt(m.CodiceFiscale)
	}
	return nil
}

func destinatario(personaID string) string {
	if personaID == "" {
		return "nucleo"
	}
	return "componente"
}

// PaIS is the record of the version n.Versione.
func PaIS(n patto.Nazionale) RecordPaIS {
	c := n.Versione.Contenuto
	r := RecordPaIS{
		Tracciato:               Tracciato,
		IDCaso:                  n.Caso.Codice(),
		IDDomanda:               opt(n.Caso.IDDomanda),
		Misura:                  string(n.Caso.Misura),
		Comune:                  n.Caso.Comune,
		VersionePaIS:            n.Versione.Numero,
		Stato:                   "bozza",
		MotivoRevisione:         opt(n.Versione.MotivoRiapertura),
		DataInizio:              opt(c.Dal),
		DataFine:                opt(c.Al),
		ModalitaMonitoraggio:    opt(c.Monitoraggio),
		ProgettiIntegrati:       opt(c.ProgettiIntegrati),
		CaseManager:             opt(c.CaseManager),
		FamiliareResponsabileCF: cf(c, c.FamiliareResponsabile),
		Firmatari:               []Firmatario{},
		Componenti:              []Componente{},
		Equipe:                  []MembroEquipe{},
		Obiettivi:               []Obiettivo{},
		NumeroImpegni:           len(c.Impegni),
		NumeroSostegni:          len(c.Sostegni),
	}
	if n.Versione.Definitiva() {
		r.Stato = "sottoscritto"
	}
	if c.FrequenzaIncontri > 0 {
		f := c.FrequenzaIncontri
		r.FrequenzaIncontriGiorni = &f
	}
	if s := c.Sottoscrizione; s != nil {
		r.DataSottoscrizione, r.ModalitaSottoscrizione = opt(s.Data), opt(s.Modalita)
		for _, f := range s.Firmatari {
			r.Firmatari = append(r.Firmatari, Firmatario{Tipo: f.Tipo, CodiceFiscale: cf(c, f.PersonaID), Nominativo: f.Nome, Ruolo: f.Ruolo})
		}
	}
	for _, m := range c.Componenti {
		r.Componenti = append(r.Componenti, Componente{CodiceFiscale: m.CodiceFiscale, Relazione: m.Relazione})
	}
	for _, m := range c.Equipe {
		r.Equipe = append(r.Equipe, MembroEquipe{IDMembro: m.ID, Nominativo: m.Nome + " " + m.Cognome, Funzione: opt(m.Funzione), Ente: opt(m.Ente)})
	}
	for _, o := range c.Obiettivi {
		ob := Obiettivo{IDObiettivo: o.ID, Titolo: o.Titolo, Descrizione: opt(o.Descrizione), Destinatario: destinatario(o.PersonaID),
			CodiceFiscale: cf(c, o.PersonaID), Dimensione: opt(o.Dimensione), DataEntro: opt(o.Entro), Risultati: []Risultato{}}
		for _, x := range o.Risultati {
			ob.Risultati = append(ob.Risultati, Risultato{IDRisultato: x.ID, Descrizione: x.Descrizione, DataEntro: opt(x.Entro)})
		}
		r.Obiettivi = append(r.Obiettivi, ob)
	}
	return r
}

// Impegni are the records of the impegni of the version n.Versione.
func Impegni(n patto.Nazionale) []RecordImpegno {
	c := n.Versione.Contenuto
	out := []RecordImpegno{}
	for _, x := range c.Impegni {
		r := RecordImpegno{
			Tracciato: Tracciato, IDCaso: n.Caso.Codice(), VersionePaIS: n.Versione.Numero, IDImpegno: x.ID,
			Area: x.Area, AreaDescrizione: n.Riferimenti.EtichettaArea(x.Area), CodiceFiscale: cf(c, x.PersonaID),
			CodiciFiscaliAltri: []string{}, Descrizione: x.Descrizione, Frequenza: opt(x.Frequenza), DataScadenza: opt(x.Scadenza),
			IDObiettivo: opt(x.ObiettivoID),
		}
		for _, p := range x.Coinvolti {
			if s := cf(c, p); s != nil {
				r.CodiciFiscaliAltri = append(r.CodiciFiscaliAltri, *s)
			}
		}
		out = append(out, r)
	}
	return out
}

// Sostegni are the records of the sostegni of the version n.Versione, with
// their progress (a sostegno with none is "proposto").
func Sostegni(n patto.Nazionale) []RecordSostegno {
	c := n.Versione.Contenuto
	out := []RecordSostegno{}
	for _, x := range c.Sostegni {
		r := RecordSostegno{
			Tracciato: Tracciato, IDCaso: n.Caso.Codice(), VersionePaIS: n.Versione.Numero, IDSostegno: x.ID,
			Tipo: x.Tipo, TipoDescrizione: n.Riferimenti.EtichettaSostegno(x.Tipo),
			Destinatario: destinatario(x.PersonaID), CodiceFiscale: cf(c, x.PersonaID),
			EnteErogatore: x.EnteErogatore, Referente: opt(x.Referente),
			DataAvvioPrevista: opt(x.AvvioPrevisto), DataFinePrevista: opt(x.FinePrevista),
			Stato: string(patto.Proposto), FonteFinanziamento: opt(x.FonteFinanziamento), IDObiettivo: opt(x.ObiettivoID),
		}
		if t, ok := n.Riferimenti.Sostegno(x.Tipo); ok {
			r.CodiceNomenclatore, r.VersioneNomenclatore = opt(t.NomenclatoreCodice), opt(t.NomenclatoreVersione)
			r.Macrolivello, r.Tirocinio = opt(t.Macrolivello), t.Tirocinio
		}
		if a, ok := n.Attuazione[x.ID]; ok {
			r.Stato, r.MotivoStato = string(a.Stato), opt(a.Motivo)
			r.DataAvvioEffettiva, r.DataFineEffettiva = optData(a.AvvioEffettivo), optData(a.FineEffettiva)
		}
		out = append(out, r)
	}
	return out
}
