package app

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/demo"
)

func walk(t *testing.T, h http.Handler) []string {
	t.Helper()
	var out []string
	err := chi.Walk(h.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		out = append(out, method+" "+route)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func isPublic(route string) bool {
	if publicRoutes[route] {
		return true
	}
	_, path, _ := strings.Cut(route, " ")
	return publicRoutes["* "+path]
}

// Every mounted route is either on the public list or a row of rotte, every
// row is mounted once, and every row refuses an anonymous request.
func TestEveryRouteIsPublicOrGuarded(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	routes := walk(t, a.Config.Handler)
	if len(routes) < len(publicRoutes)-1 {
		t.Fatalf("walk found only %d routes: %v", len(routes), routes)
	}
	table := map[string]bool{}
	for _, x := range rotte(a.d) {
		if table[x.key()] {
			t.Errorf("route %q is twice in rotte", x.key())
		}
		table[x.key()] = true
	}
	mounted := map[string]bool{}
	for _, rt := range routes {
		mounted[rt] = true
		if isPublic(rt) {
			continue
		}
		if !table[rt] {
			t.Errorf("route %q is neither public nor a row of rotte (routes.go)", rt)
			continue
		}
		method, path, _ := strings.Cut(rt, " ")
		req, _ := http.NewRequest(method, a.URL+concrete(path), nil)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, resp)
		switch {
		case method == "GET" && resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		case method != "GET" && resp.StatusCode == http.StatusUnauthorized:
		default:
			t.Errorf("%s anonymous: %d %s, want the login (GET) or 401", rt, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	for rt := range table {
		if !mounted[rt] {
			t.Errorf("row %q of rotte is not mounted", rt)
		}
	}
}

// concrete fills route parameters with a plausible value.
func concrete(pattern string) string {
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = "1"
		}
	}
	return strings.TrimSuffix(strings.Join(parts, "/"), "*")
}

// Every row of rotte × every demo role: the roles that the matrix of
// docs/roles.md grants the row's object/action get through, every other
// role gets 403. The home "/" is public but shows each role its own page.
func TestRouteRoleTable(t *testing.T) {
	t.Parallel()
	m := readMatrix(t)
	a := startApp(t)
	clients := map[authz.Ruolo]*http.Client{}
	for _, acc := range demo.Accounts {
		c := a.client(t)
		resp, body := a.login(t, c, acc.Username, demo.Password)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, acc.Ruolo.Label()) {
			t.Fatalf("%s: home %d", acc.Username, resp.StatusCode)
		}
		clients[acc.Ruolo] = c
	}
	for _, x := range rotte(a.d) {
		if len(m.concessi(x.obj, x.act)) == 0 {
			t.Errorf("%s: no role of the matrix has %s / %s", x.key(), x.obj, x.act)
		}
		for _, acc := range demo.Accounts {
			want := m.concede(acc.Ruolo, x.obj, x.act)
			req, _ := http.NewRequest(x.metodo, a.URL+concrete(x.percorso), nil)
			resp, err := clients[acc.Ruolo].Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if got := resp.StatusCode != http.StatusForbidden; got != want {
				t.Errorf("%s as %s: status %d, allowed=%v", x.key(), acc.Ruolo, resp.StatusCode, want)
			}
		}
	}
}

// Unknown pages get the Italian 404 page with the request id, and every
// response carries the security headers.
func TestErrorPagesAndHeaders(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	resp, err := http.Get(a.URL + "/non-esiste")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	rid := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 404 || !strings.Contains(body, "Pagina non trovata") || rid == "" || !strings.Contains(body, rid) {
		t.Errorf("404 page: status %d, request id %q shown: %v", resp.StatusCode, rid, strings.Contains(body, rid))
	}
	for h, want := range map[string]string{
		"Content-Security-Policy": "frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want it to contain %q", h, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %s", csp)
	}
	resp, err = http.Post(a.URL+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 405 || !strings.Contains(body, "Operazione non consentita") {
		t.Errorf("405 page: %d", resp.StatusCode)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(a.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); resp.StatusCode != 200 || body != "ok\n" {
			t.Errorf("%s: %d %q", p, resp.StatusCode, body)
		}
		// Load balancers and monitoring often probe with HEAD.
		if resp, err := http.Head(a.URL + p); err != nil || resp.StatusCode != 200 {
			t.Errorf("HEAD %s: %v %v", p, resp, err)
		}
	}
}

// The static assets are embedded and served with long-lived caching.
func TestStaticAssets(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	resp, err := http.Get(a.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	i := strings.Index(body, "/static/")
	if i < 0 {
		t.Fatal("no asset link in the page")
	}
	href := body[i : strings.IndexByte(body[i:], '"')+i]
	if !strings.HasSuffix(href, "bootstrap-italia.usata.css") {
		t.Fatalf("first asset %s", href)
	}
	resp, err = http.Get(a.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	css := readBody(t, resp)
	if resp.StatusCode != 200 || len(css) < 20000 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("css: %d, %d bytes, %q, %q", resp.StatusCode, len(css), resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	font := strings.Replace(href, "vendor/bootstrap-italia/css/bootstrap-italia.usata.css",
		"vendor/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2", 1)
	resp, err = http.Get(a.URL + font)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != 200 {
		t.Errorf("font %s: %d", font, resp.StatusCode)
	}
}
