package segnalazioni

import (
	"context"
	"fmt"

	"github.com/cartella/cartella/internal/authz"
)

// Riepilogo counts the coordinatore's segnalazioni work for the home page:
// counts only, no segnalazione is read.
type Riepilogo struct {
	DaApprovare int // in approvazione, waiting for the decision
	DaInviare   int // approved, waiting for an export to INPS
	Scartate    int // refused by INPS and not rectified yet
}

// RiepilogoCoordinatore returns p's counts; ok is false for a role that
// does not decide on segnalazioni.
func (s *Service) RiepilogoCoordinatore(ctx context.Context, p authz.Principal) (r Riepilogo, ok bool, err error) {
	if !coordinatore(p) {
		return r, false, nil
	}
	err = contaCoordinatore(ctx, s.pool, p, &r)
	if err != nil {
		return r, false, fmt.Errorf("segnalazioni: riepilogo: %w", err)
	}
	if r.Scartate, err = scartate(ctx, s.pool, p); err != nil {
		return r, false, err
	}
	return r, true, nil
}
