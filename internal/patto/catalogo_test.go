package patto_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
)

func parseCatalogo(t *testing.T, file string) patto.Catalogo {
	t.Helper()
	c, err := patto.ParseCatalogo(strings.NewReader(file))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

// catalogoScritto is the whole table as the administrator would dump it, to
// tell whether an import wrote anything.
func catalogoScritto(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	if err := pool.QueryRow(context.Background(),
		`SELECT json_agg(t ORDER BY codice, valido_dal)::text FROM patto_sostegno_tipo t`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func registrazioniCatalogo(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT azione || ' ' || esito || ' ' || indirizzo || ': ' || dettaglio FROM registro_accessi
		WHERE oggetto_tipo = 'patto_sostegno_tipo' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func esiti(res patto.RisultatoCatalogo) string {
	var b strings.Builder
	for _, v := range res.Voci {
		fmt.Fprintln(&b, v)
	}
	for _, s := range res.Scartate {
		fmt.Fprintf(&b, "riga %d scartata: %s\n", s.Riga, s.Motivo)
	}
	return b.String()
}

func giorno(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// A file that cannot be a catalogue is refused whole, with the reason the
// administrator must fix.
func TestParseCatalogoFileRifiutato(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, file, want string }{
		{"vuoto", "", "il file è vuoto"},
		{"solo intestazione", "codice;valido_dal;etichetta\r\n", "il file non contiene voci"},
		{"colonna sconosciuta", "codice;valido_dal;etichetta;nomenclatore\naltro;2027-01-01;Altro;X\n",
			"colonna sconosciuta «nomenclatore» (colonna 4); le colonne ammesse sono codice, valido_dal, etichetta"},
		{"colonne sconosciute", "codice,valido_dal,Codice ISTAT,\naltro,2027-01-01,1,\n",
			"colonne sconosciute «Codice ISTAT» (colonna 3), «» (colonna 4)"},
		{"colonna ripetuta", "codice;valido_dal;etichetta;Etichetta\n", "colonne ripetute nell'intestazione: «etichetta»"},
		{"manca valido_dal", "codice;etichetta\naltro;Altro\n", "manca la colonna «valido_dal»"},
		{"mancano codice e valido_dal", "etichetta\nAltro\n", "mancano le colonne «codice» e «valido_dal»"},
		{"non UTF-8", "codice;valido_dal;etichetta\naltro;2027-01-01;Attivit\xe0\n", "il file non è in UTF-8 (riga 2)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := patto.ParseCatalogo(strings.NewReader(tc.file))
			if !errors.Is(err, patto.ErrCatalogoNonValido) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrCatalogoNonValido with %q", err, tc.want)
			}
		})
	}
}

// Every bad row is reported with its line and reason; the good ones are
// read; blank lines are skipped but counted.
func TestParseCatalogoRigheScartate(t *testing.T) {
	t.Parallel()
	file := strings.Join([]string{
		"codice;valido_dal;etichetta;macrolivello;nomenclatore_codice;nomenclatore_versione;tirocinio;ordine",
		";2027-01-01;X;;;;;",                 // 2
		"Centro Diurno;2027-01-01;X;;;;;",    // 3
		"a;;X;;;;;",                          // 4
		"b;30/02/2027;X;;;;;",                // 5
		"c;0207-01-01;X;;;;;",                // 6
		"d;2027-01-01;;;;;;",                 // 7
		"e;2027-01-01;X;7;;;;",               // 8
		"f;2027-01-01;X;;D5;;;",              // 9
		"g;2027-01-01;X;;;;forse;",           // 10
		"h;2027-01-01;X;;;;;primo",           // 11
		"i;2027-01-01;X;;;",                  // 12
		"j;1/3/2027;X;3;D5;CISIS 2013;sì;12", // 13
		"j;2027-01-01;X;;;;;",                // 14
		"",                                   // 15
		";;;;;;;",                            // 16
		"k;2027-01-01;\"Voce; con \"\"virgolette\"\"\";;;;no;", // 17
	}, "\n")
	c := parseCatalogo(t, file)
	want := map[int]string{
		2:  "codice mancante",
		3:  "codice non valido: «Centro Diurno» (lettere minuscole senza accenti, cifre e _, fino a 40 caratteri)",
		4:  "data di validità mancante",
		5:  "data di validità non valida: «30/02/2027» (aaaa-mm-gg o gg/mm/aaaa)",
		6:  "data di validità fuori intervallo: «0207-01-01» (dal 2000 al 2099)",
		7:  "etichetta vuota",
		8:  "macrolivello non valido: «7» (da 1 a 5, o vuoto)",
		9:  "codice e versione del nomenclatore vanno indicati insieme (o lasciati vuoti entrambi)",
		10: "tirocinio non valido: «forse» (sì o no)",
		11: "ordine non valido: «primo» (un numero intero)",
		12: "la riga ha 6 valori, l'intestazione 8 colonne",
		14: "il codice j è già alla riga 13",
	}
	got := map[int]string{}
	for _, s := range c.Scartate {
		got[s.Riga] = s.Motivo
	}
	for riga, motivo := range want {
		if got[riga] != motivo {
			t.Errorf("riga %d: %q, want %q", riga, got[riga], motivo)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rejected %v, want exactly the lines %v", got, want)
	}
	if len(c.Voci) != 2 {
		t.Fatalf("voci %+v, want j and k", c.Voci)
	}
	j, k := c.Voci[0], c.Voci[1]
	if j.Riga != 13 || j.Codice != "j" || !j.ValidoDal.Equal(giorno(2027, 3, 1)) || *j.Etichetta != "X" || *j.Macrolivello != "3" ||
		*j.NomenclatoreCodice != "D5" || *j.NomenclatoreVersione != "CISIS 2013" || !*j.Tirocinio || *j.Ordine != 12 {
		t.Errorf("riga 13 read as %+v", j)
	}
	if k.Riga != 17 || *k.Etichetta != `Voce; con "virgolette"` || *k.Tirocinio || k.Ordine != nil {
		t.Errorf("riga 17 read as %+v", k)
	}
}

// A spreadsheet's export: byte order mark, comma, column names in capitals,
// columns left out (nil: the voce keeps its value).
func TestParseCatalogoVirgolaEIntestazione(t *testing.T) {
	t.Parallel()
	c := parseCatalogo(t, "\uFEFFCodice,Valido_Dal,NOMENCLATORE_CODICE,Nomenclatore_Versione\r\ntirocinio_inclusione,01/01/2027,D5,CISIS 2013\r\n")
	if len(c.Scartate) != 0 || len(c.Voci) != 1 {
		t.Fatalf("%+v", c)
	}
	v := c.Voci[0]
	if v.Riga != 2 || v.Codice != "tirocinio_inclusione" || *v.NomenclatoreCodice != "D5" || *v.NomenclatoreVersione != "CISIS 2013" ||
		v.Etichetta != nil || v.Descrizione != nil || v.Macrolivello != nil || v.Tirocinio != nil || v.Ordine != nil {
		t.Errorf("%+v", v)
	}
}

// The official list loaded from 1 January 2027: tirocinio_inclusione gets
// its code (the old row closes on 31 December 2026, so patti of 2026 keep
// it without), centro_diurno is new (after the last voce), altro is as the
// table has it. Codici the file does not name are left alone.
func TestImportaCatalogo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	file := "codice;valido_dal;etichetta;macrolivello;nomenclatore_codice;nomenclatore_versione;ordine\n" +
		"tirocinio_inclusione;01/01/2027;Tirocinio finalizzato all'inclusione sociale, all'autonomia e alla riabilitazione;5;D5;CISIS 2013;\n" +
		"centro_diurno;2027-01-01;Centro diurno socio-educativo;3;LB2;CISIS 2013;\n" +
		"altro;2027-01-01;Altro intervento;;;;\n"
	res, err := patto.ImportaCatalogo(ctx, pool, registro.NewService(pool, registro.ChiaveDiProva()), parseCatalogo(t, file), oggi,
		registro.Voce{Indirizzo: "riga di comando"})
	if err != nil {
		t.Fatalf("import: %v\n%s", err, esiti(res))
	}
	want := "tirocinio_inclusione: aggiornata dal 01/01/2027\ncentro_diurno: nuova dal 01/01/2027\naltro: invariata\n"
	if got := esiti(res); got != want {
		t.Errorf("esiti:\n%s\nwant:\n%s", got, want)
	}
	riepilogo := "catalogo dei sostegni: 1 voci nuove, 1 aggiornate, 1 invariate"
	if res.Riepilogo() != riepilogo {
		t.Errorf("riepilogo %q", res.Riepilogo())
	}

	prima, err := patto.CaricaRiferimenti(ctx, pool, giorno(2026, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	dopo, err := patto.CaricaRiferimenti(ctx, pool, giorno(2027, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if ti, _ := prima.Sostegno("tirocinio_inclusione"); !ti.Valido || ti.NomenclatoreCodice != "" || !ti.Tirocinio {
		t.Errorf("tirocinio_inclusione on 31/12/2026: %+v, want the old row", ti)
	}
	if ti, _ := dopo.Sostegno("tirocinio_inclusione"); !ti.Valido || ti.NomenclatoreCodice != "D5" || ti.NomenclatoreVersione != "CISIS 2013" ||
		!ti.Tirocinio || ti.Macrolivello != "5" {
		t.Errorf("tirocinio_inclusione on 01/01/2027: %+v, want D5 CISIS 2013, still a tirocinio", ti)
	}
	if cd, ok := prima.Sostegno("centro_diurno"); ok && cd.Valido {
		t.Errorf("centro_diurno offered before 2027: %+v", cd)
	}
	if cd, _ := dopo.Sostegno("centro_diurno"); !cd.Valido || cd.Etichetta != "Centro diurno socio-educativo" || cd.NomenclatoreCodice != "LB2" ||
		cd.Macrolivello != "3" || cd.Tirocinio {
		t.Errorf("centro_diurno on 01/01/2027: %+v", cd)
	}
	if last := dopo.Sostegni[len(dopo.Sostegni)-1]; last.Codice != "centro_diurno" {
		t.Errorf("last voce %s, want the new one after the others", last.Codice)
	}
	if s, _ := dopo.Sostegno("segretariato_sociale"); !s.Valido || s.NomenclatoreCodice != "" {
		t.Errorf("a voce not in the file changed: %+v", s)
	}
	var chiusa string
	if err := pool.QueryRow(ctx, `SELECT valido_al::text FROM patto_sostegno_tipo
		WHERE codice = 'tirocinio_inclusione' AND valido_dal = '2019-01-01'`).Scan(&chiusa); err != nil || chiusa != "2026-12-31" {
		t.Errorf("old row of tirocinio_inclusione closes on %q (%v), want 2026-12-31", chiusa, err)
	}
	var righe int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM patto_sostegno_tipo`).Scan(&righe); err != nil || righe != 14 {
		t.Errorf("%d rows (%v), want the 12 of the seed and 2 new", righe, err)
	}
	if got := registrazioniCatalogo(t, pool); len(got) != 1 || got[0] != "scrittura consentito riga di comando: "+riepilogo {
		t.Errorf("registro: %q", got)
	}
}

// Importing the same file again changes nothing: past and future dates, new
// voci alike.
func TestImportaCatalogoDueVolte(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	file := "codice;valido_dal;etichetta;nomenclatore_codice;nomenclatore_versione\n" +
		"segretariato_sociale;2026-01-01;Segretariato sociale;A1;CISIS 2013\n" +
		"tirocinio_inclusione;2027-01-01;Tirocinio di inclusione;D5;CISIS 2013\n" +
		"centro_diurno;2026-11-01;Centro diurno socio-educativo;LB2;CISIS 2013\n"
	res, err := patto.ImportaCatalogo(ctx, pool, reg, parseCatalogo(t, file), oggi, registro.Voce{Indirizzo: "riga di comando"})
	if err != nil || res.Riepilogo() != "catalogo dei sostegni: 1 voci nuove, 2 aggiornate, 0 invariate" {
		t.Fatalf("first import: %v %s\n%s", err, res.Riepilogo(), esiti(res))
	}
	dopoPrima := catalogoScritto(t, pool)
	res, err = patto.ImportaCatalogo(ctx, pool, reg, parseCatalogo(t, file), oggi, registro.Voce{Indirizzo: "riga di comando"})
	if err != nil {
		t.Fatalf("second import: %v\n%s", err, esiti(res))
	}
	want := "segretariato_sociale: invariata\ntirocinio_inclusione: invariata\ncentro_diurno: invariata\n"
	if got := esiti(res); got != want {
		t.Errorf("second import:\n%s\nwant:\n%s", got, want)
	}
	if catalogoScritto(t, pool) != dopoPrima {
		t.Error("the second import wrote to the catalogue")
	}
}

// Rows the table's history refuses, each with the reason an administrator
// can act on. pronto_intervento already has a change planned for 1 March
// 2027; the day of the import is 20 October 2026.
func TestImportaCatalogoRifiuti(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	previsto := "codice;valido_dal;etichetta\npronto_intervento;2027-03-01;Pronto intervento sociale h24\n"
	if res, err := patto.ImportaCatalogo(ctx, pool, registro.NewService(pool, registro.ChiaveDiProva()), parseCatalogo(t, previsto), oggi, registro.Voce{}); err != nil {
		t.Fatalf("planned change: %v\n%s", err, esiti(res))
	}
	for _, tc := range []struct{ name, file, want string }{
		{"voce nuova senza etichetta", "codice;valido_dal\ncentro_diurno;2027-01-01\n",
			"riga 2 scartata: voce nuova senza etichetta: aggiungi la colonna etichetta\n"},
		{"data all'inizio della voce in vigore", "codice;valido_dal;etichetta\naltro;2019-01-01;Altro\n",
			"riga 2 scartata: la data di validità deve essere successiva al 01/01/2019, inizio della voce in vigore\n"},
		{"data prima della voce in vigore", "codice;valido_dal;etichetta\naltro;2018-06-01;Altro\n",
			"riga 2 scartata: la data di validità deve essere successiva al 01/01/2019, inizio della voce in vigore\n"},
		{"variazione già prevista", "codice;valido_dal;etichetta\npronto_intervento;2027-06-01;Pronto intervento\n",
			"riga 2 scartata: è già prevista una variazione dal 01/03/2027: una nuova si carica quando quella è in vigore\n"},
		{"variazione prima di quella prevista", "codice;valido_dal;etichetta\npronto_intervento;2027-01-01;Pronto intervento\n",
			"riga 2 scartata: è già prevista una variazione dal 01/03/2027: una nuova si carica quando quella è in vigore\n"},
		{"la variazione prevista stessa", "codice;valido_dal;etichetta\npronto_intervento;01/03/2027;Pronto intervento sociale h24\n",
			"pronto_intervento: invariata\n"},
		{"nomenclatore senza versione", "codice;valido_dal;nomenclatore_codice\nsanitario;2027-01-01;S1\n",
			"riga 2 scartata: codice e versione del nomenclatore vanno indicati insieme (o lasciati vuoti entrambi): aggiungi la colonna nomenclatore_versione\n"},
		{"voce nuova con il solo codice del nomenclatore", "codice;valido_dal;etichetta;nomenclatore_codice\ncentro_diurno;2027-01-01;Centro diurno;LB2\n",
			"riga 2 scartata: codice e versione del nomenclatore vanno indicati insieme (o lasciati vuoti entrambi): aggiungi la colonna nomenclatore_versione\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := patto.ProvaCatalogo(ctx, pool, parseCatalogo(t, tc.file), oggi)
			if got := esiti(res); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if rifiutata := len(res.Scartate) > 0; rifiutata != errors.Is(err, patto.ErrRigheScartate) {
				t.Errorf("error %v with %d rows rejected", err, len(res.Scartate))
			}
		})
	}
}

// One bad row, and nothing of the file is written, not even the good rows;
// every rejection is listed by line, those of the file and those of the
// table's history together.
func TestImportaCatalogoTuttoONiente(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	prima := catalogoScritto(t, pool)
	file := "codice;valido_dal;etichetta;nomenclatore_codice;nomenclatore_versione\n" +
		"tirocinio_inclusione;2027-01-01;Tirocinio di inclusione;D5;CISIS 2013\n" +
		"centro_diurno;2027-01-01;Centro diurno;LB2;CISIS 2013\n" +
		"altro;2019-01-01;Altro;;\n" +
		"sanitario;2027-13-01;Interventi sanitari;;\n"
	res, err := patto.ImportaCatalogo(ctx, pool, registro.NewService(pool, registro.ChiaveDiProva()), parseCatalogo(t, file), oggi, registro.Voce{Indirizzo: "riga di comando"})
	if !errors.Is(err, patto.ErrRigheScartate) {
		t.Fatalf("error %v, want ErrRigheScartate", err)
	}
	if len(res.Scartate) != 2 || res.Scartate[0].Riga != 4 || res.Scartate[1].Riga != 5 ||
		!strings.HasPrefix(res.Scartate[1].Motivo, "data di validità non valida") {
		t.Errorf("rejected %+v, want lines 4 and 5", res.Scartate)
	}
	if catalogoScritto(t, pool) != prima {
		t.Error("rows were written although the file had rejected rows")
	}
	if got := registrazioniCatalogo(t, pool); len(got) != 0 {
		t.Errorf("registro: %q, want nothing recorded", got)
	}
}

// The trial says what the import will do, and writes nothing.
func TestProvaCatalogo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	prima := catalogoScritto(t, pool)
	file := "codice;valido_dal;etichetta;nomenclatore_codice;nomenclatore_versione\n" +
		"tirocinio_inclusione;2027-01-01;Tirocinio di inclusione;D5;CISIS 2013\n" +
		"centro_diurno;2027-01-01;Centro diurno;LB2;CISIS 2013\n"
	prova, err := patto.ProvaCatalogo(ctx, pool, parseCatalogo(t, file), oggi)
	if err != nil {
		t.Fatal(err)
	}
	want := "tirocinio_inclusione: aggiornata dal 01/01/2027\ncentro_diurno: nuova dal 01/01/2027\n"
	if got := esiti(prova); got != want {
		t.Errorf("trial:\n%s\nwant:\n%s", got, want)
	}
	if catalogoScritto(t, pool) != prima {
		t.Error("the trial wrote to the catalogue")
	}
	if got := registrazioniCatalogo(t, pool); len(got) != 0 {
		t.Errorf("registro: %q, want nothing recorded", got)
	}
	res, err := patto.ImportaCatalogo(ctx, pool, registro.NewService(pool, registro.ChiaveDiProva()), parseCatalogo(t, file), oggi, registro.Voce{})
	if err != nil || esiti(res) != want {
		t.Errorf("the import did otherwise than the trial said: %v\n%s", err, esiti(res))
	}
}
