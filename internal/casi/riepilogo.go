package casi

import (
	"context"
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
)

// Riepilogo counts the open cases of an operator's work: the case
// manager's own, or the coordinatore's scope. Counts only: no case is read.
type Riepilogo struct {
	Aperti      int // open cases
	DaAssegnare int // without a case manager (coordinatore)
	Scaduti     int // a legal deadline (120 or 90 days) expired
	T120Scaduti int // the first meeting's deadline expired
	InScadenza  int // a legal deadline within scadenze.SogliaInScadenza days
	Oggi        int // appointments today (case manager)
}

// RiepilogoLavoro returns p's counts; ok is false for roles without cases.
func (s *Service) RiepilogoLavoro(ctx context.Context, p authz.Principal) (r Riepilogo, ok bool, err error) {
	y, m, d := s.now().In(calendario.Roma).Date()
	inizio := time.Date(y, m, d, 0, 0, 0, 0, calendario.Roma)
	switch {
	case ConCasiPropri(p):
		r, err = riepilogoCaseManager(ctx, s.pool, p.OperatoreID, *p.ComuneID, inizio)
	case coordinatore(p):
		r, err = riepilogoAmbito(ctx, s.pool, AmbitoDi(p), inizio)
	default:
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("casi: riepilogo: %w", err)
	}
	return r, true, nil
}
