package carico

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// The open loop measures from the time a request was due: a server that
// serves 100 requests/s, asked for 200/s for one second, answers the last
// ones about a second late, though each takes only 10 ms; with clients
// enough, latency is the service time.
func TestAnelloApertoMisuraDalProgramma(t *testing.T) {
	t.Parallel()
	lento := func(ctx context.Context, cliente, pagina int) Esito {
		time.Sleep(10 * time.Millisecond)
		return Esito{Stato: 200}
	}
	piano := Piano{Mix: []Voce{{"a", 1}, {"b", 1}}, Clienti: 1, Durata: time.Second, Ritmo: 200}

	r := Esegui(context.Background(), piano, lento)
	if r.Modo != "aperto" || r.Totale.Richieste != 200 {
		t.Fatalf("modo %s, %d richieste; want aperto, 200 (one every 5 ms for 1 s, all served)", r.Modo, r.Totale.Richieste)
	}
	if r.Totale.P50 < 300 || r.Totale.Max < 800 {
		t.Errorf("one client at 100/s asked 200/s: p50 %.0f ms, max %.0f ms; want the queue (about 500 and 1000 ms), not the 10 ms of service", r.Totale.P50, r.Totale.Max)
	}
	if r.Durata < 1.8 {
		t.Errorf("durata %.2f s: the last request is answered about 2 s after the start", r.Durata)
	}
	if r.Pagine[0].Richieste+r.Pagine[1].Richieste != 200 || r.Pagine[0].Richieste < 60 || r.Pagine[1].Richieste < 60 {
		t.Errorf("pages: %d and %d, want about 100 each", r.Pagine[0].Richieste, r.Pagine[1].Richieste)
	}

	piano.Clienti = 8
	r = Esegui(context.Background(), piano, lento)
	if r.Totale.Richieste != 200 || r.Totale.P50 > 40 {
		t.Errorf("eight clients: %d richieste, p50 %.0f ms; want 200 at about the 10 ms of service", r.Totale.Richieste, r.Totale.P50)
	}

	piano.Poisson = true
	r = Esegui(context.Background(), piano, lento)
	if n := r.Totale.Richieste; n < 140 || n > 260 {
		t.Errorf("Poisson arrivals at 200/s for 1 s: %d richieste", n)
	}
}

// The closed loop keeps each client busy: with 10 ms requests, 4 clients
// for half a second send about 200; failures are counted by status.
func TestAnelloChiuso(t *testing.T) {
	t.Parallel()
	r := Esegui(context.Background(), Piano{Mix: []Voce{{"ok", 3}, {"ko", 1}}, Clienti: 4, Durata: 500 * time.Millisecond},
		func(ctx context.Context, cliente, pagina int) Esito {
			time.Sleep(10 * time.Millisecond)
			if pagina == 1 {
				return Esito{Stato: 503}
			}
			return Esito{Stato: 200}
		})
	if r.Modo != "chiuso" || r.Totale.Richieste < 100 || r.Totale.Richieste > 210 {
		t.Fatalf("modo %s, %d richieste; want chiuso, about 200", r.Modo, r.Totale.Richieste)
	}
	ok, ko := r.Pagine[0], r.Pagine[1]
	if ok.Errori != 0 || ko.Errori != ko.Richieste || ko.ErroriPerStato["503"] != ko.Richieste || r.Totale.Errori != ko.Errori {
		t.Errorf("errors: ok %d, ko %d of %d (%v), total %d", ok.Errori, ko.Errori, ko.Richieste, ko.ErroriPerStato, r.Totale.Errori)
	}
	if ok.Richieste < 2*ko.Richieste {
		t.Errorf("weights 3:1 gave %d:%d", ok.Richieste, ko.Richieste)
	}
}

func TestLeggiMix(t *testing.T) {
	mix, err := LeggiMix("home=1, caso=2,casi,/agenda=3")
	if err != nil {
		t.Fatal(err)
	}
	want := []Voce{{"home", 1}, {"caso", 2}, {"casi", 1}, {"/agenda", 3}}
	if len(mix) != len(want) {
		t.Fatalf("%v", mix)
	}
	for i := range want {
		if mix[i] != want[i] {
			t.Errorf("%d: %v, want %v", i, mix[i], want[i])
		}
	}
	for _, s := range []string{"", "home=0", "home=x", "nessuna=1", "home,home"} {
		if _, err := LeggiMix(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Millisecond, 0.95: 95 * time.Millisecond, 0.99: 99 * time.Millisecond, 1: 100 * time.Millisecond} {
		if got := percentile(d, q); got != want {
			t.Errorf("p%.0f = %v, want %v", q*100, got, want)
		}
	}
	if got := percentile(d[:1], 0.99); got != time.Millisecond {
		t.Errorf("one value: %v", got)
	}
}

// Each page alone: one run per page, the probe called around each, the
// rows carrying each page's own rate.
func TestEseguiSolo(t *testing.T) {
	t.Parallel()
	var chiamate []int
	var visti [2]atomic.Bool
	r := EseguiSolo(context.Background(), Piano{Mix: []Voce{{"veloce", 1}, {"lenta", 5}}, Clienti: 2, Durata: 300 * time.Millisecond},
		func(ctx context.Context, cliente, pagina int) Esito {
			visti[pagina].Store(true)
			time.Sleep(time.Duration(1+9*pagina) * time.Millisecond)
			return Esito{Stato: 200}
		},
		func(pagina int) { chiamate = append(chiamate, pagina) },
		func(pagina int, r *Riga) {
			chiamate = append(chiamate, 10+pagina)
			r.Database = &Statistiche{Chiamate: 1}
		})
	if r.Modo != "solo" || len(r.Pagine) != 2 || !visti[0].Load() || !visti[1].Load() {
		t.Fatalf("modo %s, %d pages, seen %v %v", r.Modo, len(r.Pagine), visti[0].Load(), visti[1].Load())
	}
	if want := []int{0, 10, 1, 11}; len(chiamate) != 4 || chiamate[0] != want[0] || chiamate[1] != want[1] || chiamate[2] != want[2] || chiamate[3] != want[3] {
		t.Errorf("probe calls %v, want %v", chiamate, want)
	}
	veloce, lenta := r.Pagine[0], r.Pagine[1]
	if veloce.AlSecondo < 3*lenta.AlSecondo || veloce.Database == nil || lenta.Database == nil {
		t.Errorf("alone, the 1 ms page %.0f/s and the 10 ms one %.0f/s (weights do not matter); probe rows %v %v", veloce.AlSecondo, lenta.AlSecondo, veloce.Database, lenta.Database)
	}
	if r.Totale.Richieste != veloce.Richieste+lenta.Richieste || r.Durata < 0.55 {
		t.Errorf("totale %d of %d+%d, %.2f s", r.Totale.Richieste, veloce.Richieste, lenta.Richieste, r.Durata)
	}
}
