package accesso

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// Handler serves the accreditation screens of the amministratore di ambito.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}

func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return uuid.Nil, ErrOperatoreNotFound
	}
	return id, nil
}

func (h *Handler) Elenco(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filtro{Q: q.Get("q"), Ruolo: q.Get("ruolo"), Stato: q.Get("stato")}
	f.Pagina, _ = strconv.Atoi(q.Get("pagina"))
	f.ComuneID = httpx.ID(q.Get("comune"))
	if f.Pagina < 1 {
		f.Pagina = 1
	}
	p := authz.PrincipalOf(r)
	comuni, err := h.svc.ComuniAmbito(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	rows, hasNext, err := h.svc.ListOperatori(r.Context(), p, f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	base := url.Values{}
	for k, v := range map[string]string{"q": f.Q, "ruolo": f.Ruolo, "stato": f.Stato, "comune": q.Get("comune")} {
		if v != "" {
			base.Set(k, v)
		}
	}
	pager := ui.Pager{Page: f.Pagina, HasNext: hasNext, BaseURL: "/admin/operatori?" + base.Encode()}
	h.rs.Render(w, r, http.StatusOK, listPage(h.rs.Shell(r), listProps{Filtro: f, ComuneSel: q.Get("comune"), Comuni: comuni, Righe: rows, Pager: pager, Esito: q.Get("esito")}))
}

func anagraficaFrom(r *http.Request) Anagrafica {
	return Anagrafica{
		CodiceFiscale: r.PostFormValue("codice_fiscale"), Nome: r.PostFormValue("nome"), Cognome: r.PostFormValue("cognome"),
		DataNascita: r.PostFormValue("data_nascita"), ComuneNascita: r.PostFormValue("comune_nascita"),
		Genere: r.PostFormValue("genere"), Email: r.PostFormValue("email"), Telefono: r.PostFormValue("telefono"),
		TelefonoUfficio: r.PostFormValue("telefono_ufficio"), EmailUfficio: r.PostFormValue("email_ufficio"), OrariUfficio: r.PostFormValue("orari_ufficio"),
	}
}

func ruoloFrom(r *http.Request) NuovoRuolo {
	return NuovoRuolo{Ruolo: r.PostFormValue("ruolo"), ComuneID: r.PostFormValue("comune_id"), EnteID: r.PostFormValue("ente_id"), Fondo: r.PostFormValue("fondo"), Dal: r.PostFormValue("dal")}
}

// today is the value of a date input set to today.
func today() string { return calendario.ISO(calendario.Giorno(time.Now())) }

func (h *Handler) Nuovo(w http.ResponseWriter, r *http.Request) {
	h.renderNew(w, r, http.StatusOK, Anagrafica{}, NuovoRuolo{Dal: today(), Fondo: Fondi[0]}, nil)
}

func (h *Handler) renderNew(w http.ResponseWriter, r *http.Request, status int, an Anagrafica, ru NuovoRuolo, errs httpx.FieldErrors) {
	comuni, err := h.svc.ComuniAmbito(r.Context(), authz.PrincipalOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	enti, err := h.svc.EntiRete(r.Context(), authz.PrincipalOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, newPage(h.rs.Shell(r), an, ru, comuni, enti, errs))
}

func (h *Handler) Crea(w http.ResponseWriter, r *http.Request) {
	an, ru := anagraficaFrom(r), ruoloFrom(r)
	id, err := h.svc.AccreditOperatore(r.Context(), authz.PrincipalOf(r), an, ru, registro.VoceOf(r))
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		h.renderNew(w, r, http.StatusUnprocessableEntity, an, ru, fe)
		return
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	httpx.Redirect(w, r, "/admin/operatori/"+id.String()+"?esito=accreditato")
}

// schedaForms carries what the user typed in one of the page's forms, with
// its errors, so that a refused submission loses nothing.
type schedaForms struct {
	Ruolo     NuovoRuolo
	RuoloErr  httpx.FieldErrors
	FineID    int64
	Fine      [2]string // al, motivo
	FineErr   httpx.FieldErrors
	Stato     [3]string // azione, dal, motivo
	StatoErr  httpx.FieldErrors
	Conflitto bool
	Esito     string
}

func (h *Handler) Scheda(w http.ResponseWriter, r *http.Request) {
	h.renderScheda(w, r, http.StatusOK, schedaForms{Esito: r.URL.Query().Get("esito")})
}

func (h *Handler) renderScheda(w http.ResponseWriter, r *http.Request, status int, f schedaForms) {
	id, err := pathID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	p := authz.PrincipalOf(r)
	sc, err := h.svc.SchedaOperatore(r.Context(), p, id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	comuni, err := h.svc.ComuniAmbito(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	enti, err := h.svc.EntiRete(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if f.Ruolo.Dal == "" {
		f.Ruolo.Dal, f.Ruolo.Fondo = today(), Fondi[0]
	}
	if f.Stato[1] == "" {
		f.Stato[1] = today()
	}
	h.rs.Render(w, r, status, schedaPage(h.rs.Shell(r), sc, comuni, enti, f))
}

// afterChange answers a POST on the operator's page: back to the page on
// success, the page with the form's errors (422) or with the conflict (409).
func (h *Handler) afterChange(w http.ResponseWriter, r *http.Request, err error, f schedaForms, set func(*schedaForms, httpx.FieldErrors), esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/admin/operatori/"+chi.URLParam(r, "id")+"?esito="+esito)
	case errors.As(err, &fe):
		set(&f, fe)
		h.renderScheda(w, r, http.StatusUnprocessableEntity, f)
	case errors.Is(err, ErrConflict):
		f.Conflitto = true
		h.renderScheda(w, r, http.StatusConflict, f)
	default:
		h.rs.Error(w, r, err)
	}
}

func versione(r *http.Request) int {
	v, _ := strconv.Atoi(r.PostFormValue("versione"))
	return v
}

func (h *Handler) AggiungiRuolo(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	ru := ruoloFrom(r)
	err = h.svc.AddRuolo(r.Context(), authz.PrincipalOf(r), id, versione(r), ru, registro.VoceOf(r))
	h.afterChange(w, r, err, schedaForms{Ruolo: ru}, func(f *schedaForms, e httpx.FieldErrors) { f.RuoloErr = e }, "ruolo-aggiunto")
}

func (h *Handler) TerminaRuolo(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	rid, err := strconv.ParseInt(chi.URLParam(r, "ruolo"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrOperatoreNotFound)
		return
	}
	al, motivo := r.PostFormValue("al"), r.PostFormValue("motivo")
	err = h.svc.EndRuolo(r.Context(), authz.PrincipalOf(r), id, versione(r), rid, al, motivo, registro.VoceOf(r))
	h.afterChange(w, r, err, schedaForms{FineID: rid, Fine: [2]string{al, motivo}}, func(f *schedaForms, e httpx.FieldErrors) { f.FineErr = e }, "ruolo-terminato")
}

func (h *Handler) CambiaStato(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	st := [3]string{r.PostFormValue("azione"), r.PostFormValue("stato_dal"), r.PostFormValue("stato_motivo")}
	if st[0] == Revoca && !httpx.Confermato(r) {
		// A revocation cannot be undone: ask first, naming the operator.
		sc, err := h.svc.SchedaOperatore(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		nome := sc.Operatore.Nome + " " + sc.Operatore.Cognome
		_ = r.ParseForm()
		h.rs.Render(w, r, http.StatusOK, ui.ConfermaPage(h.rs.Shell(r), ui.Conferma{
			Titolo: "Revocare l'accreditamento di " + nome + "?",
			Effetti: []string{
				nome + " non potrà più accedere a Cartella con nessuno dei suoi ruoli in questo ambito, dalla data indicata.",
				"La revoca non si annulla: per farlo lavorare di nuovo servirà un nuovo accreditamento.",
				"Se ha casi aperti, restano nella bacheca del coordinatore da riassegnare.",
			},
			Azione: r.URL.Path, Campi: r.PostForm, Pulsante: "Revoca l'accreditamento", Annulla: "/admin/operatori/" + id.String(),
			Pericolosa: true,
		}))
		return
	}
	err = h.svc.ChangeStato(r.Context(), authz.PrincipalOf(r), id, versione(r), st[0], st[1], st[2], registro.VoceOf(r))
	h.afterChange(w, r, err, schedaForms{Stato: st}, func(f *schedaForms, e httpx.FieldErrors) { f.StatoErr = e }, "stato-"+st[0])
}

func (h *Handler) Modifica(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.SchedaOperatore(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	o := sc.Operatore
	an := Anagrafica{CodiceFiscale: o.CodiceFiscale, Nome: o.Nome, Cognome: o.Cognome, ComuneNascita: o.ComuneNascita,
		Genere: o.Genere, Email: o.Email, Telefono: o.Telefono,
		TelefonoUfficio: o.TelefonoUfficio, EmailUfficio: o.EmailUfficio, OrariUfficio: o.OrariUfficio}
	if o.DataNascita != nil {
		an.DataNascita = calendario.ISO(*o.DataNascita)
	}
	h.rs.Render(w, r, http.StatusOK, editPage(h.rs.Shell(r), sc, an, sc.Versione, nil, nil))
}

func (h *Handler) Aggiorna(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	an := anagraficaFrom(r)
	p := authz.PrincipalOf(r)
	err = h.svc.UpdateAnagrafica(r.Context(), p, id, versione(r), an, registro.VoceOf(r))
	if err == nil {
		httpx.Redirect(w, r, "/admin/operatori/"+id.String()+"?esito=modificato")
		return
	}
	var fe httpx.FieldErrors
	status := http.StatusUnprocessableEntity
	if !errors.As(err, &fe) && !errors.Is(err, ErrConflict) {
		h.rs.Error(w, r, err)
		return
	}
	sc, lerr := h.svc.SchedaOperatore(r.Context(), p, id, registro.VoceOf(r))
	if lerr != nil {
		h.rs.Error(w, r, lerr)
		return
	}
	v := versione(r)
	var current *Operatore
	if errors.Is(err, ErrConflict) {
		// Show what the other person saved next to what this one typed; the
		// next save, made knowingly, carries the current version.
		status, current, v = http.StatusConflict, &sc.Operatore, sc.Versione
	}
	h.rs.Render(w, r, status, editPage(h.rs.Shell(r), sc, an, v, fe, current))
}

func ruoloOptions(withEmpty bool) []ui.Option {
	var out []ui.Option
	if withEmpty {
		out = append(out, ui.Option{Value: "", Label: "Tutti i ruoli"})
	} else {
		out = append(out, ui.Option{Value: "", Label: "Scegli…"})
	}
	for _, r := range RuoliAmbito {
		out = append(out, ui.Option{Value: string(r), Label: r.Label()})
	}
	return out
}

func comuneOptions(comuni []Comune, empty string) []ui.Option {
	out := []ui.Option{{Value: "", Label: empty}}
	for _, c := range comuni {
		out = append(out, ui.Option{Value: fmt.Sprint(c.ID), Label: c.Denominazione})
	}
	return out
}

func enteOptions(enti []EnteScelta) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Nessuno (solo per l'operatore di un ente)"}}
	for _, e := range enti {
		l := e.Denominazione
		if e.Tipo != "" {
			l += " (" + e.Tipo + ")"
		}
		out = append(out, ui.Option{Value: fmt.Sprint(e.ID), Label: l})
	}
	return out
}

func fondoOptions() []ui.Option {
	out := make([]ui.Option, len(Fondi))
	for i, f := range Fondi {
		out[i] = ui.Option{Value: f, Label: f}
	}
	return out
}

var genereOptions = []ui.Option{{Value: "", Label: "Scegli…"}, {Value: "F", Label: "Femminile"}, {Value: "M", Label: "Maschile"}}

var statoOptions = []ui.Option{{Value: "", Label: "Tutti"}, {Value: "attivo", Label: "Attivi"}, {Value: "sospeso", Label: "Sospesi"}, {Value: "revocato", Label: "Revocati"}}

func statoBadge(stato string) (string, string) {
	switch stato {
	case "attivo":
		return "success", "Attivo"
	case "sospeso":
		return "warning", "Sospeso"
	}
	return "secondary", "Revocato"
}

var esiti = map[string]string{
	"accreditato":     "Operatore accreditato. Può accedere con SPID o CIE usando il proprio codice fiscale.",
	"modificato":      "Anagrafica aggiornata.",
	"ruolo-aggiunto":  "Ruolo aggiunto.",
	"ruolo-terminato": "Ruolo terminato.",
	"stato-sospendi":  "Accreditamento sospeso: le sessioni dell'operatore sono state chiuse.",
	"stato-riattiva":  "Accreditamento riattivato.",
	"stato-revoca":    "Accreditamento revocato: le sessioni dell'operatore sono state chiuse.",
}

func statoAzioni(stato string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "Scegli…"}}
	if stato == "attivo" {
		out = append(out, ui.Option{Value: Sospendi, Label: "Sospendi l'accreditamento"})
	}
	if stato == "sospeso" {
		out = append(out, ui.Option{Value: Riattiva, Label: "Riattiva l'accreditamento"})
	}
	return append(out, ui.Option{Value: Revoca, Label: "Revoca l'accreditamento (definitivo)"})
}

func fineValue(f schedaForms, id int64, i int) string {
	if f.FineID != id {
		if i == 0 {
			return today()
		}
		return ""
	}
	return f.Fine[i]
}

func fineErr(f schedaForms, id int64, k string) string {
	if f.FineID != id {
		return ""
	}
	return f.FineErr[k]
}
