package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/dbtest"
)

// `cartella demo` pointed at a database it did not create (here: a
// migrated one, as a real installation's would be) exits with ErrNonDemo
// and writes nothing: no mark, no demo operator, no household.
func TestDemoRifiutaDatabaseNonSuo(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	dsn := pool.Config().ConnString()
	env := map[string]string{"DATABASE_URL": dsn, "LISTEN_ADDR": freeAddr(t), "BASE_URL": "http://127.0.0.1"}
	out := &syncBuffer{}
	err := Run(context.Background(), []string{"cartella", "demo"}, func(k string) string { return env[k] }, out, out)
	if !errors.Is(err, ErrNonDemo) {
		t.Fatalf("cartella demo on a database not its own: %v\n%s", err, out)
	}
	var operatori, nuclei int
	var marcato bool
	if err := pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM operatore), (SELECT count(*) FROM nucleo),
		to_regclass('public.cartella_demo') IS NOT NULL`).Scan(&operatori, &nuclei, &marcato); err != nil {
		t.Fatal(err)
	}
	if operatori != 0 || nuclei != 0 || marcato {
		t.Errorf("the demo wrote into a database not its own: %d operators, %d households, mark %v", operatori, nuclei, marcato)
	}
}

// An empty database gets the mark (and is the demo's from then on); a
// marked one is accepted again; a database with tables is refused unless
// it is the demo's private cluster.
func TestMarcaDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Proprietario(t, dbtest.New(t)) // creates a database: the server's user
	cfg := pool.Config().ConnConfig
	vuoto := "vuoto_" + strings.ReplaceAll(cfg.Database, "-", "_")
	if _, err := pool.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{vuoto}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{vuoto}.Sanitize()+" WITH (FORCE)")
	})
	dsnVuoto := strings.Replace(pool.Config().ConnString(), "/"+cfg.Database, "/"+vuoto, 1)
	if err := marcaDemo(ctx, dsnVuoto, false); err != nil {
		t.Fatalf("an empty database: %v", err)
	}
	if err := marcaDemo(ctx, dsnVuoto, false); err != nil {
		t.Fatalf("the marked database again: %v", err)
	}
	if err := marcaDemo(ctx, pool.Config().ConnString(), false); !errors.Is(err, ErrNonDemo) {
		t.Errorf("a database with tables: %v", err)
	}
}
