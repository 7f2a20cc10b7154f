package casi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/registro"
)

// maxStorico is how many events the history page shows, newest first.
const maxStorico = 1000

// StoricoCaso is the history page of a case: its events and the periods
// with each case manager.
type StoricoCaso struct {
	Caso         Caso
	Eventi       []EventoStorico
	Assegnazioni []PeriodoAssegnazione
	Troncato     bool // older events than maxStorico exist
}

// StoricoDelCaso returns the history of the case for p (the case manager of
// the case); the read is recorded.
func (s *Service) StoricoDelCaso(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (StoricoCaso, error) {
	v.OggettoTipo = "storico"
	c, err := s.Access(ctx, p, id, v)
	if err != nil {
		return StoricoCaso{}, err
	}
	st := StoricoCaso{Caso: c}
	st.Eventi, err = eventiStorico(ctx, s.pool, id, maxStorico+1)
	if err != nil {
		return st, fmt.Errorf("casi: storico: %w", err)
	}
	if len(st.Eventi) > maxStorico {
		st.Eventi, st.Troncato = st.Eventi[:maxStorico], true
	}
	st.Assegnazioni, err = periodiStorico(ctx, s.pool, id)
	if err != nil {
		return st, fmt.Errorf("casi: storico: assegnazioni: %w", err)
	}
	return st, nil
}

func (h *Handler) Storico(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	p := authz.PrincipalOf(r)
	st, err := h.svc.StoricoDelCaso(r.Context(), p, id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, storicoPage(h.rs.Shell(r), st))
}
