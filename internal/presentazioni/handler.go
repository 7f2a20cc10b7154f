package presentazioni

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the case manager's page of a case's registrations and the
// operatore presentazioni's desk.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler { return &Handler{svc: svc, rs: rs} }

func idParam(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

// forms carries what was typed in each form of the case manager's page,
// with its errors, so that a refused submission loses nothing.
type forms struct {
	Reg       NuovaRegistrazione
	RegErr    httpx.FieldErrors
	Primo     NuovoPrimoMese
	PrimoErr  httpx.FieldErrors
	Rinn      NuovoRinnovo
	RinnErr   httpx.FieldErrors
	CPIPer    uuid.UUID
	CPI       NuovaConvocazioneCPI
	CPIErr    httpx.FieldErrors
	Conflitto bool
	Chiuso    bool
	Messaggio string
}

// Pagina is GET /casi/{id}/presentazioni.
func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, forms{Messaggio: r.URL.Query().Get("esito")})
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, f forms) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if f.Reg.Evento == "" && len(f.RegErr) == 0 {
		f.Reg = NuovaRegistrazione{Evento: "avvenuto_incontro", Luogo: "servizi_sociali", Data: calendario.ISO(sc.Oggi)}
	}
	if len(f.PrimoErr) == 0 && !f.Conflitto {
		f.Primo.Versione = itoa(sc.Beneficio.Versione)
		if sc.Beneficio.PrimoMese != nil {
			f.Primo.PrimoMese = sc.Beneficio.PrimoMese.Format("01/2006")
		}
	}
	h.rs.Render(w, r, status, schedaPage(h.rs.Shell(r), sc, f))
}

// after answers a POST of the case manager's page.
func (h *Handler) after(w http.ResponseWriter, r *http.Request, err error, f forms, set func(*forms, httpx.FieldErrors), esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/casi/"+chi.URLParam(r, "id")+"/presentazioni?esito="+esito)
	case errors.As(err, &fe):
		set(&f, fe)
		h.render(w, r, http.StatusUnprocessableEntity, f)
	case errors.Is(err, ErrConflict):
		f.Conflitto = true
		h.render(w, r, http.StatusConflict, f)
	case errors.Is(err, ErrChiuso):
		f.Chiuso = true
		h.render(w, r, http.StatusConflict, f)
	default:
		h.rs.Error(w, r, err)
	}
}

func leggiRegistrazione(r *http.Request) NuovaRegistrazione {
	return NuovaRegistrazione{Evento: r.PostFormValue("evento"), Luogo: r.PostFormValue("luogo"),
		Data: r.PostFormValue("data"), Al: r.PostFormValue("al"), Motivo: r.PostFormValue("motivo")}
}

// Registra is POST /casi/{id}/presentazioni.
func (h *Handler) Registra(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := leggiRegistrazione(r)
	err = h.svc.Registra(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.after(w, r, err, forms{Reg: in}, func(f *forms, e httpx.FieldErrors) { f.RegErr = e }, "registrata")
}

// PrimoMese is POST /casi/{id}/beneficio.
func (h *Handler) PrimoMese(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := NuovoPrimoMese{PrimoMese: r.PostFormValue("primo_mese"), Versione: r.PostFormValue("versione")}
	err = h.svc.ImpostaPrimoMese(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.after(w, r, err, forms{Primo: in}, func(f *forms, e httpx.FieldErrors) { f.PrimoErr = e }, "primo-mese")
}

// Rinnova is POST /casi/{id}/beneficio/rinnovi.
func (h *Handler) Rinnova(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := NuovoRinnovo{DataPAD: r.PostFormValue("data_pad"), PrimoMese: r.PostFormValue("rinnovo_primo_mese")}
	err = h.svc.Rinnova(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.after(w, r, err, forms{Rinn: in}, func(f *forms, e httpx.FieldErrors) { f.RinnErr = e }, "rinnovo")
}

// CPI is POST /casi/{id}/cpi/{persona}.
func (h *Handler) CPI(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	persona, err := uuid.Parse(chi.URLParam(r, "persona"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	in := NuovaConvocazioneCPI{ConvocatoIl: r.PostFormValue("convocato_il"), Esito: r.PostFormValue("esito"),
		Versione: r.PostFormValue("versione")}
	err = h.svc.RegistraCPI(r.Context(), authz.PrincipalOf(r), id, persona, in, registro.VoceOf(r))
	h.after(w, r, err, forms{CPIPer: persona, CPI: in}, func(f *forms, e httpx.FieldErrors) { f.CPIErr = e }, "cpi")
}

// The operatore presentazioni's desk.

// Sportello is GET /presentazioni: the search by codice fiscale.
func (h *Handler) Sportello(w http.ResponseWriter, r *http.Request) {
	h.renderCerca(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderCerca(w http.ResponseWriter, r *http.Request, status int, cf string, errs httpx.FieldErrors) {
	e, err := h.svc.ElencoSportello(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, cercaPage(h.rs.Shell(r), cf, errs, e))
}

// Cerca is POST /presentazioni/cerca: the codice fiscale travels in the body,
// never in a URL; a nucleo found leads to its desk page.
func (h *Handler) Cerca(w http.ResponseWriter, r *http.Request) {
	cf := r.PostFormValue("cf")
	id, err := h.svc.Cerca(r.Context(), authz.PrincipalOf(r), cf, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/presentazioni/"+id.String())
	case errors.As(err, &fe):
		h.renderCerca(w, r, http.StatusUnprocessableEntity, cf, fe)
	default:
		h.rs.Error(w, r, err)
	}
}

// Nucleo is GET /presentazioni/{id}.
func (h *Handler) Nucleo(w http.ResponseWriter, r *http.Request) {
	h.renderNucleo(w, r, http.StatusOK, NuovaRegistrazione{}, nil, r.URL.Query().Get("esito"))
}

func (h *Handler) renderNucleo(w http.ResponseWriter, r *http.Request, status int, in NuovaRegistrazione, errs httpx.FieldErrors, esito string) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	n, err := h.svc.Nucleo(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if in.Evento == "" && len(errs) == 0 {
		in = NuovaRegistrazione{Evento: "presentazione_spontanea", Data: calendario.ISO(n.Oggi)}
	}
	h.rs.Render(w, r, status, nucleoPage(h.rs.Shell(r), n, in, errs, esito))
}

// RegistraSportello is POST /presentazioni/{id}.
func (h *Handler) RegistraSportello(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := leggiRegistrazione(r)
	err = h.svc.RegistraSportello(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/presentazioni/"+id.String()+"?esito=registrata")
	case errors.As(err, &fe):
		h.renderNucleo(w, r, http.StatusUnprocessableEntity, in, fe, "")
	default:
		h.rs.Error(w, r, err)
	}
}
