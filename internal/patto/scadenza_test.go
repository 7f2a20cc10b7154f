package patto_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
)

// A signed patto that ends within 30 days, or has ended, is told to its
// case manager: on the patto page (with what to do, and that a revision is
// under way once started), counted on the home and listed at /casi/patti.
// Further than 30 days it is not; another case manager counts none; the
// coordinatore has no such list.
func TestPattoInScadenza(t *testing.T) {
	t.Parallel()
	f := setup(t, true)
	ctx := context.Background()
	cm := f.people["casemanager"]
	f.firma(t) // from 20/10/2026 to 19/10/2027
	al := func(day time.Time) { f.svc.SetClock(func() time.Time { return day }) }
	conta := func(who string) (int, bool) {
		t.Helper()
		n, ok, err := f.svc.ContaInScadenza(ctx, f.people[who])
		if err != nil {
			t.Fatal(err)
		}
		return n, ok
	}
	if n, ok := conta("casemanager"); n != 0 || !ok {
		t.Errorf("a year before the end: %d %v", n, ok)
	}
	if _, page := f.get(t, "casemanager", f.base()); strings.Contains(page, `data-testid="scadenza"`) {
		t.Error("the patto page warns a year before the end")
	}

	al(time.Date(2027, 9, 29, 9, 0, 0, 0, calendario.Roma))
	if n, _ := conta("casemanager"); n != 1 {
		t.Errorf("20 days before the end: %d", n)
	}
	l, err := f.svc.InScadenza(ctx, cm, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Righe) != 1 || l.Totale != 1 || l.Righe[0].CasoID != f.caso || l.Righe[0].Richiedente != "Bianchi Laura" || l.Righe[0].Versione != 1 ||
		l.Righe[0].Scadenza.Stato != patto.InScadenza || l.Righe[0].Scadenza.Giorni != 20 || l.Righe[0].Revisione {
		t.Fatalf("list: %+v", l)
	}
	var letture int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'patto' AND dettaglio = 'patti in scadenza: 1 casi'`).Scan(&letture); err != nil || letture != 1 {
		t.Errorf("%d reads of the list recorded: %v", letture, err)
	}
	if _, page := f.get(t, "casemanager", f.base()); !strings.Contains(page, "Il patto sottoscritto (versione 1) termina il 19/10/2027, tra 20 giorni.") ||
		!strings.Contains(page, "Rivedilo con la famiglia") {
		t.Errorf("patto page 20 days before the end:\n%s", page)
	}
	if st, page := f.get(t, "casemanager", "/casi/patti"); st != 200 || !strings.Contains(page, "tra 20 giorni") || !strings.Contains(page, "da avviare") {
		t.Errorf("/casi/patti: %d", st)
	}

	// The revision started; then the end passes.
	if _, errs, err := f.svc.Rivedi(ctx, cm, f.caso, "Rinnovo alla scadenza", registro.Voce{}); err != nil || len(errs) > 0 {
		t.Fatalf("revision: %v %v", errs, err)
	}
	al(time.Date(2027, 10, 25, 9, 0, 0, 0, calendario.Roma))
	if l, err = f.svc.InScadenza(ctx, cm, 1, registro.Voce{}); err != nil || len(l.Righe) != 1 || !l.Righe[0].Revisione ||
		l.Righe[0].Scadenza.Stato != patto.Scaduto || l.Righe[0].Scadenza.Giorni != -6 {
		t.Errorf("after the end, revising: %+v %v", l.Righe, err)
	}
	if _, page := f.get(t, "casemanager", f.base()); !strings.Contains(page, "Il patto sottoscritto (versione 1) è terminato il 19/10/2027.") ||
		!strings.Contains(page, "La revisione è in corso") {
		t.Errorf("patto page after the end:\n%s", page)
	}

	if n, ok := conta("casemanager2"); n != 0 || !ok {
		t.Errorf("casemanager2: %d %v", n, ok)
	}
	if _, ok := conta("coordinatore"); ok {
		t.Error("the coordinatore's home counts patti in scadenza")
	}
	if _, err := f.svc.InScadenza(ctx, f.people["coordinatore"], 1, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("coordinatore: %v", err)
	}
}
