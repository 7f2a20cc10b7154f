package database_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The schema must be reversible: up, all the way down, and up again on an
// empty database, ending at the same version with the tables present.
func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	dsn := dbtest.EmptyURL(t)
	mg, err := database.NewMigrator(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer mg.Close()

	if v, _, err := mg.Version(); err != nil || v != 0 {
		t.Fatalf("empty database: version %d, err %v; want 0", v, err)
	}
	if err := mg.Up(); err != nil {
		t.Fatal(err)
	}
	top, dirty, err := mg.Version()
	if err != nil || dirty || top == 0 {
		t.Fatalf("after up: version %d dirty %v err %v", top, dirty, err)
	}
	if err := mg.Up(); err != nil {
		t.Fatalf("second up must be a no-op: %v", err)
	}
	if err := mg.DownAll(); err != nil {
		t.Fatal(err)
	}
	pool, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var tables int
	if err := pool.QueryRow(context.Background(),
		`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("after down: %d tables left, want 0", tables)
	}
	if err := mg.Up(); err != nil {
		t.Fatalf("up after down: %v", err)
	}
	if v, dirty, _ := mg.Version(); v != top || dirty {
		t.Fatalf("after up again: version %d dirty %v, want %d", v, dirty, top)
	}
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM operatore`).Scan(&tables); err != nil {
		t.Fatalf("operatore table missing after up: %v", err)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://app:s3cret@db:5432/cartella": "postgres://app:xxxxx@db:5432/cartella",
		"postgres://app@db/cartella":             "postgres://app@db/cartella",
		"host=db password=s3cret":                "(connection string)",
	} {
		if got := database.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// Without pool_max_conns the pool holds PoolPredefinito connections at once
// (pgx's own default, 4 on this machine, made the audited pages queue for a
// connection under load); with it, the operator's figure wins.
func TestPoolDimensione(t *testing.T) {
	t.Parallel()
	dsn := dbtest.EmptyURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	pool, err := database.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	want := database.PoolPredefinito()
	if want < 10 {
		t.Fatalf("PoolPredefinito() = %d, want at least 10", want)
	}
	var conns []*pgxpool.Conn
	for range want {
		c, err := pool.Acquire(ctx)
		if err != nil {
			t.Fatalf("acquiring connection %d of %d: %v", len(conns)+1, want, err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}

	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	piccolo, err := database.Open(ctx, dsn+sep+"pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	defer piccolo.Close()
	if got := piccolo.Config().MaxConns; got != 3 {
		t.Fatalf("with pool_max_conns=3 the pool holds %d", got)
	}
}
