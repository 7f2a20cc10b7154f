package rete

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/internal/registro"
)

// oggettoTipo is the registro's name of what this module reads and writes.
const (
	oggettoEnte       = "rete_ente"
	oggettoServizio   = "rete_servizio"
	oggettoProtocollo = "rete_protocollo"
	oggettoInvio      = "rete_invio"
)

// Service is the network of services.
type Service struct {
	pool  *pgxpool.Pool
	reg   *registro.Service
	casi  *casi.Service
	patto *patto.Service
	posta *posta.Outbox
	now   func() time.Time
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, ps *patto.Service, po *posta.Outbox) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, patto: ps, posta: po, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// oggi is today's civil date in Rome.
func (s *Service) oggi() time.Time { return calendario.Giorno(s.now()) }
