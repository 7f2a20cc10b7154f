// Package dbtest gives every test a fresh PostgreSQL database cloned from a
// migrated template. The server is TEST_DATABASE_URL when set, otherwise a
// private cluster started once per test binary with the machine's
// PostgreSQL binaries. A database test never skips: without a server it
// fails and says how to get one.
//
// A package that uses it declares
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/pgcluster"
	"github.com/cartella/cartella/migrations"
)

var (
	mu          sync.Mutex
	mainRan     bool
	serverURL   string // admin URL (database "postgres" or the one in TEST_DATABASE_URL)
	cluster     *pgcluster.Cluster
	clusterBase string // the private cluster's directory, removed by Main
	tmplName    string
	startErr    error
	started     bool
)

// Main runs the package's tests and stops the private cluster afterwards.
func Main(m *testing.M) {
	mu.Lock()
	mainRan = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	if cluster != nil {
		_ = cluster.Stop()
		_ = os.RemoveAll(clusterBase) // its data directory and log

	}
	mu.Unlock()
	os.Exit(code)
}

// server starts (once) the cluster or validates TEST_DATABASE_URL, and
// builds the migrated template database.
func server(t testing.TB) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !mainRan {
		t.Fatal("dbtest: the package must declare func TestMain(m *testing.M) { dbtest.Main(m) }")
	}
	if !started {
		started = true
		startErr = start()
	}
	if startErr != nil {
		t.Fatalf("dbtest: no PostgreSQL for the tests: %v\n"+
			"Set TEST_DATABASE_URL to a server where the user may CREATE DATABASE, "+
			"or install the PostgreSQL server binaries (Debian: apt-get install postgresql; `make test` does it).", startErr)
	}
	return serverURL
}

func start() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		serverURL = u
	} else {
		base, err := os.MkdirTemp("", "cartella-pg-")
		if err != nil {
			return err
		}
		if err := os.Chmod(base, 0o755); err != nil {
			return err
		}
		c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: filepath.Join(base, "data"), Ephemeral: true, StatStatements: true})
		if err != nil {
			return err
		}
		cluster, clusterBase = c, base
		serverURL = c.URL("postgres")
	}
	h, err := migrationsHash()
	if err != nil {
		return err
	}
	tmplName = "tmpl_" + h
	return ensureTemplate(ctx)
}

func migrationsHash() (string, error) {
	sum := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(sum, "%s\x00%d\x00", p, len(b))
		sum.Write(b)
		return nil
	})
	return hex.EncodeToString(sum.Sum(nil))[:16], err
}

// ensureTemplate creates and migrates the template once, under an advisory
// lock so that several test binaries sharing TEST_DATABASE_URL cooperate.
func ensureTemplate(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7417001)"); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(7417001)")
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmplName).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	building := tmplName + "_building"
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+building); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return err
	}
	if err := database.Migrate(withDB(serverURL, building)); err != nil {
		return err
	}
	// The application's login role (cluster-wide), as in the demo.
	if err := database.CreaRuoloApplicazione(ctx, withDB(serverURL, building), database.RuoloApplicazioneDemo, passwordApp); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, tmplName))
	return err
}

func withDB(serverURL, name string) string {
	u, err := url.Parse(serverURL)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func createDB(t testing.TB, template string) string {
	t.Helper()
	admin := server(t)
	ctx := context.Background()
	name := randomName("t_")
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("dbtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		t.Fatalf("dbtest: %s: %v", stmt, err)
	}
	dsn := withDB(admin, name)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dbtest: database kept for inspection: %s", dsn)
			return
		}
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return dsn
}

// passwordApp is the test login role's password (ignored by the private
// cluster, which trusts loopback; needed on a TEST_DATABASE_URL server).
const passwordApp = "cartella_app"

// URL returns the connection string of a fresh, migrated database, as the
// application's role (database.RuoloApplicazioneDemo): what the
// application may do there, and no more — it owns no table and may only
// append to the registro degli accessi (ADR 0023). ProprietarioURL gives
// the owner's.
func URL(t testing.TB) string {
	t.Helper()
	server(t)
	return database.ComeRuolo(createDB(t, tmplName), database.RuoloApplicazioneDemo, passwordApp)
}

// ProprietarioURL is dsn (from URL or New) as the owner of the schema, the
// server's user: for tests that play the DBA, or run migrations.
func ProprietarioURL(t testing.TB, dsn string) string {
	t.Helper()
	admin, err := url.Parse(server(t))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = admin.User
	return u.String()
}

// Proprietario is a pool on pool's database as its owner, closed at
// cleanup.
func Proprietario(t testing.TB, pool *pgxpool.Pool) *pgxpool.Pool {
	t.Helper()
	p, err := database.Open(context.Background(), ProprietarioURL(t, pool.Config().ConnString()))
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// EmptyURL returns the connection string of a fresh database with no schema.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return createDB(t, "")
}

// New returns a pool on a fresh, migrated database, closed at cleanup.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := URL(t)
	pool, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
