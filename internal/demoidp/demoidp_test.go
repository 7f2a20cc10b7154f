package demoidp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"
)

var rossi = Account{
	Subject:      "u-0001",
	Username:     "mario.rossi",
	GivenName:    "Mario",
	FamilyName:   "Rossi",
	FiscalNumber: "TINIT-RSSMRA80A01H501U",
}

// testLoginPage stands in for the real template: a line of text the tests
// can grep, with the status the provider asked for.
func testLoginPage(w http.ResponseWriter, _ *http.Request, status int, d LoginPageData) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "action=%s id=%s username=%s error=%s", d.Action, d.AuthRequestID, d.Username, d.Error)
}

// env is one demo provider mounted at /demo-idp/ plus a relying party
// (go-oidc + x/oauth2) configured against it.
type env struct {
	srv      *httptest.Server
	issuer   string
	callback string
	logout   string
	provider *oidc.Provider
	oauth    oauth2.Config
	browser  *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	e := &env{
		srv:      srv,
		issuer:   base + "/demo-idp",
		callback: base + "/auth/callback",
		logout:   base + "/logged-out",
	}
	h, err := New(Config{
		Issuer:                 e.issuer,
		ClientID:               "cartella",
		ClientSecret:           "s3cret",
		RedirectURIs:           []string{e.callback},
		PostLogoutRedirectURIs: []string{e.logout},
		Authenticate: func(_ context.Context, username, password string) (Account, bool) {
			if username == rossi.Username && password == "password" {
				return rossi, true
			}
			return Account{}, false
		},
		LoginPage: testLoginPage,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/demo-idp/", h)
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)

	e.provider, err = oidc.NewProvider(t.Context(), e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	e.oauth = oauth2.Config{
		ClientID:     "cartella",
		ClientSecret: "s3cret",
		Endpoint:     e.provider.Endpoint(),
		RedirectURL:  e.callback,
		Scopes:       []string{oidc.ScopeOpenID, "profile"},
	}
	e.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The browser follows redirects inside the provider but stops at the
	// relying party, whose callback nobody serves here.
	e.browser = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.Path, "/demo-idp/") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return e
}

func (e *env) do(t *testing.T, method, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := e.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// openLogin starts an authorization request and returns the auth request id
// shown on the login page.
func (e *env) openLogin(t *testing.T, authURL string) string {
	t.Helper()
	resp, body := e.do(t, http.MethodGet, authURL, nil)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/demo-idp/login" {
		t.Fatalf("authorize: got %d at %s: %s", resp.StatusCode, resp.Request.URL, body)
	}
	id := resp.Request.URL.Query().Get("id")
	if id == "" || !strings.Contains(body, "id="+id) || !strings.Contains(body, "action=/demo-idp/login ") {
		t.Fatalf("login page: id %q, body %q", id, body)
	}
	return id
}

// login posts the credentials and returns the query of the redirect to the
// relying party.
func (e *env) login(t *testing.T, id, username, password string) url.Values {
	t.Helper()
	resp, body := e.do(t, http.MethodPost, e.issuer+"/login", url.Values{"id": {id}, "username": {username}, "password": {password}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("login: got %d: %s", resp.StatusCode, body)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != e.callback {
		t.Fatalf("redirected to %s, want %s", got, e.callback)
	}
	return loc.Query()
}

// flow runs a whole browser login and returns the code and PKCE verifier.
func (e *env) flow(t *testing.T, nonce string) (code, verifier string) {
	t.Helper()
	verifier = oauth2.GenerateVerifier()
	id := e.openLogin(t, e.oauth.AuthCodeURL("st-1", oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
	q := e.login(t, id, rossi.Username, "password")
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("callback query: %v", q)
	}
	return q.Get("code"), verifier
}

func TestLoginFlow(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	id := e.openLogin(t, e.oauth.AuthCodeURL("st-1", oidc.Nonce("n-42"), oauth2.S256ChallengeOption(verifier)))

	resp, body := e.do(t, http.MethodPost, e.issuer+"/login", url.Values{"id": {id}, "username": {"mario.rossi"}, "password": {"sbagliata"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: got %d, want 401", resp.StatusCode)
	}
	if !strings.Contains(body, "username=mario.rossi") || !strings.Contains(body, "error=Nome utente o password non validi.") {
		t.Fatalf("wrong password page: %q", body)
	}

	q := e.login(t, id, rossi.Username, "password")
	if q.Get("state") != "st-1" {
		t.Fatalf("state: got %q", q.Get("state"))
	}
	tok, err := e.oauth.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idTok, err := e.provider.Verifier(&oidc.Config{ClientID: "cartella"}).Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if idTok.Subject != rossi.Subject || idTok.Nonce != "n-42" {
		t.Fatalf("sub %q nonce %q", idTok.Subject, idTok.Nonce)
	}
	type claims struct {
		Sub               string `json:"sub"`
		Name              string `json:"name"`
		GivenName         string `json:"given_name"`
		FamilyName        string `json:"family_name"`
		PreferredUsername string `json:"preferred_username"`
		FiscalNumber      string `json:"fiscal_number"`
	}
	want := claims{"u-0001", "Mario Rossi", "Mario", "Rossi", "mario.rossi", "TINIT-RSSMRA80A01H501U"}
	var got claims
	if err := idTok.Claims(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("ID token claims:\n got %+v\nwant %+v", got, want)
	}

	ui, err := e.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	got = claims{}
	if err := ui.Claims(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("userinfo claims:\n got %+v\nwant %+v", got, want)
	}

	// The code is single use.
	if _, err := e.oauth.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("second exchange of the same code succeeded")
	}
	// The finished auth request cannot be logged into again.
	resp, _ = e.do(t, http.MethodPost, e.issuer+"/login", url.Values{"id": {id}, "username": {rossi.Username}, "password": {"password"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("login on a used auth request: got %d, want 400", resp.StatusCode)
	}
}

func TestClientSecretPost(t *testing.T) {
	e := newEnv(t)
	e.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	code, verifier := e.flow(t, "n")
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
}

func TestExchangeFailures(t *testing.T) {
	e := newEnv(t)

	code, verifier := e.flow(t, "n")
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("exchange with a wrong verifier succeeded")
	}
	// A failed attempt burns the code, so the verifier cannot be guessed.
	if _, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("code still usable after a failed exchange")
	}

	code, _ = e.flow(t, "n")
	if _, err := e.oauth.Exchange(t.Context(), code); err == nil {
		t.Fatal("exchange without a verifier succeeded")
	}

	code, verifier = e.flow(t, "n")
	bad := e.oauth
	bad.ClientSecret = "wrong"
	if _, err := bad.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("exchange with a wrong client secret succeeded")
	}
}

func TestAuthorizeRejected(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()

	// Without PKCE (or with the plain method) the error goes back to the
	// registered redirect_uri, as OAuth requires, and no login page is shown.
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"no code_challenge": nil,
		"plain method": {oauth2.SetAuthURLParam("code_challenge", verifier),
			oauth2.SetAuthURLParam("code_challenge_method", "plain")},
	} {
		resp, body := e.do(t, http.MethodGet, e.oauth.AuthCodeURL("st", opts...), nil)
		loc, _ := resp.Location()
		if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != "invalid_request" ||
			!strings.HasPrefix(loc.String(), e.callback+"?") {
			t.Errorf("%s: got %d to %v: %s", name, resp.StatusCode, loc, body)
		}
	}

	// An unregistered redirect_uri is never redirected to.
	evil := e.oauth
	evil.RedirectURL = "http://evil.example/cb"
	resp, body := e.do(t, http.MethodGet, evil.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), nil)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("unregistered redirect_uri: got %d, Location %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}

	// Every authorization asks for the password: prompt=none cannot succeed.
	resp, _ = e.do(t, http.MethodGet, e.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "none")), nil)
	if loc, _ := resp.Location(); loc == nil || loc.Query().Get("error") != "login_required" {
		t.Errorf("prompt=none: got %d to %v", resp.StatusCode, loc)
	}
}

func TestLoginBadRequest(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		method, target string
		form           url.Values
	}{
		{http.MethodGet, e.issuer + "/login", nil},
		{http.MethodGet, e.issuer + "/login?id=nope", nil},
		{http.MethodPost, e.issuer + "/login", url.Values{"id": {"nope"}, "username": {rossi.Username}, "password": {"password"}}},
	} {
		resp, body := e.do(t, tc.method, tc.target, tc.form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Richiesta di accesso non valida o scaduta") {
			t.Errorf("%s %s: got %d: %q", tc.method, tc.target, resp.StatusCode, body)
		}
	}
}

func TestEndSession(t *testing.T) {
	e := newEnv(t)
	endSession := e.issuer + "/end_session"
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := e.provider.Claims(&meta); err != nil || meta.EndSession != endSession {
		t.Fatalf("discovery end_session_endpoint %q, %v", meta.EndSession, err)
	}

	code, verifier := e.flow(t, "n")
	tok, err := e.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	hint, _ := tok.Extra("id_token").(string)

	for name, q := range map[string]url.Values{
		"client_id":     {"client_id": {"cartella"}, "post_logout_redirect_uri": {e.logout}, "state": {"bye"}},
		"id_token_hint": {"id_token_hint": {hint}, "post_logout_redirect_uri": {e.logout}, "state": {"bye"}},
	} {
		resp, body := e.do(t, http.MethodGet, endSession+"?"+q.Encode(), nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != e.logout+"?state=bye" {
			t.Errorf("%s: got %d to %q: %s", name, resp.StatusCode, loc, body)
		}
	}

	q := url.Values{"client_id": {"cartella"}, "post_logout_redirect_uri": {"http://evil.example/"}}
	resp, _ := e.do(t, http.MethodGet, endSession+"?"+q.Encode(), nil)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("unregistered post_logout_redirect_uri: got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestTwoProviders checks that two providers in one process share nothing:
// keys, auth requests and codes stay with the provider that made them.
func TestTwoProviders(t *testing.T) {
	a, b := newEnv(t), newEnv(t)

	idA := a.openLogin(t, a.oauth.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	resp, _ := b.do(t, http.MethodPost, b.issuer+"/login", url.Values{"id": {idA}, "username": {rossi.Username}, "password": {"password"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("B accepted A's auth request: %d", resp.StatusCode)
	}

	code, verifier := a.flow(t, "n")
	if _, err := b.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("B exchanged A's code")
	}
	code, verifier = a.flow(t, "n")
	tok, err := a.oauth.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	// Same issuer string, B's keys: the signature must not verify.
	keysB := oidc.NewRemoteKeySet(t.Context(), b.issuer+"/keys")
	if _, err := oidc.NewVerifier(a.issuer, keysB, &oidc.Config{ClientID: "cartella"}).Verify(t.Context(), raw); err == nil {
		t.Fatal("A's ID token verified with B's keys")
	}
}

func TestExpiry(t *testing.T) {
	s, err := newStorage(&client{id: "c"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.now = func() time.Time { return now }
	ctx := t.Context()
	req := &zoidc.AuthRequest{ClientID: "c", CodeChallenge: "x", CodeChallengeMethod: zoidc.CodeChallengeMethodS256}

	ar, err := s.CreateAuthRequest(ctx, req, "")
	if err != nil {
		t.Fatal(err)
	}
	if !s.completeLogin(ar.GetID(), rossi) || s.SaveAuthCode(ctx, ar.GetID(), "code-1") != nil {
		t.Fatal("login or code rejected")
	}
	if s.SaveAuthCode(ctx, ar.GetID(), "code-2") == nil {
		t.Fatal("second code for one auth request accepted")
	}
	now = now.Add(requestTTL)
	if _, err := s.AuthRequestByCode(ctx, "code-1"); !errors.Is(err, errNotFound) {
		t.Fatalf("expired code: %v", err)
	}

	stale, _ := s.CreateAuthRequest(ctx, req, "")
	now = now.Add(requestTTL + purgeEvery)
	if s.loginPending(stale.GetID()) {
		t.Fatal("expired auth request still pending")
	}
	if _, err := s.CreateAuthRequest(ctx, req, ""); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	n := len(s.requests)
	s.mu.Unlock()
	if n != 1 {
		t.Fatalf("purge left %d auth requests, want 1", n)
	}
}
