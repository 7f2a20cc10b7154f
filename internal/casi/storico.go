package casi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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
	rows, err := s.pool.Query(ctx, `
		SELECT s.quando, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), s.evento, s.da, s.a, s.nota
		FROM caso_storico s LEFT JOIN operatore o ON o.id = s.operatore_id
		WHERE s.caso_id = $1 ORDER BY s.id DESC LIMIT $2`, id, maxStorico+1)
	if err != nil {
		return st, fmt.Errorf("casi: storico: %w", err)
	}
	st.Eventi, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
		var e EventoStorico
		err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
		return e, err
	})
	if err != nil {
		return st, fmt.Errorf("casi: storico: %w", err)
	}
	if len(st.Eventi) > maxStorico {
		st.Eventi, st.Troncato = st.Eventi[:maxStorico], true
	}
	rows, err = s.pool.Query(ctx, `
		SELECT o.nome || ' ' || o.cognome, COALESCE(d.nome || ' ' || d.cognome, 'Sistema'), a.motivo, a.dal, a.al
		FROM caso_assegnazione a JOIN operatore o ON o.id = a.case_manager_id LEFT JOIN operatore d ON d.id = a.assegnato_da
		WHERE a.caso_id = $1 ORDER BY a.dal DESC, a.id DESC`, id)
	if err != nil {
		return st, fmt.Errorf("casi: storico: assegnazioni: %w", err)
	}
	st.Assegnazioni, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PeriodoAssegnazione, error) {
		var x PeriodoAssegnazione
		err := r.Scan(&x.CaseManager, &x.AssegnatoDa, &x.Motivo, &x.Dal, &x.Al)
		return x, err
	})
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
