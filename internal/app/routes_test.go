package app

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/demo"
)

// guardedRoutes is the authorization table: for every route that needs a
// signed-in operator, the roles that may use it. A route missing from both
// this table and publicRoutes fails TestEveryRouteIsPublicOrGuarded.
var guardedRoutes = map[string][]string{
	"GET /admin/ambiti":                                        {"amministratore_sistema"},
	"GET /admin/ambiti/nuovo":                                  {"amministratore_sistema"},
	"POST /admin/ambiti":                                       {"amministratore_sistema"},
	"GET /admin/ambiti/{id}":                                   {"amministratore_sistema"},
	"POST /admin/ambiti/{id}/comuni":                           {"amministratore_sistema"},
	"POST /admin/ambiti/{id}/comuni/{comune}/rimuovi":          {"amministratore_sistema"},
	"POST /admin/ambiti/{id}/amministratori":                   {"amministratore_sistema"},
	"POST /admin/ambiti/{id}/amministratori/{operatore}/stato": {"amministratore_sistema"},
	"GET /admin/operatori":                                     {"amministratore_ambito"},
	"GET /admin/operatori/nuovo":                               {"amministratore_ambito"},
	"POST /admin/operatori":                                    {"amministratore_ambito"},
	"GET /admin/operatori/{id}":                                {"amministratore_ambito"},
	"GET /admin/operatori/{id}/modifica":                       {"amministratore_ambito"},
	"POST /admin/operatori/{id}/modifica":                      {"amministratore_ambito"},
	"POST /admin/operatori/{id}/ruoli":                         {"amministratore_ambito"},
	"POST /admin/operatori/{id}/ruoli/{ruolo}/termina":         {"amministratore_ambito"},
	"POST /admin/operatori/{id}/stato":                         {"amministratore_ambito"},
	"GET /admin/registro":                                      {"amministratore_ambito"},
	"GET /admin/registro/esporta":                              {"amministratore_ambito"},
	// Meetings of a case (internal/incontri): case content, the assigned
	// case manager only (row scope in casi.Access / casi.Lock).
	"GET /casi":                                 {"case_manager"},
	"GET /assegnazioni":                         {"coordinatore_pais"},
	"POST /assegnazioni":                        {"coordinatore_pais"},
	"GET /assegnazioni/{id}":                    {"coordinatore_pais"},
	"POST /assegnazioni/{id}":                   {"coordinatore_pais"},
	"GET /assegnazioni/{id}/trasferisci":        {"coordinatore_pais"},
	"POST /assegnazioni/{id}/trasferisci":       {"coordinatore_pais"},
	"GET /assegnazioni/carichi":                 {"coordinatore_pais"},
	"POST /assegnazioni/carichi":                {"coordinatore_pais"},
	"GET /casi/{id}":                            {"case_manager"},
	"GET /casi/nuovo":                           {"case_manager", "coordinatore_pais"},
	"POST /casi":                                {"case_manager", "coordinatore_pais"},
	"GET /casi/{id}/storico":                    {"case_manager"},
	"GET /casi/{id}/chiudi":                     {"case_manager"},
	"POST /casi/{id}/chiudi":                    {"case_manager"},
	"GET /casi/{id}/riapri":                     {"case_manager"},
	"POST /casi/{id}/riapri":                    {"case_manager"},
	"GET /casi/{id}/componenti/{persona}":       {"case_manager"},
	"POST /casi/{id}/componenti/{persona}":      {"case_manager"},
	"GET /casi/{id}/diario":                     {"case_manager"},
	"POST /casi/{id}/diario":                    {"case_manager"},
	"GET /casi/{id}/incontri":                   {"case_manager"},
	"POST /casi/{id}/convocazioni":              {"case_manager"},
	"POST /casi/{id}/convocazioni/{conv}/esito": {"case_manager"},
	"POST /casi/{id}/incontri":                  {"case_manager"},
	"POST /casi/{id}/giustificati":              {"case_manager"},
	"GET /agenda":                               {"case_manager", "coordinatore_pais"},
	"GET /agenda/calendario":                    {"case_manager", "coordinatore_pais"},
	"POST /agenda/calendario":                   {"case_manager", "coordinatore_pais"},
	"GET /agenda/disponibilita":                 {"coordinatore_pais"},
	"POST /agenda/disponibilita":                {"coordinatore_pais"},
	"POST /agenda/disponibilita/{id}/elimina":   {"coordinatore_pais"},
	// Imports of the nuclei flow (internal/importazioni): the ambito's own imports.
	"GET /importazioni":                 {"coordinatore_pais", "operatore_ats"},
	"GET /importazioni/nuova":           {"coordinatore_pais", "operatore_ats"},
	"POST /importazioni":                {"coordinatore_pais", "operatore_ats"},
	"GET /importazioni/{id}":            {"coordinatore_pais", "operatore_ats"},
	"GET /importazioni/{id}/scarti.csv": {"coordinatore_pais", "operatore_ats"},

	// Analisi preliminare (internal/analisi): the assigned case manager only.
	"GET /casi/{id}/analisi-preliminare":                        {"case_manager"},
	"POST /casi/{id}/analisi-preliminare":                       {"case_manager"},
	"POST /casi/{id}/analisi-preliminare/inizia":                {"case_manager"},
	"POST /casi/{id}/analisi-preliminare/finalizza":             {"case_manager"},
	"POST /casi/{id}/analisi-preliminare/riapri":                {"case_manager"},
	"GET /casi/{id}/analisi-preliminare/versioni":               {"case_manager"},
	"GET /casi/{id}/analisi-preliminare/versioni/{n}":           {"case_manager"},
	"GET /casi/{id}/analisi-preliminare/versioni/{n}/confronto": {"case_manager"},
	"GET /casi/{id}/analisi-preliminare/stampa":                 {"case_manager"},

	// Quadro di analisi (internal/quadro): the assigned case manager only.
	"GET /casi/{id}/quadro-di-analisi":                        {"case_manager"},
	"POST /casi/{id}/quadro-di-analisi":                       {"case_manager"},
	"POST /casi/{id}/quadro-di-analisi/inizia":                {"case_manager"},
	"POST /casi/{id}/quadro-di-analisi/finalizza":             {"case_manager"},
	"POST /casi/{id}/quadro-di-analisi/riapri":                {"case_manager"},
	"GET /casi/{id}/quadro-di-analisi/versioni":               {"case_manager"},
	"GET /casi/{id}/quadro-di-analisi/versioni/{n}":           {"case_manager"},
	"GET /casi/{id}/quadro-di-analisi/versioni/{n}/confronto": {"case_manager"},
	"GET /casi/{id}/quadro-di-analisi/stampa":                 {"case_manager"},

	// The patto per l'inclusione sociale (internal/patto) and its records for
	// the national e-services (internal/fsl): the assigned case manager only.
	"GET /casi/patti":                             {"case_manager"},
	"GET /casi/{id}/patto":                        {"case_manager"},
	"POST /casi/{id}/patto":                       {"case_manager"},
	"POST /casi/{id}/patto/inizia":                {"case_manager"},
	"POST /casi/{id}/patto/sottoscrivi":           {"case_manager"},
	"POST /casi/{id}/patto/rivedi":                {"case_manager"},
	"POST /casi/{id}/patto/sostegni/{sostegno}":   {"case_manager"},
	"GET /casi/{id}/patto/versioni":               {"case_manager"},
	"GET /casi/{id}/patto/versioni/{n}":           {"case_manager"},
	"GET /casi/{id}/patto/versioni/{n}/confronto": {"case_manager"},
	"GET /casi/{id}/patto/versioni/{n}/scansione": {"case_manager"},
	"GET /casi/{id}/patto/stampa":                 {"case_manager"},
	"GET /casi/{id}/patto/patto.pdf":              {"case_manager"},
	"GET /casi/{id}/patto/fsl.json":               {"case_manager"},

	// Équipe multidisciplinare (internal/equipe): the assigned case manager only.
	"GET /casi/{id}/equipe":                                  {"case_manager"},
	"POST /casi/{id}/equipe/membri":                          {"case_manager"},
	"GET /casi/{id}/equipe/membri/{membro}":                  {"case_manager"},
	"POST /casi/{id}/equipe/membri/{membro}":                 {"case_manager"},
	"POST /casi/{id}/equipe/membri/{membro}/termina":         {"case_manager"},
	"GET /casi/{id}/equipe/convocazioni/nuova":               {"case_manager"},
	"POST /casi/{id}/equipe/convocazioni/nuova":              {"case_manager"},
	"GET /casi/{id}/equipe/convocazioni/{conv}":              {"case_manager"},
	"GET /casi/{id}/equipe/convocazioni/{conv}/stampa":       {"case_manager"},
	"GET /casi/{id}/equipe/convocazioni/{conv}/estratto.pdf": {"case_manager"},

	// Monitoring of the patto (internal/monitoraggio): the assigned case manager only.
	"GET /casi/{id}/monitoraggio":                 {"case_manager"},
	"GET /casi/{id}/monitoraggio/nuovo":           {"case_manager"},
	"POST /casi/{id}/monitoraggio/nuovo":          {"case_manager"},
	"GET /casi/{id}/monitoraggio/{inc}":           {"case_manager"},
	"POST /casi/{id}/monitoraggio/{inc}/registra": {"case_manager"},
	"POST /casi/{id}/monitoraggio/{inc}/annulla":  {"case_manager"},
	"GET /casi/{id}/monitoraggio/{inc}/verbale":   {"case_manager"},

	// Segnalazioni to INPS (internal/segnalazioni): drafted by the assigned
	// case manager; approved and exported by the coordinatore PaIS.
	"GET /casi/segnalazioni":                                {"case_manager"},
	"GET /casi/{id}/segnalazioni":                           {"case_manager"},
	"GET /casi/{id}/segnalazioni/nuova":                     {"case_manager"},
	"POST /casi/{id}/segnalazioni":                          {"case_manager"},
	"GET /casi/{id}/segnalazioni/{seg}":                     {"case_manager"},
	"POST /casi/{id}/segnalazioni/{seg}":                    {"case_manager"},
	"POST /casi/{id}/segnalazioni/{seg}/approvazione":       {"case_manager"},
	"POST /casi/{id}/segnalazioni/{seg}/annulla":            {"case_manager"},
	"POST /casi/{id}/segnalazioni/{seg}/rettifica":          {"case_manager"},
	"GET /casi/{id}/segnalazioni/{seg}/allegati/{allegato}": {"case_manager"},
	"GET /segnalazioni":                                     {"coordinatore_pais"},
	"GET /segnalazioni/{seg}":                               {"coordinatore_pais"},
	"POST /segnalazioni/{seg}/approva":                      {"coordinatore_pais"},
	"POST /segnalazioni/{seg}/respingi":                     {"coordinatore_pais"},
	"GET /segnalazioni/{seg}/allegati/{allegato}":           {"coordinatore_pais"},
	"GET /segnalazioni/invii":                               {"coordinatore_pais"},
	"POST /segnalazioni/invii":                              {"coordinatore_pais"},
	"GET /segnalazioni/invii/{invio}/file":                  {"coordinatore_pais"},
	"GET /segnalazioni/invii/{invio}":                       {"coordinatore_pais"},
	"GET /segnalazioni/scartate":                            {"coordinatore_pais"},
	"POST /segnalazioni/{seg}/esito":                        {"coordinatore_pais"},
}

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

// Every route is either on the public list or in the authorization table,
// and every non-public route refuses an anonymous request.
func TestEveryRouteIsPublicOrGuarded(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	routes := walk(t, a.Config.Handler)
	if len(routes) < len(publicRoutes)-1 {
		t.Fatalf("walk found only %d routes: %v", len(routes), routes)
	}
	for _, rt := range routes {
		if isPublic(rt) {
			continue
		}
		if _, ok := guardedRoutes[rt]; !ok {
			t.Errorf("route %q is neither public nor in the authorization table (guardedRoutes)", rt)
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

// Every guarded route × every role: allowed roles get through, every other
// role gets 403. The home "/" is public but shows each role its own page.
func TestRouteRoleTable(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	clients := map[string]*http.Client{}
	for _, acc := range demo.Accounts {
		c := a.client(t)
		resp, body := a.login(t, c, acc.Username, demo.Password)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, acc.Ruolo.Label()) {
			t.Fatalf("%s: home %d", acc.Username, resp.StatusCode)
		}
		clients[string(acc.Ruolo)] = c
	}
	for route, allowed := range guardedRoutes {
		method, path, _ := strings.Cut(route, " ")
		for _, acc := range demo.Accounts {
			role := string(acc.Ruolo)
			want := false
			for _, r := range allowed {
				want = want || r == role
			}
			req, _ := http.NewRequest(method, a.URL+concrete(path), nil)
			resp, err := clients[role].Do(req)
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if got := resp.StatusCode != http.StatusForbidden; got != want {
				t.Errorf("%s as %s: status %d, allowed=%v", route, role, resp.StatusCode, want)
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
	if !strings.HasSuffix(href, "bootstrap-italia.min.css") {
		t.Fatalf("first asset %s", href)
	}
	resp, err = http.Get(a.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	css := readBody(t, resp)
	if resp.StatusCode != 200 || len(css) < 100000 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("css: %d, %d bytes, %q, %q", resp.StatusCode, len(css), resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Type"))
	}
	font := strings.Replace(href, "vendor/bootstrap-italia/css/bootstrap-italia.min.css",
		"vendor/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2", 1)
	resp, err = http.Get(a.URL + font)
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != 200 {
		t.Errorf("font %s: %d", font, resp.StatusCode)
	}
}
