package demoidp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

const (
	// requestTTL bounds both an auth request (from /authorize to the code)
	// and its code (from issue to exchange): a browser login takes seconds.
	requestTTL = 10 * time.Minute
	// tokenTTL is the lifetime of access and ID tokens.
	tokenTTL = time.Hour
	// purgeEvery throttles the lazy sweep of expired entries.
	purgeEvery = time.Minute

	claimFiscalNumber = "fiscal_number"
)

var errNotFound = errors.New("demoidp: not found or expired")

// storage is the in-memory op.Storage. One mutex guards all maps; the demo
// has a handful of users, so contention is irrelevant and the simplicity is
// worth it. Auth requests are handed to the op as copies so that the op never
// reads a struct the login handler is writing.
type storage struct {
	client *client
	key    *rsa.PrivateKey
	keyID  string
	now    func() time.Time // replaced in tests to simulate expiry

	mu        sync.Mutex
	requests  map[string]*authRequest // by auth request id
	codes     map[string]string       // code -> auth request id
	tokens    map[string]*accessToken // by token id
	lastPurge time.Time
}

var _ op.Storage = (*storage)(nil)
var _ op.CanSetUserinfoFromRequest = (*storage)(nil)

func newStorage(c *client) (*storage, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("demoidp: signing key: %w", err)
	}
	return &storage{
		client:   c,
		key:      key,
		keyID:    rand.Text(),
		now:      time.Now,
		requests: make(map[string]*authRequest),
		codes:    make(map[string]string),
		tokens:   make(map[string]*accessToken),
	}, nil
}

// authRequest implements op.AuthRequest.
type authRequest struct {
	id            string
	clientID      string
	redirectURI   string
	state         string
	nonce         string
	scopes        []string
	codeChallenge string
	expires       time.Time
	code          string // set once by SaveAuthCode

	done     bool
	account  Account
	authTime time.Time
}

func (a *authRequest) GetID() string         { return a.id }
func (a *authRequest) GetACR() string        { return "" }
func (a *authRequest) GetAudience() []string { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.authTime
}
func (a *authRequest) GetClientID() string { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.codeChallenge, Method: oidc.CodeChallengeMethodS256}
}
func (a *authRequest) GetNonce() string                   { return a.nonce }
func (a *authRequest) GetRedirectURI() string             { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseModeQuery }
func (a *authRequest) GetScopes() []string                { return a.scopes }
func (a *authRequest) GetState() string                   { return a.state }
func (a *authRequest) GetSubject() string                 { return a.account.Subject }
func (a *authRequest) Done() bool                         { return a.done }
func (a *authRequest) GetAMR() []string {
	if a.done {
		return []string{"pwd"}
	}
	return nil
}

type accessToken struct {
	clientID string
	account  Account
	scopes   []string
	expires  time.Time
}

// --- auth requests and codes ---

// CreateAuthRequest runs after the op validated client, redirect_uri, scopes
// and response_type (the client only lists "code"). It adds the policy the op cannot express per client:
// PKCE with S256 is mandatory even for this confidential client, only the
// query response mode is offered, and prompt=none is refused because there
// is never a session to reuse.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	switch {
	case req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method=S256 is required")
	case req.ResponseMode != "" && req.ResponseMode != oidc.ResponseModeQuery:
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_mode=query is supported")
	case slices.Contains(req.Prompt, oidc.PromptNone):
		return nil, oidc.ErrLoginRequired()
	}
	a := &authRequest{
		id:            rand.Text(),
		clientID:      req.ClientID,
		redirectURI:   req.RedirectURI,
		state:         req.State,
		nonce:         req.Nonce,
		scopes:        slices.Clone(req.Scopes),
		codeChallenge: req.CodeChallenge,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	a.expires = s.now().Add(requestTTL)
	s.requests[a.id] = a
	cp := *a
	return &cp, nil
}

// lookupLocked returns the live auth request with that id, or nil.
func (s *storage) lookupLocked(id string) *authRequest {
	a := s.requests[id]
	if a == nil || !s.now().Before(a.expires) {
		return nil
	}
	return a
}

// loginPending reports whether id names a live auth request still waiting
// for the user's credentials.
func (s *storage) loginPending(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookupLocked(id)
	return a != nil && !a.done
}

// completeLogin binds the account to the auth request. It refuses a request
// that is already done, so a replayed form cannot swap the user behind a code
// that may already have been issued.
func (s *storage) completeLogin(id string, acc Account) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookupLocked(id)
	if a == nil || a.done {
		return false
	}
	a.done, a.account, a.authTime = true, acc, s.now()
	return true
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookupLocked(id)
	if a == nil {
		return nil, errNotFound
	}
	cp := *a
	return &cp, nil
}

// SaveAuthCode allows one code per auth request: replaying the callback URL
// must not mint a second code for the same login.
func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookupLocked(id)
	if a == nil || !a.done || a.code != "" {
		return errNotFound
	}
	a.code = code
	a.expires = s.now().Add(requestTTL)
	s.codes[code] = id
	return nil
}

// AuthRequestByCode consumes the code: it is forgotten on first use, even if
// the exchange then fails (wrong verifier or secret). That makes "exchanged
// at most once" hold under concurrent requests and stops PKCE guessing.
func (s *storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.codes[code]
	delete(s.codes, code)
	a := s.lookupLocked(id)
	if !ok || a == nil {
		return nil, errNotFound
	}
	cp := *a
	return &cp, nil
}

func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.requests[id]; a != nil {
		delete(s.codes, a.code)
		delete(s.requests, id)
	}
	return nil
}

// purgeLocked drops expired entries at most once per purgeEvery; it is called
// when something new is stored, so memory stays bounded without a goroutine
// that would outlive the handler.
func (s *storage) purgeLocked() {
	now := s.now()
	if now.Sub(s.lastPurge) < purgeEvery {
		return
	}
	s.lastPurge = now
	for id, a := range s.requests {
		if !now.Before(a.expires) {
			delete(s.codes, a.code)
			delete(s.requests, id)
		}
	}
	for id, t := range s.tokens {
		if !now.Before(t.expires) {
			delete(s.tokens, id)
		}
	}
}

// --- tokens ---

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	a, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, fmt.Errorf("demoidp: unsupported token request %T", req)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked()
	id := rand.Text()
	t := &accessToken{clientID: a.clientID, account: a.account, scopes: a.scopes, expires: s.now().Add(tokenTTL)}
	s.tokens[id] = t
	return id, t.expires, nil
}

// CreateAccessAndRefreshTokens is unreachable: the client has no
// refresh_token grant, so the op never asks for one.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("demoidp: refresh tokens are not supported")
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// TerminateSession is a no-op: the provider keeps no SSO session, so there is
// nothing to end; the next login asks for the password anyway.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tokenID, _, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[tokenID]; t != nil {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued for this client")
		}
		delete(s.tokens, tokenID)
	}
	return nil
}

// token returns the live access token with that id and subject.
func (s *storage) token(id, subject string) (*accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[id]
	if t == nil || !s.now().Before(t.expires) || t.account.Subject != subject {
		return nil, errNotFound
	}
	return t, nil
}

// --- claims ---

// setUserinfo is the single place that maps an Account to claims, shared by
// the ID token and the userinfo endpoint so they always agree.
func setUserinfo(info *oidc.UserInfo, acc Account, scopes []string) {
	info.Subject = acc.Subject // always: the op copies Subject into the ID token's sub
	for _, scope := range scopes {
		switch scope {
		case oidc.ScopeOpenID:
			info.AppendClaims(claimFiscalNumber, acc.FiscalNumber)
		case oidc.ScopeProfile:
			info.Name = acc.GivenName + " " + acc.FamilyName
			info.GivenName = acc.GivenName
			info.FamilyName = acc.FamilyName
			info.PreferredUsername = acc.Username
		}
	}
}

// SetUserinfoFromScopes is deprecated in the op and only receives the
// subject; accounts live in the caller's Authenticate, so the work is done in
// SetUserinfoFromRequest, which the op calls right after this.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	a, ok := req.(*authRequest)
	if !ok {
		return fmt.Errorf("demoidp: unsupported ID token request %T", req)
	}
	setUserinfo(info, a.account, scopes)
	return nil
}

func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.token(tokenID, subject)
	if err != nil {
		return err
	}
	setUserinfo(info, t.account, t.scopes)
	return nil
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.token(tokenID, subject)
	if err != nil || t.clientID != clientID {
		return errNotFound
	}
	info := new(oidc.UserInfo)
	setUserinfo(info, t.account, t.scopes)
	resp.SetUserInfo(info)
	resp.Scope = t.scopes
	resp.ClientID = t.clientID
	resp.Expiration = oidc.FromTime(t.expires)
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID and ValidateJWTProfileScopes serve the JWT profile
// grant, which this provider does not offer.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("demoidp: JWT profile is not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("demoidp: JWT profile is not supported")
}

func (s *storage) Health(context.Context) error { return nil }

// --- clients ---

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		// An oidc error (not a plain one) so end_session answers 400, not 500.
		return nil, oidc.ErrInvalidClient().WithDescription("unknown client")
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(s.client.id))
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(s.client.secret))
	if idOK&secretOK != 1 {
		return errors.New("demoidp: wrong client credentials")
	}
	return nil
}

// --- keys ---

// signingKey implements both op.SigningKey (private half) and op.Key (public
// half, for the JWKS).
type signingKey struct {
	id  string
	key any
}

func (k signingKey) ID() string                                  { return k.id }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Algorithm() jose.SignatureAlgorithm          { return jose.RS256 }
func (k signingKey) Use() string                                 { return "sig" }

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{id: s.keyID, key: s.key}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{signingKey{id: s.keyID, key: &s.key.PublicKey}}, nil
}

// client implements op.Client: one confidential web client that may only
// use the authorization code grant.
type client struct {
	id, secret     string
	redirectURIs   []string
	postLogoutURIs []string
	loginURL       string // absolute path, auth request id appended
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return c.postLogoutURIs }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }

// AuthMethod is basic; the op also accepts the secret in the form body
// (client_secret_post) because op.Config.AuthMethodPost is set.
func (c *client) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return c.loginURL + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return tokenTTL }
func (c *client) DevMode() bool                        { return false }
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true } // the app reads the profile from the ID token
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
