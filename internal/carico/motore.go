// Package carico is the engine of the load tool cmd/carico (issue 19,
// point 4; ADR 0024): virtual clients, each signed in through the demo
// OpenID Provider with its own session, replay a mix of pages in a closed
// loop (a fixed number of clients, each sending its next request when the
// previous one is answered) or an open loop (requests scheduled at a fixed
// arrival rate, whatever the answers, latency measured from the scheduled
// time so that a slow server cannot hide its queue: no coordinated
// omission). It reports count, errors by status and p50/p95/p99/max per
// page, and, with pg_stat_statements, the database's statements and the
// share of their time spent waiting on advisory locks (docs/performance.md).
//
// It is standard library only but for pgx, which the application already
// uses, for pg_stat_statements.
package carico

import (
	"context"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Voce is one page of the mix with its weight: it is chosen with
// probability Peso / (sum of the weights).
type Voce struct {
	Nome string
	Peso int
}

// Piano is a run: the mix, the clients, how long, and the arrival rate
// (0: closed loop).
type Piano struct {
	Mix     []Voce
	Clienti int           // closed loop: the concurrency; open loop: the clients that serve the schedule
	Durata  time.Duration // closed loop: requests are started until then; open loop: requests are scheduled until then
	Ritmo   float64       // requests per second of the open loop; 0 for the closed loop
	Poisson bool          // open loop: exponential gaps (a Poisson process) instead of fixed ones
	Seme    uint64        // seed of the choices, for runs that can be repeated
}

// Esito is the outcome of one request: an HTTP status, or Errore for a
// request that got none (network, timeout) or an answer that is wrong
// though its status is not (a redirect to the login).
type Esito struct {
	Stato  int
	Errore string
}

// ok reports whether the request succeeded: 2xx or 3xx, no Errore.
func (e Esito) ok() bool { return e.Errore == "" && e.Stato >= 200 && e.Stato < 400 }

// chiave is how a failure is counted: its status, or its Errore.
func (e Esito) chiave() string {
	if e.Errore != "" {
		return e.Errore
	}
	return strconv.Itoa(e.Stato)
}

// Richiesta sends one request of the page Mix[pagina] as the virtual
// client cliente (0 ≤ cliente < Clienti). It is called concurrently for
// different clients, never for the same client twice at once.
type Richiesta func(ctx context.Context, cliente, pagina int) Esito

// Riga is the figures of one page (or of the total).
type Riga struct {
	Pagina         string         `json:"pagina"`
	Richieste      int            `json:"richieste"`
	Errori         int            `json:"errori"`
	ErroriPerStato map[string]int `json:"errori_per_stato,omitempty"`
	P50            float64        `json:"p50_ms"`
	P95            float64        `json:"p95_ms"`
	P99            float64        `json:"p99_ms"`
	Max            float64        `json:"max_ms"`
	AlSecondo      float64        `json:"richieste_al_secondo"`
	// Database is what pg_stat_statements saw of this page alone (EseguiSolo with -pgss).
	Database *Statistiche `json:"pg_stat_statements,omitempty"`
}

// Rapporto is the outcome of a run.
type Rapporto struct {
	Modo    string  `json:"modo"` // "chiuso", "aperto", or "solo" (each page alone, in either loop)
	Clienti int     `json:"clienti"`
	Ritmo   float64 `json:"ritmo,omitempty"`
	Durata  float64 `json:"durata_s"` // from the start to the last answer
	Pagine  []Riga  `json:"pagine"`
	Totale  Riga    `json:"totale"`
	// Database is filled by the caller when pg_stat_statements was read.
	Database *Statistiche `json:"pg_stat_statements,omitempty"`
}

// raccolta gathers one goroutine's latencies, merged at the end.
type raccolta struct {
	lat    [][]time.Duration // per page
	errori []map[string]int
}

func nuovaRaccolta(n int) *raccolta {
	r := &raccolta{lat: make([][]time.Duration, n), errori: make([]map[string]int, n)}
	for i := range r.errori {
		r.errori[i] = map[string]int{}
	}
	return r
}

func (r *raccolta) segna(pagina int, d time.Duration, e Esito) {
	r.lat[pagina] = append(r.lat[pagina], d)
	if !e.ok() {
		r.errori[pagina][e.chiave()]++
	}
}

// scelta picks pages by weight.
type scelta struct {
	cumulati []int
	totale   int
}

func nuovaScelta(mix []Voce) scelta {
	s := scelta{}
	for _, v := range mix {
		s.totale += max(v.Peso, 0)
		s.cumulati = append(s.cumulati, s.totale)
	}
	return s
}

func (s scelta) pesca(r *rand.Rand) int {
	x := r.IntN(s.totale)
	return sort.SearchInts(s.cumulati, x+1)
}

// Esegui runs the plan and returns its report. ctx cancelled ends the run
// early (the report counts what was answered).
func Esegui(ctx context.Context, p Piano, fai Richiesta) Rapporto {
	raccolte, durata := esegui(ctx, p, fai)
	return riassumi(p, raccolte, durata)
}

// EseguiSolo runs each page of the mix alone for p.Durata, one after the
// other: the saturation throughput of each page (in a mixed closed loop
// the pages' rates follow their weights). prima and dopo, when not nil,
// are called around each page's run (the pg_stat_statements probe reads
// the page's statements into its Riga).
func EseguiSolo(ctx context.Context, p Piano, fai Richiesta, prima func(pagina int), dopo func(pagina int, r *Riga)) Rapporto {
	rp := Rapporto{Modo: "solo", Clienti: max(p.Clienti, 1), Ritmo: p.Ritmo}
	var tutte []time.Duration
	errTot := map[string]int{}
	var durata time.Duration
	for i, v := range p.Mix {
		if ctx.Err() != nil {
			break
		}
		q := p
		q.Mix = []Voce{{Nome: v.Nome, Peso: 1}}
		if prima != nil {
			prima(i)
		}
		raccolte, d := esegui(ctx, q, func(ctx context.Context, cliente, _ int) Esito { return fai(ctx, cliente, i) })
		var lat []time.Duration
		errori := map[string]int{}
		for _, r := range raccolte {
			lat = append(lat, r.lat[0]...)
			for k, n := range r.errori[0] {
				errori[k] += n
				errTot[k] += n
			}
		}
		tutte = append(tutte, lat...)
		durata += d
		r := riga(v.Nome, lat, errori, d)
		if dopo != nil {
			dopo(i, &r)
		}
		rp.Pagine = append(rp.Pagine, r)
	}
	rp.Durata = durata.Seconds()
	rp.Totale = riga("totale", tutte, errTot, durata)
	return rp
}

func esegui(ctx context.Context, p Piano, fai Richiesta) ([]*raccolta, time.Duration) {
	if p.Clienti < 1 {
		p.Clienti = 1
	}
	sc := nuovaScelta(p.Mix)
	raccolte := make([]*raccolta, p.Clienti)
	for i := range raccolte {
		raccolte[i] = nuovaRaccolta(len(p.Mix))
	}
	inizio := time.Now()
	fine := inizio.Add(p.Durata)
	var wg sync.WaitGroup
	if p.Ritmo <= 0 {
		for c := range p.Clienti {
			wg.Go(func() {
				r := rand.New(rand.NewPCG(p.Seme, uint64(c)))
				for ctx.Err() == nil && time.Now().Before(fine) {
					pg := sc.pesca(r)
					t0 := time.Now()
					e := fai(ctx, c, pg)
					raccolte[c].segna(pg, time.Since(t0), e)
				}
			})
		}
	} else {
		coda := make(chan programmata, max(int(p.Ritmo*p.Durata.Seconds()*1.5)+16, 16))
		for c := range p.Clienti {
			wg.Go(func() {
				for pr := range coda {
					e := fai(ctx, c, pr.pagina)
					// From the time it was due, not from the time a client was free.
					raccolte[c].segna(pr.pagina, time.Since(pr.quando), e)
				}
			})
		}
		programma(ctx, p, sc, inizio, coda)
		close(coda)
	}
	wg.Wait()
	return raccolte, time.Since(inizio)
}

// programmata is a request of the open loop: its page and when it is due.
type programmata struct {
	pagina int
	quando time.Time
}

// programma sends the open loop's requests on coda at their times, from
// inizio until p.Durata: the i-th at inizio + i/Ritmo, or after exponential
// gaps of mean 1/Ritmo with Poisson. A request whose time has passed (the
// scheduler woke late) is sent at once with its own time.
func programma(ctx context.Context, p Piano, sc scelta, inizio time.Time, coda chan<- programmata) {
	r := rand.New(rand.NewPCG(p.Seme, math.MaxUint64))
	periodo := float64(time.Second) / p.Ritmo
	t := 0.0 // nanoseconds from inizio
	for i := 0; ; i++ {
		if p.Poisson {
			if i > 0 {
				t += r.ExpFloat64() * periodo
			}
		} else {
			t = float64(i) * periodo
		}
		if t >= float64(p.Durata) {
			return
		}
		quando := inizio.Add(time.Duration(t))
		if d := time.Until(quando); d > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(d):
			}
		}
		select {
		case <-ctx.Done():
			return
		case coda <- programmata{pagina: sc.pesca(r), quando: quando}:
		}
	}
}

func riassumi(p Piano, raccolte []*raccolta, durata time.Duration) Rapporto {
	rp := Rapporto{Modo: "chiuso", Clienti: max(p.Clienti, 1), Durata: durata.Seconds()}
	if p.Ritmo > 0 {
		rp.Modo, rp.Ritmo = "aperto", p.Ritmo
	}
	var tutte []time.Duration
	errTot := map[string]int{}
	for i, v := range p.Mix {
		var lat []time.Duration
		errori := map[string]int{}
		for _, r := range raccolte {
			lat = append(lat, r.lat[i]...)
			for k, n := range r.errori[i] {
				errori[k] += n
				errTot[k] += n
			}
		}
		tutte = append(tutte, lat...)
		rp.Pagine = append(rp.Pagine, riga(v.Nome, lat, errori, durata))
	}
	rp.Totale = riga("totale", tutte, errTot, durata)
	return rp
}

func riga(nome string, lat []time.Duration, errori map[string]int, durata time.Duration) Riga {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r := Riga{Pagina: nome, Richieste: len(lat)}
	for _, n := range errori {
		r.Errori += n
	}
	if r.Errori > 0 {
		r.ErroriPerStato = errori
	}
	if len(lat) > 0 {
		r.P50, r.P95, r.P99 = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99))
		r.Max = ms(lat[len(lat)-1])
	}
	if durata > 0 {
		r.AlSecondo = float64(len(lat)) / durata.Seconds()
	}
	return r
}

// percentile is the nearest-rank percentile of sorted latencies: the
// smallest value with at least q of the values at or below it.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
