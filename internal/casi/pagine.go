package casi

import (
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the case manager's pages: /casi and /casi/{id}.
type Handler struct {
	svc   *Service
	rs    *httpx.Responder
	guard *authz.Guard
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder, guard *authz.Guard) *Handler {
	return &Handler{svc: svc, rs: rs, guard: guard}
}

// Routes mounts /casi; every route declares its permission.
func (h *Handler) Routes(r chi.Router) {
	read := h.guard.Require(authz.Casi, authz.Read)
	r.With(read).Get("/casi", h.elenco)
	r.With(read).Get("/casi/{id}", h.scheda)
	h.DiarioRoutes(r)
	h.AzioniRoutes(r)
}

func (h *Handler) elenco(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := FiltroElenco{Q: q.Get("q"), Chiusi: q.Get("stato") == "chiusi", Dopo: q.Get("dopo")}
	e, err := h.svc.ElencoCaseManager(r.Context(), authz.PrincipalOf(r), f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	next := ""
	if e.Prossima != "" {
		v := url.Values{}
		if f.Q != "" {
			v.Set("q", f.Q)
		}
		if f.Chiusi {
			v.Set("stato", "chiusi")
		}
		v.Set("dopo", e.Prossima)
		next = "/casi?" + v.Encode()
	}
	h.rs.Render(w, r, http.StatusOK, elencoPage(h.rs.Shell(r), e, f, next))
}

func (h *Handler) scheda(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, schedaPage(h.rs.Shell(r), sc, esitoScheda(r.URL.Query().Get("esito"))))
}
