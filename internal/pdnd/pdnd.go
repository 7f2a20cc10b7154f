// Package pdnd checks the vouchers of PDND (the Piattaforma Digitale
// Nazionale Dati) that every call to an e-service Cartella provides must
// carry (pattern AUTH_REST_01 of the ModI guidelines; issue 18: INPS calls
// the WaaS e-service of the SIUSS flows with one), and, in demo mode only,
// plays PDND's authorization server for the demo INPS client (demo.go).
//
// A voucher is a JWT (RFC 9068, checked as RFC 8725 asks): signed RS256
// only (no "none", no HMAC, no other algorithm), by a key of the configured
// key set named by its kid; issued by the configured issuer, for our
// e-service's audience, within its exp/nbf/iat (with a small leeway), to the
// configured consumer (the client_id claim, PDND's consumerId when absent).
// Anything else is refused without saying why: 401 for no or an invalid
// voucher, 403 for a valid one of another consumer.
package pdnd

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Errors of Verify.
var (
	// ErrVoucher: no voucher, or one that is not valid (signature, issuer,
	// audience, times): 401.
	ErrVoucher = errors.New("pdnd: voucher non valido")
	// ErrFruitore: a valid voucher of a consumer other than the configured
	// one: 403.
	ErrFruitore = errors.New("pdnd: fruitore non autorizzato")
)

// Leeway is the clock skew tolerated on exp, nbf and iat.
const Leeway = 30 * time.Second

// algoritmi are the signature algorithms accepted: RS256, as PDND signs
// (a function, so that no caller can widen the list).
func algoritmi() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{jose.RS256} }

// KeySet returns the key set vouchers are checked against; refresh asks
// for a fresh copy (a kid it does not know).
type KeySet func(ctx context.Context, refresh bool) (jose.JSONWebKeySet, error)

// Config is what a voucher must match.
type Config struct {
	Issuer   string // iss
	Audience string // aud: our e-service
	Consumer string // client_id (or consumerId) of the only consumer allowed
	Keys     KeySet
}

// Voucher is what a valid voucher says.
type Voucher struct {
	Consumer string // client_id
	Purpose  string // purposeId
	ID       string // jti
	Scade    time.Time
}

// Verifier checks vouchers.
type Verifier struct {
	cfg Config
	now func() time.Time
}

// NewVerifier returns the verifier of cfg.
func NewVerifier(cfg Config) *Verifier { return &Verifier{cfg: cfg, now: time.Now} }

// SetClock replaces the clock (tests).
func (v *Verifier) SetClock(now func() time.Time) { v.now = now }

type claimsPDND struct {
	ClientID   string `json:"client_id"`
	ConsumerID string `json:"consumerId"`
	PurposeID  string `json:"purposeId"`
}

// Verify checks the voucher token: ErrVoucher or ErrFruitore when it is
// refused.
func (v *Verifier) Verify(ctx context.Context, token string) (Voucher, error) {
	tok, err := jwt.ParseSigned(token, algoritmi())
	if err != nil || len(tok.Headers) != 1 || tok.Headers[0].KeyID == "" {
		return Voucher{}, ErrVoucher
	}
	h := tok.Headers[0]
	if h.Algorithm != string(jose.RS256) {
		return Voucher{}, ErrVoucher
	}
	key, err := v.chiave(ctx, h.KeyID)
	if err != nil {
		return Voucher{}, err
	}
	var (
		std jwt.Claims
		ext claimsPDND
	)
	if err := tok.Claims(key, &std, &ext); err != nil {
		return Voucher{}, ErrVoucher
	}
	if std.Expiry == nil || std.IssuedAt == nil || v.cfg.Issuer == "" || v.cfg.Audience == "" {
		return Voucher{}, ErrVoucher
	}
	if err := std.ValidateWithLeeway(jwt.Expected{Issuer: v.cfg.Issuer, AnyAudience: jwt.Audience{v.cfg.Audience}, Time: v.now()}, Leeway); err != nil {
		return Voucher{}, ErrVoucher
	}
	consumer := ext.ClientID
	if consumer == "" {
		consumer = ext.ConsumerID
	}
	if consumer == "" || consumer != v.cfg.Consumer {
		return Voucher{Consumer: consumer}, ErrFruitore
	}
	return Voucher{Consumer: consumer, Purpose: ext.PurposeID, ID: std.ID, Scade: std.Expiry.Time()}, nil
}

// chiave is the RSA public key kid of the key set, asking for a fresh set
// once when kid is unknown.
func (v *Verifier) chiave(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	for _, refresh := range []bool{false, true} {
		ks, err := v.cfg.Keys(ctx, refresh)
		if err != nil {
			return nil, fmt.Errorf("pdnd: key set: %w", err)
		}
		for _, k := range ks.Key(kid) {
			pk, ok := k.Key.(*rsa.PublicKey)
			if !ok || (k.Algorithm != "" && k.Algorithm != string(jose.RS256)) || (k.Use != "" && k.Use != "sig") || pk.N.BitLen() < 2048 {
				continue
			}
			return pk, nil
		}
	}
	return nil, ErrVoucher
}

// Bearer is the token of an "Authorization: Bearer …" header, "" when
// there is none.
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(h[7:])
}

// KeySetFile reads the key set from a file (PDND_JWKS_FILE), again on
// every refresh.
func KeySetFile(path string) KeySet {
	var (
		mu sync.Mutex
		ks *jose.JSONWebKeySet
	)
	return func(_ context.Context, refresh bool) (jose.JSONWebKeySet, error) {
		mu.Lock()
		defer mu.Unlock()
		if ks != nil && !refresh {
			return *ks, nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return jose.JSONWebKeySet{}, err
		}
		var x jose.JSONWebKeySet
		if err := json.Unmarshal(b, &x); err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("%s: %w", path, err)
		}
		ks = &x
		return x, nil
	}
}

// KeySetURL fetches the key set from url (PDND_JWKS_URL, PDND's
// /.well-known/jwks.json), kept for an hour; a refresh (an unknown kid)
// fetches it again at most once a minute.
func KeySetURL(url string, client *http.Client) KeySet {
	var (
		mu      sync.Mutex
		ks      *jose.JSONWebKeySet
		preso   time.Time
		tentato time.Time
	)
	return func(ctx context.Context, refresh bool) (jose.JSONWebKeySet, error) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		fresco := ks != nil && now.Sub(preso) < time.Hour
		if fresco && (!refresh || now.Sub(tentato) < time.Minute) {
			return *ks, nil
		}
		tentato = now
		x, err := scarica(ctx, url, client)
		if err != nil {
			if ks != nil {
				return *ks, nil // the last one known, until PDND answers again
			}
			return jose.JSONWebKeySet{}, err
		}
		ks, preso = &x, now
		return x, nil
	}
}

func scarica(ctx context.Context, url string, client *http.Client) (jose.JSONWebKeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return jose.JSONWebKeySet{}, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var x jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&x); err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("GET %s: %w", url, err)
	}
	return x, nil
}
