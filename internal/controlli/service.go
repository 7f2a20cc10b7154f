package controlli

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// oggettoTipo is the registro's name of what this module reads and writes.
const oggettoTipo = "controllo"

// Service is the controlli anagrafici.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	casi *casi.Service
	segn *segnalazioni.Service
	acc  *accesso.Service // the comune's responsabili (lista.go)
	now  func() time.Time
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, ss *segnalazioni.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, segn: ss, acc: accesso.NewService(pool), now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// oggi is today's civil date in Rome.
func (s *Service) oggi() time.Time { return calendario.Giorno(s.now()) }

// coordinatore reports whether p is a coordinatore controlli of a comune.
func coordinatore(p authz.Principal) bool {
	return p.Ruolo == authz.CoordinatoreControlli && p.ComuneID != nil
}

// responsabile reports whether p is a responsabile controlli of a comune.
func responsabile(p authz.Principal) bool {
	return p.Ruolo == authz.ResponsabileControlli && p.ComuneID != nil
}
