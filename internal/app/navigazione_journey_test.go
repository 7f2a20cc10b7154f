package app

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/demo"
)

// larghezze: a phone, a small laptop window (where Bootstrap Italia's
// desktop menu does not yet apply), a desktop.
var larghezze = []int{390, 960, 1280}

// Every role's home, and a case page, at every width: each entry of the
// navigation and the header's "Esci" can be seen and reached (within the
// screen, not covered), and the page passes axe at that width (issue 21,
// point 1). Below 992 px the menu is a details/summary disclosure, opened
// here as a user would.
func TestJourneyNavigazioneOgniLarghezza(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	conPatto, _ := casoConPatto(t, a)
	b := &journey{browsertest.Start(t), a.URL}
	for _, acc := range accountsNav() {
		b.SetWidth(t, 1280)
		b.login(t, acc.Username)
		pagine := []string{"/"}
		if acc.Username == "casemanager" {
			pagine = append(pagine, "/casi/"+caso.String(), "/casi/"+conPatto.String()+"/patto")
		}
		var attese []string // the entries as the desktop row shows them
		for _, l := range b.Raggiungibili(t, `[data-testid="nav"] a`) {
			attese = append(attese, l.Href)
		}
		if len(attese) == 0 {
			t.Errorf("%s: no navigation entries", acc.Username)
		}
		for _, pagina := range pagine {
			for _, w := range larghezze {
				b.SetWidth(t, w)
				b.Navigate(t, a.URL+pagina)
				nome := fmt.Sprintf("nav-%s-%s-%d", acc.Username, nomePagina(pagina), w)
				sel := `[data-testid="nav"] a`
				if w < 992 {
					if got := b.Raggiungibili(t, `[data-testid="nav"] a`); len(got) > 0 && got[0].Problema == "" {
						t.Errorf("%s at %d px: the desktop row is shown: %+v", acc.Username, w, got[0])
					}
					b.Click(t, `[data-testid="nav-menu"] > summary`)
					sel = `[data-testid="nav-menu"] a`
				}
				var viste []string
				for _, l := range b.Raggiungibili(t, sel) {
					viste = append(viste, l.Href)
					if l.Problema != "" {
						t.Errorf("%s, %s at %d px: %q (%s) %s", acc.Username, pagina, w, l.Testo, l.Href, l.Problema)
					}
				}
				if !slices.Equal(viste, attese) {
					t.Errorf("%s, %s at %d px: entries %v, want %v", acc.Username, pagina, w, viste, attese)
				}
				for _, l := range b.Raggiungibili(t, `[data-testid="logout"]`) {
					if l.Problema != "" {
						t.Errorf("%s, %s at %d px: Esci %s", acc.Username, pagina, w, l.Problema)
					}
				}
				if px, dove := b.Eccedenza(t); px > 0 {
					t.Errorf("%s, %s at %d px: the page is %d px wider than the screen (%s)", acc.Username, pagina, w, px, dove)
				}
				checkPage(t, b.Browser, nome)
			}
		}
		b.SetWidth(t, 1280)
		b.Click(t, `[data-testid="logout"]`)
	}
}

// nomePagina names a page in a screenshot's file name: "home", "caso",
// "patto".
func nomePagina(p string) string {
	switch {
	case p == "/":
		return "home"
	case strings.HasSuffix(p, "/patto"):
		return "patto"
	case strings.HasPrefix(p, "/casi/"):
		return "caso"
	}
	return strings.Trim(strings.ReplaceAll(p, "/", "-"), "-")
}

// The screenshots of the three widths go where SCREENSHOT_DIR says; the
// directory must exist (checkPage writes into it).
func init() {
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		_ = os.MkdirAll(filepath.Clean(dir), 0o755)
	}
}

// accountsNav: every demo account, or those NAV_ACCOUNTS names (to look at
// one role while working on it).
func accountsNav() []demo.Account {
	only := os.Getenv("NAV_ACCOUNTS")
	if only == "" {
		return demo.Accounts
	}
	var out []demo.Account
	for _, a := range demo.Accounts {
		if slices.Contains(strings.Split(only, ","), a.Username) {
			out = append(out, a)
		}
	}
	return out
}
