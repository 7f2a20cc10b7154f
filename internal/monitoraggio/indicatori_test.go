package monitoraggio_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/report"
)

// The monitoring meetings of the period by where they stand on 20/10/2026,
// per comune, on real data.
func TestIndicatoriMonitoraggio(t *testing.T) {
	t.Parallel()
	f := setup(t, false)
	ctx := context.Background()
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	cm2 := f.people["casemanager2"]
	zola := fx.Caso(fixtures.NuovoCaso{CaseManager: cm2, Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Ada", "F", 1980)}})
	patti := map[uuid.UUID]uuid.UUID{} // the signed patto of each case
	incontro := func(caso uuid.UUID, op uuid.UUID, data, stato string) {
		t.Helper()
		patto, ok := patti[caso]
		if !ok {
			if err := f.pool.QueryRow(ctx, `INSERT INTO scheda (caso_id, tipo, versione, stato, finalizzata_il) VALUES ($1, 'patto', 1, 'definitiva', now())
				RETURNING id`, caso).Scan(&patto); err != nil {
				t.Fatal(err)
			}
			patti[caso] = patto
		}
		var inc *uuid.UUID
		if stato == "svolto" {
			var id uuid.UUID
			if err := f.pool.QueryRow(ctx, `INSERT INTO incontro (caso_id, tipo, data, registrato_da) VALUES ($1, 'monitoraggio', $2, $3) RETURNING id`,
				caso, data, op).Scan(&id); err != nil {
				t.Fatal(err)
			}
			inc = &id
		}
		motivo := ""
		if stato == "annullato" {
			motivo = "Malattia"
		}
		if _, err := f.pool.Exec(ctx, `INSERT INTO monitoraggio_incontro (caso_id, patto_id, patto_versione, data, ora, durata_minuti, stato,
				motivo_annullamento, incontro_id, created_by, updated_by) VALUES ($1, $2, 1, $3, '10:00', 60, $4, $5, $6, $7, $7)`,
			caso, patto, data, stato, motivo, inc, op); err != nil {
			t.Fatal(err)
		}
	}
	cm := f.people["casemanager"].OperatoreID
	for _, d := range []string{"2026-09-05", "2026-09-20", "2026-10-01", "2026-10-10", "2026-10-15"} {
		incontro(f.caso, cm, d, "svolto")
	}
	incontro(f.caso, cm, "2026-10-05", "pianificato") // its day has passed
	incontro(f.caso, cm, "2026-10-25", "pianificato")
	incontro(f.caso, cm, "2026-09-10", "annullato")
	incontro(f.caso, cm, "2026-08-20", "svolto") // before the period
	incontro(zola.ID, cm2.OperatoreID, "2026-09-15", "svolto")
	incontro(zola.ID, cm2.OperatoreID, "2026-10-20", "pianificato") // today: still to come

	flt := report.Filtro{AmbitoID: *cm2.AmbitoID, Dal: fixtures.Data("2026-09-01"), Al: fixtures.Data("2026-10-31"), Oggi: fixtures.Data("2026-10-20")}
	ii, err := f.svc.Indicatori(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 1 || ii[0].Codice != "monitoraggio-incontri" || !ii[0].Quota || !ii[0].Nuclei {
		t.Fatalf("indicatori: %+v", ii)
	}
	if want := [][]int{{5, 1, 1, 1}, {1, 0, 0, 1}}; !reflect.DeepEqual(ii[0].Righe, []string{"Casalecchio di Reno", "Zola Predosa"}) || !reflect.DeepEqual(ii[0].Valori, want) {
		t.Errorf("%q %v, want %v", ii[0].Righe, ii[0].Valori, want)
	}
	tb := report.NuovaTabella(ii[0])
	if tb.Celle[0][1].Testo() != "<5" || tb.Celle[1][0].Testo() != "<5" || tb.Celle[0][0].Testo() != "n.d." {
		t.Errorf("suppression: %+v", tb.Celle)
	}
	z := *cm2.ComuneID
	flt.ComuneID = &z
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || !reflect.DeepEqual(ii[0].Valori, [][]int{{1, 0, 0, 1}}) {
		t.Errorf("Zola: %v %v", ii, err)
	}
}
