// Package app is the composition root: it reads the configuration, opens the
// database, builds every module and the router, and runs the subcommands of
// the cartella binary. Nothing imports it.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/pgcluster"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/migrations"
	"github.com/cartella/cartella/web"
)

const usage = `Cartella — cartella sociale informatizzata

Uso:
  cartella demo [--nuclei N]          avvia la demo: database privato, fornitore di identità dimostrativo, dati di prova
                                      (N nuclei sintetici al primo avvio, 300 se non indicato)
  cartella serve                      avvia il servizio in produzione (DATABASE_URL e OIDC_* obbligatori)
  cartella migrate up|down|version    gestisce lo schema del database (DATABASE_URL)
  cartella audit verify               verifica l'integrità del registro degli accessi (DATABASE_URL)
  cartella amministratore-sistema CF NOME COGNOME
                                      accredita un amministratore di sistema (il primo operatore; DATABASE_URL)
  cartella import comuni [FILE]       carica l'elenco ISTAT dei comuni (CSV come pubblicato dall'ISTAT; senza FILE quello incluso; DATABASE_URL)
  cartella import nuclei [--ambito CODICE] FILE
                                      importa il flusso dei nuclei (JSON Lines, docs/formats/nuclei.md; DATABASE_URL)
  cartella import sostegni FILE [--prova]
                                      carica il catalogo dei sostegni del patto con i codici del nomenclatore
                                      (CSV, docs/formats/sostegni.md; --prova mostra cosa cambierebbe senza scrivere; DATABASE_URL)
  cartella import controlli FILE      importa le richieste di verifica anagrafica di INPS per i comuni dell'installazione
                                      (JSON Lines, docs/formats/controlli.md; DATABASE_URL)
  cartella import prestazioni FILE    carica il catalogo delle prestazioni sociali INPS (codice e denominazione per SIUSS)
                                      (CSV, docs/formats/prestazioni.md; tutto o niente; DATABASE_URL)

Configurazione: variabili d'ambiente, vedi README.md.
`

// Run is the whole program; main only calls it.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[1] {
	case "demo":
		return runServer(ctx, config.Demo, args[2:], getenv, stdout, stderr)
	case "serve":
		return runServer(ctx, config.Serve, args[2:], getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[2:], getenv, stdout)
	case "audit":
		return runAudit(ctx, args[2:], getenv, stdout)
	case "import":
		return runImport(ctx, args[2:], getenv, stdout, stderr)
	case "amministratore-sistema":
		return runSistema(ctx, args[2:], getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[1])
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// latestMigration is the highest version among the embedded migrations.
func latestMigration() uint {
	var top uint
	entries, _ := fs.ReadDir(migrations.FS, ".")
	for _, e := range entries {
		v, _, ok := strings.Cut(e.Name(), "_")
		if n, err := strconv.ParseUint(v, 10, 32); ok && err == nil && uint(n) > top {
			top = uint(n)
		}
	}
	return top
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: cartella migrate up|down|version")
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella migrate`")
	}
	mg, err := database.NewMigrator(dsn)
	if err != nil {
		return err
	}
	defer mg.Close()
	switch args[0] {
	case "up":
		if err := mg.Up(); err != nil {
			return err
		}
	case "down":
		if err := mg.Down(); err != nil {
			return err
		}
	case "version":
	default:
		return fmt.Errorf("unknown migrate command %q: use up, down or version", args[0])
	}
	v, dirty, err := mg.Version()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d of %d", v, latestMigration())
	if dirty {
		fmt.Fprint(stdout, " (dirty: a migration failed half-way; fix it, then force the version)")
	}
	fmt.Fprintln(stdout)
	return nil
}

// runAudit verifies the hash chain of the registro degli accessi; it exits
// non-zero when a record was altered or removed.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: cartella audit verify")
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella audit verify`")
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	rep, err := registro.NewService(pool).Verify(ctx)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(stdout, "registrazione %d: %s\n", p.ID, p.Reason)
	}
	fmt.Fprintf(stdout, "registro degli accessi: %d registrazioni, ultima impronta %x\n", rep.Records, rep.LastHash)
	if len(rep.Problems) > 0 {
		return fmt.Errorf("access register tampered: %d problems", len(rep.Problems))
	}
	fmt.Fprintln(stdout, "catena integra")
	return nil
}

func runServer(ctx context.Context, mode config.Mode, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("cartella", flag.ContinueOnError)
	fl.SetOutput(stderr)
	nuclei := 0
	if mode == config.Demo {
		fl.IntVar(&nuclei, "nuclei", demo.NucleiPredefiniti, "nuclei sintetici da caricare al primo avvio (fino a 200000)")
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(mode, getenv)
	if err != nil {
		return err
	}
	log := newLogger(stdout, cfg.LogLevel)
	if !web.VendorPresent() {
		return errors.New("the Bootstrap Italia assets are missing from the binary: build it with `make build` (it runs `make assets` first)")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if mode == config.Demo && cfg.DatabaseURL == "" {
		log.Info("starting the private PostgreSQL cluster", "data_dir", cfg.DataDir)
		cluster, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: cfg.DataDir, Log: log, StatStatements: true})
		if err != nil {
			return err
		}
		defer func() {
			if err := cluster.Stop(); err != nil {
				log.Error("stopping PostgreSQL", "error", err)
			} else {
				log.Info("PostgreSQL stopped")
			}
		}()
		if err := ensureDatabase(ctx, cluster.URL("postgres"), "cartella"); err != nil {
			return err
		}
		cfg.DatabaseURL = cluster.URL("cartella")
		// The private cluster is the demo's by construction.
		if err := marcaDemo(ctx, cfg.DatabaseURL, true); err != nil {
			return err
		}
	} else if mode == config.Demo {
		// DATABASE_URL given: the demo writes only into a database it created.
		if err := marcaDemo(ctx, cfg.DatabaseURL, false); err != nil {
			return err
		}
	}

	if mode == config.Demo || getenv("MIGRATE_ON_START") == "true" {
		if err := database.Migrate(cfg.DatabaseURL); err != nil {
			return err
		}
	}
	if err := checkSchema(cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := database.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	d, err := newServer(ctx, cfg, pool, log)
	if err != nil {
		return err
	}
	if mode == config.Demo {
		if nuclei < 0 || nuclei > 200000 {
			return fmt.Errorf("--nuclei %d: da 0 a 200000", nuclei)
		}
		// The households at the first start, and a few cases walked along
		// the workflow (demo_percorsi.go).
		if err := caricaDemo(ctx, d, nuclei, log); err != nil {
			return err
		}
	}
	err = serveHTTP(ctx, cfg, d.tempi, routes(d), d.background, log)
	// The imports in the background stop with ctx and record themselves
	// interrotta; then the uploaded files still here go.
	attese := make(chan struct{})
	go func() { d.nuclei.Attendi(); d.esporta.Attendi(); close(attese) }()
	select {
	case <-attese:
	case <-time.After(10 * time.Second):
		log.Warn("shutdown: imports still running, left to the crash recovery of the next start")
	}
	if cerr := d.deposito.Chiudi(); cerr != nil {
		log.Error("shutdown: upload directory", "error", cerr)
	}
	return err
}

// checkSchema refuses to serve on a schema older or newer than the binary's.
func checkSchema(dsn string) error {
	mg, err := database.NewMigrator(dsn)
	if err != nil {
		return err
	}
	defer mg.Close()
	v, dirty, err := mg.Version()
	if err != nil {
		return err
	}
	if want := latestMigration(); v != want || dirty {
		return fmt.Errorf("database schema is at version %d (dirty %v), this binary needs %d: run `cartella migrate up` (or set MIGRATE_ON_START=true)", v, dirty, want)
	}
	return nil
}

// ErrNonDemo: `cartella demo` was pointed at a database it did not create.
var ErrNonDemo = errors.New("cartella demo: il database di DATABASE_URL non è stato creato dalla demo e contiene già dati: " +
	"la demo non scrive mai in un database che non è suo (accetta chiunque con la password demo e carica dati sintetici). " +
	"Per un database reale usa `cartella serve`; per la demo lascia DATABASE_URL vuoto o indica un database vuoto")

// marcaDemo makes sure the database at dsn is the demo's: it carries the
// mark (table cartella_demo), or it is empty and gets the mark now, or
// proprio (the private cluster) and it is marked. Any other database is
// refused with ErrNonDemo before anything is written.
func marcaDemo(ctx context.Context, dsn string, proprio bool) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to the demo database: %w", err)
	}
	defer conn.Close(ctx)
	var marcato bool
	var tabelle int
	if err := conn.QueryRow(ctx, `SELECT to_regclass('public.cartella_demo') IS NOT NULL,
			(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%')`).
		Scan(&marcato, &tabelle); err != nil {
		return fmt.Errorf("demo database: %w", err)
	}
	switch {
	case marcato:
		return nil
	case tabelle > 0 && !proprio:
		return ErrNonDemo
	}
	_, err = conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS cartella_demo (creato_il timestamptz NOT NULL DEFAULT now(), nota text NOT NULL);
		INSERT INTO cartella_demo (nota) VALUES ('Database della demo di Cartella: dati sintetici, password demo per tutti. Mai dati reali.')`)
	if err != nil {
		return fmt.Errorf("demo database: mark: %w", err)
	}
	return nil
}

func ensureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to the private cluster: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return fmt.Errorf("create database %s: %w", name, err)
		}
	}
	return nil
}

func serveHTTP(ctx context.Context, cfg config.Config, t tempi, handler http.Handler, background func(context.Context), log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.ListenAddr, err)
	}
	hs := &http.Server{
		Handler:  handler,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	t.server(hs) // the per-request deadlines are in handler (tempi.limiti)
	bg, cancelBG := context.WithCancel(context.Background())
	defer cancelBG()
	go background(bg)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("cartella ready", "mode", modeName(cfg.Mode), "listen", ln.Addr().String(), "base_url", cfg.BaseURL.String())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in progress")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func modeName(m config.Mode) string {
	if m == config.Demo {
		return "demo"
	}
	return "serve"
}
