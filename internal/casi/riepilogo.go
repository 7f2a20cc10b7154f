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
	var where string
	var args []any
	switch {
	case ConCasiPropri(p):
		args = []any{p.OperatoreID, *p.ComuneID}
		where = "c.case_manager_id = $1 AND c.comune_id = $2"
	case coordinatore(p):
		where, args = scopeSQL(p, nil)
	default:
		return r, false, nil
	}
	y, m, d := s.now().In(calendario.Roma).Date()
	inizio := time.Date(y, m, d, 0, 0, 0, 0, calendario.Roma)
	args = append(args, inizio, inizio.AddDate(0, 0, 1))
	n := len(args)
	err = s.pool.QueryRow(ctx, fmt.Sprintf(`
		SELECT count(*),
		       count(*) FILTER (WHERE c.case_manager_id IS NULL),
		       count(*) FILTER (WHERE c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto'),
		       count(*) FILTER (WHERE c.t120_stato = 'scaduto'),
		       count(*) FILTER (WHERE c.t120_stato = 'in_scadenza' OR c.t90_stato = 'in_scadenza'),
		       count(*) FILTER (WHERE c.prossimo_appuntamento >= $%d AND c.prossimo_appuntamento < $%d)
		FROM caso c WHERE %s AND c.stato <> 'chiuso'`, n-1, n, where), args...).
		Scan(&r.Aperti, &r.DaAssegnare, &r.Scaduti, &r.T120Scaduti, &r.InScadenza, &r.Oggi)
	if err != nil {
		return r, false, fmt.Errorf("casi: riepilogo: %w", err)
	}
	return r, true, nil
}
