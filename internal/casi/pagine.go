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
	svc *Service
	rs  *httpx.Responder
	// inAttesa is the page of a case opened by a coordinatore, which waits
	// for a case manager: the assignment board's, wired by the composition
	// root (casi does not know the board's URLs).
	inAttesa func(id uuid.UUID) string
}

// NewHandler returns the handler; inAttesa is the page a coordinatore is
// taken to after opening a case that waits for its case manager.
func NewHandler(svc *Service, rs *httpx.Responder, inAttesa func(id uuid.UUID) string) *Handler {
	return &Handler{svc: svc, rs: rs, inAttesa: inAttesa}
}

func (h *Handler) Elenco(w http.ResponseWriter, r *http.Request) {
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

func (h *Handler) Scheda(w http.ResponseWriter, r *http.Request) {
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

// esitoScheda is the message the case page shows after a write that
// redirected to it (?esito=…).
func esitoScheda(e string) string {
	switch e {
	case "aperto":
		return "Caso aperto e assegnato a te."
	case "chiuso":
		return "Caso chiuso."
	case "riaperto":
		return "Caso riaperto."
	case "componente":
		return "Condizioni del componente salvate; le scadenze sono state ricalcolate."
	}
	return ""
}
