package database

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The database roles (ADR 0023, docs/operations.md "Ruoli del database"):
// the owner runs the migrations and owns every table; the application
// connects as a login role member of GruppoApplicazione, which reads and
// writes the data, may only append to the registro degli accessi, owns
// nothing, and so can neither change the schema nor disable a trigger.
const (
	// GruppoApplicazione is the group role migration 000029 grants to.
	GruppoApplicazione = "cartella_applicazione"
	// RuoloApplicazioneDemo is the login role of the demo and the tests.
	RuoloApplicazioneDemo = "cartella_app"
)

// ComeRuolo is databaseURL with the user (and password) replaced.
func ComeRuolo(databaseURL, ruolo, password string) string {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return databaseURL
	}
	if password != "" {
		u.User = url.UserPassword(ruolo, password)
	} else {
		u.User = url.User(ruolo)
	}
	return u.String()
}

// CreaRuoloApplicazione creates, through the owner's connection, the login
// role ruolo as a member of GruppoApplicazione, unless it exists. For the
// demo's private cluster and the tests; a production DBA runs the SQL of
// docs/operations.md instead.
func CreaRuoloApplicazione(ctx context.Context, ownerURL, ruolo, password string) error {
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return fmt.Errorf("database: role: %w", err)
	}
	defer conn.Close(ctx)
	var esiste bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, ruolo).Scan(&esiste); err != nil {
		return fmt.Errorf("database: role: %w", err)
	}
	if esiste {
		return nil
	}
	stmt := "CREATE ROLE " + pgx.Identifier{ruolo}.Sanitize() + " LOGIN IN ROLE " + pgx.Identifier{GruppoApplicazione}.Sanitize()
	if password != "" {
		stmt += " PASSWORD " + quoteLiteral(password)
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		// Another process created it between the check and here.
		if err2 := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, ruolo).Scan(&esiste); err2 == nil && esiste {
			return nil
		}
		return fmt.Errorf("database: create role %s: %w", ruolo, err)
	}
	return nil
}

func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// AvvisoRuolo is a warning when the pool's role is stronger than the
// application's should be: it owns a table, or may change or remove
// records of the registro degli accessi. Empty when the split is in place.
func AvvisoRuolo(ctx context.Context, pool *pgxpool.Pool) string {
	var possiede, modifica, super bool
	err := pool.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user),
			has_table_privilege('registro_accessi', 'UPDATE') OR has_table_privilege('registro_accessi', 'DELETE'),
			(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`).Scan(&possiede, &modifica, &super)
	if err != nil {
		return "database: cannot check the application's role: " + err.Error()
	}
	if possiede || modifica || super {
		return "database: the application connects as a role that owns tables or may change the registro degli accessi: " +
			"use a role member of " + GruppoApplicazione + " for DATABASE_URL and the owner for DATABASE_OWNER_URL (docs/operations.md, \"Ruoli del database\")"
	}
	return ""
}
