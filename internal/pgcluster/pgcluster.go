// Package pgcluster starts a private PostgreSQL cluster with the machine's own
// initdb and postgres binaries. `cartella demo` uses it for its persistent data
// under var/, and the tests use it for a throw-away cluster per test binary.
//
// There is no container engine on the project's machines (house style), so the
// cluster is a direct child process: when run as root it drops to the
// `postgres` user (initdb refuses to run as root), it listens on 127.0.0.1
// only, and it receives SIGINT (fast shutdown) from the kernel if our process
// dies (Pdeathsig). The child is supervised: started again when it dies under
// us. A server on the data directory that is not our child (started from
// outside with pg_ctl, or one that outlived a killed Cartella) is adopted at
// start: stopped, and replaced by our own child. See ADR 0001.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	// Log receives the supervision events (a server adopted, restarted);
	// nil discards them. They carry no personal data: pid, exit status.
	Log *slog.Logger
	// StatStatements preloads pg_stat_statements when this installation of
	// PostgreSQL has it (Debian ships it with the server), so that the load
	// tool (cmd/carico -pgss) can count statements and their time; without
	// the library the cluster starts as before.
	StatStatements bool
}

// Cluster is a running private PostgreSQL server, supervised: it is started
// again if it exits without Stop.
type Cluster struct {
	binDir, dataDir, logFile string
	args                     []string
	cred                     *syscall.Credential
	port                     int
	lock                     *os.File
	log                      *slog.Logger

	stopping chan struct{} // closed by Stop
	stopOnce sync.Once
	started  chan error    // the first spawn's outcome
	done     chan struct{} // closed when supervision has ended (no server of ours left)

	mu      sync.Mutex
	cmd     *exec.Cmd // the running server, nil between restarts
	ready   bool      // the first start answered: exits are restarted from now on
	ended   bool      // supervision ended before ready
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

// HasStatStatements reports whether the PostgreSQL installation of binDir
// holds the pg_stat_statements library (binDir/../lib, Debian's layout).
func HasStatStatements(binDir string) bool {
	_, err := os.Stat(filepath.Join(filepath.Dir(binDir), "lib", "pg_stat_statements.so"))
	return err == nil
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

	lock, err := lockDataDir(dataDir, cred)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		lock.Close()
		return nil, err
	}
	args := []string{"-D", dataDir, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		// TCP only: a socket path under a deep checkout can exceed the
		// 107-byte limit, and then postgres serves nothing at all.
		"-c", "unix_socket_directories=",
		"-c", "max_connections=100",
	}
	if opt.StatStatements && HasStatStatements(binDir) {
		args = append(args, "-c", "shared_preload_libraries=pg_stat_statements")
	}
	if opt.Ephemeral {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off",
			"-c", "full_page_writes=off", "-c", "shared_buffers=64MB")
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Cluster{
		binDir: binDir, args: args, cred: cred, dataDir: dataDir, logFile: logFile, port: port,
		lock: lock, log: log, stopping: make(chan struct{}), done: make(chan struct{}),
		started: make(chan error, 1),
	}
	go c.supervise()
	if err := <-c.started; err != nil {
		<-c.done
		return nil, err
	}
	if err := c.waitReady(ctx, 30*time.Second); err != nil {
		_ = c.Stop()
		return nil, fmt.Errorf("%w (server log: %s)", err, logFile)
	}
	c.mu.Lock()
	ended := c.ended
	c.ready = true
	c.mu.Unlock()
	if ended {
		_ = c.Stop()
		return nil, fmt.Errorf("pgcluster: postgres exited during start-up: %v (server log: %s)", c.waitErr, logFile)
	}
	return c, nil
}

// supervise owns the server process for the cluster's whole life. It runs
// on a locked OS thread because Pdeathsig fires when the thread that forked
// the child exits, not the process: the thread lives until the last child
// has been reaped, so postgres gets its signal exactly when we die.
//
// An exit we did not ask for (the postmaster killed, crashed, or stopped by
// someone else) is followed by a new start on the same port, with backoff;
// the pgx pool reconnects by itself once the server answers again. Before
// the first start has answered, an exit ends supervision instead: Start
// reports it.
func (c *Cluster) supervise() {
	runtime.LockOSThread() // never unlocked: the thread ends with the last child
	defer func() {
		c.lock.Close()
		close(c.done)
	}()
	const minBackoff, maxBackoff = 250 * time.Millisecond, 8 * time.Second
	backoff := minBackoff
	first := true
	for attempt := 1; ; attempt++ {
		began := time.Now()
		cmd, err := c.spawn()
		if first {
			c.started <- err
			first = false
			if err != nil {
				return
			}
		}
		if cmd != nil {
			err = cmd.Wait()
			c.mu.Lock()
			c.cmd = nil
			c.mu.Unlock()
		}
		select {
		case <-c.stopping:
			return
		default:
		}
		c.mu.Lock()
		if !c.ready {
			c.ended, c.waitErr = true, err
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if time.Since(began) > 30*time.Second {
			backoff, attempt = minBackoff, 1 // not a crash loop
		}
		if cmd == nil {
			c.log.Error("PostgreSQL could not be started again: retrying", "error", fmt.Sprint(err),
				"attempt", attempt, "after", backoff.String())
		} else {
			status := "exit status 0" // stopped from outside
			if err != nil {
				status = err.Error()
			}
			c.log.Warn("PostgreSQL exited unexpectedly: restarting it", "status", status,
				"attempt", attempt, "after", backoff.String())
		}
		select {
		case <-c.stopping:
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// spawn clears the data directory of any other postmaster (adopt) and starts
// ours. It returns a nil cmd, and no error, when Stop came first.
func (c *Cluster) spawn() (*exec.Cmd, error) {
	if err := reclaim(c.dataDir, c.log); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(c.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: log file: %w", err)
	}
	defer lf.Close()
	if c.cred != nil {
		_ = lf.Chown(int(c.cred.Uid), int(c.cred.Gid))
	}
	// Not CommandContext: the server must outlive the start-up context.
	cmd := exec.Command(filepath.Join(c.binDir, "postgres"), c.args...)
	cmd.Dir = filepath.Dir(c.dataDir)
	cmd.Env = childEnv(cmd.Dir)
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = sysProcAttr(c.cred)
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.stopping:
		return nil, nil
	default:
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgcluster: start postgres: %w", err)
	}
	c.cmd = cmd
	return cmd, nil
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

// Pid is the current server process (0 between restarts).
func (c *Cluster) Pid() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd == nil {
		return 0
	}
	return c.cmd.Process.Pid
}

// Stop ends supervision and shuts the server down (fast shutdown: active
// sessions are ended, committed data is kept), waiting for it and killing it
// after 15 seconds.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() { close(c.stopping) })
	c.mu.Lock()
	cmd := c.cmd
	c.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Signal(syscall.SIGINT)
	}
	select {
	case <-c.done:
		return nil
	case <-time.After(15 * time.Second):
		c.mu.Lock()
		if c.cmd != nil {
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		}
		c.mu.Unlock()
		<-c.done
		return errors.New("pgcluster: postgres did not stop in time and was killed")
	}
}

// Done is closed when supervision has ended: after Stop, or when the first
// start failed.
func (c *Cluster) Done() <-chan struct{} { return c.done }

// lockDataDir takes an exclusive lock on dataDir for this process: a second
// cartella on the same data directory stops here instead of adopting (and
// fighting over) the first one's server. The kernel releases the lock when
// we exit, even on SIGKILL, so a killed demo never blocks the next start.
func lockDataDir(dataDir string, cred *syscall.Credential) (*os.File, error) {
	name := filepath.Join(dataDir, "cartella.lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	if cred != nil {
		// Readable by postgres, so that a base backup does not trip on it.
		_ = f.Chown(int(cred.Uid), int(cred.Gid))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("pgcluster: the data directory %s is in use by another running cartella", dataDir)
		}
		return nil, fmt.Errorf("pgcluster: lock %s: %w", name, err)
	}
	return f, nil
}

// reclaim makes dataDir free for our server. A postmaster.pid naming a
// living postmaster of this data directory (started from outside, say with
// pg_ctl, or left by a killed cartella whose server did not die with it) is
// adopted: stopped with a fast shutdown, then an immediate one, then
// SIGKILL. A pid file naming anything else (the process gone, a zombie, the
// pid reused by another program or another cluster's postgres) is stale and
// removed. We hold the data directory's lock, so no live cartella owns that
// postmaster.
func reclaim(dataDir string, log *slog.Logger) error {
	pidFile := filepath.Join(dataDir, "postmaster.pid")
	if real, err := filepath.EvalSymlinks(dataDir); err == nil {
		dataDir = real
	}
	pid, err := readPid(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		// Perhaps being written by a postmaster starting right now.
		time.Sleep(200 * time.Millisecond)
		if pid, err = readPid(pidFile); errors.Is(err, os.ErrNotExist) {
			return nil
		}
	}
	if err != nil || !isPostmasterOf(pid, dataDir) {
		return removeIfNames(pidFile, pid)
	}
	log.Warn("a PostgreSQL server not started by this process runs on the data directory: stopping it", "pid", pid)
	for _, step := range []struct {
		sig  syscall.Signal
		wait time.Duration
	}{{syscall.SIGINT, 10 * time.Second}, {syscall.SIGQUIT, 5 * time.Second}, {syscall.SIGKILL, 5 * time.Second}} {
		if err := syscall.Kill(pid, step.sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("pgcluster: a PostgreSQL server (pid %d) runs on %s and cannot be stopped (%w): stop it with pg_ctl stop -D %s",
				pid, dataDir, err, dataDir)
		}
		deadline := time.Now().Add(step.wait)
		for time.Now().Before(deadline) {
			if !isPostmasterOf(pid, dataDir) {
				log.Info("the PostgreSQL server not started by this process has stopped", "pid", pid, "signal", step.sig.String())
				return removeIfNames(pidFile, pid)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return fmt.Errorf("pgcluster: the PostgreSQL server (pid %d) on %s did not stop", pid, dataDir)
}

func readPid(pidFile string) (int, error) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(first))
}

// removeIfNames removes pidFile unless it now names another process than
// pid (a postmaster that started meanwhile).
func removeIfNames(pidFile string, pid int) error {
	if now, err := readPid(pidFile); err == nil && now != pid {
		return nil
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("pgcluster: remove the stale %s: %w", pidFile, err)
	}
	return nil
}

// isPostmasterOf tells whether pid is a living postgres postmaster working
// in dataDir (postgres chdirs into its data directory). Backends and
// auxiliary processes retitle themselves "postgres: …"; a postmaster keeps
// its command line.
func isPostmasterOf(pid int, dataDir string) bool {
	if pid <= 0 || pid == os.Getpid() {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if _, rest, _ := strings.Cut(string(stat), ") "); strings.HasPrefix(rest, "Z") || strings.HasPrefix(rest, "X") {
		return false // a zombie: dead, waiting for its parent
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	argv := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	if len(argv) == 0 || strings.HasPrefix(argv[0], "postgres:") {
		return false
	}
	if b := filepath.Base(argv[0]); b != "postgres" && b != "postmaster" {
		return false
	}
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil {
		return cwd == dataDir
	}
	// Another user's process: its command line must name the directory.
	return slices.Contains(argv, dataDir)
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
	// cleanly); Pdeathsig so postgres shuts down (fast: committed data
	// kept, no orphaned backends holding shared memory) if we are killed.
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGINT, Credential: cred}
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

// Binario is the path of the program nome (pg_dump, pg_restore,
// pg_basebackup…) of the PostgreSQL installation the clusters use
// (FindBinDir), so that a dump and its restore match the server's version.
func Binario(nome string) (string, error) {
	dir, err := FindBinDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, nome)
	if !isExec(p) {
		return "", fmt.Errorf("pgcluster: %s not found in %s", nome, dir)
	}
	return p, nil
}

// DataDir is the cluster's data directory.
func (c *Cluster) DataDir() string { return c.dataDir }

// Comando is the server program nome (pg_resetwal, pg_controldata…) of
// this installation, to run on a data directory: as the postgres user when
// we are root, as the server itself runs.
func Comando(ctx context.Context, nome string, args ...string) (*exec.Cmd, error) {
	p, err := Binario(nome)
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, p, args...)
	cmd.Dir = "/"
	cmd.Env = childEnv("/")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	return cmd, nil
}
