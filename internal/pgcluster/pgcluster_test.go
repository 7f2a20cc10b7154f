package pgcluster_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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

// readPID is the pid in dir's postmaster.pid, 0 when there is none.
func readPID(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	first, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(first))
	return pid
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

// startOwner runs this test binary as a separate process that starts the
// cluster in dir (the part of TestKilledParentLeavesNoPostgres under
// PGCLUSTER_CHILD) and returns once the cluster answers.
func startOwner(t *testing.T, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledParentLeavesNoPostgres$", "-test.v")
	cmd.Env = append(os.Environ(), "PGCLUSTER_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	buf := make([]byte, 4096)
	var got strings.Builder
	for !strings.Contains(got.String(), "READY") {
		n, err := out.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("owner process: %v: %s", err, got.String())
		}
	}
	return cmd
}

// pgCtl runs the installation's pg_ctl on dir, as the postgres user when we
// are root (pg_ctl refuses root), like an administrator would.
func pgCtl(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	binDir, err := pgcluster.FindBinDir()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(binDir, "pg_ctl"), append([]string{"-D", dir, "-w", "-t", "20",
		"-l", filepath.Join(dir, "pg_ctl.log")}, args...)...)
	cmd.Dir = filepath.Dir(dir)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}}
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// serverProcesses lists the processes working in dir (postgres chdirs into
// its data directory, postmaster and backends alike).
func serverProcesses(dir string) []int {
	want, err := filepath.EvalSymlinks(dir)
	if err != nil {
		want = dir
	}
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil && cwd == want {
			pids = append(pids, pid)
		}
	}
	return pids
}

// noServerLeft fails when a process still works in dir a few seconds after
// the cluster was stopped.
func noServerLeft(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids := serverProcesses(dir)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("postgres processes %v still running in %s after Stop", pids, dir)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}

func countRows(t *testing.T, url string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM kept").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Issue 20: PostgreSQL restarted from outside (pg_ctl restart) was no longer
// Cartella's child, survived a kill -9 of Cartella and blocked the next
// start. Whatever happened in between, the next start on the same data
// directory succeeds within seconds and leaves nothing behind.
func TestStartAfterKilledOwnerOfRestartedCluster(t *testing.T) {
	dir := filepath.Join(tempBase(t), "data")
	owner := startOwner(t, dir)
	if out, err := pgCtl(t, dir, "restart", "-m", "fast"); err != nil {
		// With supervision the owner may take the server back while
		// pg_ctl is still waiting for its own: not an error here.
		t.Logf("pg_ctl restart: %v: %s", err, out)
	}
	if err := owner.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()

	begin := time.Now()
	c, err := pgcluster.Start(context.Background(), pgcluster.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("start after the owner was killed: %v", err)
	}
	if d := time.Since(begin); d > 20*time.Second {
		t.Errorf("start took %v", d)
	}
	t.Logf("started again in %v", time.Since(begin).Round(time.Millisecond))
	if n := countRows(t, c.URL("postgres")); n != 1 {
		t.Errorf("%d rows after the restart, want 1", n)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	noServerLeft(t, dir)
}

// A postmaster started from outside on the data directory (pg_ctl start) is
// adopted: stopped cleanly, and our own child serves the same data.
func TestAdoptsPostmasterStartedOutside(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(tempBase(t), "data")
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	exec1(t, c.URL("postgres"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')")
	port := c.Port()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if out, err := pgCtl(t, dir, "start", "-o",
		fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", port)); err != nil {
		t.Fatalf("pg_ctl start: %v: %s", err, out)
	}
	foreign := postmasterPID(t, dir)
	t.Cleanup(func() { _ = syscall.Kill(foreign, syscall.SIGQUIT) })

	c, err = pgcluster.Start(ctx, pgcluster.Options{DataDir: dir})
	if err != nil {
		t.Fatalf("start with a postmaster started outside: %v", err)
	}
	if alive(foreign) {
		t.Errorf("the postmaster started outside (pid %d) is still running", foreign)
	}
	if pid := postmasterPID(t, dir); pid == foreign {
		t.Errorf("postmaster.pid still names the outside postmaster %d", pid)
	}
	if n := countRows(t, c.URL("postgres")); n != 1 {
		t.Errorf("%d rows, want 1", n)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	noServerLeft(t, dir)
}

// A postmaster.pid naming a living postgres of another cluster (a reused
// PID) is stale for this data directory: it is removed, and the other
// cluster is left alone.
func TestStalePidOfAnotherClusterIsNotAdopted(t *testing.T) {
	ctx := context.Background()
	base := tempBase(t)
	other, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: filepath.Join(base, "other"), Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Stop()
	dir := filepath.Join(base, "data")
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	otherPID := postmasterPID(t, filepath.Join(base, "other"))
	if err := os.WriteFile(filepath.Join(dir, "postmaster.pid"), fmt.Appendf(nil, "%d\n%s\n", otherPID, dir), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, Ephemeral: true})
	if err != nil {
		t.Fatalf("start with a postmaster.pid naming another cluster's postmaster: %v", err)
	}
	defer c.Stop()
	exec1(t, other.URL("postgres"), "SELECT 1")
}

// Issue 20: when the postmaster dies under us it is started again, on the
// same port, and queries succeed again within seconds.
func TestRestartsDeadPostmaster(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(tempBase(t), "data")
	var logBuf syncBuffer
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, Log: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	exec1(t, c.URL("postgres"), "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('x')")
	pid := postmasterPID(t, dir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(cctx, c.URL("postgres"))
		if err == nil {
			var n int
			err = conn.QueryRow(cctx, "SELECT count(*) FROM kept").Scan(&n)
			conn.Close(cctx)
		}
		cancel()
		if now := readPID(dir); err == nil && now != pid && alive(now) {
			break
		}
		if time.Since(begin) > 15*time.Second {
			t.Fatalf("no query answered 15 s after the postmaster was killed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("answering again %v after the kill", time.Since(begin).Round(time.Millisecond))
	if !strings.Contains(logBuf.String(), "PostgreSQL exited unexpectedly: restarting it") {
		t.Errorf("the restart is not logged:\n%s", logBuf.String())
	}
	t.Log(logBuf.String())
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	noServerLeft(t, dir)
}

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

// A second start on a data directory whose cluster is running (two demos
// in the same checkout) fails at once and leaves the first one's server
// alone: adoption is only for servers no running cartella owns.
func TestSecondStartOnRunningClusterRefused(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(tempBase(t), "data")
	c, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	pid := c.Pid()
	if _, err := pgcluster.Start(ctx, pgcluster.Options{DataDir: dir, Ephemeral: true}); err == nil ||
		!strings.Contains(err.Error(), "in use by another running cartella") {
		t.Fatalf("second start: %v", err)
	}
	if c.Pid() != pid || !alive(pid) {
		t.Fatalf("the first cluster's server (pid %d) was touched: now %d", pid, c.Pid())
	}
	exec1(t, c.URL("postgres"), "SELECT 1")
}
