package app

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// runDemo starts `cartella demo` in-process and waits until it is ready.
func runDemo(t *testing.T, dataDir, addr string) (stop func() error, out *syncBuffer) {
	t.Helper()
	env := map[string]string{"DATA_DIR": dataDir, "LISTEN_ADDR": addr, "BASE_URL": "http://" + addr}
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"cartella", "demo"}, func(k string) string { return env[k] }, out, out)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("cartella demo exited: %v\n%s", err, out)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("cartella demo not ready in 60 s:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() error { cancel(); return <-done }, out
}

// postmaster reads the pid and port of the cluster in dataDir.
func postmaster(t *testing.T, dataDir string) (pid, port int) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	pid, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	port, _ = strconv.Atoi(strings.TrimSpace(lines[3]))
	return pid, port
}

// `cartella demo` starts its private cluster, serves, and on stop (SIGINT,
// SIGTERM: the context ends) shuts down and leaves no postgres running; the
// next start finds the data, and the demo data are not loaded twice.
func TestDemoCommandKeepsDataAndLeavesNoPostgres(t *testing.T) {
	t.Parallel()
	base, err := os.MkdirTemp("", "cartella-demo-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(base, 0o755)
	t.Cleanup(func() { os.RemoveAll(base) })
	dataDir := filepath.Join(base, "pgdata")
	addr := freeAddr(t)

	stop, out := runDemo(t, dataDir, addr)
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); !strings.Contains(body, `data-testid="demo-accounts"`) {
		t.Error("the demo landing page does not list the demo accounts")
	}
	pid, port := postmaster(t, dataDir)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/cartella?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE prova_persistenza (v text); INSERT INTO prova_persistenza VALUES ('ciao')`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := stop(); err != nil {
		t.Fatalf("cartella demo stopped with %v", err)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Fatalf("postgres (pid %d) still running after cartella demo stopped", pid)
	}
	if !strings.Contains(out.String(), "PostgreSQL stopped") {
		t.Errorf("no clean stop in the log:\n%s", out)
	}

	stop, _ = runDemo(t, dataDir, addr)
	defer stop()
	_, port = postmaster(t, dataDir)
	conn, err = pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/cartella?sslmode=disable", port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	var ops int
	if err := conn.QueryRow(ctx, `SELECT v FROM prova_persistenza`).Scan(&v); err != nil || v != "ciao" {
		t.Errorf("data lost across restart: %q %v", v, err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM operatore`).Scan(&ops); err != nil || ops != len(demo.Accounts) {
		t.Errorf("%d operators after a restart, want the %d demo accounts once (%v)", ops, len(demo.Accounts), err)
	}
}

func TestServeRequiresConfiguration(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := Run(context.Background(), []string{"cartella", "serve"}, func(string) string { return "" }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "OIDC_ISSUER") {
		t.Fatalf("serve without configuration: %v", err)
	}
}

// serve refuses a database whose schema is not the binary's, and never
// loads demo data.
func TestServeRefusesUnmigratedDatabase(t *testing.T) {
	t.Parallel()
	dsn := dbtest.EmptyURL(t)
	env := map[string]string{"DATABASE_URL": dsn, "OIDC_ISSUER": "http://127.0.0.1:1/x", "OIDC_CLIENT_ID": "c",
		"OIDC_CLIENT_SECRET": "s", "LISTEN_ADDR": freeAddr(t), "REGISTRO_CHIAVE_FILE": chiaveTest}
	var out bytes.Buffer
	err := Run(context.Background(), []string{"cartella", "serve"}, func(k string) string { return env[k] }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "cartella migrate up") {
		t.Fatalf("serve on an empty database: %v", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	dsn := dbtest.EmptyURL(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	run := func(args ...string) string {
		var out bytes.Buffer
		if err := Run(context.Background(), append([]string{"cartella", "migrate"}, args...), env, &out, &out); err != nil {
			t.Fatalf("migrate %v: %v", args, err)
		}
		return out.String()
	}
	top := latestMigration()
	if got := run("version"); got != fmt.Sprintf("schema version 0 of %d\n", top) {
		t.Errorf("version on empty: %q", got)
	}
	if got := run("up"); got != fmt.Sprintf("schema version %d of %d\n", top, top) {
		t.Errorf("up: %q", got)
	}
	if got := run("down"); got != fmt.Sprintf("schema version %d of %d\n", top-1, top) {
		t.Errorf("down: %q", got)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"cartella", "migrate", "sideways"}, env, &out, &out); err == nil {
		t.Error("an unknown migrate command must fail")
	}
}
