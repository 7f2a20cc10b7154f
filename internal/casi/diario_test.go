package casi_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/registro"
)

// Notes are written, listed newest first, corrected by a new note that
// references the old one (never changed in place: the database refuses
// it), and their text never reaches the registro.
func TestDiario(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	id := f.caso(t, 1, "Bianchi", "Laura", casalecchio, "casemanager", f.now.AddDate(0, 0, -30))
	cm := f.people["casemanager"]
	v := registro.Voce{}

	errs, err := f.svc.Scrivi(ctx, cm, id, casi.NuovaNota{DataEvento: "2026-12-01", Categoria: "ordinaria", Testo: "x"}, v)
	if err != nil || !strings.Contains(errs["data_evento"], "futura") {
		t.Errorf("future date: %v %v", errs, err)
	}
	if errs, _ := f.svc.Scrivi(ctx, cm, id, casi.NuovaNota{DataEvento: "2026-11-19", Categoria: "boh", Testo: " "}, v); errs["categoria"] == "" || errs["testo"] == "" {
		t.Errorf("category and text: %v", errs)
	}
	for _, n := range []casi.NuovaNota{
		{DataEvento: "2026-11-18", Categoria: "ordinaria", Testo: "Colloquio con la signora: riferisce difficoltà con l'affitto."},
		{DataEvento: "2026-11-19", Categoria: "sanitaria", Testo: "Presa in carico dal CSM."},
	} {
		if errs, err := f.svc.Scrivi(ctx, cm, id, n, v); err != nil || len(errs) > 0 {
			t.Fatalf("write: %v %v", errs, err)
		}
	}
	d, err := f.svc.Diario(ctx, cm, id, "", v)
	if err != nil || len(d.Note) != 2 || d.Note[0].Categoria != "sanitaria" {
		t.Fatalf("diary: %+v %v", d.Note, err)
	}
	old := d.Note[1].ID
	if _, err := f.pool.Exec(ctx, `UPDATE diario_nota SET testo = 'altro' WHERE id = $1`, old); err == nil {
		t.Error("a note was changed in place")
	}
	if _, err := f.pool.Exec(ctx, `DELETE FROM diario_nota WHERE id = $1`, old); err == nil {
		t.Error("a note was deleted")
	}
	// Two corrections of the same note at once: exactly one wins.
	var wg sync.WaitGroup
	results := make([]error, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = f.svc.Scrivi(ctx, cm, id, casi.NuovaNota{DataEvento: "2026-11-18", Categoria: "ordinaria",
				Testo: "Colloquio con la signora: riferisce difficoltà con il mutuo.", RettificaDi: old.String()}, v)
		}()
	}
	wg.Wait()
	won, lost := 0, 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case errors.Is(err, casi.ErrNotaGiaRettificata):
			lost++
		default:
			t.Fatal(err)
		}
	}
	if won != 1 || lost != 1 {
		t.Errorf("concurrent corrections: %d won, %d lost", won, lost)
	}
	d, _ = f.svc.Diario(ctx, cm, id, "ordinaria", v)
	if len(d.Note) != 2 || d.Note[1].RettificataDa == nil || d.Note[0].RettificaDi == nil || *d.Note[0].RettificaDi != old {
		t.Errorf("correction chain: %+v", d.Note)
	}
	var leaked int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE dettaglio LIKE '%affitto%' OR dettaglio LIKE '%CSM%'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("note text in the registro: %d %v", leaked, err)
	}
	if _, err := f.svc.Diario(ctx, f.people["casemanager2"], id, "", v); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 on the diary: %v", err)
	}
	if _, err := f.svc.Scrivi(ctx, f.people["casemanager2"], id, casi.NuovaNota{DataEvento: "2026-11-19", Categoria: "ordinaria", Testo: "x"}, v); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 writing on the diary: %v", err)
	}
}

// sanitaria and giudiziaria notes: only the assigned case manager.
func TestVedeNota(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	cm, altro := f.people["casemanager"], f.people["casemanager2"]
	id := cm.OperatoreID
	c := casi.Caso{CaseManagerID: &id}
	supervisore := authz.Principal{Ruolo: "supervisore"}
	for _, tc := range []struct {
		p    authz.Principal
		cat  string
		want bool
	}{
		{cm, "ordinaria", true}, {cm, "sanitaria", true}, {cm, "giudiziaria", true},
		{altro, "sanitaria", false}, {altro, "giudiziaria", false},
		{supervisore, "ordinaria", false}, {supervisore, "sanitaria", false},
	} {
		if got := casi.VedeNota(tc.p, c, tc.cat); got != tc.want {
			t.Errorf("%s on a %s note: %v, want %v", tc.p.Ruolo, tc.cat, got, tc.want)
		}
	}
}
