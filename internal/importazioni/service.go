package importazioni

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// Service runs imports and reads them back.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	casi *casi.Service // writes the households (its tables)
	log  *slog.Logger

	// vita bounds the imports started in the background: they outlive the
	// request that uploaded the file, not the server. Kept here because it
	// is the lifetime of the service itself, not of a call.
	vita context.Context
	wg   sync.WaitGroup

	// The lease of a running import: its process writes the heartbeat
	// (battito) at least every Battito; an import in corso whose heartbeat
	// is older than Scadenza belongs to no living process and is
	// interrotta. istanza tells this process's imports in the database.
	istanza  uuid.UUID
	battito  time.Duration
	scadenza time.Duration
}

// Heartbeat of a running import and the age after which an import in corso
// is taken as abandoned by its process (docs/operations.md).
const (
	Battito  = 15 * time.Second
	Scadenza = 90 * time.Second
)

// NewService returns the service; the households go into cs. Background
// imports stop when vita ends (the server shuts down): the engine then
// records them as interrotta.
func NewService(vita context.Context, pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{pool: pool, reg: reg, casi: cs, log: log, vita: vita, istanza: uuid.New(), battito: Battito, scadenza: Scadenza}
}

// Nuova records an import about to start (stato in_corso) and returns its
// id. operatore is nil for the command line.
func (s *Service) Nuova(ctx context.Context, ambitoID int64, operatore *uuid.UUID, nome string, size int64) (int64, error) {
	return nuova(ctx, s.pool, ambitoID, operatore, nome, size, s.istanza, 0)
}

// Recupera ends as interrotta the imports left in corso by a process that
// is gone (its heartbeat older than Scadenza: a crash, kill -9, a power
// cut), with the counters of what they committed, and returns how many.
// Imports of other living instances keep beating and are left alone. Run
// at start, before serving, and then periodically.
func (s *Service) Recupera(ctx context.Context) (int, error) {
	ids, err := interrompi(ctx, s.pool, 0, s.scadenza, msgCrash)
	for _, id := range ids {
		s.log.Warn("import interrupted: its process is gone", "importazione", id)
	}
	return len(ids), err
}

// RecuperaOgni runs Recupera every period until ctx ends.
func (s *Service) RecuperaOgni(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Recupera(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("import recovery", "error", err)
			}
		}
	}
}

// batte writes the heartbeat of import id every s.battito until the
// returned function is called.
func (s *Service) batte(ctx context.Context, id int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.battito)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := batti(ctx, s.pool, id); err != nil && ctx.Err() == nil {
					s.log.Warn("import heartbeat", "importazione", id, "error", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Esegui runs the import id (recorded by Nuova) on r and returns it as it
// ended. The error is non-nil when the import could not complete; the
// import is then recorded as fallita (interrotta when ctx was cancelled),
// with the households applied so far
// kept (each is all or nothing), and a second run of the same file picks up
// where it stopped, since importing is idempotent. If another instance
// ended the import as interrotta meanwhile (this process stopped beating
// for longer than Scadenza), the run stops at its next write, which is
// rolled back, and the import stays interrotta as it was counted.
func (s *Service) Esegui(ctx context.Context, id int64, r io.Reader, v registro.Voce) (Importazione, error) {
	imp, err := get(ctx, s.pool, id)
	if err != nil {
		return Importazione{}, err
	}
	stop := s.batte(ctx, id)
	err = s.motore(ctx, id, imp.AmbitoID, r, v)
	stop()
	// Not ctx: the outcome is recorded even when ctx was cancelled.
	bg := context.WithoutCancel(ctx)
	if ferr := fallita(bg, s.pool, id, "importazione interrotta: i nuclei già confermati restano importati; ripeti l'importazione dello stesso file per completarla"); ferr != nil && err == nil {
		err = ferr
	}
	imp, gerr := get(bg, s.pool, id)
	if err == nil {
		err = gerr
	}
	return imp, err
}

// ImportFile records a new import of the file r (name and size as given,
// size 0 when unknown) into ambito ambitoID by operatore (nil from the
// command line) and runs it: see Esegui.
func (s *Service) ImportFile(ctx context.Context, r io.Reader, name string, size int64, operatore *uuid.UUID, ambitoID int64, v registro.Voce) (Importazione, error) {
	id, err := s.Nuova(ctx, ambitoID, operatore, name, size)
	if err != nil {
		return Importazione{}, err
	}
	v.OperatoreID = operatore
	return s.Esegui(ctx, id, r, v)
}

// Avvia records an import of the file at path into ambito ambitoID and runs
// it in the background; the file is removed when the import ends (and at
// once when it cannot start). ripresaDi is the interrupted import of the
// ambito this one takes up (0: none). It returns the import's id, for its
// progress page.
func (s *Service) Avvia(ctx context.Context, ambitoID int64, path, name string, size int64, ripresaDi int64, v registro.Voce) (int64, error) {
	id, err := nuova(ctx, s.pool, ambitoID, v.OperatoreID, name, size, s.istanza, ripresaDi)
	if err != nil {
		_ = os.Remove(path)
		return 0, err
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer os.Remove(path)
		f, err := os.Open(path)
		if err != nil {
			s.log.Error("import: uploaded file unreadable", "importazione", id, "error", err)
			_ = fallita(context.WithoutCancel(s.vita), s.pool, id, "il file caricato non è più leggibile: caricalo di nuovo")
			return
		}
		defer f.Close()
		start := time.Now()
		imp, err := s.Esegui(s.vita, id, f, v)
		if errors.Is(err, errNonInCorso) {
			s.log.Warn("import stopped: another instance ended it as interrotta while this process was not beating", "importazione", id)
			return
		}
		if err != nil {
			// The error may quote data of the file (a database constraint
			// names the value): log only its kind.
			s.log.Error("import failed", "importazione", id, "sqlstate", sqlState(err), "cancelled", errors.Is(err, context.Canceled))
			return
		}
		s.log.Info("import done", "importazione", id, "righe", imp.Righe, "inseriti", imp.Inseriti, "aggiornati", imp.Aggiornati,
			"invariati", imp.Invariati, "scartati", imp.Scartati, "elapsed", time.Since(start).Round(time.Millisecond).String())
	}()
	return id, nil
}

// Attendi waits for the imports running in the background to end.
func (s *Service) Attendi() { s.wg.Wait() }

func sqlState(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

// Get returns the import id of ambito ambitoID (ErrNotFound for another
// ambito's). An import in corso whose process is gone (its heartbeat older
// than Scadenza) is ended as interrotta first: its page never waits for
// an import nobody runs.
func (s *Service) Get(ctx context.Context, ambitoID, id int64) (Importazione, error) {
	imp, err := get(ctx, s.pool, id)
	if err == nil && imp.AmbitoID != ambitoID {
		return Importazione{}, ErrNotFound
	}
	if err == nil && imp.InCorso() && time.Since(imp.Battito) > s.scadenza {
		if ids, ierr := interrompi(ctx, s.pool, id, s.scadenza, msgCrash); ierr != nil {
			return imp, ierr
		} else if len(ids) > 0 {
			s.log.Warn("import interrupted: its process is gone", "importazione", id)
		}
		imp, err = get(ctx, s.pool, id)
	}
	return imp, err
}

// PageSize is how many imports, or rejected lines, a page lists.
const PageSize = 50

// Elenco returns page pagina (1-based) of the imports of ambito ambitoID,
// newest first, and whether there is a next page.
func (s *Service) Elenco(ctx context.Context, ambitoID int64, pagina int) ([]Importazione, bool, error) {
	pagina = min(max(pagina, 1), database.MaxPagina)
	out, err := elenco(ctx, s.pool, ambitoID, (pagina-1)*PageSize, PageSize+1)
	if err != nil {
		return nil, false, err
	}
	if len(out) > PageSize {
		return out[:PageSize], true, nil
	}
	return out, false, nil
}

// Scarti returns up to limit rejected lines of import id after line dopo,
// in file order, and whether more follow. Reading them is recorded in the
// registro (a reason may quote a codice fiscale), as v says who; reading
// none is not.
func (s *Service) Scarti(ctx context.Context, id int64, dopo, limit int, v registro.Voce) ([]Scarto, bool, error) {
	out, err := scarti(ctx, s.pool, id, dopo, limit+1)
	if err != nil {
		return nil, false, err
	}
	if len(out) > 0 { // nothing read, nothing to record (the progress page reloads itself)
		if err := s.leggi(ctx, id, fmt.Sprintf("scarti dalla riga %d", dopo+1), v); err != nil {
			return nil, false, err
		}
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// leggi records the read of an import's report.
func (s *Service) leggi(ctx context.Context, id int64, dettaglio string, v registro.Voce) error {
	if s.reg == nil {
		return nil
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.Dettaglio, v.Esito = registro.Lettura, "importazione", fmt.Sprint(id), dettaglio, registro.Consentito
	return s.reg.Record(ctx, v)
}
