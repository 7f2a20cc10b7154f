package schede

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// Pagine serves the read-only pages every versioned scheda has under its
// base address (/casi/{id}/analisi-preliminare, …): the list of versions
// (/versioni), one version (/versioni/{n}) and the comparison of version n
// with another (/versioni/{n}/confronto?con=m, by default the one before).
// S is the module's view of a version, C its comparison; the module keeps
// its own service (access checks, audit) and templates.
type Pagine[S, C any] struct {
	RS *httpx.Responder
	// NonTrovata is the module's not-found error (it wraps
	// httpx.ErrNotFound), for a malformed case id or version number.
	NonTrovata     error
	Corrente       func(ctx context.Context, p authz.Principal, caso uuid.UUID, v registro.Voce) (S, error)
	Leggi          func(ctx context.Context, p authz.Principal, caso uuid.UUID, n int, v registro.Voce) (S, error)
	Confronta      func(ctx context.Context, p authz.Principal, caso uuid.UUID, a, b int, v registro.Voce) (C, error)
	VistaVersioni  func(ui.Shell, S) templ.Component
	VistaVersione  func(ui.Shell, S) templ.Component
	VistaConfronto func(s ui.Shell, c C, n, con int) templ.Component
}

// Numero is a version number from the address; 0 when it is not one.
func Numero(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

func caso(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	return id, err == nil
}

func (pg Pagine[S, C]) Versioni(w http.ResponseWriter, r *http.Request) {
	id, ok := caso(r)
	if !ok {
		pg.RS.Error(w, r, pg.NonTrovata)
		return
	}
	v := registro.VoceOf(r)
	v.Dettaglio = "elenco delle versioni"
	sc, err := pg.Corrente(r.Context(), authz.PrincipalOf(r), id, v)
	if err != nil {
		pg.RS.Error(w, r, err)
		return
	}
	pg.RS.Render(w, r, http.StatusOK, pg.VistaVersioni(pg.RS.Shell(r), sc))
}

func (pg Pagine[S, C]) Versione(w http.ResponseWriter, r *http.Request) {
	id, ok := caso(r)
	n := Numero(chi.URLParam(r, "n"))
	if !ok || n == 0 {
		pg.RS.Error(w, r, pg.NonTrovata)
		return
	}
	sc, err := pg.Leggi(r.Context(), authz.PrincipalOf(r), id, n, registro.VoceOf(r))
	if err != nil {
		pg.RS.Error(w, r, err)
		return
	}
	pg.RS.Render(w, r, http.StatusOK, pg.VistaVersione(pg.RS.Shell(r), sc))
}

func (pg Pagine[S, C]) Confronto(w http.ResponseWriter, r *http.Request) {
	id, ok := caso(r)
	n := Numero(chi.URLParam(r, "n"))
	con := Numero(r.URL.Query().Get("con"))
	if con == 0 && n > 1 {
		con = n - 1
	}
	if !ok || n == 0 || con == 0 {
		pg.RS.Error(w, r, pg.NonTrovata)
		return
	}
	a, b := min(con, n), max(con, n)
	cf, err := pg.Confronta(r.Context(), authz.PrincipalOf(r), id, a, b, registro.VoceOf(r))
	if err != nil {
		pg.RS.Error(w, r, err)
		return
	}
	pg.RS.Render(w, r, http.StatusOK, pg.VistaConfronto(pg.RS.Shell(r), cf, n, con))
}

// Scegli decodes, with dec, version numero of vs (a scheda's versions,
// newest first, as Elenco returns them), or the newest when numero is 0:
// nil when there is none yet, notFound when numero is not among them.
func Scegli[V any](vs []Versione, numero int, dec func(Versione) (V, error), notFound error) (*V, error) {
	for _, x := range vs {
		if numero == 0 || x.Numero == numero {
			v, err := dec(x)
			if err != nil {
				return nil, err
			}
			return &v, nil
		}
	}
	if numero > 0 {
		return nil, notFound
	}
	return nil, nil
}

// Coppia decodes, with dec, versions a and b of vs (a scheda's versions, as
// Elenco returns them): the two sides of a comparison. notFound when either
// is not among them.
func Coppia[V any](vs []Versione, a, b int, dec func(Versione) (V, error), notFound error) (prima, dopo V, err error) {
	trova := func(n int) (V, error) {
		for _, x := range vs {
			if x.Numero == n {
				return dec(x)
			}
		}
		var zero V
		return zero, notFound
	}
	if prima, err = trova(a); err != nil {
		return prima, dopo, err
	}
	dopo, err = trova(b)
	return prima, dopo, err
}

// AltreVersioni are the versions of vs to compare version n with, as the
// choices of the comparison form: "Versione 2 (bozza)", the state as stato
// names it.
func AltreVersioni(vs []Versione, n int, stato func(Versione) string) []ui.Option {
	var out []ui.Option
	for _, v := range vs {
		if v.Numero != n {
			k := strconv.Itoa(v.Numero)
			out = append(out, ui.Option{Value: k, Label: "Versione " + k + " (" + strings.ToLower(stato(v)) + ")"})
		}
	}
	return out
}
