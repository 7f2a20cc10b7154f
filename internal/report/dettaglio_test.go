package report

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// elenca is a Dettagliante of n cases numbered 1..n for indicator "x".
type elenca struct {
	n     int
	visti []Filtro
}

func (e *elenca) Dettagliabili() []string { return []string{"x"} }

func (e *elenca) DettaglioCasi(_ context.Context, f Filtro, s Selezione, dopo int64, n int, _ registro.Voce) (string, []CasoAnagrafica, error) {
	e.visti = append(e.visti, f)
	if s.Riga != "a" {
		return "", nil, ErrCella
	}
	var out []CasoAnagrafica
	for k := dopo + 1; k <= int64(e.n) && len(out) < n; k++ {
		out = append(out, CasoAnagrafica{ID: strconv.FormatInt(k, 10), Numero: k})
	}
	return "tutti", out, nil
}

// The drill-down: the coordinatore only, links on the cells of the
// indicators with keys (a "<5" too, not a visible 0), pages of 50 by
// number, the cruscotto's scope and period passed on.
func TestDettaglio(t *testing.T) {
	ctx := context.Background()
	comuni := func(context.Context, int64) ([]Comune, error) {
		return []Comune{{1, "Casalecchio di Reno"}, {2, "Zola Predosa"}}, nil
	}
	dt := &elenca{n: 120}
	chiavi := IndicatoreFisso{Indicatore{Codice: "x", Righe: []string{"a", "b", "c"}, Colonne: []string{"n"}, Valori: [][]int{{3}, {0}, {40}}, Nuclei: true,
		ChiaviRighe: []string{"a", "b", "c"}, ChiaviColonne: []string{""}}}
	s := NewService(comuni, chiavi).ConDettaglio(dt)
	s.now = func() time.Time { return time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) }
	amb, com := int64(7), int64(2)
	ats := authz.Principal{Ruolo: authz.OperatoreATS, AmbitoID: &amb}
	coord := authz.Principal{Ruolo: authz.CoordinatorePaIS, AmbitoID: &amb, ComuneID: &com}

	c, err := s.Cruscotto(ctx, ats, Richiesta{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Dettaglio) != 0 || linkCella(c, c.Tabelle[0], 0, 0) != "" {
		t.Error("the operatore ATS's cruscotto has links")
	}
	if _, err := s.Dettaglio(ctx, ats, RichiestaDettaglio{Selezione: Selezione{Indicatore: "x", Riga: "a"}}, registro.Voce{}); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("the operatore ATS on the list: %v", err)
	}
	c, err = s.Cruscotto(ctx, coord, Richiesta{})
	if err != nil {
		t.Fatal(err)
	}
	tab := c.Tabelle[0]
	if got := tab.Celle[0][0].Testo(); got != "<5" {
		t.Errorf("the suppressed cell: %q", got)
	}
	l := linkCella(c, tab, 0, 0)
	u, _ := url.Parse(l)
	if u.Path != "/report/casi" || u.Query().Get("indicatore") != "x" || u.Query().Get("riga") != "a" || u.Query().Get("comune") != "2" ||
		u.Query().Get("dal") != "2026-01-01" || u.Query().Get("al") != "2026-12-03" {
		t.Errorf("link of a <5 cell: %q", l)
	}
	if linkCella(c, tab, 1, 0) != "" || linkCella(c, tab, 2, 0) == "" {
		t.Error("a visible 0 leads nowhere, a count does")
	}

	in := RichiestaDettaglio{Richiesta: Richiesta{Dal: u.Query().Get("dal"), Al: u.Query().Get("al"), Comune: "2"}, Selezione: Selezione{Indicatore: "x", Riga: "a"}}
	d, err := s.Dettaglio(ctx, coord, in, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Casi) != PerPagina || d.Prossima == "" || !strings.Contains(d.Prossima, "dopo=50") || d.Ritorno != "/report?al=2026-12-03&comune=2&dal=2026-01-01" {
		t.Errorf("first page: %d cases, next %q, back %q", len(d.Casi), d.Prossima, d.Ritorno)
	}
	if f := dt.visti[0]; f.ComuneID == nil || *f.ComuneID != 2 || !f.Nominativi || f.AmbitoID != 7 {
		t.Errorf("the scope passed on: %+v", f)
	}
	in.Dopo = "100"
	if d, err = s.Dettaglio(ctx, coord, in, registro.Voce{}); err != nil || len(d.Casi) != 20 || d.Prossima != "" || d.Casi[0].Numero != 101 {
		t.Errorf("last page: %d cases, next %q, %v", len(d.Casi), d.Prossima, err)
	}
	for _, x := range []struct {
		in   RichiestaDettaglio
		want error
	}{
		{RichiestaDettaglio{Selezione: Selezione{Indicatore: "y", Riga: "a"}}, httpx.ErrNotFound},
		{RichiestaDettaglio{Selezione: Selezione{Indicatore: "x", Riga: "z"}}, httpx.ErrNotFound},
		{RichiestaDettaglio{Selezione: Selezione{Indicatore: "x", Riga: "a"}, Dopo: "-1"}, httpx.ErrBadInput},
		{RichiestaDettaglio{Selezione: Selezione{Indicatore: "x", Riga: "a"}, Richiesta: Richiesta{Comune: "1"}}, httpx.ErrBadInput},
		{RichiestaDettaglio{Selezione: Selezione{Indicatore: "x", Riga: "a"}, Richiesta: Richiesta{Dal: "31/02/2026"}}, httpx.ErrBadInput},
	} {
		if _, err := s.Dettaglio(ctx, coord, x.in, registro.Voce{}); !errors.Is(err, x.want) {
			t.Errorf("%+v: %v, want %v", x.in, err, x.want)
		}
	}
}

// IndicatoreFisso is a provider of one indicator.
type IndicatoreFisso struct{ i Indicatore }

func (p IndicatoreFisso) Indicatori(context.Context, Filtro) ([]Indicatore, error) {
	return []Indicatore{p.i}, nil
}
