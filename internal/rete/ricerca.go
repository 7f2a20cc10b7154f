package rete

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/registro"
)

// Ricerca is the map searched by a case manager: the services available
// today in a comune.
type Ricerca struct {
	Caso    *casi.Caso // the case searched from, if any
	Comune  string     // "" : every comune of the ambito
	Area    string
	Testo   string
	Servizi []Servizio
	Oggi    time.Time
}

// Disponibili are the services a household of comune comuneID of ambito
// ambitoID may be sent to today: active, of an active ente, valid today,
// covering the comune; filtered by area and free text. It checks no access:
// the caller has (invii builds its choice of services on it).
func (s *Service) Disponibili(ctx context.Context, ambitoID, comuneID int64, area, testo string) ([]Servizio, error) {
	if area != "" && !valido(Aree, area) {
		area = ""
	}
	return disponibili(ctx, s.pool, ambitoID, comuneID, s.oggi(), area, testo)
}

// Cerca searches the map for p: from case casoID (the case manager assigned
// to it; the read of the case is recorded), the services available in the
// case's comune; without a case, those of p's comune (a case manager) or of
// the whole ambito (the gestore, the coordinatore).
func (s *Service) Cerca(ctx context.Context, p authz.Principal, casoID *uuid.UUID, area, testo string, v registro.Voce) (Ricerca, error) {
	out := Ricerca{Area: area, Testo: testo, Oggi: s.oggi()}
	var amb, comune int64
	switch {
	case casoID != nil:
		v.OggettoTipo = "rete_mappa"
		c, err := s.casi.Access(ctx, p, *casoID, v)
		if err != nil {
			return out, err
		}
		out.Caso, amb, comune, out.Comune = &c, c.AmbitoID, c.ComuneID, c.Comune
	case p.AmbitoID != nil && p.ComuneID != nil:
		amb, comune = *p.AmbitoID, *p.ComuneID
		if err := s.pool.QueryRow(ctx, `SELECT denominazione FROM comune WHERE id = $1`, comune).Scan(&out.Comune); err != nil {
			return out, err
		}
	case p.AmbitoID != nil:
		amb = *p.AmbitoID
	default:
		v.OggettoTipo = oggettoServizio
		return out, s.negato(ctx, v)
	}
	var err error
	out.Servizi, err = s.Disponibili(ctx, amb, comune, area, testo)
	return out, err
}

// SchedaServizio is a service for the printable sheet given to the family:
// the service and how to reach it, no personal data. Any operator of the
// ambito allowed to read the map may print it.
func (s *Service) SchedaServizio(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Servizio, error) {
	v.OggettoTipo, v.OggettoID = oggettoServizio, strconv.FormatInt(id, 10)
	sv, err := caricaServizio(ctx, s.pool, id)
	if err == ErrNotFound || (err == nil && (p.AmbitoID == nil || *p.AmbitoID != sv.AmbitoID)) {
		return Servizio{}, s.negato(ctx, v)
	}
	return sv, err
}

// --- handlers ---

// Mappa is GET /rete/mappa?caso=&area=&q=.
func (h *Handler) Mappa(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var casoID *uuid.UUID
	if c := q.Get("caso"); c != "" {
		id, err := uuid.Parse(c)
		if err != nil {
			h.rs.Error(w, r, casi.ErrNotFound)
			return
		}
		casoID = &id
	}
	ri, err := h.svc.Cerca(r.Context(), authz.PrincipalOf(r), casoID, q.Get("area"), q.Get("q"), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, mappaPage(h.rs.Shell(r), ri))
}

// Scheda is GET /rete/servizi/{n}/scheda, printable.
func (h *Handler) Scheda(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sv, err := h.svc.SchedaServizio(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, schedaPage(h.rs.Shell(r), sv, r.URL.Query().Get("caso")))
}
