// Package config reads Cartella's configuration from the environment
// (contracts.md, "Configuration"). There are no package globals: Load
// returns a value that the composition root passes on.
package config

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Mode is how the binary runs.
type Mode int

const (
	// Serve is production: no demo provider, no demo data.
	Serve Mode = iota
	// Demo starts the private database, the demo OpenID Provider and loads demo data.
	Demo
)

// Config is the whole configuration.
type Config struct {
	Mode        Mode
	DatabaseURL string // empty in demo mode means: start the private cluster
	DataDir     string // demo: where the private cluster keeps its data
	UploadDir   string // where uploaded files wait for their import (a directory of Cartella's own)
	ListenAddr  string
	BaseURL     *url.URL

	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCCFClaim      string

	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	LogLevel        string

	// Outgoing e-mail (internal/posta). SMTPHost empty: in demo mode the
	// local mail sink (/demo/posta), in serve mode messages stay queued.
	SMTPHost     string
	SMTPPort     int
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string

	// The WaaS e-service INPS polls for the SIUSS flows (/waas/v1,
	// internal/prestazioni), each call with a PDND voucher (internal/pdnd):
	// the key set (PDND_JWKS_URL, or PDND_JWKS_FILE), the voucher's issuer,
	// our e-service's audience, INPS's client_id on PDND, and the code in
	// INPS's access system of the ente whose flows it serves. In serve mode
	// the e-service is on only when they are all set; in demo mode they
	// default to the demo PDND server at BASE_URL/demo-pdnd.
	PDNDJWKSURL     string
	PDNDJWKSFile    string
	PDNDIssuer      string
	PDNDAudience    string
	PDNDConsumer    string
	SIUSSCodiceEnte string
	// DatabaseOwnerURL is the owner role's connection string, for the
	// migrations (DATABASE_OWNER_URL); empty: DATABASE_URL is used.
	DatabaseOwnerURL string
	// RegistroChiaveFile holds the key the registro degli accessi is
	// signed with (REGISTRO_CHIAVE_FILE, ADR 0023). In demo mode it
	// defaults to registro.chiave next to DATA_DIR, created at the first
	// start.
	RegistroChiaveFile string
}

// WaaS reports whether the e-service of the SIUSS flows is served.
func (c Config) WaaS() bool { return c.PDNDIssuer != "" }

// DemoPDND reports whether the demo PDND authorization server issues the
// vouchers (demo mode, PDND_ISSUER not set).
func (c Config) DemoPDND() bool {
	return c.Mode == Demo && c.BaseURL != nil && c.PDNDIssuer == c.BaseURL.JoinPath("demo-pdnd").String()
}

// PostaSink reports whether e-mails go to the demo's local mail sink
// instead of an SMTP server.
func (c Config) PostaSink() bool { return c.Mode == Demo && c.SMTPHost == "" }

// Secure reports whether cookies must carry the Secure attribute.
func (c Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// RedirectURL is the OIDC redirect URI registered at the provider.
func (c Config) RedirectURL() string { return c.BaseURL.JoinPath("auth", "callback").String() }

// Load reads the configuration for mode. getenv is os.Getenv in production
// and a map in tests.
func Load(mode Mode, getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Mode:               mode,
		DatabaseURL:        get("DATABASE_URL", ""),
		DataDir:            get("DATA_DIR", "var/pgdata"),
		UploadDir:          get("UPLOAD_DIR", filepath.Join(os.TempDir(), "cartella-upload")),
		ListenAddr:         get("LISTEN_ADDR", "127.0.0.1:8080"),
		OIDCIssuer:         get("OIDC_ISSUER", ""),
		OIDCClientID:       get("OIDC_CLIENT_ID", ""),
		OIDCClientSecret:   get("OIDC_CLIENT_SECRET", ""),
		OIDCCFClaim:        get("OIDC_CF_CLAIM", "fiscal_number"),
		SessionIdle:        30 * time.Minute,
		SessionAbsolute:    8 * time.Hour,
		LogLevel:           get("LOG_LEVEL", "info"),
		SMTPHost:           get("SMTP_HOST", ""),
		SMTPPort:           587,
		SMTPUser:           get("SMTP_USER", ""),
		SMTPPassword:       getenv("SMTP_PASSWORD"),
		SMTPFrom:           get("SMTP_FROM", ""),
		PDNDJWKSURL:        get("PDND_JWKS_URL", ""),
		PDNDJWKSFile:       get("PDND_JWKS_FILE", ""),
		PDNDIssuer:         get("PDND_ISSUER", ""),
		PDNDAudience:       get("PDND_AUDIENCE", ""),
		PDNDConsumer:       get("PDND_CONSUMER_ID", ""),
		SIUSSCodiceEnte:    strings.ToUpper(get("SIUSS_CODICE_ENTE", "")),
		DatabaseOwnerURL:   get("DATABASE_OWNER_URL", ""),
		RegistroChiaveFile: get("REGISTRO_CHIAVE_FILE", ""),
	}
	if mode == Demo && c.RegistroChiaveFile == "" {
		c.RegistroChiaveFile = filepath.Join(filepath.Dir(c.DataDir), "registro.chiave")
	}
	var errs []error
	base, err := url.Parse(get("BASE_URL", "http://127.0.0.1:8080"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		errs = append(errs, fmt.Errorf("BASE_URL must be an absolute http(s) URL, got %q", getenv("BASE_URL")))
	} else {
		base.Path = strings.TrimRight(base.Path, "/")
		c.BaseURL = base
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"SESSION_IDLE_TIMEOUT", &c.SessionIdle}, {"SESSION_MAX_AGE", &c.SessionAbsolute}} {
		if v := getenv(d.name); v != "" {
			dur, err := time.ParseDuration(v)
			if err != nil || dur < time.Minute {
				errs = append(errs, fmt.Errorf("%s must be a duration of at least 1m (e.g. 30m), got %q", d.name, v))
				continue
			}
			*d.dst = dur
		}
	}
	errs = append(errs, c.loadSMTP(getenv)...)
	errs = append(errs, c.loadPDND(mode)...)
	if mode == Serve {
		if c.DatabaseURL == "" {
			errs = append(errs, errors.New("DATABASE_URL is required by `cartella serve`"))
		}
		if c.RegistroChiaveFile == "" {
			errs = append(errs, errors.New("REGISTRO_CHIAVE_FILE is required by `cartella serve`: the key the registro degli accessi is signed with (create one with `cartella audit chiave FILE`; docs/operations.md)"))
		}
		for _, k := range []string{"OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"} {
			if getenv(k) == "" {
				errs = append(errs, fmt.Errorf("%s is required by `cartella serve`", k))
			}
		}
	}
	if mode == Demo && c.OIDCIssuer == "" && c.BaseURL != nil {
		// The built-in demo provider, served by this same process.
		c.OIDCIssuer = c.BaseURL.JoinPath("demo-idp").String()
		c.OIDCClientID = "cartella-demo"
		c.OIDCClientSecret = "cartella-demo-secret"
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// DemoProvider reports whether the built-in demo OpenID Provider serves logins.
func (c Config) DemoProvider() bool {
	return c.Mode == Demo && c.OIDCIssuer == c.BaseURL.JoinPath("demo-idp").String()
}

// loadSMTP checks the SMTP_* variables: a port number, a From address
// whenever a server is set, user and password together.
func (c *Config) loadSMTP(getenv func(string) string) []error {
	var errs []error
	if v := strings.TrimSpace(getenv("SMTP_PORT")); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("SMTP_PORT must be a port number (e.g. 587), got %q", v))
		}
		c.SMTPPort = p
	}
	if c.SMTPHost != "" && strings.ContainsAny(c.SMTPHost, " /:") {
		errs = append(errs, fmt.Errorf("SMTP_HOST must be a host name or address without port (use SMTP_PORT), got %q", c.SMTPHost))
	}
	if c.SMTPHost != "" && c.SMTPFrom == "" {
		errs = append(errs, errors.New("SMTP_FROM is required when SMTP_HOST is set (e.g. \"Cartella <cartella@comune.example>\")"))
	}
	if c.SMTPFrom != "" {
		if _, err := mail.ParseAddress(c.SMTPFrom); err != nil {
			errs = append(errs, fmt.Errorf("SMTP_FROM must be an e-mail address, optionally with a name, got %q", c.SMTPFrom))
		}
	}
	if (c.SMTPUser == "") != (c.SMTPPassword == "") {
		errs = append(errs, errors.New("SMTP_USER and SMTP_PASSWORD must be set together"))
	}
	if c.SMTPFrom == "" {
		c.SMTPFrom = "Cartella <cartella@localhost>" // the sink's, or queued messages' in serve mode
	}
	return errs
}

// loadPDND checks the PDND_* and SIUSS_CODICE_ENTE variables: all or none
// in serve mode; in demo mode what is not set is the demo PDND server's.
func (c *Config) loadPDND(mode Mode) []error {
	if mode == Demo && c.PDNDIssuer == "" && c.BaseURL != nil {
		// The built-in demo PDND authorization server; its key set is read
		// in process (the one /demo-pdnd/.well-known/jwks.json publishes).
		c.PDNDIssuer = c.BaseURL.JoinPath("demo-pdnd").String()
		if c.PDNDAudience == "" {
			c.PDNDAudience = c.BaseURL.JoinPath("waas", "v1").String()
		}
		if c.PDNDConsumer == "" {
			c.PDNDConsumer = "demo-inps"
		}
		return nil
	}
	set := 0
	for _, v := range []string{c.PDNDJWKSURL + c.PDNDJWKSFile, c.PDNDIssuer, c.PDNDAudience, c.PDNDConsumer, c.SIUSSCodiceEnte} {
		if v != "" {
			set++
		}
	}
	if set == 0 {
		return nil
	}
	var errs []error
	if set < 5 {
		errs = append(errs, errors.New("PDND_JWKS_URL (or PDND_JWKS_FILE), PDND_ISSUER, PDND_AUDIENCE, PDND_CONSUMER_ID and SIUSS_CODICE_ENTE must be set together (the WaaS e-service of the SIUSS flows)"))
	}
	if c.PDNDJWKSURL != "" && c.PDNDJWKSFile != "" {
		errs = append(errs, errors.New("set PDND_JWKS_URL or PDND_JWKS_FILE, not both"))
	}
	if c.PDNDJWKSURL != "" {
		u, err := url.Parse(c.PDNDJWKSURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost"))) {
			errs = append(errs, fmt.Errorf("PDND_JWKS_URL must be an https URL, got %q", c.PDNDJWKSURL))
		}
	}
	if c.SIUSSCodiceEnte != "" && strings.ContainsFunc(c.SIUSSCodiceEnte, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) {
		errs = append(errs, fmt.Errorf("SIUSS_CODICE_ENTE must be the ente's code in INPS's access system (letters and digits), got %q", c.SIUSSCodiceEnte))
	}
	return errs
}
