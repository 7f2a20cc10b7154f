package incontri_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The nuclei met within 120 days of the PAD: the cohort is the nuclei whose
// term fell in the period, up to today; met within, after, or not yet.
func TestIndicatoriPrimoIncontro(t *testing.T) {
	t.Parallel()
	f := setup(t) // today 20/10/2026; its own case has its term in the future
	ctx := context.Background()
	cm := f.people["casemanager"]
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	caso := func(pad string) (uuid.UUID, uuid.UUID) {
		d := fixtures.Data(pad)
		c := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, DataPAD: d, DataDomanda: d, Dal: fixtures.Data("2026-01-01"),
			Membri: []fixtures.Membro{fixtures.Adulto("Bianchi", "Anna"+pad, "F", 1980)}})
		return c.ID, c.Persone[0]
	}
	incontro := func(id, persona uuid.UUID, data string) {
		t.Helper()
		if _, err := f.svc.RegistraIncontro(ctx, cm, id, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: data, Luogo: "Ufficio",
			Presenze: map[uuid.UUID]incontri.PresenzaInput{persona: {Stato: "presente"}}}, registro.Voce{}); err != nil {
			t.Fatalf("incontro %s: %v", data, err)
		}
	}
	entro, p1 := caso("2026-05-01") // term 29/08
	incontro(entro, p1, "2026-06-10")
	oltre, p2 := caso("2026-04-01") // term 30/07
	incontro(oltre, p2, "2026-09-01")
	caso("2026-05-15")               // term 12/09, never met
	futuro, p4 := caso("2026-09-01") // term 30/12: after today, not in the cohort
	incontro(futuro, p4, "2026-09-10")
	caso("2026-01-01") // term 01/05: before the period

	var comune string
	if err := f.pool.QueryRow(ctx, `SELECT denominazione FROM comune WHERE id = $1`, *cm.ComuneID).Scan(&comune); err != nil {
		t.Fatal(err)
	}
	flt := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2026-06-01"), Al: fixtures.Data("2026-12-31"), Oggi: fixtures.Data("2026-10-20")}
	ii, err := f.svc.Indicatori(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 1 || ii[0].Codice != "primo-incontro-120" || !ii[0].Quota || !ii[0].Nuclei {
		t.Fatalf("indicatori: %+v", ii)
	}
	if !reflect.DeepEqual(ii[0].Righe, []string{comune}) || !reflect.DeepEqual(ii[0].Valori, [][]int{{1, 1, 1}}) {
		t.Errorf("righe %q valori %v, want [%s] [[1 1 1]]", ii[0].Righe, ii[0].Valori, comune)
	}
	// Up to August only the one met late had its term.
	flt.Al = fixtures.Data("2026-08-15")
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || !reflect.DeepEqual(ii[0].Valori, [][]int{{0, 1, 0}}) {
		t.Errorf("fino al 15/08: %v %v", ii[0].Valori, err)
	}
	// Another comune: no row.
	altro := *cm.ComuneID + 1000
	flt.ComuneID = &altro
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || len(ii[0].Righe) != 0 {
		t.Errorf("altro comune: %v %v", ii[0].Righe, err)
	}
}
