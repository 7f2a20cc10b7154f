package quadro

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// Handler serves the quadro di analisi of a case.
type Handler struct {
	svc   *Service
	rs    *httpx.Responder
	guard *authz.Guard
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder, guard *authz.Guard) *Handler {
	return &Handler{svc: svc, rs: rs, guard: guard}
}

// Base is the path of a case's quadro di analisi (the case page links to it).
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/quadro-di-analisi" }

// Routes mounts the pages; every route declares its permission (the row
// scope, only the assigned case manager, is the service's).
func (h *Handler) Routes(r chi.Router) {
	read := h.guard.Require(authz.Casi, authz.Read)
	write := h.guard.Require(authz.Casi, authz.Write)
	const base = "/casi/{id}/quadro-di-analisi"
	r.With(read).Get(base, h.pagina)
	r.With(write).Post(base, h.salva)
	r.With(write).Post(base+"/inizia", h.inizia)
	r.With(write).Post(base+"/finalizza", h.finalizza)
	r.With(write).Post(base+"/riapri", h.riapri)
	schede.Pagine[Scheda, Confronto]{RS: h.rs, NonTrovata: ErrNonTrovata,
		Corrente: h.svc.Corrente, Leggi: h.svc.Leggi, Confronta: h.svc.Confronta,
		Versioni: paginaVersioni, Versione: paginaVersione, Confronto: paginaConfronto}.Routes(r, base, read)
	r.With(read).Get(base+"/stampa", h.stampa)
}

func principal(r *http.Request) authz.Principal {
	p, _ := authz.PrincipalFrom(r.Context())
	return p
}

func audit(r *http.Request) registro.Voce { return registro.FromRequest(r, registro.Voce{}) }

func casoID(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	return id, err == nil
}

// Pagina is what the main page shows.
type Pagina struct {
	Scheda
	Form      Contenuto // what the form shows: the draft, or what was typed
	Revisione int
	Errori    FieldErrors
	Conflitto *VistaConflitto
	Messaggio string // outcome of the last write
	Avviso    string // a write that could not be done
	Motivo    string // the reopening form
}

// VistaConflitto is the box shown when someone saved the draft meanwhile.
type VistaConflitto struct {
	Da    string
	Righe []RigaConflitto
}

// RigaConflitto is one field the other person changed: the value before,
// theirs, and what the user typed.
type RigaConflitto struct {
	Campo, Prima, Loro, Tuo string
}

var messaggi = map[string]string{
	"iniziata":    "Quadro di analisi iniziato: i componenti del nucleo sono già elencati.",
	"salvata":     "Bozza salvata.",
	"finalizzata": "Quadro di analisi finalizzato: questa versione non si modifica più; le dimensioni prioritarie sono pronte per gli obiettivi del patto.",
	"riaperta":    "Quadro di analisi riaperto: è una nuova versione in bozza; la versione precedente resta consultabile.",
}

func (h *Handler) pagina(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, Pagina{Messaggio: messaggi[r.URL.Query().Get("esito")]}, nil)
}

// render shows the current version; typed (not nil) is applied to the
// draft so that what the user typed is kept.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, pg Pagina, typed func(*Contenuto)) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	sc, err := h.svc.Corrente(r.Context(), principal(r), id, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pg.Scheda = sc
	if sc.Versione != nil {
		pg.Form = sc.Versione.Contenuto
		if pg.Revisione == 0 { // a refused write keeps the revisione the form was loaded at
			pg.Revisione = sc.Versione.Revisione
		}
		if typed != nil && sc.Bozza() {
			typed(&pg.Form)
		}
	}
	h.rs.Render(w, r, status, paginaQuadro(h.rs.Shell(r), pg))
}

func (h *Handler) inizia(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	_, err := h.svc.Apri(r.Context(), principal(r), id, audit(r))
	if errors.Is(err, ErrChiuso) {
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il quadro di analisi non si può iniziare."}, nil)
		return
	}
	if errors.Is(err, ErrNonAttivato) {
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il quadro di analisi si compila quando l'analisi preliminare si chiude con l'esito C (bisogni complessi, équipe multidisciplinare)."}, nil)
		return
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	httpx.Redirect(w, r, Base(id)+"?esito=iniziata")
}

func (h *Handler) salva(w http.ResponseWriter, r *http.Request)     { h.scrivi(w, r, false) }
func (h *Handler) finalizza(w http.ResponseWriter, r *http.Request) { h.scrivi(w, r, true) }

// scrivi saves (or finalises) the draft with what the form sends.
func (h *Handler) scrivi(w http.ResponseWriter, r *http.Request, finale bool) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	rev, _ := strconv.Atoi(r.PostForm.Get("revisione"))
	typed := DaModulo(r.PostForm)
	var errs FieldErrors
	var err error
	esito := "salvata"
	if finale {
		_, errs, err = h.svc.Finalizza(r.Context(), principal(r), id, rev, typed, audit(r))
		esito = "finalizzata"
	} else {
		_, err = h.svc.Salva(r.Context(), principal(r), id, rev, typed, audit(r))
	}
	var c *schede.Conflitto
	switch {
	case errors.As(err, &c):
		h.renderConflitto(w, r, c, typed)
	case errors.Is(err, ErrNessunaBozza):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Nel frattempo il quadro di analisi è stato finalizzato da un altro operatore: le modifiche non sono state salvate. Se serve, riaprilo."}, nil)
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il quadro di analisi non si modifica.", Revisione: rev}, typed)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{Errori: errs, Revisione: rev}, typed)
	default:
		httpx.Redirect(w, r, Base(id)+"?esito="+esito)
	}
}

// renderConflitto shows the form with what the user typed, at the draft's
// current revisione (saving again overwrites the other's changes knowingly),
// and the box of what the other person changed.
func (h *Handler) renderConflitto(w http.ResponseWriter, r *http.Request, c *schede.Conflitto, typed func(*Contenuto)) {
	id, _ := casoID(r)
	sc, err := h.svc.Corrente(r.Context(), principal(r), id, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pg := Pagina{Scheda: sc, Revisione: c.Attuale.Revisione}
	if sc.Versione != nil {
		pg.Form = sc.Versione.Contenuto
		pg.Revisione = sc.Versione.Revisione
	}
	typed(&pg.Form)
	mio, _ := json.Marshal(pg.Form)
	tutti, _ := schede.Differenze([]byte("{}"), mio, nil)
	tuoi := map[string]string{}
	for _, d := range tutti {
		tuoi[d.Percorso] = d.Dopo
	}
	rif := sc.Riferimenti
	vc := &VistaConflitto{Da: c.Da}
	for _, d := range Leggibili(rif, c.Cambiate) {
		vc.Righe = append(vc.Righe, RigaConflitto{Campo: d.Campo, Prima: d.Prima, Loro: d.Dopo, Tuo: Valore(rif, d.Percorso, tuoi[d.Percorso])})
	}
	pg.Conflitto = vc
	h.rs.Render(w, r, http.StatusConflict, paginaQuadro(h.rs.Shell(r), pg))
}

func (h *Handler) riapri(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	motivo := r.PostFormValue("motivo")
	_, errs, err := h.svc.Riapri(r.Context(), principal(r), id, motivo, audit(r))
	switch {
	case errors.Is(err, ErrBozzaEsistente):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Nel frattempo il quadro di analisi è già stato riaperto da un altro operatore: ecco la bozza."}, nil)
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il quadro di analisi non si riapre.", Motivo: motivo}, nil)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{Errori: errs, Motivo: motivo}, nil)
	default:
		httpx.Redirect(w, r, Base(id)+"?esito=riaperta")
	}
}

func (h *Handler) stampa(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	v := audit(r)
	v.Dettaglio = "stampa"
	var sc Scheda
	var err error
	if q := r.URL.Query().Get("versione"); q != "" {
		n := schede.Numero(q)
		if n == 0 {
			h.rs.Error(w, r, ErrNonTrovata)
			return
		}
		sc, err = h.svc.Leggi(r.Context(), principal(r), id, n, v)
	} else {
		sc, err = h.svc.Corrente(r.Context(), principal(r), id, v)
	}
	if err == nil && sc.Versione == nil {
		err = ErrNonTrovata
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, paginaStampa(h.rs.Shell(r), sc))
}
