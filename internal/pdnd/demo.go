package pdnd

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// The demo PDND authorization server (demo mode only, mounted at
// BASE_URL/demo-pdnd): it issues vouchers for our e-service to the demo
// INPS client, as PDND does (POST /token, grant_type=client_credentials
// with a client assertion signed by the client's key,
// client_assertion_type urn:ietf:params:oauth:client-assertion-type:jwt-bearer),
// or, demo only so that curl can try it, with client_id=demo-inps and
// client_secret=demo; and it publishes its key set at
// /.well-known/jwks.json. Its keys are made at the first use and live as
// long as the process.

// The demo INPS client.
const (
	DemoClientID     = "demo-inps"
	DemoClientSecret = "demo"
	DemoPurposeID    = "demo-finalita-siuss"
	// DemoTTL is how long a demo voucher lasts.
	DemoTTL = 10 * time.Minute
	// AssertionType is the client_assertion_type PDND requires.
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Demo is the demo authorization server.
type Demo struct {
	issuer   string // BASE_URL/demo-pdnd
	audience string // the e-service's
	now      func() time.Time

	once    sync.Once
	err     error
	firma   *rsa.PrivateKey // the server's: vouchers
	cliente *rsa.PrivateKey // the demo INPS client's: client assertions
	kid     string
	kidCli  string
}

// NewDemo returns the demo server at issuer, issuing vouchers for audience.
func NewDemo(issuer, audience string) *Demo {
	return &Demo{issuer: issuer, audience: audience, now: time.Now}
}

func (d *Demo) chiavi() error {
	d.once.Do(func() {
		if d.firma, d.err = rsa.GenerateKey(rand.Reader, 2048); d.err != nil {
			return
		}
		if d.cliente, d.err = rsa.GenerateKey(rand.Reader, 2048); d.err != nil {
			return
		}
		d.kid, d.kidCli = "demo-pdnd-"+casuale(6), "demo-inps-"+casuale(6)
	})
	return d.err
}

func casuale(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Issuer is the iss of the demo's vouchers.
func (d *Demo) Issuer() string { return d.issuer }

// TokenURL is the token endpoint, the aud of a client assertion.
func (d *Demo) TokenURL() string { return d.issuer + "/token" }

// KeySet is the demo server's public key set, the one its jwks.json
// publishes: the verifier's in demo mode.
func (d *Demo) KeySet(context.Context, bool) (jose.JSONWebKeySet, error) {
	if err := d.chiavi(); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &d.firma.PublicKey, KeyID: d.kid, Algorithm: string(jose.RS256), Use: "sig"}}}, nil
}

// Firma signs claims as the demo server, with its kid: the vouchers of
// /token, and the tests' vouchers that must be refused (expired, another
// audience, another consumer).
func (d *Demo) Firma(claims ...any) (string, error) {
	if err := d.chiavi(); err != nil {
		return "", err
	}
	return firma(d.firma, d.kid, "at+jwt", claims...)
}

// FirmaCliente signs claims as the demo INPS client (its client
// assertion), with the client's kid.
func (d *Demo) FirmaCliente(claims ...any) (string, error) {
	if err := d.chiavi(); err != nil {
		return "", err
	}
	return firma(d.cliente, d.kidCli, "JWT", claims...)
}

// Asserzione is a client assertion of the demo INPS client, valid for two
// minutes, as the client builds it for /token.
func (d *Demo) Asserzione() (string, error) {
	now := d.now()
	return d.FirmaCliente(jwt.Claims{Issuer: DemoClientID, Subject: DemoClientID, Audience: jwt.Audience{d.TokenURL()},
		ID: casuale(16), IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute))},
		map[string]any{"purposeId": DemoPurposeID})
}

func firma(k *rsa.PrivateKey, kid, typ string, claims ...any) (string, error) {
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ)).WithHeader(jose.HeaderKey("kid"), kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, opts)
	if err != nil {
		return "", err
	}
	b := jwt.Signed(s)
	for _, c := range claims {
		b = b.Claims(c)
	}
	return b.Serialize()
}

// Voucher issues a voucher to the demo INPS client.
func (d *Demo) Voucher() (string, error) {
	now := d.now()
	return d.Firma(jwt.Claims{Issuer: d.issuer, Subject: DemoClientID, Audience: jwt.Audience{d.audience}, ID: casuale(16),
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(DemoTTL))},
		claimsPDND{ClientID: DemoClientID, PurposeID: DemoPurposeID})
}

// JWKS is GET /demo-pdnd/.well-known/jwks.json: the demo server's public
// key set.
func (d *Demo) JWKS(w http.ResponseWriter, r *http.Request) {
	ks, err := d.KeySet(r.Context(), false)
	if err != nil {
		http.Error(w, "key set not available", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_ = json.NewEncoder(w).Encode(ks)
}

// Token is POST /demo-pdnd/token: RFC 6749's client credentials grant,
// the client authenticated by its assertion (RFC 7523) or, demo only, by
// its secret.
func (d *Demo) Token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		erroreOAuth(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		erroreOAuth(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	switch {
	case f.Get("client_assertion") != "":
		if f.Get("client_assertion_type") != AssertionType || !d.asserzioneValida(f.Get("client_assertion"), f.Get("client_id")) {
			erroreOAuth(w, http.StatusUnauthorized, "invalid_client")
			return
		}
	case f.Get("client_secret") != "":
		if f.Get("client_id") != DemoClientID || f.Get("client_secret") != DemoClientSecret {
			erroreOAuth(w, http.StatusUnauthorized, "invalid_client")
			return
		}
	default:
		erroreOAuth(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	tok, err := d.Voucher()
	if err != nil {
		erroreOAuth(w, http.StatusInternalServerError, "server_error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(DemoTTL.Seconds())})
}

// asserzioneValida checks a client assertion as PDND does: RS256 by the
// client's key, iss and sub the client, aud the token endpoint, exp and
// iat present and current.
func (d *Demo) asserzioneValida(a, clientID string) bool {
	if err := d.chiavi(); err != nil {
		return false
	}
	tok, err := jwt.ParseSigned(a, algoritmi())
	if err != nil || len(tok.Headers) != 1 || tok.Headers[0].KeyID != d.kidCli {
		return false
	}
	var c jwt.Claims
	if err := tok.Claims(&d.cliente.PublicKey, &c); err != nil || c.Expiry == nil || c.IssuedAt == nil {
		return false
	}
	if clientID != "" && clientID != DemoClientID {
		return false
	}
	return c.ValidateWithLeeway(jwt.Expected{Issuer: DemoClientID, Subject: DemoClientID,
		AnyAudience: jwt.Audience{d.TokenURL(), d.issuer}, Time: d.now()}, Leeway) == nil
}

func erroreOAuth(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}
