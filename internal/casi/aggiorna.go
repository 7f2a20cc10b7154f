package casi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
)

// FonteSituazione is a module whose records the case's deadlines depend
// on (the incontri module: the convocazioni, the meetings with their
// presences, the giustificati motivi).
type FonteSituazione interface {
	// AccodaSituazione queues on b the queries that read what the case's
	// deadlines need of the module's records, and returns the function
	// that adds it to sit once b has been sent (sit's dates and members
	// are loaded by then). casi sends b through the caller's transaction,
	// or, for the case page, with its sections as one statement
	// (database.InviaUnito): the queries must be plain SELECTs.
	AccodaSituazione(b *pgx.Batch, casoID uuid.UUID, sit *scadenze.Situazione) func() error
	// SituazioniCasi is AccodaSituazione for a batch of cases (the daily
	// refresh): it adds to sit[id], for each id of ids, what
	// AccodaSituazione would add, with one query per kind of record for
	// the whole batch. sit holds every id of ids, with its dates and
	// members loaded.
	SituazioniCasi(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error
}

// FonteAppuntamenti is a module that keeps appointments of a case (a
// convocazione, a monitoring meeting): it returns the case's next one at
// or after now (nil: none), reading through q.
type FonteAppuntamenti interface {
	ProssimoAppuntamento(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (*time.Time, error)
	// ProssimiAppuntamenti is ProssimoAppuntamento for a batch of cases, in
	// one query: the next appointment of each case of ids that has one.
	ProssimiAppuntamenti(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (map[uuid.UUID]time.Time, error)
}

// ConScadenze sets the modules the case's deadlines and next appointment
// are computed from (internal/app wires them).
func (s *Service) ConScadenze(sit []FonteSituazione, app []FonteAppuntamenti) *Service {
	s.situazione, s.appuntamenti = sit, app
	return s
}

// Aggiorna recomputes the case's derived deadline columns (t120_*, t90_*,
// urgenza, prossimo_appuntamento) from what is recorded, at the service's
// clock: call it inside the transaction of every write that may move a
// deadline (a convocazione, an incontro, a giustificato motivo, a change
// of members or of the PAD date).
func (s *Service) Aggiorna(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	return s.AggiornaAl(ctx, q, casoID, s.now())
}

// AggiornaAl is Aggiorna at the instant now.
func (s *Service) AggiornaAl(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) error {
	sit, err := s.Situazione(ctx, q, casoID, now)
	if err != nil {
		return err
	}
	sc := scadenze.Calcola(sit)
	// The next appointment: the earliest the modules keep.
	var prossimo *time.Time
	for _, f := range s.appuntamenti {
		t, err := f.ProssimoAppuntamento(ctx, q, casoID, now)
		if err != nil {
			return fmt.Errorf("casi: aggiorna: next appointment: %w", err)
		}
		if t != nil && (prossimo == nil || t.Before(*prossimo)) {
			prossimo = t
		}
	}
	if err := updateScadenze(ctx, q, casoID, sc, prossimo); err != nil {
		return fmt.Errorf("casi: aggiorna: %w", err)
	}
	return nil
}

// Scadenze computes the deadlines of the case at now, with every message
// and exemption (the case page shows them).
func (s *Service) Scadenze(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (scadenze.Scadenze, error) {
	sit, err := s.Situazione(ctx, q, casoID, now)
	if err != nil {
		return scadenze.Scadenze{}, err
	}
	return scadenze.Calcola(sit), nil
}

// Situazione loads what the deadlines of the case depend on: the case's
// dates and members, and what the modules record (FonteSituazione).
func (s *Service) Situazione(ctx context.Context, q database.Querier, casoID uuid.UUID, now time.Time) (scadenze.Situazione, error) {
	sit := scadenze.Situazione{Oggi: now}
	nucleoID, err := dateSituazione(ctx, q, casoID, &sit)
	if err != nil {
		if err == pgx.ErrNoRows {
			return sit, ErrNotFound
		}
		return sit, fmt.Errorf("casi: situazione: %w", err)
	}
	sit.Membri, err = membriSituazione(ctx, q, nucleoID)
	if err != nil {
		return sit, fmt.Errorf("casi: situazione: membri: %w", err)
	}
	return sit, s.situazioneModuli(ctx, q, casoID, &sit)
}

// situazioneModuli adds to sit what the modules record (FonteSituazione),
// their queries sent through q in one batch.
func (s *Service) situazioneModuli(ctx context.Context, q database.Querier, casoID uuid.UUID, sit *scadenze.Situazione) error {
	b := &pgx.Batch{}
	fine := s.accodaSituazione(b, casoID, sit)
	if b.Len() > 0 {
		if err := q.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("casi: situazione: %w", err)
		}
	}
	return fine()
}

// accodaSituazione queues on b the modules' queries for the deadlines of
// the case and returns the function that adds their records to sit, once
// b has been sent.
func (s *Service) accodaSituazione(b *pgx.Batch, casoID uuid.UUID, sit *scadenze.Situazione) func() error {
	fini := make([]func() error, len(s.situazione))
	for i, f := range s.situazione {
		fini[i] = f.AccodaSituazione(b, casoID, sit)
	}
	return func() error {
		for _, fine := range fini {
			if err := fine(); err != nil {
				return fmt.Errorf("casi: situazione: %w", err)
			}
		}
		return nil
	}
}

// membriScadenze are the current members as the deadlines see them, in the
// order membriSituazione reads them.
func membriScadenze(correnti []Componente) []scadenze.Membro {
	cs := slices.Clone(correnti)
	slices.SortFunc(cs, func(a, b Componente) int { return cmp.Compare(a.riga, b.riga) })
	out := make([]scadenze.Membro, len(cs))
	for i, m := range cs {
		out[i] = scadenze.Membro{PersonaID: m.PersonaID.String(), DataNascita: m.DataNascita, Disabilita: m.Disabilita,
			VittimaViolenza: m.VittimaViolenza, InviatoCPI: m.InviatoCPI}
	}
	return out
}

// ErrScadenzeInCorso: another instance (or another call) is running the
// daily refresh (AggiornaScadenze) on the same database.
var ErrScadenzeInCorso = errors.New("casi: aggiorna scadenze: già in corso")

// lockScadenze is the session-level advisory lock the daily refresh holds
// while it runs, so that two instances never run it at once (the registro
// uses 7417002, the controlli 7417017 in the two-key space).
const lockScadenze = 7417019

// LottoScadenze is how many cases the daily refresh reads, computes and
// writes at a time: one transaction, one query per source and one UPDATE
// per batch. Larger batches cost less per case (200,000 cases, every one
// changed: 22.0 s in batches of 2,000, 20.9 s of 10,000, 18.3 s of 25,000;
// docs/performance.md); a write to a case of the batch while its UPDATE
// runs waits for the batch's commit (about 2 s at most, when every case
// changes). In memory: some tens of MB per batch.
const LottoScadenze = 25000

// AggiornaScadenze refreshes the derived columns of the open cases whose
// timer state may have changed with the passing of days alone (a timer
// entering the last SogliaInScadenza days, expiring, a giustificato motivo
// ending, an appointment passing): run daily by the server. It returns how
// many cases it looked at.
//
// It works in batches of LottoScadenze cases, two at a time (two
// connections), each in its own transaction (AggiornaLotto): the inputs of
// the batch's cases read with one query per source
// (FonteSituazione.SituazioniCasi, FonteAppuntamenti.ProssimiAppuntamenti),
// the deadlines computed in Go (scadenze.Calcola, as Aggiorna does) and the
// cases whose columns change written with one UPDATE. The whole run holds
// an advisory lock: when another instance holds it, AggiornaScadenze
// returns ErrScadenzeInCorso at once.
func (s *Service) AggiornaScadenze(ctx context.Context) (int, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, fmt.Errorf("casi: aggiorna scadenze: %w", err)
	}
	defer conn.Release()
	var preso bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, int64(lockScadenze)).Scan(&preso); err != nil {
		return 0, fmt.Errorf("casi: aggiorna scadenze: %w", err)
	}
	if !preso {
		return 0, ErrScadenzeInCorso
	}
	defer func() {
		// A connection going back to the pool must not keep the lock: if
		// it cannot be released, the connection is closed (and the lock
		// with it).
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(uctx, `SELECT pg_advisory_unlock($1)`, int64(lockScadenze)); err != nil {
			_ = conn.Conn().Close(uctx)
		}
	}()
	now := s.now()
	ids, err := casiDaAggiornare(ctx, conn, Oggi(now), now)
	if err != nil {
		return 0, fmt.Errorf("casi: aggiorna scadenze: %w", err)
	}
	// Two workers take the batches in turn: this connection and one more
	// from the pool, so that PostgreSQL works on two cores.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lotti := make(chan []uuid.UUID)
	errs := make(chan error, 2)
	for _, db := range []interface {
		Begin(context.Context) (pgx.Tx, error)
	}{conn, s.pool} {
		go func() {
			var err error
			for lotto := range lotti {
				if err == nil {
					err = pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
						_, err := s.AggiornaLotto(ctx, tx, lotto, now)
						return err
					})
					if err != nil {
						cancel()
					}
				}
			}
			errs <- err
		}()
	}
	for i := 0; i < len(ids) && ctx.Err() == nil; i += LottoScadenze {
		select {
		case lotti <- ids[i:min(i+LottoScadenze, len(ids))]:
		case <-ctx.Done():
		}
	}
	close(lotti)
	err = errors.Join(<-errs, <-errs)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}

// AggiornaLotto is AggiornaAl for the cases ids at once (the batch of the
// daily refresh; call it in a transaction, q): it reads what their
// deadlines depend on with one query per source, computes them in Go and
// writes, with one UPDATE, the cases whose derived columns change. It
// returns how many it wrote. The result is the one AggiornaAl gives case by
// case (TestAggiornaLottoComeAggiorna).
//
// It takes no lock: a case is written only if its row is still the version
// read at the start (xmin). A write that moves a case's deadlines
// recomputes them (Aggiorna) in its own transaction, so a case it wrote
// meanwhile is left as it wrote it, and a case it writes afterwards is
// recomputed by it from its own inputs.
func (s *Service) AggiornaLotto(ctx context.Context, q database.Querier, ids []uuid.UUID, now time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	sit, prima, err := situazioniLotto(ctx, q, ids, now)
	if err != nil {
		return 0, fmt.Errorf("casi: aggiorna lotto: %w", err)
	}
	// The cases that vanished meanwhile are left out.
	trovati := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if _, ok := sit[id]; ok {
			trovati = append(trovati, id)
		}
	}
	for _, f := range s.situazione {
		if err := f.SituazioniCasi(ctx, q, trovati, sit); err != nil {
			return 0, fmt.Errorf("casi: aggiorna lotto: %w", err)
		}
	}
	prossimi := make(map[uuid.UUID]time.Time, len(trovati))
	for _, f := range s.appuntamenti {
		m, err := f.ProssimiAppuntamenti(ctx, q, trovati, now)
		if err != nil {
			return 0, fmt.Errorf("casi: aggiorna lotto: next appointment: %w", err)
		}
		for id, t := range m {
			if p, ok := prossimi[id]; !ok || t.Before(p) {
				prossimi[id] = t
			}
		}
	}
	var cambiate []derivate
	for _, id := range trovati {
		sc := scadenze.Calcola(*sit[id])
		d := derivateDa(id, sc, nil)
		d.versione = prima[id].versione
		if t, ok := prossimi[id]; ok {
			d.prossimo = &t
		}
		if !d.uguali(prima[id]) {
			cambiate = append(cambiate, d)
		}
	}
	if err := updateScadenzeLotto(ctx, q, cambiate); err != nil {
		return 0, fmt.Errorf("casi: aggiorna lotto: %w", err)
	}
	return len(cambiate), nil
}

// derivate are the derived deadline columns of a case.
type derivate struct {
	id                  uuid.UUID
	versione            int64 // the row's xmin when read
	t120, t90, urgenza  *time.Time
	t120Stato, t90Stato string
	prossimo, ricalcola *time.Time
}

func derivateDa(id uuid.UUID, sc scadenze.Scadenze, prossimo *time.Time) derivate {
	return derivate{id: id, t120: sc.T120.Scadenza, t120Stato: string(sc.T120.Stato), t90: sc.T90.Scadenza,
		t90Stato: string(sc.T90.Stato), urgenza: sc.Urgenza, prossimo: prossimo, ricalcola: sc.Ricalcola}
}

// uguali reports whether d and e hold the same values (dates compared as
// the days they are, instants as instants).
func (d derivate) uguali(e derivate) bool {
	return stessoGiorno(d.t120, e.t120) && stessoGiorno(d.t90, e.t90) && stessoGiorno(d.urgenza, e.urgenza) &&
		stessoGiorno(d.ricalcola, e.ricalcola) && d.t120Stato == e.t120Stato && d.t90Stato == e.t90Stato &&
		stessoIstante(d.prossimo, e.prossimo)
}

func stessoGiorno(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

func stessoIstante(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}
