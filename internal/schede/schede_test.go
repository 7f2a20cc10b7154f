package schede_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/schede"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// setup returns a pool with the demo accounts, one case, and the ids of
// the two demo case managers (two people editing the same draft).
func setup(t *testing.T) (*pgxpool.Pool, uuid.UUID, uuid.UUID, uuid.UUID) {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	cm, cm2 := people["casemanager"], people["casemanager2"]
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-SCHEDE-1", DataDomanda: fixtures.Data("2026-10-01"), DataPAD: fixtures.Data("2026-10-03"),
		AmbitoID: *cm.AmbitoID, ComuneID: *cm.ComuneID}) // Casalecchio di Reno, not assigned
	caso, op1, op2 := c.ID, cm.OperatoreID, cm2.OperatoreID
	return pool, caso, op1, op2
}

func tx[T any](t *testing.T, pool *pgxpool.Pool, f func(pgx.Tx) (T, error)) (T, error) {
	t.Helper()
	var out T
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		var err error
		out, err = f(tx)
		return err
	})
	return out, err
}

func etichetta(p string) string { return "«" + p + "»" }

// A draft saved by two people: the second save, over the revision they
// loaded, is refused with what the first changed; finalising freezes the
// version (the database refuses any change); reopening gives version 2, a
// draft with the same content, while version 1 stays readable; the
// differences between the versions are listed.
func TestVersioniEConflitto(t *testing.T) {
	t.Parallel()
	pool, caso, op1, op2 := setup(t)
	ctx := context.Background()
	tipo := schede.AnalisiPreliminare

	v, err := tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.NuovaBozza(ctx, tx, caso, tipo, json.RawMessage(`{"sintesi":"","aree":{"economica":{"bisogno":"non_valutato"}}}`), op1)
	})
	if err != nil || v.Numero != 1 || v.Revisione != 1 || v.Stato != schede.Bozza || v.CreataDa == "" {
		t.Fatalf("new draft: %+v %v", v, err)
	}
	if _, err := tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.NuovaBozza(ctx, tx, caso, tipo, json.RawMessage(`{}`), op1)
	}); !errors.Is(err, schede.ErrBozzaEsistente) {
		t.Errorf("second NuovaBozza: %v", err)
	}

	// Both loaded revision 1; op1 saves first.
	v, err = tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Salva(ctx, tx, caso, tipo, 1, json.RawMessage(`{"sintesi":"Nucleo monoparentale","aree":{"economica":{"bisogno":"presente"}}}`), op1, etichetta)
	})
	if err != nil || v.Revisione != 2 {
		t.Fatalf("first save: %+v %v", v, err)
	}
	_, err = tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Salva(ctx, tx, caso, tipo, 1, json.RawMessage(`{"sintesi":"Altro testo","aree":{"economica":{"bisogno":"assente"}}}`), op2, etichetta)
	})
	var c *schede.Conflitto
	if !errors.As(err, &c) {
		t.Fatalf("second save over revision 1: %v, want a conflict", err)
	}
	if c.Attuale.Revisione != 2 || c.Da == "" || len(c.Cambiate) != 2 ||
		c.Cambiate[0].Campo != "«aree.economica.bisogno»" || c.Cambiate[0].Prima != "non_valutato" || c.Cambiate[0].Dopo != "presente" ||
		c.Cambiate[1].Percorso != "sintesi" || c.Cambiate[1].Dopo != "Nucleo monoparentale" {
		t.Errorf("conflict: %+v", c)
	}
	got, _ := schede.Ultima(ctx, pool, caso, tipo)
	if !strings.Contains(string(got.Contenuto), "Nucleo monoparentale") {
		t.Errorf("the first save was overwritten: %s", got.Contenuto)
	}

	v1, err := tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Finalizza(ctx, tx, caso, tipo, 2, json.RawMessage(`{"sintesi":"Nucleo monoparentale","aree":{"economica":{"bisogno":"presente"}},"servizi":["sociale"]}`), "C", op1, etichetta)
	})
	if err != nil || !v1.Definitiva() || v1.Esito != "C" || v1.FinalizzataIl == nil {
		t.Fatalf("finalise: %+v %v", v1, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE scheda SET contenuto = '{}' WHERE id = $1`, v1.ID); err == nil {
		t.Error("the database let a finalised version change")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM scheda WHERE id = $1`, v1.ID); err == nil {
		t.Error("the database let a finalised version be deleted")
	}
	if _, err := tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Salva(ctx, tx, caso, tipo, 3, json.RawMessage(`{}`), op1, etichetta)
	}); !errors.Is(err, schede.ErrNessunaBozza) {
		t.Errorf("saving without a draft: %v", err)
	}

	v2, err := tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Riapri(ctx, tx, caso, tipo, "nuovo lavoro del richiedente", op2)
	})
	if err != nil || v2.Numero != 2 || v2.Stato != schede.Bozza || v2.MotivoRiapertura != "nuovo lavoro del richiedente" || string(v2.Contenuto) != string(v1.Contenuto) {
		t.Fatalf("reopen: %+v %v", v2, err)
	}
	if _, err := tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Riapri(ctx, tx, caso, tipo, "", op2)
	}); !errors.Is(err, schede.ErrNonDefinitiva) {
		t.Errorf("reopening a draft: %v", err)
	}
	v2, err = tx(t, pool, func(tx pgx.Tx) (schede.Versione, error) {
		return schede.Salva(ctx, tx, caso, tipo, 1, json.RawMessage(`{"sintesi":"Nucleo monoparentale","aree":{"economica":{"bisogno":"assente"}},"servizi":["sociale","serd"]}`), op2, etichetta)
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := schede.Elenco(ctx, pool, caso, tipo)
	if err != nil || len(all) != 2 || all[0].Numero != 2 || all[1].Numero != 1 {
		t.Fatalf("versions: %+v %v", all, err)
	}
	old, err := schede.Leggi(ctx, pool, caso, tipo, 1)
	if err != nil || !strings.Contains(string(old.Contenuto), `"presente"`) {
		t.Errorf("version 1 after reopening: %s %v", old.Contenuto, err)
	}
	d, err := schede.Differenze(old.Contenuto, v2.Contenuto, nil)
	if err != nil || len(d) != 2 || d[0].Percorso != "aree.economica.bisogno" || d[1].Percorso != "servizi[serd]" || d[1].Prima != "" || d[1].Dopo != "serd" {
		t.Errorf("differences between versions: %+v %v", d, err)
	}
	if _, err := schede.Leggi(ctx, pool, caso, tipo, 9); !errors.Is(err, schede.ErrNonTrovata) {
		t.Errorf("missing version: %v", err)
	}
	if def, err := schede.UltimaDefinitiva(ctx, pool, caso, tipo); err != nil || def.Numero != 1 {
		t.Errorf("newest final: %+v %v", def, err)
	}
}

// Array elements are matched by their key, so a reordered list of members
// is no change; a changed member is named by its key.
func TestDifferenze(t *testing.T) {
	t.Parallel()
	a := []byte(`{"componenti":[{"codice_fiscale":"AAA","percorso":"1"},{"codice_fiscale":"BBB","percorso":"2","esente":false}]}`)
	b := []byte(`{"componenti":[{"codice_fiscale":"BBB","percorso":"2","esente":true},{"codice_fiscale":"AAA","percorso":"1"}]}`)
	d, err := schede.Differenze(a, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 1 || d[0].Percorso != "componenti[BBB].esente" || d[0].Prima != "no" || d[0].Dopo != "sì" {
		t.Errorf("%+v", d)
	}
	if _, err := schede.Differenze([]byte(`{`), b, nil); err == nil {
		t.Error("broken JSON accepted")
	}
}
