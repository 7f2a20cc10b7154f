package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
)

var reTag = regexp.MustCompile(`<[^>]+>`)

// testoDi is the text of the element marked data-testid=id in an HTML page
// ("" when absent): its markup up to the first closing </div>, without tags.
func testoDi(body, id string) string {
	_, rest, ok := strings.Cut(body, `data-testid="`+id+`"`)
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "</div>")
	if i := strings.Index(rest, ">"); i >= 0 {
		rest = rest[i+1:]
	}
	return strings.Join(strings.Fields(reTag.ReplaceAllString(rest, " ")), " ")
}

func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return body
}

// The first start of the demo loads the households and walks the five
// lowest-numbered cases of `casemanager` along the workflow: the case
// manager sees one case at each stage (in valutazione, quadro di analisi in
// corso, progettazione, monitoraggio, patto sottoscritto) and a monitoring
// meeting in the agenda; the coordinatore has one segnalazione to approve.
// A restart does nothing more.
func TestPercorsiDemo(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	start := time.Now()
	if err := caricaDemo(ctx, a.d, demo.NucleiPredefiniti, log); err != nil {
		t.Fatal(err)
	}
	t.Logf("households loaded and cases walked in %s", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(logs.String(), `"msg":"demo cases prepared along the workflow","cases":5`) {
		t.Errorf("no log line with the cases prepared:\n%s", logs)
	}

	ps, err := demo.Principals(ctx, a.d.accesso)
	if err != nil {
		t.Fatal(err)
	}
	cm, coord := ps["casemanager"], ps["coordinatore"]
	verificaControlliDemo(t, a, ps)
	verificaReteDemo(t, a, ps["gestorerete"])
	// The walked cases: those moved on, but the one presentazioniDemo
	// finalised with esito B (its exempted member, issue 16).
	rows, err := a.d.pool.Query(ctx, `SELECT id FROM caso WHERE case_manager_id = $1 AND stato <> 'assegnato'
		AND id NOT IN (SELECT caso_id FROM scheda WHERE tipo = 'analisi_preliminare' AND esito = 'B') ORDER BY numero`, cm.OperatoreID)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(ids) != 5 {
		t.Fatalf("casemanager's cases moved on: %v %v, want 5", ids, err)
	}
	voce := registro.Voce{Indirizzo: "test"}
	header := make([]casi.Caso, len(ids))
	for i, id := range ids {
		if header[i], err = a.d.casi.Get(ctx, a.d.pool, id); err != nil {
			t.Fatal(err)
		}
	}

	// What the case manager sees on each case page.
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	for i, want := range []casi.Stato{casi.InValutazione, casi.QdAInCorso, casi.Progettazione, casi.Monitoraggio, casi.PattoSottoscritto} {
		if got := testoDi(get(t, c, a.URL+"/casi/"+ids[i].String()), "stato"); got != want.Label() {
			t.Errorf("case %s (stage %d): state %q, want %q", header[i].Codice(), i+1, got, want.Label())
		}
	}

	// The schede of each stage.
	if sc, err := a.d.analisi.Corrente(ctx, cm, ids[0], voce); err != nil || !sc.Bozza() {
		t.Errorf("case 1: analisi preliminare %+v %v, want a draft", sc.Versione, err)
	}
	if sc, err := a.d.analisi.Corrente(ctx, cm, ids[1], voce); err != nil || sc.Bozza() || sc.Versione == nil || sc.Versione.Esito != "C" {
		t.Errorf("case 2: analisi preliminare %+v %v, want finalised with esito C", sc.Versione, err)
	}
	if sc, err := a.d.quadro.Corrente(ctx, cm, ids[1], voce); err != nil || !sc.Bozza() {
		t.Errorf("case 2: quadro di analisi %+v %v, want a draft", sc.Versione, err)
	}
	if pr, err := a.d.quadro.Priorita(ctx, ids[2]); err != nil || len(pr) != 2 {
		t.Errorf("case 3: priorities of the quadro %+v %v, want 2", pr, err)
	}
	if sc, err := a.d.patto.Corrente(ctx, cm, ids[2], voce); err != nil || !sc.Bozza() || len(sc.Versione.Contenuto.Impegni) != 2 ||
		len(sc.Versione.Contenuto.Sostegni) != 2 || len(sc.Versione.Contenuto.Obiettivi) != 2 {
		t.Errorf("case 3: patto %+v %v, want a draft with 2 objectives, 2 sostegni, 2 impegni", sc.Versione, err)
	}
	for _, i := range []int{3, 4} {
		sc, err := a.d.patto.Corrente(ctx, cm, ids[i], voce)
		if err != nil || sc.Versione == nil || sc.Versione.Numero != 1 || !sc.Versione.Definitiva() ||
			sc.Versione.Contenuto.Sottoscrizione == nil || sc.Versione.Contenuto.Sottoscrizione.Modalita != patto.Altra {
			t.Errorf("case %d: patto %+v %v, want version 1 signed", i+1, sc.Versione, err)
		}
	}

	// Case 4: the monitoring meeting held, an impegno not respected, the
	// next meeting planned; the segnalazione waits for the coordinatore.
	mon := monitoraggio.NewService(a.d.pool, a.d.registro, a.d.casi)
	pg, err := mon.Pagina(ctx, cm, ids[3], voce)
	if err != nil || pg.Ultimo == nil || !pg.Ultimo.NonRispettati() || pg.Prossimo == nil {
		t.Errorf("case 4: monitoring %+v %v, want a meeting held with an impegno not respected and the next planned", pg.Incontri, err)
	}
	coda, err := a.d.segnal.Coda(ctx, coord, 1, voce)
	if err != nil || len(coda.Righe) != 1 || coda.Righe[0].Caso != header[3].Codice() {
		t.Errorf("coordinatore's queue: %+v %v, want the segnalazione of %s", coda.Righe, err, header[3].Codice())
	}
	cc := a.client(t)
	a.login(t, cc, "coordinatore", demo.Password)
	if body := get(t, cc, a.URL+"/segnalazioni"); !strings.Contains(body, header[3].Codice()) {
		t.Errorf("the coordinatore's /segnalazioni does not list %s", header[3].Codice())
	}

	// Case 5: the monitoring meeting planned in the coming days, in the
	// case manager's agenda.
	pg, err = mon.Pagina(ctx, cm, ids[4], voce)
	if err != nil || pg.Prossimo == nil || len(pg.Incontri) != 1 {
		t.Fatalf("case 5: monitoring %+v %v, want one meeting planned", pg.Incontri, err)
	}
	oggi := a.d.casi.Oggi()
	if d := pg.Prossimo.Data; !d.After(oggi) || d.After(oggi.AddDate(0, 0, 5)) {
		t.Errorf("case 5: meeting planned on %s, want in the coming days", d.Format(time.DateOnly))
	}
	agenda := get(t, c, a.URL+"/agenda?settimana="+incontri.CodiceSettimana(pg.Prossimo.Data))
	if !strings.Contains(agenda, `data-testid="appuntamento-`+pg.Prossimo.ID.String()+`"`) {
		t.Errorf("the planned monitoring meeting is not in the agenda of its week")
	}

	// No personal data in the log.
	for _, h := range header {
		if strings.Contains(logs.String(), h.RichiedenteCF) || strings.Contains(logs.String(), h.Richiedente) {
			t.Errorf("the log names a member of %s", h.Codice())
		}
	}

	// A restart: the households are there, nothing is walked again.
	conta := func() int {
		return a.count(t, `SELECT (SELECT count(*) FROM scheda) + (SELECT count(*) FROM caso_storico) + (SELECT count(*) FROM incontro)
			+ (SELECT count(*) FROM monitoraggio_incontro) + (SELECT count(*) FROM segnalazione) + (SELECT count(*) FROM equipe_membro)
			+ (SELECT count(*) FROM caso)`)
	}
	prima := conta()
	logs2 := &syncBuffer{}
	if err := caricaDemo(ctx, a.d, demo.NucleiPredefiniti, slog.New(slog.NewJSONHandler(logs2, nil))); err != nil {
		t.Fatal(err)
	}
	if dopo := conta(); dopo != prima || strings.Contains(logs2.String(), "prepared") {
		t.Errorf("a restart wrote again: %d rows, then %d\n%s", prima, dopo, logs2)
	}
}

// With few households (`cartella demo --nuclei 20`) fewer cases qualify:
// the demo starts all the same, with the first stages only.
func TestPercorsiDemoPochiNuclei(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	logs := &syncBuffer{}
	if err := caricaDemo(context.Background(), a.d, 20, slog.New(slog.NewJSONHandler(logs, nil))); err != nil {
		t.Fatal(err)
	}
	n := a.count(t, `SELECT count(*) FROM caso WHERE stato NOT IN ('assegnato', 'ricevuto')`)
	if n == 0 || n >= 5 || !strings.Contains(logs.String(), fmt.Sprintf(`"cases":%d`, n)) {
		t.Errorf("%d cases walked with 20 households, want some but fewer than 5\n%s", n, logs)
	}
}
