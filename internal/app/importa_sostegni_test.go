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

// The administrator loads the official nomenclatore from a spreadsheet's
// CSV: first with --prova (nothing written), then for real (recorded in the
// registro), then a file with a bad line (nothing loaded, the line named).
// The dates are far enough ahead that the day the test runs does not matter.
func TestImportSostegniCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.URL(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	dir := t.TempDir()
	scrivi := func(name string, lines ...string) string {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte("\uFEFF"+strings.Join(lines, "\r\n")+"\r\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(ctx, append([]string{"cartella", "import", "sostegni"}, args...), env, &out, &out)
		return out.String(), err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	catalogo := func() string {
		var s string
		if err := conn.QueryRow(ctx, `SELECT json_agg(t ORDER BY codice, valido_dal)::text FROM patto_sostegno_tipo t`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	registrato := func() []string {
		rows, err := conn.Query(ctx, `SELECT indirizzo || ': ' || dettaglio FROM registro_accessi
			WHERE oggetto_tipo = 'patto_sostegno_tipo' AND azione = 'scrittura' AND esito = 'consentito' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	file := scrivi("nomenclatore.csv",
		"Codice;Valido_dal;Etichetta;Nomenclatore_codice;Nomenclatore_versione",
		"tirocinio_inclusione;01/01/2090;Tirocinio di inclusione;D5;CISIS 2013",
		"centro_diurno;01/01/2090;Centro diurno socio-educativo;LB2;CISIS 2013",
		"altro;01/01/2090;Altro intervento;;",
	)
	seed := catalogo()
	piano := "tirocinio_inclusione: aggiornata dal 01/01/2090\ncentro_diurno: nuova dal 01/01/2090\naltro: invariata\n"

	out, err := run(file, "--prova")
	if err != nil {
		t.Fatalf("--prova: %v\n%s", err, out)
	}
	if want := piano + "catalogo dei sostegni: 1 voci nuove, 1 aggiornate, 1 invariate (prova: nulla è stato scritto)\n"; out != want {
		t.Errorf("--prova printed:\n%s\nwant:\n%s", out, want)
	}
	if catalogo() != seed || len(registrato()) != 0 {
		t.Error("--prova wrote something")
	}

	out, err = run(file)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	riepilogo := "catalogo dei sostegni: 1 voci nuove, 1 aggiornate, 1 invariate"
	if want := piano + riepilogo + "\n"; out != want {
		t.Errorf("import printed:\n%s\nwant:\n%s", out, want)
	}
	var codice string
	if err := conn.QueryRow(ctx, `SELECT nomenclatore_codice FROM patto_sostegno_tipo
		WHERE codice = 'tirocinio_inclusione' AND valido_dal = '2090-01-01'`).Scan(&codice); err != nil || codice != "D5" {
		t.Errorf("tirocinio_inclusione from 2090: %q %v", codice, err)
	}
	if got := registrato(); len(got) != 1 || got[0] != "riga di comando: "+riepilogo {
		t.Errorf("registro: %q", got)
	}

	dopo := catalogo()
	bad := scrivi("errato.csv",
		"codice;valido_dal;etichetta",
		"segretariato_sociale;01/01/2091;Segretariato sociale e informazione",
		"sanitario;31/02/2091;Interventi sanitari",
		"tirocinio_inclusione;01/06/2090;Tirocinio",
	)
	out, err = run(bad)
	if err == nil || !strings.Contains(err.Error(), "2 righe scartate: nessuna voce del catalogo dei sostegni è stata caricata") {
		t.Errorf("a file with bad lines: %v", err)
	}
	want := "riga 3 scartata: data di validità non valida: «31/02/2091» (aaaa-mm-gg o gg/mm/aaaa)\n" +
		"riga 4 scartata: è già prevista una variazione dal 01/01/2090: una nuova si carica quando quella è in vigore\n"
	if out != want {
		t.Errorf("a file with bad lines printed:\n%s\nwant:\n%s", out, want)
	}
	if catalogo() != dopo || len(registrato()) != 1 {
		t.Error("a file with bad lines wrote something")
	}

	unknown := scrivi("colonne.csv", "codice;valido_dal;codice_nomenclatore", "altro;01/01/2090;X")
	if _, err := run(unknown); err == nil || !strings.Contains(err.Error(), "colonna sconosciuta «codice_nomenclatore» (colonna 3)") {
		t.Errorf("a file with an unknown column: %v", err)
	}
	for _, args := range [][]string{{}, {"--prova"}, {file, file}, {file, "--forza"}} {
		if _, err := run(args...); err == nil || !strings.Contains(err.Error(), "usage: cartella import sostegni FILE [--prova]") {
			t.Errorf("import sostegni %q: %v, want the usage", args, err)
		}
	}
}
