package rete

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/schede"
)

// Estratto is what an ente sees of the case with an invio (rete_invio.estratto):
// only the sections the person consented to share (Sezioni), built when
// the invio is sent and never updated after. A section not consented is
// absent (nil), not empty. The JSON keys are the codes of Sezioni: keep
// them stable, the ente's pages read them.
type Estratto struct {
	Anagrafica *EstrattoAnagrafica `json:"anagrafica,omitempty"`
	Nucleo     []EstrattoMembro    `json:"nucleo,omitempty"`
	Condizioni *EstrattoCondizioni `json:"condizioni,omitempty"`
	Analisi    *EstrattoAnalisi    `json:"analisi,omitempty"`
	Patto      *EstrattoPatto      `json:"patto,omitempty"`
	Sostegno   *EstrattoSostegno   `json:"sostegno,omitempty"`
	// Costruito is when the extract was frozen (the sending).
	Costruito string `json:"costruito,omitempty"`
}

// EstrattoAnagrafica is the member's personal data and how to reach them.
type EstrattoAnagrafica struct {
	Cognome       string `json:"cognome"`
	Nome          string `json:"nome"`
	CodiceFiscale string `json:"codice_fiscale"`
	Sesso         string `json:"sesso"`
	DataNascita   string `json:"data_nascita"`            // yyyy-mm-dd
	LuogoNascita  string `json:"luogo_nascita,omitempty"` // "Bologna (BO)"; the codice catastale in extracts frozen before names
	Cittadinanza  string `json:"cittadinanza,omitempty"`  // "Italia"; the ISO-3 code in extracts frozen before names
	Residenza     string `json:"residenza,omitempty"`
	Domicilio     string `json:"domicilio,omitempty"`
	Telefono      string `json:"telefono,omitempty"`
	Email         string `json:"email,omitempty"`
}

// EstrattoMembro is a member of the nucleo: name, relation, age.
type EstrattoMembro struct {
	Cognome     string `json:"cognome"`
	Nome        string `json:"nome"`
	Relazione   string `json:"relazione"`
	DataNascita string `json:"data_nascita"`
}

// EstrattoCondizioni are the member's conditions relevant to the services.
type EstrattoCondizioni struct {
	Disabilita bool `json:"disabilita"`
	Svantaggio bool `json:"svantaggio"`
}

// EstrattoAnalisi is the outcome of the newest definitive analisi
// preliminare and the needs found present.
type EstrattoAnalisi struct {
	Esito       string   `json:"esito"`
	Motivazione string   `json:"motivazione,omitempty"`
	Bisogni     []string `json:"bisogni,omitempty"` // "area: descrizione"
	Data        string   `json:"data,omitempty"`
}

// EstrattoPatto are the objectives and impegni of the signed patto that
// concern the member (or the whole nucleo, for the objectives).
type EstrattoPatto struct {
	Versione  int      `json:"versione"`
	Obiettivi []string `json:"obiettivi,omitempty"`
	Impegni   []string `json:"impegni,omitempty"`
	Dal       string   `json:"dal,omitempty"`
	Al        string   `json:"al,omitempty"`
}

// EstrattoSostegno is the sostegno of the patto the invio refers to.
type EstrattoSostegno struct {
	Tipo          string `json:"tipo"`
	EnteErogatore string `json:"ente_erogatore,omitempty"`
	AvvioPrevisto string `json:"avvio_previsto,omitempty"`
	FinePrevista  string `json:"fine_prevista,omitempty"`
	Note          string `json:"note,omitempty"`
}

// Sezioni returns the codes of the sections the extract holds, in the
// order of Sezioni.
func (e Estratto) Sezioni() []string {
	var out []string
	for _, o := range Sezioni {
		if e.ha(o.Codice) {
			out = append(out, o.Codice)
		}
	}
	return out
}

func (e Estratto) ha(codice string) bool {
	switch codice {
	case "anagrafica":
		return e.Anagrafica != nil
	case "nucleo":
		return len(e.Nucleo) > 0
	case "condizioni":
		return e.Condizioni != nil
	case "analisi":
		return e.Analisi != nil
	case "patto":
		return e.Patto != nil
	case "sostegno":
		return e.Sostegno != nil
	}
	return false
}

// LeggiEstratto decodes a stored extract.
func LeggiEstratto(b []byte) (Estratto, error) {
	var e Estratto
	if len(b) == 0 {
		return e, nil
	}
	err := json.Unmarshal(b, &e)
	return e, err
}

// fontiEstratto is what the extract is built from, read in the sending
// transaction.
type fontiEstratto struct {
	caso       casi.Caso
	persona    uuid.UUID
	componenti []casi.Componente
	firmato    *patto.Contenuto
	versione   int
	sostegno   *patto.Sostegno
	etichetta  string // the sostegno's label
}

// costruisciEstratto builds the extract of sezioni only; a section that
// cannot be built (no definitive analisi, no signed patto) is a message
// for the field sezioni.
func (s *Service) costruisciEstratto(ctx context.Context, tx pgx.Tx, f fontiEstratto, sezioni []string, ora time.Time) (Estratto, string, error) {
	e := Estratto{Costruito: ora.Format(time.RFC3339)}
	var membro *casi.Componente
	for i := range f.componenti {
		if f.componenti[i].PersonaID == f.persona {
			membro = &f.componenti[i]
		}
	}
	if membro == nil {
		return e, "", fmt.Errorf("rete: estratto: member %s not in the nucleo", f.persona)
	}
	for _, sz := range sezioni {
		switch sz {
		case "anagrafica":
			a, err := anagrafica(ctx, tx, f.persona)
			if err != nil {
				return e, "", err
			}
			// The ente reads names, not the codes the model stores:
			// "Bologna (BO)", "Marocco" (issue 21, point 6).
			if l := s.casi.Luoghi(); l != nil {
				a.LuogoNascita, a.Cittadinanza = l.EtichettaLuogo(a.LuogoNascita), l.NomeCittadinanza(a.Cittadinanza)
			}
			e.Anagrafica = &a
		case "nucleo":
			for _, c := range f.componenti {
				e.Nucleo = append(e.Nucleo, EstrattoMembro{Cognome: c.Cognome, Nome: c.Nome, Relazione: c.Relazione,
					DataNascita: calendario.ISO(c.DataNascita)})
			}
		case "condizioni":
			e.Condizioni = &EstrattoCondizioni{Disabilita: membro.Disabilita, Svantaggio: membro.Svantaggio}
		case "analisi":
			v, err := schede.UltimaDefinitiva(ctx, tx, f.caso.ID, schede.AnalisiPreliminare)
			if errors.Is(err, schede.ErrNonTrovata) {
				return e, "Il caso non ha un'analisi preliminare conclusa: togli la sezione «" + etichetta(Sezioni, sz) + "».", nil
			}
			if err != nil {
				return e, "", fmt.Errorf("rete: estratto: analisi: %w", err)
			}
			e.Analisi = analisiDi(v)
		case "patto":
			if f.firmato == nil {
				return e, "Il caso non ha un patto sottoscritto: togli la sezione «" + etichetta(Sezioni, sz) + "».", nil
			}
			e.Patto = pattoDi(*f.firmato, f.versione, f.persona.String())
		case "sostegno":
			if f.sostegno == nil {
				return e, "La sezione «" + etichetta(Sezioni, sz) + "» si condivide solo con un invio che parte da un sostegno del patto.", nil
			}
			x := f.sostegno
			e.Sostegno = &EstrattoSostegno{Tipo: f.etichetta, EnteErogatore: x.EnteErogatore, AvvioPrevisto: x.AvvioPrevisto,
				FinePrevista: x.FinePrevista, Note: x.Note}
		}
	}
	return e, "", nil
}

func anagrafica(ctx context.Context, q pgx.Tx, persona uuid.UUID) (EstrattoAnagrafica, error) {
	var a EstrattoAnagrafica
	var nascita time.Time
	err := q.QueryRow(ctx, `SELECT cognome, nome, codice_fiscale, sesso, data_nascita, luogo_nascita, cittadinanza,
		residenza, domicilio, telefono, email FROM persona WHERE id = $1`, persona).Scan(&a.Cognome, &a.Nome, &a.CodiceFiscale,
		&a.Sesso, &nascita, &a.LuogoNascita, &a.Cittadinanza, &a.Residenza, &a.Domicilio, &a.Telefono, &a.Email)
	if err != nil {
		return a, fmt.Errorf("rete: estratto: anagrafica: %w", err)
	}
	a.DataNascita = calendario.ISO(nascita)
	return a, nil
}

// analisiDi is the part of the analisi preliminare's content (internal/analisi,
// keys kept stable there) an extract shows.
func analisiDi(v schede.Versione) *EstrattoAnalisi {
	var c struct {
		Nucleo struct {
			Aree map[string]struct {
				Bisogno     string `json:"bisogno"`
				Descrizione string `json:"descrizione"`
			} `json:"aree"`
		} `json:"nucleo"`
		Esito       string `json:"esito"`
		Motivazione string `json:"motivazione"`
	}
	_ = json.Unmarshal(v.Contenuto, &c) // a content that does not decode shows the esito only
	a := &EstrattoAnalisi{Esito: c.Esito, Motivazione: c.Motivazione}
	if a.Esito == "" {
		a.Esito = v.Esito
	}
	if v.FinalizzataIl != nil {
		a.Data = calendario.ISO(calendario.Giorno(*v.FinalizzataIl))
	}
	for codice, ar := range c.Nucleo.Aree {
		if ar.Bisogno == "Presente" {
			t := codice
			if ar.Descrizione != "" {
				t += ": " + ar.Descrizione
			}
			a.Bisogni = append(a.Bisogni, t)
		}
	}
	slices.Sort(a.Bisogni)
	return a
}

// pattoDi are the objectives (of the member or of the nucleo) and the
// impegni (the member's, or those they are involved in) of the signed patto.
func pattoDi(c patto.Contenuto, versione int, persona string) *EstrattoPatto {
	p := &EstrattoPatto{Versione: versione, Dal: c.Dal, Al: c.Al}
	for _, o := range c.Obiettivi {
		if o.PersonaID == "" || o.PersonaID == persona {
			t := o.Titolo
			if o.Entro != "" {
				t += " (entro il " + o.Entro + ")"
			}
			p.Obiettivi = append(p.Obiettivi, t)
		}
	}
	for _, i := range c.Impegni {
		if i.PersonaID == persona || slices.Contains(i.Coinvolti, persona) {
			t := i.Descrizione
			if i.Frequenza != "" {
				t += ", " + i.Frequenza
			}
			p.Impegni = append(p.Impegni, t)
		}
	}
	return p
}
