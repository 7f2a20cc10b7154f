package report

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The coordinatore PaIS's drill-down (issue 17, point 3): from a cell of an
// indicator to the list of the cases it counts, anagrafica only (case
// number, the richiedente's name and codice fiscale, comune, state, case
// manager), 50 a page. The module that owns the cases lists them (a
// Dettagliante) and records the read in the registro; the report reads no
// table of it. The operatore ATS never reaches the list.

// PerPagina is the size of a page of the drill-down list.
const PerPagina = 50

// Selezione is a cell: the indicator's code and the codes of its row and
// column (Indicatore.ChiaviRighe, ChiaviColonne).
type Selezione struct {
	Indicatore, Riga, Colonna string
}

// CasoAnagrafica is a case of the list: no content of the case.
type CasoAnagrafica struct {
	ID            string // caso.id, for the link to the coordinatore's case page
	Numero        int64  // the cursor of the pages
	Codice        string // "C-000041"
	Richiedente   string // "Cognome Nome"
	CodiceFiscale string
	Comune        string
	Stato         string // as the case's page labels it
	CaseManager   string // "" when not assigned
}

// ErrCella is a selection the Dettagliante does not know (a code, row or
// column that is not one of its indicators'): the page does not exist.
var ErrCella = fmt.Errorf("report: cella sconosciuta: %w", httpx.ErrNotFound)

// Dettagliante lists the cases behind the cells of its indicators.
type Dettagliante interface {
	// Dettagliabili: the codes of the indicators it lists.
	Dettagliabili() []string
	// DettaglioCasi returns what the cell counts, in words, and at most n
	// cases of s within f whose number is above dopo, by number; it
	// records the read (audit, from the request) in the registro. An
	// unknown cell is ErrCella.
	DettaglioCasi(ctx context.Context, f Filtro, s Selezione, dopo int64, n int, audit registro.Voce) (string, []CasoAnagrafica, error)
}

// ConDettaglio adds the modules that list the cases of their indicators'
// cells.
func (s *Service) ConDettaglio(dd ...Dettagliante) *Service {
	if s.dettaglianti == nil {
		s.dettaglianti = map[string]Dettagliante{}
	}
	for _, d := range dd {
		for _, k := range d.Dettagliabili() {
			s.dettaglianti[k] = d
		}
	}
	return s
}

// Dettagliatore reports whether p may follow a cell to its cases: the
// coordinatore PaIS, within their scope.
func Dettagliatore(p authz.Principal) bool {
	_, _, ok := Lettore(p)
	return ok && p.Ruolo == authz.CoordinatorePaIS
}

// RichiestaDettaglio is the list's query: the cruscotto's form, the cell
// and the page (the number of the last case of the previous one).
type RichiestaDettaglio struct {
	Richiesta
	Selezione
	Dopo string
}

// Dettaglio is the list's page.
type Dettaglio struct {
	Cruscotto   // the scope and period (no Tabelle)
	Descrizione string
	Casi        []CasoAnagrafica
	Dopo        int64  // the page's cursor (0: the first page)
	Prossima    string // the next page's link; "" on the last page
	Ritorno     string // the cruscotto with the same period and comune
}

// Dettaglio returns a page of the cases of the cell in asks for.
func (s *Service) Dettaglio(ctx context.Context, p authz.Principal, in RichiestaDettaglio, audit registro.Voce) (Dettaglio, error) {
	var d Dettaglio
	if !Dettagliatore(p) {
		return d, httpx.ErrNotFound
	}
	dt, ok := s.dettaglianti[in.Indicatore]
	if !ok {
		return d, ErrCella
	}
	c, f, err := s.filtro(ctx, p, in.Richiesta)
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		return d, httpx.ErrBadInput
	}
	if err != nil {
		return d, err
	}
	d.Cruscotto = c
	if v := strings.TrimSpace(in.Dopo); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return d, httpx.ErrBadInput
		}
		d.Dopo = n
	}
	d.Descrizione, d.Casi, err = dt.DettaglioCasi(ctx, f, in.Selezione, d.Dopo, PerPagina+1, audit)
	if err != nil {
		return d, err
	}
	q := url.Values{}
	q.Set("dal", calendario.ISO(c.Dal))
	q.Set("al", calendario.ISO(c.Al))
	if c.ComuneID != 0 {
		q.Set("comune", strconv.FormatInt(c.ComuneID, 10))
	}
	d.Ritorno = "/report?" + q.Encode()
	if len(d.Casi) > PerPagina {
		d.Casi = d.Casi[:PerPagina]
		q.Set("dopo", strconv.FormatInt(d.Casi[PerPagina-1].Numero, 10))
		d.Prossima = LinkDettaglio(c, in.Selezione, q)
	}
	return d, nil
}

// LinkDettaglio is the address of the list of cell s; q holds the period,
// the comune and the page (nil: those of c, first page).
func LinkDettaglio(c Cruscotto, s Selezione, q url.Values) string {
	if q == nil {
		q = url.Values{}
		q.Set("dal", calendario.ISO(c.Dal))
		q.Set("al", calendario.ISO(c.Al))
		if c.ComuneID != 0 {
			q.Set("comune", strconv.FormatInt(c.ComuneID, 10))
		}
	}
	q.Set("indicatore", s.Indicatore)
	q.Set("riga", s.Riga)
	q.Set("colonna", s.Colonna)
	return "/report/casi?" + q.Encode()
}

// PrimaPagina is the first page of the list d shows.
func (d Dettaglio) PrimaPagina(s Selezione) string { return LinkDettaglio(d.Cruscotto, s, nil) }

// linkCella is the list of cell [r][col] of t, "" when it leads nowhere
// (not the coordinatore, an indicator without keys, a visible 0).
func linkCella(c Cruscotto, t Tabella, r, col int) string {
	if !c.Dettaglio[t.Codice] || r >= len(t.ChiaviRighe) || col >= len(t.ChiaviColonne) {
		return ""
	}
	x := t.Celle[r][col]
	if !x.Nascosta && x.Valore == 0 {
		return ""
	}
	return LinkDettaglio(c, Selezione{Indicatore: t.Codice, Riga: t.ChiaviRighe[r], Colonna: t.ChiaviColonne[col]}, nil)
}
