package report

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
)

// registra is a provider that keeps the filter it was asked for.
type registra struct{ visti []Filtro }

func (r *registra) Indicatori(_ context.Context, f Filtro) ([]Indicatore, error) {
	r.visti = append(r.visti, f)
	return []Indicatore{{Codice: "x", Righe: []string{"a"}, Colonne: []string{"n"}, Valori: [][]int{{3}}, Nuclei: true}}, nil
}

// The scope and the form of the cruscotto: who reads it, which comuni they
// may choose, the period's defaults and checks.
func TestCruscottoScopeEModulo(t *testing.T) {
	ctx := context.Background()
	comuni := func(_ context.Context, ambito int64) ([]Comune, error) {
		if ambito != 7 {
			return nil, nil
		}
		return []Comune{{1, "Casalecchio di Reno"}, {2, "Zola Predosa"}}, nil
	}
	fo := &registra{}
	s := NewService(comuni, fo)
	s.now = func() time.Time { return time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) }
	amb, com := int64(7), int64(2)
	ats := authz.Principal{Ruolo: authz.OperatoreATS, AmbitoID: &amb}
	coordComune := authz.Principal{Ruolo: authz.CoordinatorePaIS, AmbitoID: &amb, ComuneID: &com}
	cm := authz.Principal{Ruolo: authz.CaseManager, AmbitoID: &amb, ComuneID: &com}

	c, err := s.Cruscotto(ctx, ats, Richiesta{})
	if err != nil {
		t.Fatal(err)
	}
	f := fo.visti[0]
	if len(c.Comuni) != 2 || f.ComuneID != nil || f.Nominativi || f.Tetto != TettoPredefinito || f.Ruolo != authz.OperatoreATS ||
		!f.Dal.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !f.Al.Equal(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("defaults: %+v, comuni %v", f, c.Comuni)
	}
	if got := c.Tabelle[0].Celle[0][0].Testo(); got != "<5" {
		t.Errorf("cell: %q", got)
	}
	if _, err := s.Cruscotto(ctx, ats, Richiesta{Dal: "01/02/2026", Al: "2026-03-31", Comune: "1"}); err != nil {
		t.Fatal(err)
	}
	if f := fo.visti[1]; f.ComuneID == nil || *f.ComuneID != 1 || f.Dal.Month() != 2 || f.Al.Day() != 31 {
		t.Errorf("period and comune: %+v", f)
	}
	// The comune coordinatore: their comune only, with names.
	c, err = s.Cruscotto(ctx, coordComune, Richiesta{})
	if err != nil {
		t.Fatal(err)
	}
	if f := fo.visti[2]; len(c.Comuni) != 1 || c.ComuneID != 2 || f.ComuneID == nil || *f.ComuneID != 2 || !f.Nominativi {
		t.Errorf("comune coordinatore: %+v %+v", c.Comuni, f)
	}
	var fe httpx.FieldErrors
	for _, tc := range []struct {
		nome   string
		p      authz.Principal
		in     Richiesta
		campo  string
		errore string
	}{
		{"un comune fuori dall'ambito", ats, Richiesta{Comune: "99"}, "comune", "Scegli un comune dall'elenco."},
		{"un comune fuori dal comune del coordinatore", coordComune, Richiesta{Comune: "1"}, "comune", "Scegli un comune dall'elenco."},
		{"data illeggibile", ats, Richiesta{Dal: "31/02/2026"}, "dal", "La data di inizio non è valida: scrivila come gg/mm/aaaa."},
		{"fine prima dell'inizio", ats, Richiesta{Dal: "2026-05-01", Al: "2026-04-01"}, "al", "La data di fine non può precedere quella di inizio."},
		{"più di cinque anni", ats, Richiesta{Dal: "2010-01-01", Al: "2026-01-01"}, "al", "Il periodo può durare al massimo cinque anni."},
	} {
		n := len(fo.visti)
		_, err := s.Cruscotto(ctx, tc.p, tc.in)
		if !errors.As(err, &fe) || fe[tc.campo] != tc.errore {
			t.Errorf("%s: %v", tc.nome, err)
		}
		if len(fo.visti) != n {
			t.Errorf("%s: the providers were asked", tc.nome)
		}
	}
	if _, err := s.Cruscotto(ctx, cm, Richiesta{}); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("case manager: %v", err)
	}
}
