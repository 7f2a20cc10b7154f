package accesso

import (
	"context"
	"fmt"
	"time"

	"github.com/cartella/cartella/internal/authz"
)

// ConRuolo returns the active operators holding role ruolo in comune
// comuneID on day giorno, by surname and name: the people a coordinatore of
// that comune may give work to (e.g. the responsabili controlli). A narrow
// read for other modules: no registro record (the caller records its page).
func (s *Service) ConRuolo(ctx context.Context, ruolo authz.Ruolo, comuneID int64, giorno time.Time) ([]Operatore, error) {
	ops, err := s.st.conRuolo(ctx, s.pool, ruolo, comuneID, giorno)
	if err != nil {
		return nil, fmt.Errorf("accesso: operators with role %s: %w", ruolo, err)
	}
	return ops, nil
}
