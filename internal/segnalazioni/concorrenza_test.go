package segnalazioni

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/cartella/cartella/internal/registro"
)

// Two exports for INPS started at the same moment never send a
// segnalazione twice nor leave one behind: each approved segnalazione ends
// in exactly one batch, whose file carries exactly its segnalazioni; the
// export that finds nothing left says so.
func TestEsportazioniConcorrenti(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	co := f.people["coordinatore"]
	for round := range 3 {
		for range 3 {
			id := f.crea(t, true)
			if err := f.svc.Approva(ctx, co, id, ver(f.dettaglio(t, id).Versione), registro.Voce{}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		invii := make([]Invio, 2)
		errs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() {
				<-start
				invii[i], errs[i] = f.svc.Esporta(ctx, co, registro.Voce{})
			})
		}
		close(start)
		wg.Wait()
		inviate := 0
		for i := range 2 {
			switch {
			case errors.Is(errs[i], ErrNienteDaInviare):
			case errs[i] != nil:
				t.Fatalf("round %d, export %d: %v", round, i, errs[i])
			default:
				inviate += invii[i].Numero
			}
		}
		if inviate != 3 {
			t.Errorf("round %d: the batches carry %d segnalazioni, want 3", round, inviate)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM segnalazione WHERE stato <> 'inviata' OR invio_id IS NULL`); n != 0 {
		t.Errorf("%d segnalazioni not sent", n)
	}
	// Every batch's file has one line per segnalazione it marked.
	rows, err := f.pool.Query(ctx, `SELECT i.id, i.numero, i.contenuto, (SELECT count(*) FROM segnalazione s WHERE s.invio_id = i.id) FROM segnalazione_invio i`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	totale := 0
	for rows.Next() {
		var id int64
		var numero, marcate int
		var file []byte
		if err := rows.Scan(&id, &numero, &file, &marcate); err != nil {
			t.Fatal(err)
		}
		if righe := bytes.Count(file, []byte("\n")); righe != numero || marcate != numero {
			t.Errorf("batch %d: %d lines, numero %d, %d segnalazioni marked", id, righe, numero, marcate)
		}
		totale += numero
	}
	if totale != 9 {
		t.Errorf("batches carry %d segnalazioni in all, want 9", totale)
	}
}
