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
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/flusso"
)

// `cartella import nuclei` imports a file into an ambito, prints the
// summary and each rejected line with its reason; a second run changes
// nothing.
func TestImportNucleiCommand(t *testing.T) {
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
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, 50, flusso.Opzioni{Seme: 3, Oggi: time.Now(), Comuni: []string{"037011", "037060"}}); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("non è json\n")
	file := filepath.Join(t.TempDir(), "nuclei.jsonl")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	run := func() string {
		var out, errw bytes.Buffer
		if err := Run(context.Background(), []string{"cartella", "import", "nuclei", "--ambito", demo.AmbitoCodice, file}, env, &out, &errw); err != nil {
			t.Fatalf("import nuclei: %v\n%s", err, errw.String())
		}
		return out.String()
	}
	first := run()
	if !strings.Contains(first, "51 righe, 50 nuclei inseriti, 0 aggiornati, 0 invariati, 1 righe scartate") || !strings.Contains(first, "riga 51 (") {
		t.Errorf("first run:\n%s", first)
	}
	if second := run(); !strings.Contains(second, "0 nuclei inseriti, 0 aggiornati, 50 invariati") {
		t.Errorf("second run:\n%s", second)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"cartella", "import", "nuclei", file}, env, &out, &out); err == nil {
		t.Error("an import without --ambito must fail")
	}
}
