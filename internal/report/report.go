// Package report is the cruscotto of the operatore ATS and of the
// coordinatore PaIS (issue 17; domain.md §14 on aggregated data): for a
// period and a comune of their scope, the indicators the modules
// contribute through a Fornitore, shown as tables and SVG charts with the
// counts of nuclei under 5 suppressed (sopprimi.go). The package reads no
// table of other modules: internal/app lists the providers. The
// indicators are defined in docs/indicatori.md.
package report

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
)

// TettoPredefinito is the number of open cases a case manager may hold
// before the cruscotto lists them as over the cap (OpenSPP's maximum),
// when no TettoCasi is given.
const TettoPredefinito = 40

// TettoCasi returns the caseload cap an ambito sets (implemented by the
// module that owns the ambito, adapted in the composition root).
type TettoCasi func(ctx context.Context, ambitoID int64) (int, error)

// Filtro is what a provider counts: the scope, the comune chosen (nil:
// every comune of the scope) and the period, both days included.
type Filtro struct {
	AmbitoID int64
	ComuneID *int64
	Dal, Al  time.Time
	Oggi     time.Time
	// Nominativi: rows may name operators (the case managers of the
	// caseload). False for the operatore ATS, who sees no name at all.
	Nominativi bool
	Tetto      int // the caseload cap
	// Ruolo of who reads the cruscotto: a provider may give some
	// indicators to one role only (controlli: the operatore ATS).
	Ruolo authz.Ruolo
}

// Indicatore is one table of the cruscotto: Valori[r][c] counts for row
// Righe[r] and column Colonne[c].
type Indicatore struct {
	Codice      string // as in docs/indicatori.md
	Titolo      string
	Descrizione string // what is counted, and over which period
	Righe       []string
	Colonne     []string
	// IntestazioneRighe heads the rows' column ("Comune", "Mese").
	IntestazioneRighe string
	Valori            [][]int
	// Nuclei: the counts are of nuclei (or cases), so under 5 they are
	// suppressed; false for counts that identify nobody (a caseload).
	Nuclei bool
	// SenzaTotaleRiga: the columns are different measures of the row
	// (new, closed, in charge), so a row has no total.
	SenzaTotaleRiga bool
	// Quota: the share of the first column in each row is shown.
	Quota bool
	// Tetto, when above 0, is drawn on the chart, and the rows whose first
	// column exceeds it are listed.
	Tetto int
	// ChiaviRighe and ChiaviColonne are the codes of the rows and columns
	// (a state, a comune's id, a month) the provider's Dettagliante
	// understands; nil when the cells lead to no list of cases.
	ChiaviRighe, ChiaviColonne []string
	// Misura of the values: "" counts; MisuraGiorni durations (Tempi).
	Misura string
}

// MisuraGiorni: each row is a duration measured over a group of cases.
// The first column counts the cases (suppressed under Soglia like any
// count of nuclei, with no total: the rows are different events); the
// other columns are days (a median, a percentile), shown as "12 giorni",
// and hidden as "<5 casi" when the row counts fewer than Soglia cases, so
// that a value of one case or a few is never shown. No totals, no shares.
const MisuraGiorni = "giorni"

// Codice, title, description and columns of the durations of the presa
// in carico (docs/indicatori.md, tempi-presa-in-carico): incontri, analisi
// and patto each give one row, the cruscotto joins them in one table.
const (
	CodiceTempi = "tempi-presa-in-carico"
	titoloTempi = "Tempi della presa in carico"
	descrTempi  = "Giorni dalla prima assegnazione del caso a un case manager a ciascun passo, per i casi il cui passo " +
		"(il primo incontro svolto, la prima analisi preliminare definitiva, il primo patto sottoscritto) cade nel periodo: " +
		"mediana e 90° percentile. Con meno di 5 casi i giorni non sono mostrati."
)

// ColonneTempi are the columns of a duration: the cases, then the days.
var ColonneTempi = []string{"Casi", "Mediana", "90° percentile"}

// Tempi is the row riga of the durations of the presa in carico: n cases,
// the median and the 90th percentile of their days (nil when n is 0).
func Tempi(riga string, n int, mediana, p90 *int) Indicatore {
	v := func(x *int) int {
		if x == nil {
			return 0
		}
		return *x
	}
	return Indicatore{Codice: CodiceTempi, Titolo: titoloTempi, Descrizione: descrTempi, IntestazioneRighe: "Passo",
		Righe: []string{riga}, Colonne: ColonneTempi, Valori: [][]int{{n, v(mediana), v(p90)}}, Nuclei: true,
		SenzaTotaleRiga: true, Misura: MisuraGiorni}
}

// unisci joins the indicators of the same Codice (a table to which more
// modules give rows, as Tempi) into the first one, in the order given.
func unisci(ii []Indicatore) []Indicatore {
	var out []Indicatore
	pos := map[string]int{}
	for _, i := range ii {
		if k, ok := pos[i.Codice]; ok && len(out[k].Colonne) == len(i.Colonne) {
			out[k].Righe = append(out[k].Righe, i.Righe...)
			out[k].Valori = append(out[k].Valori, i.Valori...)
			if len(out[k].ChiaviRighe) > 0 || len(i.ChiaviRighe) > 0 {
				// cells lead to cases only if every row says which
				out[k].ChiaviRighe, out[k].ChiaviColonne = nil, nil
			}
			continue
		}
		pos[i.Codice] = len(out)
		i.Righe = append([]string(nil), i.Righe...)
		i.Valori = append([][]int(nil), i.Valori...)
		out = append(out, i)
	}
	return out
}

// Fornitore is a module that contributes indicators to the cruscotto.
type Fornitore interface {
	Indicatori(ctx context.Context, f Filtro) ([]Indicatore, error)
}

// Comune is a comune of the scope, for the choice.
type Comune struct {
	ID   int64
	Nome string
}

// ElencoComuni lists the comuni of an ambito.
type ElencoComuni func(ctx context.Context, ambitoID int64) ([]Comune, error)

// Service computes the cruscotto.
type Service struct {
	fornitori []Fornitore
	comuni    ElencoComuni
	tetto     TettoCasi
	// dettaglianti by indicator code: who lists the cases of a cell.
	dettaglianti map[string]Dettagliante
	now          func() time.Time
	memoria      *memoria
	sfondo       sync.WaitGroup // the computations ahead running
}

// ConTetto makes the cruscotto read each ambito's caseload cap.
func (s *Service) ConTetto(t TettoCasi) *Service {
	s.tetto = t
	return s
}

// NewService returns the service over the providers, in the order they
// are shown.
func NewService(comuni ElencoComuni, fornitori ...Fornitore) *Service {
	return &Service{fornitori: fornitori, comuni: comuni, now: time.Now, memoria: nuovaMemoria(MemoriaPredefinita)}
}

// ConMemoria sets how long computed tables are kept and shown again
// (0: always computed afresh).
func (s *Service) ConMemoria(d time.Duration) *Service {
	s.memoria = nuovaMemoria(d)
	return s
}

// Richiesta is the form as typed.
type Richiesta struct {
	Dal, Al, Comune string
	// Ricalcola: compute the tables afresh instead of showing the ones
	// computed less than the memory's duration ago.
	Ricalcola bool
}

// Cruscotto is the page's content.
type Cruscotto struct {
	Ambito     string
	Comuni     []Comune // the choice; one when the scope is a comune
	ComuneID   int64    // 0: all
	Dal, Al    time.Time
	Tabelle    []Tabella
	Nominativi bool
	// Esporta: the tables and the dataset can be exported (the handler has
	// an Esportatore).
	Esporta bool
	// Dettaglio: the codes of the indicators whose cells lead to the list
	// of their cases (the coordinatore PaIS only).
	Dettaglio map[string]bool
	// Calcolato is when the tables were computed; Memoria how long they
	// are shown again before being computed afresh (0: never).
	Calcolato time.Time
	Memoria   time.Duration
}

// Lettore reports whether p may read the cruscotto, with its scope.
func Lettore(p authz.Principal) (ambito int64, comune *int64, ok bool) {
	if p.AmbitoID == nil {
		return 0, nil, false
	}
	switch p.Ruolo {
	case authz.OperatoreATS, authz.CoordinatorePaIS:
		return *p.AmbitoID, p.ComuneID, true
	}
	return 0, nil, false
}

// Cruscotto returns the indicators of p's scope for in; a form that does
// not parse is httpx.FieldErrors, with the defaults filled in.
func (s *Service) Cruscotto(ctx context.Context, p authz.Principal, in Richiesta) (Cruscotto, error) {
	c, f, err := s.filtro(ctx, p, in)
	if err != nil {
		return c, err
	}
	c.Dettaglio = map[string]bool{}
	if c.Nominativi {
		for k := range s.dettaglianti {
			c.Dettaglio[k] = true
		}
	}
	c.Tabelle, c.Calcolato, err = s.tabelle(ctx, f, in.Ricalcola)
	c.Memoria = s.memoria.durata
	return c, err
}

// ParallelismoFornitori is how many providers compute their indicators at
// the same time for one page or export.
const ParallelismoFornitori = 4

// Tabelle are the tables of the cruscotto for f, suppressed as the page
// shows them: the page and the exports both take them from here, so an
// export of a table holds what the page showed (the same computation while
// it is kept in memory).
func (s *Service) Tabelle(ctx context.Context, f Filtro) ([]Tabella, error) {
	t, _, err := s.tabelle(ctx, f, false)
	return t, err
}

// tabelle are the tables for f and when they were computed: the ones kept
// in memory if younger than its duration and not ricalcola, else computed
// now (and kept).
func (s *Service) tabelle(ctx context.Context, f Filtro, ricalcola bool) ([]Tabella, time.Time, error) {
	k := f.chiave()
	ora := s.now()
	if !ricalcola {
		if t, il, ok, anticipa := s.memoria.leggi(k, ora); ok {
			if anticipa {
				// Past half their life: computed again for the next
				// readers, apart from this request (which may end first).
				s.sfondo.Go(func() {
					defer s.memoria.fatto(k)
					c, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
					defer cancel()
					if t, err := s.calcola(c, f); err == nil {
						s.memoria.scrivi(k, t, s.now())
					}
				})
			}
			return t, il, nil
		}
	}
	t, err := s.calcola(ctx, f)
	if err != nil {
		return nil, time.Time{}, err
	}
	s.memoria.scrivi(k, t, ora)
	return t, ora, nil
}

// calcola asks every provider for its indicators of f.
func (s *Service) calcola(ctx context.Context, f Filtro) ([]Tabella, error) {
	// The providers ask the database at once, ParallelismoFornitori at a
	// time (each on its own connection of the pool); their tables keep
	// the providers' order.
	parti := make([][]Indicatore, len(s.fornitori))
	errs := make([]error, len(s.fornitori))
	var wg sync.WaitGroup
	sem := make(chan struct{}, ParallelismoFornitori)
	for k, fo := range s.fornitori {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			parti[k], errs[k] = fo.Indicatori(ctx, f)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var tutte []Indicatore
	for _, ii := range parti {
		tutte = append(tutte, ii...)
	}
	var out []Tabella
	for _, i := range unisci(tutte) {
		out = append(out, NuovaTabella(i))
	}
	return out, nil
}

// filtro reads the form in for p: the page's choices and the providers'
// filter; a form that does not parse is httpx.FieldErrors.
func (s *Service) filtro(ctx context.Context, p authz.Principal, in Richiesta) (Cruscotto, Filtro, error) {
	var c Cruscotto
	ambito, comune, ok := Lettore(p)
	if !ok {
		return c, Filtro{}, httpx.ErrNotFound
	}
	c.Ambito = p.Ambito
	c.Nominativi = p.Ruolo == authz.CoordinatorePaIS
	tutti, err := s.comuni(ctx, ambito)
	if err != nil {
		return c, Filtro{}, fmt.Errorf("report: comuni: %w", err)
	}
	for _, x := range tutti {
		if comune == nil || *comune == x.ID {
			c.Comuni = append(c.Comuni, x)
		}
	}
	oggi := calendario.Giorno(s.now())
	c.Dal, c.Al = time.Date(oggi.Year(), 1, 1, 0, 0, 0, 0, time.UTC), oggi
	fe := httpx.FieldErrors{}
	if v := strings.TrimSpace(in.Dal); v != "" {
		if d, ok := calendario.ParseData(v); ok {
			c.Dal = d
		} else {
			fe["dal"] = "La data di inizio non è valida: scrivila come gg/mm/aaaa."
		}
	}
	if v := strings.TrimSpace(in.Al); v != "" {
		if d, ok := calendario.ParseData(v); ok {
			c.Al = d
		} else {
			fe["al"] = "La data di fine non è valida: scrivila come gg/mm/aaaa."
		}
	}
	if fe["dal"] == "" && fe["al"] == "" && c.Al.Before(c.Dal) {
		fe["al"] = "La data di fine non può precedere quella di inizio."
	}
	if fe["dal"] == "" && fe["al"] == "" && c.Al.Sub(c.Dal) > 5*366*24*time.Hour {
		fe["al"] = "Il periodo può durare al massimo cinque anni."
	}
	f := Filtro{AmbitoID: ambito, ComuneID: comune, Dal: c.Dal, Al: c.Al, Oggi: oggi, Nominativi: c.Nominativi, Tetto: TettoPredefinito,
		Ruolo: p.Ruolo}
	if s.tetto != nil {
		if f.Tetto, err = s.tetto(ctx, ambito); err != nil {
			return c, Filtro{}, fmt.Errorf("report: tetto: %w", err)
		}
	}
	if v := strings.TrimSpace(in.Comune); v != "" {
		trovato := false
		for _, x := range c.Comuni {
			if fmt.Sprint(x.ID) == v {
				trovato, c.ComuneID = true, x.ID
				id := x.ID
				f.ComuneID = &id
			}
		}
		if !trovato {
			fe["comune"] = "Scegli un comune dall'elenco."
		}
	}
	if comune != nil {
		c.ComuneID = *comune
	}
	if len(fe) > 0 {
		return c, f, fe
	}
	return c, f, nil
}
