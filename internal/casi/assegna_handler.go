package casi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// BoardHandler serves the coordinatore's board at /assegnazioni.
type BoardHandler struct {
	svc   *Service
	rs    *httpx.Responder
	guard *authz.Guard
}

// NewBoardHandler returns the handler.
func NewBoardHandler(svc *Service, rs *httpx.Responder, guard *authz.Guard) *BoardHandler {
	return &BoardHandler{svc: svc, rs: rs, guard: guard}
}

// Routes mounts /assegnazioni; every route declares its permission.
func (h *BoardHandler) Routes(r chi.Router) {
	read := h.guard.Require(authz.Assegnazioni, authz.Read)
	write := h.guard.Require(authz.Assegnazioni, authz.Write)
	r.With(read).Get("/assegnazioni", h.board)
	r.With(write).Post("/assegnazioni", h.assegna)
	r.With(read).Get("/assegnazioni/{id}", h.anagrafica)
	r.With(write).Post("/assegnazioni/{id}", h.assegnaUno)
	h.CarichiRoutes(r)
	h.TrasferimentoRoutes(r)
}

func filtroBoard(q url.Values) FiltroBoard {
	f := FiltroBoard{Q: q.Get("q"), DaAssegnare: q.Get("da_assegnare") == "1", Dopo: q.Get("dopo")}
	f.ComuneID, _ = strconv.ParseInt(q.Get("comune"), 10, 64)
	if m := Misura(q.Get("misura")); slices.Contains(Misure, m) {
		f.Misura = m
	}
	if _, _, ok := entroSQL(q.Get("entro"), time.Time{}, nil); ok {
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

func (h *BoardHandler) render(w http.ResponseWriter, r *http.Request, f FiltroBoard, esiti []Esito, errore string) {
	p, _ := authz.PrincipalFrom(r.Context())
	b, err := h.svc.BoardCoordinatore(r.Context(), p, f, registro.FromRequest(r, registro.Voce{}))
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
	h.rs.Render(w, r, status, boardPage(h.rs.Shell(r), b, f, next, esiti, errore, msg))
}

func (h *BoardHandler) board(w http.ResponseWriter, r *http.Request) {
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

func (h *BoardHandler) assegna(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	f := filtroBoard(r.PostForm)
	casi := richieste(r.PostForm["caso"])
	cm, err := uuid.Parse(r.PostFormValue("case_manager"))
	switch {
	case len(casi) == 0:
		h.render(w, r, f, nil, "Seleziona almeno un caso da assegnare.")
		return
	case err != nil:
		h.render(w, r, f, nil, "Scegli il case manager a cui assegnare i casi selezionati.")
		return
	}
	p, _ := authz.PrincipalFrom(r.Context())
	esiti, err := h.svc.Assegna(r.Context(), p, cm, casi, strings.TrimSpace(r.PostFormValue("motivo")), registro.FromRequest(r, registro.Voce{}))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.render(w, r, f, esiti, "")
}

func (h *BoardHandler) anagraficaPage(w http.ResponseWriter, r *http.Request, status int, esiti []Esito, errore string) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	p, _ := authz.PrincipalFrom(r.Context())
	a, err := h.svc.AnagraficaCaso(r.Context(), p, id, registro.FromRequest(r, registro.Voce{}))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	msg := ""
	if r.Method == http.MethodGet {
		msg = messaggioEsito(r.URL.Query().Get("esito"), false)
	}
	h.rs.Render(w, r, status, anagraficaPage(h.rs.Shell(r), a, esiti, errore, msg))
}

func (h *BoardHandler) anagrafica(w http.ResponseWriter, r *http.Request) {
	h.anagraficaPage(w, r, http.StatusOK, nil, "")
}

func (h *BoardHandler) assegnaUno(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	ver, _ := strconv.Atoi(r.PostFormValue("versione"))
	cm, err := uuid.Parse(r.PostFormValue("case_manager"))
	if err != nil {
		h.anagraficaPage(w, r, http.StatusUnprocessableEntity, nil, "Scegli il case manager.")
		return
	}
	p, _ := authz.PrincipalFrom(r.Context())
	esiti, err := h.svc.Assegna(r.Context(), p, cm, []Richiesta{{CasoID: id, Versione: ver}},
		strings.TrimSpace(r.PostFormValue("motivo")), registro.FromRequest(r, registro.Voce{}))
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
