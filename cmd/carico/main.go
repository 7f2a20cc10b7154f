// Command carico is the load tool of Cartella (issue 19, point 4; ADR
// 0024): against a running `cartella demo` it signs in virtual clients
// through the demo OpenID Provider, replays a mix of pages in a closed loop
// (-c clients) or an open one (-rate requests per second), and prints
// count, errors, p50, p95, p99, max and requests per second per page; with
// -pgss, what pg_stat_statements saw. It is not part of the product: the
// one binary of docs/contracts.md stays cmd/cartella. See
// docs/performance.md, "Lo strumento di carico".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/carico"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "carico:", err)
		os.Exit(2)
	}
}

const uso = `carico: carico su una demo di Cartella in esecuzione (cartella demo).

  go run ./cmd/carico [opzioni]

Esempi:
  carico -c 64 -d 15s -mix home=1,caso=1,casi=1                  anello chiuso, 64 clienti
  carico -rate 200 -d 30s -mix caso=2,casi=1,home=1              anello aperto, 200 richieste/s
  carico -c 64 -d 15s -pgss var/pgdata                           con pg_stat_statements della demo
  carico -solo -c 64 -d 15s -pgss var/pgdata                     ogni pagina da sola: saturazione, istruzioni, lock
  carico -statements -pgss var/pgdata -mix home,casi,caso        istruzioni SQL per pagina

Pagine del mix: %s; oppure un percorso (/agenda=1).
{id} è un caso che l'utente del client vede (dalla prima pagina di /casi, o da -casi FILE).

Opzioni:
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("carico", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintf(stderr, uso, strings.Join(nomi(), ", "))
		fl.PrintDefaults()
	}
	base := fl.String("base", "http://127.0.0.1:8080", "BASE_URL della demo")
	utenti := fl.String("utenti", "casemanager,casemanager2", "account demo, assegnati ai client a turno (ciascun client ha la sua sessione)")
	password := fl.String("password", "demo", "password del provider demo")
	mixS := fl.String("mix", "home=1,caso=1,casi=1", "pagine con i loro pesi")
	clienti := fl.Int("c", 64, "client concorrenti (anello aperto: i client che servono il programma)")
	durata := fl.Duration("d", 15*time.Second, "durata")
	ritmo := fl.Float64("rate", 0, "richieste al secondo in anello aperto (0: anello chiuso)")
	poisson := fl.Bool("poisson", false, "anello aperto: intervalli esponenziali (processo di Poisson) invece che fissi")
	casiF := fl.String("casi", "", "file con gli id dei casi per {id}, uno per riga (invece della prima pagina di /casi)")
	comeJSON := fl.Bool("json", false, "rapporto in JSON")
	pgss := fl.String("pgss", "", "DATABASE_URL (o la cartella dati della demo, var/pgdata): azzera pg_stat_statements prima e lo legge dopo")
	principali := fl.Int("top", 12, "con -pgss: le istruzioni da mostrare, per tempo totale")
	solo := fl.Bool("solo", false, "ogni pagina del mix da sola per -d, una dopo l'altra: il throughput di saturazione di ciascuna (con -pgss, le sue istruzioni e la quota dei lock)")
	statements := fl.Bool("statements", false, "con -pgss: invece del carico, ogni pagina del mix da sola -n volte e le sue istruzioni SQL per richiesta")
	n := fl.Int("n", 20, "con -statements: richieste per pagina")
	seme := fl.Uint64("seme", 1, "seme delle scelte casuali")
	timeout := fl.Duration("timeout", 30*time.Second, "tempo massimo di una richiesta")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("argomenti in più: %q", fl.Args())
	}
	mix, err := carico.LeggiMix(*mixS)
	if err != nil {
		return err
	}
	if *statements && *pgss == "" {
		return errors.New("-statements vuole -pgss")
	}
	if *statements {
		*clienti = 1
	}
	var casi []string
	if *casiF != "" {
		if casi, err = carico.LeggiCasi(*casiF); err != nil {
			return err
		}
	}

	var sonda *carico.Sonda
	if *pgss != "" {
		dsn, err := carico.IndirizzoDemo(*pgss)
		if err != nil {
			return err
		}
		sonda, err = carico.ApriSonda(ctx, dsn)
		if errors.Is(err, carico.ErrNoStatStatements) && !*statements {
			fmt.Fprintln(stderr, "carico:", err, "— il carico parte senza")
		} else if err != nil {
			return err
		} else {
			defer sonda.Chiudi(context.Background())
		}
	}

	b, err := carico.Prepara(ctx, carico.Opzioni{Base: *base, Utenti: strings.Split(*utenti, ","), Password: *password,
		Clienti: *clienti, Casi: casi, Timeout: *timeout}, mix)
	if err != nil {
		return err
	}
	if *statements {
		pp, err := carico.IstruzioniPerPagina(ctx, sonda, b, *n)
		if err != nil {
			return err
		}
		if *comeJSON {
			return scriviJSON(stdout, pp)
		}
		carico.StampaPerPagina(stdout, pp)
		return nil
	}

	piano := carico.Piano{Mix: mix, Clienti: *clienti, Durata: *durata, Ritmo: *ritmo, Poisson: *poisson, Seme: *seme}
	if *solo {
		var prima func(int)
		var dopo func(int, *carico.Riga)
		var errSonda error
		if sonda != nil {
			prima = func(int) { errSonda = errors.Join(errSonda, sonda.Azzera(ctx)) }
			dopo = func(_ int, r *carico.Riga) {
				st, err := sonda.Leggi(context.Background(), *principali, r.Richieste)
				errSonda = errors.Join(errSonda, err)
				r.Database = &st
			}
		}
		r := carico.EseguiSolo(ctx, piano, b.Fai, prima, dopo)
		if errSonda != nil {
			return errSonda
		}
		if *comeJSON {
			return scriviJSON(stdout, r)
		}
		carico.Stampa(stdout, r)
		return nil
	}
	if sonda != nil {
		if err := sonda.Azzera(ctx); err != nil {
			return err
		}
	}
	r := carico.Esegui(ctx, piano, b.Fai)
	if sonda != nil {
		st, err := sonda.Leggi(context.Background(), *principali, r.Totale.Richieste)
		if err != nil {
			return err
		}
		r.Database = &st
	}
	if *comeJSON {
		return scriviJSON(stdout, r)
	}
	carico.Stampa(stdout, r)
	return nil
}

func nomi() []string {
	var n []string
	for _, k := range []string{"home", "casi", "caso", "storico", "agenda", "assegnazioni", "controlli", "report"} {
		n = append(n, k+" "+carico.Percorso(k))
	}
	return n
}

func scriviJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
