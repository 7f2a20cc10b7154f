// Package demoidp is a small OpenID Provider used only in demo mode and in
// tests, so that Cartella can be tried end to end without a real identity
// provider. Production talks to a real provider (Keycloak, SPID/CIE proxies,
// ...) through the very same OIDC relying-party code, which is why this
// package speaks plain OIDC (authorization code + PKCE) rather than offering a
// shortcut login.
//
// The protocol work is done by github.com/zitadel/oidc/v3/pkg/op; this package
// only supplies an in-memory op.Storage, a single confidential client and the
// login step, whose HTML comes from the caller.
package demoidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Account is an identity the demo provider asserts.
type Account struct {
	Subject      string // stable "sub"; must not contain ':' (the op's opaque access tokens are "tokenID:sub")
	Username     string
	GivenName    string
	FamilyName   string
	FiscalNumber string // SPID style, e.g. "TINIT-RSSMRA80A01H501U"
}

// LoginPageData is what the login page shows.
type LoginPageData struct {
	Action        string // URL the form POSTs to (absolute path, includes the /demo-idp prefix)
	AuthRequestID string // must be sent back in a hidden field named "id"
	Username      string // what the user typed, kept on error
	Error         string // Italian message, empty on first display
}

// Config configures the demo provider. There is exactly one client because
// the only relying party is Cartella itself.
type Config struct {
	Issuer                 string // e.g. "http://127.0.0.1:8080/demo-idp" (no trailing slash); the handler is mounted at the issuer's path
	ClientID, ClientSecret string
	RedirectURIs           []string // exact match
	PostLogoutRedirectURIs []string
	// Authenticate checks username+password; ok=false means wrong credentials.
	Authenticate func(ctx context.Context, username, password string) (Account, bool)
	// LoginPage renders the HTML login form (status code is chosen by the caller: 200 first time, 401 on error).
	LoginPage func(w http.ResponseWriter, r *http.Request, status int, d LoginPageData)
	// Logger receives login outcomes; nil means slog.Default(). The op library
	// logs protocol errors to slog.Default() itself: it has no per-provider logger.
	Logger *slog.Logger
}

// User-facing messages (Italian, like the rest of the UI).
const (
	msgWrongCredentials = "Nome utente o password non validi."
	msgBadRequest       = "Richiesta di accesso non valida o scaduta. Torna all'applicazione e accedi di nuovo."
	msgInternal         = "Si è verificato un errore interno. Riprova più tardi."
)

// loginPath is where the op sends the browser (see client.LoginURL), relative
// to the issuer path.
const loginPath = "/login"

// server is the value behind the handler returned by New. Everything a
// provider needs lives here, so two providers in one process are independent.
type server struct {
	cfg      Config
	log      *slog.Logger
	prefix   string // issuer path, e.g. "/demo-idp"; "" when the issuer has no path
	store    *storage
	provider *op.Provider
	opMux    http.Handler // provider with prefix stripped
}

// New returns the provider's http.Handler. The caller mounts it so that requests for Issuer+"/..." reach it
// with the full path (i.e. the handler itself must cope with the "/demo-idp" path prefix derived from Issuer; e.g. use http.StripPrefix internally).
func New(cfg Config) (http.Handler, error) {
	cfg.Issuer = strings.TrimSuffix(cfg.Issuer, "/")
	iss, err := url.Parse(cfg.Issuer)
	switch {
	case err != nil:
		return nil, fmt.Errorf("demoidp: issuer: %w", err)
	case iss.Scheme != "http" && iss.Scheme != "https", iss.Host == "", iss.RawQuery != "", iss.Fragment != "":
		return nil, fmt.Errorf("demoidp: issuer %q must be an absolute http(s) URL without query or fragment", cfg.Issuer)
	case cfg.ClientID == "" || cfg.ClientSecret == "":
		return nil, errors.New("demoidp: ClientID and ClientSecret are required")
	case len(cfg.RedirectURIs) == 0:
		return nil, errors.New("demoidp: at least one RedirectURI is required")
	case cfg.Authenticate == nil || cfg.LoginPage == nil:
		return nil, errors.New("demoidp: Authenticate and LoginPage are required")
	}
	s := &server{cfg: cfg, log: cfg.Logger, prefix: iss.Path}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "demoidp")

	s.store, err = newStorage(&client{
		id:             cfg.ClientID,
		secret:         cfg.ClientSecret,
		redirectURIs:   slices.Clone(cfg.RedirectURIs),
		postLogoutURIs: slices.Clone(cfg.PostLogoutRedirectURIs),
		loginURL:       s.prefix + loginPath + "?id=",
	})
	if err != nil {
		return nil, err
	}

	// The op uses CryptoKey to encrypt opaque access tokens and auth codes; a
	// fresh key per New means tokens never survive a restart, which is fine
	// for a demo and keeps secrets out of configuration.
	var cryptoKey [32]byte
	rand.Read(cryptoKey[:])
	logoutURI := "/"
	if len(cfg.PostLogoutRedirectURIs) > 0 {
		logoutURI = cfg.PostLogoutRedirectURIs[0]
	}
	opCfg := &op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: logoutURI,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       []language.Tag{language.Italian},
		SupportedScopes:          []string{oidc.ScopeOpenID, oidc.ScopeProfile},
		SupportedClaims:          append(slices.Clone(op.DefaultSupportedClaims), claimFiscalNumber),
	}
	var opts []op.Option
	if iss.Scheme == "http" {
		// Only the loopback demo runs without TLS; a https issuer keeps the
		// library's default refusal of plain http.
		opts = append(opts, op.WithAllowInsecure())
	}
	s.provider, err = op.NewProvider(opCfg, s.store, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("demoidp: %w", err)
	}
	s.opMux = http.StripPrefix(s.prefix, s.provider)
	return s, nil
}

// ServeHTTP routes the login page to s.login and everything else under the
// issuer path to the op.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, s.prefix)
	switch {
	case !ok || !strings.HasPrefix(rest, "/"):
		http.NotFound(w, r)
	case rest == loginPath:
		s.login(w, r)
	default:
		s.opMux.ServeHTTP(w, r)
	}
}

// login shows the form (GET) and checks the credentials (POST). There is no
// SSO session on purpose: every authorization request asks for the password,
// so switching demo users is just "log out, log in".
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	// The form takes a password: never cache it, never frame it.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	data := LoginPageData{Action: s.prefix + loginPath}

	switch r.Method {
	case http.MethodGet, http.MethodHead:
		data.AuthRequestID = r.URL.Query().Get("id")
		if !s.store.loginPending(data.AuthRequestID) {
			http.Error(w, msgBadRequest, http.StatusBadRequest)
			return
		}
		s.cfg.LoginPage(w, r, http.StatusOK, data)

	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, msgBadRequest, http.StatusBadRequest)
			return
		}
		data.AuthRequestID = r.PostForm.Get("id")
		data.Username = r.PostForm.Get("username")
		if !s.store.loginPending(data.AuthRequestID) {
			http.Error(w, msgBadRequest, http.StatusBadRequest)
			return
		}
		acc, ok := s.cfg.Authenticate(r.Context(), data.Username, r.PostForm.Get("password"))
		if !ok {
			s.log.InfoContext(r.Context(), "demo login failed") // no username: it may be a codice fiscale
			data.Error = msgWrongCredentials
			s.cfg.LoginPage(w, r, http.StatusUnauthorized, data)
			return
		}
		if acc.Subject == "" || strings.Contains(acc.Subject, ":") {
			s.log.ErrorContext(r.Context(), "demo account has an unusable subject")
			http.Error(w, msgInternal, http.StatusInternalServerError)
			return
		}
		if !s.store.completeLogin(data.AuthRequestID, acc) {
			http.Error(w, msgBadRequest, http.StatusBadRequest)
			return
		}
		s.log.InfoContext(r.Context(), "demo login succeeded")
		// The login handler is outside the op's router, so the issuer the op
		// reads from the context has to be put there by hand.
		ctx := op.ContextWithIssuer(r.Context(), s.cfg.Issuer)
		http.Redirect(w, r, op.AuthCallbackURL(s.provider)(ctx, data.AuthRequestID), http.StatusSeeOther)

	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	}
}
