package importazioni

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// PrefissoFile begins the name of an uploaded file waiting for its import.
const PrefissoFile = "cartella-nuclei-"

// Deposito is where uploaded files wait for their import: a directory of
// this process (proc-*) inside the configured upload directory, locked
// with flock(2) while the process lives. Its files hold names and codici
// fiscali: each is removed when its import ends, whatever the outcome, or
// at once when the upload fails; what a process that died (a crash,
// kill -9) left behind is removed by the next one to open the deposito.
// The lock tells a dead process's directory from the one of another
// instance alive on the same host: only ours and the dead are touched.
type Deposito struct {
	dir  string
	lock *os.File
}

// Pulizia is what ApriDeposito removed.
type Pulizia struct {
	Cartelle int // directories of processes no longer alive
	File     int // uploaded files in them, or left directly in the directories swept
}

// ApriDeposito creates (0700) the upload directory base if needed, removes
// the directories of processes no longer alive and, in base and in
// vecchie (the system's temporary directory, where versions before this
// one left them), the uploaded files older than avvio (the start of this
// process), then creates and locks this process's directory.
func ApriDeposito(base string, avvio time.Time, vecchie ...string) (*Deposito, Pulizia, error) {
	var p Pulizia
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, p, fmt.Errorf("importazioni: upload directory: %w", err)
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return nil, p, fmt.Errorf("importazioni: upload directory: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "proc-") {
			continue
		}
		dir := filepath.Join(base, e.Name())
		n, morta, err := sgombera(dir)
		if err != nil {
			return nil, p, err
		}
		if morta {
			p.Cartelle++
			p.File += n
		}
	}
	for _, d := range append([]string{base}, vecchie...) {
		n, err := rimuoviVecchi(d, avvio)
		if err != nil {
			return nil, p, err
		}
		p.File += n
	}
	dir, err := os.MkdirTemp(base, "proc-*")
	if err != nil {
		return nil, p, fmt.Errorf("importazioni: upload directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	if err != nil {
		return nil, p, fmt.Errorf("importazioni: lock the upload directory: %w", err)
	}
	return &Deposito{dir: dir, lock: lock}, p, nil
}

// sgombera removes dir, a process's directory, when no living process
// holds its lock, and returns how many uploaded files were in it.
func sgombera(dir string) (int, bool, error) {
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR, 0)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// No lock: the process died between creating the directory and
		// its lock, or another one is starting right now (then the
		// directory is new: left alone).
		if st, err := os.Stat(dir); err != nil || time.Since(st.ModTime()) < time.Minute {
			return 0, false, nil
		}
	case err != nil:
		return 0, false, fmt.Errorf("importazioni: upload directory: %w", err)
	default:
		defer lock.Close()
		err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return 0, false, nil // alive
		}
		if err != nil {
			return 0, false, fmt.Errorf("importazioni: upload directory: %w", err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, PrefissoFile+"*"))
	if err := os.RemoveAll(dir); err != nil {
		return 0, false, fmt.Errorf("importazioni: remove a stale upload directory: %w", err)
	}
	return len(files), true, nil
}

// rimuoviVecchi removes the uploaded files directly in dir last written
// before avvio (a living process's upload is being written, or was opened
// by its import already: removing it would not stop its reader anyway).
func rimuoviVecchi(dir string, avvio time.Time) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, PrefissoFile+"*.jsonl"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		st, err := os.Lstat(f)
		if err != nil || !st.Mode().IsRegular() || !st.ModTime().Before(avvio) {
			continue
		}
		if err := os.Remove(f); err == nil {
			n++
		}
	}
	return n, nil
}

// Dir is this process's directory, for the uploads.
func (d *Deposito) Dir() string { return d.dir }

// Chiudi removes this process's directory with whatever is left in it
// (at shutdown, once the imports have ended) and releases its lock.
func (d *Deposito) Chiudi() error {
	err := os.RemoveAll(d.dir)
	_ = d.lock.Close()
	return err
}
