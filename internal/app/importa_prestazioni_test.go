package app

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/dbtest"
)

// `cartella import prestazioni FILE`: the catalogue shipped with the
// repository loads, loading it again changes nothing, and a file with bad
// lines loads nothing and names every line with its reason.
func TestImportPrestazioniCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.URL(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	run := func(file string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, []string{"cartella", "import", "prestazioni", file}, env, &out, &out)
		return out.String(), err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	conta := func() (n int, testo string) {
		if err := conn.QueryRow(ctx, `SELECT count(*), COALESCE(string_agg(codice || '=' || denominazione || '/' || area, ',' ORDER BY codice), '')
			FROM prestazione_catalogo`).Scan(&n, &testo); err != nil {
			t.Fatal(err)
		}
		return n, testo
	}
	esempio := filepath.Join("..", "demo", "prestazioni-esempio.csv")
	out, err := run(esempio)
	if err != nil || !strings.Contains(out, "10 inserite, 0 aggiornate, 0 invariate") {
		t.Fatalf("first load: %v\n%s", err, out)
	}
	n, prima := conta()
	if n != 10 {
		t.Fatalf("%d voci", n)
	}
	out, err = run(esempio)
	if _, dopo := conta(); err != nil || !strings.Contains(out, "0 inserite, 0 aggiornate, 10 invariate") || dopo != prima {
		t.Fatalf("second load: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("codice;denominazione;area\nZ9.99;Una prestazione nuova e valida;1\na1.09;Breve;7\nA1.09;Contributo economico;\nA1.09;Contributo economico bis;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run(bad)
	if err == nil || !strings.Contains(err.Error(), "2 righe scartate: nessuna prestazione del catalogo è stata caricata") {
		t.Fatalf("bad file: %v\n%s", err, out)
	}
	for _, want := range []string{"riga 3 scartata: codice non valido: «a1.09»", "la denominazione ha 5 caratteri", "area non valida: «7»",
		"riga 5 scartata: il codice A1.09 è già alla riga 4"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, dopo := conta(); dopo != prima {
		t.Fatal("a refused file wrote something")
	}
	var reg int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'catalogo_prestazioni' AND indirizzo = 'riga di comando'`).Scan(&reg); err != nil || reg != 2 {
		t.Fatalf("registro: %d, %v", reg, err)
	}
}
