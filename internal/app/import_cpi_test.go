package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
)

// `cartella import cpi FILE` records the CPI's convocation of a member sent
// there, prints the summary and each rejected line with its reason; a
// second run changes nothing.
func TestImportCPICommand(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	pool, err := database.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	if err := demo.Load(ctx, accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	cs := casi.NewService(pool, registro.NewService(pool, registro.ChiaveDiProva()))
	fx := fixtures.New(t, pool)
	fx.Casi = cs
	cm := fx.Demo()["casemanager"]
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CPI-1", CaseManager: cm})
	oggi := cs.Oggi()
	if _, err := cs.AggiornaCondizioni(ctx, cm, c.ID, c.Persone[0], casi.Condizioni{InviatoCPIIl: oggi.AddDate(0, 0, -30).Format("2006-01-02"),
		Versione: c.Versione}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	righe := []string{
		`{"id_domanda":"INPS-CPI-1","codice_fiscale":"` + c.RichiedenteCF + `","convocato_il":"` + oggi.AddDate(0, 0, -2).Format("2006-01-02") + `","esito":"presente"}`,
		`{"id_domanda":"INPS-CPI-2","codice_fiscale":"` + c.RichiedenteCF + `","convocato_il":"2026-11-01","esito":""}`,
	}
	file := filepath.Join(t.TempDir(), "cpi.jsonl")
	if err := os.WriteFile(file, []byte(strings.Join(righe, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	run := func() string {
		var out, errw bytes.Buffer
		if err := Run(ctx, []string{"cartella", "import", "cpi", file}, env, &out, &errw); err != nil {
			t.Fatalf("import cpi: %v\n%s", err, errw.String())
		}
		return out.String()
	}
	if first := run(); !strings.Contains(first, "1 convocazioni registrate, 0 invariate, 1 righe scartate") ||
		!strings.Contains(first, "riga 2: nessun caso aperto per questa domanda") {
		t.Errorf("first run:\n%s", first)
	}
	if second := run(); !strings.Contains(second, "0 convocazioni registrate, 1 invariate, 1 righe scartate") {
		t.Errorf("second run:\n%s", second)
	}
	var out bytes.Buffer
	if err := Run(ctx, []string{"cartella", "import", "cpi"}, env, &out, &out); err == nil {
		t.Error("an import without a file must fail")
	}
}
