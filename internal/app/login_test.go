package app

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

// Every demo account of contracts.md signs in through the demo provider and
// lands on the home of its role, with its name, role and scope in the header.
func TestEveryDemoAccountSignsIn(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	for _, acc := range demo.Accounts {
		t.Run(acc.Username, func(t *testing.T) {
			c := a.client(t)
			resp, body := a.login(t, c, acc.Username, demo.Password)
			if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/" {
				t.Fatalf("ended at %s with %d", resp.Request.URL, resp.StatusCode)
			}
			for _, want := range []string{
				", " + acc.Nome + " " + acc.Cognome + "</h1>",
				`data-testid="operatore-ruolo">` + acc.Ruolo.Label(),
				`data-testid="demo-marker"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("home page lacks %q", want)
				}
			}
			if n := a.count(t, `SELECT count(*) FROM sessione s JOIN operatore o ON o.id = s.operatore_id WHERE o.codice_fiscale = $1`, acc.CodiceFiscale()); n != 1 {
				t.Errorf("%d sessions in the database, want 1", n)
			}
		})
	}
}

// A codice fiscale with no accreditation is authenticated by the provider
// but gets the "non accreditato" page and no session; so does a suspended
// operator.
func TestNotAccreditedGetsNoSession(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	for _, tc := range []struct{ name, username string }{
		{"unknown codice fiscale", "RSSMRA85T10A562S"},
		{"suspended operator", "casemanager2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.username == "casemanager2" {
				acc, _ := demo.AccountByUsername("casemanager2")
				a.exec(t, `UPDATE operatore SET stato = 'sospeso' WHERE codice_fiscale = $1`, acc.CodiceFiscale())
			}
			c := a.client(t)
			resp, body := a.login(t, c, tc.username, demo.Password)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `data-testid="non-accreditato"`) {
				t.Fatalf("got %d at %s, want 403 non accreditato", resp.StatusCode, resp.Request.URL)
			}
			if ck := sessionCookie(c, a.URL); ck != nil {
				t.Errorf("a session cookie was set: %v", ck)
			}
			if n := a.count(t, `SELECT count(*) FROM sessione`); n != 0 {
				t.Errorf("%d sessions in the database, want 0", n)
			}
			// And the protected home is not reachable.
			resp, err := c.Get(a.URL + "/ruolo")
			if err != nil {
				t.Fatal(err)
			}
			readBody(t, resp)
			if !strings.HasPrefix(resp.Request.URL.Path, "/demo-idp/") {
				t.Errorf("GET /ruolo without session ended at %s, want the login", resp.Request.URL)
			}
		})
	}
}

func TestWrongPasswordKeepsUsername(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	resp, body := a.login(t, c, "casemanager", "sbagliata")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", resp.StatusCode)
	}
	if !strings.Contains(body, `value="casemanager"`) || !strings.Contains(body, "Nome utente o password non validi") {
		t.Errorf("the form must keep the username and say why, got:\n%s", body)
	}
}

// Logout ends the session in the database and at the provider, and the
// next visit to "/" shows the public landing page.
func TestLogoutEndsSession(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	old := sessionCookie(c, a.URL)
	if old == nil {
		t.Fatal("no session cookie after login")
	}
	resp, err := c.PostForm(a.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.Request.URL.Path != "/uscita" || !strings.Contains(body, `data-testid="uscita"`) {
		t.Fatalf("logout ended at %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM sessione`); n != 0 {
		t.Errorf("%d sessions left after logout", n)
	}
	// Replaying the old cookie gets nothing.
	req, _ := http.NewRequest("GET", a.URL+"/", nil)
	req.AddCookie(old)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); strings.Contains(body, "home-title") || !strings.Contains(body, `data-testid="accedi"`) {
		t.Errorf("old cookie still opens the home")
	}
}

// The session cookie is HttpOnly, SameSite=Lax, a browser-session cookie,
// and a new one is issued at every login (no session fixation).
func TestSessionCookie(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	var setCookies []string
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if r := req.Response; r != nil {
			setCookies = append(setCookies, r.Header.Values("Set-Cookie")...)
		}
		return nil
	}
	a.login(t, c, "casemanager", demo.Password)
	first := sessionCookie(c, a.URL)
	var found string
	for _, sc := range setCookies {
		if strings.HasPrefix(sc, "cartella_sessione=") {
			found = sc
		}
	}
	if found == "" {
		t.Fatal("no Set-Cookie for the session")
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(found, want) {
			t.Errorf("session cookie %q lacks %s", found, want)
		}
	}
	if strings.Contains(found, "Max-Age") || strings.Contains(found, "Expires") || strings.Contains(found, "Secure") {
		t.Errorf("session cookie %q: want a non-persistent, non-Secure (http) cookie", found)
	}
	a.login(t, c, "casemanager", demo.Password)
	if second := sessionCookie(c, a.URL); second == nil || second.Value == first.Value {
		t.Error("a new login must issue a new session token")
	}
	// Only the hash of the token is stored.
	if n := a.count(t, `SELECT count(*) FROM sessione WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'`, first.Value); n != 0 {
		t.Error("the raw token is stored in the database")
	}
}

// A callback whose state does not match the login in progress is refused,
// and that login cannot be completed afterwards.
func TestCallbackRejectsForgedState(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(a.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("nonce") == "" || loc.Query().Get("state") == "" {
		t.Fatalf("authorization request lacks PKCE, nonce or state: %s", loc)
	}
	resp, err = c.Get(a.URL + "/auth/callback?state=forged&code=abc")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "login-problema") {
		t.Errorf("forged state: %d", resp.StatusCode)
	}
	resp, err = c.Get(a.URL + "/auth/callback?state=" + url.QueryEscape(loc.Query().Get("state")) + "&code=abc")
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reused login: %d, want 400", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM sessione`); n != 0 {
		t.Errorf("%d sessions created", n)
	}
}

// Suspending an operator ends their session at the next request.
func TestSuspensionTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	acc, _ := demo.AccountByUsername("casemanager")
	a.exec(t, `UPDATE operatore SET stato = 'sospeso' WHERE codice_fiscale = $1`, acc.CodiceFiscale())
	resp, err := c.Get(a.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); strings.Contains(body, "home-title") {
		t.Error("a suspended operator still sees the home")
	}
	if n := a.count(t, `SELECT count(*) FROM sessione`); n != 0 {
		t.Errorf("%d sessions left for a suspended operator", n)
	}
}

// State-changing requests from another site are refused.
func TestCrossSiteRequestRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	req, _ := http.NewRequest("POST", a.URL+"/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Richiesta rifiutata") {
		t.Errorf("cross-site POST: %d", resp.StatusCode)
	}
	if n := a.count(t, `SELECT count(*) FROM sessione`); n != 1 {
		t.Errorf("the cross-site logout ended the session")
	}
}

// An operator holding several roles chooses one after login and acts in it.
func TestRoleChooser(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	fx := fixtures.New(t, a.d.pool)
	cc := fx.Demo()["coordcontrolli"]
	fx.Ruolo(cc.OperatoreID, accesso.Assegnazione{Ruolo: authz.ResponsabileControlli, AmbitoID: cc.AmbitoID, ComuneID: cc.ComuneID})
	c := a.client(t)
	resp, body := a.login(t, c, "coordcontrolli", demo.Password)
	if resp.Request.URL.Path != "/ruolo" || !strings.Contains(body, "Scegli il ruolo") {
		t.Fatalf("ended at %s, want the role chooser", resp.Request.URL)
	}
	var id string
	for _, m := range reRuolo.FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[2], "Responsabile controlli") {
			id = m[1]
		}
	}
	if id == "" {
		t.Fatalf("no responsabile option in:\n%s", body)
	}
	resp, err := c.PostForm(a.URL+"/ruolo", url.Values{"ruolo": {id}, "ritorno": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if !strings.Contains(body, `data-testid="operatore-ruolo">Responsabile controlli anagrafici`) || !strings.Contains(body, "Cambia ruolo") {
		t.Errorf("after choosing, the header must show the chosen role and offer to change it")
	}
	// A role the operator does not hold is refused.
	resp, err = c.PostForm(a.URL+"/ruolo", url.Values{"ruolo": {"999999"}})
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("foreign role: %d, want 422", resp.StatusCode)
	}
}

// The log of a whole session (login, home, wrong password, non accreditato,
// logout) holds no codice fiscale, name or query string.
func TestLogsCarryNoPersonalData(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	a := startAppLog(t, &logs)
	acc, _ := demo.AccountByUsername("casemanager")
	c := a.client(t)
	a.login(t, c, "casemanager", "sbagliata")
	a.login(t, c, "casemanager", demo.Password)
	a.login(t, a.client(t), "RSSMRA85T10A562S", demo.Password)
	resp, err := c.Get(a.URL + "/non-esiste?cf=" + acc.CodiceFiscale())
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	resp, err = c.PostForm(a.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	out := logs.String()
	if !strings.Contains(out, `"route":"/auth/callback"`) {
		t.Fatalf("the log is not being captured:\n%s", out)
	}
	for _, pd := range []string{acc.CodiceFiscale(), "RSSMRA85T10A562S", acc.Cognome, acc.Nome, "casemanager", "cf="} {
		if strings.Contains(out, pd) {
			t.Errorf("the log contains %q", pd)
		}
	}
}
