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
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

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
  cartella migrate up|down|version    gestisce lo schema del database (DATABASE_OWNER_URL, se no DATABASE_URL)
  cartella audit verify [--punti FILE] verifica firme, lotti e catena del registro degli accessi (DATABASE_URL, REGISTRO_CHIAVE_FILE)
  cartella audit checkpoint [FILE]    scrive il punto di controllo dell'ultimo lotto, da conservare fuori dal database
  cartella audit chiave FILE          genera la chiave con cui il registro è firmato
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
	// Migrations run as the owner of the schema (docs/operations.md,
	// "Ruoli del database").
	dsn := getenv("DATABASE_OWNER_URL")
	if dsn == "" {
		dsn = getenv("DATABASE_URL")
	}
	if dsn == "" {
		return errors.New("DATABASE_OWNER_URL (or DATABASE_URL) is required by `cartella migrate`")
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

// chiaveFile is the registro's key file for the commands: REGISTRO_CHIAVE_FILE,
// or the demo's (var/registro.chiave) when it is there.
func chiaveFile(getenv func(string) string) string {
	if f := strings.TrimSpace(getenv("REGISTRO_CHIAVE_FILE")); f != "" {
		return f
	}
	return filepath.Join("var", "registro.chiave")
}

// registroCLI is the registro of a command line run (checkSchema checked
// its key first).
func registroCLI(pool *pgxpool.Pool, getenv func(string) string) *registro.Service {
	k, _ := registro.LeggiChiave(chiaveFile(getenv))
	return registro.NewService(pool, k)
}

const usoAudit = `uso:
  cartella audit verify [--punti FILE]   verifica firme, lotti e catena del registro degli accessi
                                         (con --punti, anche i punti di controllo annotati in FILE)
  cartella audit checkpoint [FILE]       sigilla e scrive il punto di controllo dell'ultimo lotto
                                         (in coda a FILE, o sullo standard output per il log di sistema)
  cartella audit chiave FILE             genera una nuova chiave del registro in FILE (mai sovrascritto)
Servono DATABASE_URL (tranne che per chiave) e REGISTRO_CHIAVE_FILE.`

// runAudit verifies the registro degli accessi, writes its checkpoints and
// generates its key (ADR 0023); verify exits non-zero when a record or a
// lotto was altered, removed, forged or inserted out of order.
func runAudit(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usoAudit)
	}
	cmd, args := args[0], args[1:]
	if cmd == "chiave" {
		if len(args) != 1 {
			return errors.New(usoAudit)
		}
		if err := registro.GeneraChiave(args[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "chiave del registro scritta in %s (leggibile solo dal proprietario): conservane una copia sicura, senza di essa il registro non è più verificabile\n", args[0])
		return nil
	}
	var punti string
	switch {
	case cmd == "verify" && len(args) == 2 && args[0] == "--punti":
		punti = args[1]
	case cmd == "verify" && len(args) == 0, cmd == "checkpoint" && len(args) <= 1:
	default:
		return errors.New(usoAudit)
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return fmt.Errorf("DATABASE_URL is required by `cartella audit %s`", cmd)
	}
	chiave, err := registro.LeggiChiave(chiaveFile(getenv))
	if err != nil {
		return fmt.Errorf("%w (REGISTRO_CHIAVE_FILE)", err)
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	reg := registro.NewService(pool, chiave)
	if cmd == "checkpoint" {
		p, err := reg.PuntoDiControllo(ctx)
		if err != nil {
			return err
		}
		if p.Lotto == 0 {
			return errors.New("registro vuoto: nessun lotto di cui annotare il punto di controllo")
		}
		if len(args) == 0 {
			fmt.Fprintln(stdout, p.Riga)
			return nil
		}
		f, err := os.OpenFile(args[0], os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(f, p.Riga); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	var pp []registro.Punto
	if punti != "" {
		f, err := os.Open(punti)
		if err != nil {
			return err
		}
		pp, err = reg.LeggiPunti(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", punti, err)
		}
	}
	rep, err := reg.Verify(ctx, pp...)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, p.String())
	}
	fmt.Fprintf(stdout, "registro degli accessi: %d registrazioni (%d sigillate in %d lotti, %d ancora da sigillare), ultimo lotto %d, impronta %x\n",
		rep.Records, rep.Sigillate, rep.Lotti, rep.NonSigillate, rep.UltimoLotto, rep.LastHash)
	if rep.Ripartenze > 0 {
		fmt.Fprintf(stdout, "ripartenze (ripristini in un nuovo cluster): %d, l'ultima nel lotto %d\n", rep.Ripartenze, rep.UltimaRipartenza)
	}
	if punti != "" {
		fmt.Fprintf(stdout, "punti di controllo confrontati: %d\n", rep.Punti)
	}
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
		// The cluster's superuser owns the schema and runs the migrations;
		// the application connects as cartella_app (ADR 0023).
		cfg.DatabaseOwnerURL = cluster.URL("cartella")
		cfg.DatabaseURL = database.ComeRuolo(cfg.DatabaseOwnerURL, database.RuoloApplicazioneDemo, "")
		// The private cluster is the demo's by construction.
		if err := marcaDemo(ctx, cfg.DatabaseOwnerURL, true); err != nil {
			return err
		}
	} else if mode == config.Demo {
		// DATABASE_URL given: the demo writes only into a database it created.
		if err := marcaDemo(ctx, cfg.DatabaseURL, false); err != nil {
			return err
		}
	}
	if mode == config.Demo {
		if err := chiaveDemo(cfg.RegistroChiaveFile, log); err != nil {
			return err
		}
	}

	if mode == config.Demo || getenv("MIGRATE_ON_START") == "true" {
		owner := cfg.DatabaseOwnerURL
		if owner == "" {
			owner = cfg.DatabaseURL
		}
		if err := database.Migrate(owner); err != nil {
			return err
		}
		if cfg.DatabaseOwnerURL != "" && cfg.DatabaseOwnerURL != cfg.DatabaseURL && mode == config.Demo {
			if err := database.CreaRuoloApplicazione(ctx, owner, database.RuoloApplicazioneDemo, ""); err != nil {
				return err
			}
		}
	}
	if err := checkSchema(ctx, cfg.DatabaseURL, func(k string) string {
		if k == "REGISTRO_CHIAVE_FILE" {
			return cfg.RegistroChiaveFile
		}
		return getenv(k)
	}); err != nil {
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
	if avviso := database.AvvisoRuolo(ctx, pool); avviso != "" {
		log.Warn(avviso)
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

// checkSchema refuses to run on a schema older or newer than the binary's,
// or without the registro's key. It reads schema_migrations with a plain
// query, which the application's role may do (it may not create tables,
// as golang-migrate's driver would try to).
func checkSchema(ctx context.Context, dsn string, getenv func(string) string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to the database: %w", err)
	}
	defer conn.Close(ctx)
	var v int64
	var dirty bool
	err = conn.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations LIMIT 1`).Scan(&v, &dirty)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42P01" { // undefined_table: never migrated
			return fmt.Errorf("schema version: %w", err)
		}
	}
	if want := latestMigration(); uint(v) != want || dirty {
		return fmt.Errorf("database schema is at version %d (dirty %v), this binary needs %d: run `cartella migrate up` (or set MIGRATE_ON_START=true)", v, dirty, want)
	}
	if getenv != nil {
		if _, err := registro.LeggiChiave(chiaveFile(getenv)); err != nil {
			return fmt.Errorf("%w: set REGISTRO_CHIAVE_FILE (docs/operations.md, \"Registro degli accessi\")", err)
		}
	}
	return nil
}

// chiaveDemo creates the demo's registro key at its first start.
func chiaveDemo(path string, log *slog.Logger) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := registro.GeneraChiave(path); err != nil {
		return err
	}
	log.Info("registro degli accessi: chiave della demo creata", "file", path)
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
