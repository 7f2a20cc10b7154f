package casi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/web/ui"
)

// The case page names the state of the benefit's payment in words, as the
// opening form offers it, never as the code INPS's flow carries.
func TestSchedaStatoErogazioneInChiaro(t *testing.T) {
	t.Parallel()
	var sc Scheda
	sc.Caso.StatoErogazione = "in_erogazione"
	var b strings.Builder
	if err := schedaPage(ui.Shell{}, sc, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "In erogazione") || strings.Contains(b.String(), "in_erogazione") {
		t.Errorf("stato dell'erogazione not in words:\n%s", b.String())
	}
}

// The cards of the case's sections say where each stands, in the singular
// for one.
func TestSezioni(t *testing.T) {
	t.Parallel()
	var sc Scheda
	prossimo := time.Date(2027, 1, 7, 0, 0, 0, 0, time.UTC)
	sc.Incontri, sc.NoteDiari, sc.MonitoraggiSvolti, sc.ProssimoMonitoraggio = 1, 1, 2, &prossimo
	sc.Segnalazioni, sc.SegnalazioniAperte = 3, 1
	testi := map[string]string{}
	for _, x := range sezioni(sc) {
		testi[x.Titolo] = x.Testo
	}
	for titolo, want := range map[string]string{
		"Convocazioni e incontri": "1 incontro registrato",
		"Diario sociale":          "1 nota",
		"Monitoraggio del patto":  "2 incontri svolti · prossimo il 07/01/2027",
		"Segnalazioni":            "3 segnalazioni, 1 in corso",
	} {
		if testi[titolo] != want {
			t.Errorf("%s: %q, want %q", titolo, testi[titolo], want)
		}
	}
	sc = Scheda{}
	for _, x := range sezioni(sc) {
		testi[x.Titolo] = x.Testo
	}
	if testi["Monitoraggio del patto"] != "Nessun incontro di monitoraggio" || testi["Segnalazioni"] != "Nessuna segnalazione all'INPS" ||
		testi["Diario sociale"] != "0 note" {
		t.Errorf("empty case: %v", testi)
	}
}
