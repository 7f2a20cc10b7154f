package accesso

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/text/encoding/charmap"

	"github.com/cartella/cartella/internal/dbtest"
)

// The tests of this file are in package accesso (not accesso_test) so that
// the benchmark can compare the one-statement import with the existing
// row-by-row upsertComune; main_test.go's TestMain serves both.

// headerISTAT is the header of the "Elenco comuni italiani" CSV as ISTAT
// publishes it: 26 columns, two quoted cells with a newline inside, footnote
// markers, trailing spaces. It spans lines 1 to 3 of the file.
const headerISTAT = "Codice Regione;" +
	"\"Codice dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";" +
	"Codice Provincia (Storico)(1);Progressivo del Comune (2);Codice Comune formato alfanumerico;" +
	"Denominazione (Italiana e straniera);Denominazione in italiano;Denominazione altra lingua;" +
	"Codice Ripartizione Geografica;Ripartizione geografica;Denominazione Regione;" +
	"\"Denominazione dell'Unità territoriale sovracomunale \n(valida a fini statistici)\";" +
	"Tipologia di Unità territoriale sovracomunale ;" +
	"Flag Comune capoluogo di provincia/città metropolitana/libero consorzio;Sigla automobilistica;" +
	"Codice Comune formato numerico;Codice Comune numerico con 110 province (dal 2010 al 2016);" +
	"Codice Comune numerico con 107 province (dal 2006 al 2009);" +
	"Codice Comune numerico con 103 province (dal 1995 al 2005);Codice Catastale del comune;" +
	"Codice NUTS1 2010;Codice NUTS2 2010 (3) ;Codice NUTS3 2010;Codice NUTS1 2021;Codice NUTS2 2021 (3) ;Codice NUTS3 2021"

// righeISTAT are the lines after the header, from line 4. The comment is
// the line number and what the test expects of it.
var righeISTAT = []string{
	/* 4 */ "01;201;001;001;001001;Agliè;Agliè;;1;Nord-ovest;Piemonte;Torino;3;0;TO;1001;1001;1001;1001;A074;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
	/* 5 */ "08;237;037;011;037011;Casalecchio di Reno;Casalecchio di Reno;;2;Nord-est;Emilia-Romagna;Bologna;3;0;BO;37011;37011;37011;37011;B880;ITH;ITH5;ITH55;ITH;ITH5;ITH55",
	/* 6 */ "04;021;021;008;021008;Bolzano/Bozen;Bolzano;Bozen;2;Nord-est;Trentino-Alto Adige/Südtirol;Bolzano/Bozen;2;1;BZ;21008;21008;21008;21008;A952;ITH;ITH1;ITH10;ITH;ITH1;ITH10",
	/* 7 */ "02;201;007;003;007003;Aosta/Aoste;Aosta;Aoste;1;Nord-ovest;Valle d'Aosta/Vallée d'Aoste;Valle d'Aosta/Vallée d'Aoste;5;1;AO;7003;7003;7003;7003;A326;ITC;ITC2;ITC20;ITC;ITC2;ITC20",
	/* 8 */ "08;040;040;012;040012;Forlì;Forlì;;2;Nord-est;Emilia-Romagna;Forlì-Cesena;1;1;FC;40012;40012;40012;40012;D704;ITH;ITH5;ITH58;ITH;ITH5;ITH58",
	/* 9 */ "",
	/* 10: five digits, as a spreadsheet leaves it */ "08;237;037;006;37006;Bologna;Bologna;;2;Nord-est;Emilia-Romagna;Bologna;3;1;BO;37006;37006;37006;37006;A944;ITH;ITH5;ITH55;ITH;ITH5;ITH55",
	/* 11 */ "01;201;001;022;001022;Bardonecchia;Bardonecchia;;1;Nord-ovest;Piemonte;Torino;3;0;TO;1022;1022;1022;1022;;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
	/* 12 */ "01;201;001;099;99X;Comune di prova;Comune di prova;;1;Nord-ovest;Piemonte;Torino;3;0;TO;;;;;Z998;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
	/* 13 */ "01;201;001;024;001024;Beinasco;Beinasco;;1;Nord-ovest;Piemonte;Torino;3;0;T0;1024;1024;1024;1024;A716;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
	/* 14 */ "01;201;001;001;001001;Agliè bis;Agliè bis;;1;Nord-ovest;Piemonte;Torino;3;0;TO;1001;1001;1001;1001;Z999;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
	/* 15 */ "08;237;037;099;037099;Casalecchio bis;Casalecchio bis;;2;Nord-est;Emilia-Romagna;Bologna;3;0;BO;37099;37099;37099;37099;B880;ITH;ITH5;ITH55;ITH;ITH5;ITH55",
	/* 16 */ "08;237;037;098;;Senza codice;Senza codice;;2;Nord-est;Emilia-Romagna;Bologna;3;0;BO;;;;;a1;ITH;ITH5;ITH55;ITH;ITH5;ITH55",
	/* 17 */ ";;;;;;;;;;;;;;;;;;;;;;;;;",
	/* 18: lowercase codes, spaces */ "19;282;082;027; 082027 ;Cefalù;Cefalù;;5;Isole;Sicilia;Palermo;3;0;pa;82027;82027;82027;82027;c421;ITG;ITG1;ITG12;ITG;ITG1;ITG12",
}

var comuniAttesi = []Comune{
	{CodiceISTAT: "001001", CodiceCatastale: "A074", Denominazione: "Agliè", Provincia: "TO", Regione: "Piemonte"},
	{CodiceISTAT: "037011", CodiceCatastale: "B880", Denominazione: "Casalecchio di Reno", Provincia: "BO", Regione: "Emilia-Romagna"},
	{CodiceISTAT: "021008", CodiceCatastale: "A952", Denominazione: "Bolzano", Provincia: "BZ", Regione: "Trentino-Alto Adige/Südtirol"},
	{CodiceISTAT: "007003", CodiceCatastale: "A326", Denominazione: "Aosta", Provincia: "AO", Regione: "Valle d'Aosta/Vallée d'Aoste"},
	{CodiceISTAT: "040012", CodiceCatastale: "D704", Denominazione: "Forlì", Provincia: "FC", Regione: "Emilia-Romagna"},
	{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna", Provincia: "BO", Regione: "Emilia-Romagna"},
	{CodiceISTAT: "082027", CodiceCatastale: "C421", Denominazione: "Cefalù", Provincia: "PA", Regione: "Sicilia"},
}

var scartateAttese = []RigaScartata{
	{11, "codice catastale mancante"},
	{12, `codice ISTAT non valido: "99X"`},
	{13, `sigla automobilistica non valida: "T0"`},
	{14, "codice ISTAT duplicato (già alla riga 4)"},
	{15, "codice catastale duplicato (già alla riga 5)"},
	{16, `codice ISTAT mancante; codice catastale non valido: "A1"`},
}

// fileISTAT joins the header and the lines with CRLF, as ISTAT does, in
// UTF-8; the callers encode it.
func fileISTAT(righe []string) string {
	return headerISTAT + "\r\n" + strings.Join(righe, "\r\n") + "\r\n"
}

func windows1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseOK(t testing.TB, b []byte) ([]Comune, []RigaScartata) {
	t.Helper()
	comuni, scartate, err := ParseComuniISTAT(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return comuni, scartate
}

// The Windows-1252 file of the older releases: accented names decoded,
// bilingual comuni under their Italian name, every bad line reported with
// its own line number (the header takes three lines, an empty line counts).
func TestParseComuniISTATWindows1252(t *testing.T) {
	t.Parallel()
	raw := windows1252(t, fileISTAT(righeISTAT))
	if !bytes.Contains(raw, []byte("Agli\xe8;")) || !bytes.Contains(raw, []byte("S\xfcdtirol")) {
		t.Fatal("the sample is not Windows-1252")
	}
	comuni, scartate := parseOK(t, raw)
	if !reflect.DeepEqual(comuni, comuniAttesi) {
		t.Errorf("comuni:\n got %+v\nwant %+v", comuni, comuniAttesi)
	}
	if !reflect.DeepEqual(scartate, scartateAttese) {
		t.Errorf("righe scartate:\n got %+v\nwant %+v", scartate, scartateAttese)
	}
}

// The UTF-8 file of the newer releases, with a BOM: the same result.
func TestParseComuniISTATUTF8(t *testing.T) {
	t.Parallel()
	raw := append([]byte("\uFEFF"), fileISTAT(righeISTAT)...)
	comuni, scartate := parseOK(t, raw)
	if !reflect.DeepEqual(comuni, comuniAttesi) {
		t.Errorf("comuni:\n got %+v\nwant %+v", comuni, comuniAttesi)
	}
	if !reflect.DeepEqual(scartate, scartateAttese) {
		t.Errorf("righe scartate:\n got %+v\nwant %+v", scartate, scartateAttese)
	}
}

// An older, shorter layout: other header names and case, LF line ends, only
// the column with both names (then the bilingual name is kept whole), and a
// code that lost both leading zeros in a spreadsheet.
func TestParseComuniISTATOtherHeaders(t *testing.T) {
	t.Parallel()
	raw := "Codice Comune formato alfanumerico;Denominazione (Italiana e straniera);DENOMINAZIONE REGIONE;" +
		"Sigla automobilistica;Codice Catastale\n" +
		"021008;Bolzano/Bozen;Trentino-Alto Adige/Südtirol;BZ;A952\n" +
		"1001;Agliè;Piemonte;TO;A074\n"
	comuni, scartate := parseOK(t, []byte(raw))
	want := []Comune{
		{CodiceISTAT: "021008", CodiceCatastale: "A952", Denominazione: "Bolzano/Bozen", Provincia: "BZ", Regione: "Trentino-Alto Adige/Südtirol"},
		{CodiceISTAT: "001001", CodiceCatastale: "A074", Denominazione: "Agliè", Provincia: "TO", Regione: "Piemonte"},
	}
	if !reflect.DeepEqual(comuni, want) || len(scartate) != 0 {
		t.Errorf("got %+v %+v, want %+v", comuni, scartate, want)
	}
}

func TestParseComuniISTATMissingColumns(t *testing.T) {
	t.Parallel()
	header := strings.NewReplacer("Sigla automobilistica", "Sigla", "Codice Catastale del comune", "Catasto").Replace(headerISTAT)
	_, _, err := ParseComuniISTAT(strings.NewReader(header + "\r\n" + righeISTAT[0] + "\r\n"))
	if !errors.Is(err, ErrElencoNonValido) ||
		!strings.Contains(err.Error(), "mancano le colonne «Sigla automobilistica», «Codice Catastale del comune»") {
		t.Errorf("missing columns: %v", err)
	}
	_, _, err = ParseComuniISTAT(strings.NewReader("Codice Comune formato alfanumerico;Denominazione in italiano;Denominazione regione;Sigla automobilistica\n"))
	if !errors.Is(err, ErrElencoNonValido) || !strings.Contains(err.Error(), "manca la colonna «Codice Catastale del comune»") {
		t.Errorf("missing column: %v", err)
	}
	for _, empty := range []string{"", "\uFEFF"} {
		if _, _, err := ParseComuniISTAT(strings.NewReader(empty)); !errors.Is(err, ErrElencoNonValido) {
			t.Errorf("empty file %q: %v", empty, err)
		}
	}
	big := bytes.Repeat([]byte("x"), MaxElencoComuni+1)
	if _, _, err := ParseComuniISTAT(bytes.NewReader(big)); !errors.Is(err, ErrElencoNonValido) {
		t.Errorf("file too big: %v", err)
	}
}

func contaComuni(t testing.TB, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM comune`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func comuneByISTAT(t testing.TB, pool *pgxpool.Pool, istat string) Comune {
	t.Helper()
	var c Comune
	err := pool.QueryRow(context.Background(), `
		SELECT id, codice_istat, codice_catastale, denominazione, provincia, regione, ambito_id
		FROM comune WHERE codice_istat = $1`, istat).
		Scan(&c.ID, &c.CodiceISTAT, &c.CodiceCatastale, &c.Denominazione, &c.Provincia, &c.Regione, &c.AmbitoID)
	if err != nil {
		t.Fatalf("comune %s: %v", istat, err)
	}
	return c
}

func sampleComuni(t testing.TB) []Comune {
	t.Helper()
	comuni, _ := parseOK(t, windows1252(t, fileISTAT(righeISTAT)))
	return comuni
}

// Importing the same list again changes nothing; a renamed comune is the
// only one updated.
func TestImportComuniIdempotent(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := NewService(pool)
	ctx := context.Background()
	comuni := sampleComuni(t)

	res, err := s.ImportComuni(ctx, comuni)
	if want := (RisultatoImport{Inseriti: 7}); err != nil || res != want {
		t.Fatalf("first import: %+v %v, want %+v", res, err, want)
	}
	if c := comuneByISTAT(t, pool, "001001"); c.Denominazione != "Agliè" || c.CodiceCatastale != "A074" || c.AmbitoID != nil {
		t.Errorf("Agliè stored as %+v", c)
	}
	res, err = s.ImportComuni(ctx, comuni)
	if want := (RisultatoImport{Invariati: 7}); err != nil || res != want {
		t.Fatalf("second import: %+v %v, want %+v", res, err, want)
	}

	comuni[2].Denominazione = "Bolzano/Bozen"
	res, err = s.ImportComuni(ctx, comuni)
	if want := (RisultatoImport{Aggiornati: 1, Invariati: 6}); err != nil || res != want {
		t.Fatalf("import with a new name: %+v %v, want %+v", res, err, want)
	}
	if c := comuneByISTAT(t, pool, "021008"); c.Denominazione != "Bolzano/Bozen" {
		t.Errorf("Bolzano after the update: %+v", c)
	}
	if n := contaComuni(t, pool); n != 7 {
		t.Errorf("%d comuni in the table, want 7", n)
	}
}

// The ambito of a comune is the administrators' business, not ISTAT's: the
// import neither changes it nor takes it from the input.
func TestImportComuniKeepsAmbito(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := NewService(pool)
	ctx := context.Background()
	amb, _, err := s.CreateAmbito(ctx, Ambito{Codice: "ATS-37-1", Denominazione: "Distretto di Casalecchio di Reno",
		EnteCapofila: "ASC InSieme"}, []Comune{
		{CodiceISTAT: "037011", CodiceCatastale: "B880", Denominazione: "Casalecchio", Provincia: "BO", Regione: "Emilia-Romagna"},
	})
	if err != nil {
		t.Fatal(err)
	}
	comuni := sampleComuni(t)
	for i := range comuni {
		comuni[i].AmbitoID = &amb.ID // ignored
	}
	res, err := s.ImportComuni(ctx, comuni)
	if want := (RisultatoImport{Inseriti: 6, Aggiornati: 1}); err != nil || res != want {
		t.Fatalf("import: %+v %v, want %+v", res, err, want)
	}
	got, err := s.Comuni(ctx, amb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].CodiceISTAT != "037011" || got[0].Denominazione != "Casalecchio di Reno" {
		t.Errorf("comuni of the ambito after the import: %+v", got)
	}
	res, err = s.ImportComuni(ctx, comuni)
	if want := (RisultatoImport{Invariati: 7}); err != nil || res != want {
		t.Fatalf("re-import: %+v %v, want %+v", res, err, want)
	}
	if c := comuneByISTAT(t, pool, "037011"); c.AmbitoID == nil || *c.AmbitoID != amb.ID {
		t.Errorf("Casalecchio lost its ambito: %+v", c)
	}
}

// One comune the database refuses (its catastale code belongs to another
// comune already in the table) and nothing of the list is applied.
func TestImportComuniRollsBack(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := NewService(pool)
	ctx := context.Background()
	_, err := s.ImportComuni(ctx, []Comune{
		{CodiceISTAT: "001999", CodiceCatastale: "A074", Denominazione: "Comune soppresso", Provincia: "TO", Regione: "Piemonte"},
		{CodiceISTAT: "021008", CodiceCatastale: "A952", Denominazione: "Bolzano vecchio", Provincia: "BZ", Regione: "Trentino-Alto Adige"},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := contaComuni(t, pool)

	res, err := s.ImportComuni(ctx, sampleComuni(t))
	want := "A074 di Agliè (001001) è già di Comune soppresso (001999)"
	if !errors.Is(err, ErrDuplicateEntry) || !strings.Contains(err.Error(), want) || res != (RisultatoImport{}) {
		t.Fatalf("import over a taken catastale code: %+v %v", res, err)
	}
	t.Log(err)
	if after := contaComuni(t, pool); after != before {
		t.Errorf("%d comuni before, %d after a failed import", before, after)
	}
	if c := comuneByISTAT(t, pool, "021008"); c.Denominazione != "Bolzano vecchio" {
		t.Errorf("an update survived the failed import: %+v", c)
	}
}

// A list that breaks the table's rules fails before the database is touched,
// naming the offending comune.
func TestImportComuniRejectsInvalidList(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := NewService(pool)
	ctx := context.Background()
	base := sampleComuni(t)
	cases := map[string]struct {
		edit func([]Comune) []Comune
		want string
	}{
		"istat duplicato": {func(c []Comune) []Comune {
			return append(c, Comune{CodiceISTAT: "001001", CodiceCatastale: "Z999", Denominazione: "X", Provincia: "TO", Regione: "Piemonte"})
		},
			`comune n. 8 ("X"): codice ISTAT duplicato (già al comune n. 1)`},
		"catastale duplicato": {func(c []Comune) []Comune { c[1].CodiceCatastale = "A074"; return c },
			`comune n. 2 ("Casalecchio di Reno"): codice catastale duplicato (già al comune n. 1)`},
		"sigla": {func(c []Comune) []Comune { c[3].Provincia = "Aosta"; return c },
			`comune n. 4 ("Aosta"): sigla automobilistica non valida: "Aosta"`},
		"istat corto": {func(c []Comune) []Comune { c[0].CodiceISTAT = "1001"; return c },
			`comune n. 1 ("Agliè"): codice ISTAT non valido: "1001"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := s.ImportComuni(ctx, tc.edit(append([]Comune(nil), base...)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
	if n := contaComuni(t, pool); n != 0 {
		t.Errorf("%d comuni written by invalid lists", n)
	}
	if res, err := s.ImportComuni(ctx, nil); err != nil || res != (RisultatoImport{}) {
		t.Errorf("empty list: %+v %v", res, err)
	}
}

// generaComuni returns n distinct valid comuni; suffix changes every name.
func generaComuni(n int, suffix string) []Comune {
	comuni := make([]Comune, n)
	for i := range comuni {
		comuni[i] = Comune{
			CodiceISTAT:     fmt.Sprintf("%06d", 1001+i),
			CodiceCatastale: fmt.Sprintf("%c%03d", 'A'+i/1000, i%1000),
			Denominazione:   fmt.Sprintf("Comune numero %d%s", i, suffix),
			Provincia:       "TO",
			Regione:         "Piemonte",
		}
	}
	return comuni
}

// fileGenerato is the whole-country file's size in the real layout.
func fileGenerato(t testing.TB, comuni []Comune) []byte {
	t.Helper()
	righe := make([]string, len(comuni))
	for i, c := range comuni {
		righe[i] = fmt.Sprintf("01;201;%s;%s;%s;%s à;%s à;;1;Nord-ovest;%s;Torino;3;0;%s;%d;%d;%d;%d;%s;ITC;ITC1;ITC11;ITC;ITC1;ITC11",
			c.CodiceISTAT[:3], c.CodiceISTAT[3:], c.CodiceISTAT, c.Denominazione, c.Denominazione, c.Regione, c.Provincia,
			1001+i, 1001+i, 1001+i, 1001+i, c.CodiceCatastale)
	}
	return windows1252(t, fileISTAT(righe))
}

// The whole country (about 7,900 comuni) in one import: the figures are
// logged, not asserted, as they depend on the machine.
func TestImportComuniOttomila(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	s := NewService(pool)
	ctx := context.Background()
	const n = 8000
	raw := fileGenerato(t, generaComuni(n, ""))

	start := time.Now()
	comuni, scartate := parseOK(t, raw)
	tParse := time.Since(start)
	if len(comuni) != n || len(scartate) != 0 {
		t.Fatalf("parsed %d comuni, %d rejected", len(comuni), len(scartate))
	}

	step := func(name string, list []Comune, want RisultatoImport) time.Duration {
		t.Helper()
		start := time.Now()
		res, err := s.ImportComuni(ctx, list)
		d := time.Since(start)
		if err != nil || res != want {
			t.Fatalf("%s: %+v %v, want %+v", name, res, err, want)
		}
		return d
	}
	tInsert := step("first import", comuni, RisultatoImport{Inseriti: n})
	tSame := step("same list again", comuni, RisultatoImport{Invariati: n})
	renamed := generaComuni(n, " (nuovo nome)")
	tRenamed := step("every name changed", renamed, RisultatoImport{Aggiornati: n})
	t.Logf("%d comuni, %d KB of Windows-1252: parse %v; import into an empty table %v, unchanged %v, all renamed %v",
		n, len(raw)>>10, tParse.Round(time.Millisecond), tInsert.Round(time.Millisecond),
		tSame.Round(time.Millisecond), tRenamed.Round(time.Millisecond))
}

// BenchmarkImportComuni measures the import of 8,000 comuni, and the
// existing row-by-row upsertComune in one transaction for comparison (the
// reason ImportComuni sends the list as arrays in a single statement).
func BenchmarkImportComuni(b *testing.B) {
	pool := dbtest.New(b)
	s := NewService(pool)
	ctx := context.Background()
	comuni := generaComuni(8000, "")
	svuota := func() {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `DELETE FROM comune`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.Run("parse", func(b *testing.B) {
		raw := fileGenerato(b, comuni)
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, _, err := ParseComuniISTAT(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inserimento", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			svuota()
			if _, err := s.ImportComuni(ctx, comuni); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("invariati", func(b *testing.B) {
		if _, err := s.ImportComuni(ctx, comuni); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.ImportComuni(ctx, comuni); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("riga-per-riga", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			svuota()
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				for _, c := range comuni {
					if _, err := s.st.upsertComune(ctx, tx, c); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
