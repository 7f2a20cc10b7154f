package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/demo"
)

// The case manager composes the équipe of a case (two professionals and
// the familiare referente), convenes it choosing the sections of the
// extract, and the message with the PDF arrives in the demo's mail sink;
// the print view and the PDF load; the others are refused. Every page
// passes axe-core, forms with errors included.
func TestJourneyEquipe(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go a.d.posta.Run(ctx) // the background worker, as `cartella demo` runs it
	caso, _ := casoIncontri(t, a)
	base := a.URL + "/casi/" + caso.String() + "/equipe"
	b := &journey{browsertest.Start(t), a.URL}

	b.login(t, "casemanager")
	b.Navigate(t, base)
	if got := b.Text(t, `[data-testid="referente-case-manager"]`); strings.TrimSpace(got) == "" || got == "Non assegnato" {
		t.Errorf("case manager as referente: %q", got)
	}
	if got := b.Text(t, `[data-testid="familiare-referente"]`); !strings.Contains(got, "Non ancora indicato") {
		t.Errorf("familiare referente: %q", got)
	}
	checkPage(t, b.Browser, "equipe-01-vuota")

	// The add form is open while the équipe is empty; nothing typed: errors.
	b.Click(t, `[data-testid="aggiungi-membro"]`)
	if got := b.Text(t, `[data-testid="errori-modulo"]`); !strings.Contains(got, "Indica il nome.") || !strings.Contains(got, "Indica la funzione") {
		t.Errorf("member errors: %q", got)
	}
	b.Fill(t, "#m-nome", "Anna")
	b.Fill(t, "#m-email", "anna.verdi@asl")
	b.Click(t, `[data-testid="aggiungi-membro"]`)
	if got := b.Text(t, `[data-testid="errore-email"]`); !strings.Contains(got, "Indirizzo e-mail non valido") {
		t.Errorf("email error: %q", got)
	}
	if got := b.Value(t, "#m-nome"); got != "Anna" {
		t.Errorf("typed name lost: %q", got)
	}
	checkPage(t, b.Browser, "equipe-02-errori")

	b.Fill(t, "#m-cognome", "Verdi")
	b.Fill(t, "#m-funzione", "Educatrice professionale")
	b.Fill(t, "#m-ente", "Servizio educativo territoriale")
	b.Fill(t, "#m-email", "anna.verdi@asl.example")
	b.Click(t, `[data-testid="aggiungi-membro"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Componente aggiunto all'équipe." {
		t.Errorf("after adding: %q", got)
	}
	b.Click(t, `#h-membri ~ details > summary`)
	b.Fill(t, "#m-nome", "Bruno")
	b.Fill(t, "#m-cognome", "Neri")
	b.Fill(t, "#m-funzione", "Operatore del centro per l'impiego")
	b.Fill(t, "#m-ente", "Centro per l'impiego di Casalecchio")
	b.Fill(t, "#m-email", "bruno.neri@cpi.example")
	b.Select(t, "#m-ruolo", "referente_servizio")
	b.Click(t, `[data-testid="aggiungi-membro"]`)
	if got := b.Text(t, `[data-testid="membri"]`); !strings.Contains(got, "Anna Verdi") || !strings.Contains(got, "Bruno Neri") ||
		!strings.Contains(got, "Referente del servizio") {
		t.Errorf("members: %q", got)
	}

	b.Click(t, `#h-referenti ~ details > summary`)
	b.SelectByText(t, "#f-persona", "Rossi Maria")
	b.Click(t, `[data-testid="salva-familiare"]`)
	if got := b.Text(t, `[data-testid="familiare-referente"]`); !strings.Contains(got, "Maria Rossi") {
		t.Errorf("familiare referente: %q", got)
	}
	checkPage(t, b.Browser, "equipe-03-composta")

	// Editing a member.
	var anna, bruno uuid.UUID
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id FROM equipe_membro WHERE email = 'anna.verdi@asl.example'`).Scan(&anna); err != nil {
		t.Fatal(err)
	}
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id FROM equipe_membro WHERE email = 'bruno.neri@cpi.example'`).Scan(&bruno); err != nil {
		t.Fatal(err)
	}
	b.Click(t, `[data-testid="modifica-`+anna.String()+`"]`)
	checkPage(t, b.Browser, "equipe-04-modifica")
	b.Fill(t, "#e-telefono", "+39 051 598111")
	b.Click(t, `[data-testid="salva-membro"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Modifiche salvate." {
		t.Errorf("after editing: %q", got)
	}

	// Convening: nothing chosen, then two members and one section.
	b.Click(t, `[data-testid="convoca"]`)
	checkPage(t, b.Browser, "equipe-05-convoca")
	b.Click(t, `[data-testid="invia-convocazione"]`)
	if got := b.Text(t, `[data-testid="errore-sezioni"]`); !strings.Contains(got, "Scegli almeno una sezione") {
		t.Errorf("sections error: %q", got)
	}
	if got := b.Text(t, `[data-testid="errore-invitati"]`); !strings.Contains(got, "Scegli almeno un componente") {
		t.Errorf("invited error: %q", got)
	}
	checkPage(t, b.Browser, "equipe-06-convoca-errori")
	domani := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	b.Fill(t, "#c-data", domani)
	b.Fill(t, "#c-ora", "10:00")
	b.Fill(t, "#c-luogo", "Servizio sociale, via Porrettana 360")
	b.Fill(t, "#c-odg", "Avvio del quadro di analisi")
	b.Click(t, `label[for="inv-`+anna.String()+`"]`)
	b.Click(t, `label[for="inv-`+bruno.String()+`"]`)
	b.Click(t, `label[for="sez-nucleo"]`)
	b.Click(t, `[data-testid="invia-convocazione"]`)
	// The recipients are on the convocazione's page only: reading them first
	// waits for that page, however slow the machine.
	if got := b.Text(t, `[data-testid="destinatari"]`); !strings.Contains(got, "anna.verdi@asl.example") || !strings.Contains(got, "bruno.neri@cpi.example") {
		t.Errorf("recipients: %q", got)
	}
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "in invio a 2 componenti") {
		t.Fatalf("after convening: %q (%s)", got, b.Text(t, "main"))
	}
	if got := b.Text(t, `[data-testid="sezioni-inviate"]`); got != "Composizione del nucleo" {
		t.Errorf("sections sent: %q", got)
	}
	checkPage(t, b.Browser, "equipe-07-convocazione")
	convURL := b.URL(t)

	// The worker delivers both messages to the sink.
	deadline := time.Now().Add(10 * time.Second)
	for a.count(t, `SELECT count(*) FROM posta_uscita WHERE caso_id = $1 AND stato = 'sink'`, caso) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := a.count(t, `SELECT count(*) FROM posta_uscita WHERE caso_id = $1 AND stato = 'sink'`, caso); n != 2 {
		t.Fatalf("%d messages in the sink, want 2", n)
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'invio_estratto'`, caso.String()); n != 2 {
		t.Errorf("%d sending records, want 2", n)
	}

	// The print view and the PDF.
	b.Navigate(t, strings.SplitN(convURL, "?", 2)[0]+"/stampa")
	if got := b.Text(t, `[data-testid="sezione-nucleo"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "richiedente") {
		t.Errorf("print view: %q", got)
	}
	if b.Exists(t, `[data-testid="nav"]`) {
		t.Error("the print view shows the navigation")
	}
	checkPage(t, b.Browser, "equipe-08-stampa")
	if s := b.Stampabile(t, "main"); s.Larghezza < 0.97 || len(s.Problemi) > 0 {
		t.Errorf("print layout: %.0f%% of the printable width; %v", 100*s.Larghezza, s.Problemi)
	}
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	resp, err := c.Get(strings.SplitN(convURL, "?", 2)[0] + "/estratto.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-1.") {
		t.Errorf("PDF: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// The demo's mail sink.
	b.Navigate(t, a.URL+"/demo/posta")
	if got := b.Text(t, `[data-testid="posta-di-prova"]`); !strings.Contains(got, "nessun messaggio è uscito dal sistema") {
		t.Errorf("sink banner: %q", got)
	}
	if got := b.Text(t, `[data-testid="messaggi"]`); !strings.Contains(got, "anna.verdi@asl.example") || !strings.Contains(got, "Convocazione équipe multidisciplinare") ||
		!strings.Contains(got, "Consegnato alla posta di prova") {
		t.Errorf("sink list: %q", got)
	}
	checkPage(t, b.Browser, "equipe-09-posta")
	var posta int64
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id FROM posta_uscita WHERE destinatario = 'anna.verdi@asl.example'`).Scan(&posta); err != nil {
		t.Fatal(err)
	}
	b.Navigate(t, a.URL+"/demo/posta/"+strconv.FormatInt(posta, 10))
	if got := b.Text(t, `[data-testid="corpo"]`); !strings.Contains(got, "Gentile Anna Verdi") || !strings.Contains(got, "Composizione del nucleo") {
		t.Errorf("message body: %q", got)
	}
	if got := b.Text(t, `[data-testid="allegato"]`); !strings.HasSuffix(got, ".pdf") {
		t.Errorf("attachment link: %q", got)
	}
	checkPage(t, b.Browser, "equipe-10-messaggio")
	resp, err = http.Get(a.URL + "/demo/posta/" + strconv.FormatInt(posta, 10) + "/allegato")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-1.") || !strings.Contains(body, "%%EOF") {
		t.Errorf("attachment: %d", resp.StatusCode)
	}

	// Others are refused: casemanager2 does not see the case, the
	// coordinatore has no access to case content.
	for user, want := range map[string]int{"casemanager2": http.StatusNotFound, "coordinatore": http.StatusForbidden} {
		c := a.client(t)
		a.login(t, c, user, demo.Password)
		for _, p := range []string{"", "/convocazioni/nuova", strings.TrimPrefix(strings.SplitN(convURL, "?", 2)[0], base) + "/estratto.pdf"} {
			resp, err := c.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			if body := readBody(t, resp); resp.StatusCode != want || strings.Contains(body, "Anna Verdi") {
				t.Errorf("%s GET %s: %d, want %d", user, p, resp.StatusCode, want)
			}
		}
	}
}
