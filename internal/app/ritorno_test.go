package app

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/cartella/cartella/internal/demo"
)

// The finding of the probe: /login?ritorno=%2F%09%2Fevil.example, then
// signing in, answered "Location: /\t/evil.example", which browsers follow
// to evil.example. Now the operator lands on the home of Cartella; a local
// return path is still honoured.
func TestLoginRitornoOstile(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	for _, c := range []struct{ ritorno, atteso string }{
		{"/\t/evil.example", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/casi", "/casi"},
	} {
		cl := a.client(t)
		var ultimi []string
		cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			ultimi = append(ultimi, req.URL.String())
			if req.URL.Host != "" && req.URL.Host != mustHost(t, a.URL) {
				return http.ErrUseLastResponse
			}
			return nil
		}
		resp, err := cl.Get(a.URL + "/login?ritorno=" + url.QueryEscape(c.ritorno))
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		id := reHiddenID.FindStringSubmatch(body)
		action := reAction.FindStringSubmatch(body)
		if id == nil || action == nil {
			t.Fatalf("no login form")
		}
		resp, err = cl.PostForm(a.URL+action[1], url.Values{"id": {id[1]}, "username": {"casemanager"}, "password": {demo.Password}})
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		if resp.Request.URL.Host != mustHost(t, a.URL) || resp.Request.URL.Path != c.atteso {
			t.Errorf("ritorno %q: landed on %s (redirects %v), want %s of Cartella", c.ritorno, resp.Request.URL, ultimi, c.atteso)
		}
	}
}

func mustHost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
