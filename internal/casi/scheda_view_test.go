package casi

import (
	"context"
	"strings"
	"testing"

	"github.com/cartella/cartella/web/ui"
)

// The case page names the state of the benefit's payment in words, as the
// opening form offers it, never as the code INPS's flow carries.
func TestSchedaStatoErogazioneInChiaro(t *testing.T) {
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
