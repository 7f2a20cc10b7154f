package app

import (
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/scadenze"
)

// Issue 16, "Done when": sportello (operatore presentazioni of the first
// demo comune) finds a nucleo by codice fiscale — first with a malformed
// code (the message next to the field, the code kept) — and registers a
// presentazione spontanea at the patronato; the case manager's case page
// shows the T90 met and the T120 still pending (a patronato does not meet
// the first meeting), with the day-20 message; sportello is refused on the
// case page and on /casi. axe-core on every page.
func TestJourneyPresentazioni(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	fx := fixtures.New(t, a.d.pool)
	fx.Casi = a.d.casi
	oggi := calendario.Giorno(time.Now())
	// PAD 110 days ago: the T120 is in scadenza, so the cut-off shows.
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-PRES-1", DataPAD: oggi.AddDate(0, 0, -110),
		CaseManager: fx.Demo()["casemanager"], Membri: []fixtures.Membro{fixtures.Adulto("Esposito", "Rita", "F", 1984)}})
	caso := c.ID.String()

	taglio := scadenze.TaglioAl(time.Now()).Messaggio
	b := &journey{browsertest.Start(t), a.URL}
	b.login(t, "sportello")
	// The home: the comune's nuclei with a term in scadenza, and the cut-off.
	if got := b.Text(t, `[data-testid="home-nota"]`); !strings.Contains(got, taglio) {
		t.Errorf("sportello's home: %q, want %q", got, taglio)
	}
	checkPage(t, b.Browser, "presentazioni-00-home")
	b.Click(t, `[data-testid="nav"] a[href="/presentazioni"]`)
	if got := b.Text(t, `[data-testid="in-scadenza"]`); !strings.Contains(got, c.Codice()) || !strings.Contains(got, "Esposito Rita") {
		t.Errorf("the comune's nuclei in scadenza: %q", got)
	}
	checkPage(t, b.Browser, "presentazioni-01-cerca")
	b.Fill(t, "#cf", "RSSMRA85")
	b.Click(t, `[data-testid="cerca"]`)
	if got := b.Text(t, `[data-testid="errore-cf"]`); !strings.Contains(got, "non è valido") || b.Value(t, "#cf") != "RSSMRA85" {
		t.Errorf("a malformed code: %q (kept %q)", got, b.Value(t, "#cf"))
	}
	checkPage(t, b.Browser, "presentazioni-02-cf-non-valido")
	b.Fill(t, "#cf", strings.ToLower(c.RichiedenteCF))
	b.Click(t, `[data-testid="cerca"]`)
	if got := b.Text(t, "h1"); !strings.Contains(got, "Esposito Rita") || !strings.Contains(got, c.Codice()) {
		t.Errorf("the nucleo's desk: %q", got)
	}
	if got := b.Text(t, "main"); strings.Contains(got, "PAD") || strings.Contains(got, c.RichiedenteCF) {
		t.Errorf("the desk shows more than name, number, counters and cut-off: %q", got)
	}
	checkPage(t, b.Browser, "presentazioni-03-nucleo")
	b.Select(t, "#reg-evento", "presentazione_spontanea")
	b.Select(t, "#reg-luogo", "patronato")
	b.Fill(t, "#reg-data", calendario.ISO(oggi))
	b.Click(t, `[data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Registrazione salvata") {
		t.Errorf("after registering: %q", got)
	}
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, "In corso") {
		t.Errorf("the T90 at the desk: %q", got)
	}
	checkPage(t, b.Browser, "presentazioni-04-registrata")
	// Refused: the case page and the list of cases.
	for i, p := range []string{"/casi/" + caso, "/casi"} {
		b.Navigate(t, a.URL+p)
		if got := b.Text(t, "h1"); got != "Accesso non consentito" {
			t.Errorf("sportello on %s: %q", p, got)
		}
		checkPage(t, b.Browser, []string{"presentazioni-05-caso-rifiutato", "presentazioni-05b-casi-rifiutato"}[i])
	}
	b.Click(t, `[data-testid="logout"]`)

	// The case manager's case page.
	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/casi/"+caso)
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, "Ultima presentazione registrata il "+calendario.Data(oggi)+" presso patronato") {
		t.Errorf("T90 on the case page: %q", got)
	}
	if got := b.Text(t, `[data-testid="t120"]`); !strings.Contains(got, "Primo incontro entro il") ||
		!strings.Contains(got, "non per il primo incontro") {
		t.Errorf("T120 on the case page: %q", got)
	}
	if got := b.Text(t, `[data-testid="taglio"]`); !strings.Contains(got, taglio) {
		t.Errorf("the cut-off on the case page: %q, want %q", got, taglio)
	}
	checkPage(t, b.Browser, "presentazioni-06-caso")
	b.Navigate(t, a.URL+"/casi")
	if got := b.Text(t, `[data-testid="taglio"]`); !strings.Contains(got, taglio) {
		t.Errorf("the cut-off on the list: %q", got)
	}
	checkPage(t, b.Browser, "presentazioni-06b-elenco")
	b.Navigate(t, a.URL+"/casi/"+caso+"/presentazioni")
	if got := b.Text(t, `[data-testid="registrazioni"]`); !strings.Contains(got, "Presentazione spontanea") ||
		!strings.Contains(got, "Patronato") || !strings.Contains(got, "Sportelli") {
		t.Errorf("the registrations on the case: %q", got)
	}
	checkPage(t, b.Browser, "presentazioni-07-pagina-caso")

	// A giustificato motivo without its reason: the message next to the
	// field, what was typed kept; then with it.
	b.Select(t, "#reg-evento", "giustificato_motivo")
	b.Fill(t, "#reg-data", calendario.ISO(oggi))
	b.Fill(t, "#reg-al", calendario.ISO(oggi.AddDate(0, 0, 10)))
	b.Click(t, `[data-testid="form-registrazione"] [data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="errore-motivo"]`); !strings.Contains(got, "Indica il giustificato motivo") ||
		b.Value(t, "#reg-al") != calendario.ISO(oggi.AddDate(0, 0, 10)) {
		t.Errorf("a giustificato motivo without reason: %q (al kept %q)", got, b.Value(t, "#reg-al"))
	}
	checkPage(t, b.Browser, "presentazioni-08-motivo-mancante")
	b.Fill(t, "#reg-motivo", "Ricovero ospedaliero della richiedente")
	b.Click(t, `[data-testid="form-registrazione"] [data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Registrazione salvata") {
		t.Errorf("the giustificato motivo: %q", got)
	}
	// The first 18 months ended two months ago; a renewal with a new PAD
	// signed today starts a new 120-day term.
	primo := time.Date(oggi.Year(), oggi.Month()-20, 1, 0, 0, 0, 0, time.UTC)
	b.Fill(t, "#primo-mese", primo.Format("01/2006"))
	b.Click(t, `[data-testid="salva-primo-mese"]`)
	if got := b.Text(t, `[data-testid="stato-beneficio"]`); !strings.Contains(got, "nessun rinnovo registrato") {
		t.Errorf("after the first month: %q", got)
	}
	b.Fill(t, "#data-pad", calendario.ISO(oggi))
	b.Click(t, `[data-testid="registra-rinnovo"]`)
	if got := b.Text(t, `[data-testid="t120"]`); !strings.Contains(got, "Primo incontro entro il "+calendario.Data(oggi.AddDate(0, 0, 120))) {
		t.Errorf("the T120 after the renewal: %q", got)
	}
	checkPage(t, b.Browser, "presentazioni-09-rinnovo")
}
