package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServeRequiresDatabaseAndOIDC(t *testing.T) {
	_, err := config.Load(config.Serve, env(nil))
	if err == nil {
		t.Fatal("serve with no configuration must fail")
	}
	for _, k := range []string{"DATABASE_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "REGISTRO_CHIAVE_FILE"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s: %v", k, err)
		}
	}
}

func TestDemoDefaults(t *testing.T) {
	c, err := config.Load(config.Demo, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.RegistroChiaveFile != "var/registro.chiave" {
		t.Errorf("the demo's registro key: %q, want next to DATA_DIR", c.RegistroChiaveFile)
	}
	if c.ListenAddr != "127.0.0.1:8080" || c.BaseURL.String() != "http://127.0.0.1:8080" {
		t.Errorf("defaults: %s %s", c.ListenAddr, c.BaseURL)
	}
	if c.OIDCIssuer != "http://127.0.0.1:8080/demo-idp" || !c.DemoProvider() {
		t.Errorf("demo issuer: %s", c.OIDCIssuer)
	}
	if c.RedirectURL() != "http://127.0.0.1:8080/auth/callback" {
		t.Errorf("redirect: %s", c.RedirectURL())
	}
	if c.OIDCCFClaim != "fiscal_number" || c.Secure() {
		t.Errorf("claim %q secure %v", c.OIDCCFClaim, c.Secure())
	}
	if c.SessionIdle != 30*time.Minute || c.SessionAbsolute != 8*time.Hour {
		t.Errorf("session timeouts %v %v", c.SessionIdle, c.SessionAbsolute)
	}
}

func TestServeHTTPS(t *testing.T) {
	c, err := config.Load(config.Serve, env(map[string]string{
		"DATABASE_URL": "postgres://x@db/c", "OIDC_ISSUER": "https://idp.example/realms/ats", "REGISTRO_CHIAVE_FILE": "/etc/cartella/registro.chiave",
		"OIDC_CLIENT_ID": "cartella", "OIDC_CLIENT_SECRET": "s", "BASE_URL": "https://cartella.ats.example/",
		"OIDC_CF_CLAIM": "fiscalNumber",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Secure() || c.RedirectURL() != "https://cartella.ats.example/auth/callback" || c.DemoProvider() {
		t.Errorf("secure %v redirect %s demo %v", c.Secure(), c.RedirectURL(), c.DemoProvider())
	}
	if c.OIDCCFClaim != "fiscalNumber" {
		t.Errorf("claim %s", c.OIDCCFClaim)
	}
}

func TestBadValues(t *testing.T) {
	_, err := config.Load(config.Demo, env(map[string]string{"BASE_URL": "ftp://x", "SESSION_IDLE_TIMEOUT": "5s"}))
	if err == nil || !strings.Contains(err.Error(), "BASE_URL") || !strings.Contains(err.Error(), "SESSION_IDLE_TIMEOUT") {
		t.Fatalf("want errors naming BASE_URL and SESSION_IDLE_TIMEOUT, got %v", err)
	}
}

func TestSMTP(t *testing.T) {
	c, err := config.Load(config.Demo, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.PostaSink() || c.SMTPPort != 587 || c.SMTPFrom == "" {
		t.Errorf("demo without SMTP: sink %v port %d from %q", c.PostaSink(), c.SMTPPort, c.SMTPFrom)
	}
	c, err = config.Load(config.Demo, env(map[string]string{"SMTP_HOST": "smtp.comune.example", "SMTP_PORT": "465",
		"SMTP_USER": "cartella", "SMTP_PASSWORD": "s", "SMTP_FROM": "Cartella <cartella@comune.example>"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.PostaSink() || c.SMTPHost != "smtp.comune.example" || c.SMTPPort != 465 || c.SMTPUser != "cartella" || c.SMTPPassword != "s" {
		t.Errorf("SMTP config: %+v", c)
	}
	serve := map[string]string{"DATABASE_URL": "postgres://x@db/c", "OIDC_ISSUER": "https://idp.example", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s", "REGISTRO_CHIAVE_FILE": "k"}
	c, err = config.Load(config.Serve, env(serve))
	if err != nil || c.PostaSink() || c.SMTPHost != "" {
		t.Errorf("serve without SMTP: %v sink %v", err, c.PostaSink())
	}
	_, err = config.Load(config.Demo, env(map[string]string{"SMTP_HOST": "smtp.example", "SMTP_PORT": "porta", "SMTP_USER": "u"}))
	for _, k := range []string{"SMTP_PORT", "SMTP_FROM", "SMTP_USER and SMTP_PASSWORD"} {
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s: %v", k, err)
		}
	}
	_, err = config.Load(config.Demo, env(map[string]string{"SMTP_HOST": "smtp.example:25", "SMTP_FROM": "non un indirizzo"}))
	if err == nil || !strings.Contains(err.Error(), "SMTP_HOST") || !strings.Contains(err.Error(), "SMTP_FROM must be") {
		t.Errorf("bad host and from: %v", err)
	}
}

// The WaaS e-service's PDND settings: the demo server's in demo mode; in
// serve mode all five or none, the key set's URL https.
func TestPDND(t *testing.T) {
	c, err := config.Load(config.Demo, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.WaaS() || !c.DemoPDND() || c.PDNDIssuer != "http://127.0.0.1:8080/demo-pdnd" || c.PDNDAudience != "http://127.0.0.1:8080/waas/v1" || c.PDNDConsumer != "demo-inps" {
		t.Errorf("demo PDND: %+v", c)
	}
	base := map[string]string{"DATABASE_URL": "postgres://x/y", "OIDC_ISSUER": "https://op", "OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s", "REGISTRO_CHIAVE_FILE": "k"}
	c, err = config.Load(config.Serve, env(base))
	if err != nil || c.WaaS() || c.DemoPDND() {
		t.Fatalf("serve without PDND: %v %v", err, c.WaaS())
	}
	pdnd := map[string]string{"PDND_JWKS_URL": "https://auth.interop.example/.well-known/jwks.json", "PDND_ISSUER": "interop.example",
		"PDND_AUDIENCE": "https://comune.example/waas/v1", "PDND_CONSUMER_ID": "inps-client", "SIUSS_CODICE_ENTE": "b880"}
	all := map[string]string{}
	for k, v := range base {
		all[k] = v
	}
	for k, v := range pdnd {
		all[k] = v
	}
	c, err = config.Load(config.Serve, env(all))
	if err != nil || !c.WaaS() || c.DemoPDND() || c.SIUSSCodiceEnte != "B880" {
		t.Fatalf("serve with PDND: %v %+v", err, c)
	}
	for k := range pdnd {
		m := map[string]string{}
		for kk, v := range all {
			if kk != k {
				m[kk] = v
			}
		}
		if _, err := config.Load(config.Serve, env(m)); err == nil {
			t.Errorf("serve without %s: no error", k)
		}
	}
	for k, v := range map[string]string{"PDND_JWKS_URL": "http://pdnd.example/jwks.json", "SIUSS_CODICE_ENTE": "B 880", "PDND_JWKS_FILE": "/etc/jwks.json"} {
		m := map[string]string{}
		for kk, vv := range all {
			m[kk] = vv
		}
		m[k] = v
		if _, err := config.Load(config.Serve, env(m)); err == nil {
			t.Errorf("serve with %s=%s: no error", k, v)
		}
	}
}
