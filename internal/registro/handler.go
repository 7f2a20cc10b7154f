package registro

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/web/ui"
)

// Nome is an operator of the ambito as the viewer lists them.
type Nome struct {
	ID   uuid.UUID
	Nome string
}

// Operatori lists the operators of the principal's ambito (implemented by
// the accreditation module, adapted in the composition root).
type Operatori func(ctx context.Context, p authz.Principal) ([]Nome, error)

// Handler serves the register's viewer to the amministratore di ambito.
type Handler struct {
	svc       *Service
	rs        *httpx.Responder
	operatori Operatori
	casi      Casi
}

// ConCasi lets the viewer show and find cases by number.
func (h *Handler) ConCasi(c Casi) *Handler {
	h.casi = c
	return h
}

// NewHandler returns the viewer.
func NewHandler(svc *Service, rs *httpx.Responder, operatori Operatori) *Handler {
	return &Handler{svc: svc, rs: rs, operatori: operatori}
}

// form is the filter as typed, kept for the page.
type form struct {
	Operatore, Dal, Al, Azione, Caso string
}

// filter reads the query; errors are per field, in Italian.
func (h *Handler) filter(r *http.Request) (Filtro, form, map[string]string, error) {
	p := authz.PrincipalOf(r)
	if p.AmbitoID == nil {
		return Filtro{}, form{}, nil, httpx.ErrForbidden
	}
	q := r.URL.Query()
	fm := form{Operatore: q.Get("operatore"), Dal: q.Get("dal"), Al: q.Get("al"), Azione: q.Get("azione"), Caso: q.Get("caso")}
	f := Filtro{AmbitoID: *p.AmbitoID, Azione: fm.Azione, CasoID: fm.Caso}
	errs := map[string]string{}
	if c := strings.TrimSpace(fm.Caso); c != "" && h.casi != nil {
		if _, err := uuid.Parse(c); err != nil {
			id, ok, err := h.casi.CasoPerNumero(r.Context(), c)
			switch {
			case err != nil:
				return Filtro{}, form{}, nil, err
			case ok:
				f.CasoID = id
			default:
				// No case has it: no record matches (the message says no
				// more, whether the number exists elsewhere or not).
				f.CasoID = uuid.Nil.String()
			}
		}
	}
	if fm.Operatore != "" {
		if id, err := uuid.Parse(fm.Operatore); err == nil {
			f.OperatoreID = &id
		} else {
			errs["operatore"] = "Scegli un operatore dall'elenco."
		}
	}
	day := func(s, field string) *time.Time {
		if s == "" {
			return nil
		}
		g, ok := calendario.ParseData(s)
		if !ok {
			errs[field] = "Data non valida (gg/mm/aaaa)."
			return nil
		}
		d := time.Date(g.Year(), g.Month(), g.Day(), 0, 0, 0, 0, calendario.Roma) // the day begins in Rome
		return &d
	}
	f.Dal = day(fm.Dal, "dal")
	if al := day(fm.Al, "al"); al != nil {
		next := al.AddDate(0, 0, 1) // the whole day "al" is included
		f.Al = &next
	}
	if f.Dal != nil && f.Al != nil && !f.Dal.Before(*f.Al) {
		errs["al"] = "La data finale precede quella iniziale."
	}
	f.Prima, _ = strconv.ParseInt(q.Get("prima"), 10, 64)
	return f, fm, errs, nil
}

func (h *Handler) Elenco(w http.ResponseWriter, r *http.Request) {
	f, fm, errs, err := h.filter(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	p := authz.PrincipalOf(r)
	ops, err := h.operatori(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	names := map[uuid.UUID]string{}
	for _, o := range ops {
		names[o.ID] = o.Nome
	}
	var vs []Voce
	var more bool
	status := http.StatusOK
	if len(errs) == 0 {
		if vs, more, err = h.svc.List(r.Context(), f); err != nil {
			h.rs.Error(w, r, err)
			return
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	// Reading the register is itself recorded: who looked at whose accesses.
	if err := h.svc.Record(r.Context(), FromRequest(r, Voce{Azione: Lettura, OggettoTipo: "registro", Dettaglio: describe(fm)})); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	qs := url.Values{}
	for k, v := range map[string]string{"operatore": fm.Operatore, "dal": fm.Dal, "al": fm.Al, "azione": fm.Azione, "caso": fm.Caso} {
		if v != "" {
			qs.Set(k, v)
		}
	}
	next := ""
	if more {
		n := url.Values{}
		for k, v := range qs {
			n[k] = v
		}
		n.Set("prima", strconv.FormatInt(vs[len(vs)-1].ID, 10))
		next = "/admin/registro?" + n.Encode()
	}
	numeri, err := numeriDi(r.Context(), h.casi, vs)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, listPage(h.rs.Shell(r), listProps{
		Form: fm, Errs: errs, Voci: vs, Nomi: names, Numeri: numeri, Operatori: ops, Next: next, First: f.Prima != 0,
		FirstURL: "/admin/registro?" + qs.Encode(), ExportURL: "/admin/registro/esporta?" + qs.Encode(),
	}))
}

func describe(fm form) string {
	return fmt.Sprintf("filtri: operatore=%s dal=%s al=%s azione=%s caso=%s", fm.Operatore, fm.Dal, fm.Al, fm.Azione, fm.Caso)
}

func (h *Handler) Esporta(w http.ResponseWriter, r *http.Request) {
	f, fm, errs, err := h.filter(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if len(errs) > 0 {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	p := authz.PrincipalOf(r)
	ops, err := h.operatori(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	names := map[uuid.UUID]string{}
	for _, o := range ops {
		names[o.ID] = o.Nome
	}
	if err := h.svc.Record(r.Context(), FromRequest(r, Voce{Azione: Esportazione, OggettoTipo: "registro", Dettaglio: describe(fm)})); err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="registro-accessi-`+time.Now().In(calendario.Roma).Format("20060102-1504")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := h.svc.ExportCSV(r.Context(), w, f, names, h.casi); err != nil {
		// Headers are gone: the truncated file is the signal; the log has why.
		h.rs.Log.ErrorContext(r.Context(), "registro export", "request_id", httpx.RequestIDFrom(r.Context()), "error", err)
	}
}

func azioneOptions() []ui.Option {
	out := []ui.Option{{Value: "", Label: "Tutte le azioni"}}
	for _, a := range Azioni {
		out = append(out, ui.Option{Value: a.Code, Label: a.Label})
	}
	return out
}

func operatoreOptions(ops []Nome) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Tutti gli operatori"}}
	for _, o := range ops {
		out = append(out, ui.Option{Value: o.ID.String(), Label: o.Nome})
	}
	return out
}
