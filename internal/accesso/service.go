package accesso

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// Service is the module's API.
type Service struct {
	pool    *pgxpool.Pool
	st      store
	now     func() time.Time
	audit   Auditor
	enti    Enti
	luoghi  *Luoghi // places of birth typed by name (SetLuoghi); nil: taken as typed
	changed func(ctx context.Context, operatoreID uuid.UUID, stato string)
}

// SetLuoghi makes the operators' forms resolve the comune (or foreign
// state) of birth against the ISTAT lists and check it against the codice
// fiscale.
func (s *Service) SetLuoghi(l *Luoghi) { s.luoghi = l }

// NewService returns the service over pool.
func NewService(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, now: time.Now}
}

// Pool is the service's database: for the composition only (the demo loader
// creates the demo ente of the rete dei servizi before accrediting its
// operator). Modules never reach another module's tables through it.
func (s *Service) Pool() *pgxpool.Pool { return s.pool }

// Accreditamento is an operator with the roles in force today.
type Accreditamento struct {
	Operatore Operatore
	Ruoli     []Assegnazione
}

// Ruolo returns the assignment with id, if the operator holds it today.
func (a Accreditamento) Ruolo(id int64) (Assegnazione, bool) {
	for _, r := range a.Ruoli {
		if r.ID == id {
			return r, true
		}
	}
	return Assegnazione{}, false
}

// ActiveByCF returns the accreditation of the operator with codice fiscale cf
// (raw claim value: the "TINIT-" prefix is accepted). ErrNotAccredited when
// the operator is unknown, suspended, revoked or holds no role today.
func (s *Service) ActiveByCF(ctx context.Context, cf string) (Accreditamento, error) {
	cf = codicefiscale.Normalize(cf)
	if codicefiscale.Validate(cf) != nil {
		return Accreditamento{}, ErrNotAccredited
	}
	op, err := s.st.operatoreByCF(ctx, s.pool, cf)
	if errors.Is(err, ErrNotFound) {
		return Accreditamento{}, ErrNotAccredited
	}
	if err != nil {
		return Accreditamento{}, fmt.Errorf("accesso: operator by cf: %w", err)
	}
	return s.active(ctx, op)
}

// Active returns the accreditation in force today of operator id.
func (s *Service) Active(ctx context.Context, id uuid.UUID) (Accreditamento, error) {
	op, err := s.st.operatoreByID(ctx, s.pool, id)
	if errors.Is(err, ErrNotFound) {
		return Accreditamento{}, ErrNotAccredited
	}
	if err != nil {
		return Accreditamento{}, fmt.Errorf("accesso: operator: %w", err)
	}
	return s.active(ctx, op)
}

func (s *Service) active(ctx context.Context, op Operatore) (Accreditamento, error) {
	if op.Stato != "attivo" {
		return Accreditamento{}, ErrNotAccredited
	}
	ruoli, err := s.st.activeAssegnazioni(ctx, s.pool, op.ID, s.today())
	if err != nil {
		return Accreditamento{}, err
	}
	if len(ruoli) == 0 {
		return Accreditamento{}, ErrNotAccredited
	}
	if err := s.nomiEnti(ctx, ruoli); err != nil {
		return Accreditamento{}, err
	}
	return Accreditamento{Operatore: op, Ruoli: ruoli}, nil
}

func (s *Service) today() time.Time { return calendario.Giorno(s.now()) }

// CreateAmbito creates an ambito territoriale with its comuni.
func (s *Service) CreateAmbito(ctx context.Context, a Ambito, comuni []Comune) (Ambito, []Comune, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		id, err := s.st.insertAmbito(ctx, tx, a)
		if err != nil {
			return fmt.Errorf("accesso: create ambito: %w", err)
		}
		a.ID = id
		for i := range comuni {
			comuni[i].AmbitoID = &a.ID
			if comuni[i].ID, err = s.st.upsertComune(ctx, tx, comuni[i]); err != nil {
				return fmt.Errorf("accesso: comune %s: %w", comuni[i].CodiceISTAT, err)
			}
		}
		return nil
	})
	return a, comuni, err
}

// CreateComune records a comune, in ambito c.AmbitoID or in none (nil); a
// comune already known by its ISTAT code is updated and keeps its ambito
// when c names none.
func (s *Service) CreateComune(ctx context.Context, c Comune) (Comune, error) {
	id, err := s.st.upsertComune(ctx, s.pool, c)
	if err != nil {
		return Comune{}, fmt.Errorf("accesso: comune %s: %w", c.CodiceISTAT, err)
	}
	c.ID = id
	return c, nil
}

// AmbitoByCodice finds an ambito by its code.
func (s *Service) AmbitoByCodice(ctx context.Context, codice string) (Ambito, error) {
	return s.st.ambitoByCodice(ctx, s.pool, codice)
}

// Comuni lists the comuni of an ambito.
func (s *Service) Comuni(ctx context.Context, ambitoID int64) ([]Comune, error) {
	return s.st.comuniOfAmbito(ctx, s.pool, ambitoID)
}

// Assegna gives an accredited operator one more role, with Accredit's
// checks of its scope and none of the amministratore's (the demo loader,
// the tests). A zero r.Dal is today.
func (s *Service) Assegna(ctx context.Context, operatoreID uuid.UUID, r Assegnazione) (int64, error) {
	if err := checkScope(r); err != nil {
		return 0, fmt.Errorf("accesso: assegna %s: %w", r.Ruolo, err)
	}
	if r.Dal.IsZero() {
		r.Dal = s.today()
	}
	id, err := s.st.insertAssegnazione(ctx, s.pool, operatoreID, r)
	if err != nil {
		return 0, fmt.Errorf("accesso: assegna %s: %w", r.Ruolo, err)
	}
	return id, nil
}

// Accredit creates an operator with their roles, all or nothing.
func (s *Service) Accredit(ctx context.Context, op Operatore, ruoli []Assegnazione) (Operatore, error) {
	op.CodiceFiscale = codicefiscale.Normalize(op.CodiceFiscale)
	if err := codicefiscale.Validate(op.CodiceFiscale); err != nil {
		return Operatore{}, fmt.Errorf("accesso: accredit: %w", err)
	}
	for _, r := range ruoli {
		if err := checkScope(r); err != nil {
			return Operatore{}, fmt.Errorf("accesso: accredit %s: %w", r.Ruolo, err)
		}
		if (r.Ruolo == authz.AmministratoreAmbito || r.Ruolo == authz.AmministratoreSistema) && len(ruoli) > 1 {
			return Operatore{}, ErrIncompatible
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		id, err := s.st.insertOperatore(ctx, tx, op)
		if err != nil {
			return fmt.Errorf("accesso: accredit: %w", err)
		}
		op.ID = id
		for _, r := range ruoli {
			if r.Dal.IsZero() {
				r.Dal = s.today()
			}
			if _, err := s.st.insertAssegnazione(ctx, tx, id, r); err != nil {
				return fmt.Errorf("accesso: accredit role %s: %w", r.Ruolo, err)
			}
		}
		return nil
	})
	if err != nil {
		return Operatore{}, err
	}
	op.Stato = "attivo"
	s.annuncia(ctx, op.ID)
	return op, nil
}
