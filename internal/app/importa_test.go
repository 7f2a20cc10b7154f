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

// The ISTAT list as published (semicolon CSV, Windows-1252 in the real file;
// UTF-8 here), with one bad line: the command loads the good lines, prints
// the bad one with its reason, and a second run changes nothing.
func TestImportComuniCommand(t *testing.T) {
	t.Parallel()
	dsn := dbtest.URL(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	header := "Codice Regione;Codice dell'Unità territoriale sovracomunale (valida a fini statistici);" +
		"Codice Provincia (Storico)(1);Progressivo del Comune (2);Codice Comune formato alfanumerico;" +
		"Denominazione (Italiana e straniera);Denominazione in italiano;Denominazione altra lingua;" +
		"Codice Ripartizione Geografica;Ripartizione geografica;Denominazione Regione;" +
		"Denominazione dell'Unità territoriale sovracomunale (valida a fini statistici);" +
		"Tipologia di Unità territoriale sovracomunale ;" +
		"Flag Comune capoluogo di provincia/città metropolitana/libero consorzio;Sigla automobilistica;" +
		"Codice Comune formato numerico;Codice Comune numerico con 110 province (dal 2010 al 2016);" +
		"Codice Comune numerico con 107 province (dal 2006 al 2009);" +
		"Codice Comune numerico con 103 province (dal 1995 al 2005);Codice Catastale del comune;" +
		"Codice NUTS1 2010;Codice NUTS2 2010 (3) ;Codice NUTS3 2010;Codice NUTS1 2021;Codice NUTS2 2021 (3) ;Codice NUTS3 2021"
	lines := []string{header,
		"08;237;037;006;037006;Bologna;Bologna;;2;Nord-est;Emilia-Romagna;Bologna;3;1;BO;37006;37006;37006;37006;A944;ITH;ITH5;ITH55;ITH;ITH5;ITH55",
		"08;040;040;012;040012;Forlì;Forlì;;2;Nord-est;Emilia-Romagna;Forlì-Cesena;1;1;FC;40012;40012;40012;40012;D704;ITH;ITH5;ITH58;ITH;ITH5;ITH58",
		"01;201;001;022;001022;Bardonecchia;Bardonecchia;;1;Nord-ovest;Piemonte;Torino;3;0;TO;1022;1022;1022;1022;;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
	}
	file := filepath.Join(t.TempDir(), "Elenco-comuni-italiani.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\r\n")+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func() string {
		var out bytes.Buffer
		if err := Run(context.Background(), []string{"cartella", "import", "comuni", file}, env, &out, &out); err != nil {
			t.Fatalf("import comuni: %v\n%s", err, out.String())
		}
		return out.String()
	}
	first := run()
	for _, want := range []string{"riga 4 scartata: codice catastale mancante", "2 inseriti, 0 aggiornati, 0 invariati, 1 righe scartate"} {
		if !strings.Contains(first, want) {
			t.Errorf("first import output lacks %q:\n%s", want, first)
		}
	}
	if second := run(); !strings.Contains(second, "0 inseriti, 0 aggiornati, 2 invariati") {
		t.Errorf("second import changed something:\n%s", second)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var name string
	if err := conn.QueryRow(context.Background(), `SELECT denominazione FROM comune WHERE codice_istat = '040012'`).Scan(&name); err != nil || name != "Forlì" {
		t.Errorf("Forlì not loaded: %q %v", name, err)
	}
	var recorded int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'comuni'`).Scan(&recorded); err != nil || recorded != 2 {
		t.Errorf("imports recorded in the registro: %d %v, want 2", recorded, err)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"cartella", "import", "comuni", file, file}, env, &out, &out); err == nil {
		t.Error("import comuni with two files must fail")
	}
	// Without a file: the list shipped with the binary (docs/formats/luoghi.md).
	out.Reset()
	if err := Run(context.Background(), []string{"cartella", "import", "comuni"}, env, &out, &out); err != nil || !strings.Contains(out.String(), " inseriti, ") {
		t.Fatalf("import comuni of the shipped list: %v\n%s", err, out.String())
	}
	var n int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM comune`).Scan(&n); err != nil || n < 7800 {
		t.Errorf("%d comuni after importing the shipped list: %v", n, err)
	}
}
