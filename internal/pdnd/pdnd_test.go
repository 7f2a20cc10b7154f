package pdnd_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/cartella/cartella/internal/pdnd"
)

func chiave(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func firma(t *testing.T, k *rsa.PrivateKey, kid string, claims ...any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k}, (&jose.SignerOptions{}).WithType("at+jwt").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	b := jwt.Signed(s)
	for _, c := range claims {
		b = b.Claims(c)
	}
	tok, err := b.Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func voucher(t *testing.T, k *rsa.PrivateKey, kid string, now time.Time) string {
	return firma(t, k, kid, jwt.Claims{Issuer: "https://pdnd.example", Audience: jwt.Audience{"https://comune.example/waas/v1"},
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute)), ID: "j"},
		map[string]any{"client_id": "inps", "purposeId": "p"})
}

// The key set from a file: the key named by kid, RSA of at least 2048 bits
// for RS256 signatures; a kid it does not know, a key for another use or
// algorithm, or a short key refuse the voucher; a kid added to the file is
// found on the refresh.
func TestKeySetFile(t *testing.T) {
	now := time.Now()
	k, corta, altra := chiave(t, 2048), chiave(t, 1024), chiave(t, 2048)
	path := filepath.Join(t.TempDir(), "jwks.json")
	scrivi := func(keys ...jose.JSONWebKey) {
		b, _ := json.Marshal(jose.JSONWebKeySet{Keys: keys})
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	scrivi(jose.JSONWebKey{Key: &k.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"},
		jose.JSONWebKey{Key: &corta.PublicKey, KeyID: "corta", Algorithm: "RS256", Use: "sig"},
		jose.JSONWebKey{Key: &altra.PublicKey, KeyID: "enc", Algorithm: "RSA-OAEP", Use: "enc"})
	v := pdnd.NewVerifier(pdnd.Config{Issuer: "https://pdnd.example", Audience: "https://comune.example/waas/v1", Consumer: "inps",
		Keys: pdnd.KeySetFile(path)})
	ctx := context.Background()
	vc, err := v.Verify(ctx, voucher(t, k, "k1", now))
	if err != nil || vc.Consumer != "inps" || vc.Purpose != "p" {
		t.Fatalf("a good voucher: %+v %v", vc, err)
	}
	for name, tok := range map[string]string{
		"unknown kid": voucher(t, k, "k9", now), "short key": voucher(t, corta, "corta", now), "encryption key": voucher(t, altra, "enc", now),
		"no kid": voucher(t, k, "", now),
	} {
		if _, err := v.Verify(ctx, tok); !errors.Is(err, pdnd.ErrVoucher) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// PDND rotates its keys: the new kid is read from the file again.
	scrivi(jose.JSONWebKey{Key: &k.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}, jose.JSONWebKey{Key: &altra.PublicKey, KeyID: "k2", Use: "sig"})
	if _, err := v.Verify(ctx, voucher(t, altra, "k2", now)); err != nil {
		t.Errorf("a rotated key: %v", err)
	}
}

// consumerId is the consumer when client_id is absent; exp and iat are
// required; the leeway is 30 seconds.
func TestVerifyClaims(t *testing.T) {
	k := chiave(t, 2048)
	ks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "k", Use: "sig"}}}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	v := pdnd.NewVerifier(pdnd.Config{Issuer: "iss", Audience: "aud", Consumer: "inps",
		Keys: func(context.Context, bool) (jose.JSONWebKeySet, error) { return ks, nil }})
	v.SetClock(func() time.Time { return now })
	std := func(iat, exp time.Duration) jwt.Claims {
		return jwt.Claims{Issuer: "iss", Audience: jwt.Audience{"altro", "aud"}, IssuedAt: jwt.NewNumericDate(now.Add(iat)), Expiry: jwt.NewNumericDate(now.Add(exp))}
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		tok  string
		err  error
	}{
		{"consumerId", firma(t, k, "k", std(0, time.Minute), map[string]any{"consumerId": "inps"}), nil},
		{"expired within the leeway", firma(t, k, "k", std(-time.Hour, -20*time.Second), map[string]any{"client_id": "inps"}), nil},
		{"expired beyond the leeway", firma(t, k, "k", std(-time.Hour, -40*time.Second), map[string]any{"client_id": "inps"}), pdnd.ErrVoucher},
		{"issued just ahead", firma(t, k, "k", std(20*time.Second, time.Minute), map[string]any{"client_id": "inps"}), nil},
		{"issued in the future", firma(t, k, "k", std(2*time.Minute, 3*time.Minute), map[string]any{"client_id": "inps"}), pdnd.ErrVoucher},
		{"no iat", firma(t, k, "k", jwt.Claims{Issuer: "iss", Audience: jwt.Audience{"aud"}, Expiry: jwt.NewNumericDate(now.Add(time.Minute))}, map[string]any{"client_id": "inps"}), pdnd.ErrVoucher},
		{"another consumer", firma(t, k, "k", std(0, time.Minute), map[string]any{"client_id": "altro", "consumerId": "inps"}), pdnd.ErrFruitore},
	} {
		if _, err := v.Verify(ctx, tc.tok); !errors.Is(err, tc.err) && !(tc.err == nil && err == nil) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
}

// The key set from a URL: fetched once, kept; an unknown kid fetches it
// again, but at most once a minute (not within the minute here); while the
// URL fails the last set is used.
func TestKeySetURL(t *testing.T) {
	k := chiave(t, 2048)
	var (
		n    atomic.Int32
		down atomic.Bool
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n.Add(1)
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "k", Use: "sig"}}})
	}))
	defer srv.Close()
	v := pdnd.NewVerifier(pdnd.Config{Issuer: "https://pdnd.example", Audience: "https://comune.example/waas/v1", Consumer: "inps",
		Keys: pdnd.KeySetURL(srv.URL, srv.Client())})
	ctx := context.Background()
	now := time.Now()
	for range 3 {
		if _, err := v.Verify(ctx, voucher(t, k, "k", now)); err != nil {
			t.Fatal(err)
		}
	}
	if n.Load() != 1 {
		t.Errorf("fetched %d times, want once", n.Load())
	}
	for range 3 {
		if _, err := v.Verify(ctx, voucher(t, k, "nuovo", now)); !errors.Is(err, pdnd.ErrVoucher) {
			t.Errorf("unknown kid: %v", err)
		}
	}
	if n.Load() != 1 {
		t.Errorf("fetched %d times after unknown kids within the minute, want once", n.Load())
	}
	down.Store(true)
	if _, err := v.Verify(ctx, voucher(t, k, "k", now)); err != nil {
		t.Errorf("with the URL down, the last set: %v", err)
	}
}

// The demo server: a voucher for a client assertion of the demo INPS
// client, or its demo secret; nothing for anything else.
func TestDemo(t *testing.T) {
	d := pdnd.NewDemo("http://127.0.0.1:1/demo-pdnd", "http://127.0.0.1:1/waas/v1")
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", d.Token)
	mux.HandleFunc("GET /.well-known/jwks.json", d.JWKS)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	ass, err := d.Asserzione()
	if err != nil {
		t.Fatal(err)
	}
	altro := pdnd.NewDemo("http://127.0.0.1:1/demo-pdnd", "x")
	assAltra, _ := altro.Asserzione()
	v := pdnd.NewVerifier(pdnd.Config{Issuer: d.Issuer(), Audience: "http://127.0.0.1:1/waas/v1", Consumer: pdnd.DemoClientID, Keys: d.KeySet})
	for _, tc := range []struct {
		form url.Values
		ok   bool
	}{
		{url.Values{"grant_type": {"client_credentials"}, "client_assertion": {ass}, "client_assertion_type": {pdnd.AssertionType}}, true},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-inps"}, "client_secret": {"demo"}}, true},
		{url.Values{"grant_type": {"client_credentials"}, "client_assertion": {assAltra}, "client_assertion_type": {pdnd.AssertionType}}, false},
		{url.Values{"grant_type": {"client_credentials"}, "client_assertion": {ass}, "client_assertion_type": {"altro"}}, false},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"altro"}, "client_assertion": {ass}, "client_assertion_type": {pdnd.AssertionType}}, false},
		{url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-inps"}}, false},
	} {
		resp, err := http.PostForm(srv.URL+"/token", tc.form)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		tok, _ := out["access_token"].(string)
		if tc.ok != (resp.StatusCode == http.StatusOK && tok != "") {
			t.Errorf("%v: %d %v", tc.form, resp.StatusCode, out)
			continue
		}
		if tc.ok {
			if out["token_type"] != "Bearer" || out["expires_in"] != float64(600) || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("token answer: %v", out)
			}
			if _, err := v.Verify(context.Background(), tok); err != nil {
				t.Errorf("the demo voucher does not verify: %v", err)
			}
		}
	}
	resp, err := http.Get(srv.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var ks jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&ks); err != nil || len(ks.Keys) != 1 || !ks.Keys[0].IsPublic() || !strings.HasPrefix(ks.Keys[0].KeyID, "demo-pdnd-") {
		t.Errorf("jwks: %v %+v", err, ks)
	}
	resp.Body.Close()
}
