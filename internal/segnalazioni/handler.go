package segnalazioni

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the case manager's /casi/{id}/segnalazioni… and the
// coordinatore's /segnalazioni….
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}

// Base is the segnalazioni page of a case.
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/segnalazioni" }

func param(r *http.Request, name string, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, name))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

// ids returns the case and the segnalazione of the URL.
func (h *Handler) ids(w http.ResponseWriter, r *http.Request) (uuid.UUID, uuid.UUID, bool) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err == nil {
		var seg uuid.UUID
		if seg, err = param(r, "seg", ErrNotFound); err == nil {
			return id, seg, true
		}
	}
	h.rs.Error(w, r, err)
	return uuid.Nil, uuid.Nil, false
}

// maxCorpo bounds a form with attachments: a few files at a time.
const maxCorpo = 5*MaxAllegato + 1<<20

var errTroppo = httpx.FieldErrors{"allegati": "Gli allegati superano nel complesso 50 MB: caricali in più volte, al massimo 10 MB per file."}

// leggiInput reads the segnalazione form (multipart, with the attachments).
func leggiInput(w http.ResponseWriter, r *http.Request) (Input, httpx.FieldErrors) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCorpo)
	err := r.ParseMultipartForm(8 << 20)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return Input{}, errTroppo
	case errors.Is(err, http.ErrNotMultipart):
		_ = r.ParseForm()
	}
	in := Input{
		Tipo: r.FormValue("tipo"), PersonaID: r.FormValue("persona_id"), ImpegnoID: r.FormValue("impegno_id"),
		DataEvento: r.FormValue("data_evento"), DataAccertamento: r.FormValue("data_accertamento"),
		Descrizione: r.FormValue("descrizione"), Versione: r.FormValue("versione"),
	}
	if r.MultipartForm == nil {
		return in, nil
	}
	in.Rimuovi = r.MultipartForm.Value["rimuovi"]
	for _, fh := range r.MultipartForm.File["allegati"] {
		dati, err := leggiFile(fh)
		if err != nil {
			return in, httpx.FieldErrors{"allegati": "Il caricamento degli allegati non è riuscito: riprova."}
		}
		in.Allegati = append(in.Allegati, File{Nome: fh.Filename, Dati: dati})
	}
	return in, nil
}

func leggiFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxAllegato+1)) // one byte more: "too large"
}

func pulisci(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

// conFile reports whether the user had chosen files: a refused form cannot
// keep them (browsers do not refill file inputs), so the page says so.
func conFile(in Input) bool {
	for _, f := range in.Allegati {
		if f.Nome != "" || len(f.Dati) > 0 {
			return true
		}
	}
	return false
}

func (h *Handler) Elenco(w http.ResponseWriter, r *http.Request) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	e, err := h.svc.Elenco(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, elencoPage(h.rs.Shell(r), e, r.URL.Query().Get("esito")))
}

// Nuova shows an empty form, or one filled in from the query: the
// monitoring meeting that found an impegno not respected links here with
// the type, the impegno, its member and the day (nothing is saved until
// the case manager sends the form).
func (h *Handler) Nuova(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := Input{Tipo: q.Get("tipo"), PersonaID: q.Get("persona_id"), ImpegnoID: q.Get("impegno_id"),
		DataEvento: q.Get("data_evento"), DataAccertamento: q.Get("data_accertamento")}
	h.renderNuova(w, r, http.StatusOK, in, nil, false, "")
}

func (h *Handler) renderNuova(w http.ResponseWriter, r *http.Request, status int, in Input, errs httpx.FieldErrors, file bool, avviso string) {
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	m, err := h.svc.Nuova(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, nuovaPage(h.rs.Shell(r), m, in, errs, file, avviso))
}

func (h *Handler) Crea(w http.ResponseWriter, r *http.Request) {
	defer pulisci(r)
	id, err := param(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in, fe := leggiInput(w, r)
	if fe != nil {
		h.renderNuova(w, r, http.StatusUnprocessableEntity, in, fe, false, "")
		return
	}
	invia := r.FormValue("azione") == "invia"
	seg, err := h.svc.Crea(r.Context(), authz.PrincipalOf(r), id, in, invia, registro.VoceOf(r))
	switch {
	case err == nil:
		esito := "bozza"
		if invia {
			esito = "in-approvazione"
		}
		httpx.Redirect(w, r, Base(id)+"/"+seg.String()+"?esito="+esito)
	case errors.As(err, &fe):
		h.renderNuova(w, r, http.StatusUnprocessableEntity, in, fe, conFile(in), "")
	case errors.Is(err, ErrChiuso):
		h.renderNuova(w, r, http.StatusConflict, in, nil, conFile(in), "Il caso è chiuso: non si possono redigere segnalazioni e non è stato salvato nulla.")
	default:
		h.rs.Error(w, r, err)
	}
}

// formDettaglio is the state of the detail page's forms after a refused
// POST: what the user typed, its errors, the conflict.
type formDettaglio struct {
	In        *Input
	Errs      httpx.FieldErrors
	File      bool
	Conflitto bool
	Avviso    string
	Esito     string
	NotaErr   string
	Nota      string
}

func (h *Handler) Dettaglio(w http.ResponseWriter, r *http.Request) {
	h.renderDettaglio(w, r, http.StatusOK, formDettaglio{Esito: r.URL.Query().Get("esito")})
}

func (h *Handler) renderDettaglio(w http.ResponseWriter, r *http.Request, status int, f formDettaglio) {
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	sc, err := h.svc.Dettaglio(r.Context(), authz.PrincipalOf(r), id, seg, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := FromSegnalazione(sc.Segnalazione)
	if f.In != nil {
		in = *f.In
		in.Allegati, in.Rimuovi = nil, nil
		if f.Conflitto {
			// Saving again overwrites what the other saved, knowingly.
			in.Versione = strconv.Itoa(sc.Segnalazione.Versione)
		}
	}
	h.rs.Render(w, r, status, dettaglioPage(h.rs.Shell(r), sc, in, f))
}

// dopo answers a POST on the detail page: back to it with the outcome, or
// the page with errors (422), conflict or wrong state (409).
func (h *Handler) dopo(w http.ResponseWriter, r *http.Request, err error, f formDettaglio, esito string) {
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, Base(id)+"/"+seg.String()+"?esito="+esito)
	case errors.As(err, &fe):
		f.Errs = fe
		h.renderDettaglio(w, r, http.StatusUnprocessableEntity, f)
	case errors.Is(err, ErrConflict):
		f.Conflitto = true
		h.renderDettaglio(w, r, http.StatusConflict, f)
	case errors.Is(err, ErrStato):
		f.In, f.Avviso = nil, "L'operazione non è possibile nello stato attuale della segnalazione: la pagina mostra lo stato aggiornato."
		h.renderDettaglio(w, r, http.StatusConflict, f)
	case errors.Is(err, ErrChiuso):
		f.Avviso = "Il caso è chiuso: le segnalazioni sono in sola lettura e non è stato salvato nulla."
		h.renderDettaglio(w, r, http.StatusConflict, f)
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) Modifica(w http.ResponseWriter, r *http.Request) {
	defer pulisci(r)
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	in, fe := leggiInput(w, r)
	if fe != nil {
		h.dopo(w, r, fe, formDettaglio{In: &in}, "")
		return
	}
	invia := r.FormValue("azione") == "invia"
	err := h.svc.Modifica(r.Context(), authz.PrincipalOf(r), id, seg, in, invia, registro.VoceOf(r))
	esito := "salvata"
	if invia {
		esito = "in-approvazione"
	}
	h.dopo(w, r, err, formDettaglio{In: &in, File: conFile(in)}, esito)
}

func (h *Handler) Approvazione(w http.ResponseWriter, r *http.Request) {
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	err := h.svc.InviaInApprovazione(r.Context(), authz.PrincipalOf(r), id, seg, r.PostFormValue("versione"), registro.VoceOf(r))
	h.dopo(w, r, err, formDettaglio{}, "in-approvazione")
}

func (h *Handler) Annulla(w http.ResponseWriter, r *http.Request) {
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	nota := r.PostFormValue("nota")
	err := h.svc.Annulla(r.Context(), authz.PrincipalOf(r), id, seg, r.PostFormValue("versione"), nota, registro.VoceOf(r))
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		h.renderDettaglio(w, r, http.StatusUnprocessableEntity, formDettaglio{Nota: nota, NotaErr: fe["nota"]})
		return
	}
	h.dopo(w, r, err, formDettaglio{}, "annullata")
}

func (h *Handler) Rettifica(w http.ResponseWriter, r *http.Request) {
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	nuova, err := h.svc.Rettifica(r.Context(), authz.PrincipalOf(r), id, seg, r.PostFormValue("versione"), registro.VoceOf(r))
	if err == nil {
		httpx.Redirect(w, r, Base(id)+"/"+nuova.String()+"?esito=rettifica")
		return
	}
	h.dopo(w, r, err, formDettaglio{}, "")
}

func scarica(w http.ResponseWriter, nome, mime string, dati []byte, inline bool) {
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Disposition", disp+`; filename*=UTF-8''`+url.PathEscape(nome))
	w.Header().Set("Content-Length", strconv.Itoa(len(dati)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(dati)
}

func (h *Handler) Allegato(w http.ResponseWriter, r *http.Request) {
	id, seg, ok := h.ids(w, r)
	if !ok {
		return
	}
	all, err := param(r, "allegato", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	a, err := h.svc.Allegato(r.Context(), authz.PrincipalOf(r), id, seg, all, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	scarica(w, a.Nome, a.Mime, a.Dati, false)
}

// The coordinatore's pages.

func (h *Handler) Coda(w http.ResponseWriter, r *http.Request) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	c, err := h.svc.Coda(r.Context(), authz.PrincipalOf(r), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, codaPage(h.rs.Shell(r), c, r.URL.Query().Get("esito")))
}

// formDecisione is the state of the decision's forms after a refused POST.
type formDecisione struct {
	Motivo    string
	Errs      httpx.FieldErrors
	Conflitto bool
	Avviso    string
	Esito     *formEsito // the esito form, after a refused POST
	Messaggio string     // the outcome of the last POST (?esito=)
	Oggi      time.Time  // the esito form's default date
}

func (h *Handler) Decisione(w http.ResponseWriter, r *http.Request) {
	h.renderDecisione(w, r, http.StatusOK, formDecisione{Messaggio: r.URL.Query().Get("esito")})
}

func (h *Handler) renderDecisione(w http.ResponseWriter, r *http.Request, status int, f formDecisione) {
	seg, err := param(r, "seg", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	d, err := h.svc.Decisione(r.Context(), authz.PrincipalOf(r), seg, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	f.Oggi = h.svc.oggi()
	h.rs.Render(w, r, status, decisionePage(h.rs.Shell(r), d, f))
}

func (h *Handler) dopoDecisione(w http.ResponseWriter, r *http.Request, err error, f formDecisione, esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/segnalazioni?esito="+esito)
	case errors.As(err, &fe):
		f.Errs = fe
		h.renderDecisione(w, r, http.StatusUnprocessableEntity, f)
	case errors.Is(err, ErrConflict):
		f.Conflitto = true
		h.renderDecisione(w, r, http.StatusConflict, f)
	case errors.Is(err, ErrStato):
		f.Avviso = "La segnalazione non è più in approvazione: la pagina mostra lo stato aggiornato."
		h.renderDecisione(w, r, http.StatusConflict, f)
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) Approva(w http.ResponseWriter, r *http.Request) {
	seg, err := param(r, "seg", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	err = h.svc.Approva(r.Context(), authz.PrincipalOf(r), seg, r.PostFormValue("versione"), registro.VoceOf(r))
	h.dopoDecisione(w, r, err, formDecisione{}, "approvata")
}

func (h *Handler) Respingi(w http.ResponseWriter, r *http.Request) {
	seg, err := param(r, "seg", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	motivo := r.PostFormValue("motivo")
	err = h.svc.Respingi(r.Context(), authz.PrincipalOf(r), seg, r.PostFormValue("versione"), motivo, registro.VoceOf(r))
	h.dopoDecisione(w, r, err, formDecisione{Motivo: motivo}, "respinta")
}

func (h *Handler) AllegatoDecisione(w http.ResponseWriter, r *http.Request) {
	seg, err := param(r, "seg", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	all, err := param(r, "allegato", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	a, err := h.svc.AllegatoDecisione(r.Context(), authz.PrincipalOf(r), seg, all, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	scarica(w, a.Nome, a.Mime, a.Dati, false)
}

func (h *Handler) Invii(w http.ResponseWriter, r *http.Request) {
	h.renderInvii(w, r, http.StatusOK, r.URL.Query().Get("esito"))
}

func (h *Handler) renderInvii(w http.ResponseWriter, r *http.Request, status int, esito string) {
	in, err := h.svc.Invii(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, inviiPage(h.rs.Shell(r), in, esito))
}

func (h *Handler) Esporta(w http.ResponseWriter, r *http.Request) {
	inv, err := h.svc.Esporta(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/segnalazioni/invii?esito="+fmt.Sprint(inv.ID))
	case errors.Is(err, ErrNienteDaInviare):
		h.renderInvii(w, r, http.StatusConflict, "vuoto")
	default:
		h.rs.Error(w, r, err)
	}
}

func (h *Handler) File(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "invio"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	inv, err := h.svc.FileInvio(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("X-Checksum-Sha256", inv.SHA256Hex())
	scarica(w, inv.NomeFile, "application/jsonl", inv.Contenuto, false)
}

// formEsito is the state of an esito form after a refused POST: which
// segnalazione's form, what was typed, its errors, the conflict.
type formEsito struct {
	Seg       uuid.UUID
	In        EsitoInput
	Errs      httpx.FieldErrors
	Conflitto bool
	Avviso    string
}

// invioURL is the page of export batch id, at page pagina.
func invioURL(id int64, pagina int) string {
	u := "/segnalazioni/invii/" + strconv.FormatInt(id, 10)
	if pagina > 1 {
		u += "?pagina=" + strconv.Itoa(pagina)
	}
	return u
}

func (h *Handler) Invio(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "invio"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	h.renderInvio(w, r, http.StatusOK, id, pagina, r.URL.Query().Get("esito"), nil)
}

func (h *Handler) renderInvio(w http.ResponseWriter, r *http.Request, status int, id int64, pagina int, esito string, f *formEsito) {
	pi, err := h.svc.Invio(r.Context(), authz.PrincipalOf(r), id, pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, invioPage(h.rs.Shell(r), pi, esito, f))
}

func (h *Handler) Scartate(w http.ResponseWriter, r *http.Request) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	sc, err := h.svc.Scartate(r.Context(), authz.PrincipalOf(r), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, scartatePage(h.rs.Shell(r), sc))
}

// Mie is the case manager's segnalazioni to act on, across their cases.
func (h *Handler) Mie(w http.ResponseWriter, r *http.Request) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	m, err := h.svc.DaRivedere(r.Context(), authz.PrincipalOf(r), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, miePage(h.rs.Shell(r), m))
}

// Esito records the esito INPS returned, from the batch's page (ritorno =
// invio: back to that page, at the same page of the list) or from the
// segnalazione's page. A refused form is shown again on the page it came
// from, with what was typed: 422 for errors, 409 for a conflict or a
// segnalazione that no longer accepts an esito.
func (h *Handler) Esito(w http.ResponseWriter, r *http.Request) {
	seg, err := param(r, "seg", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := EsitoInput{Esito: r.PostFormValue("esito"), Motivo: r.PostFormValue("motivo_scarto"),
		Data: r.PostFormValue("data_esito"), Versione: r.PostFormValue("versione")}
	daInvio := r.PostFormValue("ritorno") == "invio"
	pagina, _ := strconv.Atoi(r.PostFormValue("pagina"))
	invio, err := h.svc.RegistraEsito(r.Context(), authz.PrincipalOf(r), seg, in, registro.VoceOf(r))
	f := &formEsito{Seg: seg, In: in}
	var fe httpx.FieldErrors
	var status int
	switch {
	case err == nil && daInvio && invio > 0:
		u := invioURL(invio, pagina)
		if pagina > 1 {
			u += "&esito=registrato"
		} else {
			u += "?esito=registrato"
		}
		httpx.Redirect(w, r, u+"#seg-"+seg.String())
		return
	case err == nil:
		httpx.Redirect(w, r, "/segnalazioni/"+seg.String()+"?esito=esito-registrato")
		return
	case errors.As(err, &fe):
		f.Errs, status = fe, http.StatusUnprocessableEntity
	case errors.Is(err, ErrConflict):
		f.Conflitto, status = true, http.StatusConflict
	case errors.Is(err, ErrStato):
		const avviso = "Si registra l'esito INPS solo di una segnalazione inviata o rettificata: la pagina mostra lo stato aggiornato e non è stato registrato nulla."
		if !daInvio || invio == 0 {
			h.renderDecisione(w, r, http.StatusConflict, formDecisione{Avviso: avviso})
			return
		}
		f.Avviso, status = avviso, http.StatusConflict
	default:
		h.rs.Error(w, r, err)
		return
	}
	if daInvio && invio > 0 {
		h.renderInvio(w, r, status, invio, pagina, "", f)
		return
	}
	h.renderDecisione(w, r, status, formDecisione{Esito: f})
}
