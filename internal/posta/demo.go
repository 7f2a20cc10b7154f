package posta

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/httpx"
)

// DemoHandler is the mail sink's reader at /demo/posta: mounted only by
// `cartella demo` when no SMTP server is configured, like the demo
// identity provider. It shows every message of the outbox: all of them
// went to the sink, none left the system.
type DemoHandler struct {
	o  *Outbox
	rs *httpx.Responder
}

// NewDemoHandler returns the reader of o's sink.
func NewDemoHandler(o *Outbox, rs *httpx.Responder) *DemoHandler {
	return &DemoHandler{o: o, rs: rs}
}

const perPagina = 50

func (h *DemoHandler) Elenco(w http.ResponseWriter, r *http.Request) {
	dopo, _ := strconv.ParseInt(r.URL.Query().Get("dopo"), 10, 64)
	vs, err := h.o.Elenco(r.Context(), dopo, perPagina+1)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	next := ""
	if len(vs) > perPagina {
		vs = vs[:perPagina]
		next = "/demo/posta?dopo=" + strconv.FormatInt(vs[len(vs)-1].ID, 10)
	}
	h.rs.Render(w, r, http.StatusOK, elencoPage(h.rs.Shell(r), vs, next))
}

func (h *DemoHandler) voce(w http.ResponseWriter, r *http.Request) (Voce, bool) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return Voce{}, false
	}
	v, err := h.o.Leggi(r.Context(), id)
	if err != nil {
		h.rs.Error(w, r, err)
		return Voce{}, false
	}
	return v, true
}

func (h *DemoHandler) Messaggio(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.voce(w, r); ok {
		h.rs.Render(w, r, http.StatusOK, messaggioPage(h.rs.Shell(r), v))
	}
}

func (h *DemoHandler) Allegato(w http.ResponseWriter, r *http.Request) {
	v, ok := h.voce(w, r)
	if !ok {
		return
	}
	if v.Allegato == nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	mt := v.AllegatoMime
	if _, _, err := mime.ParseMediaType(mt); err != nil {
		mt = "application/octet-stream"
	}
	w.Header().Set("Content-Type", mt)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": v.AllegatoNome}))
	w.Header().Set("Content-Length", strconv.Itoa(len(v.Allegato)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(v.Allegato)
}

// righe splits a body into its lines, for display.
func righe(s string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

func dimensione(n int) string {
	if n < 1024 {
		return strconv.Itoa(n) + " byte"
	}
	return strconv.Itoa((n+1023)/1024) + " kB"
}

func statoKind(stato string) string {
	switch stato {
	case Sink, Inviato:
		return "success"
	case Errore:
		return "danger"
	}
	return "warning"
}
