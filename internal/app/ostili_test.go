package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/demo"
)

// Absurd page numbers typed in the address never cost a 500 (the offset
// no longer overflows), and no answer carrying data may be cached: every
// response is no-store unless it is a content-hashed static asset.
func TestPagineAssurdeENoStore(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	const enorme = "99999999999999999999"
	for _, c := range []struct{ utente, percorso string }{
		{"casemanager", "/casi?pagina=" + enorme},
		{"casemanager", "/casi?pagina=9223372036854775807"},
		{"coordinatore", "/importazioni?pagina=" + enorme},
		{"coordinatore", "/importazioni?pagina=9223372036854775807"},
		{"coordinatore", "/segnalazioni?pagina=9223372036854775807"},
		{"coordcontrolli", "/controlli?pagina=9223372036854775807"},
		{"coordcontrolli", "/controlli/campioni?pagina=9223372036854775807"},
		{"gestorerete", "/rete/servizi?pagina=9223372036854775807"},
		{"operatoreente", "/invii?pagina=9223372036854775807"},
		{"amministratore", "/admin/registro?pagina=9223372036854775807"},
		{"amministratore", "/admin/operatori?pagina=9223372036854775807"},
		{"ministero", "/admin/ambiti?pagina=9223372036854775807"},
	} {
		cl := a.client(t)
		if resp, _ := a.login(t, cl, c.utente, demo.Password); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: login %d", c.utente, resp.StatusCode)
		}
		resp, err := cl.Get(a.URL + c.percorso)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.StatusCode >= 500 {
			t.Errorf("%s %s: %d", c.utente, c.percorso, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", c.utente, c.percorso, cc)
		}
	}
	resp, err := http.Get(a.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("/healthz: Cache-Control %q", cc)
	}
}
