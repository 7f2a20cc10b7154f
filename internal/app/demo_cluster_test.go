package app

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Issue 20: when the postmaster of the demo's private cluster dies, cartella
// starts it again and /readyz recovers by itself: 503 while the server is
// down, 200 again without anyone restarting PostgreSQL.
func TestDemoReadyzRecoversAfterPostmasterDies(t *testing.T) {
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
	defer stop()

	pid, _ := postmaster(t, dataDir)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 3 * time.Second}
	begin := time.Now()
	var codes []int
	for {
		code := 0
		if resp, err := client.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			code = resp.StatusCode
		}
		if len(codes) == 0 || codes[len(codes)-1] != code {
			codes = append(codes, code)
		}
		if code == http.StatusOK && len(codes) > 1 {
			break
		}
		if time.Since(begin) > 25*time.Second {
			t.Fatalf("/readyz answers %v 25 s after the postmaster was killed:\n%s", codes, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("/readyz went %v, ready again %v after the kill", codes, time.Since(begin).Round(time.Millisecond))
	if !slices.Contains(codes, http.StatusServiceUnavailable) {
		t.Errorf("/readyz never said 503 while the server was down: %v", codes)
	}
	if !strings.Contains(out.String(), "PostgreSQL exited unexpectedly: restarting it") {
		t.Errorf("the restart is not in the log:\n%s", out)
	}
}
