package controlli

import (
	"context"
	"reflect"
	"testing"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/report"
)

// The requests received in the period by their answer against the 60-day
// term, per comune, on 20/11/2026; the coordinatore PaIS gets none.
func TestIndicatoriControlli(t *testing.T) {
	t.Parallel()
	f := listaSetup(t) // today 20/11/2026
	ctx := context.Background()
	d := fixtures.Data
	entro := f.richiesta(t, nuova{comune: f.casa, scadenza: -10}) // received 11/09, due 10/11
	f.concludi(t, entro, "respcontrolli", d("2026-11-01"))
	oltre := f.richiesta(t, nuova{comune: f.casa, scadenza: -10})
	f.concludi(t, oltre, "respcontrolli", d("2026-11-15"))
	presto := f.richiesta(t, nuova{comune: f.casa, scadenza: -10})
	f.concludi(t, presto, "respcontrolli", d("2026-10-01"))
	f.richiesta(t, nuova{comune: f.casa, scadenza: -5})      // open, due 15/11
	f.richiesta(t, nuova{comune: f.casa, scadenza: 30})      // open, in time
	g := f.richiesta(t, nuova{comune: f.casa, scadenza: 20}) // forwarded, in time
	f.inoltra(t, g, f.casa, f.zola, "coordcontrolli")
	prima := f.richiesta(t, nuova{comune: f.casa, scadenza: -30}) // received 22/08: before the period
	f.concludi(t, prima, "respcontrolli", d("2026-09-01"))
	f.richiesta(t, nuova{comune: f.zola, scadenza: 0})  // due today: in time
	f.richiesta(t, nuova{comune: f.zola, scadenza: -1}) // due yesterday

	flt := report.Filtro{AmbitoID: f.ambito, Dal: d("2026-09-01"), Al: d("2026-11-20"), Oggi: f.oggi, Ruolo: authz.OperatoreATS}
	ii, err := f.svc.Indicatori(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 1 || ii[0].Codice != "controlli-anagrafici" || !ii[0].Nuclei || !ii[0].Quota {
		t.Fatalf("indicatori: %+v", ii)
	}
	if want := [][]int{{2, 1, 1, 2}, {0, 0, 1, 1}}; !reflect.DeepEqual(ii[0].Righe, []string{"Casalecchio di Reno", "Zola Predosa"}) ||
		!reflect.DeepEqual(ii[0].Valori, want) {
		t.Errorf("%q %v, want %v", ii[0].Righe, ii[0].Valori, want)
	}
	if tb := report.NuovaTabella(ii[0]); tb.TotRiga[1].Testo() != "<5" || tb.Celle[0][1].Testo() != "<5" {
		t.Errorf("on the page: %+v %+v", tb.Celle, tb.TotRiga)
	}
	flt.ComuneID = &f.zola
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || !reflect.DeepEqual(ii[0].Valori, [][]int{{0, 0, 1, 1}}) {
		t.Errorf("Zola: %v %v", ii, err)
	}
	flt.Ruolo = authz.CoordinatorePaIS
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || len(ii) != 0 {
		t.Errorf("coordinatore PaIS: %v %v", ii, err)
	}
}
