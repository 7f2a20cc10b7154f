package fsl

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the records of a case's signed patto.
type Handler struct {
	svc *patto.Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *patto.Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}

func (h *Handler) Tracciati(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	p := authz.PrincipalOf(r)
	n, err := h.svc.PerServiziNazionali(r.Context(), p, id, "fsl", registro.VoceOf(r))
	if errors.Is(err, patto.ErrNonFirmato) {
		err = patto.ErrNonTrovata
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	b, err := json.MarshalIndent(Tutti(n), "", "  ")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="fsl-`+n.Caso.Codice()+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(b, '\n'))
}
