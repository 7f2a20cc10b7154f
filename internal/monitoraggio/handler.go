package monitoraggio

import (
	"errors"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves /casi/{id}/monitoraggio.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}

// Base is the monitoring page of a case.
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/monitoraggio" }

// URL is a meeting's page.
func URL(casoID, id uuid.UUID) string { return Base(casoID) + "/" + id.String() }

func param(r *http.Request, name string, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, name))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pg, err := h.svc.Pagina(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, paginaPage(h.rs.Shell(r), pg, r.URL.Query().Get("esito")))
}

func (h *Handler) Nuovo(w http.ResponseWriter, r *http.Request) {
	h.renderNuovo(w, r, http.StatusOK, Pianificazione{Ora: "09:00", Durata: "60"}, nil)
}

func (h *Handler) renderNuovo(w http.ResponseWriter, r *http.Request, status int, in Pianificazione, errs httpx.FieldErrors) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	m, err := h.svc.Modulo(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if m.Patto == nil && status == http.StatusOK {
		status = http.StatusConflict // nothing to plan: the page says why
	}
	h.rs.Render(w, r, status, nuovoPage(h.rs.Shell(r), m, in, errs))
}

func (h *Handler) Pianifica(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in := Pianificazione{
		Data: r.PostFormValue("data"), Ora: r.PostFormValue("ora"), Durata: r.PostFormValue("durata"),
		Luogo: r.PostFormValue("luogo"), Note: r.PostFormValue("note"),
		Risultati: r.PostForm["risultato"], Impegni: r.PostForm["impegno"],
	}
	inc, err := h.svc.Pianifica(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, URL(id, inc)+"?esito=pianificato")
	case errors.As(err, &fe):
		h.renderNuovo(w, r, http.StatusUnprocessableEntity, in, fe)
	case errors.Is(err, ErrSenzaPatto):
		h.renderNuovo(w, r, http.StatusConflict, in, nil)
	case errors.Is(err, ErrChiuso):
		h.renderNuovo(w, r, http.StatusConflict, in, httpx.FieldErrors{"caso": "Il caso è chiuso: non si possono pianificare incontri."})
	default:
		h.rs.Error(w, r, err)
	}
}

// stato is what the meeting page carries besides the meeting: the outcome
// of the last write, and what the user typed in a refused form.
type stato struct {
	Messaggio string
	Conflitto bool
	Chiuso    bool
	Reg       *Registrazione // nil: the form's defaults
	RegErr    httpx.FieldErrors
	Motivo    string
	AnnErr    httpx.FieldErrors
}

func (h *Handler) ids(w http.ResponseWriter, r *http.Request) (uuid.UUID, uuid.UUID, bool) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return uuid.Nil, uuid.Nil, false
	}
	inc, err := param(r, "inc", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return uuid.Nil, uuid.Nil, false
	}
	return id, inc, true
}

func (h *Handler) Incontro(w http.ResponseWriter, r *http.Request) {
	h.renderIncontro(w, r, http.StatusOK, stato{Messaggio: r.URL.Query().Get("esito")})
}

func (h *Handler) renderIncontro(w http.ResponseWriter, r *http.Request, status int, st stato) {
	id, inc, ok := h.ids(w, r)
	if !ok {
		return
	}
	d, err := h.svc.Incontro(r.Context(), authz.PrincipalOf(r), id, inc, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, incontroPage(h.rs.Shell(r), d, st))
}

// registrazione reads the assessment form: the presences, valutazioni and
// notes are keyed by the member's or the item's ID.
func registrazione(r *http.Request) Registrazione {
	in := Registrazione{
		Versione: r.PostFormValue("versione"), Data: r.PostFormValue("data"), Note: r.PostFormValue("note"),
		Partecipanti: r.PostFormValue("partecipanti"),
		Prossimo:     r.PostFormValue("prossimo"),
		Presenze:     map[uuid.UUID]incontri.PresenzaInput{},
		Risultati:    map[string]Voto{}, Impegni: map[string]Voto{},
	}
	for k := range r.PostForm {
		switch {
		case strings.HasPrefix(k, "presenza_"):
			if pid, err := uuid.Parse(strings.TrimPrefix(k, "presenza_")); err == nil {
				in.Presenze[pid] = incontri.PresenzaInput{Stato: r.PostFormValue(k), Motivo: r.PostFormValue("motivo_" + pid.String())}
			}
		case strings.HasPrefix(k, "val_r_"), strings.HasPrefix(k, "nota_r_"):
			rid := strings.TrimPrefix(strings.TrimPrefix(k, "val_r_"), "nota_r_")
			in.Risultati[rid] = Voto{Valutazione: r.PostFormValue("val_r_" + rid), Nota: r.PostFormValue("nota_r_" + rid)}
		case strings.HasPrefix(k, "val_i_"), strings.HasPrefix(k, "nota_i_"):
			iid := strings.TrimPrefix(strings.TrimPrefix(k, "val_i_"), "nota_i_")
			in.Impegni[iid] = Voto{Valutazione: r.PostFormValue("val_i_" + iid), Nota: r.PostFormValue("nota_i_" + iid)}
		}
	}
	// A member whose only field typed is the motivo keeps it.
	for k := range r.PostForm {
		if strings.HasPrefix(k, "motivo_") {
			if pid, err := uuid.Parse(strings.TrimPrefix(k, "motivo_")); err == nil {
				if _, ok := in.Presenze[pid]; !ok {
					in.Presenze[pid] = incontri.PresenzaInput{Motivo: r.PostFormValue(k)}
				}
			}
		}
	}
	return in
}

func (h *Handler) Registra(w http.ResponseWriter, r *http.Request) {
	id, inc, ok := h.ids(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in := registrazione(r)
	_, err := h.svc.Registra(r.Context(), authz.PrincipalOf(r), id, inc, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, URL(id, inc)+"?esito=registrato")
	case errors.As(err, &fe):
		h.renderIncontro(w, r, http.StatusUnprocessableEntity, stato{Reg: &in, RegErr: fe})
	case errors.Is(err, ErrConflict):
		h.renderIncontro(w, r, http.StatusConflict, stato{Conflitto: true})
	case errors.Is(err, ErrChiuso):
		h.renderIncontro(w, r, http.StatusConflict, stato{Chiuso: true})
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) Annulla(w http.ResponseWriter, r *http.Request) {
	id, inc, ok := h.ids(w, r)
	if !ok {
		return
	}
	motivo := r.PostFormValue("motivo")
	err := h.svc.Annulla(r.Context(), authz.PrincipalOf(r), id, inc, r.PostFormValue("versione"), motivo, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, URL(id, inc)+"?esito=annullato")
	case errors.As(err, &fe):
		h.renderIncontro(w, r, http.StatusUnprocessableEntity, stato{Motivo: motivo, AnnErr: fe})
	case errors.Is(err, ErrConflict):
		h.renderIncontro(w, r, http.StatusConflict, stato{Conflitto: true})
	case errors.Is(err, ErrChiuso):
		h.renderIncontro(w, r, http.StatusConflict, stato{Chiuso: true})
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) Verbale(w http.ResponseWriter, r *http.Request) {
	id, inc, ok := h.ids(w, r)
	if !ok {
		return
	}
	d, err := h.svc.Verbale(r.Context(), authz.PrincipalOf(r), id, inc, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	s := h.rs.Shell(r)
	s.Nav = nil // a print view: no navigation
	h.rs.Render(w, r, http.StatusOK, verbalePage(s, d))
}
