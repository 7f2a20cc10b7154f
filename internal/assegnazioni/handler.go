package assegnazioni

import (
	"errors"
	"github.com/cartella/cartella/web/ui"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the coordinatore's board at /assegnazioni.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}

// pathCaso is the case id of the path.
func pathCaso(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	return id, err == nil
}

func filtroBoard(q url.Values) FiltroBoard {
	f := FiltroBoard{Q: q.Get("q"), DaAssegnare: q.Get("da_assegnare") == "1", Dopo: q.Get("dopo")}
	f.ComuneID = httpx.ID(q.Get("comune"))
	if m := casi.Misura(q.Get("misura")); slices.Contains(casi.Misure, m) {
		f.Misura = m
	}
	if entroValido(q.Get("entro")) {
		f.Entro = q.Get("entro")
	}
	f.CaseManager, _ = uuid.Parse(q.Get("cm"))
	return f
}

func (f FiltroBoard) query(dopo string) string {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.DaAssegnare {
		v.Set("da_assegnare", "1")
	}
	if f.ComuneID != 0 {
		v.Set("comune", strconv.FormatInt(f.ComuneID, 10))
	}
	if f.Misura != "" {
		v.Set("misura", string(f.Misura))
	}
	if f.Entro != "" {
		v.Set("entro", f.Entro)
	}
	if f.CaseManager != uuid.Nil {
		v.Set("cm", f.CaseManager.String())
	}
	if dopo != "" {
		v.Set("dopo", dopo)
	}
	if len(v) == 0 {
		return "/assegnazioni"
	}
	return "/assegnazioni?" + v.Encode()
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, f FiltroBoard, esiti []Esito, errore string) {
	b, err := h.svc.BoardCoordinatore(r.Context(), authz.PrincipalOf(r), f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	next := ""
	if b.Prossima != "" {
		next = f.query(b.Prossima)
	}
	status := http.StatusOK
	if errore != "" {
		status = http.StatusUnprocessableEntity
	}
	msg := ""
	if r.Method == http.MethodGet {
		msg = messaggioEsito(r.URL.Query().Get("esito"), true)
	}
	// What is ticked: every case of the page after "Seleziona tutti" (no
	// JavaScript), or what was ticked when a refused form comes back.
	sel := selezione{}
	if r.Method == http.MethodGet && r.URL.Query().Get("tutti") == "1" {
		sel.tutti = true
	} else if r.Method == http.MethodPost && errore != "" {
		sel.casi = map[string]bool{}
		for _, v := range r.PostForm["caso"] {
			id, _, _ := strings.Cut(v, ":")
			sel.casi[id] = true
		}
	}
	sel.tuttiURL, sel.nessunoURL = conTutti(r, true), conTutti(r, false)
	h.rs.Render(w, r, status, boardPage(h.rs.Shell(r), b, f, next, esiti, errore, msg, motivoScritto(r, errore), sel))
}

// selezione is what the board's checkboxes show ticked.
type selezione struct {
	tutti                bool
	casi                 map[string]bool
	tuttiURL, nessunoURL string
}

func (s selezione) ha(id string) bool { return s.tutti || s.casi[id] }

// conTutti is the board's address as filtered, with or without every case
// of the page ticked.
func conTutti(r *http.Request, tutti bool) string {
	q := url.Values{}
	if r.Method == http.MethodGet {
		q = r.URL.Query()
	}
	q.Del("tutti")
	q.Del("esito")
	if tutti {
		q.Set("tutti", "1")
	}
	if len(q) == 0 {
		return "/assegnazioni#h-assegna"
	}
	return "/assegnazioni?" + q.Encode() + "#h-assegna"
}

func (h *Handler) Bacheca(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, filtroBoard(r.URL.Query()), nil, "")
}

// richieste parses the checked cases, "id:versione" each.
func richieste(vals []string) []Richiesta {
	var out []Richiesta
	for _, v := range vals {
		id, ver, ok := strings.Cut(v, ":")
		u, err := uuid.Parse(id)
		n, err2 := strconv.Atoi(ver)
		if ok && err == nil && err2 == nil {
			out = append(out, Richiesta{CasoID: u, Versione: n})
		}
	}
	return out
}

func (h *Handler) Assegna(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	f := filtroBoard(r.PostForm)
	rqs := richieste(r.PostForm["caso"])
	cm, err := uuid.Parse(r.PostFormValue("case_manager"))
	if _, m := lungo(url.Values{"motivo": {r.PostFormValue("motivo")}}); m != "" {
		h.render(w, r, f, nil, "Il motivo è troppo lungo: "+minuscolaIniziale(m))
		return
	}
	switch {
	case len(rqs) == 0:
		h.render(w, r, f, nil, "Seleziona almeno un caso da assegnare.")
		return
	case err != nil:
		h.render(w, r, f, nil, "Scegli il case manager a cui assegnare i casi selezionati.")
		return
	}
	esiti, err := h.svc.Assegna(r.Context(), authz.PrincipalOf(r), cm, rqs, strings.TrimSpace(r.PostFormValue("motivo")), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.render(w, r, f, esiti, "")
}

func (h *Handler) anagraficaPage(w http.ResponseWriter, r *http.Request, status int, esiti []Esito, errore string) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	a, err := h.svc.AnagraficaCaso(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	msg := ""
	if r.Method == http.MethodGet {
		msg = messaggioEsito(r.URL.Query().Get("esito"), false)
	}
	h.rs.Render(w, r, status, anagraficaPage(h.rs.Shell(r), a, esiti, errore, msg, motivoScritto(r, errore)))
}

func (h *Handler) Anagrafica(w http.ResponseWriter, r *http.Request) {
	h.anagraficaPage(w, r, http.StatusOK, nil, "")
}

func (h *Handler) AssegnaUno(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	ver, _ := strconv.Atoi(r.PostFormValue("versione"))
	cm, err := uuid.Parse(r.PostFormValue("case_manager"))
	if _, m := lungo(url.Values{"motivo": {r.PostFormValue("motivo")}}); m != "" {
		h.anagraficaPage(w, r, http.StatusUnprocessableEntity, nil, "Il motivo è troppo lungo: "+minuscolaIniziale(m))
		return
	}
	if err != nil {
		h.anagraficaPage(w, r, http.StatusUnprocessableEntity, nil, "Scegli il case manager.")
		return
	}
	esiti, err := h.svc.Assegna(r.Context(), authz.PrincipalOf(r), cm, []Richiesta{{CasoID: id, Versione: ver}},
		strings.TrimSpace(r.PostFormValue("motivo")), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if len(esiti) == 1 && !esiti[0].OK {
		status = http.StatusConflict
	}
	h.anagraficaPage(w, r, status, esiti, "")
}

// formRiassegna is what the reassignment form holds, kept on errors.
type formRiassegna struct {
	Da, A, Motivo string
	Errori        map[string]string
}

func (h *Handler) renderCarichi(w http.ResponseWriter, r *http.Request, status int, f formRiassegna, esiti []Esito) {
	c, err := h.svc.CarichiLavoro(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, carichiPage(h.rs.Shell(r), c, f, esiti))
}

func (h *Handler) Carichi(w http.ResponseWriter, r *http.Request) {
	h.renderCarichi(w, r, http.StatusOK, formRiassegna{Da: r.URL.Query().Get("da")}, nil)
}

func (h *Handler) RiassegnaTutti(w http.ResponseWriter, r *http.Request) {
	f := formRiassegna{Da: r.PostFormValue("da"), A: r.PostFormValue("a"), Motivo: r.PostFormValue("motivo_tutti")}
	if k, m := lungo(url.Values{"motivo_tutti": {f.Motivo}}); m != "" {
		f.Errori = map[string]string{k: m}
		h.renderCarichi(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	da, _ := uuid.Parse(f.Da)
	a, _ := uuid.Parse(f.A)
	if !httpx.Confermato(r) && da != uuid.Nil && a != uuid.Nil && da != a && strings.TrimSpace(f.Motivo) != "" {
		// Moving every case at once asks first, with names and numbers.
		c, err := h.svc.CarichiLavoro(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		var daNome, aNome string
		aperti := -1
		for _, o := range c.Operatori {
			if o.ID == da {
				daNome, aperti = o.Nome, o.Aperti
			}
		}
		for _, o := range c.Attivi {
			if o.ID == a {
				aNome = o.Nome
			}
		}
		if daNome != "" && aNome != "" && aperti > 0 {
			_ = r.ParseForm()
			casiTesto := "tutti i " + strconv.Itoa(aperti) + " casi aperti"
			if aperti == 1 {
				casiTesto = "l'unico caso aperto"
			}
			h.rs.Render(w, r, http.StatusOK, ui.ConfermaPage(h.rs.Shell(r), ui.Conferma{
				Titolo: "Riassegnare a " + aNome + " " + casiTesto + " di " + daNome + "?",
				Effetti: []string{
					aNome + " diventa il case manager di " + casiTesto + " di " + daNome + ", con le loro scadenze.",
					"Un caso di un comune in cui " + aNome + " non è case manager non viene riassegnato: l'esito lo dice caso per caso.",
					"Il motivo che hai scritto resta nello storico di ogni caso.",
				},
				Azione: r.URL.Path, Campi: r.PostForm, Pulsante: "Riassegna i casi", Annulla: "/assegnazioni/carichi",
			}))
			return
		}
	}
	esiti, err := h.svc.RiassegnaTutti(r.Context(), authz.PrincipalOf(r), da, a, f.Motivo, registro.VoceOf(r))
	var e *ErrRiassegnazione
	if errors.As(err, &e) {
		f.Errori = map[string]string{e.Campo: e.Messaggio}
		h.renderCarichi(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.renderCarichi(w, r, http.StatusOK, formRiassegna{}, esiti)
}

// trasferimentoForm is the form as typed.
type trasferimentoForm struct {
	Comune   string // ISTAT code or name as typed
	ComuneID int64  // the choice among several comuni
	Motivo   string
	Versione int
	Scelte   []ComuneDestinazione // comuni matching Comune, to choose from
}

func (h *Handler) renderTrasferimento(w http.ResponseWriter, r *http.Request, status int, in trasferimentoForm, errs httpx.FieldErrors, avviso string) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	d, err := h.svc.CasoDaTrasferire(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if status == http.StatusOK && avviso == "" && !d.Caso.Aperto() {
		avviso = avvisoChiusoTrasf
	}
	// The form carries the version just read: after a conflict the user
	// sees the case as it is now and may confirm again.
	in.Versione = d.Caso.Versione
	h.rs.Render(w, r, status, trasferimentoPage(h.rs.Shell(r), d, in, errs, avviso))
}

func (h *Handler) Trasferimento(w http.ResponseWriter, r *http.Request) {
	h.renderTrasferimento(w, r, http.StatusOK, trasferimentoForm{}, nil, "")
}

func (h *Handler) Trasferisci(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	in := trasferimentoForm{Comune: strings.TrimSpace(r.PostFormValue("comune")), Motivo: r.PostFormValue("motivo")}
	in.Versione, _ = strconv.Atoi(r.PostFormValue("versione"))
	in.ComuneID = httpx.ID(r.PostFormValue("comune_id"))

	// The destination typed, resolved here (no JavaScript): one comune, or
	// a choice among several.
	errs := httpx.FieldErrors{}
	var dest int64
	trovati, err := h.svc.CercaComuni(r.Context(), in.Comune)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	for _, c := range trovati {
		if c.ID == in.ComuneID {
			dest = c.ID
		}
	}
	switch {
	case dest != 0:
	case in.Comune == "":
		errs["comune"] = msgComuneVuoto
	case len(trovati) == 0:
		errs["comune"] = msgNessunComune
		fuori, err := h.svc.ComuneFuoriAmbito(r.Context(), in.Comune)
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		if fuori != "" {
			errs["comune"] = fuori + msgComuneFuoriAmbito
		}
	case len(trovati) == 1:
		dest = trovati[0].ID
	case len(trovati) > MaxComuniTrovati:
		errs["comune"] = msgTroppiComuni
	default:
		errs["comune"] = msgPiuComuni
		in.Scelte = trovati
	}
	if len(errs) > 0 {
		if m := motivoTrasferimentoErr(in.Motivo); m != "" {
			errs["motivo"] = m
		}
		h.renderTrasferimento(w, r, http.StatusUnprocessableEntity, in, errs, "")
		return
	}
	if m := motivoTrasferimentoErr(in.Motivo); m == "" && !httpx.Confermato(r) {
		// A transfer cannot be undone from here: say what it does first.
		var d ComuneDestinazione
		for _, c := range trovati {
			if c.ID == dest {
				d = c
			}
		}
		p := authz.PrincipalOf(r)
		effetti := []string{"Il caso passa al comune di " + d.Denominazione + " (" + d.Provincia + "), con la sua storia e i suoi documenti; il case manager attuale non lo segue più."}
		if p.AmbitoID == nil || d.AmbitoID != *p.AmbitoID {
			effetti = append(effetti, "Il comune è dell'ambito "+d.Ambito+": dopo il trasferimento non vedrai più il caso, e solo quell'ambito potrà restituirlo.")
		} else {
			effetti = append(effetti, "Il comune è del tuo ambito: il caso resta nella tua bacheca, da assegnare a un case manager di "+d.Denominazione+".")
		}
		effetti = append(effetti, "Il motivo che hai scritto resta nello storico del caso.")
		campi := url.Values{}
		for k, v := range r.PostForm {
			campi[k] = v
		}
		campi.Set("comune_id", strconv.FormatInt(dest, 10))
		h.rs.Render(w, r, http.StatusOK, ui.ConfermaPage(h.rs.Shell(r), ui.Conferma{
			Titolo: "Trasferire il caso al comune di " + d.Denominazione + "?", Effetti: effetti,
			Azione: r.URL.Path, Campi: campi, Pulsante: "Trasferisci il caso", Annulla: Pagina(id), Pericolosa: true,
		}))
		return
	}
	t, err := h.svc.Trasferisci(r.Context(), authz.PrincipalOf(r), id, in.Versione, dest, in.Motivo, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case errors.As(err, &fe):
		h.renderTrasferimento(w, r, http.StatusUnprocessableEntity, in, fe, "")
	case errors.Is(err, casi.ErrConflict):
		h.renderTrasferimento(w, r, http.StatusConflict, in, nil, casi.AvvisoConflitto)
	case errors.Is(err, casi.ErrChiuso):
		h.renderTrasferimento(w, r, http.StatusConflict, in, nil, avvisoChiusoTrasf)
	case err != nil:
		h.rs.Error(w, r, err)
	case t.InScope:
		httpx.Redirect(w, r, "/assegnazioni/"+id.String()+"?esito=trasferito")
	default:
		httpx.Redirect(w, r, "/assegnazioni?esito=trasferito")
	}
}

// Pagina is the board's page of a case: where a coordinatore follows a
// case until it has its case manager.
func Pagina(id uuid.UUID) string { return "/assegnazioni/" + id.String() }
