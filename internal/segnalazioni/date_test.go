package segnalazioni

import (
	"context"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/registro"
)

// A date typed as people write it (gg/mm/aaaa, with or without leading
// zeros) is accepted wherever the date input's aaaa-mm-gg is: the dates of
// the event and of the accertamento, and the day of the esito INPS.
func TestDateGgMmAaaa(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	in := f.valida()
	in.DataEvento, in.DataAccertamento = "05/10/2026", "6/10/2026"
	id, err := f.svc.Crea(ctx, f.people["casemanager"], f.caso, in, true, registro.Voce{})
	if err != nil {
		t.Fatalf("gg/mm/aaaa refused: %v", err)
	}
	sg := f.dettaglio(t, id)
	if sg.DataEvento.Format(time.DateOnly) != "2026-10-05" || sg.DataAccertamento.Format(time.DateOnly) != "2026-10-06" {
		t.Fatalf("saved dates %s %s", sg.DataEvento, sg.DataAccertamento)
	}

	co := f.people["coordinatore"]
	if err := f.svc.Approva(ctx, co, id, ver(sg.Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Esporta(ctx, co, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 3) // sent on 20/10/2026
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Data: "21/10/2026", Versione: ver(f.dettaglio(t, id).Versione)}, registro.Voce{}); err != nil {
		t.Fatalf("esito dated gg/mm/aaaa refused: %v", err)
	}
	if e := f.dettaglio(t, id).Esito; e.Il == nil || e.Il.Format(time.DateOnly) != "2026-10-21" {
		t.Fatalf("esito: %+v", e)
	}
}
