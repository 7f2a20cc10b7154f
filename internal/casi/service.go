package casi

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// Service is the case module's use cases.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	now  func() time.Time
	// sezioni are the sections of the case page, contributed by the
	// modules that own them (internal/app wires them).
	sezioni []FonteSezione
	// situazione and appuntamenti are the modules the deadlines and the
	// next appointment are computed from (internal/app wires them).
	situazione   []FonteSituazione
	appuntamenti []FonteAppuntamenti
	// luoghi resolves the places of birth and the citizenships typed by
	// name on the opening form (internal/app wires the list shipped with
	// the binary); nil, only codes are accepted.
	luoghi *accesso.Luoghi
}

// SetLuoghi gives the service the comuni and foreign states that the
// opening form resolves names against.
func (s *Service) SetLuoghi(l *accesso.Luoghi) { s.luoghi = l }

// Luoghi is the list SetLuoghi gave (nil if none).
func (s *Service) Luoghi() *accesso.Luoghi { return s.luoghi }

// NewService returns the service; every access goes to reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service) *Service {
	return &Service{pool: pool, reg: reg, now: time.Now}
}

// SetClock replaces the clock (tests and the demo loader).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now is the service's clock: the time the import engine stamps the
// households it writes with (SetClock moves both).
func (s *Service) Now() time.Time { return s.now() }

// Oggi is today's date in Europe/Rome, at midnight UTC: the civil date the
// deadlines are counted on.
func (s *Service) Oggi() time.Time { return Oggi(s.now()) }

// Oggi is the civil date of t in Europe/Rome, at midnight UTC.
func Oggi(t time.Time) time.Time { return calendario.Giorno(t) }

// MayReadContent reports whether p's role may read case content at all: only
// the case manager (domain.md §1.2); the row check is Access's.
func MayReadContent(p authz.Principal) bool { return p.Ruolo == authz.CaseManager }

// ConCasiPropri reports whether p acts as a case manager of a comune: the
// role with cases of its own, the open ones assigned to the operator in
// that comune (the /casi list, the home's counts, the cross-case lists).
func ConCasiPropri(p authz.Principal) bool { return MayReadContent(p) && p.ComuneID != nil }

// covers is the row-level rule for case content: the case manager assigned
// to the case, acting in a role whose scope includes the case's comune.
func covers(p authz.Principal, c Caso) bool {
	return MayReadContent(p) && c.CaseManagerID != nil && *c.CaseManagerID == p.OperatoreID &&
		p.Covers(c.AmbitoID, &c.ComuneID)
}

// Access returns the case for p to read its content, and records the access
// v describes (its Azione defaults to a read; OggettoTipo says which part of
// the case, e.g. "diario"). A case p may not reach is ErrNotFound, and the
// refusal is recorded too.
func (s *Service) Access(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Caso, error) {
	c, v, err := s.accesso(ctx, p, id, v)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Caso{}, err
	}
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return Caso{}, rerr
	}
	return c, err
}

// accesso loads case id for p and completes v into the record of the
// access: allowed, or refused when p may not reach the case (ErrNotFound).
// The caller records it.
func (s *Service) accesso(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Caso, registro.Voce, error) {
	c, err := load(ctx, s.pool, id, false)
	if v.Azione == "" {
		v.Azione = registro.Lettura
	}
	if v.OggettoTipo == "" {
		v.OggettoTipo = "caso"
	}
	if v.OggettoID == "" {
		v.OggettoID = id.String()
	}
	v.CasoID = id.String()
	if err == nil && !covers(p, c) {
		err = ErrNotFound
	}
	switch {
	case errors.Is(err, ErrNotFound):
		v.Esito, v.Dettaglio = registro.Rifiutato, v.Azione
		v.Azione = registro.Negato
	case err != nil:
		return Caso{}, v, err
	default:
		v.Esito = registro.Consentito
	}
	return c, v, err
}

// Lock returns the case locked for update inside tx, for p to write its
// content. The caller records the write with RecordTx in the same tx.
func (s *Service) Lock(ctx context.Context, tx pgx.Tx, p authz.Principal, id uuid.UUID) (Caso, error) {
	c, err := load(ctx, tx, id, true)
	if err != nil {
		return Caso{}, err
	}
	if !covers(p, c) {
		return Caso{}, ErrNotFound
	}
	return c, nil
}

// ScriviContenuto is a write on the content of case id by p, as every module
// writes: fn runs in a transaction on the case locked for p (Lock); on a
// closed case it does not run and the result is chiuso, the module's own
// error. The write is recorded in the registro in the same transaction,
// from v as fn completes it (the oggetto written, a detail). A case p may
// not reach is ErrNotFound, and the refusal is recorded (v's oggetto tipo,
// the case as oggetto).
func (s *Service) ScriviContenuto(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce, chiuso error,
	fn func(tx pgx.Tx, c Caso, w *registro.Voce) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.Lock(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !c.Aperto() {
			return chiuso
		}
		w := v
		if err := fn(tx, c, &w); err != nil {
			return err
		}
		w.Azione, w.Esito, w.CasoID = registro.Scrittura, registro.Consentito, id.String()
		return s.reg.RecordTx(ctx, tx, w)
	})
	if errors.Is(err, ErrNotFound) {
		v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, registro.Scrittura
		v.CasoID, v.OggettoID = id.String(), id.String()
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return rerr
		}
	}
	return err
}

// Get returns the case header with no scope check: for modules that have
// made their own (the coordinatore board checks Covers on anagrafica).
func (s *Service) Get(ctx context.Context, q database.Querier, id uuid.UUID) (Caso, error) {
	return load(ctx, q, id, false)
}

// PortaInStato sets the workflow state of case id, as the workflow modules
// do when their step moves it (the demo loader, the tests); the case
// manager it needs past "ricevuto" must be assigned already.
func (s *Service) PortaInStato(ctx context.Context, id uuid.UUID, stato Stato) error {
	return portaInStato(ctx, s.pool, id, stato)
}
