package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/controlli"
	"github.com/cartella/cartella/internal/registro"
)

// The controlli anagrafici end to end, in the browser, axe-core on every
// page. The coordinatore controlli of Casalecchio di Reno enters INPS's
// request for the applicant of a case by hand (a reference date after the
// request's: the message next to the field, everything typed kept) and
// assigns it to `respcontrolli`, who records the residence Casalecchio's
// anagrafe holds: three years, not enough; the page says earlier periods
// are needed, and the request goes to Zola Predosa. There `coordcontrolli2`
// assigns Zola's part to `respcontrolli2`, who sees only what the step
// needs (no domanda, the first comune's 60-day term), records Zola's period
// and returns it. `respcontrolli` sees the sum meet the requirement and
// finalises; `coordcontrolli` exports the esito for INPS (the file is the
// one whose SHA-256 the page shows); the case manager of the nucleo sees
// the esito and its date on the case page, not the motivazione. The case
// manager and the coordinatore PaIS are refused on /controlli;
// `respcontrolli2` never sees Casalecchio's other requests.
func TestJourneyControlli(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	caso, membri := casoIncontri(t, a)
	var cf string
	if err := a.d.pool.QueryRow(ctx, `SELECT codice_fiscale FROM persona WHERE id = $1`, membri[0]).Scan(&cf); err != nil {
		t.Fatal(err)
	}
	oggi := calendario.Giorno(time.Now())
	gma := func(d time.Time) string { return d.Format("02/01/2006") }
	// Another request of Casalecchio, that Zola Predosa must never see.
	altra := `{"versione_tracciato":1,"id_richiesta":"INPS-CTL-ALTRA","tipo":"soggiorno","comune":"037011",` +
		`"codice_fiscale":"BNCLRA80A41A944R","cognome":"Bianchi","nome":"Laura","data_richiesta":"` + calendario.ISO(oggi.AddDate(0, 0, -3)) +
		`","data_riferimento":"` + calendario.ISO(oggi.AddDate(0, 0, -3)) + `"}` + "\n"
	imp, err := a.d.controlli.Importa(ctx, nil, "altra.jsonl", strings.NewReader(altra), registro.Voce{Indirizzo: "test"})
	if err != nil || imp.Scartate != 0 {
		t.Fatalf("import of the other request: %+v %v", imp, err)
	}
	var altraID uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT id FROM controllo_richiesta WHERE id_richiesta = 'INPS-CTL-ALTRA'`).Scan(&altraID); err != nil {
		t.Fatal(err)
	}

	b := &journey{browsertest.Start(t), a.URL}

	// Refused: the case manager and the coordinatore PaIS.
	for _, u := range []string{"casemanager", "coordinatore"} {
		b.login(t, u)
		if got := b.Text(t, `[data-testid="nav"]`); strings.Contains(got, "Controlli anagrafici") {
			t.Errorf("%s's navigation offers the controlli: %q", u, got)
		}
		b.Navigate(t, a.URL+"/controlli")
		if got := b.Text(t, "h1"); got != "Accesso non consentito" {
			t.Errorf("%s on /controlli: %q", u, got)
		}
		checkPage(t, b.Browser, "controlli-00-rifiutato-"+u)
		b.Click(t, `[data-testid="logout"]`)
	}

	// coordcontrolli enters the request by hand and assigns it.
	b.login(t, "coordcontrolli")
	b.Click(t, `[data-testid="nav"] a[href="/controlli"]`)
	checkPage(t, b.Browser, "controlli-01-lista")
	b.Click(t, `[data-testid="link-nuova"]`)
	b.Fill(t, "#id_richiesta", "INPS-CTL-J-1")
	b.Select(t, "#tipo", string(controlli.Residenza))
	b.Fill(t, "#data_richiesta", gma(oggi.AddDate(0, 0, -10)))
	b.Fill(t, "#data_riferimento", gma(oggi.AddDate(0, 0, -5))) // after the request: wrong
	b.Fill(t, "#id_domanda", "INPS-J-1")
	b.Fill(t, "#codice_fiscale", cf)
	b.Fill(t, "#cognome", "Rossi")
	b.Fill(t, "#nome", "Maria")
	b.Fill(t, "#data_nascita", "12/04/1985")
	b.Click(t, `main form button[type="submit"]`)
	if got := b.Text(t, `[data-testid="errore-data_riferimento"]`); got == "" {
		t.Error("no message next to the reference date after the request's")
	}
	if got := b.Value(t, "#codice_fiscale"); got != cf {
		t.Errorf("codice fiscale not kept: %q", got)
	}
	checkPage(t, b.Browser, "controlli-02-nuova-errori")
	b.Fill(t, "#data_riferimento", gma(oggi.AddDate(0, 0, -30)))
	b.Click(t, `main form button[type="submit"]`)
	idStr := strings.TrimPrefix(strings.SplitN(b.URL(t), "?", 2)[0], a.URL+"/controlli/")
	id, err := uuid.Parse(idStr)
	if err != nil {
		t.Fatalf("after saving, the page is %s", b.URL(t))
	}
	scadenza := gma(oggi.AddDate(0, 0, -10+controlli.Termine))
	if got := b.Text(t, `[data-testid="scadenza"]`); !strings.Contains(got, scadenza) {
		t.Errorf("term on the request's page: %q, want %s", got, scadenza)
	}
	checkPage(t, b.Browser, "controlli-03-richiesta")
	b.Navigate(t, a.URL+"/controlli")
	b.Click(t, "#sel-"+id.String())
	b.SelectByText(t, "#responsabile", "Sara Neri")
	b.Click(t, `[data-testid="assegna"]`)
	if got := b.Text(t, "main"); !strings.Contains(got, "Richieste assegnate: 1 su 1") {
		t.Errorf("after assigning: %q", got)
	}
	checkPage(t, b.Browser, "controlli-04-assegnata")
	b.Click(t, `[data-testid="logout"]`)

	// respcontrolli records Casalecchio's period and forwards to Zola.
	b.login(t, "respcontrolli")
	b.Navigate(t, a.URL+"/controlli")
	if got := b.Text(t, `[data-testid="lista"]`); !strings.Contains(got, "Rossi Maria") {
		t.Errorf("respcontrolli's worklist: %q", got)
	}
	b.Click(t, `[data-testid="lista"] a[href="/controlli/`+id.String()+`"]`)
	b.Fill(t, "#iscrizione", calendario.ISO(oggi.AddDate(-3, 0, 0)))
	b.Fill(t, "#fonte", "APR di Casalecchio di Reno")
	b.Click(t, `[data-testid="registra-periodo"]`)
	if !b.Exists(t, `[data-testid="servono-precedenti"]`) {
		t.Errorf("three years of residence: the page does not ask for earlier periods: %q", b.Text(t, `[data-testid="valutazione"]`))
	}
	checkPage(t, b.Browser, "controlli-05-periodo")
	b.Fill(t, "#comune", "Zola Predosa")
	b.Fill(t, "#nota_inoltro", "Residenza precedente a Zola Predosa secondo l'APR.")
	b.Click(t, `[data-testid="inoltra"]`)
	if got := b.Text(t, `[data-testid="catena"]`); !strings.Contains(got, "Zola Predosa") {
		t.Errorf("the chain after forwarding: %q", got)
	}
	checkPage(t, b.Browser, "controlli-06-inoltrata")
	b.Click(t, `[data-testid="logout"]`)

	// respcontrolli2 has nothing until Zola's coordinatore assigns it.
	b.login(t, "coordcontrolli2")
	b.Navigate(t, a.URL+"/controlli")
	lista := b.Text(t, `[data-testid="lista"]`)
	if !strings.Contains(lista, "Rossi Maria") || strings.Contains(lista, "Bianchi") || strings.Contains(lista, "INPS-CTL-J-1") {
		t.Errorf("Zola's worklist: %q", lista)
	}
	checkPage(t, b.Browser, "controlli-07-lista-zola")
	b.Click(t, "#sel-"+id.String())
	b.SelectByText(t, "#responsabile", "Elena Rizzi")
	b.Click(t, `[data-testid="assegna"]`)
	if got := b.Text(t, "main"); !strings.Contains(got, "Richieste assegnate: 1 su 1") {
		t.Errorf("Zola assigning its part: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "respcontrolli2")
	b.Navigate(t, a.URL+"/controlli/"+altraID.String())
	if got := b.Text(t, "h1"); got != "Pagina non trovata" {
		t.Errorf("respcontrolli2 on a request of Casalecchio: %q", got)
	}
	checkPage(t, b.Browser, "controlli-08-non-trovata")
	b.Navigate(t, a.URL+"/controlli")
	b.Click(t, `[data-testid="lista"] a[href="/controlli/`+id.String()+`"]`)
	main := b.Text(t, "main")
	if !b.Exists(t, `[data-testid="vista-tappa"]`) || strings.Contains(main, "INPS-J-1") || strings.Contains(main, "APR di Casalecchio") {
		t.Errorf("Zola sees more than its step: %q", main)
	}
	if got := b.Text(t, `[data-testid="scadenza"]`); !strings.Contains(got, scadenza) {
		t.Errorf("Zola's page shows the term %q, want the first comune's %s", got, scadenza)
	}
	checkPage(t, b.Browser, "controlli-08-tappa")
	b.Fill(t, "#iscrizione", calendario.ISO(oggi.AddDate(-9, 0, 0)))
	b.Fill(t, "#cancellazione", calendario.ISO(oggi.AddDate(-3, 0, -1)))
	b.Click(t, `[data-testid="registra-periodo"]`)
	b.Click(t, "#esito_restituita")
	b.Click(t, `[data-testid="restituisci"]`)
	if got := b.Text(t, `[data-testid="catena"]`); !strings.Contains(got, "Periodi restituiti") {
		t.Errorf("the chain after returning: %q", got)
	}
	checkPage(t, b.Browser, "controlli-09-restituita")
	b.Click(t, `[data-testid="logout"]`)

	// respcontrolli finalises with the sum.
	b.login(t, "respcontrolli")
	b.Navigate(t, a.URL+"/controlli/"+id.String())
	if got := b.Text(t, `[data-testid="valutazione"]`); !strings.Contains(got, "Requisito soddisfatto") {
		t.Errorf("the evaluation with both periods: %q", got)
	}
	if got := b.Value(t, "#esito"); got != string(controlli.Positivo) {
		t.Errorf("proposed esito %q", got)
	}
	b.Click(t, `[data-testid="finalizza"]`)
	if got := b.Text(t, `[data-testid="esiti"]`); !strings.Contains(got, "Positivo") {
		t.Errorf("esiti after finalising: %q", got)
	}
	checkPage(t, b.Browser, "controlli-10-finalizzata")
	b.Click(t, `[data-testid="logout"]`)

	// coordcontrolli exports it.
	b.login(t, "coordcontrolli")
	b.Navigate(t, a.URL+"/controlli")
	b.Click(t, `[data-testid="link-invii"]`)
	checkPage(t, b.Browser, "controlli-11-invii")
	b.Click(t, `[data-testid="esporta"]`)
	sha := b.Text(t, `[data-testid="sha256"]`)
	var file []byte
	if err := a.d.pool.QueryRow(ctx, `SELECT contenuto FROM controllo_invio ORDER BY id DESC LIMIT 1`).Scan(&file); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(file)
	if !strings.Contains(sha, hex.EncodeToString(sum[:])) || !strings.Contains(string(file), `"id_richiesta":"INPS-CTL-J-1"`) ||
		!strings.Contains(string(file), `"esito":"positivo"`) {
		t.Errorf("the batch: page %q, file %s", sha, file)
	}
	checkPage(t, b.Browser, "controlli-12-esportata")
	b.Click(t, `[data-testid="logout"]`)

	// The case manager sees the esito and its date, not the motivazione.
	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	main = b.Text(t, "main")
	if !strings.Contains(main, "Residenza: positivo del "+gma(oggi)) || strings.Contains(main, "APR di Casalecchio") {
		t.Errorf("the case page's controlli: %q", main)
	}
	checkPage(t, b.Browser, "controlli-13-caso")
}
