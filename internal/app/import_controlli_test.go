package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
)

// `cartella import controlli FILE` imports the requests of any comune of
// the installation, prints the summary and each rejected line with its
// number and reasons; a second run changes nothing.
func TestImportControlliCommand(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	pool, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := demo.Load(context.Background(), accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	cf := codicefiscale.Compute("Rossi", "Mario", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), "M", "A944")
	riga := func(id, comune string) string {
		return `{"versione_tracciato":1,"id_richiesta":"` + id + `","tipo":"residenza","comune":"` + comune +
			`","codice_fiscale":"` + cf + `","cognome":"Rossi","nome":"Mario","data_richiesta":"2026-01-10","data_riferimento":"2026-01-05"}`
	}
	righe := []string{riga("INPS-VER-C1", "037011"), riga("INPS-VER-C2", "037060"), `{"id_richiesta":"INPS-VER-C3"}`, riga("INPS-VER-C4", "012345")}
	file := filepath.Join(t.TempDir(), "richieste.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(righe, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	run := func() string {
		var out, errw bytes.Buffer
		if err := Run(context.Background(), []string{"cartella", "import", "controlli", file}, env, &out, &errw); err != nil {
			t.Fatalf("import controlli: %v\n%s", err, errw.String())
		}
		return out.String()
	}
	first := run()
	for _, s := range []string{"4 righe: 2 richieste inserite, 0 invariate, 2 righe scartate",
		"riga 3 (INPS-VER-C3): campo versione_tracciato mancante; campo tipo mancante; campo comune mancante",
		"riga 4 (INPS-VER-C4): comune 012345: non è un comune di un ambito di questa installazione"} {
		if !strings.Contains(first, s) {
			t.Errorf("first run lacks %q:\n%s", s, first)
		}
	}
	if second := run(); !strings.Contains(second, "0 richieste inserite, 2 invariate, 2 righe scartate") {
		t.Errorf("second run:\n%s", second)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"cartella", "import", "controlli"}, env, &out, &out); err == nil {
		t.Error("an import without a file must fail")
	}
}
