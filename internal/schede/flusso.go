package schede

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// Vista is what the pages of the workflow need of a module's view of its
// scheda.
type Vista[C any] interface {
	// Mostrata is the content and the revisione of the version shown; ok
	// is false when the case has none yet.
	Mostrata() (cont C, revisione int, ok bool)
	// Bozza reports whether the version shown is a draft.
	Bozza() bool
}

// Compilazione is what the main page shows besides the scheda: the form, the
// revisione it was loaded at, the errors, the conflict box and the
// outcome of the last write.
type Compilazione[C any] struct {
	Form      C // the draft, or what was typed
	Revisione int
	Errori    httpx.FieldErrors
	Conflitto *VistaConflitto
	Messaggio string // outcome of the last write
	Avviso    string // a write that could not be done
	Motivo    string // the reopening form
	// Inviato is the form as submitted (nil: none), for what a module
	// keeps as typed beyond the content.
	Inviato url.Values
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

// Servizio are the module's use cases the workflow calls (its service's
// methods, usually through a Modulo).
type Servizio[S, C any] struct {
	Corrente  func(ctx context.Context, p authz.Principal, caso uuid.UUID, v registro.Voce) (S, error)
	Leggi     func(ctx context.Context, p authz.Principal, caso uuid.UUID, n int, v registro.Voce) (S, error)
	Inizia    func(ctx context.Context, p authz.Principal, caso uuid.UUID, v registro.Voce) (Versione, error)
	Salva     func(ctx context.Context, p authz.Principal, caso uuid.UUID, revisione int, modifica func(*C), v registro.Voce) (Versione, httpx.FieldErrors, error)
	Finalizza func(ctx context.Context, p authz.Principal, caso uuid.UUID, revisione int, modifica func(*C), v registro.Voce) (Versione, httpx.FieldErrors, error)
	Riapri    func(ctx context.Context, p authz.Principal, caso uuid.UUID, motivo string, v registro.Voce) (Versione, httpx.FieldErrors, error)
}

// Avvisi are the module's words for a write that could not be done.
type Avvisi struct {
	NonIniziabile   string // the case is closed: the scheda cannot be started
	NonAttivabile   string // the case has not reached the scheda
	NonModificabile string // the case is closed: the draft is not saved
	NonRiapribile   string // the case is closed: the scheda is not reopened
	Finalizzata     string // the draft was finalised meanwhile
	Riaperta        string // the scheda was reopened meanwhile
}

// Esiti are the values of ?esito= after each write (the keys of Messaggi).
type Esiti struct {
	Inizia, Salva, Finalizza, Riapri string
}

// Flusso is the handler side of a versioned scheda's workflow, under the
// module's base address: the main page with the form, saving the draft (a
// stale revisione shows the form again with what the other person
// changed), finalising, reopening as version n+1, starting it, printing.
// S is the module's view of the scheda, C its content; the module declares
// how a form is read, how paths are labelled and its views.
type Flusso[S Vista[C], C any] struct {
	RS  *httpx.Responder
	Svc Servizio[S, C]
	Errori
	// NonAttivabile is the module's error for a case that has not reached
	// the scheda (nil: none).
	NonAttivabile error
	Base          func(caso uuid.UUID) string
	Messaggi      map[string]string // by esito
	Esiti         Esiti
	Avvisi        Avvisi
	// Modulo reads the form: the change it makes to a draft, and the
	// fields that could not be read (nothing is saved then).
	Modulo func(url.Values) (func(*C), httpx.FieldErrors)
	// Limiti are the maximum lengths of the form's free-text fields (the
	// reopening's motivo included): a longer one is refused with its
	// message next to the field, nothing saved, everything typed kept.
	Limiti httpx.Limiti
	// Aggiungi, when not nil, is the section an "add another row" button
	// of the form leads back to after saving ("" none).
	Aggiungi func(url.Values) string
	// Leggibili labels the differences of a conflict and writes their
	// values as shown; Valore writes one value typed at a path.
	Leggibili func(sc S, d []Differenza, form C) []Differenza
	Valore    func(sc S, percorso, v string, form C) string
	Viste     Viste[S, C]
}

// Viste are the module's views of the workflow: the main page and the
// print view.
type Viste[S, C any] struct {
	Pagina func(ui.Shell, S, Compilazione[C]) templ.Component
	Stampa func(ui.Shell, S) templ.Component
}

// Mostra is the main page, with the message of ?esito=.
func (f Flusso[S, C]) Mostra(w http.ResponseWriter, r *http.Request) {
	f.Render(w, r, http.StatusOK, Compilazione[C]{Messaggio: f.Messaggi[r.URL.Query().Get("esito")]}, nil)
}

// Carica loads the current version for the page into st: the form shows
// the draft, with typed (not nil) applied so that what the user typed is
// kept; a refused write keeps the revisione the form was loaded at. On
// failure it has answered and reports false.
func (f Flusso[S, C]) Carica(w http.ResponseWriter, r *http.Request, st *Compilazione[C], typed func(*C)) (S, bool) {
	id, ok := caso(r)
	if !ok {
		var zero S
		f.RS.Error(w, r, f.NonTrovata)
		return zero, false
	}
	sc, err := f.Svc.Corrente(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		f.RS.Error(w, r, err)
		return sc, false
	}
	if cont, rev, ok := sc.Mostrata(); ok {
		st.Form = cont
		if st.Revisione == 0 {
			st.Revisione = rev
		}
		if typed != nil && sc.Bozza() {
			typed(&st.Form)
		}
	}
	return sc, true
}

// Render shows the main page with st (see Carica).
func (f Flusso[S, C]) Render(w http.ResponseWriter, r *http.Request, status int, st Compilazione[C], typed func(*C)) {
	sc, ok := f.Carica(w, r, &st, typed)
	if !ok {
		return
	}
	f.RS.Render(w, r, status, f.Viste.Pagina(f.RS.Shell(r), sc, st))
}

func (f Flusso[S, C]) redirect(w http.ResponseWriter, r *http.Request, id uuid.UUID, esito, predefinito string) {
	if esito == "" {
		esito = predefinito
	}
	httpx.Redirect(w, r, f.Base(id)+"?esito="+esito)
}

// Inizia starts the scheda (version 1, a draft).
func (f Flusso[S, C]) Inizia(w http.ResponseWriter, r *http.Request) {
	id, ok := caso(r)
	if !ok {
		f.RS.Error(w, r, f.NonTrovata)
		return
	}
	_, err := f.Svc.Inizia(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	switch {
	case errors.Is(err, f.Chiuso):
		f.Render(w, r, http.StatusConflict, Compilazione[C]{Avviso: f.Avvisi.NonIniziabile}, nil)
	case f.NonAttivabile != nil && errors.Is(err, f.NonAttivabile):
		f.Render(w, r, http.StatusConflict, Compilazione[C]{Avviso: f.Avvisi.NonAttivabile}, nil)
	case err != nil:
		f.RS.Error(w, r, err)
	default:
		f.redirect(w, r, id, f.Esiti.Inizia, "iniziata")
	}
}

// Salva saves the draft with what the form sends.
func (f Flusso[S, C]) Salva(w http.ResponseWriter, r *http.Request) { f.scrivi(w, r, false) }

// Finalizza finalises the draft with what the form sends.
func (f Flusso[S, C]) Finalizza(w http.ResponseWriter, r *http.Request) { f.scrivi(w, r, true) }

func (f Flusso[S, C]) scrivi(w http.ResponseWriter, r *http.Request, finale bool) {
	id, ok := caso(r)
	if !ok {
		f.RS.Error(w, r, f.NonTrovata)
		return
	}
	if err := r.ParseForm(); err != nil {
		f.RS.Error(w, r, httpx.ErrBadInput)
		return
	}
	rev := Revisione(r.PostForm.Get("revisione"))
	typed, errs := f.Modulo(r.PostForm)
	errs = f.Limiti.Controlla(errs, r.PostForm)
	if len(errs) > 0 {
		f.Render(w, r, http.StatusUnprocessableEntity, Compilazione[C]{Errori: errs, Revisione: rev, Inviato: r.PostForm}, typed)
		return
	}
	var err error
	esito := f.Esiti.Salva
	if finale {
		_, errs, err = f.Svc.Finalizza(r.Context(), authz.PrincipalOf(r), id, rev, typed, registro.VoceOf(r))
		esito = f.Esiti.Finalizza
		if esito == "" {
			esito = "finalizzata"
		}
	} else {
		_, errs, err = f.Svc.Salva(r.Context(), authz.PrincipalOf(r), id, rev, typed, registro.VoceOf(r))
	}
	var c *Conflitto
	switch {
	case errors.As(err, &c):
		f.Conflitto(w, r, c, typed)
	case errors.Is(err, f.NessunaBozza):
		f.Render(w, r, http.StatusConflict, Compilazione[C]{Avviso: f.Avvisi.Finalizzata}, nil)
	case errors.Is(err, f.Chiuso):
		f.Render(w, r, http.StatusConflict, Compilazione[C]{Avviso: f.Avvisi.NonModificabile, Revisione: rev, Inviato: r.PostForm}, typed)
	case err != nil:
		f.RS.Error(w, r, err)
	case len(errs) > 0:
		f.Render(w, r, http.StatusUnprocessableEntity, Compilazione[C]{Errori: errs, Revisione: rev, Inviato: r.PostForm}, typed)
	case !finale && f.Aggiungi != nil && f.Aggiungi(r.PostForm) != "":
		httpx.Redirect(w, r, f.Base(id)+"?esito=aggiungi#"+f.Aggiungi(r.PostForm))
	default:
		f.redirect(w, r, id, esito, "salvata")
	}
}

// Conflitto shows the form with what the user typed (typed, if not nil)
// at the draft's current revisione, so that saving again overwrites the
// other's changes knowingly, and the box of what the other person changed.
func (f Flusso[S, C]) Conflitto(w http.ResponseWriter, r *http.Request, c *Conflitto, typed func(*C)) {
	st := Compilazione[C]{Revisione: c.Attuale.Revisione}
	sc, ok := f.Carica(w, r, &st, nil)
	if !ok {
		return
	}
	if _, rev, ok := sc.Mostrata(); ok {
		st.Revisione = rev
	}
	if typed != nil {
		typed(&st.Form)
	}
	mio, _ := json.Marshal(st.Form)
	tutti, _ := Differenze([]byte("{}"), mio, nil)
	tuoi := map[string]string{}
	for _, d := range tutti {
		tuoi[d.Percorso] = d.Dopo
	}
	vc := &VistaConflitto{Da: c.Da}
	for _, d := range f.Leggibili(sc, c.Cambiate, st.Form) {
		vc.Righe = append(vc.Righe, RigaConflitto{Campo: d.Campo, Prima: d.Prima, Loro: d.Dopo, Tuo: f.Valore(sc, d.Percorso, tuoi[d.Percorso], st.Form)})
	}
	st.Conflitto = vc
	f.RS.Render(w, r, http.StatusConflict, f.Viste.Pagina(f.RS.Shell(r), sc, st))
}

// Riapri reopens the scheda as the next version, with the reason typed.
func (f Flusso[S, C]) Riapri(w http.ResponseWriter, r *http.Request) {
	id, ok := caso(r)
	if !ok {
		f.RS.Error(w, r, f.NonTrovata)
		return
	}
	motivo := r.PostFormValue("motivo")
	if errs := f.Limiti.Controlla(nil, url.Values{"motivo": {motivo}}); len(errs) > 0 {
		f.Render(w, r, http.StatusUnprocessableEntity, Compilazione[C]{Errori: errs, Motivo: motivo}, nil)
		return
	}
	_, errs, err := f.Svc.Riapri(r.Context(), authz.PrincipalOf(r), id, motivo, registro.VoceOf(r))
	switch {
	case errors.Is(err, f.BozzaEsistente):
		f.Render(w, r, http.StatusConflict, Compilazione[C]{Avviso: f.Avvisi.Riaperta}, nil)
	case errors.Is(err, f.Chiuso):
		f.Render(w, r, http.StatusConflict, Compilazione[C]{Avviso: f.Avvisi.NonRiapribile, Motivo: motivo}, nil)
	case err != nil:
		f.RS.Error(w, r, err)
	case len(errs) > 0:
		f.Render(w, r, http.StatusUnprocessableEntity, Compilazione[C]{Errori: errs, Motivo: motivo}, nil)
	default:
		f.redirect(w, r, id, f.Esiti.Riapri, "riaperta")
	}
}

// Stampa is the print view of ?versione= (none: the newest), recorded as
// a read with dettaglio "stampa".
func (f Flusso[S, C]) Stampa(w http.ResponseWriter, r *http.Request) {
	id, ok := caso(r)
	if !ok {
		f.RS.Error(w, r, f.NonTrovata)
		return
	}
	v := registro.VoceOf(r)
	v.Dettaglio = "stampa"
	var sc S
	var err error
	if q := r.URL.Query().Get("versione"); q != "" {
		n := Numero(q)
		if n == 0 {
			f.RS.Error(w, r, f.NonTrovata)
			return
		}
		sc, err = f.Svc.Leggi(r.Context(), authz.PrincipalOf(r), id, n, v)
	} else {
		sc, err = f.Svc.Corrente(r.Context(), authz.PrincipalOf(r), id, v)
	}
	if err == nil {
		if _, _, ok := sc.Mostrata(); !ok {
			err = f.NonTrovata
		}
	}
	if err != nil {
		f.RS.Error(w, r, err)
		return
	}
	f.RS.Render(w, r, http.StatusOK, f.Viste.Stampa(f.RS.Shell(r), sc))
}

// Revisione reads the revisione a form carries: a number that is not one,
// negative or beyond the column's range (revisione=99999999999999999999) is
// -1, which matches no draft and so is answered as a conflict, with what
// was typed kept, never as a 500.
func Revisione(s string) int {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil || n < 0 {
		return -1
	}
	return int(n)
}
