package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"

	"github.com/jackc/pgx/v5"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// Issue 18, first slice: the amministratore di ambito sets the ente for
// SIUSS (a bad Belfiore code first: the message next to the field, the rest
// kept); `casemanager` records a periodic prestazione with ISEE on a case
// without a measure (a bad DSU year first: the message next to the field,
// nothing typed lost), sees it on the case page with its flow "pronto per
// INPS", corrects it and sees the C and the I. The prestazione is a
// sostegno of the case's signed patto, chosen in the form, recorded once:
// the list, the correction and the patto's sostegni show it, and the
// patto's sostegno opens the form set on it. axe-core on every page.
func TestJourneyPrestazioni(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is not installed: run `make xmllint` (ADR 0020)")
	}
	a := startApp(t)
	ctx := context.Background()
	cat, err := prestazioni.ParseCatalogo(bytes.NewReader(demo.CatalogoPrestazioni))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prestazioni.ImportaCatalogo(ctx, a.d.pool, a.d.registro, cat, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	fx := fixtures.New(t, a.d.pool)
	fx.Casi = a.d.casi
	c := fx.Caso(fixtures.NuovoCaso{Misura: casi.Altro, CaseManager: fx.Demo()["casemanager"],
		Membri: []fixtures.Membro{fixtures.Adulto("Ferri", "Giulia", "F", 1979)}})
	caso := c.ID.String()
	// The case's signed patto, with a sostegno that is this prestazione.
	const sostegno = "7a2d3b4c-0000-4e1f-9a60-000000000001"
	pc, err := json.Marshal(patto.Contenuto{Dal: "2026-01-01", Al: "2026-12-31", Sostegni: []patto.Sostegno{{ID: sostegno,
		Tipo: "assistenza_domiciliare", EnteErogatore: "Cooperativa Aurora", AvvioPrevisto: "2026-02-01", FinePrevista: "2026-12-31"}}})
	if err != nil {
		t.Fatal(err)
	}
	op := fx.Demo()["casemanager"].OperatoreID
	if err := pgx.BeginFunc(ctx, a.d.pool, func(tx pgx.Tx) error {
		v, err := schede.NuovaBozza(ctx, tx, c.ID, schede.Patto, pc, op)
		if err != nil {
			return err
		}
		_, err = schede.Finalizza(ctx, tx, c.ID, schede.Patto, v.Revisione, pc, "", op, func(s string) string { return s })
		return err
	}); err != nil {
		t.Fatal(err)
	}

	b := &journey{browsertest.Start(t), a.URL}
	b.login(t, "amministratore")
	b.Navigate(t, a.URL+"/admin/operatori")
	b.Click(t, `[data-testid="ente-siuss"]`)
	if !b.Exists(t, `[data-testid="ente-mancante"]`) {
		t.Error("the ente is not said to be missing")
	}
	checkPage(t, b.Browser, "prestazioni-00-ente")
	// The code the demo e-service serves (SIUSS_CODICE_ENTE's demo default).
	b.Fill(t, "#ente-codice", demo.Comuni[0].CodiceCatastale)
	b.Fill(t, "#ente-belfiore", "A94")
	b.Fill(t, "#ente-denominazione", "Comune di Bologna (ente capofila)")
	b.Fill(t, "#ente-cf", fx.Demo()["amministratore"].CodiceFiscale)
	b.Click(t, `[data-testid="salva-ente"]`)
	if got := b.Text(t, `[data-testid="errore-belfiore"]`); !strings.Contains(got, "una lettera e tre cifre") ||
		b.Value(t, "#ente-denominazione") != "Comune di Bologna (ente capofila)" {
		t.Errorf("a bad Belfiore code: %q (denominazione kept %q)", got, b.Value(t, "#ente-denominazione"))
	}
	checkPage(t, b.Browser, "prestazioni-01-ente-errore")
	b.Fill(t, "#ente-belfiore", "a944")
	b.Click(t, `[data-testid="salva-ente"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "salvati") || b.Value(t, "#ente-belfiore") != "A944" {
		t.Errorf("the ente saved: %q", got)
	}
	checkPage(t, b.Browser, "prestazioni-02-ente-salvato")
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/casi/"+caso)
	if got := b.Text(t, "main"); !strings.Contains(got, "Prestazioni sociali erogate (SIUSS)") || !strings.Contains(got, "0 prestazioni registrate") {
		t.Errorf("the case page's section: %q", got)
	}
	b.Click(t, `a[href="/casi/`+caso+`/prestazioni"]`)
	if !b.Exists(t, `[data-testid="nessuna-prestazione"]`) {
		t.Error("a new case shows prestazioni")
	}
	checkPage(t, b.Browser, "prestazioni-03-vuota")
	// From the patto's sostegni: "Registra come prestazione sociale" opens
	// the form set on that sostegno.
	b.Navigate(t, a.URL+"/casi/"+caso+"/patto")
	checkPage(t, b.Browser, "prestazioni-03-patto")
	b.Click(t, `[data-testid="registra-prestazione-`+sostegno+`"]`)
	if b.Value(t, "#prest-sostegno") != sostegno {
		t.Errorf("the form from the patto's sostegno: %q", b.Value(t, "#prest-sostegno"))
	}
	compila := func(anno string) {
		b.Select(t, "#prest-codice", "A1.09")
		b.Select(t, "#prest-carattere", "1")
		b.Fill(t, "#prest-protocollo", "PG/2026/1234")
		b.Fill(t, "#prest-inizio", "2026-02-01")
		b.Fill(t, "#prest-fine", "2026-12-31")
		b.Fill(t, "#prest-periodo", "11")
		b.Fill(t, "#prest-mensile", "300,00")
		b.Fill(t, "#prest-quota-ente", "250")
		b.Fill(t, "#prest-quota-utente", "50")
		b.Select(t, "#prest-prova", "1")
		b.Fill(t, "#prest-dsu-protocollo", "INPS-ISEE-2026-00012345A-00")
		b.Fill(t, "#prest-dsu-anno", anno)
		b.Fill(t, "#prest-dsu-data", "2026-01-15")
		b.Fill(t, "#prest-soglia", "9.360,00")
		b.Select(t, "#prest-presa", "1")
		b.Select(t, "#prest-area", "3")
		b.Select(t, "#prest-sostegno", sostegno)
	}
	compila("26")
	b.Click(t, `[data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="errore-dsu_anno"]`); !strings.Contains(got, "quattro cifre") ||
		b.Value(t, "#prest-dsu-protocollo") != "INPS-ISEE-2026-00012345A-00" || b.Value(t, "#prest-mensile") != "300,00" ||
		b.Value(t, "#prest-codice") != "A1.09" || b.Value(t, "#prest-sostegno") != sostegno {
		t.Errorf("a bad DSU year: %q (typed values kept? %q %q)", got, b.Value(t, "#prest-dsu-protocollo"), b.Value(t, "#prest-mensile"))
	}
	checkPage(t, b.Browser, "prestazioni-04-errore")
	b.Fill(t, "#prest-dsu-anno", "2026")
	b.Click(t, `[data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Prestazione registrata") {
		t.Errorf("after recording: %q", got)
	}
	if got := b.Text(t, `[data-testid="prestazioni"]`); !strings.Contains(got, "A1.09") || !strings.Contains(got, "Ferri Giulia") ||
		!strings.Contains(got, "300,00 € al mese per 11 mesi") || !strings.Contains(got, "I · inserimento") || !strings.Contains(got, "pronto per INPS") ||
		!strings.Contains(got, "Sostegno del patto: Assistenza domiciliare socio-assistenziale e servizi di prossimità — Cooperativa Aurora") {
		t.Errorf("the recorded prestazione: %q", got)
	}
	checkPage(t, b.Browser, "prestazioni-05-registrata")
	b.Navigate(t, a.URL+"/casi/"+caso+"/patto")
	if got := b.Text(t, `[data-testid="prestazione-sostegno-`+sostegno+`"]`); !strings.Contains(got, "A1.09") ||
		b.Exists(t, `[data-testid="registra-prestazione-`+sostegno+`"]`) {
		t.Errorf("the patto's sostegno recorded as a prestazione: %q", got)
	}
	checkPage(t, b.Browser, "prestazioni-05-patto")

	b.Navigate(t, a.URL+"/casi/"+caso)
	if got := b.Text(t, "main"); !strings.Contains(got, "1 prestazione registrata") || !strings.Contains(got, "1 flusso pronto per INPS") {
		t.Errorf("the case page's section after recording: %q", got)
	}
	checkPage(t, b.Browser, "prestazioni-06-caso")

	b.Navigate(t, a.URL+"/casi/"+caso+"/prestazioni")
	b.Click(t, `[data-testid="correggi"]`)
	if b.Value(t, "#prest-mensile") != "300,00" || b.Value(t, "#prest-dsu-anno") != "2026" || b.Value(t, "#prest-sostegno") != sostegno ||
		!b.Exists(t, `p[data-testid="sostegno-collegato"]`) {
		t.Errorf("the correction form: %q %q", b.Value(t, "#prest-mensile"), b.Value(t, "#prest-dsu-anno"))
	}
	checkPage(t, b.Browser, "prestazioni-07-correggi")
	b.Fill(t, "#prest-mensile", "350,00")
	b.Fill(t, "#prest-quota-ente", "300,00")
	b.Click(t, `[data-testid="salva-correzione"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Prestazione corretta") {
		t.Errorf("after correcting: %q", got)
	}
	got := b.Text(t, `[data-testid="prestazioni"]`)
	if !strings.Contains(got, "350,00 € al mese") || strings.Count(got, "I · inserimento") != 2 || strings.Count(got, "C · cancellazione") != 1 ||
		strings.Count(got, "pronto per INPS") != 3 || strings.Index(got, "C · cancellazione") > strings.LastIndex(got, "I · inserimento") {
		t.Errorf("after the correction, C then I: %q", got)
	}
	checkPage(t, b.Browser, "prestazioni-08-corretta")
	b.Click(t, `[data-testid="logout"]`)

	// Issue 18, second slice: INPS polls the e-service (a voucher of the
	// demo PDND server), and the operatore ATS follows the flows at /siuss:
	// offered, then acquired after INPS's esiti; the C and the I of the
	// correction; never the person, and the case is not theirs to open.
	x := &inps{t: t, base: a.URL, c: nuovoContratto(t), token: voucher(t, a)}
	var since int64
	fl := x.tutti(&since, 10)
	if len(fl) != 3 || tipoOperazione(t, fl[1].Flusso) != "C" || tipoOperazione(t, fl[2].Flusso) != "I" {
		t.Fatalf("INPS polled %d flows", len(fl))
	}
	b.login(t, "operatoreats")
	b.Navigate(t, a.URL+"/")
	b.Click(t, `a[href="/siuss"]`)
	got = b.Text(t, `[data-testid="flussi"]`)
	if strings.Count(got, "inviato a INPS") != 3 || !strings.Contains(got, fl[0].IDFlusso) || strings.Contains(got, "Ferri") {
		t.Errorf("/siuss after INPS's poll: %q", got)
	}
	if b.Text(t, `[data-testid="conteggio-offerto"]`) != "3" {
		t.Errorf("offered: %q", b.Text(t, `[data-testid="conteggio-offerto"]`))
	}
	checkPage(t, b.Browser, "prestazioni-09-siuss-inviati")
	var es []map[string]string
	for i, f := range fl {
		es = append(es, map[string]string{"id_flusso": f.IDFlusso, "ts_flusso": f.TSFlusso, "ts_acquisizione": "2026-12-03T11:00:00.000Z",
			"tipo": f.Tipo, "codice_esito": "OK", "id_acquisizione_siuss": "SIUSS-" + string(rune('1'+i))})
	}
	body, _ := json.Marshal(map[string]any{"elenco_esiti": es})
	if resp, out := x.chiama("POST", "/waas/v1/esiti", body); resp.StatusCode != 204 {
		t.Fatalf("POST /esiti: %d %s", resp.StatusCode, out)
	}
	b.Select(t, "#stato", "acquisito")
	b.Click(t, `form[action="/siuss"] button[type="submit"]`)
	got = b.Text(t, `[data-testid="flussi"]`)
	if strings.Count(got, "acquisito da INPS") != 3 || !strings.Contains(got, "SIUSS-1") || b.Text(t, `[data-testid="conteggio-acquisito"]`) != "3" {
		t.Errorf("/siuss after INPS's esiti: %q", got)
	}
	checkPage(t, b.Browser, "prestazioni-10-siuss-acquisiti")
	b.Navigate(t, a.URL+"/casi/"+caso+"/prestazioni")
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
		t.Errorf("operatoreats on the case's prestazioni: %q", got)
	}
}
