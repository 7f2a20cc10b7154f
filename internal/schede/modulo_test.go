package schede_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// The shared workflow of a versioned scheda, as a module sees it: the case
// module is a stand-in (a transaction on the pool, a closed flag), the
// scheda is real.

type casoFinto struct{ ID uuid.UUID }

type casiFinti struct {
	pool   *pgxpool.Pool
	chiuso bool
	voci   []registro.Voce // the writes recorded
}

func (c *casiFinti) Access(_ context.Context, _ authz.Principal, id uuid.UUID, _ registro.Voce) (casoFinto, error) {
	return casoFinto{ID: id}, nil
}

func (c *casiFinti) ScriviContenuto(ctx context.Context, _ authz.Principal, id uuid.UUID, v registro.Voce, chiuso error,
	fn func(tx pgx.Tx, c casoFinto, w *registro.Voce) error) error {
	if c.chiuso {
		return chiuso
	}
	return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
		w := v
		if err := fn(tx, casoFinto{ID: id}, &w); err != nil {
			return err
		}
		c.voci = append(c.voci, w)
		return nil
	})
}

type contenuto struct {
	Sintesi string   `json:"sintesi"`
	Membri  []string `json:"membri,omitempty"`
}

type vista struct {
	Versioni []schede.Versione
	Numero   int
}

var (
	errNonTrovata = fmt.Errorf("modulo: non trovata: %w", httpx.ErrNotFound)
	errChiuso     = fmt.Errorf("modulo: chiuso: %w", httpx.ErrReadOnly)
	errNessuna    = fmt.Errorf("modulo: nessuna bozza: %w", httpx.ErrConflict)
	errEsistente  = fmt.Errorf("modulo: bozza esistente: %w", httpx.ErrConflict)
)

// leggi is a version's content, written out.
func leggi(t *testing.T, v schede.Versione) string {
	t.Helper()
	c, err := schede.Decodifica[contenuto](v)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(c.Sintesi, " ", c.Membri)
}

type modulo = schede.Modulo[casoFinto, contenuto, string, vista]

func nuovoModulo(cs *casiFinti) modulo {
	return modulo{Casi: cs, Pool: cs.pool, Tipo: schede.QuadroAnalisi, Oggetto: "prova",
		Errori:      schede.Errori{NonTrovata: errNonTrovata, Chiuso: errChiuso, NessunaBozza: errNessuna, BozzaEsistente: errEsistente},
		Riferimenti: func(context.Context, schede.Querier, time.Time) (string, error) { return "rif", nil },
		Etichetta:   func(string, ...contenuto) func(string) string { return etichetta },
		Vista: func(_ context.Context, sc schede.Scheda[casoFinto, contenuto, string]) (vista, error) {
			v := vista{Versioni: sc.Versioni}
			if sc.Versione != nil {
				v.Numero = sc.Versione.Numero
			}
			return v, nil
		},
	}
}

func TestModuloFlussoCondiviso(t *testing.T) {
	t.Parallel()
	pool, caso, op1, op2 := setup(t)
	ctx := context.Background()
	cs := &casiFinti{pool: pool}
	m := nuovoModulo(cs)
	p1, p2 := authz.Principal{OperatoreID: op1}, authz.Principal{OperatoreID: op2}
	var nessuno schede.Passi[casoFinto, contenuto, string]

	// Started once: a second start returns the same draft.
	v, err := m.Inizia(ctx, p1, caso, registro.Voce{}, "già iniziata", func(context.Context, pgx.Tx, casoFinto) (contenuto, string, error) {
		return contenuto{Membri: []string{"a"}}, "iniziata", nil
	})
	if err != nil || v.Numero != 1 || v.Revisione != 1 || v.Stato != schede.Bozza {
		t.Fatalf("inizia: %+v %v", v, err)
	}
	if again, err := m.Inizia(ctx, p1, caso, registro.Voce{}, "già iniziata", nil); err != nil || again.ID != v.ID {
		t.Fatalf("inizia di nuovo: %+v %v", again, err)
	}
	if got := cs.voci[len(cs.voci)-1]; got.Dettaglio != "già iniziata" || got.OggettoTipo != "prova" || got.OggettoID != v.ID.String() {
		t.Errorf("registro: %+v", got)
	}

	// Two people at revisione 1: the first saves, the second is refused
	// with what the first changed, and nothing of theirs is written.
	v, errs, err := m.Salva(ctx, p1, caso, 1, func(c *contenuto) { c.Sintesi = "prima" }, registro.Voce{}, nessuno)
	if err != nil || errs != nil || v.Revisione != 2 {
		t.Fatalf("salva: %+v %v %v", v, errs, err)
	}
	_, _, err = m.Salva(ctx, p2, caso, 1, func(c *contenuto) { c.Sintesi = "seconda" }, registro.Voce{}, nessuno)
	var c *schede.Conflitto
	if !errors.As(err, &c) || c.Attuale.Revisione != 2 || len(c.Cambiate) != 1 || c.Cambiate[0].Campo != "«sintesi»" || c.Cambiate[0].Dopo != "prima" || c.Da == "" {
		t.Fatalf("conflitto: %+v %v", c, err)
	}
	if u, _ := schede.Ultima(ctx, pool, caso, schede.QuadroAnalisi); u.Revisione != 2 || leggi(t, u) != "prima [a]" {
		t.Errorf("dopo il conflitto: %d %s", u.Revisione, u.Contenuto)
	}

	// A check that fails stops the finalisation: nothing is written.
	controlla := func(_ context.Context, _ pgx.Tx, _ casoFinto, c *contenuto, rif string) (httpx.FieldErrors, error) {
		if c.Sintesi == "" || rif != "rif" {
			return httpx.FieldErrors{"sintesi": "Scrivi la sintesi."}, nil
		}
		return nil, nil
	}
	dopo := 0
	passi := schede.Passi[casoFinto, contenuto, string]{Controlla: controlla, Esito: func(contenuto) string { return "C" },
		Dopo: func(_ context.Context, _ pgx.Tx, _ casoFinto, ver schede.Versione, _ contenuto, _ string) (string, error) {
			dopo++
			return fmt.Sprintf("finalizzata la %d", ver.Numero), nil
		}}
	if _, errs, err := m.Finalizza(ctx, p1, caso, 2, func(c *contenuto) { c.Sintesi = "" }, registro.Voce{}, passi); err != nil || errs["sintesi"] == "" {
		t.Fatalf("finalizza senza sintesi: %v %v", errs, err)
	}
	// Finalising freezes the version: a save afterwards finds no draft.
	v, errs, err = m.Finalizza(ctx, p1, caso, 2, nil, registro.Voce{}, passi)
	if err != nil || errs != nil || v.Stato != schede.Definitiva || v.Esito != "C" || dopo != 1 {
		t.Fatalf("finalizza: %+v %v %v (dopo %d)", v, errs, err, dopo)
	}
	if got := cs.voci[len(cs.voci)-1].Dettaglio; got != "finalizzata la 1" {
		t.Errorf("dettaglio: %q", got)
	}
	if _, _, err := m.Salva(ctx, p2, caso, v.Revisione, func(c *contenuto) { c.Sintesi = "dopo" }, registro.Voce{}, nessuno); !errors.Is(err, errNessuna) {
		t.Fatalf("salva una definitiva: %v", err)
	}

	// Reopening: the reason is required; version 2 is a draft copied from
	// version 1 and brought up to date; version 1 stays as it was.
	ra := schede.Riapertura[casoFinto, contenuto]{Mancante: "Indica il motivo.",
		Riallinea: func(_ context.Context, _ pgx.Tx, _ casoFinto, c *contenuto) (bool, error) {
			c.Membri = append(c.Membri, "b")
			return true, nil
		},
		Dopo: func(_ context.Context, _ pgx.Tx, _ casoFinto, ver schede.Versione, motivo string) (string, error) {
			return fmt.Sprintf("riaperta: %d (%s)", ver.Numero, motivo), nil
		}}
	if _, errs, err := m.Riapri(ctx, p1, caso, "  ", registro.Voce{}, ra); err != nil || errs["motivo"] != "Indica il motivo." {
		t.Fatalf("riapri senza motivo: %v %v", errs, err)
	}
	v2, errs, err := m.Riapri(ctx, p1, caso, "Nuovo componente", registro.Voce{}, ra)
	if err != nil || errs != nil || v2.Numero != 2 || v2.Stato != schede.Bozza || v2.MotivoRiapertura != "Nuovo componente" ||
		leggi(t, v2) != "prima [a b]" {
		t.Fatalf("riapri: %+v %s %v %v", v2, v2.Contenuto, errs, err)
	}
	if _, _, err := m.Riapri(ctx, p2, caso, "Di nuovo", registro.Voce{}, ra); !errors.Is(err, errEsistente) {
		t.Fatalf("riapri una bozza: %v", err)
	}
	s, err := m.Leggi(ctx, p1, caso, 1, registro.Voce{})
	if err != nil || s.Numero != 1 || len(s.Versioni) != 2 || s.Versioni[1].Stato != schede.Definitiva ||
		leggi(t, s.Versioni[1]) != "prima [a]" {
		t.Fatalf("versione 1: %+v %v", s, err)
	}
	if _, err := m.Leggi(ctx, p1, caso, 0, registro.Voce{}); !errors.Is(err, errNonTrovata) {
		t.Errorf("versione 0: %v", err)
	}

	// A closed case: the module's error, nothing written.
	cs.chiuso = true
	if _, _, err := m.Salva(ctx, p1, caso, v2.Revisione, nil, registro.Voce{}, nessuno); !errors.Is(err, errChiuso) || !errors.Is(err, httpx.ErrReadOnly) {
		t.Errorf("caso chiuso: %v", err)
	}
}
