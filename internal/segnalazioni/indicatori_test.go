package segnalazioni

import (
	"context"
	"reflect"
	"testing"

	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The segnalazioni of the cruscotto: one sent to INPS, one refused, one
// waiting for the decision; a bozza is not counted.
func TestIndicatoriSegnalazioni(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.inviata(t)
	respinta := f.crea(t, true)
	if err := f.svc.Respingi(ctx, f.people["coordinatore"], respinta, ver(f.dettaglio(t, respinta).Versione), "Manca il verbale firmato.", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	f.crea(t, true)
	f.crea(t, false)
	cm := f.people["casemanager"]
	flt := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2020-01-01"), Al: fixtures.Data("2030-12-31")}
	ii, err := f.svc.Indicatori(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 1 || len(ii[0].Righe) != 1 || !reflect.DeepEqual(ii[0].Valori, [][]int{{1, 1, 0, 1, 0, 0}}) {
		t.Errorf("indicatore: %q %v", ii[0].Righe, ii[0].Valori)
	}
	// Another comune, another period: nothing.
	altro := *cm.ComuneID + 1000
	flt.ComuneID = &altro
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || len(ii[0].Righe) != 0 {
		t.Errorf("altro comune: %v %v", ii[0].Righe, err)
	}
	flt.ComuneID, flt.Dal, flt.Al = nil, fixtures.Data("2020-01-01"), fixtures.Data("2020-12-31")
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || len(ii[0].Righe) != 0 {
		t.Errorf("2020: %v %v", ii[0].Righe, err)
	}
}
