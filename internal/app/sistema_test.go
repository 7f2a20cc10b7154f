package app

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
)

// On an empty installation the system administrator accredits the first
// amministratore di sistema from the command line; that person can then
// sign in (has a principal with the role); running it again changes nothing.
func TestAmministratoreSistemaCommand(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	cf := codicefiscale.Compute("Verdi", "Giulia", time.Date(1979, 3, 14, 0, 0, 0, 0, time.UTC), "F", "H501")
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(context.Background(), append([]string{"cartella", "amministratore-sistema"}, args...), env, &out, &out)
		return out.String(), err
	}
	out, err := run(strings.ToLower(cf), "Giulia", "Verdi")
	if err != nil || !strings.Contains(out, "Giulia Verdi accreditato come amministratore di sistema") {
		t.Fatalf("first run: %q %v", out, err)
	}
	pool, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ps, err := accesso.NewService(pool).PrincipalsByCF(context.Background(), cf)
	if err != nil || len(ps) != 1 || ps[0].Ruolo != "amministratore_sistema" || ps[0].Domain != "*" {
		t.Fatalf("principals: %+v %v", ps, err)
	}
	if _, err := run(cf, "Giulia", "Verdi"); err == nil || !strings.Contains(err.Error(), "già accreditato") {
		t.Errorf("second run: %v", err)
	}
	if _, err := run("RSSMRA85T10A562X", "Mario", "Rossi"); err == nil || !strings.Contains(err.Error(), "non valido") {
		t.Errorf("bad codice fiscale: %v", err)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE indirizzo = 'riga di comando'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("recorded in the registro: %d %v", n, err)
	}
}
