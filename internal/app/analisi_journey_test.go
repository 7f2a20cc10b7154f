package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/browsertest"
)

// The case manager starts the analisi preliminare of a case (pre-filled
// with the nucleo), saves a draft, tries to finalise with a member's
// percorso missing (the error is next to the field, everything typed is
// kept), finalises with esito C and sees the case in "Quadro di analisi in
// corso"; reopens it as version 2 while version 1 stays readable, compares
// the two and opens the print view. The coordinatore is refused (403),
// casemanager2 does not find the case (404). Every page passes axe-core.
//
// The form is long and Bootstrap Italia scrolls smoothly: typing into a far
// field (Fill) starts a scroll animation, and a click issued meanwhile may
// land where the control was. press and tick retry such a click until its
// effect is visible (a missed click does nothing).
func TestJourneyAnalisiPreliminare(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, membri := casoIncontri(t, a)
	b := &journey{browsertest.Start(t), a.URL}
	press := func(css string, done func() bool) {
		t.Helper()
		for i := 0; i < 4; i++ {
			time.Sleep(500 * time.Millisecond) // let the scroll end
			b.Click(t, css)
			if done() {
				return
			}
		}
		t.Fatalf("clicking %s had no effect", css)
	}
	tick := func(id string) { press(`label[for="`+id+`"]`, func() bool { return b.Exists(t, "#"+id+":checked") }) }
	shows := func(css string) func() bool { return func() bool { return b.Exists(t, css) } }
	says := func(css, text string) func() bool {
		return func() bool { return b.Exists(t, css) && strings.Contains(b.Text(t, css), text) }
	}
	page := a.URL + "/casi/" + caso.String() + "/analisi-preliminare"
	maria, luca := "c-"+membri[0].String()+"-", "c-"+membri[1].String()+"-"

	b.login(t, "casemanager")
	b.Navigate(t, page)
	checkPage(t, b.Browser, "ap-01-da-iniziare")
	b.Click(t, `[data-testid="inizia"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Analisi preliminare iniziata") {
		t.Errorf("after starting: %q", got)
	}
	if got := b.Text(t, `[data-testid="componenti"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "Rossi Luca") {
		t.Errorf("pre-filled members: %q", got)
	}
	checkPage(t, b.Browser, "ap-02-bozza")

	b.Fill(t, "#n-risorse", "La nonna aiuta con i figli")
	tick("n-area-economica-presente")
	b.Fill(t, "#n-area-economica-descrizione", "Affitto arretrato di tre mesi")
	press(`[data-testid="salva"]`, says(`[data-testid="esito"]`, "Bozza salvata."))
	if got := b.Text(t, `[data-testid="esito"]`); got != "Bozza salvata." {
		t.Errorf("after saving: %q", got)
	}

	// An index of the sections, and a save at the end of each: saving from
	// the first section keeps what was typed in the fourth (issue 21, point 5).
	if got := b.Text(t, `[data-testid="indice-sezioni"]`); !strings.Contains(got, "Risorse e aspirazioni") || !strings.Contains(got, "Esito") {
		t.Errorf("section index: %q", got)
	}
	b.Fill(t, "#n-aspirazioni", "Una casa più vicina alla scuola")
	press(`[data-testid="salva-sezione"]`, says(`[data-testid="esito"]`, "Bozza salvata."))
	if got := b.Value(t, "#n-aspirazioni"); got != "Una casa più vicina alla scuola" {
		t.Errorf("saved from the first section, the fourth's text: %q", got)
	}
	tick("esito-C")
	// Luca is 16: no percorso, reasons or CPI are asked of him (issue 21,
	// point 5); Maria's percorso is left out, to see the errors.
	if b.Exists(t, "#"+luca+"percorso") || !b.Exists(t, `[data-testid="minore-`+membri[1].String()+`"]`) {
		t.Error("the form asks a minor's percorso")
	}
	// Nor whether he is retired; at 16 he may work (apprendistato).
	if b.Exists(t, "#"+luca+"pensionato") || !b.Exists(t, "#"+luca+"occupato") || !b.Exists(t, "#"+luca+"studente") {
		t.Error("a 16-year-old is asked whether he is retired, or not whether he works or studies")
	}
	press(`[data-testid="finalizza"]`, shows(`[data-testid="errori-modulo"]`))
	// Each error of the summary links to its field (issue 21, point 5).
	links := b.Raggiungibili(t, `[data-testid="errori-modulo"] a`)
	if len(links) == 0 {
		t.Error("the error summary links to no field")
	}
	for _, l := range links {
		if !strings.HasPrefix(l.Href, "#") || !b.Exists(t, l.Href) {
			t.Errorf("summary link %q (%s) leads to no field", l.Testo, l.Href)
		}
	}
	if b.Exists(t, `[data-testid="errore-esito"]`) {
		t.Error("the esito chosen was lost")
	}
	if got := b.Text(t, `[data-testid="errore-`+maria+`percorso"]`); !strings.Contains(got, "Indica il percorso di Rossi Maria") {
		t.Errorf("percorso error: %q", got)
	}
	if got := b.Value(t, "#n-aspirazioni"); got != "Una casa più vicina alla scuola" {
		t.Errorf("typed text lost: %q", got)
	}
	checkPage(t, b.Browser, "ap-03-errori")

	b.Select(t, "#"+maria+"percorso", "1")
	press(`[data-testid="finalizza"]`, shows(`[data-testid="vista"]`))
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "finalizzata") {
		t.Fatalf("after finalising: %q", got)
	}
	if got := b.Text(t, `[data-testid="stato-caso"]`); !strings.Contains(got, "Quadro di analisi in corso") {
		t.Errorf("case state: %q", got)
	}
	if got := b.Text(t, `[data-testid="vista-esito"]`); !strings.HasPrefix(got, "C — ") {
		t.Errorf("esito shown: %q", got)
	}
	checkPage(t, b.Browser, "ap-04-finalizzata")

	// Esito C: the équipe is composed and convened with an extract of the
	// analisi, which reaches the demo's mail sink.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go a.d.posta.Run(ctx) // the background worker, as `cartella demo` runs it
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	b.Click(t, `a[href="/casi/`+caso.String()+`/equipe"]`)
	b.Fill(t, "#m-nome", "Anna")
	b.Fill(t, "#m-cognome", "Verdi")
	b.Fill(t, "#m-funzione", "Educatrice professionale")
	b.Fill(t, "#m-email", "anna.verdi@asl.example")
	b.Click(t, `[data-testid="aggiungi-membro"]`)
	if got := b.Text(t, `[data-testid="membri"]`); !strings.Contains(got, "Anna Verdi") {
		t.Fatalf("équipe members: %q", got)
	}
	var anna uuid.UUID
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id FROM equipe_membro WHERE email = 'anna.verdi@asl.example'`).Scan(&anna); err != nil {
		t.Fatal(err)
	}
	b.Click(t, `[data-testid="convoca"]`)
	b.Fill(t, "#c-data", time.Now().AddDate(0, 0, 2).Format("2006-01-02"))
	b.Fill(t, "#c-ora", "09:30")
	b.Fill(t, "#c-luogo", "Servizio sociale, via dei Mille 9")
	tick("inv-" + anna.String())
	tick("sez-bisogni")
	b.Click(t, `[data-testid="invia-convocazione"]`)
	if got := b.Text(t, `[data-testid="sezioni-inviate"]`); !strings.Contains(got, "Bisogni nelle aree della valutazione") {
		t.Errorf("sections sent: %q", got)
	}
	convocazione := strings.SplitN(b.URL(t), "?", 2)[0]
	deadline := time.Now().Add(15 * time.Second)
	for a.count(t, `SELECT count(*) FROM posta_uscita WHERE caso_id = $1 AND stato = 'sink'`, caso) < 1 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	b.Navigate(t, a.URL+"/demo/posta")
	if got := b.Text(t, `[data-testid="messaggi"]`); !strings.Contains(got, "anna.verdi@asl.example") || !strings.Contains(got, "Consegnato alla posta di prova") {
		t.Errorf("mail sink: %q", got)
	}
	b.Navigate(t, convocazione+"/stampa")
	if got := b.Text(t, "main"); !strings.Contains(got, "Affitto arretrato di tre mesi") {
		t.Errorf("the extract lacks the analisi's content: %q", got)
	}
	checkPage(t, b.Browser, "ap-04b-estratto")

	// The quadro di analisi: one priority for the patto, finalised; the
	// case goes to progettazione.
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	b.Click(t, `a[href="/casi/`+caso.String()+`/quadro-di-analisi"]`)
	b.Click(t, `[data-testid="inizia"]`)
	checkPage(t, b.Browser, "qda-01-bozza")
	b.Select(t, "#f-economica-bisogno", "grave")
	b.Fill(t, "#f-economica-risorse", "La nonna aiuta con i figli")
	tick("f-economica-priorita")
	press(`[data-testid="finalizza"]`, shows(`[data-testid="errori-modulo"]`))
	if got := b.Text(t, `[data-testid="errori-modulo"]`); !strings.Contains(got, "Scrivi la sintesi") {
		t.Errorf("quadro errors: %q", got)
	}
	if got := b.Value(t, "#f-economica-bisogno"); got != "grave" {
		t.Errorf("need level typed was lost: %q", got)
	}
	checkPage(t, b.Browser, "qda-02-errori")
	b.Fill(t, "#sintesi", "Affitto arretrato: priorità alla casa e al reddito.")
	press(`[data-testid="finalizza"]`, shows(`[data-testid="vista"]`))
	if got := b.Text(t, `[data-testid="stato-caso"]`); !strings.Contains(got, "Progettazione") {
		t.Errorf("case state after the quadro: %q", got)
	}
	if got := b.Text(t, `[data-testid="priorita"]`); !strings.Contains(got, "Situazione economica") {
		t.Errorf("priorities: %q", got)
	}
	checkPage(t, b.Browser, "qda-03-finalizzato")
	b.Navigate(t, page)

	press(`[data-testid="riapri"]`, shows(`[data-testid="errore-motivo"]`)) // no motivo
	if got := b.Text(t, `[data-testid="errore-motivo"]`); got != "Indica il motivo della riapertura." {
		t.Errorf("reopening without motivo: %q", got)
	}
	checkPage(t, b.Browser, "ap-05-riapri-errore")
	b.Fill(t, "#motivo", "Maria ha trovato un lavoro part-time")
	press(`[data-testid="riapri"]`, shows(`[data-testid="modulo"]`))
	if got := b.Text(t, `[data-testid="versione"]`); !strings.Contains(got, "Versione 2") || !strings.Contains(got, "Bozza") {
		t.Errorf("after reopening: %q", got)
	}
	tick(maria + "occupato")
	press(`[data-testid="salva"]`, says(`[data-testid="esito"]`, "Bozza salvata."))

	b.Click(t, `[data-testid="link-versioni"]`)
	if got := b.Text(t, `[data-testid="versioni"]`); !strings.Contains(got, "Maria ha trovato un lavoro part-time") || !strings.Contains(got, "Definitiva") {
		t.Errorf("versions: %q", got)
	}
	checkPage(t, b.Browser, "ap-06-versioni")
	b.Click(t, `[data-testid="vedi-1"]`)
	if got := b.Text(t, `[data-testid="versione"]`); !strings.Contains(got, "Versione 1") || !strings.Contains(got, "Definitiva") {
		t.Errorf("version 1: %q", got)
	}
	if got := b.Text(t, `[data-testid="vista"]`); !strings.Contains(got, "Affitto arretrato di tre mesi") {
		t.Errorf("version 1 content: %q", got)
	}
	checkPage(t, b.Browser, "ap-07-versione-1")
	b.Navigate(t, page+"/versioni/2/confronto?con=1")
	if got := b.Text(t, `[data-testid="differenze"]`); !strings.Contains(got, "Rossi Maria — Occupato") {
		t.Errorf("differences: %q", got)
	}
	checkPage(t, b.Browser, "ap-08-confronto")
	b.Navigate(t, page+"/stampa?versione=1")
	if got := b.Text(t, `[data-testid="titolo"]`); !strings.Contains(got, "Analisi preliminare") {
		t.Errorf("print view: %q", got)
	}
	checkPage(t, b.Browser, "ap-09-stampa")
	if s := b.Stampabile(t, "main"); s.Larghezza < 0.97 || len(s.Problemi) > 0 {
		t.Errorf("print layout: %.0f%% of the printable width; %v", 100*s.Larghezza, s.Problemi)
	}
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "coordinatore")
	b.Navigate(t, page)
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
		t.Errorf("coordinatore: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)
	b.login(t, "casemanager2")
	b.Navigate(t, page)
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Pagina non trovata" {
		t.Errorf("casemanager2: %q", got)
	}
	checkPage(t, b.Browser, "ap-10-casemanager2")
}
