package report

import (
	"context"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/authz"
)

// The tables computed for a scope, period and role are shown again for
// MemoriaPredefinita, with the time they were computed, and computed again
// in the background once read past half of it; another comune,
// another role, Ricalcola or the time passed compute them afresh; a
// memory of 0 always computes.
func TestMemoriaDelCruscotto(t *testing.T) {
	ctx := context.Background()
	comuni := func(context.Context, int64) ([]Comune, error) {
		return []Comune{{1, "Casalecchio di Reno"}, {2, "Zola Predosa"}}, nil
	}
	fo := &registra{}
	s := NewService(comuni, fo)
	ora := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return ora }
	amb := int64(7)
	ats := authz.Principal{Ruolo: authz.OperatoreATS, AmbitoID: &amb}
	coord := authz.Principal{Ruolo: authz.CoordinatorePaIS, AmbitoID: &amb}
	passo := func(nome string, p authz.Principal, in Richiesta, calcoli int, calcolato time.Time) {
		t.Helper()
		prima := len(fo.visti)
		c, err := s.Cruscotto(ctx, p, in)
		if err != nil {
			t.Fatal(err)
		}
		s.sfondo.Wait()
		if got := len(fo.visti) - prima; got != calcoli {
			t.Errorf("%s: the providers asked %d times, want %d", nome, got, calcoli)
		}
		if !c.Calcolato.Equal(calcolato) || c.Memoria != s.memoria.durata {
			t.Errorf("%s: computed at %s (memory %s), want %s", nome, c.Calcolato, c.Memoria, calcolato)
		}
		if len(c.Tabelle) != 1 || !c.Tabelle[0].Celle[0][0].Primaria {
			t.Errorf("%s: tables %+v", nome, c.Tabelle)
		}
	}
	t0 := ora
	passo("first", ats, Richiesta{}, 1, t0)
	ora = ora.Add(4 * time.Minute)
	// Past half their life, the tables kept are shown and computed again
	// in the background (the one computation counted): the next reader
	// gets the new ones.
	passo("again within 5 minutes", ats, Richiesta{}, 1, t0)
	passo("after the computation ahead", ats, Richiesta{}, 0, ora)
	passo("again, within half the life", ats, Richiesta{}, 0, ora)
	passo("another comune", ats, Richiesta{Comune: "2"}, 1, ora)
	passo("another role", coord, Richiesta{}, 1, ora)
	passo("another period", ats, Richiesta{Dal: "01/06/2026"}, 1, ora)
	passo("ricalcola", ats, Richiesta{Ricalcola: true}, 1, ora)
	ora = ora.Add(5 * time.Minute)
	passo("5 minutes after", ats, Richiesta{}, 1, ora)

	s.ConMemoria(0)
	passo("no memory", ats, Richiesta{}, 1, ora)
	passo("no memory, again", ats, Richiesta{}, 1, ora)
}

// Prepara computes each reader's default page ahead: opening /report
// afterwards asks no provider; another period still does.
func TestPreparaLePagine(t *testing.T) {
	ctx := context.Background()
	comuni := func(context.Context, int64) ([]Comune, error) {
		return []Comune{{1, "Casalecchio di Reno"}, {2, "Zola Predosa"}}, nil
	}
	fo := &registra{}
	s := NewService(comuni, fo)
	ora := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return ora }
	amb, com := int64(7), int64(2)
	lettori := func(context.Context) ([]LettoreCruscotto, error) {
		return []LettoreCruscotto{{Ruolo: authz.OperatoreATS, AmbitoID: amb}, {Ruolo: authz.CoordinatorePaIS, AmbitoID: amb, ComuneID: &com}}, nil
	}
	if n, err := s.Prepara(ctx, lettori); err != nil || n != 2 || len(fo.visti) != 2 {
		t.Fatalf("prepared %d pages (%v), providers asked %d times", n, err, len(fo.visti))
	}
	for _, p := range []authz.Principal{{Ruolo: authz.OperatoreATS, AmbitoID: &amb}, {Ruolo: authz.CoordinatorePaIS, AmbitoID: &amb, ComuneID: &com}} {
		if _, err := s.Cruscotto(ctx, p, Richiesta{}); err != nil {
			t.Fatal(err)
		}
	}
	if len(fo.visti) != 2 {
		t.Errorf("the prepared pages were computed again: %d", len(fo.visti))
	}
	if _, err := s.Cruscotto(ctx, authz.Principal{Ruolo: authz.OperatoreATS, AmbitoID: &amb}, Richiesta{Dal: "01/06/2026"}); err != nil || len(fo.visti) != 3 {
		t.Errorf("another period: %v, %d", err, len(fo.visti))
	}
}
