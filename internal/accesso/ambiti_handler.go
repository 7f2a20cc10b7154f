package accesso

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// AmbitiHandler serves the screens of the amministratore di sistema: the
// ambiti, their comuni and their amministratori di ambito.
type AmbitiHandler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewAmbitiHandler returns the handler.
func NewAmbitiHandler(svc *Service, rs *httpx.Responder) *AmbitiHandler {
	return &AmbitiHandler{svc: svc, rs: rs}
}

func ambitoID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrAmbitoNotFound
	}
	return id, nil
}

func (h *AmbitiHandler) Elenco(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := FiltroAmbiti{Q: q.Get("q")}
	f.Pagina, _ = strconv.Atoi(q.Get("pagina"))
	if f.Pagina < 1 {
		f.Pagina = 1
	}
	rows, hasNext, err := h.svc.ListAmbiti(r.Context(), authz.PrincipalOf(r), f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	base := url.Values{}
	if f.Q != "" {
		base.Set("q", f.Q)
	}
	pager := ui.Pager{Page: f.Pagina, HasNext: hasNext, BaseURL: "/admin/ambiti?" + base.Encode()}
	h.rs.Render(w, r, http.StatusOK, ambitiListPage(h.rs.Shell(r), ambitiListProps{Filtro: f, Righe: rows, Pager: pager}))
}

func (h *AmbitiHandler) Nuovo(w http.ResponseWriter, r *http.Request) {
	h.rs.Render(w, r, http.StatusOK, ambitoNewPage(h.rs.Shell(r), Ambito{}, nil))
}

func (h *AmbitiHandler) Crea(w http.ResponseWriter, r *http.Request) {
	a := Ambito{Codice: r.PostFormValue("codice"), Denominazione: r.PostFormValue("denominazione"), EnteCapofila: r.PostFormValue("ente_capofila")}
	id, err := h.svc.AddAmbito(r.Context(), authz.PrincipalOf(r), a, registro.VoceOf(r))
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		h.rs.Render(w, r, http.StatusUnprocessableEntity, ambitoNewPage(h.rs.Shell(r), a, fe))
		return
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	httpx.Redirect(w, r, "/admin/ambiti/"+strconv.FormatInt(id, 10)+"?esito=creato")
}

// ambitoForms carries what the user typed in one of the ambito page's
// forms, with its errors, so that a refused submission loses nothing.
type ambitoForms struct {
	Comune      string
	ComuneErr   httpx.FieldErrors
	RimuoviErr  string
	Anagrafica  Anagrafica
	Dal         string
	AccreditErr httpx.FieldErrors
	StatoID     uuid.UUID // the amministratore whose state form was sent
	Stato       [3]string // azione, dal, motivo
	StatoErr    httpx.FieldErrors
	Conflitto   bool
	Esito       string
}

func (h *AmbitiHandler) Scheda(w http.ResponseWriter, r *http.Request) {
	h.renderScheda(w, r, http.StatusOK, ambitoForms{Esito: r.URL.Query().Get("esito")})
}

func (h *AmbitiHandler) renderScheda(w http.ResponseWriter, r *http.Request, status int, f ambitoForms) {
	id, err := ambitoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.SchedaAmbito(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if f.Dal == "" {
		f.Dal = today()
	}
	h.rs.Render(w, r, status, ambitoSchedaPage(h.rs.Shell(r), sc, f))
}

// afterChange answers a POST on the ambito's page: back to the page on
// success, the page with the form's errors (422) or with the conflict (409).
func (h *AmbitiHandler) afterChange(w http.ResponseWriter, r *http.Request, err error, f ambitoForms, set func(*ambitoForms, httpx.FieldErrors), esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/admin/ambiti/"+chi.URLParam(r, "id")+"?esito="+esito)
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

func (h *AmbitiHandler) AggiungiComune(w http.ResponseWriter, r *http.Request) {
	id, err := ambitoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	c := r.PostFormValue("comune")
	_, err = h.svc.AddComune(r.Context(), authz.PrincipalOf(r), id, c, registro.VoceOf(r))
	h.afterChange(w, r, err, ambitoForms{Comune: c}, func(f *ambitoForms, e httpx.FieldErrors) { f.ComuneErr = e }, "comune-aggiunto")
}

func (h *AmbitiHandler) RimuoviComune(w http.ResponseWriter, r *http.Request) {
	id, err := ambitoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	cid, err := strconv.ParseInt(chi.URLParam(r, "comune"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrComuneNotFound)
		return
	}
	if !httpx.Confermato(r) {
		sc, err := h.svc.SchedaAmbito(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		nome := ""
		for _, c := range sc.Comuni {
			if c.ID == cid {
				nome = c.Denominazione
			}
		}
		if nome == "" {
			h.rs.Error(w, r, ErrComuneNotFound)
			return
		}
		_ = r.ParseForm()
		h.rs.Render(w, r, http.StatusOK, ui.ConfermaPage(h.rs.Shell(r), ui.Conferma{
			Titolo: "Rimuovere il comune di " + nome + " dall'ambito " + sc.Ambito.Denominazione + "?",
			Effetti: []string{
				"Il comune di " + nome + " non farà più parte dell'ambito: i suoi casi e i suoi operatori non saranno più gestiti da qui.",
				"Se nel comune operano ancora case manager o coordinatori accreditati, la rimozione è rifiutata: prima termina i loro ruoli.",
				"Per annullare la rimozione dovrai aggiungere di nuovo il comune all'ambito.",
			},
			Azione: r.URL.Path, Campi: r.PostForm, Pulsante: "Rimuovi il comune", Annulla: "/admin/ambiti/" + chi.URLParam(r, "id"),
			Pericolosa: true,
		}))
		return
	}
	err = h.svc.RemoveComune(r.Context(), authz.PrincipalOf(r), id, cid, registro.VoceOf(r))
	h.afterChange(w, r, err, ambitoForms{}, func(f *ambitoForms, e httpx.FieldErrors) { f.RimuoviErr = e["comune_rimuovi"] }, "comune-rimosso")
}

func (h *AmbitiHandler) Accredita(w http.ResponseWriter, r *http.Request) {
	id, err := ambitoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	an, dal := anagraficaFrom(r), r.PostFormValue("dal")
	_, err = h.svc.AccreditAmministratore(r.Context(), authz.PrincipalOf(r), id, an, dal, registro.VoceOf(r))
	h.afterChange(w, r, err, ambitoForms{Anagrafica: an, Dal: dal}, func(f *ambitoForms, e httpx.FieldErrors) { f.AccreditErr = e }, "amministratore-accreditato")
}

func (h *AmbitiHandler) CambiaStato(w http.ResponseWriter, r *http.Request) {
	id, err := ambitoID(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	op, err := uuid.Parse(chi.URLParam(r, "operatore"))
	if err != nil {
		h.rs.Error(w, r, ErrOperatoreNotFound)
		return
	}
	st := [3]string{r.PostFormValue("azione"), r.PostFormValue("stato_dal"), r.PostFormValue("stato_motivo")}
	if st[0] == Revoca && !httpx.Confermato(r) {
		sc, err := h.svc.SchedaAmbito(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		nome := ""
		for _, a := range sc.Amministratori {
			if a.Operatore.ID == op {
				nome = a.Operatore.Nome + " " + a.Operatore.Cognome
			}
		}
		if nome == "" {
			h.rs.Error(w, r, ErrOperatoreNotFound)
			return
		}
		_ = r.ParseForm()
		h.rs.Render(w, r, http.StatusOK, ui.ConfermaPage(h.rs.Shell(r), ui.Conferma{
			Titolo: "Revocare l'amministratore " + nome + " dell'ambito " + sc.Ambito.Denominazione + "?",
			Effetti: []string{
				nome + " non potrà più accedere a Cartella né accreditare operatori, dalla data indicata.",
				"La revoca non si annulla: servirà un nuovo accreditamento. Se l'ambito resta senza amministratori, accreditane un altro.",
			},
			Azione: r.URL.Path, Campi: r.PostForm, Pulsante: "Revoca l'amministratore", Annulla: "/admin/ambiti/" + chi.URLParam(r, "id"),
			Pericolosa: true,
		}))
		return
	}
	err = h.svc.ChangeStatoAmministratore(r.Context(), authz.PrincipalOf(r), id, op, versione(r), st[0], st[1], st[2], registro.VoceOf(r))
	h.afterChange(w, r, err, ambitoForms{StatoID: op, Stato: st}, func(f *ambitoForms, e httpx.FieldErrors) { f.StatoErr = e }, "stato-"+st[0])
}

var esitiAmbito = map[string]string{
	"creato":                     "Ambito creato. Aggiungi i suoi comuni e accredita l'amministratore di ambito.",
	"comune-aggiunto":            "Comune aggiunto all'ambito.",
	"comune-rimosso":             "Comune rimosso dall'ambito.",
	"amministratore-accreditato": "Amministratore di ambito accreditato. Può accedere con SPID o CIE usando il proprio codice fiscale.",
	"stato-sospendi":             "Accreditamento sospeso: le sessioni dell'amministratore sono state chiuse.",
	"stato-riattiva":             "Accreditamento riattivato.",
	"stato-revoca":               "Accreditamento revocato: le sessioni dell'amministratore sono state chiuse.",
}

// statoValue is what the state form of amministratore id shows: what was
// typed when that form was sent, otherwise today's date and nothing else.
func statoValue(f ambitoForms, id uuid.UUID, i int) string {
	if f.StatoID != id {
		if i == 1 {
			return today()
		}
		return ""
	}
	return f.Stato[i]
}

func statoErr(f ambitoForms, id uuid.UUID, k string) string {
	if f.StatoID != id {
		return ""
	}
	return f.StatoErr[k]
}
