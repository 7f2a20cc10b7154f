package app

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/controlli"
	"github.com/cartella/cartella/internal/registro"
)

// verificaControlliDemo checks, through the services the pages use, what
// the demo's controlli anagrafici show (controlliDemo): work for each of
// the four accounts, the finalised chain Casalecchio → Zola Predosa, the
// one waiting at Zola Predosa, the ex post negative's segnalazione to
// approve, the sample. Called by TestPercorsiDemo after the demo is loaded.
func verificaControlliDemo(t *testing.T, a *testApp, ps map[string]authz.Principal) {
	t.Helper()
	ctx := context.Background()
	cc, rc, cc2, rc2 := ps["coordcontrolli"], ps["respcontrolli"], ps["coordcontrolli2"], ps["respcontrolli2"]
	v := registro.Voce{}

	n, ok, err := a.d.controlli.Conteggi(ctx, cc)
	if err != nil || !ok {
		t.Fatalf("coordcontrolli's counts: %v %v", ok, err)
	}
	if n.DaAssegnare == 0 || n.Scadute == 0 || n.InScadenza == 0 {
		t.Errorf("coordcontrolli's counts %+v: the demo should show requests to assign, past due and about to be", n)
	}
	l, err := a.d.controlli.Lista(ctx, rc, controlli.Filtro{}, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Righe) < 5 {
		t.Errorf("respcontrolli has %d requests in the worklist, want at least 5", len(l.Righe))
	}
	l2, err := a.d.controlli.Lista(ctx, rc2, controlli.Filtro{}, v)
	if err != nil {
		t.Fatal(err)
	}
	var inoltrata *controlli.Riga
	for i, r := range l2.Righe {
		if !r.Propria {
			inoltrata = &l2.Righe[i]
		}
	}
	if inoltrata == nil || inoltrata.ComuneRichiesta != "Casalecchio di Reno" {
		t.Fatalf("respcontrolli2 has no request forwarded by Casalecchio di Reno: %+v", l2.Righe)
	}

	// The chain finalised: Casalecchio's esito, Zola's step returned.
	var finita uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT r.id FROM controllo_richiesta r JOIN controllo_tappa t ON t.richiesta_id = r.id
		WHERE r.stato = 'conclusa' AND t.esito = 'restituita'`).Scan(&finita); err != nil {
		t.Fatalf("no finalised chain in the demo: %v", err)
	}
	sc, err := a.d.controlli.Scheda(ctx, rc, finita, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Esiti) != 1 || sc.Esiti[0].Esito != controlli.Positivo || len(sc.Tappe) != 1 || sc.Tappe[0].Comune != "Zola Predosa" {
		t.Errorf("the demo chain: esiti %+v, tappe %+v", sc.Esiti, sc.Tappe)
	}
	if len(sc.Periodi) != 2 || sc.Valutazione == nil || !sc.Valutazione.Soddisfatto {
		t.Errorf("the demo chain's periods %+v, evaluation %+v", sc.Periodi, sc.Valutazione)
	}
	if _, err := a.d.controlli.Scheda(ctx, cc2, finita, v); err != nil {
		t.Errorf("Zola Predosa's coordinatore cannot see the step it held: %v", err)
	}

	// The ex post negative's segnalazione waits for coordcontrolli.
	coda, err := a.d.segnal.Coda(ctx, cc, 1, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(coda.Righe) != 1 || coda.Righe[0].Tipo != "Perdita del requisito di residenza" {
		t.Errorf("coordcontrolli's segnalazioni to approve: %+v", coda.Righe)
	}

	// The sample.
	cs, err := a.d.controlli.Campioni(ctx, cc, 1, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Righe) != 1 {
		t.Errorf("samples in the demo: %d, want 1", len(cs.Righe))
	}
}
