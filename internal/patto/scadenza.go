package patto

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// The end of a signed patto (its duration's "al"): the case manager is told
// on the patto page and on the home when the patto in force has ended or
// ends within PreavvisoScadenza days, so that it is revised with the family
// (a new version to sign) in time; the list /casi/patti gathers those cases.

// PreavvisoScadenza is how many days before its end a patto is "in
// scadenza".
const PreavvisoScadenza = 30

// StatoScadenza of a signed patto.
type StatoScadenza string

const (
	Vigente    StatoScadenza = ""            // no end, or further than PreavvisoScadenza days
	InScadenza StatoScadenza = "in_scadenza" // ends within PreavvisoScadenza days (today included)
	Scaduto    StatoScadenza = "scaduto"     // ended before today
)

// Scadenza is the end of the signed version v on day oggi.
type Scadenza struct {
	Stato  StatoScadenza
	Al     time.Time // the last day of the patto
	Giorni int       // days from oggi to Al (negative once ended)
}

// ScadenzaDi is the end of a patto with content c on day oggi (civil
// dates); Vigente without a valid end date.
func ScadenzaDi(c Contenuto, oggi time.Time) Scadenza {
	al, err := time.Parse(time.DateOnly, c.Al)
	if err != nil {
		return Scadenza{}
	}
	g := int(al.Sub(oggi).Hours() / 24)
	s := Scadenza{Al: al, Giorni: g}
	switch {
	case g < 0:
		s.Stato = Scaduto
	case g <= PreavvisoScadenza:
		s.Stato = InScadenza
	}
	return s
}

// Scadenza is the end of the case's patto in force (the newest signed
// version) on the page's day.
func (sc Scheda) Scadenza() Scadenza {
	if sc.Firmata == nil {
		return Scadenza{}
	}
	return ScadenzaDi(sc.Firmata.Contenuto, sc.Oggi)
}

// PattoInScadenza is a case of the list: its patto in force ends within
// PreavvisoScadenza days or has ended.
type PattoInScadenza struct {
	CasoID      uuid.UUID
	Codice      string // C-000123
	Richiedente string
	Versione    int
	Scadenza    Scadenza
	Revisione   bool // a revision (a draft) is in progress
}

// PattiInScadenza is a page of the list.
type PattiInScadenza struct {
	Righe       []PattoInScadenza
	Pagina      int
	AltrePagine bool
	Totale      int
}

// DimensionePagina is the length of a page of the list.
const DimensionePagina = 50

// ContaInScadenza counts p's cases whose patto in force has ended or ends
// within PreavvisoScadenza days, for the home (a count: no case is read);
// ok is false for a role without cases of its own.
func (s *Service) ContaInScadenza(ctx context.Context, p authz.Principal) (n int, ok bool, err error) {
	if !casi.ConCasiPropri(p) {
		return 0, false, nil
	}
	n, err = contaInScadenza(ctx, s.pool, p, s.oggi().AddDate(0, 0, PreavvisoScadenza))
	return n, err == nil, err
}

// InScadenza returns page pagina (from 1) of p's cases whose patto in force
// has ended or ends within PreavvisoScadenza days, the earliest end first;
// the read is recorded. Another role gets casi.ErrNotFound.
func (s *Service) InScadenza(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (PattiInScadenza, error) {
	out := PattiInScadenza{Pagina: max(pagina, 1)}
	if !casi.ConCasiPropri(p) {
		return out, casi.ErrNotFound
	}
	oggi := s.oggi()
	limite := oggi.AddDate(0, 0, PreavvisoScadenza)
	righe, err := inScadenza(ctx, s.pool, p, limite, oggi, out.Pagina)
	if err != nil {
		return out, err
	}
	out.Righe, out.AltrePagine = database.Taglia(righe, DimensionePagina)
	if out.Totale, err = contaInScadenza(ctx, s.pool, p, limite); err != nil {
		return out, err
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, OggettoTipo, registro.Consentito
	v.Dettaglio = fmt.Sprintf("patti in scadenza: %d casi", len(out.Righe))
	return out, s.reg.Record(ctx, v)
}
