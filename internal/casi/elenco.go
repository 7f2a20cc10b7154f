package casi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// DimensionePagina is how many cases a page of /casi lists.
const DimensionePagina = 50

// FiltroElenco selects the case manager's cases.
type FiltroElenco struct {
	Q      string // codice fiscale, or part of cognome/nome
	Chiusi bool   // the closed cases instead of the open ones
	Dopo   string // keyset cursor of the next page ("" for the first)
}

// cursore is the position after the last row of a page: (urgenza, numero),
// with urgenza NULL sorting last.
type cursore struct {
	urgenza *time.Time
	numero  int64
}

func (c cursore) String() string {
	u := "-"
	if c.urgenza != nil {
		u = c.urgenza.Format("2006-01-02")
	}
	return base64.RawURLEncoding.EncodeToString([]byte(u + "|" + strconv.FormatInt(c.numero, 10)))
}

func parseCursore(s string) (cursore, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursore{}, false
	}
	u, n, ok := strings.Cut(string(b), "|")
	num, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil {
		return cursore{}, false
	}
	c := cursore{numero: num}
	if u != "-" {
		d, err := time.Parse("2006-01-02", u)
		if err != nil {
			return cursore{}, false
		}
		c.urgenza = &d
	}
	return c, true
}

// Elenco is a page of /casi.
type Elenco struct {
	Casi     []Caso
	Prossima string // cursor of the next page; "" on the last
	Oggi     time.Time
}

// TaglioUtile reports whether a listed case has a T120 or T90 overdue or in
// scadenza: the list then shows the day-20 cut-off of the monthly payment.
func (e Elenco) TaglioUtile() bool {
	for _, c := range e.Casi {
		for _, st := range []string{c.T120Stato, c.T90Stato} {
			if st == string(scadenze.InScadenza) || st == string(scadenze.Scaduto) {
				return true
			}
		}
	}
	return false
}

// ElencoCaseManager lists p's own cases, overdue first: ordered by the
// earliest pending deadline, then by number, one keyset page at a time.
// The list view is recorded in the registro (no personal data in it).
func (s *Service) ElencoCaseManager(ctx context.Context, p authz.Principal, f FiltroElenco, v registro.Voce) (Elenco, error) {
	e := Elenco{Oggi: s.Oggi()}
	if !MayReadContent(p) || p.ComuneID == nil {
		return e, ErrNotFound
	}
	var err error
	e.Casi, err = elencoCaseManager(ctx, s.pool, p.OperatoreID, *p.ComuneID, f)
	if errors.Is(err, ErrNotFound) {
		return e, err
	}
	if err != nil {
		return e, fmt.Errorf("casi: elenco: %w", err)
	}
	if len(e.Casi) > DimensionePagina {
		e.Casi = e.Casi[:DimensionePagina]
		last := e.Casi[len(e.Casi)-1]
		e.Prossima = cursore{urgenza: last.Urgenza, numero: last.Numero}.String()
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "elenco_casi", registro.Consentito
	v.Dettaglio = fmt.Sprintf("%d casi", len(e.Casi))
	if f.Q != "" {
		v.Dettaglio += ", ricerca"
	}
	return e, s.reg.Record(ctx, v)
}

// Componente is a current or past member of the case's nucleo.
type Componente struct {
	PersonaID       uuid.UUID
	CodiceFiscale   string
	Cognome, Nome   string
	Sesso           string
	DataNascita     time.Time
	Relazione       string
	InScala         bool
	Disabilita      bool
	Svantaggio      bool
	VittimaViolenza bool
	InviatoCPI      *time.Time
	Dal             time.Time
	Al              *time.Time
	riga            int64 // nucleo_componente's id: the order the deadlines see the members in
}

// Eta is the member's age in whole years at the day oggi.
func (c Componente) Eta(oggi time.Time) int {
	b := c.DataNascita
	y := oggi.Year() - b.Year()
	if oggi.Month() < b.Month() || oggi.Month() == b.Month() && oggi.Day() < b.Day() {
		y--
	}
	return y
}

// Scheda is everything /casi/{id} shows.
type Scheda struct {
	Caso     Caso
	Scadenze scadenze.Scadenze
	Membri   []Componente // current
	Usciti   []Componente // members who left, or earlier rows of a member
	Storico  []EventoStorico
	Oggi     time.Time
	// Sezioni are the parts of the case the modules own (incontri, diario,
	// analisi, ...), in the order the composition root lists them.
	Sezioni []Sezione
}

// EventoStorico is one event of the case's history.
type EventoStorico struct {
	Quando              time.Time
	Operatore           string
	Evento, Da, A, Nota string
}

// Scheda returns the case page for p (the case manager of the case); the
// read is recorded, and a case p may not reach is ErrNotFound (recorded too).
func (s *Service) Scheda(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Scheda, error) {
	c, v, err := s.accesso(ctx, p, id, v)
	if errors.Is(err, ErrNotFound) {
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return Scheda{}, rerr
		}
		return Scheda{}, err
	}
	if err != nil {
		return Scheda{}, err
	}
	// The record of the access goes to the registro's writer (written
	// with the other requests' records, in one statement) while one
	// statement reads the members and the history, what the modules record
	// for the deadlines, the sections. Nothing is shown unless the record
	// is committed.
	registrata := make(chan error, 1)
	go func() { registrata <- s.reg.Record(ctx, v) }()
	now := s.now()
	sc := Scheda{Caso: c, Oggi: Oggi(now)}
	b := &pgx.Batch{}
	var all []Componente
	sit := scadenze.Situazione{Oggi: now, DataDomanda: c.DataDomanda, DataPAD: c.DataPAD, DataTrasmissione: c.DataTrasmissione}
	accodaComponentiEStorico(b, c.NucleoID, id, &all, &sc.Storico, func() {
		for _, m := range all {
			if m.Al == nil {
				sc.Membri = append(sc.Membri, m)
			} else {
				sc.Usciti = append(sc.Usciti, m)
			}
		}
		// The deadlines from the case and the members just read (what
		// Situazione reads again), with what the modules record.
		sit.Membri = membriScadenze(sc.Membri)
	})
	fineSituazione := s.accodaSituazione(b, id, &sit)
	fineSezioni := s.accodaSezioni(b, c)
	if err := database.InviaUnito(ctx, s.pool, b); err != nil {
		return Scheda{}, fmt.Errorf("casi: scheda: %w", err)
	}
	if err := fineSituazione(); err != nil {
		return Scheda{}, err
	}
	sc.Scadenze = scadenze.Calcola(sit)
	if sc.Sezioni, err = fineSezioni(); err != nil {
		return Scheda{}, err
	}
	if err := <-registrata; err != nil {
		return Scheda{}, err
	}
	return sc, nil
}
