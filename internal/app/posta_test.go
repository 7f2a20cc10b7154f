package app

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/config"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/posta"
)

// The mail sink and its pages exist only in demo mode without an SMTP
// server: `serve` never mounts /demo/posta, and with SMTP_HOST the demo
// sends for real.
func TestPostaDemoSoloInDemo(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	for _, tc := range []struct {
		name  string
		mode  config.Mode
		env   map[string]string
		sink  bool
		smtp  bool
		nulla bool
	}{
		{"demo", config.Demo, nil, true, false, false},
		{"demo con SMTP", config.Demo, map[string]string{"SMTP_HOST": "smtp.example", "SMTP_FROM": "c@comune.example"}, false, true, false},
		{"serve", config.Serve, map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/c", "OIDC_ISSUER": "http://127.0.0.1:1/idp",
			"OIDC_CLIENT_ID": "c", "OIDC_CLIENT_SECRET": "s"}, false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load(tc.mode, func(k string) string {
				if k == "REGISTRO_CHIAVE_FILE" {
					return chiaveTest
				}
				return tc.env[k]
			})
			if err != nil {
				t.Fatal(err)
			}
			d, err := build(context.Background(), cfg, pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			mounted := false
			for _, rt := range walk(t, routes(d)) {
				mounted = mounted || strings.Contains(rt, "/demo/posta")
			}
			s := mittente(cfg)
			_, isSMTP := s.(posta.SMTP)
			if mounted != tc.sink || d.posta.Sink() != tc.sink || isSMTP != tc.smtp || (s == nil) != tc.nulla {
				t.Errorf("mounted %v, sink %v, smtp %v, sender %T", mounted, d.posta.Sink(), isSMTP, s)
			}
		})
	}
}
