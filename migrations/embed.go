// Package migrations holds the SQL schema migrations, embedded in the binary
// and applied by golang-migrate (`cartella migrate`, and `cartella demo` at
// start). Files are never edited after merge: every change is a new pair.
package migrations

import "embed"

// FS holds the NNNNNN_title.up.sql / .down.sql files.
//
//go:embed *.sql
var FS embed.FS
