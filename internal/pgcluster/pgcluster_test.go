package pgcluster_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/pgcluster"
)

func tempBase(t *testing.T) string {
	t.Helper()
	base, err := os.MkdirTemp("", "cartella-pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(base, 0o755)
	t.Cleanup(func() { os.RemoveAll(base) })
	return base
}

// Data written before a clean stop is there after the next start, as
// `make run` promises across restarts.
func TestDataSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(tempBase(t), "data")
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	exec1(t, c.URL("postgres"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('ciao')")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	c2, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Stop()
	conn, err := pgx.Connect(ctx, c2.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "ciao" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}

func exec1(t *testing.T, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}

// A Cartella process killed with SIGKILL (no chance to clean up) must not
// leave its postgres running, and the next start must find the data.
func TestKilledParentLeavesNoPostgres(t *testing.T) {
	if os.Getenv("PGCLUSTER_CHILD") != "" {
		c, err := pgcluster.Start(context.Background(), pgcluster.Options{DataDir: os.Getenv("PGCLUSTER_CHILD")})
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(1)
		}
		exec1(t, c.URL("postgres"), "CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES ('x')")
		fmt.Printf("READY %d\n", c.Port())
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := filepath.Join(tempBase(t), "data")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledParentLeavesNoPostgres$", "-test.v")
	cmd.Env = append(os.Environ(), "PGCLUSTER_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	var got strings.Builder
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(got.String(), "READY") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("child did not start the cluster: %s", got.String())
		}
		n, err := out.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("child: %v: %s", err, got.String())
		}
	}
	pid := postmasterPID(t, dir)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	for i := 0; ; i++ {
		if err := syscall.Kill(pid, 0); err != nil {
			break // gone
		}
		if i > 200 {
			t.Fatalf("postgres (pid %d) still running 10 s after its parent was killed", pid)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c, err := pgcluster.Start(context.Background(), pgcluster.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("restart after kill: %v", err)
	}
	defer c.Stop()
	conn, err := pgx.Connect(context.Background(), c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM kept").Scan(&n); err != nil || n != 1 {
		t.Fatalf("data after kill and restart: %d rows, %v", n, err)
	}
}

func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
