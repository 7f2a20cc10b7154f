package app

import (
	"context"
	"testing"
)

// verificaReteDemo checks the demo's network (reteDemo): three enti with a
// service each, two protocols, invii in every state, one overdue. Called
// by TestPercorsiDemo after the demo is loaded.
func verificaReteDemo(t *testing.T, a *testApp) {
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
}
