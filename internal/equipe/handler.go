package equipe

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/stampa"
)

// Handler serves /casi/{id}/equipe.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}

// Base is the équipe page of a case.
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/equipe" }

func param(r *http.Request, name string, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, name))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

// forms carries what the user typed in each form of the page, with its
// errors, so that a refused submission loses nothing.
type forms struct {
	Prof       MembroInput
	ProfErr    httpx.FieldErrors
	Fam        MembroInput
	FamErr     httpx.FieldErrors
	Termina    uuid.UUID
	TerminaAl  string
	TerminaErr httpx.FieldErrors
	Conflitto  bool
	Chiuso     bool
	Messaggio  string
}

func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, forms{Messaggio: r.URL.Query().Get("esito")})
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, f forms) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	oggi := calendario.ISO(sc.Oggi)
	if f.Prof.Dal == "" && len(f.ProfErr) == 0 {
		f.Prof = MembroInput{Ruolo: string(Componente), Dal: oggi}
	}
	if f.Fam.Dal == "" && len(f.FamErr) == 0 {
		f.Fam = MembroInput{Familiare: true, Dal: oggi}
	}
	h.rs.Render(w, r, status, schedaPage(h.rs.Shell(r), sc, f))
}

// after answers a POST on the équipe page: back to the page with the
// outcome, or the page with the form's errors (422), the conflict (409) or
// the closed-case refusal (409).
func (h *Handler) after(w http.ResponseWriter, r *http.Request, err error, f forms, set func(*forms, httpx.FieldErrors), esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/casi/"+chi.URLParam(r, "id")+"/equipe?esito="+esito)
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

func membroInput(r *http.Request) MembroInput {
	return MembroInput{
		Familiare: r.PostFormValue("tipo") == "familiare",
		Ruolo:     r.PostFormValue("ruolo"), PersonaID: r.PostFormValue("persona_id"),
		Nome: r.PostFormValue("nome"), Cognome: r.PostFormValue("cognome"), Funzione: r.PostFormValue("funzione"),
		Ente: r.PostFormValue("ente"), Email: r.PostFormValue("email"), Telefono: r.PostFormValue("telefono"),
		Dal: r.PostFormValue("dal"), Al: r.PostFormValue("al"), Versione: r.PostFormValue("versione"),
	}
}

func (h *Handler) Aggiungi(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := membroInput(r)
	_, err = h.svc.AggiungiMembro(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	if in.Familiare {
		h.after(w, r, err, forms{Fam: in}, func(f *forms, fe httpx.FieldErrors) { f.FamErr = fe }, "familiare")
		return
	}
	h.after(w, r, err, forms{Prof: in}, func(f *forms, fe httpx.FieldErrors) { f.ProfErr = fe }, "membro-aggiunto")
}

func (h *Handler) Termina(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	m, err := param(r, "membro", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	al := r.PostFormValue("al")
	err = h.svc.TerminaMembro(r.Context(), authz.PrincipalOf(r), id, m, al, r.PostFormValue("versione"), registro.VoceOf(r))
	h.after(w, r, err, forms{Termina: m, TerminaAl: al}, func(f *forms, fe httpx.FieldErrors) { f.TerminaErr = fe }, "membro-terminato")
}

// Membro is a member's edit page.
func (h *Handler) Membro(w http.ResponseWriter, r *http.Request) {
	h.renderModifica(w, r, http.StatusOK, nil, nil, nil)
}

func (h *Handler) renderModifica(w http.ResponseWriter, r *http.Request, status int, in *MembroInput, errs httpx.FieldErrors, conflitto *Membro) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	mid, err := param(r, "membro", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	c, m, err := h.svc.Membro(r.Context(), authz.PrincipalOf(r), id, mid, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	form := FromMembro(m)
	if in != nil {
		form = *in
		form.Familiare = m.Ruolo == FamiliareReferente
		if conflitto != nil {
			// Saving again overwrites what the other saved, knowingly.
			form.Versione = strconv.Itoa(m.Versione)
		}
	}
	h.rs.Render(w, r, status, modificaPage(h.rs.Shell(r), c, m, form, errs, conflitto))
}

func (h *Handler) Modifica(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	mid, err := param(r, "membro", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := membroInput(r)
	err = h.svc.ModificaMembro(r.Context(), authz.PrincipalOf(r), id, mid, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	var cf *Conflitto
	switch {
	case err == nil:
		httpx.Redirect(w, r, Base(id)+"?esito=membro-modificato")
	case errors.As(err, &fe):
		h.renderModifica(w, r, http.StatusUnprocessableEntity, &in, fe, nil)
	case errors.As(err, &cf):
		h.renderModifica(w, r, http.StatusConflict, &in, nil, &cf.Attuale)
	case errors.Is(err, ErrChiuso):
		h.renderModifica(w, r, http.StatusConflict, &in, httpx.FieldErrors{"caso": "Il caso è chiuso: l'équipe è in sola lettura e non è stato salvato nulla."}, nil)
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) Nuova(w http.ResponseWriter, r *http.Request) {
	h.renderNuova(w, r, http.StatusOK, ConvocazioneInput{}, nil)
}

func (h *Handler) renderNuova(w http.ResponseWriter, r *http.Request, status int, in ConvocazioneInput, errs httpx.FieldErrors) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	n, err := h.svc.NuovaConvocazione(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, nuovaPage(h.rs.Shell(r), n, in, errs))
}

func (h *Handler) Convoca(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in := ConvocazioneInput{
		Data: r.PostFormValue("data"), Ora: r.PostFormValue("ora"), Luogo: r.PostFormValue("luogo"),
		OrdineDelGiorno: r.PostFormValue("ordine_del_giorno"),
		Invitati:        r.PostForm["invitati"], Sezioni: r.PostForm["sezioni"],
	}
	conv, err := h.svc.Convoca(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, Base(id)+"/convocazioni/"+conv.String()+"?esito=inviata")
	case errors.As(err, &fe):
		h.renderNuova(w, r, http.StatusUnprocessableEntity, in, fe)
	case errors.Is(err, ErrChiuso):
		h.renderNuova(w, r, http.StatusConflict, in, httpx.FieldErrors{"caso": "Il caso è chiuso: non si può convocare l'équipe."})
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) convocazioneIDs(w http.ResponseWriter, r *http.Request) (uuid.UUID, uuid.UUID, bool) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return uuid.Nil, uuid.Nil, false
	}
	conv, err := param(r, "conv", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return uuid.Nil, uuid.Nil, false
	}
	return id, conv, true
}

func (h *Handler) Convocazione(w http.ResponseWriter, r *http.Request) {
	id, conv, ok := h.convocazioneIDs(w, r)
	if !ok {
		return
	}
	c, cv, err := h.svc.Convocazione(r.Context(), authz.PrincipalOf(r), id, conv, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, convocazionePage(h.rs.Shell(r), c, cv, r.URL.Query().Get("esito") == "inviata"))
}

func (h *Handler) Stampa(w http.ResponseWriter, r *http.Request) {
	id, conv, ok := h.convocazioneIDs(w, r)
	if !ok {
		return
	}
	c, cv, err := h.svc.Estratto(r.Context(), authz.PrincipalOf(r), id, conv, "stampa", registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	s := h.rs.Shell(r)
	s.Nav = nil // a print view: no navigation
	h.rs.Render(w, r, http.StatusOK, stampaPage(s, c, cv))
}

func (h *Handler) PDF(w http.ResponseWriter, r *http.Request) {
	id, conv, ok := h.convocazioneIDs(w, r)
	if !ok {
		return
	}
	c, cv, err := h.svc.Estratto(r.Context(), authz.PrincipalOf(r), id, conv, "pdf", registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	b, err := stampa.PDF(Documento(c, cv))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+NomePDF(c, cv)+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}
