package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/schede"
)

// IDs of the monitoring fixture's patto items.
const (
	monRisultato  = "6f1c2a9e-0000-4d1e-8a52-000000000001"
	monRisultato2 = "6f1c2a9e-0000-4d1e-8a52-000000000002"
	monImpegno    = "6f1c2a9e-1111-4d1e-8a52-000000000001"
)

// casoMonitoraggio is casoIncontri's nucleo with its case in
// patto_sottoscritto: a first meeting 80 days ago started the T90 (due in
// 10 days), and the patto (version 1) is signed: an objective of Maria's
// with two risultati attesi, an impegno of hers, a meeting every 60 days.
func casoMonitoraggio(t *testing.T, a *testApp) (uuid.UUID, []uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	caso, membri := casoIncontri(t, a)
	var op uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT case_manager_id FROM caso WHERE id = $1`, caso).Scan(&op); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `UPDATE caso SET stato = 'patto_sottoscritto' WHERE id = $1`, caso)
	a.exec(t, `DELETE FROM convocazione WHERE caso_id = $1`, caso)
	a.exec(t, `UPDATE domanda SET data_domanda = current_date - 110, data_pad = current_date - 100 WHERE id = (SELECT domanda_id FROM caso WHERE id = $1)`, caso)
	var inc uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `INSERT INTO incontro (caso_id, tipo, data, registrato_da) VALUES ($1, 'primo_incontro', current_date - 80, $2) RETURNING id`,
		caso, op).Scan(&inc); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `INSERT INTO incontro_presenza (incontro_id, persona_id, presente) VALUES ($1, $2, true)`, inc, membri[0])
	c := patto.Contenuto{
		Obiettivi: []patto.Obiettivo{{ID: "6f1c2a9e-2222-4d1e-8a52-000000000001", Titolo: "Trovare un lavoro", PersonaID: membri[0].String(),
			Risultati: []patto.Risultato{
				{ID: monRisultato, Descrizione: "Curriculum aggiornato e consegnato al centro per l'impiego"},
				{ID: monRisultato2, Descrizione: "Tre colloqui di lavoro sostenuti"},
			}}},
		Impegni: []patto.Impegno{{ID: monImpegno, Area: "ricerca_lavoro", PersonaID: membri[0].String(),
			Descrizione: "Presentarsi al centro per l'impiego ogni mese", Frequenza: "ogni mese"}},
		FrequenzaIncontri: 60,
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, a.d.pool, func(tx pgx.Tx) error {
		v, err := schede.NuovaBozza(ctx, tx, caso, schede.Patto, b, op)
		if err != nil {
			return err
		}
		_, err = schede.Finalizza(ctx, tx, caso, schede.Patto, v.Revisione, b, "", op, func(s string) string { return s })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.d.casi.Aggiorna(ctx, a.d.pool, caso); err != nil {
		t.Fatal(err)
	}
	return caso, membri
}

// The case manager plans a monitoring meeting of the signed patto choosing
// a risultato and an impegno (a form with errors first), records it
// (presences, the risultato raggiunto, the impegno rispettato, the next
// meeting), and sees the 90-day counter restart on the case page and the
// case in monitoraggio. The coordinatore may not open the page. Every page
// passes axe-core.
func TestJourneyMonitoraggio(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, membri := casoMonitoraggio(t, a)
	b := &journey{browsertest.Start(t), a.URL}
	base := a.URL + "/casi/" + caso.String()
	oggi := casi.Oggi(time.Now())
	entro := oggi.AddDate(0, 0, 90).Format("02/01/2006")

	b.login(t, "casemanager")
	b.Navigate(t, base)
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, oggi.AddDate(0, 0, 10).Format("02/01/2006")) {
		t.Errorf("case page T90 before: %q", got)
	}
	b.Navigate(t, base+"/monitoraggio")
	if got := b.Text(t, `[data-testid="patto"]`); !strings.Contains(got, "Versione 1") || !strings.Contains(got, "ogni 60 giorni") {
		t.Errorf("patto: %q", got)
	}
	if got := b.Text(t, `[data-testid="nessun-incontro"]`); !strings.Contains(got, "Nessun incontro") {
		t.Errorf("meetings: %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-01-pagina")

	b.Click(t, `[data-testid="pianifica"]`)
	b.Click(t, `[data-testid="salva-pianificazione"]`) // nothing chosen
	if got := b.Text(t, `[data-testid="errori-modulo"]`); !strings.Contains(got, "Indica la data dell'incontro.") ||
		!strings.Contains(got, "Scegli almeno un risultato atteso o un impegno") {
		t.Errorf("planning errors: %q", got)
	}
	if got := b.Text(t, `[data-testid="errore-luogo"]`); got != "Indica il luogo dell'incontro." {
		t.Errorf("luogo error: %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-02-errori")
	b.Fill(t, "#luogo", "Servizio sociale, via Porrettana 360")
	b.Click(t, `label[for="r-`+monRisultato+`"]`)
	b.Click(t, `label[for="i-`+monImpegno+`"]`)
	b.Click(t, `[data-testid="salva-pianificazione"]`) // still no date: the rest is kept
	if got := b.Value(t, "#luogo"); got != "Servizio sociale, via Porrettana 360" {
		t.Errorf("luogo not kept: %q", got)
	}
	if !b.Exists(t, `#r-`+monRisultato+`:checked`) {
		t.Error("the chosen risultato is not kept")
	}
	checkPage(t, b.Browser, "monitoraggio-02b-scelte-conservate")
	b.Fill(t, "#data", oggi.Format("2006-01-02"))
	b.Click(t, `[data-testid="salva-pianificazione"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Incontro pianificato." {
		t.Fatalf("after planning: %q", got)
	}
	if got := b.Text(t, `[data-testid="stato-incontro"]`); got != "Pianificato" {
		t.Errorf("meeting state %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-03-pianificato")

	// The assessment: a form with errors first, then complete.
	b.Click(t, `label[for="presenza-`+membri[0].String()+`-presente"]`)
	b.Fill(t, "#partecipanti", "Anna Neri, educatrice del Comune")
	b.Click(t, `[data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="errori-modulo"]`); !strings.Contains(got, "Indica se Rossi Luca era presente.") ||
		!strings.Contains(got, "Indica la valutazione del risultato.") {
		t.Errorf("assessment errors: %q", got)
	}
	if got := b.Value(t, "#partecipanti"); got != "Anna Neri, educatrice del Comune" {
		t.Errorf("other participants not kept after the errors: %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-04-errori-valutazione")
	b.Click(t, `label[for="presenza-`+membri[1].String()+`-giustificato"]`)
	b.Fill(t, "#motivo-"+membri[1].String(), "A scuola")
	b.Click(t, `label[for="val_r_`+monRisultato+`-raggiunto"]`)
	b.Fill(t, "#nota_r_"+monRisultato, "Consegnato il 3 del mese")
	b.Click(t, `label[for="val_i_`+monImpegno+`-rispettato"]`)
	b.Fill(t, "#note", "La signora ha portato il curriculum.")
	b.Fill(t, "#prossimo", oggi.AddDate(0, 0, 45).Format("2006-01-02"))
	b.Click(t, `[data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Incontro registrato") {
		t.Fatalf("after recording: %q", got)
	}
	if got := b.Text(t, `[data-testid="stato-incontro"]`); got != "Svolto" {
		t.Errorf("meeting state %q", got)
	}
	if got := b.Text(t, `[data-testid="risultati"]`); !strings.Contains(got, "Raggiunto") || !strings.Contains(got, "Consegnato il 3 del mese") {
		t.Errorf("risultati %q", got)
	}
	if got := b.Text(t, `[data-testid="impegni"]`); !strings.Contains(got, "Rispettato") {
		t.Errorf("impegni %q", got)
	}
	if got := b.Text(t, `[data-testid="presenze"]`); !strings.Contains(got, "Rossi Maria: Presente") || !strings.Contains(got, "Rossi Luca: Assente con giustificato motivo (A scuola)") {
		t.Errorf("presenze %q", got)
	}
	if got := b.Text(t, `[data-testid="partecipanti"]`); got != "Altri partecipanti: Anna Neri, educatrice del Comune" {
		t.Errorf("other participants %q", got)
	}
	if b.Exists(t, `[data-testid="avviso-segnalazione"]`) || b.Exists(t, `[data-testid="avvisi-prossimo"]`) {
		t.Error("a warning is shown for a respected impegno and a next meeting in time")
	}
	checkPage(t, b.Browser, "monitoraggio-05-svolto")
	b.Click(t, `[data-testid="verbale"]`)
	if got := b.Text(t, "main"); !strings.Contains(got, "Verbale dell'incontro di monitoraggio") || !strings.Contains(got, "Curriculum aggiornato") ||
		!strings.Contains(got, "Anna Neri, educatrice del Comune") {
		t.Errorf("verbale %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-06-verbale")

	b.Navigate(t, base+"/monitoraggio")
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, entro) {
		t.Errorf("monitoring page T90 %q, want due %s", got, entro)
	}
	if got := b.Text(t, `[data-testid="prossimo"]`); !strings.Contains(got, oggi.AddDate(0, 0, 45).Format("02/01/2006")) || !strings.Contains(got, "1 risultato, 1 impegno") {
		t.Errorf("next meeting %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-07-pagina")
	b.Navigate(t, base)
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, entro) {
		t.Errorf("case page T90 after: %q, want due %s", got, entro)
	}
	if got := b.Text(t, `[data-testid="stato"]`); got != casi.Monitoraggio.Label() {
		t.Errorf("case state %q", got)
	}
	b.Navigate(t, base+"/incontri")
	if got := b.Text(t, `[data-testid="incontri"]`); !strings.Contains(got, "Monitoraggio") {
		t.Errorf("the incontri page lacks the monitoring meeting: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "coordinatore")
	b.Navigate(t, base+"/monitoraggio")
	if got := b.Text(t, "main"); strings.Contains(got, "Curriculum") || strings.Contains(got, "Rossi Maria") {
		t.Errorf("the coordinatore sees the monitoring: %q", got)
	}
	checkPage(t, b.Browser, "monitoraggio-08-coordinatore")
	b.Click(t, `[data-testid="logout"]`)

	// A second window's form, loaded before the meeting was recorded: the
	// save is refused with the conflict message, nothing is written.
	var held uuid.UUID
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id FROM monitoraggio_incontro WHERE caso_id = $1 AND stato = 'svolto'`, caso).Scan(&held); err != nil {
		t.Fatal(err)
	}
	cm := a.client(t)
	a.login(t, cm, "casemanager", "demo")
	resp, err := cm.PostForm(base+"/monitoraggio/"+held.String()+"/registra", url.Values{"versione": {"1"}, "data": {oggi.Format("2006-01-02")},
		"presenza_" + membri[0].String(): {"presente"}, "presenza_" + membri[1].String(): {"presente"}})
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Quanto hai inserito non è stato salvato") {
		t.Errorf("stale save: %d", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM incontro WHERE caso_id = $1 AND tipo = 'monitoraggio'`, caso); n != 1 {
		t.Errorf("%d monitoring incontri after the stale save", n)
	}

	c := a.client(t)
	a.login(t, c, "casemanager2", "demo")
	resp, err = c.Get(base + "/monitoraggio")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Rossi Maria") {
		t.Errorf("casemanager2: %d", resp.StatusCode)
	}
}
