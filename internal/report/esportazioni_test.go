package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// tabellaProva is a provider of one table: a cell under 5, a comune whose
// name would start a formula.
type tabellaProva struct{}

func (tabellaProva) Indicatori(_ context.Context, f report.Filtro) ([]report.Indicatore, error) {
	return []report.Indicatore{{Codice: "prova", Titolo: "Casi di prova", Descrizione: "Per comune e misura.",
		IntestazioneRighe: "Comune", Righe: []string{"Alfa", "=HYPERLINK(\"http://x\")", "Gamma"},
		Colonne: []string{"ADI", "SFL"}, Valori: [][]int{{3, 10}, {12, 20}, {7, 8}}, Nuclei: true}}, nil
}

type ambiente struct {
	pool *pgxpool.Pool
	fx   *fixtures.F
	svc  *report.Service
	esp  *report.Esportatore
	ppl  map[string]authz.Principal
}

func nuovoAmbiente(t *testing.T, base report.BaseDataset, fornitori ...report.FornitoreDataset) *ambiente {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	ppl := fx.Demo()
	comuni := func(ctx context.Context, ambito int64) ([]report.Comune, error) {
		return []report.Comune{{ID: *ppl["casemanager"].ComuneID, Nome: "Comune di prova"}}, nil
	}
	svc := report.NewService(comuni, tabellaProva{})
	if base == nil {
		base = fx.Casi
	}
	return &ambiente{pool: pool, fx: fx, svc: svc, esp: report.NewEsportatore(pool, fx.Registro, svc, base, fornitori, nil), ppl: ppl}
}

func (a *ambiente) richiedi(t *testing.T, p authz.Principal, tipo, formato string) int64 {
	t.Helper()
	id, err := a.esp.Richiedi(context.Background(), p, report.RichiestaEsportazione{
		Richiesta: report.Richiesta{Dal: "2026-01-01", Al: "2026-12-31"}, Tipo: tipo, Formato: formato}, registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (a *ambiente) esegui(t *testing.T) {
	t.Helper()
	ok, err := a.esp.EseguiUna(context.Background())
	if err != nil || !ok {
		t.Fatalf("esegui: %v %v", ok, err)
	}
}

func (a *ambiente) scarica(t *testing.T, p authz.Principal, id int64) ([]byte, report.Esportazione, error) {
	t.Helper()
	var buf bytes.Buffer
	var x report.Esportazione
	err := a.esp.Scarica(context.Background(), p, id, registro.Voce{Indirizzo: "test"}, func(e report.Esportazione) io.Writer {
		x = e
		return &buf
	})
	return buf.Bytes(), x, err
}

func (a *ambiente) conta(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := a.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The table's CSV is the page's table: "<5" where the page has it, the
// complementary "n.d.", the totals; UTF-8 with BOM, ";" and CRLF; the
// comune's name that starts a formula gets an apostrophe.
func TestEsportazioneTabellaCSV(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	ats := a.ppl["operatoreats"]
	id := a.richiedi(t, ats, "prova", report.CSV)
	a.esegui(t)
	dati, x, err := a.scarica(t, ats, id)
	if err != nil {
		t.Fatal(err)
	}
	if x.Stato != report.Pronta || x.Dimensione != int64(len(dati)) || x.Titolo != "Casi di prova" {
		t.Fatalf("esportazione %+v, %d byte", x, len(dati))
	}
	if !bytes.HasPrefix(dati, []byte("\ufeff")) || !bytes.Contains(dati, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(dati, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatalf("not BOM + CRLF: %q", dati)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(dati, []byte("\ufeff"))))
	r.Comma, r.FieldsPerRecord = ';', -1
	righe, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The page's cells, from the same Tabella.
	tt, err := a.svc.Tabelle(context.Background(), report.Filtro{AmbitoID: *ats.AmbitoID})
	if err != nil {
		t.Fatal(err)
	}
	tab := tt[0]
	want := [][]string{
		{"Comune", "ADI", "SFL", "Totale"},
		{"Alfa", tab.Celle[0][0].Testo(), tab.Celle[0][1].Testo(), tab.TotRiga[0].Testo()},
		{"'=HYPERLINK(\"http://x\")", tab.Celle[1][0].Testo(), tab.Celle[1][1].Testo(), tab.TotRiga[1].Testo()},
		{"Gamma", tab.Celle[2][0].Testo(), tab.Celle[2][1].Testo(), tab.TotRiga[2].Testo()},
		{"Totale", tab.TotColonna[0].Testo(), tab.TotColonna[1].Testo(), tab.Totale.Testo()},
	}
	if righe[0][0] != "Casi di prova" || righe[1][0] != "Dal 01/01/2026 al 31/12/2026, tutti i comuni." {
		t.Errorf("intestazione %q", righe[:2])
	}
	h := 0
	for h < len(righe) && righe[h][0] != "Comune" {
		h++
	}
	if h+5 > len(righe) {
		t.Fatalf("no table in %q", righe)
	}
	got := righe[h : h+5]
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("riga %d: %q, want %q", i, got[i], want[i])
		}
	}
	if got[1][1] != "<5" {
		t.Errorf("the 3 is %q, want <5", got[1][1])
	}
	if !strings.Contains(string(dati), "n.d.") {
		t.Error("no complementary suppression in the file")
	}
	// The request and the download are in the registro.
	if n := a.conta(t, `SELECT count(*) FROM registro_accessi WHERE azione IN ('scrittura', 'esportazione') AND oggetto_tipo = 'esportazione' AND oggetto_id = $1::bigint::text`, id); n != 2 {
		t.Errorf("%d records of the export, want 2 (request, download)", n)
	}
}

// The XLSX, read back with excelize: counts are numbers, "<5" a string,
// and the text that looks like a formula a string cell, not a formula.
func TestEsportazioneTabellaXLSX(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	ats := a.ppl["operatoreats"]
	id := a.richiedi(t, ats, "prova", report.XLSX)
	a.esegui(t)
	dati, _, err := a.scarica(t, ats, id)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(dati))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	righe, err := f.GetRows(report.Foglio)
	if err != nil {
		t.Fatal(err)
	}
	if righe[5][0] != "Alfa" || righe[5][1] != "<5" || righe[8][0] != "Totale" || righe[8][3] != "60" {
		t.Errorf("righe %q", righe)
	}
	if v, _ := f.GetCellValue(report.Foglio, "A7"); v != `=HYPERLINK("http://x")` {
		t.Errorf("A7 = %q", v)
	}
	if fo, _ := f.GetCellFormula(report.Foglio, "A7"); fo != "" {
		t.Errorf("A7 is a formula: %q", fo)
	}
	if ty, _ := f.GetCellType(report.Foglio, "C7"); ty != excelize.CellTypeUnset && ty != excelize.CellTypeNumber {
		t.Errorf("C7 type %v, want a number", ty)
	}
}

// Only who asked reads and downloads an export: anyone else (another
// operator of the ambito, the same person in another role) gets
// ErrNotFound, as for one that does not exist, and the refusal is recorded.
func TestEsportazioneSoloChiLaChiede(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	ats, coord := a.ppl["operatoreats"], a.ppl["coordinatore"]
	id := a.richiedi(t, ats, "prova", report.CSV)
	// Not ready yet: nobody downloads it, not even who asked.
	if _, _, err := a.scarica(t, ats, id); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("download before it is ready: %v", err)
	}
	a.esegui(t)
	ctx := context.Background()
	for _, p := range []authz.Principal{coord, {OperatoreID: uuid.New(), Ruolo: authz.OperatoreATS, AmbitoID: ats.AmbitoID}} {
		if _, _, err := a.scarica(t, p, id); !errors.Is(err, httpx.ErrNotFound) {
			t.Errorf("%s downloads: %v", p.Ruolo, err)
		}
		if _, err := a.esp.Esportazione(ctx, p, id, registro.Voce{}); !errors.Is(err, httpx.ErrNotFound) {
			t.Errorf("%s reads: %v", p.Ruolo, err)
		}
		if xx, _, err := a.esp.Elenco(ctx, p, 1); err != nil || len(xx) != 0 {
			t.Errorf("%s lists %d: %v", p.Ruolo, len(xx), err)
		}
	}
	if _, _, err := a.scarica(t, ats, id+1000); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("a missing export: %v", err)
	}
	if n := a.conta(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'accesso_negato' AND oggetto_tipo = 'esportazione'`); n != 6 {
		t.Errorf("%d refusals recorded, want 6", n)
	}
	if xx, _, err := a.esp.Elenco(ctx, ats, 1); err != nil || len(xx) != 1 || xx[0].ID != id {
		t.Errorf("the requester's list: %+v %v", xx, err)
	}
}

// After 7 days the purge deletes the export and its file.
func TestEsportazionePurga(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	ats := a.ppl["operatoreats"]
	vecchia := a.richiedi(t, ats, "prova", report.CSV)
	a.esegui(t)
	nuova := a.richiedi(t, ats, "prova", report.XLSX)
	a.esegui(t)
	ctx := context.Background()
	if _, err := a.pool.Exec(ctx, `UPDATE esportazione SET scade_il = now() - interval '1 second' WHERE id = $1`, vecchia); err != nil {
		t.Fatal(err)
	}
	// Expired: no longer downloadable even before the purge.
	if _, _, err := a.scarica(t, ats, vecchia); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("an expired export downloads: %v", err)
	}
	n, err := a.esp.Purga(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purga: %d %v", n, err)
	}
	if k := a.conta(t, `SELECT count(*) FROM esportazione_blocco WHERE esportazione_id = $1`, vecchia); k != 0 {
		t.Errorf("%d blocks left", k)
	}
	if k := a.conta(t, `SELECT count(*) FROM esportazione_blocco WHERE esportazione_id = $1`, nuova); k == 0 {
		t.Error("the recent export lost its file")
	}
	var sette bool
	if err := a.pool.QueryRow(ctx, `SELECT scade_il - creata_il BETWEEN interval '6 days 23 hours' AND interval '7 days 1 hour' FROM esportazione WHERE id = $1`, nuova).Scan(&sette); err != nil || !sette {
		t.Errorf("an export does not expire after 7 days: %v", err)
	}
}

// An export left in corso by a process that died is taken up again by
// another (its blocks dropped); after Tentativi crashes it fails, with
// the reason in Italian.
func TestEsportazioneRecupero(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	ats := a.ppl["operatoreats"]
	ctx := context.Background()
	id := a.richiedi(t, ats, "prova", report.CSV)
	crash := func() {
		t.Helper()
		// A process claimed it, wrote a block and died.
		if _, err := a.pool.Exec(ctx, `UPDATE esportazione SET stato = 'in_corso', tentativi = tentativi + 1, battito = now() - interval '1 hour',
				istanza = gen_random_uuid() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := a.pool.Exec(ctx, `INSERT INTO esportazione_blocco VALUES ($1, 0, 'mezzo file') ON CONFLICT DO NOTHING`, id); err != nil {
			t.Fatal(err)
		}
	}
	crash()
	// A live export (fresh heartbeat) is left alone.
	altra := a.richiedi(t, ats, "prova", report.CSV)
	if _, err := a.pool.Exec(ctx, `UPDATE esportazione SET stato = 'in_corso', battito = now() WHERE id = $1`, altra); err != nil {
		t.Fatal(err)
	}
	if n, err := a.esp.Recupera(ctx); err != nil || n != 1 {
		t.Fatalf("recupera: %d %v", n, err)
	}
	x, err := a.esp.Esportazione(ctx, ats, id, registro.Voce{})
	if err != nil || x.Stato != report.InAttesa || a.conta(t, `SELECT count(*) FROM esportazione_blocco WHERE esportazione_id = $1`, id) != 0 {
		t.Fatalf("after one crash: %+v %v", x, err)
	}
	crash()
	if n, err := a.esp.Recupera(ctx); err != nil || n != 1 {
		t.Fatalf("recupera: %d %v", n, err)
	}
	x, _ = a.esp.Esportazione(ctx, ats, id, registro.Voce{})
	if x.Stato != report.Fallita || !strings.Contains(x.Errore, "richiedila di nuovo") {
		t.Errorf("after two crashes: %+v", x)
	}
	if y, _ := a.esp.Esportazione(ctx, ats, altra, registro.Voce{}); y.Stato != report.InCorso {
		t.Errorf("the live export: %s", y.Stato)
	}
}

// A table no longer in the cruscotto fails with an Italian message; a
// form that does not parse is refused next to its fields.
func TestEsportazioneFallitaERifiutata(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	ats := a.ppl["operatoreats"]
	ctx := context.Background()
	id := a.richiedi(t, ats, "non-esiste", report.CSV)
	a.esegui(t)
	x, err := a.esp.Esportazione(ctx, ats, id, registro.Voce{})
	if err != nil || x.Stato != report.Fallita || x.Errore != "La tabella richiesta non è più nel cruscotto." {
		t.Errorf("%+v %v", x, err)
	}
	_, err = a.esp.Richiedi(ctx, ats, report.RichiestaEsportazione{Richiesta: report.Richiesta{Dal: "31/02/2026"}, Tipo: "x", Formato: "pdf"}, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || fe["dal"] == "" {
		t.Errorf("bad form: %v", err)
	}
	_, err = a.esp.Richiedi(ctx, ats, report.RichiestaEsportazione{Tipo: "X Y", Formato: "pdf"}, registro.Voce{})
	if !errors.As(err, &fe) || fe["formato"] == "" || fe["tipo"] == "" {
		t.Errorf("bad form: %v", err)
	}
	if _, err := a.esp.Richiedi(ctx, a.ppl["casemanager"], report.RichiestaEsportazione{Tipo: "prova", Formato: "csv"}, registro.Voce{}); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("a case manager asks: %v", err)
	}
}

// soloATS is a provider whose table only the operatore ATS reads (as
// controlli's), showing the caseload cap it was given.
type soloATS struct{}

func (soloATS) Indicatori(_ context.Context, f report.Filtro) ([]report.Indicatore, error) {
	if f.Ruolo != authz.OperatoreATS {
		return nil, nil
	}
	return []report.Indicatore{{Codice: "solo-ats", Titolo: "Per l'operatore ATS", IntestazioneRighe: "Voce",
		Righe: []string{"tetto"}, Colonne: []string{"Valore"}, Valori: [][]int{{f.Tetto}}}}, nil
}

// An export is computed with the filter of the requester's page: their
// role (a table given to the operatore ATS only is exported for them, and
// for nobody else) and the ambito's caseload cap, not the default.
func TestEsportazioneComeLaPagina(t *testing.T) {
	t.Parallel()
	a := nuovoAmbiente(t, nil)
	comuni := func(context.Context, int64) ([]report.Comune, error) { return nil, nil }
	svc := report.NewService(comuni, soloATS{}).ConTetto(func(context.Context, int64) (int, error) { return 17, nil })
	a.esp = report.NewEsportatore(a.pool, a.fx.Registro, svc, a.fx.Casi, nil, nil)
	ctx := context.Background()
	ats := a.ppl["operatoreats"]
	id := a.richiedi(t, ats, "solo-ats", report.CSV)
	a.esegui(t)
	dati, x, err := a.scarica(t, ats, id)
	if err != nil || x.Stato != report.Pronta {
		t.Fatalf("%+v %v", x, err)
	}
	if !strings.Contains(string(dati), "tetto;17") {
		t.Errorf("the export did not use the ambito's cap:\n%s", dati)
	}
	coord := a.ppl["coordinatore"]
	id = a.richiedi(t, coord, "solo-ats", report.CSV)
	a.esegui(t)
	if x, err := a.esp.Esportazione(ctx, coord, id, registro.Voce{}); err != nil || x.Stato != report.Fallita {
		t.Errorf("the coordinatore exported the operatore ATS's table: %+v %v", x, err)
	}
}
