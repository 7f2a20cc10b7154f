// Package database opens the PostgreSQL pool and applies the embedded schema
// migrations. Every module's store takes a Querier, so the same store
// function runs on the pool or inside a service's transaction.
package database

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // registers the pgx5:// scheme
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/migrations"
)

// Querier is satisfied by *pgxpool.Pool, *pgxpool.Conn and pgx.Tx.
// SendBatch sends several statements in one round trip (their results go
// to the callbacks queued with them: `b.Queue(sql, args...).Query(fn)`).
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

var _ Querier = (*pgxpool.Pool)(nil)
var _ Querier = (pgx.Tx)(nil)

// Open connects a pool and checks that the server answers.
func Open(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("database: parse DATABASE_URL: %w", err)
	}
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = PoolPredefinito()
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: ping %s: %w", Redact(databaseURL), err)
	}
	return pool, nil
}

// PoolPredefinito is the pool's size when DATABASE_URL does not give
// pool_max_conns: the larger of 10 and four per CPU. pgx's own default (the
// larger of 4 and the CPUs) left the audited pages waiting for a connection
// while others waited on their commit's flush: at 64 clients on 2 cores the
// case page served 720–810 requests/s with 4 connections, 780–1,015 with 10
// (docs/performance.md, "Connessioni").
func PoolPredefinito() int32 {
	return int32(max(10, 4*runtime.NumCPU()))
}

// Redact hides the password of a connection string for log messages.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		if strings.Contains(databaseURL, "password=") {
			return "(connection string)"
		}
		return databaseURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Migrator wraps golang-migrate over the embedded migrations.
type Migrator struct{ m *migrate.Migrate }

// NewMigrator prepares migrations for the database at databaseURL.
func NewMigrator(databaseURL string) (*Migrator, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("database: migrations source: %w", err)
	}
	// golang-migrate's pgx/v5 driver registers the "pgx5" scheme.
	u := databaseURL
	for _, p := range []string{"postgres://", "postgresql://"} {
		if strings.HasPrefix(u, p) {
			u = "pgx5://" + strings.TrimPrefix(u, p)
		}
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, u)
	if err != nil {
		return nil, fmt.Errorf("database: migrate: %w", err)
	}
	return &Migrator{m: m}, nil
}

// Up applies every pending migration; no change is not an error.
func (mg *Migrator) Up() error {
	if err := mg.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("database: migrate up: %w", err)
	}
	return nil
}

// Down reverts the most recent migration.
func (mg *Migrator) Down() error {
	if err := mg.m.Steps(-1); err != nil {
		return fmt.Errorf("database: migrate down: %w", err)
	}
	return nil
}

// DownAll reverts every migration (used by the reversibility test).
func (mg *Migrator) DownAll() error {
	if err := mg.m.Down(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("database: migrate down: %w", err)
	}
	return nil
}

// Version reports the applied version and whether the last migration failed
// half-way (dirty). Version 0 means no migration applied.
func (mg *Migrator) Version() (uint, bool, error) {
	v, dirty, err := mg.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("database: migrate version: %w", err)
	}
	return v, dirty, nil
}

// Close releases the migrator's connection.
func (mg *Migrator) Close() error {
	serr, derr := mg.m.Close()
	return errors.Join(serr, derr)
}

// Migrate applies every pending migration to databaseURL.
func Migrate(databaseURL string) error {
	mg, err := NewMigrator(databaseURL)
	if err != nil {
		return err
	}
	defer mg.Close()
	return mg.Up()
}
