// Package pgcluster starts a private PostgreSQL cluster with the machine's own
// initdb and postgres binaries. `cartella demo` uses it for its persistent data
// under var/, and the tests use it for a throw-away cluster per test binary.
//
// There is no container engine on the project's machines (house style), so the
// cluster is a direct child process: when run as root it drops to the
// `postgres` user (initdb refuses to run as root), it listens on 127.0.0.1
// only, and it receives SIGKILL from the kernel if our process dies
// (Pdeathsig), so a crashed or killed Cartella never leaves a postgres behind.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries is returned when initdb/postgres cannot be found.
var ErrNoBinaries = errors.New("pgcluster: PostgreSQL server binaries (initdb, postgres) not found: " +
	"install them (Debian: apt-get install postgresql) or set DATABASE_URL to an existing server")

// Options configure a cluster.
type Options struct {
	// DataDir is the cluster's data directory. It is created and initialised
	// when it does not hold a cluster yet, and reused (data kept) otherwise.
	DataDir string
	// Ephemeral tunes the cluster for tests: no fsync, nothing durable.
	Ephemeral bool
	// LogFile receives the server log; default DataDir/../postgres.log.
	LogFile string
}

// Cluster is a running private PostgreSQL server.
type Cluster struct {
	cmd     *exec.Cmd
	port    int
	dataDir string
	done    chan struct{}
	waitErr error
}

// FindBinDir returns the directory holding initdb and postgres: $PG_BINDIR,
// then PATH, then the newest /usr/lib/postgresql/*/bin.
func FindBinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		// Follow the symlink so postgres is taken from the same installation.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			d := filepath.Dir(real)
			if isExec(filepath.Join(d, "postgres")) {
				return d, nil
			}
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrNoBinaries
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// Start initialises DataDir if needed and starts the server on a free
// loopback port. It returns when the server accepts connections.
func Start(ctx context.Context, opt Options) (*Cluster, error) {
	binDir, err := FindBinDir()
	if err != nil {
		return nil, err
	}
	dataDir, err := filepath.Abs(opt.DataDir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	base := filepath.Dir(dataDir)
	_, statErr := os.Stat(base)
	createdBase := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("pgcluster: create %s: %w", base, err)
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		// postgres must be able to reach the data directory through every
		// parent; we never loosen anything above it. A parent we created
		// (var/ in the demo) is handed to postgres; an existing one (say
		// DATA_DIR=/srv/pgdata) is left alone, and only the data directory
		// itself is created and given to postgres.
		owned := base
		if !createdBase {
			owned = dataDir
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("pgcluster: create %s: %w", dataDir, err)
			}
		}
		if err := os.Chown(owned, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("pgcluster: chown %s: %w", owned, err)
		}
	}
	logFile := opt.LogFile
	if logFile == "" {
		logFile = filepath.Join(base, "postgres.log")
	}

	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		args := []string{"-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8",
			"--locale=C", "--no-instructions"}
		if opt.Ephemeral {
			args = append(args, "--no-sync")
		}
		cmd := exec.CommandContext(ctx, filepath.Join(binDir, "initdb"), args...)
		cmd.Dir = base
		cmd.Env = childEnv(base)
		cmd.SysProcAttr = sysProcAttr(cred)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("pgcluster: initdb: %w: %s", err, strings.TrimSpace(string(out)))
		}
	}

	removeStalePid(dataDir)
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-D", dataDir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		// TCP only: a socket path under a deep checkout can exceed the
		// 107-byte limit, and then postgres serves nothing at all.
		"-c", "unix_socket_directories=",
		"-c", "max_connections=100",
	}
	if opt.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "shared_buffers=64MB")
	}
	lf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: log file: %w", err)
	}
	defer lf.Close()
	if cred != nil {
		_ = lf.Chown(int(cred.Uid), int(cred.Gid))
	}
	// Not CommandContext: the server must outlive the start-up context.
	cmd := exec.Command(filepath.Join(binDir, "postgres"), args...)
	cmd.Dir = base
	cmd.Env = childEnv(base)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = sysProcAttr(cred)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	c := &Cluster{cmd: cmd, port: port, dataDir: dataDir, done: make(chan struct{})}
	go func() { c.waitErr = cmd.Wait(); close(c.done) }()

	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("%w (server log: %s)", err, logFile)
	}
	return c, nil
}

func (c *Cluster) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-c.done:
			return fmt.Errorf("pgcluster: postgres exited during start-up: %v", c.waitErr)
		default:
		}
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		conn, err := pgx.Connect(cctx, c.URL("postgres"))
		cancel()
		if err == nil {
			return conn.Close(ctx)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("pgcluster: postgres not ready: %w", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// URL returns a connection string for the named database.
func (c *Cluster) URL(database string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, database)
}

// Port is the TCP port the server listens on (127.0.0.1).
func (c *Cluster) Port() int { return c.port }

// Stop shuts the server down (fast shutdown: active sessions are ended,
// committed data is kept) and waits for it, killing it after 15 seconds.
func (c *Cluster) Stop() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
		return nil
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
		return errors.New("pgcluster: postgres did not stop in time and was killed")
	}
}

// Done is closed when the server process has exited.
func (c *Cluster) Done() <-chan struct{} { return c.done }

// removeStalePid deletes postmaster.pid when the process it names is not a
// running postgres. After a SIGKILL the file stays behind; postgres itself
// copes unless the PID has since been reused by another process, in which
// case it would refuse to start.
func removeStalePid(dataDir string) {
	pidFile := filepath.Join(dataDir, "postmaster.pid")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err == nil && strings.TrimSpace(string(comm)) == "postgres" {
		return // really running: let postgres report the conflict
	}
	_ = os.Remove(pidFile)
}

// credential returns the postgres user's credential when running as root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root needs a 'postgres' system user (installed with Debian's postgresql package): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func sysProcAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	// Setpgid so a terminal's Ctrl-C reaches only us (we then stop postgres
	// cleanly); Pdeathsig so postgres dies with us if we are killed.
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
}

func childEnv(home string) []string {
	return []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C", "HOME=" + home}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgcluster: free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
