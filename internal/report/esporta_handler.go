package report

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Aggiorna: seconds between two reloads of a running export's page.
const Aggiorna = 2

// ConEsportazioni lets the cruscotto's tables be exported through esp.
func (h *Handler) ConEsportazioni(esp *Esportatore) { h.esp = esp }

// Richiedi is POST /report/esportazioni: the export of a table or of the
// dataset, for the filters of the page; then its progress page.
func (h *Handler) Richiedi(w http.ResponseWriter, r *http.Request) {
	in := RichiestaEsportazione{Richiesta: Richiesta{Dal: r.PostFormValue("dal"), Al: r.PostFormValue("al"), Comune: r.PostFormValue("comune")},
		Tipo: r.PostFormValue("tipo"), Formato: r.PostFormValue("formato")}
	p := authz.PrincipalOf(r)
	id, err := h.esp.Richiedi(r.Context(), p, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/report/esportazioni/"+strconv.FormatInt(id, 10))
	case errors.As(err, &fe):
		// The page as it was asked, with the errors next to the fields.
		c, cerr := h.svc.Cruscotto(r.Context(), p, in.Richiesta)
		if cerr != nil && !errors.As(cerr, new(httpx.FieldErrors)) {
			h.rs.Error(w, r, cerr)
			return
		}
		c.Tabelle = nil
		h.rs.Render(w, r, http.StatusUnprocessableEntity, pagina(h.rs.Shell(r), c, in.Richiesta, fe))
	default:
		h.rs.Error(w, r, err)
	}
}

// Esportazioni is GET /report/esportazioni: the requester's own exports.
func (h *Handler) Esportazioni(w http.ResponseWriter, r *http.Request) {
	pag, err := strconv.Atoi(r.URL.Query().Get("pagina"))
	if err != nil || pag < 1 || pag > 1_000_000 {
		pag = 1
	}
	var xx []Esportazione
	var next bool
	xx, next, err = h.esp.Elenco(r.Context(), authz.PrincipalOf(r), pag)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	s := h.rs.Shell(r)
	statica := r.URL.Query().Get("statica") == "1"
	for _, x := range xx {
		if x.InLavorazione() && !statica {
			s.Refresh = Aggiorna
		}
	}
	h.rs.Render(w, r, http.StatusOK, elencoEsportazioni(s, xx, pag, next, statica))
}

func idEsportazione(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	return id, err == nil && id > 0
}

// Esportazione is GET /report/esportazioni/{id}: its progress, refreshed
// every Aggiorna seconds while it runs, and the download when ready.
func (h *Handler) Esportazione(w http.ResponseWriter, r *http.Request) {
	id, ok := idEsportazione(r)
	if !ok {
		h.rs.NotFound(w, r)
		return
	}
	x, err := h.esp.Esportazione(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	// The page reloads itself while the export runs, unless the operator
	// asked it not to (WCAG 2.2.1: a refresh the user can turn off).
	s := h.rs.Shell(r)
	statica := r.URL.Query().Get("statica") == "1"
	if x.InLavorazione() && !statica {
		s.Refresh = Aggiorna
	}
	h.rs.Render(w, r, http.StatusOK, esportazionePage(s, x, statica))
}

// File is GET /report/esportazioni/{id}/file: the file, streamed from its
// blocks, to who asked it only (anyone else: 404).
func (h *Handler) File(w http.ResponseWriter, r *http.Request) {
	id, ok := idEsportazione(r)
	if !ok {
		h.rs.NotFound(w, r)
		return
	}
	iniziato := false
	err := h.esp.Scarica(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r), func(x Esportazione) io.Writer {
		iniziato = true
		ct := "text/csv; charset=utf-8"
		if x.Formato == XLSX {
			ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="`+x.NomeFile()+`"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		return w
	})
	if err != nil && !iniziato {
		h.rs.Error(w, r, err)
	}
}

func lower(s string) string { return strings.ToLower(s) }
