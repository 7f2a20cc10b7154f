package prestazioni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	pool   *pgxpool.Pool
	svc    *prestazioni.Service
	casi   *casi.Service
	fx     *fixtures.F
	now    time.Time
	people map[string]authz.Principal
	caso   fixtures.Caso
}

func setup(t *testing.T) *fixture {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is not installed: run `make xmllint` (ADR 0020)")
	}
	ctx := context.Background()
	pool := dbtest.New(t)
	people, err := demo.Principals(ctx, accesso.NewService(pool))
	if err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	f := &fixture{pool: pool, casi: casi.NewService(pool, reg), people: people,
		now: time.Date(2026, 12, 3, 10, 0, 0, 0, calendario.Roma)}
	f.svc = prestazioni.NewService(pool, reg, f.casi, patto.NewService(pool, reg, f.casi, nil, nil))
	clock := func() time.Time { return f.now }
	f.svc.SetClock(clock)
	f.casi.SetClock(clock)
	f.fx = fixtures.New(t, pool)
	f.fx.Casi = f.casi
	f.caso = f.fx.Caso(fixtures.NuovoCaso{Misura: casi.Altro, CaseManager: people["casemanager"],
		Membri: []fixtures.Membro{fixtures.Adulto("Bianchi", "Laura", "F", 1950)}})
	cat, err := prestazioni.ParseCatalogo(strings.NewReader("codice;denominazione;area\nA1.09;Contributo economico per l'alloggio;3\n" +
		"B1.01;Assistenza domiciliare socio-assistenziale;2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prestazioni.ImportaCatalogo(ctx, pool, reg, cat, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := prestazioni.ConfiguraEnte(ctx, pool, prestazioni.Ente{AmbitoID: f.caso.AmbitoID, CodiceEnte: "C469",
		Belfiore: "C469", Denominazione: "Ambito di prova", CFOperatore: "RSSMRA80A01A944X"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) modulo() prestazioni.Modulo {
	return prestazioni.Modulo{PersonaID: f.caso.Persone[0].String(), Codice: "A1.09", Carattere: "1", ProvaMezzi: "1",
		DSUProtocollo: "INPS-ISEE-2026-00012345A-00", DSUAnno: "2026", DSUData: "15/01/2026", ProtocolloDomanda: "PG/2026/1234",
		DataInizio: "01/02/2026", DataFine: "31/12/2026", Periodo: "11", ImportoMensile: "300,00", QuotaEnte: "250", QuotaUtente: "50",
		SogliaISEE: "9.360,00", PresaCarico: "1", AreaUtenza: "3"}
}

type flussoRiga struct {
	id, tipo string
	ts       time.Time
	xml      []byte
}

func (f *fixture) flussi(t *testing.T) []flussoRiga {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT id_flusso, tipo_operazione, ts_flusso, xml FROM prestazione_flusso ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []flussoRiga
	for rows.Next() {
		var r flussoRiga
		if err := rows.Scan(&r.id, &r.tipo, &r.ts, &r.xml); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// validaXSD validates a stored flow with xmllint against the repository's
// copy of INPS's schema.
func validaXSD(t *testing.T, x []byte) {
	t.Helper()
	cmd := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join("..", "..", "docs", "specs", "inps-waas", "PS_PSA_SINA201812.xsd"), "-")
	cmd.Stdin = bytes.NewReader(x)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("stored flow not valid: %v\n%s\n%s", err, out, x)
	}
}

// A periodic prestazione with ISEE is recorded with its I flow; corrected,
// it gets a C of what it was and an I of what it is; cancelled, a C. Every
// flow validates against INPS's schema, id_flusso has the specified form,
// ts_flusso grows.
func TestRegistraCorreggiCancella(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	id, err := f.svc.Registra(ctx, cm, f.caso.ID, f.modulo(), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	fl := f.flussi(t)
	if len(fl) != 1 || fl[0].tipo != "I" || fl[0].id != "C469.PS.20261203.0000001" {
		t.Fatalf("flows after the insertion: %+v", fl)
	}
	for _, want := range []string{`CodicePrestazione="A1.09"`, `ImportoMensile="300.00"`, `ImportoSogliaISEE="9360.00"`,
		`NumeroProtocolloDSU="INPS-ISEE-2026-00012345A-00"`, `DataDSU="2026-01-15"`, `PeriodoErogazione="11"`, `Genere="2"`,
		`AnnoNascita="1950"`, `CodiceNazione="380"`} {
		if !bytes.Contains(fl[0].xml, []byte(want)) {
			t.Errorf("flow lacks %s:\n%s", want, fl[0].xml)
		}
	}
	sc, err := f.svc.Scheda(ctx, cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.Trova(id)
	if err != nil || p.Versione != 1 || p.ImportoMensile != "300.00" || len(p.Flussi) != 1 || p.Flussi[0].StatoLabel() != "pronto per INPS" {
		t.Fatalf("prestazione %+v, %v", p, err)
	}

	// A correction: C of the old values, then I of the new.
	m := prestazioni.ModuloDa(p)
	m.ImportoMensile, m.QuotaEnte = "350,00", "300,00"
	f.now = f.now.Add(time.Hour)
	if err := f.svc.Correggi(ctx, cm, f.caso.ID, id, m, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	// The form shown before the correction is now stale.
	if err := f.svc.Correggi(ctx, cm, f.caso.ID, id, m, registro.Voce{}); !errors.Is(err, prestazioni.ErrConflict) {
		t.Fatalf("stale correction: %v", err)
	}
	fl = f.flussi(t)
	if len(fl) != 3 || fl[1].tipo != "C" || fl[2].tipo != "I" ||
		!bytes.Contains(fl[1].xml, []byte(`ImportoMensile="300.00"`)) || !bytes.Contains(fl[2].xml, []byte(`ImportoMensile="350.00"`)) ||
		fl[1].id != "C469.PS.20261203.0000002" || fl[2].id != "C469.PS.20261203.0000003" {
		t.Fatalf("flows after the correction: %+v", fl)
	}
	// Cancelled: a C.
	if err := f.svc.Cancella(ctx, cm, f.caso.ID, id, "2", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	fl = f.flussi(t)
	if len(fl) != 4 || fl[3].tipo != "C" {
		t.Fatalf("flows after the cancellation: %+v", fl)
	}
	for i, r := range fl {
		validaXSD(t, r.xml)
		if i > 0 && !r.ts.After(fl[i-1].ts) {
			t.Fatalf("ts_flusso not increasing: %v then %v", fl[i-1].ts, r.ts)
		}
	}
	// Written and read in the registro.
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'prestazione' AND azione = 'scrittura'
		AND caso_id = $1`, f.caso.ID.String()).Scan(&n); err != nil || n != 3 {
		t.Fatalf("registro: %d writes, %v", n, err)
	}
	// Another case manager is refused, and the refusal recorded.
	altro := f.fx.CaseManager(f.caso.AmbitoID, f.caso.ComuneID, "Altra", "Operatrice")
	if _, err := f.svc.Scheda(ctx, altro, f.caso.ID, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Fatalf("another case manager: %v", err)
	}
}

// A periodic prestazione with a SINA assessment: its flow carries the SINA
// with invalidity and needs, valid against the schema.
func TestSINA(t *testing.T) {
	f := setup(t)
	m := f.modulo()
	m.Codice, m.ProvaMezzi, m.DSUProtocollo, m.DSUAnno, m.DSUData, m.AreaUtenza = "B1.01", "4", "", "", "", "2"
	m.QuotaEnte, m.QuotaUtente, m.OreMensili = "", "", "20,30"
	m.SINA, m.Mobilita, m.AttivitaVita, m.Comportamentali, m.Reddituale, m.Supporto, m.Fonte, m.Strumento = true, "2", "3", "1", "2", "3", "1", "1"
	m.Invalidita, m.FonteInvalidita, m.Interventi = []string{"6", "2"}, "1", "b1.01, A1.09"
	if _, err := f.svc.Registra(context.Background(), f.people["casemanager"], f.caso.ID, m, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	fl := f.flussi(t)
	if len(fl) != 1 {
		t.Fatal(fl)
	}
	validaXSD(t, fl[0].xml)
	for _, want := range []string{`<SINA Mobilita="2" AttivitaVitaQuotidiana="3"`, `<InvCiv>2</InvCiv>`, `<InvCiv>6</InvCiv>`,
		`<CodicePrestazione>B1.01</CodicePrestazione>`, `OreServizioMensile="20.30"`} {
		if !bytes.Contains(fl[0].xml, []byte(want)) {
			t.Errorf("flow lacks %s:\n%s", want, fl[0].xml)
		}
	}
}

// The form's checks: each refusal next to its field, nothing written.
func TestModuloRifiutato(t *testing.T) {
	f := setup(t)
	m := f.modulo()
	m.DSUAnno, m.ImportoMensile, m.DataFine, m.Periodo, m.AreaUtenza, m.Codice = "26", "", "01/01/2027", "13", "", "Z9.99"
	m.Mobilita = "2"
	_, err := f.svc.Registra(context.Background(), f.people["casemanager"], f.caso.ID, m, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v", err)
	}
	for _, campo := range []string{"dsu_anno", "importo_mensile", "data_fine", "periodo", "area_utenza", "codice", "sina"} {
		if fe[campo] == "" {
			t.Errorf("no message for %s: %v", campo, fe)
		}
	}
	if len(f.flussi(t)) != 0 {
		t.Fatal("a refused form wrote a flow")
	}
	// The quote must add up to the monthly amount.
	m = f.modulo()
	m.QuotaUtente = "40"
	_, err = f.svc.Registra(context.Background(), f.people["casemanager"], f.caso.ID, m, registro.Voce{})
	if !errors.As(err, &fe) || !strings.Contains(fe["quota_ente"], "290,00 €") {
		t.Fatalf("quote: %v", err)
	}
}

// Without the ente configured nothing is written.
func TestEnteMancante(t *testing.T) {
	f := setup(t)
	if _, err := f.pool.Exec(context.Background(), `DELETE FROM siuss_ente`); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Registra(context.Background(), f.people["casemanager"], f.caso.ID, f.modulo(), registro.Voce{})
	if !errors.Is(err, prestazioni.ErrEnteMancante) {
		t.Fatalf("got %v", err)
	}
	var n int
	_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM prestazione`).Scan(&n)
	if n != 0 {
		t.Fatal("a prestazione was written without its flow")
	}
}

// ts_flusso is strictly increasing per ente and the daily progressivo never
// repeats, with inserts running at the same time on several cases of the
// ambito and a clock that does not move (every flow the same millisecond).
func TestTSFlussoConcorrente(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	casiProva := []fixtures.Caso{f.caso}
	for i := 0; i < 3; i++ {
		casiProva = append(casiProva, f.fx.Caso(fixtures.NuovoCaso{Misura: casi.Altro, CaseManager: cm,
			Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Nome"+string(rune('A'+i)), "M", 1960+i)}}))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, c := range casiProva {
		for j := 0; j < 4; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := f.modulo()
				m.PersonaID = c.Persone[0].String()
				if _, err := f.svc.Registra(ctx, cm, c.ID, m, registro.Voce{}); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	fl := f.flussi(t)
	if len(fl) != 16 {
		t.Fatalf("%d flows", len(fl))
	}
	ids := map[string]bool{}
	for i, r := range fl {
		if i > 0 && r.ts.Sub(fl[i-1].ts) != time.Millisecond {
			t.Fatalf("ts_flusso %v then %v", fl[i-1].ts, r.ts)
		}
		if ids[r.id] {
			t.Fatalf("id_flusso %s twice", r.id)
		}
		ids[r.id] = true
	}
	if fl[15].id != "C469.PS.20261203.0000016" {
		t.Fatalf("last id_flusso %s", fl[15].id)
	}
}

// Two ambiti cannot share the ente's code (the e-service serves an ente by
// it): the second is told next to the field, nothing saved.
func TestCodiceEnteUnico(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	altro, _ := f.fx.Ambito("ATS-PROVA-2", "Ambito di prova 2", accesso.Comune{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna"})
	amm := authz.Principal{OperatoreID: f.people["amministratore"].OperatoreID, Ruolo: authz.AmministratoreAmbito, AmbitoID: &altro.ID}
	m := prestazioni.ModuloEnte{CodiceEnte: "C469", Belfiore: "A944", Denominazione: "Comune di Bologna", CFOperatore: f.people["amministratore"].CodiceFiscale, Versione: "0"}
	err := f.svc.SalvaEnte(ctx, amm, m, registro.Voce{Indirizzo: "test"})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || fe["codice_ente"] == "" {
		t.Fatalf("a code already used: %v", err)
	}
	m.CodiceEnte = "A944"
	if err := f.svc.SalvaEnte(ctx, amm, m, registro.Voce{Indirizzo: "test"}); err != nil {
		t.Fatal(err)
	}
}

// /siuss's scope: the operatore ATS of the ambito sees its flows, the one
// of another ambito none; any other role is refused.
func TestMonitorFlussiScope(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := f.svc.Registra(ctx, f.people["casemanager"], f.caso.ID, f.modulo(), registro.Voce{Indirizzo: "test"}); err != nil {
		t.Fatal(err)
	}
	ats := f.people["operatoreats"]
	m, err := f.svc.MonitorFlussi(ctx, ats, prestazioni.FiltroMonitor{Pagina: 1}, registro.Voce{Indirizzo: "test"})
	if err != nil || len(m.Righe) != 1 || m.Conteggi["pronto"] != 1 || m.Righe[0].Codice != "A1.09" || m.Righe[0].TipoOperazione != "I" {
		t.Fatalf("the ambito's operatore ATS: %v %+v", err, m)
	}
	if m, _ := f.svc.MonitorFlussi(ctx, ats, prestazioni.FiltroMonitor{Pagina: 1, Stato: "acquisito"}, registro.Voce{Indirizzo: "test"}); len(m.Righe) != 0 {
		t.Errorf("filtered by acquisito: %d", len(m.Righe))
	}
	altro, _ := f.fx.Ambito("ATS-PROVA-3", "Ambito di prova 3", accesso.Comune{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna"})
	fuori := ats
	fuori.AmbitoID = &altro.ID
	if m, err := f.svc.MonitorFlussi(ctx, fuori, prestazioni.FiltroMonitor{Pagina: 1}, registro.Voce{Indirizzo: "test"}); err != nil || len(m.Righe) != 0 || len(m.Conteggi) != 0 {
		t.Errorf("another ambito's operatore ATS: %v %+v", err, m)
	}
	if _, err := f.svc.MonitorFlussi(ctx, f.people["casemanager"], prestazioni.FiltroMonitor{Pagina: 1}, registro.Voce{Indirizzo: "test"}); !errors.Is(err, prestazioni.ErrNotFound) {
		t.Errorf("a case manager: %v", err)
	}
}

// firmaPatto signs a patto of case casoID with sostegni ids (the patto's
// own versioned-form steps, as internal/monitoraggio's tests do: fixtures
// stays below the workflow modules).
func (f *fixture) firmaPatto(t *testing.T, casoID, persona uuid.UUID, ids ...string) {
	t.Helper()
	ctx := context.Background()
	c := patto.Contenuto{Dal: "2026-10-01", Al: "2027-09-30",
		Componenti: []patto.Componente{{PersonaID: persona.String(), Cognome: "Bianchi", Nome: "Laura", Relazione: "richiedente"}},
		Sottoscrizione: &patto.Sottoscrizione{Data: "2026-09-28", Modalita: patto.Cartacea,
			Firmatari: []patto.Firmatario{{Tipo: "componente", PersonaID: persona.String(), Nome: "Bianchi Laura"}}}}
	for _, id := range ids {
		c.Sostegni = append(c.Sostegni, patto.Sostegno{ID: id, Tipo: "assistenza_domiciliare", EnteErogatore: "Cooperativa Aurora",
			AvvioPrevisto: "2026-10-01", FinePrevista: "2027-03-31"})
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	op := f.people["casemanager"].OperatoreID
	if err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
		v, err := schede.NuovaBozza(ctx, tx, casoID, schede.Patto, b, op)
		if errors.Is(err, schede.ErrBozzaEsistente) {
			v, err = schede.Riapri(ctx, tx, casoID, schede.Patto, "Revisione", op)
		}
		if err != nil {
			return err
		}
		_, err = schede.Finalizza(ctx, tx, casoID, schede.Patto, v.Revisione, b, "", op, func(s string) string { return s })
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

const (
	sostegnoSAD = "5b0c1c7e-0000-4a0e-9a7e-000000000001"
	sostegnoEdu = "5b0c1c7e-0000-4a0e-9a7e-000000000002"
)

// A sostegno of the signed patto that is a prestazione is recorded once:
// the form offers the patto's sostegni, one is linked to at most one live
// prestazione (a second link is the field's message), a correction keeps or
// changes it, a cancellation frees it, and a sostegno that is not in the
// case's patto (another case's) is refused.
func TestSostegnoDelPatto(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	f.firmaPatto(t, f.caso.ID, f.caso.Persone[0], sostegnoSAD, sostegnoEdu)

	sc, err := f.svc.Scheda(ctx, cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Sostegni) != 2 || sc.Sostegni[0].ID != sostegnoSAD ||
		sc.Sostegni[0].Etichetta != "Assistenza domiciliare socio-assistenziale e servizi di prossimità — Cooperativa Aurora, dal 01/10/2026 al 31/03/2027" {
		t.Fatalf("the patto's sostegni: %+v", sc.Sostegni)
	}

	// Linked.
	m := f.modulo()
	m.SostegnoID = sostegnoSAD
	id, err := f.svc.Registra(ctx, cm, f.caso.ID, m, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err = f.svc.Scheda(ctx, cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.Trova(id)
	if err != nil || p.SostegnoID != sostegnoSAD || sc.Sostegni[0].Prestazione != id || sc.Sostegni[1].Prestazione != uuid.Nil {
		t.Fatalf("linked: %+v %+v, %v", p.Dati, sc.Sostegni, err)
	}

	// A second live prestazione for the same sostegno: the field says why.
	m2 := f.modulo()
	m2.ProtocolloDomanda, m2.SostegnoID = "PG/2026/9999", sostegnoSAD
	_, err = f.svc.Registra(ctx, cm, f.caso.ID, m2, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["sostegno_id"], "già registrato come prestazione") {
		t.Fatalf("a second link: %v", err)
	}
	// Also when the other fields are wrong: every message at once.
	m2.DSUAnno = "26"
	if _, err = f.svc.Registra(ctx, cm, f.caso.ID, m2, registro.Voce{}); !errors.As(err, &fe) || fe["sostegno_id"] == "" || fe["dsu_anno"] == "" {
		t.Fatalf("a second link with another error: %v", err)
	}
	m2.DSUAnno = "2026"

	// A correction keeps the link (its own sostegno is not "already linked")…
	m = prestazioni.ModuloDa(p)
	m.ImportoMensile, m.QuotaEnte = "350,00", "300,00"
	if err := f.svc.Correggi(ctx, cm, f.caso.ID, id, m, registro.Voce{}); err != nil {
		t.Fatalf("a correction keeping the sostegno: %v", err)
	}
	// …or changes it, freeing the first.
	m.Versione, m.SostegnoID = "2", sostegnoEdu
	if err := f.svc.Correggi(ctx, cm, f.caso.ID, id, m, registro.Voce{}); err != nil {
		t.Fatalf("a correction changing the sostegno: %v", err)
	}
	id2, err := f.svc.Registra(ctx, cm, f.caso.ID, m2, registro.Voce{})
	if err != nil {
		t.Fatalf("the freed sostegno: %v", err)
	}
	// The registro says which sostegno each write linked.
	var dett []string
	rows, err := f.pool.Query(ctx, `SELECT dettaglio FROM registro_accessi WHERE oggetto_tipo = 'prestazione' AND azione = 'scrittura'
		AND caso_id = $1 ORDER BY id`, f.caso.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	if dett, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		t.Fatal(err)
	}
	if len(dett) != 4 || !strings.HasSuffix(dett[0], "sostegno del patto "+sostegnoSAD) || strings.Contains(dett[1], "sostegno") ||
		!strings.HasSuffix(dett[2], sostegnoSAD+" → "+sostegnoEdu) || !strings.HasSuffix(dett[3], sostegnoSAD) {
		t.Errorf("registro: %q", dett)
	}
	// The database holds one live link per sostegno.
	if _, err := f.pool.Exec(ctx, `UPDATE prestazione SET sostegno_id = $1 WHERE id = $2`, sostegnoEdu, id2); err == nil {
		t.Fatal("two live prestazioni linked to one sostegno")
	}

	// Cancelled, its sostegno can be linked again.
	if err := f.svc.Cancella(ctx, cm, f.caso.ID, id, "3", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	m3 := f.modulo()
	m3.ProtocolloDomanda, m3.SostegnoID = "PG/2026/7777", sostegnoEdu
	id3, err := f.svc.Registra(ctx, cm, f.caso.ID, m3, registro.Voce{})
	if err != nil {
		t.Fatalf("linked again after the cancellation: %v", err)
	}
	sc, err = f.svc.Scheda(ctx, cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := sc.Trova(id); p.SostegnoID != sostegnoEdu || !p.Cancellata() {
		t.Errorf("the cancelled prestazione keeps what it was: %+v", p.Dati)
	}
	if sc.Sostegni[0].Prestazione != id2 || sc.Sostegni[1].Prestazione != id3 {
		t.Errorf("live links: %+v", sc.Sostegni)
	}

	// A revised patto without the linked sostegno: its prestazione can
	// still be corrected keeping what it was, but no new one links it.
	f.firmaPatto(t, f.caso.ID, f.caso.Persone[0], sostegnoSAD)
	sc, err = f.svc.Scheda(ctx, cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	p3, _ := sc.Trova(id3)
	m3 = prestazioni.ModuloDa(p3)
	m3.ProtocolloDomanda = "PG/2026/7778"
	if err := f.svc.Correggi(ctx, cm, f.caso.ID, id3, m3, registro.Voce{}); err != nil {
		t.Fatalf("a correction keeping a sostegno the revised patto dropped: %v", err)
	}
	if _, ok := sc.Sostegno(sostegnoEdu); ok || len(sc.Sostegni) != 1 {
		t.Errorf("the revised patto's sostegni: %+v", sc.Sostegni)
	}

	// A sostegno of another case's patto is refused.
	altro := f.fx.Caso(fixtures.NuovoCaso{Misura: casi.Altro, CaseManager: cm,
		Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Anna", "F", 1960)}})
	const sostegnoAltro = "5b0c1c7e-0000-4a0e-9a7e-000000000003"
	f.firmaPatto(t, altro.ID, altro.Persone[0], sostegnoAltro)
	m4 := f.modulo()
	m4.ProtocolloDomanda, m4.SostegnoID = "PG/2026/5555", sostegnoAltro
	if _, err = f.svc.Registra(ctx, cm, f.caso.ID, m4, registro.Voce{}); !errors.As(err, &fe) ||
		!strings.Contains(fe["sostegno_id"], "non è nel patto firmato") {
		t.Fatalf("another case's sostegno: %v", err)
	}
}

// Two case managers' forms linking the same sostegno at the same time: one
// is recorded, the other reads the field's message (the case's lock in
// casi.ScriviContenuto serialises them; the unique index of migration 000028
// is the last guard, mapped to the same message).
func TestSostegnoConcorrente(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	f.firmaPatto(t, f.caso.ID, f.caso.Persone[0], sostegnoSAD)
	var (
		wg   sync.WaitGroup
		errs [2]error
	)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := f.modulo()
			m.ProtocolloDomanda, m.SostegnoID = "PG/2026/100"+string(rune('0'+i)), sostegnoSAD
			_, errs[i] = f.svc.Registra(ctx, cm, f.caso.ID, m, registro.Voce{})
		}()
	}
	wg.Wait()
	ok, rifiutati := 0, 0
	for _, err := range errs {
		var fe httpx.FieldErrors
		switch {
		case err == nil:
			ok++
		case errors.As(err, &fe) && strings.Contains(fe["sostegno_id"], "già registrato come prestazione"):
			rifiutati++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	if ok != 1 || rifiutati != 1 {
		t.Fatalf("%d recorded, %d refused: %v", ok, rifiutati, errs)
	}
	if n := len(f.flussi(t)); n != 1 {
		t.Fatalf("%d flows, want the recorded one's only", n)
	}
}
