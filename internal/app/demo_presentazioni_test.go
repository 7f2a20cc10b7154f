package app

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/scadenze"
)

// The demo's cases of issue 16: a presentation at the patronato (T90 from
// it, T120 still pending), a renewal (a new T120 from its PAD), a member
// exempted with dates (not tenuto agli obblighi today), an absence at the
// CPI (decadenza risk).
func TestPresentazioniDemo(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	if err := caricaDemo(ctx, a.d, demo.NucleiPredefiniti, slog.New(slog.NewJSONHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	oggi := a.d.casi.Oggi()
	caso := func(sql string) (uuid.UUID, scadenze.Situazione, scadenze.Scadenze) {
		t.Helper()
		var id uuid.UUID
		if err := a.d.pool.QueryRow(ctx, sql).Scan(&id); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		sit, err := a.d.casi.Situazione(ctx, a.d.pool, id, a.d.casi.Now())
		if err != nil {
			t.Fatal(err)
		}
		c, _ := a.d.casi.Get(ctx, a.d.pool, id)
		t.Logf("%s: %s", sql, c.Codice())
		return id, sit, scadenze.Calcola(sit)
	}
	_, _, sc := caso(`SELECT caso_id FROM presentazione WHERE luogo = 'patronato'`)
	if sc.T90.Stato != scadenze.InCorso || sc.T120.Stato == scadenze.Rispettato {
		t.Errorf("patronato: T90 %s, T120 %s", sc.T90.Stato, sc.T120.Stato)
	}
	_, _, sc = caso(`SELECT caso_id FROM beneficio_rinnovo`)
	if calendario.DataPtr(sc.T120.Inizio) != calendario.Data(oggi.AddDate(0, 0, -10)) {
		t.Errorf("renewal: T120 from %s", calendario.DataPtr(sc.T120.Inizio))
	}
	_, _, sc = caso(`SELECT caso_id FROM convocazione_cpi WHERE esito = 'assente'`)
	if sc.Rischio != scadenze.Decadenza {
		t.Errorf("CPI absence: risk %q", sc.Rischio)
	}
	_, sit, _ := caso(`SELECT caso_id FROM scheda WHERE tipo = 'analisi_preliminare' AND stato = 'definitiva'
		AND contenuto::text LIKE '%cura_minore_3%' LIMIT 1`)
	esonerati := 0
	for _, m := range sit.Membri {
		if ok, motivo := scadenze.TenutoAgliObblighi(m, oggi); !ok && motivo == "cura_minore_3" {
			esonerati++
		}
	}
	if esonerati != 1 {
		t.Errorf("exempted members with dates: %d", esonerati)
	}
}
