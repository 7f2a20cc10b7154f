package incontri

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the meetings of a case, the agenda and the feed.
type Handler struct {
	svc  *Service
	rs   *httpx.Responder
	base string // the application's public URL, for the feed link
}

// NewHandler returns the handler; baseURL is the application's public URL.
func NewHandler(svc *Service, rs *httpx.Responder, baseURL string) *Handler {
	return &Handler{svc: svc, rs: rs, base: strings.TrimSuffix(baseURL, "/")}
}

func casoID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return uuid.Nil, casi.ErrNotFound
	}
	return id, nil
}

// forms carries what the user typed in each form of the page, with its
// errors, so that a refused submission loses nothing.
type forms struct {
	Conv      NuovaConvocazione
	ConvErr   httpx.FieldErrors
	EsitoConv uuid.UUID
	Esito     NuovoEsito
	EsitoErr  httpx.FieldErrors
	Conflitto bool
	Inc       NuovoIncontro
	IncErr    httpx.FieldErrors
	Giu       NuovoGiustificato
	GiuErr    httpx.FieldErrors
	Chiuso    bool   // a write was refused because the case is closed
	Messaggio string // outcome of the last write (?esito=)
}

func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, forms{Messaggio: r.URL.Query().Get("esito")})
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, f forms) {
	id, err := casoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if f.Conv.Tipo == "" && len(f.ConvErr) == 0 {
		f.Conv = NuovaConvocazione{Tipo: "primo_incontro", Durata: "60", Canale: "", InviataIl: calendario.ISO(sc.Oggi)}
		if len(sc.Convocazioni) > 0 {
			f.Conv.Tipo = "monitoraggio"
		}
	}
	if f.Inc.Tipo == "" && len(f.IncErr) == 0 {
		f.Inc = NuovoIncontro{Tipo: "primo_incontro", Data: calendario.ISO(sc.Oggi)}
		if len(sc.Incontri) > 0 {
			f.Inc.Tipo = "monitoraggio"
		}
	}
	if f.Giu.Dal == "" && len(f.GiuErr) == 0 {
		f.Giu.Dal = calendario.ISO(sc.Oggi)
	}
	h.rs.Render(w, r, status, schedaPage(h.rs.Shell(r), sc, f))
}

// after answers a POST on the case's page: back to the page with the
// outcome, or the page with the form's errors (422), the conflict (409) or
// the closed-case refusal (409).
func (h *Handler) after(w http.ResponseWriter, r *http.Request, err error, f forms, set func(*forms, httpx.FieldErrors), esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/casi/"+chi.URLParam(r, "id")+"/incontri?esito="+esito)
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

func (h *Handler) Convoca(w http.ResponseWriter, r *http.Request) {
	id, err := casoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := NuovaConvocazione{
		Tipo: r.PostFormValue("tipo"), Data: r.PostFormValue("data"), Ora: r.PostFormValue("ora"),
		Durata: r.PostFormValue("durata"), Luogo: r.PostFormValue("luogo"), Canale: r.PostFormValue("canale"),
		InviataIl: r.PostFormValue("inviata_il"), Note: r.PostFormValue("note"),
		Pregressa: r.PostFormValue("pregressa") == "1",
	}
	out, err := h.svc.Convoca(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	esito := "convocazione"
	if out.FuoriOrario {
		esito = "convocazione-fuori-orario"
	}
	h.after(w, r, err, forms{Conv: in}, func(f *forms, fe httpx.FieldErrors) { f.ConvErr = fe }, esito)
}

func (h *Handler) Esito(w http.ResponseWriter, r *http.Request) {
	id, err := casoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	conv, err := uuid.Parse(chi.URLParam(r, "conv"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	in := NuovoEsito{Esito: r.PostFormValue("esito"), Annullata: r.PostFormValue("annullata") == "1", Versione: r.PostFormValue("versione")}
	err = h.svc.AggiornaEsito(r.Context(), authz.PrincipalOf(r), id, conv, in, registro.VoceOf(r))
	h.after(w, r, err, forms{EsitoConv: conv, Esito: in}, func(f *forms, fe httpx.FieldErrors) { f.EsitoErr = fe }, "esito")
}

func (h *Handler) Registra(w http.ResponseWriter, r *http.Request) {
	id, err := casoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in := NuovoIncontro{
		Tipo: r.PostFormValue("tipo"), Data: r.PostFormValue("data"), Luogo: r.PostFormValue("luogo"),
		ConvocazioneID: r.PostFormValue("convocazione_id"), Note: r.PostFormValue("note"),
		Presenze: map[uuid.UUID]PresenzaInput{},
	}
	for k, v := range r.PostForm {
		if pid, ok := strings.CutPrefix(k, "presenza_"); ok && len(v) > 0 {
			if u, err := uuid.Parse(pid); err == nil {
				pi := in.Presenze[u]
				pi.Stato = v[0]
				in.Presenze[u] = pi
			}
		}
		if pid, ok := strings.CutPrefix(k, "motivo_"); ok && len(v) > 0 {
			if u, err := uuid.Parse(pid); err == nil {
				pi := in.Presenze[u]
				pi.Motivo = v[0]
				in.Presenze[u] = pi
			}
		}
	}
	_, err = h.svc.RegistraIncontro(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.after(w, r, err, forms{Inc: in}, func(f *forms, fe httpx.FieldErrors) { f.IncErr = fe }, "incontro")
}

func (h *Handler) Giustifica(w http.ResponseWriter, r *http.Request) {
	id, err := casoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := NuovoGiustificato{
		PersonaID: r.PostFormValue("persona_id"), Motivo: r.PostFormValue("motivo"),
		Dal: r.PostFormValue("dal"), Al: r.PostFormValue("al"), Documento: r.PostFormValue("documento"),
	}
	err = h.svc.Giustifica(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.after(w, r, err, forms{Giu: in}, func(f *forms, fe httpx.FieldErrors) { f.GiuErr = fe }, "giustificato")
}

// Agenda.

func (h *Handler) Agenda(w http.ResponseWriter, r *http.Request) {
	p := authz.PrincipalOf(r)
	wk, err := h.svc.Agenda(r.Context(), p, r.URL.Query().Get("settimana"), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, agendaPage(h.rs.Shell(r), wk, authz.RoleAllowed(p.Ruolo, authz.Agenda, authz.Write)))
}

func (h *Handler) Disponibilita(w http.ResponseWriter, r *http.Request) {
	h.renderSlots(w, r, http.StatusOK, NuovoSlot{Giorno: "1", Dalle: "09:00", Alle: "12:30"}, nil, r.URL.Query().Get("esito"))
}

func (h *Handler) renderSlots(w http.ResponseWriter, r *http.Request, status int, in NuovoSlot, errs httpx.FieldErrors, esito string) {
	comuni, sl, err := h.svc.Disponibilita(r.Context(), authz.PrincipalOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if in.ComuneID == "" && len(comuni) == 1 {
		in.ComuneID = strconv.FormatInt(comuni[0].ID, 10)
	}
	h.rs.Render(w, r, status, slotsPage(h.rs.Shell(r), comuni, sl, in, errs, esito))
}

func (h *Handler) AggiungiSlot(w http.ResponseWriter, r *http.Request) {
	in := NuovoSlot{ComuneID: r.PostFormValue("comune_id"), Ufficio: r.PostFormValue("ufficio"),
		Giorno: r.PostFormValue("giorno"), Dalle: r.PostFormValue("dalle"), Alle: r.PostFormValue("alle")}
	err := h.svc.AggiungiSlot(r.Context(), authz.PrincipalOf(r), in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/agenda/disponibilita?esito=aggiunta")
	case errors.As(err, &fe):
		h.renderSlots(w, r, http.StatusUnprocessableEntity, in, fe, "")
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) EliminaSlot(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	if err := h.svc.EliminaSlot(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r)); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	httpx.Redirect(w, r, "/agenda/disponibilita?esito=eliminata")
}

// Calendar feed.

func (h *Handler) Calendario(w http.ResponseWriter, r *http.Request) {
	creato, err := h.svc.Calendario(r.Context(), authz.PrincipalOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, calendarioPage(h.rs.Shell(r), creato, ""))
}

// NuovoCalendario answers with the page showing the new link: the token is
// not stored, so this response is the only time it can be shown.
func (h *Handler) NuovoCalendario(w http.ResponseWriter, r *http.Request) {
	p := authz.PrincipalOf(r)
	token, err := h.svc.NuovoCalendario(r.Context(), p, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	creato, err := h.svc.Calendario(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, calendarioPage(h.rs.Shell(r), creato, h.base+"/calendario/"+token+".ics"))
}

func (h *Handler) Feed(w http.ResponseWriter, r *http.Request) {
	evs, err := h.svc.Feed(r.Context(), chi.URLParam(r, "token"), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := WriteICS(&buf, evs, h.svc.now(), h.base); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `inline; filename="cartella.ics"`)
	_, _ = w.Write(buf.Bytes())
}
