package app

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/demo"
)

// checkPage runs axe-core on the current page and fails on any console
// error (a Content-Security-Policy violation, a missing asset).
func checkPage(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	b.CheckAccessibility(t)
	// A section title never lies under a field's label (issue 21, point 10).
	if ov := b.Sovrapposizioni(t); len(ov) > 0 {
		t.Errorf("%s: titles and labels overlap:\n%s", name, strings.Join(ov, "\n"))
	}
	// Every class the page uses keeps its rules in the purged stylesheet
	// (issue 21, point 11; ADR 0018).
	if m := b.RegoleMancanti(t); len(m) > 0 {
		t.Errorf("%s: classes whose Bootstrap Italia rules the purged stylesheet lost: %s", name, strings.Join(m, " "))
	}

	// The error status of the page itself (a 403, a 404 page) is expected;
	// anything else in the console is not.
	self := "(" + b.URL(t) + ")"
	var errs []string
	for _, e := range b.ConsoleErrors() {
		if !(strings.Contains(e, "the server responded with a status of") && strings.HasSuffix(e, self)) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("%s: browser console errors:\n%s", name, strings.Join(errs, "\n"))
	}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		b.Screenshot(t, filepath.Join(dir, name+".png"))
	}
}

// The case manager signs in through the demo provider, sees the home of
// their role, and signs out; every page passes axe-core (WCAG 2.1 AA: no
// serious or critical violation) and loads without console errors.
func TestJourneyCaseManagerSignsInAndOut(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := browsertest.Start(t)

	b.Navigate(t, a.URL+"/")
	if !b.Exists(t, `[data-testid="demo-marker"]`) {
		t.Error("the DEMO marker is missing")
	}
	checkPage(t, b, "01-landing")

	b.Click(t, `[data-testid="accedi"]`)
	if !strings.Contains(b.URL(t), "/demo-idp/login") {
		t.Fatalf("after Accedi: %s, want the provider's login form", b.URL(t))
	}
	checkPage(t, b, "02-demo-idp-login")

	b.Fill(t, "#username", "casemanager")
	b.Fill(t, "#password", "sbagliata")
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	if got := b.Text(t, `[data-testid="login-errore"]`); !strings.Contains(got, "non validi") {
		t.Errorf("wrong password message: %q", got)
	}
	checkPage(t, b, "03-demo-idp-errore")

	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	if got := b.Text(t, `[data-testid="home-title"]`); !strings.Contains(got, "Giulia Ferrari") {
		t.Fatalf("home title %q", got)
	}
	if got := b.Text(t, `[data-testid="operatore"]`); !strings.Contains(got, "Case manager") || !strings.Contains(got, "Casalecchio di Reno") {
		t.Errorf("header shows %q, want role and comune", got)
	}
	if got := b.Text(t, `[data-testid="nav"]`); !strings.Contains(got, "Home") {
		t.Errorf("navigation %q", got)
	}
	checkPage(t, b, "04-home-casemanager")

	b.Click(t, `[data-testid="logout"]`)
	if got := b.Text(t, `[data-testid="uscita"]`); got != "Sessione chiusa" {
		t.Errorf("after logout: %q at %s", got, b.URL(t))
	}
	if b.Exists(t, `[data-testid="operatore"]`) {
		t.Error("the header still shows the operator after logout")
	}
	checkPage(t, b, "05-uscita")

	// After logout the home is the public landing page again.
	b.Navigate(t, a.URL+"/")
	if b.Exists(t, `[data-testid="home-title"]`) {
		t.Error("the home is still reachable after logout")
	}
}

// The pages nobody hopes to see are accessible too: the "non accreditato"
// page and the 404 page.
func TestJourneyErrorPagesAccessible(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := browsertest.Start(t)
	b.Navigate(t, a.URL+"/login")
	b.Fill(t, "#username", "RSSMRA85T10A562S")
	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	if !b.Exists(t, `[data-testid="non-accreditato"]`) {
		t.Fatalf("want the non accreditato page, at %s", b.URL(t))
	}
	checkPage(t, b, "06-non-accreditato")

	b.Navigate(t, a.URL+"/non-esiste")
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Pagina non trovata" {
		t.Errorf("404 title %q", got)
	}
	checkPage(t, b, "07-404")
}

// The amministratore di ambito accredits a new case manager; a mistake in
// the codice fiscale is reported next to the field with everything typed
// kept; then the new operator signs in with SPID (here the demo provider)
// and reaches the case manager's home.
func TestJourneyAccreditaCaseManager(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := browsertest.Start(t)
	b.Navigate(t, a.URL+"/login")
	b.Fill(t, "#username", "amministratore")
	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	b.Navigate(t, a.URL+"/admin/operatori")
	if !strings.Contains(b.Text(t, `[data-testid="operatori"]`), "Ferrari") {
		t.Error("the list does not show the demo case manager")
	}
	checkPage(t, b, "10-operatori")

	b.Click(t, `[data-testid="nuovo-operatore"]`)
	cf := codicefiscale.Compute("Galli", "Elena", time.Date(1991, 3, 8, 0, 0, 0, 0, time.UTC), "F", "A944")
	b.Fill(t, "#codice_fiscale", cf[:15]+"X") // wrong check character
	b.Fill(t, "#nome", "Elena")
	b.Fill(t, "#cognome", "Galli")
	b.Fill(t, "#data_nascita", "1991-03-08")
	b.Fill(t, "#comune_nascita", "Bologna")
	b.Select(t, "#genere", "F")
	b.Fill(t, "#email", "elena.galli@comune.example.it")
	b.Fill(t, "#telefono_ufficio", "chiedere al centralino")
	b.Fill(t, "#orari_ufficio", "lunedì 9–12")
	b.Select(t, "#ruolo", "case_manager")
	b.SelectByText(t, "#comune_id", "Sasso Marconi")
	b.Click(t, `[data-testid="accredita"]`)
	if got := b.Text(t, `[data-testid="errore-codice_fiscale"]`); !strings.Contains(got, "controllo") {
		t.Errorf("codice fiscale error: %q", got)
	}
	if got := b.Value(t, "#email"); got != "elena.galli@comune.example.it" {
		t.Errorf("the e-mail typed was lost: %q", got)
	}
	if got := b.Text(t, `[data-testid="errore-telefono_ufficio"]`); !strings.Contains(got, "Il telefono dell'ufficio può contenere solo cifre") {
		t.Errorf("office phone error: %q", got)
	}
	if got := b.Value(t, "#orari_ufficio"); got != "lunedì 9–12" {
		t.Errorf("the hours typed were lost: %q", got)
	}
	checkPage(t, b, "11-operatore-errori")

	b.Fill(t, "#codice_fiscale", cf)
	b.Fill(t, "#telefono_ufficio", "051 598 1100")
	b.Click(t, `[data-testid="accredita"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "accreditato") {
		t.Fatalf("after accreditation: %q at %s", got, b.URL(t))
	}
	if got := b.Text(t, `[data-testid="ruoli"]`); !strings.Contains(got, "Case manager") || !strings.Contains(got, "Sasso Marconi") {
		t.Errorf("roles: %q", got)
	}
	if got := b.Text(t, `[data-testid="storico"]`); !strings.Contains(got, "Accreditato come Case manager") {
		t.Errorf("history: %q", got)
	}
	checkPage(t, b, "12-operatore-scheda")
	b.Navigate(t, a.URL+"/admin/registro")
	if got := b.Text(t, `[data-testid="registro"]`); !strings.Contains(got, "Galli Elena") || !strings.Contains(got, "Scrittura") {
		t.Errorf("the register does not show the accreditation: %q", got)
	}
	checkPage(t, b, "13-registro")

	// The ambito's settings of the printed documents (issue 21, point 3):
	// the default privacy notice, a logo that is not an image refused next
	// to its field, a PNG accepted and shown.
	b.Navigate(t, a.URL+"/admin/operatori")
	b.Click(t, `[data-testid="impostazioni-ambito"]`)
	if got := b.Value(t, "#informativa_privacy"); !strings.Contains(got, "art. 13") {
		t.Errorf("default privacy notice: %q", got)
	}
	checkPage(t, b, "13b-impostazioni-ambito")
	dir := t.TempDir()
	finto := filepath.Join(dir, "logo.png")
	if err := os.WriteFile(finto, []byte("non sono un'immagine"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Fill(t, "#informativa_privacy", "Informativa dell'Ambito Territoriale Demo (art. 13 GDPR).")
	b.Upload(t, "#logo", finto)
	b.Click(t, `[data-testid="salva-impostazioni"]`)
	if got := b.Text(t, `[data-testid="errore-logo"]`); !strings.Contains(got, "PNG o JPEG") {
		t.Errorf("logo error: %q", got)
	}
	if got := b.Value(t, "#informativa_privacy"); got != "Informativa dell'Ambito Territoriale Demo (art. 13 GDPR)." {
		t.Errorf("the notice typed was lost: %q", got)
	}
	checkPage(t, b, "13c-impostazioni-errore")
	logo := filepath.Join(dir, "stemma.png")
	img := image.NewRGBA(image.Rect(0, 0, 40, 50))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0, 89, 179, 255}}, image.Point{}, draw.Src)
	var png1 bytes.Buffer
	if err := png.Encode(&png1, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(logo, png1.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Upload(t, "#logo", logo)
	b.Click(t, `[data-testid="salva-impostazioni"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Impostazioni salvate") {
		t.Errorf("after saving the settings: %q", got)
	}
	if !b.Exists(t, `img.logo-ambito`) {
		t.Error("the saved logo is not shown")
	}
	checkPage(t, b, "13d-impostazioni-salvate")
	// The amministratore sees no beneficiary data: the cases are refused.
	b.Navigate(t, a.URL+"/casi")
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
		t.Errorf("amministratore on /casi: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)

	b.Navigate(t, a.URL+"/login")
	b.Fill(t, "#username", cf)
	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	if got := b.Text(t, `[data-testid="home-title"]`); !strings.Contains(got, "Elena Galli") {
		t.Fatalf("new operator's home: %q", got)
	}
	if got := b.Text(t, `[data-testid="operatore"]`); !strings.Contains(got, "Case manager") || !strings.Contains(got, "Sasso Marconi") {
		t.Errorf("header: %q", got)
	}
	// The new case manager has no case yet.
	b.Navigate(t, a.URL+"/casi")
	if !b.Exists(t, `[data-testid="nessun-caso"]`) {
		t.Error("the new case manager's /casi does not say there is no case")
	}
	checkPage(t, b, "14-casi-vuoto")
	// And the case manager may not open the accreditation screens.
	b.Navigate(t, a.URL+"/admin/operatori")
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
		t.Errorf("case manager on /admin/operatori: %q", got)
	}
}

// The Ministry's amministratore di sistema opens the ambiti, creates one:
// an invalid codice is reported next to the field with everything typed
// kept; then the ambito is created and its page opens.
func TestJourneyMinisteroCreaAmbito(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := browsertest.Start(t)
	b.Navigate(t, a.URL+"/login")
	b.Fill(t, "#username", "ministero")
	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
	if got := b.Text(t, `[data-testid="nav"]`); !strings.Contains(got, "Ambiti") || strings.Contains(got, "Operatori") {
		t.Errorf("ministero's navigation: %q", got)
	}
	b.Navigate(t, a.URL+"/admin/ambiti")
	if got := b.Text(t, `[data-testid="ambiti"]`); !strings.Contains(got, "ATS-DEMO") || !strings.Contains(got, "Amministri Andrea") {
		t.Errorf("the list does not show the demo ambito: %q", got)
	}
	checkPage(t, b, "20-ambiti")

	b.Click(t, `[data-testid="nuovo-ambito"]`)
	b.Fill(t, "#codice", "A") // too short
	b.Fill(t, "#denominazione", "Ambito Pianura Est")
	b.Fill(t, "#ente_capofila", "Unione Reno Galliera")
	b.Click(t, `[data-testid="crea-ambito"]`)
	if got := b.Text(t, `[data-testid="errore-codice"]`); !strings.Contains(got, "da 2 a 32") {
		t.Errorf("codice error: %q", got)
	}
	if got := b.Value(t, "#ente_capofila"); got != "Unione Reno Galliera" {
		t.Errorf("the ente capofila typed was lost: %q", got)
	}
	checkPage(t, b, "21-ambito-errori")

	b.Fill(t, "#codice", "ats-pianura-est")
	b.Click(t, `[data-testid="crea-ambito"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Ambito creato") {
		t.Fatalf("after creation: %q at %s", got, b.URL(t))
	}
	if got := b.Text(t, `[data-testid="ambito-codice"]`); got != "ATS-PIANURA-EST" {
		t.Errorf("codice %q", got)
	}
	if got := b.Text(t, `[data-testid="ambito-titolo"]`); got != "Ambito Pianura Est" {
		t.Errorf("title %q", got)
	}
	checkPage(t, b, "22-ambito-scheda")

	// A comune already in another ambito is refused, naming that ambito.
	b.Fill(t, "#comune", "Casalecchio di Reno")
	b.Click(t, `[data-testid="aggiungi-comune"]`)
	if got := b.Text(t, `[data-testid="errore-comune"]`); !strings.Contains(got, "Ambito Territoriale Demo") {
		t.Errorf("comune of another ambito: %q", got)
	}
	if got := b.Value(t, "#comune"); got != "Casalecchio di Reno" {
		t.Errorf("the comune typed was lost: %q", got)
	}
	checkPage(t, b, "23-ambito-comune-errore")

	// The demo ambito: its comuni and its amministratore, with the state form.
	b.Navigate(t, a.URL+"/admin/ambiti")
	b.Click(t, `[data-testid="ambito-ATS-DEMO"]`)
	if got := b.Text(t, `[data-testid="comuni"]`); !strings.Contains(got, "Sasso Marconi") || !strings.Contains(got, "037057") {
		t.Errorf("comuni of the demo ambito: %q", got)
	}
	if got := b.Text(t, `[data-testid="amministratori"]`); !strings.Contains(got, "Amministri Andrea") || !strings.Contains(got, "Attivo") {
		t.Errorf("amministratori of the demo ambito: %q", got)
	}
	checkPage(t, b, "24-ambito-demo")
}
