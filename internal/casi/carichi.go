package casi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/registro"
)

// Workload of the case managers of a coordinatore's scope, and the
// reassignment of all the open cases of one operator (who leaves, changes
// office, is on long leave) to another.

// Carico is one operator's open cases in the coordinatore's scope.
type Carico struct {
	ID     uuid.UUID
	Nome   string
	Comuni string // where they are case manager today, in the scope
	// Attivo: an active operator with a case manager role in the scope
	// today. An operator who is not, and still has open cases, left: the
	// cases wait for a reassignment.
	Attivo      bool
	Aperti      int // open cases
	PrimoDaFare int // 120-day deadline still to be met
	InScadenza  int // a deadline (120 or 90 days) within SogliaInScadenza days
	Scaduti     int // a deadline (120 or 90 days) expired
}

// Carichi is the workload page.
type Carichi struct {
	Operatori   []Carico
	DaAssegnare int // open cases of the scope without a case manager
	Attivi      []CaseManager
}

// CarichiLavoro returns the workload of the case managers of p's scope:
// every active case manager (with or without cases) and every operator
// still holding open cases there. Counts only: no case is shown.
func (s *Service) CarichiLavoro(ctx context.Context, p authz.Principal, v registro.Voce) (Carichi, error) {
	var out Carichi
	if !coordinatore(p) {
		return out, ErrNotFound
	}
	where, args := scopeSQL(p, nil)
	args = append(args, s.Oggi())
	oggi := fmt.Sprintf("$%d", len(args))
	ruoloScope := "r.ambito_id = $1"
	if p.ComuneID != nil {
		ruoloScope += " AND r.comune_id = $2"
	}
	rows, err := s.pool.Query(ctx, `
		WITH cm AS (
			SELECT r.operatore_id, string_agg(DISTINCT co.denominazione, ', ') AS comuni
			FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id JOIN comune co ON co.id = r.comune_id
			WHERE r.ruolo = 'case_manager' AND `+ruoloScope+` AND o.stato = 'attivo'
			  AND r.dal <= `+oggi+` AND (r.al IS NULL OR r.al >= `+oggi+`)
			GROUP BY r.operatore_id),
		carico AS (
			SELECT c.case_manager_id AS id, count(*) AS aperti,
			       count(*) FILTER (WHERE c.t120_stato IN ('in_corso', 'in_scadenza', 'scaduto')) AS primo,
			       count(*) FILTER (WHERE c.t120_stato = 'in_scadenza' OR c.t90_stato = 'in_scadenza') AS in_scadenza,
			       count(*) FILTER (WHERE c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto') AS scaduti
			FROM caso c
			WHERE `+where+` AND c.stato <> 'chiuso' AND c.case_manager_id IS NOT NULL
			GROUP BY c.case_manager_id)
		SELECT o.id, o.cognome || ' ' || o.nome, COALESCE(cm.comuni, ''), cm.operatore_id IS NOT NULL,
		       COALESCE(k.aperti, 0), COALESCE(k.primo, 0), COALESCE(k.in_scadenza, 0), COALESCE(k.scaduti, 0)
		FROM operatore o LEFT JOIN cm ON cm.operatore_id = o.id LEFT JOIN carico k ON k.id = o.id
		WHERE cm.operatore_id IS NOT NULL OR k.id IS NOT NULL
		ORDER BY cm.operatore_id IS NOT NULL, o.cognome, o.nome`, args...)
	if err != nil {
		return out, fmt.Errorf("casi: carichi: %w", err)
	}
	out.Operatori, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Carico, error) {
		var c Carico
		err := r.Scan(&c.ID, &c.Nome, &c.Comuni, &c.Attivo, &c.Aperti, &c.PrimoDaFare, &c.InScadenza, &c.Scaduti)
		return c, err
	})
	if err != nil {
		return out, fmt.Errorf("casi: carichi: %w", err)
	}
	where, args = scopeSQL(p, nil)
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM caso c WHERE `+where+` AND c.stato <> 'chiuso' AND c.case_manager_id IS NULL`, args...).Scan(&out.DaAssegnare); err != nil {
		return out, fmt.Errorf("casi: carichi: %w", err)
	}
	if out.Attivi, err = s.caseManagers(ctx, p); err != nil {
		return out, err
	}
	v.Azione, v.OggettoTipo, v.Esito, v.Dettaglio = registro.Lettura, "carichi", registro.Consentito, fmt.Sprintf("%d operatori", len(out.Operatori))
	return out, s.reg.Record(ctx, v)
}

// ErrRiassegnazione is a reassignment request that cannot start, with the
// field it concerns and the message in Italian.
type ErrRiassegnazione struct{ Campo, Messaggio string }

func (e *ErrRiassegnazione) Error() string { return e.Messaggio }

// RiassegnaTutti gives every open case of p's scope held by da to a, each
// case as Assegna does (a case of a comune where a is not case manager
// stays with da, with the reason).
func (s *Service) RiassegnaTutti(ctx context.Context, p authz.Principal, da, a uuid.UUID, motivo string, v registro.Voce) ([]Esito, error) {
	if !coordinatore(p) {
		return nil, ErrNotFound
	}
	switch {
	case da == uuid.Nil:
		return nil, &ErrRiassegnazione{"da", "Scegli l'operatore di cui riassegnare i casi."}
	case a == uuid.Nil:
		return nil, &ErrRiassegnazione{"a", "Scegli il case manager a cui assegnarli."}
	case da == a:
		return nil, &ErrRiassegnazione{"a", "Scegli un case manager diverso da quello di partenza."}
	case strings.TrimSpace(motivo) == "":
		return nil, &ErrRiassegnazione{"motivo_tutti", "Indica il motivo della riassegnazione: resta nella storia di ogni caso."}
	}
	where, args := scopeSQL(p, nil)
	args = append(args, da)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT c.id, c.versione FROM caso c
		WHERE %s AND c.stato <> 'chiuso' AND c.case_manager_id = $%d ORDER BY c.urgenza ASC NULLS LAST, c.numero`, where, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("casi: riassegna: %w", err)
	}
	rq, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Richiesta, error) {
		var x Richiesta
		err := r.Scan(&x.CasoID, &x.Versione)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("casi: riassegna: %w", err)
	}
	if len(rq) == 0 {
		return nil, &ErrRiassegnazione{"da", "L'operatore scelto non ha casi aperti nel tuo ambito di competenza."}
	}
	return s.Assegna(ctx, p, a, rq, strings.TrimSpace(motivo), v)
}

// CarichiRoutes mounts the workload page and the reassignment of all the
// cases of an operator.
func (h *BoardHandler) CarichiRoutes(r chi.Router) {
	read := h.guard.Require(authz.Assegnazioni, authz.Read)
	write := h.guard.Require(authz.Assegnazioni, authz.Write)
	r.With(read).Get("/assegnazioni/carichi", h.carichi)
	r.With(write).Post("/assegnazioni/carichi", h.riassegnaTutti)
}

// formRiassegna is what the reassignment form holds, kept on errors.
type formRiassegna struct {
	Da, A, Motivo string
	Errori        map[string]string
}

func (h *BoardHandler) renderCarichi(w http.ResponseWriter, r *http.Request, status int, f formRiassegna, esiti []Esito) {
	p, _ := authz.PrincipalFrom(r.Context())
	c, err := h.svc.CarichiLavoro(r.Context(), p, registro.FromRequest(r, registro.Voce{}))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, carichiPage(h.rs.Shell(r), c, f, esiti))
}

func (h *BoardHandler) carichi(w http.ResponseWriter, r *http.Request) {
	h.renderCarichi(w, r, http.StatusOK, formRiassegna{Da: r.URL.Query().Get("da")}, nil)
}

func (h *BoardHandler) riassegnaTutti(w http.ResponseWriter, r *http.Request) {
	p, _ := authz.PrincipalFrom(r.Context())
	f := formRiassegna{Da: r.PostFormValue("da"), A: r.PostFormValue("a"), Motivo: r.PostFormValue("motivo_tutti")}
	da, _ := uuid.Parse(f.Da)
	a, _ := uuid.Parse(f.A)
	esiti, err := h.svc.RiassegnaTutti(r.Context(), p, da, a, f.Motivo, registro.FromRequest(r, registro.Voce{}))
	var e *ErrRiassegnazione
	if errors.As(err, &e) {
		f.Errori = map[string]string{e.Campo: e.Messaggio}
		h.renderCarichi(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.renderCarichi(w, r, http.StatusOK, formRiassegna{}, esiti)
}
