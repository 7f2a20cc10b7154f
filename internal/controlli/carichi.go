package controlli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/registro"
)

// The workload of the comune's responsabili (GET /controlli/carichi), for
// the coordinatore controlli.

// Carico is one responsabile's work in the comune.
type Carico struct {
	ID         uuid.UUID
	Nome       string // "Nome Cognome"
	Attivo     bool   // a responsabile of the comune today
	Aperte     int    // in lavorazione or forwarded to a previous comune
	InScadenza int    // not concluded, due within GiorniInScadenza days
	Scadute    int    // not concluded, past due
	Concluse30 int    // concluded in the last 30 days
}

// Carichi is the workload page.
type Carichi struct {
	Oggi        time.Time
	Giorni      int
	DaAssegnare int
	Operatori   []Carico // the active responsabili, then who holds work and is no longer one
}

// Carichi returns the workload of the responsabili of p's comune; the read
// is recorded.
func (s *Service) Carichi(ctx context.Context, p authz.Principal, v registro.Voce) (Carichi, error) {
	if !coordinatore(p) {
		return Carichi{}, ErrFuoriAmbito
	}
	pt := portata{comune: *p.ComuneID}
	c := Carichi{Oggi: s.oggi(), Giorni: GiorniInScadenza}
	resps, err := s.Responsabili(ctx, p)
	if err != nil {
		return c, err
	}
	per, err := carichi(ctx, s.pool, pt, c.Oggi, c.Giorni)
	if err != nil {
		return c, fmt.Errorf("controlli: carichi: %w", err)
	}
	cont, err := conteggi(ctx, s.pool, pt, c.Oggi, c.Giorni)
	if err != nil {
		return c, fmt.Errorf("controlli: carichi: %w", err)
	}
	c.DaAssegnare = cont.DaAssegnare
	byID := map[uuid.UUID]Carico{}
	for _, k := range per {
		byID[k.ID] = k
	}
	for _, r := range resps {
		k := byID[r.ID]
		k.ID, k.Nome, k.Attivo = r.ID, r.Nome, true
		c.Operatori = append(c.Operatori, k)
		delete(byID, r.ID)
	}
	for _, k := range per { // in the query's order
		if _, ok := byID[k.ID]; ok && (k.Aperte > 0 || k.Concluse30 > 0) {
			c.Operatori = append(c.Operatori, k)
		}
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoTipo, registro.Consentito
	v.Dettaglio = fmt.Sprintf("carichi di lavoro: %d responsabili", len(c.Operatori))
	return c, s.reg.Record(ctx, v)
}

// Carichi serves GET /controlli/carichi.
func (h *Handler) Carichi(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Carichi(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, carichiPage(h.rs.Shell(r), c))
}
