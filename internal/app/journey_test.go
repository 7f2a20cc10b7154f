package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/demo"
)

// checkPage runs axe-core on the current page and fails on any console
// error (a Content-Security-Policy violation, a missing asset).
func checkPage(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	b.CheckAccessibility(t)
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
