package prestazioni

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Handler serves the case manager's prestazioni of a case and the
// amministratore di ambito's ente for SIUSS.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler { return &Handler{svc: svc, rs: rs} }

func uuidParam(r *http.Request, nome string) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, nome))
	if err != nil {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

// stato is what a page of a case shows besides its data: the form as typed
// with its errors, and the outcome of the last action.
type stato struct {
	Modulo    Modulo
	Errori    httpx.FieldErrors
	Avvisi    []string // page-level: the ente missing, what INPS's schema refused that no field holds
	Conflitto bool
	Chiuso    bool
	Esito     string
}

func leggiModulo(r *http.Request) Modulo {
	_ = r.ParseForm()
	v := r.PostFormValue
	return Modulo{PersonaID: v("persona_id"), Codice: v("codice"), Carattere: v("carattere"), ProvaMezzi: v("prova_mezzi"),
		DSUProtocollo: v("dsu_protocollo"), DSUAnno: v("dsu_anno"), DSUData: v("dsu_data"), ProtocolloDomanda: v("protocollo_domanda"),
		DataEvento: v("data_evento"), DataInizio: v("data_inizio"), DataFine: v("data_fine"), DataErogazione: v("data_erogazione"),
		Importo: v("importo"), Periodo: v("periodo"), ImportoMensile: v("importo_mensile"), QuotaEnte: v("quota_ente"),
		QuotaUtente: v("quota_utente"), QuotaSSN: v("quota_ssn"), QuotaRichiesta: v("quota_richiesta"), SogliaISEE: v("soglia_isee"),
		OreMensili: v("ore_mensili"), PresaCarico: v("presa_carico"), AreaUtenza: v("area_utenza"), SINA: v("sina") == "1",
		Mobilita: v("mobilita"), AttivitaVita: v("avq"), Cognitivi: v("cognitivi"), Comportamentali: v("comportamentali"),
		Cure: v("cure"), Reddituale: v("reddituale"), Supporto: v("supporto"), Fonte: v("fonte"), Strumento: v("strumento"),
		FonteInvalidita: v("fonte_invalidita"), Invalidita: r.PostForm["invalidita"], Interventi: v("interventi"),
		SostegnoID: v("sostegno_id"), Versione: v("versione")}
}

// Pagina is GET /casi/{id}/prestazioni: the list and the new prestazione's
// form.
func (h *Handler) Pagina(w http.ResponseWriter, r *http.Request) {
	h.pagina(w, r, http.StatusOK, stato{Esito: r.URL.Query().Get("esito")})
}

func (h *Handler) pagina(w http.ResponseWriter, r *http.Request, status int, st stato) {
	id, err := uuidParam(r, "id")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if st.Modulo.Carattere == "" && len(st.Errori) == 0 && len(st.Avvisi) == 0 {
		st.Modulo = Modulo{Carattere: "1", PresaCarico: "1"}
		if len(sc.Membri) > 0 {
			st.Modulo.PersonaID = sc.Membri[0].PersonaID.String()
		}
		// From the patto's sostegni ("Registra come prestazione sociale"):
		// the form set on a sostegno not yet recorded, and on its person.
		sid := r.URL.Query().Get("sostegno")
		for _, x := range sc.Sostegni {
			if x.ID == sid && x.Prestazione == uuid.Nil {
				st.Modulo.SostegnoID = sid
				if x.PersonaID != "" {
					st.Modulo.PersonaID = x.PersonaID
				}
			}
		}
	}
	h.rs.Render(w, r, status, schedaPage(h.rs.Shell(r), sc, st))
}

// Modifica is GET /casi/{id}/prestazioni/{prestazione}: the correction and
// cancellation forms.
func (h *Handler) Modifica(w http.ResponseWriter, r *http.Request) {
	h.modifica(w, r, http.StatusOK, stato{Esito: r.URL.Query().Get("esito")})
}

func (h *Handler) modifica(w http.ResponseWriter, r *http.Request, status int, st stato) {
	id, err := uuidParam(r, "id")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pid, err := uuidParam(r, "prestazione")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	v := registro.VoceOf(r)
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, v)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	p, err := sc.Trova(pid)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if (len(st.Errori) == 0 && len(st.Avvisi) == 0) || st.Conflitto {
		st.Modulo = ModuloDa(p)
	}
	h.rs.Render(w, r, status, modificaPage(h.rs.Shell(r), sc, p, st))
}

// esito answers a POST: a redirect when it was saved, else the page again
// with what was typed and why it was refused.
func (h *Handler) esito(w http.ResponseWriter, r *http.Request, err error, st stato, dove string, rifai func(http.ResponseWriter, *http.Request, int, stato)) {
	var (
		fe httpx.FieldErrors
		es *ErroreSchema
	)
	switch {
	case err == nil:
		httpx.Redirect(w, r, dove)
	case errors.As(err, &fe):
		st.Errori = fe
		rifai(w, r, http.StatusUnprocessableEntity, st)
	case errors.As(err, &es):
		st.Errori = httpx.FieldErrors{}
		for _, c := range Traduci(es) {
			if c.Nome == "" {
				st.Avvisi = append(st.Avvisi, c.Messaggio)
			} else if st.Errori[c.Nome] == "" {
				st.Errori[c.Nome] = c.Messaggio
			} else {
				st.Errori[c.Nome] += " " + c.Messaggio
			}
		}
		rifai(w, r, http.StatusUnprocessableEntity, st)
	case errors.Is(err, ErrEnteMancante):
		st.Avvisi = []string{"L'ente per SIUSS del tuo ambito non è ancora configurato, e senza di esso INPS non può ricevere il flusso: " +
			"chiedi all'amministratore di ambito di inserirlo in «Ente per SIUSS». La prestazione non è stata salvata."}
		rifai(w, r, http.StatusUnprocessableEntity, st)
	case errors.Is(err, ErrValidatoreAssente):
		st.Avvisi = []string{"Il server non può validare i flussi per INPS (manca il validatore xmllint): avvisa l'amministratore di sistema. " +
			"La prestazione non è stata salvata."}
		rifai(w, r, http.StatusServiceUnavailable, st)
	case errors.Is(err, ErrConflict):
		st.Conflitto = true
		rifai(w, r, http.StatusConflict, st)
	case errors.Is(err, ErrChiuso):
		st.Chiuso = true
		rifai(w, r, http.StatusConflict, st)
	default:
		h.rs.Error(w, r, err)
	}
}

// Registra is POST /casi/{id}/prestazioni.
func (h *Handler) Registra(w http.ResponseWriter, r *http.Request) {
	id, err := uuidParam(r, "id")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	m := leggiModulo(r)
	_, err = h.svc.Registra(r.Context(), authz.PrincipalOf(r), id, m, registro.VoceOf(r))
	h.esito(w, r, err, stato{Modulo: m}, "/casi/"+id.String()+"/prestazioni?esito=registrata", h.pagina)
}

// Correggi is POST /casi/{id}/prestazioni/{prestazione}.
func (h *Handler) Correggi(w http.ResponseWriter, r *http.Request) {
	id, err := uuidParam(r, "id")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pid, err := uuidParam(r, "prestazione")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	m := leggiModulo(r)
	err = h.svc.Correggi(r.Context(), authz.PrincipalOf(r), id, pid, m, registro.VoceOf(r))
	h.esito(w, r, err, stato{Modulo: m}, "/casi/"+id.String()+"/prestazioni?esito=corretta", h.modifica)
}

// Cancella is POST /casi/{id}/prestazioni/{prestazione}/cancella.
func (h *Handler) Cancella(w http.ResponseWriter, r *http.Request) {
	id, err := uuidParam(r, "id")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pid, err := uuidParam(r, "prestazione")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	err = h.svc.Cancella(r.Context(), authz.PrincipalOf(r), id, pid, r.PostFormValue("versione"), registro.VoceOf(r))
	h.esito(w, r, err, stato{}, "/casi/"+id.String()+"/prestazioni?esito=cancellata", h.modifica)
}

// Flusso is GET /casi/{id}/prestazioni/flussi/{flusso}: a flow's XML, as
// INPS will read it.
func (h *Handler) Flusso(w http.ResponseWriter, r *http.Request) {
	id, err := uuidParam(r, "id")
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	fid, err := strconv.ParseInt(chi.URLParam(r, "flusso"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	b, err := h.svc.FlussoXML(r.Context(), authz.PrincipalOf(r), id, fid, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// Ente is GET /admin/siuss: the ente of the ambito for SIUSS.
func (h *Handler) Ente(w http.ResponseWriter, r *http.Request) {
	h.ente(w, r, http.StatusOK, ModuloEnte{}, nil, false, r.URL.Query().Get("esito"))
}

func (h *Handler) ente(w http.ResponseWriter, r *http.Request, status int, m ModuloEnte, errs httpx.FieldErrors, conflitto bool, esito string) {
	e, err := h.svc.EnteDi(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if len(errs) == 0 {
		m = ModuloEnte{CodiceEnte: e.CodiceEnte, Belfiore: e.Belfiore, Denominazione: e.Denominazione, CFOperatore: e.CFOperatore}
	}
	m.Versione = strconv.Itoa(e.Versione)
	h.rs.Render(w, r, status, entePage(h.rs.Shell(r), e, m, errs, conflitto, esito))
}

// SalvaEnte is POST /admin/siuss.
func (h *Handler) SalvaEnte(w http.ResponseWriter, r *http.Request) {
	m := ModuloEnte{CodiceEnte: r.PostFormValue("codice_ente"), Belfiore: r.PostFormValue("belfiore"),
		Denominazione: r.PostFormValue("denominazione"), CFOperatore: r.PostFormValue("cf_operatore"), Versione: r.PostFormValue("versione")}
	err := h.svc.SalvaEnte(r.Context(), authz.PrincipalOf(r), m, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/admin/siuss?esito=salvato")
	case errors.As(err, &fe):
		h.ente(w, r, http.StatusUnprocessableEntity, m, fe, false, "")
	case errors.Is(err, ErrConflict):
		h.ente(w, r, http.StatusConflict, ModuloEnte{}, nil, true, "")
	default:
		h.rs.Error(w, r, err)
	}
}
