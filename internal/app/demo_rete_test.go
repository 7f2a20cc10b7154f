package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/rete"
)

// verificaReteDemo checks the demo's network (reteDemo): three enti with a
// service each, two protocols, invii in every state, one overdue. Called
// by TestPercorsiDemo after the demo is loaded.
func verificaReteDemo(t *testing.T, a *testApp, g authz.Principal) {
	t.Helper()
	ctx := context.Background()
	var enti, servizi, protocolli int
	if err := a.d.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM rete_ente), (SELECT count(*) FROM rete_servizio),
		(SELECT count(*) FROM rete_protocollo)`).Scan(&enti, &servizi, &protocolli); err != nil {
		t.Fatal(err)
	}
	if enti != 3 || servizi != 3 || protocolli != 2 {
		t.Errorf("demo network: %d enti, %d services, %d protocols; want 3, 3, 2", enti, servizi, protocolli)
	}
	rows, err := a.d.pool.Query(ctx, `SELECT stato, count(*) FROM rete_invio GROUP BY stato`)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		per[s] = n
	}
	for _, s := range []string{"inviato", "ricevuto", "accettato", "rifiutato", "in_corso", "concluso", "ritirato"} {
		if per[s] == 0 {
			t.Errorf("no demo invio in state %s: %v", s, per)
		}
	}
	var ritardo int
	if err := a.d.pool.QueryRow(ctx, `SELECT count(*) FROM rete_invio WHERE stato IN ('inviato', 'ricevuto') AND risposta_entro < now()`).Scan(&ritardo); err != nil || ritardo != 1 {
		t.Errorf("overdue demo invii: %d (%v), want 1", ritardo, err)
	}

	// The report to the network over the demo's period (the last 30 days):
	// the consultorio's protocol received six invii, answered four (each
	// three days after sending), accepted three, refused one for capacity;
	// the emporio's two, one withdrawn, none answered.
	oggi := calendario.Giorno(time.Now())
	r, err := a.d.rete.Report(ctx, g, rete.FiltroReport{Dal: calendario.ISO(oggi.AddDate(0, 0, -30)), Al: calendario.ISO(oggi)},
		registro.Voce{}, registro.Lettura)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Righe) != 2 {
		t.Fatalf("report rows: %+v", r.Righe)
	}
	for _, x := range r.Righe {
		switch {
		case strings.Contains(x.Titolo, "Consultorio"):
			if x.Ricevuti != 6 || x.Trattati != 4 || x.Accettati != 3 || x.Rifiutati != 1 || x.OltreTermine != 1 ||
				x.Mediana == nil || *x.Mediana != 3 || x.P90 == nil || *x.P90 != 3 {
				t.Errorf("the consultorio's figures: %+v", x)
			}
			if len(x.Motivi) != 1 || x.Motivi[0].N != 1 {
				t.Errorf("refusals by reason: %+v", x.Motivi)
			}
		case strings.Contains(x.Titolo, "Emporio"):
			if x.Ricevuti != 2 || x.Trattati != 0 || x.Ritirati != 1 || x.Mediana != nil {
				t.Errorf("the emporio's figures: %+v", x)
			}
		default:
			t.Errorf("unexpected protocol %q", x.Titolo)
		}
	}
}
