// Package auth signs operators in through OpenID Connect (authorization
// code with PKCE, state and nonce kept server-side, ID token verified), and
// recognises them by the codice fiscale claim: SPID and CIE reach us through
// the Ambito's OpenID Provider (e.g. a Keycloak broker), whose ID token
// carries the fiscal number ("TINIT-RSSMRA80A01H501U"). Only operators with
// an active accreditation get a session; anyone else gets the
// "non accreditato" page.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"
	"golang.org/x/oauth2"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/session"
)

// ErrNotAccredited is what the Directory returns for an operator without an
// active accreditation.
var ErrNotAccredited = errors.New("auth: not accredited")

// Directory finds the roles an operator may act in (implemented by the
// accreditation module, adapted in the composition root).
type Directory interface {
	PrincipalsByCF(ctx context.Context, cf string) ([]authz.Principal, error)
	Principals(ctx context.Context, operatoreID uuid.UUID) ([]authz.Principal, error)
	// PrincipalsLetti is Principals from the value the session's lookup
	// read alongside it (session.Accanto, wired by the composition root),
	// so that a request reads session, operator and roles in one statement.
	PrincipalsLetti(ctx context.Context, accanto []byte) ([]authz.Principal, error)
}

// Event is a security event for the access register.
type Event struct {
	Kind        string // login, login_negato, logout
	OperatoreID *uuid.UUID
	Principal   *authz.Principal // the role acted in, when known
	Detail      string           // never personal data
}

// Config configures the relying party.
type Config struct {
	Issuer, ClientID, ClientSecret string
	RedirectURL                    string // BASE_URL/auth/callback
	PostLogoutURL                  string // BASE_URL/uscita
	CFClaim                        string
	// HTTPClient talks to the provider (discovery, token, userinfo).
	HTTPClient *http.Client
}

// Handler serves /login, /auth/callback, /logout, /uscita and /ruolo.
type Handler struct {
	cfg      Config
	sessions *session.Manager
	dir      Directory
	rs       *httpx.Responder
	log      *slog.Logger
	onEvent  func(*http.Request, Event)

	mu       sync.Mutex
	provider *oidc.Provider
	endSess  string
}

// NewHandler returns the handler. The provider is discovered on first use
// (and again after a failure), so Cartella starts even while the provider
// is briefly unreachable, and the demo provider served by this same process
// is reachable by then.
func NewHandler(cfg Config, sessions *session.Manager, dir Directory, rs *httpx.Responder, log *slog.Logger, onEvent func(*http.Request, Event)) *Handler {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if onEvent == nil {
		onEvent = func(*http.Request, Event) {}
	}
	return &Handler{cfg: cfg, sessions: sessions, dir: dir, rs: rs, log: log, onEvent: onEvent}
}

func (h *Handler) discover(ctx context.Context) (*oidc.Provider, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.provider != nil {
		return h.provider, nil
	}
	ctx = oidc.ClientContext(ctx, h.cfg.HTTPClient)
	p, err := oidc.NewProvider(ctx, h.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: discovery of %s: %w", h.cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&extra)
	h.provider, h.endSess = p, extra.EndSession
	return p, nil
}

func (h *Handler) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: h.cfg.ClientID, ClientSecret: h.cfg.ClientSecret,
		Endpoint: p.Endpoint(), RedirectURL: h.cfg.RedirectURL,
		Scopes: []string{oidc.ScopeOpenID, "profile"},
	}
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *Handler) Login(w http.ResponseWriter, r *http.Request) {
	p, err := h.discover(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "oidc discovery", "request_id", httpx.RequestIDFrom(r.Context()), "error", err)
		h.rs.Render(w, r, http.StatusServiceUnavailable, loginProblemPage(h.rs.Shell(r),
			"Servizio di autenticazione non raggiungibile",
			"Il servizio di accesso con SPID e CIE dell'Ambito non risponde. Riprova tra qualche minuto."))
		return
	}
	l := session.Login{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier(),
		ReturnTo: httpx.SafeReturn(r.URL.Query().Get("ritorno"))}
	if err := h.sessions.StartLogin(r.Context(), w, l); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	http.Redirect(w, r, h.oauth(p).AuthCodeURL(l.State, oidc.Nonce(l.Nonce), oauth2.S256ChallengeOption(l.Verifier)), http.StatusFound)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (h *Handler) Callback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l, err := h.sessions.FinishLogin(ctx, w, r)
	if err != nil {
		h.rs.Render(w, r, http.StatusBadRequest, loginProblemPage(h.rs.Shell(r), "Accesso non completato",
			"La procedura di accesso è scaduta o è stata avviata da un'altra finestra. Ripeti l'accesso."))
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		h.onEvent(r, Event{Kind: "login_negato", Detail: "provider: " + e})
		h.rs.Render(w, r, http.StatusUnauthorized, loginProblemPage(h.rs.Shell(r), "Accesso non completato",
			"Il servizio di autenticazione non ha confermato la tua identità. Ripeti l'accesso."))
		return
	}
	if !equal(q.Get("state"), l.State) {
		h.onEvent(r, Event{Kind: "login_negato", Detail: "state mismatch"})
		h.rs.Render(w, r, http.StatusBadRequest, loginProblemPage(h.rs.Shell(r), "Accesso non completato",
			"La risposta del servizio di autenticazione non corrisponde a questa richiesta di accesso. Ripeti l'accesso."))
		return
	}
	cf, idToken, err := h.exchange(ctx, q.Get("code"), l)
	if err != nil {
		h.log.WarnContext(ctx, "oidc callback", "request_id", httpx.RequestIDFrom(ctx), "error", err)
		h.onEvent(r, Event{Kind: "login_negato", Detail: "token non valido"})
		h.rs.Render(w, r, http.StatusUnauthorized, loginProblemPage(h.rs.Shell(r), "Accesso non completato",
			"Non è stato possibile verificare la tua identità. Ripeti l'accesso."))
		return
	}
	principals, err := h.dir.PrincipalsByCF(ctx, cf)
	if errors.Is(err, ErrNotAccredited) {
		h.onEvent(r, Event{Kind: "login_negato", Detail: "non accreditato"})
		h.rs.Render(w, r, http.StatusForbidden, notAccreditedPage(h.rs.Shell(r), cf))
		return
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	opID := principals[0].OperatoreID
	var ruolo *int64
	if len(principals) == 1 {
		ruolo = &principals[0].RuoloID
	}
	if err := h.sessions.RevocaPrecedente(ctx, r); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if err := h.sessions.Create(ctx, w, opID, ruolo, idToken); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	ev := Event{Kind: "login", OperatoreID: &opID}
	if len(principals) == 1 {
		ev.Principal = &principals[0]
	}
	h.onEvent(r, ev)
	if ruolo == nil {
		httpx.Redirect(w, r, "/ruolo?ritorno="+url.QueryEscape(l.ReturnTo))
		return
	}
	httpx.Redirect(w, r, l.ReturnTo)
}

// exchange redeems the code, verifies the ID token and its nonce, and
// returns the normalised codice fiscale.
func (h *Handler) exchange(ctx context.Context, code string, l session.Login) (string, string, error) {
	p, err := h.discover(ctx)
	if err != nil {
		return "", "", err
	}
	ctx = oidc.ClientContext(ctx, h.cfg.HTTPClient)
	oc := h.oauth(p)
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		return "", "", fmt.Errorf("auth: exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", "", errors.New("auth: no id_token in token response")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: h.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", "", fmt.Errorf("auth: verify id_token: %w", err)
	}
	if !equal(idt.Nonce, l.Nonce) {
		return "", "", errors.New("auth: nonce mismatch")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", "", fmt.Errorf("auth: claims: %w", err)
	}
	cf, _ := claims[h.cfg.CFClaim].(string)
	if cf == "" {
		// Some providers release attributes only from the userinfo endpoint.
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return "", "", fmt.Errorf("auth: userinfo: %w", err)
		}
		var uc map[string]any
		if err := ui.Claims(&uc); err != nil {
			return "", "", fmt.Errorf("auth: userinfo claims: %w", err)
		}
		cf, _ = uc[h.cfg.CFClaim].(string)
	}
	if cf == "" {
		return "", "", fmt.Errorf("auth: claim %q missing from id_token and userinfo", h.cfg.CFClaim)
	}
	return codicefiscale.Normalize(cf), raw, nil
}

func (h *Handler) ConfermaUscita(w http.ResponseWriter, r *http.Request) {
	h.rs.Render(w, r, http.StatusOK, logoutConfirmPage(h.rs.Shell(r)))
}

func (h *Handler) Logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s, ok, _ := h.sessions.Load(ctx, r)
	if err := h.sessions.Destroy(ctx, w, r); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if !ok {
		httpx.Redirect(w, r, "/uscita")
		return
	}
	ev := Event{Kind: "logout", OperatoreID: &s.OperatoreID}
	if p, ok := authz.PrincipalFrom(ctx); ok {
		ev.Principal = &p
	}
	h.onEvent(r, ev)
	// End the provider's session too, so that the next person at this
	// computer has to authenticate again (RP-initiated logout).
	if _, err := h.discover(ctx); err == nil && h.endSess != "" && h.cfg.PostLogoutURL != "" {
		u, err := url.Parse(h.endSess)
		if err == nil {
			v := u.Query()
			v.Set("client_id", h.cfg.ClientID)
			v.Set("post_logout_redirect_uri", h.cfg.PostLogoutURL)
			if s.IDToken != "" {
				v.Set("id_token_hint", s.IDToken)
			}
			u.RawQuery = v.Encode()
			httpx.Redirect(w, r, u.String())
			return
		}
	}
	httpx.Redirect(w, r, "/uscita")
}

func (h *Handler) Uscita(w http.ResponseWriter, r *http.Request) {
	h.rs.Render(w, r, http.StatusOK, loggedOutPage(h.rs.Shell(r)))
}

// rolesOf returns the session and the roles its operator may act in; on
// failure it has already answered.
func (h *Handler) rolesOf(w http.ResponseWriter, r *http.Request) (session.Session, []authz.Principal, bool) {
	s, ok := session.FromContext(r.Context())
	if !ok {
		httpx.Redirect(w, r, "/login")
		return s, nil, false
	}
	ps, err := h.dir.Principals(r.Context(), s.OperatoreID)
	if err != nil {
		h.rs.Error(w, r, err)
		return s, nil, false
	}
	return s, ps, true
}

func (h *Handler) ScegliRuolo(w http.ResponseWriter, r *http.Request) {
	s, ps, ok := h.rolesOf(w, r)
	if !ok {
		return
	}
	h.rs.Render(w, r, http.StatusOK, chooseRolePage(h.rs.Shell(r), ps, s.RuoloID, httpx.SafeReturn(r.URL.Query().Get("ritorno"))))
}

func (h *Handler) ImpostaRuolo(w http.ResponseWriter, r *http.Request) {
	s, ps, ok := h.rolesOf(w, r)
	if !ok {
		return
	}
	want := r.PostFormValue("ruolo")
	for _, p := range ps {
		if fmt.Sprint(p.RuoloID) == want {
			if err := h.sessions.SetRuolo(r.Context(), s, p.RuoloID); err != nil {
				h.rs.Error(w, r, err)
				return
			}
			httpx.Redirect(w, r, httpx.SafeReturn(r.PostFormValue("ritorno")))
			return
		}
	}
	h.rs.Render(w, r, http.StatusUnprocessableEntity, chooseRolePage(h.rs.Shell(r), ps, s.RuoloID, httpx.SafeReturn(r.PostFormValue("ritorno"))))
}

// LoadPrincipal reads the session of every request and, when the operator
// still holds an active accreditation, puts the session and the principal
// (the role they act in) in the context. Accreditation is read on every
// request, so a suspension or a revoked role takes effect at once: in the
// same statement as the session when the manager has an Accanto.
func (h *Handler) LoadPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s, ok, err := h.sessions.Load(ctx, r)
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		var ps []authz.Principal
		if s.Letto {
			ps, err = h.dir.PrincipalsLetti(ctx, s.Accanto)
		} else {
			ps, err = h.dir.Principals(ctx, s.OperatoreID)
		}
		if errors.Is(err, ErrNotAccredited) {
			_ = h.sessions.Destroy(ctx, w, r)
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		ctx = session.WithSession(ctx, s)
		if s.RuoloID != nil {
			for _, p := range ps {
				if p.RuoloID == *s.RuoloID {
					ctx = authz.WithPrincipal(ctx, p)
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// RequireLogin lets through only requests with a principal. Others are sent
// to the login (GET) or refused (other methods), and an operator with a
// session but no role chosen yet is sent to the role chooser.
func RequireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := authz.PrincipalFrom(r.Context()); ok {
			next.ServeHTTP(w, r)
			return
		}
		ret := url.QueryEscape(r.URL.RequestURI())
		if _, ok := session.FromContext(r.Context()); ok {
			httpx.Redirect(w, r, "/ruolo?ritorno="+ret)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			httpx.Redirect(w, r, "/login?ritorno="+ret)
			return
		}
		http.Error(w, "Sessione scaduta: accedi di nuovo.", http.StatusUnauthorized)
	})
}

// RequireSession lets through requests with a session, with or without a
// chosen role (the role chooser itself).
func RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := session.FromContext(r.Context()); !ok {
			if r.Method == http.MethodGet {
				httpx.Redirect(w, r, "/login?ritorno="+url.QueryEscape(r.URL.RequestURI()))
				return
			}
			http.Error(w, "Sessione scaduta: accedi di nuovo.", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// maskCF shows the first six characters of a codice fiscale only.
func maskCF(cf string) string {
	if len(cf) < 6 {
		return cf
	}
	return cf[:6] + strings.Repeat("•", len(cf)-6)
}
