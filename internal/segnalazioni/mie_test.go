package segnalazioni

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// The case manager finds, across their cases, the segnalazioni waiting for
// them: a draft not sent, one the coordinatore refused (with the reason),
// one INPS refused (with INPS's reason) until a rectification is drafted,
// which then waits as a draft itself; not those with the coordinatore or
// INPS. The home counts them; another case manager sees none; the
// coordinatore has no such page; the read is recorded.
func TestDaRivedere(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	co, cm := f.people["coordinatore"], f.people["casemanager"]

	scartata, _ := f.inviata(t)
	if _, err := f.svc.RegistraEsito(ctx, co, scartata, EsitoInput{Esito: EsitoScartata, Motivo: "Codice fiscale del componente non corrispondente",
		Versione: ver(f.dettaglio(t, scartata).Versione)}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	bozza := f.crea(t, false)
	respinta := f.crea(t, true)
	if err := f.svc.Respingi(ctx, co, respinta, ver(f.dettaglio(t, respinta).Versione), "Manca la data dell'accertamento", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	f.crea(t, true) // in approvazione: with the coordinatore

	motivi := func(m Mie) map[uuid.UUID]string {
		out := map[uuid.UUID]string{}
		for _, r := range m.Righe {
			out[r.ID] = string(r.Motivo) + ": " + r.Nota
		}
		return out
	}
	m, err := f.svc.DaRivedere(ctx, cm, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]string{
		scartata: "scartata: Codice fiscale del componente non corrispondente",
		bozza:    "bozza: ",
		respinta: "respinta: Manca la data dell'accertamento",
	}
	if got := motivi(m); len(got) != 3 || got[scartata] != want[scartata] || got[bozza] != want[bozza] || got[respinta] != want[respinta] || m.Totale != 3 {
		t.Fatalf("da rivedere: %v (totale %d)", got, m.Totale)
	}
	if n, ok, err := f.svc.RiepilogoCaseManager(ctx, cm); err != nil || !ok || n != 3 {
		t.Errorf("home count: %d %v %v", n, ok, err)
	}
	var b strings.Builder
	if err := miePage(ui.Shell{}, m).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"3 segnalazioni da rivedere.", "Scartata da INPS: rettificala", "Motivo: Codice fiscale del componente non corrispondente",
		"Respinta dal coordinatore", "Bozza da completare", Base(f.caso) + "/" + respinta.String()} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("page lacks %q", s)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'segnalazione' AND dettaglio = 'da rivedere: 3 segnalazioni'`); n != 1 {
		t.Errorf("%d reads recorded", n)
	}

	// The rectification drafted: the scartata leaves the list, the draft is in it.
	rett, err := f.svc.Rettifica(ctx, cm, f.caso, scartata, ver(f.dettaglio(t, scartata).Versione), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	m, err = f.svc.DaRivedere(ctx, cm, 1, registro.Voce{})
	if got := motivi(m); err != nil || len(got) != 3 || got[rett] != "bozza: " || got[scartata] != "" {
		t.Errorf("after the rectification: %v %v", got, err)
	}

	if m, err := f.svc.DaRivedere(ctx, f.people["casemanager2"], 1, registro.Voce{}); err != nil || len(m.Righe) != 0 || m.Totale != 0 {
		t.Errorf("casemanager2: %+v %v", m, err)
	}
	if _, err := f.svc.DaRivedere(ctx, co, 1, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("coordinatore: %v", err)
	}
	if _, ok, _ := f.svc.RiepilogoCaseManager(ctx, co); ok {
		t.Error("the coordinatore's home counts the case manager's segnalazioni")
	}
}
