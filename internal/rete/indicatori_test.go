package rete

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/report"
)

// The invii of the period per ente by where they stand, and the days to
// answer, on real data.
func TestIndicatoriRete(t *testing.T) {
	t.Parallel()
	f := setupRete(t)
	ctx := context.Background()
	inviato := time.Date(2025, 2, 1, 10, 0, 0, 0, calendario.Roma)
	dopo := func(giorni int) *time.Time { x := inviato.AddDate(0, 0, giorni); return &x }
	inizio := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// Consultorio familiare: answers after 1, 2, 3, 4, 10 days.
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "accettato", risposta: dopo(1), dataInizio: &inizio})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "in_corso", risposta: dopo(2), dataInizio: &inizio})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "rifiutato", risposta: dopo(3), motivo: "Capacità esaurita"})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "accettato", risposta: dopo(4), dataInizio: &inizio})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "rifiutato", risposta: dopo(10), motivo: "Capacità esaurita"})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "ricevuto"})
	f.invio(t, invio{ente: 0, inviato: inviato, stato: "ritirato"})
	// Centro per l'impiego: two refusals, after 4 and 5 days.
	f.invio(t, invio{ente: 1, inviato: inviato, stato: "rifiutato", risposta: dopo(4), motivo: "Capacità esaurita"})
	f.invio(t, invio{ente: 1, inviato: inviato, stato: "rifiutato", risposta: dopo(5), motivo: "Requisiti non posseduti"})
	// After the period.
	f.invio(t, invio{ente: 0, inviato: time.Date(2025, 4, 1, 0, 30, 0, 0, calendario.Roma), stato: "accettato", risposta: dopo(70), dataInizio: &inizio})

	flt := report.Filtro{AmbitoID: f.ambito, Dal: fixtures.Data("2025-01-01"), Al: fixtures.Data("2025-03-31"), Oggi: fixtures.Data("2025-05-01")}
	ii, err := f.svc.Indicatori(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 2 || ii[0].Codice != "invii-rete" || ii[1].Codice != "invii-rete-risposta" || ii[1].Misura != report.MisuraGiorni {
		t.Fatalf("indicatori: %+v", ii)
	}
	enti := []string{"Centro per l'impiego", "Consultorio familiare"}
	if want := [][]int{{0, 2, 0, 0}, {3, 2, 1, 1}}; !reflect.DeepEqual(ii[0].Righe, enti) || !reflect.DeepEqual(ii[0].Valori, want) {
		t.Errorf("invii: %q %v, want %v", ii[0].Righe, ii[0].Valori, want)
	}
	if want := [][]int{{2, 4, 5}, {5, 3, 10}}; !reflect.DeepEqual(ii[1].Righe, enti) || !reflect.DeepEqual(ii[1].Valori, want) {
		t.Errorf("tempi: %q %v, want %v", ii[1].Righe, ii[1].Valori, want)
	}
	tb := report.NuovaTabella(ii[1])
	if tb.Celle[0][0].Testo() != "<5" || tb.Celle[0][1].Testo() != "<5 casi" || tb.Celle[1][1].Testo() != "3 giorni" || tb.Celle[1][2].Testo() != "10 giorni" {
		t.Errorf("on the page: %+v", tb.Celle)
	}
	altro := f.caso.ComuneID + 1000
	flt.ComuneID = &altro
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || len(ii[0].Righe) != 0 || len(ii[1].Righe) != 0 {
		t.Errorf("altro comune: %v %v", ii, err)
	}
}
