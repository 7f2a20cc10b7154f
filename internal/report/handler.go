package report

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// Handler serves the cruscotto.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
	esp *Esportatore // nil: no exports
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler { return &Handler{svc: svc, rs: rs} }

// Cruscotto is GET /report.
func (h *Handler) Cruscotto(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := Richiesta{Dal: q.Get("dal"), Al: q.Get("al"), Comune: q.Get("comune"), Ricalcola: q.Get("ricalcola") == "1"}
	c, err := h.svc.Cruscotto(r.Context(), authz.PrincipalOf(r), in)
	c.Esporta = h.esp != nil
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		h.rs.Render(w, r, http.StatusOK, pagina(h.rs.Shell(r), c, in, nil))
	case errors.As(err, &fe):
		h.rs.Render(w, r, http.StatusUnprocessableEntity, pagina(h.rs.Shell(r), c, in, fe))
	default:
		h.rs.Error(w, r, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// ricalcola is the address of the same page computed afresh.
func ricalcola(c Cruscotto) templ.SafeURL {
	v := url.Values{"dal": {calendario.Data(c.Dal)}, "al": {calendario.Data(c.Al)}, "ricalcola": {"1"}}
	if c.ComuneID != 0 {
		v.Set("comune", strconv.FormatInt(c.ComuneID, 10))
	}
	return templ.SafeURL("/report?" + v.Encode())
}

// ora is the time of day t, in Rome.
func ora(t time.Time) string { return t.In(calendario.Roma).Format("15:04") }

func opzioniComuni(c Cruscotto) []ui.Option {
	var os []ui.Option
	if len(c.Comuni) != 1 {
		os = append(os, ui.Option{Value: "", Label: "Tutti i comuni"})
	}
	for _, x := range c.Comuni {
		os = append(os, ui.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Nome})
	}
	return os
}

// valore is what a field shows: what was typed when the form was refused,
// the value used otherwise.
func valore(typed string, fe httpx.FieldErrors, usato string) string {
	if fe != nil {
		return typed
	}
	return usato
}

func comuneScelto(c Cruscotto) string {
	if c.ComuneID == 0 {
		return ""
	}
	return strconv.FormatInt(c.ComuneID, 10)
}

func nomeComune(c Cruscotto) string {
	for _, x := range c.Comuni {
		if x.ID == c.ComuneID {
			return x.Nome
		}
	}
	return "tutti i comuni"
}

// intestazioneRighe is the header of the rows' column.
func intestazioneRighe(t Tabella) string {
	if t.IntestazioneRighe != "" {
		return t.IntestazioneRighe
	}
	return "Voce"
}

// Dettaglio is GET /report/casi: the coordinatore PaIS's list of the cases
// of a cell of the cruscotto.
func (h *Handler) Dettaglio(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := RichiestaDettaglio{
		Richiesta: Richiesta{Dal: q.Get("dal"), Al: q.Get("al"), Comune: q.Get("comune")},
		Selezione: Selezione{Indicatore: q.Get("indicatore"), Riga: q.Get("riga"), Colonna: q.Get("colonna")},
		Dopo:      q.Get("dopo"),
	}
	d, err := h.svc.Dettaglio(r.Context(), authz.PrincipalOf(r), in, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, paginaDettaglio(h.rs.Shell(r), d, in.Selezione))
}
