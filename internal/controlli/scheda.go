package controlli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/residenza"
)

// One request's page (GET /controlli/{id}): the full view for the comune
// asked, the "tappa view" for a comune reached by the backward chain; what
// the anagrafe holds (periods, absences, documents), recorded and removed
// by the responsabile of the comune that holds them, before the esito.

// Limits of the texts typed.
const (
	MaxTesto = 2000 // notes, sources, references
	MaxBreve = 200  // a document's type, a comune's name
)

// Scheda is what p sees of one request.
type Scheda struct {
	// Completa: the comune asked; false: the tappa view of a comune of
	// the chain (no id_domanda, case, notes, esiti, other comuni's records).
	Completa  bool
	Richiesta Richiesta
	Tappe     []Tappa
	Periodi   []Periodo
	Assenze   []Assenza
	Documenti []Documento
	Esiti     []EsitoFinale // newest first (full view only)
	// Valutazione is the live evaluation of the periods (full view, types
	// with periods only).
	Valutazione  *residenza.Valutazione
	Nucleo       *Nucleo // composizione_nucleo (full view only)
	Oggi         time.Time
	MioComune    int64
	MioNome      string
	MioIstat     string
	Coordinatore bool

	PuoRegistrare  bool // periods, absences, documents of my comune
	PuoInoltrare   bool
	PuoRestituire  bool
	PuoFinalizzare bool // the first esito
	PuoRettificare bool // a new esito referencing the last
}

// TappaAperta is the open step of the chain, if any.
func (sc Scheda) TappaAperta() *Tappa {
	for i := range sc.Tappe {
		if sc.Tappe[i].Aperta() {
			return &sc.Tappe[i]
		}
	}
	return nil
}

// Ultimo is the esito in force (the newest), if any.
func (sc Scheda) Ultimo() *EsitoFinale {
	if len(sc.Esiti) == 0 {
		return nil
	}
	return &sc.Esiti[0]
}

// Durata is how long step t held (or has held) the request, in days.
func (sc Scheda) Durata(t Tappa) int {
	fine := sc.Oggi
	if t.ChiusaIl != nil {
		fine = calendario.Giorno(*t.ChiusaIl)
	}
	return int(fine.Sub(calendario.Giorno(t.InoltrataIl)).Hours() / 24)
}

// vista is how p reaches a request: full (the comune asked), tappa (a
// comune of the chain), with the step of p's comune.
type vista struct {
	completa bool
	tappa    *Tappa // p's comune's step (the open one, else the last)
}

// raggiunge computes how p reaches r with chain ts (the scope rules of the
// PLAN, in one place); ok false: not at all.
func raggiunge(p authz.Principal, r Richiesta, ts []Tappa) (vista, bool) {
	if !coordinatore(p) && !responsabile(p) {
		return vista{}, false
	}
	me := p.OperatoreID
	if r.ComuneID == *p.ComuneID {
		if coordinatore(p) || (r.AssegnatarioID != nil && *r.AssegnatarioID == me) {
			return vista{completa: true}, true
		}
		return vista{}, false
	}
	var mia *Tappa
	for i := range ts {
		t := ts[i]
		if t.ComuneID != *p.ComuneID {
			continue
		}
		if coordinatore(p) || (t.AssegnatarioID != nil && *t.AssegnatarioID == me) {
			if mia == nil || t.Aperta() || !mia.Aperta() {
				mia = &ts[i]
			}
		}
	}
	if mia == nil {
		return vista{}, false
	}
	return vista{tappa: mia}, true
}

// permessi sets what p may do on sc.
func permessi(p authz.Principal, sc *Scheda, a vista) {
	if !responsabile(p) {
		return
	}
	aperta := sc.TappaAperta()
	r := sc.Richiesta
	if a.completa {
		sc.PuoRegistrare = r.Stato != Conclusa && len(sc.Esiti) == 0
		sc.PuoInoltrare = r.Stato == Aperta && aperta == nil && r.Tipo.ConPeriodi()
		sc.PuoFinalizzare = r.Stato == Aperta && aperta == nil && len(sc.Esiti) == 0
		sc.PuoRettificare = r.Stato == Conclusa && len(sc.Esiti) > 0
		return
	}
	mia := a.tappa != nil && a.tappa.Aperta() && aperta != nil && aperta.ID == a.tappa.ID
	sc.PuoRegistrare, sc.PuoInoltrare, sc.PuoRestituire = mia, mia, mia
}

// carica reads what p sees of request id through q; lock for a write.
func (s *Service) carica(ctx context.Context, q database.Querier, p authz.Principal, id uuid.UUID, lock bool) (Scheda, vista, error) {
	var sc Scheda
	r, err := richiesta(ctx, q, id, lock)
	if err != nil {
		return sc, vista{}, err
	}
	ts, err := tappe(ctx, q, id)
	if err != nil {
		return sc, vista{}, err
	}
	a, ok := raggiunge(p, r, ts)
	if !ok {
		return sc, a, ErrNotFound
	}
	sc = Scheda{Completa: a.completa, Richiesta: r, Tappe: ts, Oggi: s.oggi(), MioComune: *p.ComuneID, Coordinatore: coordinatore(p)}
	if sc.MioIstat, sc.MioNome, err = comuneDi(ctx, q, sc.MioComune); err != nil {
		return sc, a, fmt.Errorf("controlli: comune: %w", err)
	}
	solo := int64(0)
	if !a.completa {
		solo = sc.MioComune
		// The tappa view: nothing of the domanda, the case, the notes.
		sc.Richiesta.IDDomanda, sc.Richiesta.CasoID, sc.Richiesta.NoteLavoro, sc.Richiesta.NotaINPS = "", nil, "", ""
		sc.Richiesta.AssegnatarioID, sc.Richiesta.Assegnatario, sc.Richiesta.AssegnataIl = nil, "", nil
		sc.Richiesta.IDRichiesta, sc.Richiesta.CampioneID = "", nil
	}
	if sc.Periodi, err = periodi(ctx, q, id, solo); err != nil {
		return sc, a, err
	}
	if sc.Assenze, err = assenze(ctx, q, id, solo); err != nil {
		return sc, a, err
	}
	if sc.Documenti, err = documenti(ctx, q, id, solo); err != nil {
		return sc, a, err
	}
	if a.completa {
		if sc.Esiti, err = esiti(ctx, q, id); err != nil {
			return sc, a, err
		}
		if r.Tipo.ConPeriodi() {
			v := valuta(r, sc.Periodi, sc.Assenze)
			sc.Valutazione = &v
		}
		if r.Tipo == ComposizioneNucleo {
			n, err := s.nucleo(ctx, q, r)
			if err != nil {
				return sc, a, err
			}
			sc.Nucleo = &n
		}
	}
	permessi(p, &sc, a)
	return sc, a, nil
}

// valuta evaluates the ADI residence requirement at the request's
// reference date on the periods and absences recorded by every comune.
func valuta(r Richiesta, ps []Periodo, as []Assenza) residenza.Valutazione {
	rp := make([]residenza.Periodo, 0, len(ps))
	for _, p := range ps {
		rp = append(rp, residenza.Periodo{Comune: p.ComuneNome, Dal: p.Iscrizione, Al: p.Cancellazione})
	}
	ra := make([]residenza.Assenza, 0, len(as))
	for _, a := range as {
		ra = append(ra, residenza.Assenza{Dal: a.Dal, Al: a.Al, Salute: a.MotiviSalute})
	}
	return residenza.Valuta(residenza.ADI, r.DataRiferimento, rp, ra)
}

// record records v about request id (refusals as accesso_negato).
func (s *Service) record(ctx context.Context, v registro.Voce, azione string, id uuid.UUID, err error) error {
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = azione, oggettoTipo, id.String(), registro.Consentito
	if errors.Is(err, ErrNotFound) {
		v.Esito, v.Azione = registro.Rifiutato, registro.Negato
		if v.Dettaglio == "" {
			v.Dettaglio = azione
		}
	}
	return s.reg.Record(ctx, v)
}

// Scheda returns what p sees of request id; the read (or its refusal) is recorded.
func (s *Service) Scheda(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Scheda, error) {
	sc, a, err := s.carica(ctx, s.pool, p, id, false)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return sc, err
	}
	if err == nil && !a.completa {
		v.Dettaglio = "vista della tappa"
	}
	if err == nil && a.completa && sc.Richiesta.CasoID != nil {
		v.CasoID = sc.Richiesta.CasoID.String()
	}
	if rerr := s.record(ctx, v, registro.Lettura, id, err); rerr != nil {
		return sc, rerr
	}
	return sc, err
}

// scrivi runs fn on request id locked for the responsabile p, after
// checking scope and versione; bumps the versione and records the write
// in the same transaction (a refusal after it).
func (s *Service) scrivi(ctx context.Context, p authz.Principal, id uuid.UUID, versione string, v registro.Voce,
	fn func(tx pgx.Tx, sc Scheda, a vista) error) error {
	if !responsabile(p) {
		return s.rifiuta(ctx, v, id)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		sc, a, err := s.carica(ctx, tx, p, id, true)
		if err != nil {
			return err
		}
		if strconv.Itoa(sc.Richiesta.Versione) != strings.TrimSpace(versione) {
			return ErrConflict
		}
		if err := fn(tx, sc, a); err != nil {
			return err
		}
		if err := tocca(ctx, tx, id, p.OperatoreID, s.now()); err != nil {
			return fmt.Errorf("controlli: versione: %w", err)
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Scrittura, oggettoTipo, id.String(), registro.Consentito
		if a.completa && sc.Richiesta.CasoID != nil {
			rv.CasoID = sc.Richiesta.CasoID.String()
		}
		return s.reg.RecordTx(ctx, tx, rv)
	})
	if errors.Is(err, ErrNotFound) {
		return s.rifiuta(ctx, v, id)
	}
	return err
}

// rifiuta records a refused write and returns ErrNotFound.
func (s *Service) rifiuta(ctx context.Context, v registro.Voce, id uuid.UUID) error {
	if rerr := s.record(ctx, v, registro.Scrittura, id, ErrNotFound); rerr != nil {
		return rerr
	}
	return ErrNotFound
}

// testo trims a typed text and checks its length.
func testo(errs httpx.FieldErrors, campo, s string, maxLen int, obbligatorio bool, msgVuoto string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "" && obbligatorio:
		errs[campo] = msgVuoto
	case utf8.RuneCountInString(s) > maxLen:
		errs[campo] = fmt.Sprintf("Il testo supera i %d caratteri: riassumilo.", maxLen)
	}
	return s
}

// data reads a date field; obbligatorio: empty is an error.
func data(errs httpx.FieldErrors, campo, s string, obbligatorio bool, nome string) *time.Time {
	if strings.TrimSpace(s) == "" {
		if obbligatorio {
			errs[campo] = "Indica la " + nome + " (gg/mm/aaaa)."
		}
		return nil
	}
	t, ok := calendario.ParseData(s)
	if !ok {
		errs[campo] = "La " + nome + " non è una data valida: scrivila come gg/mm/aaaa."
		return nil
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		errs[campo] = "La " + nome + " è fuori dall'intervallo ammesso."
		return nil
	}
	return &t
}

// Registra records a period, an absence or a document (kind: periodi,
// assenze, documenti) of p's comune on request id.
func (s *Service) Registra(ctx context.Context, p authz.Principal, id uuid.UUID, kind string, in url.Values, v registro.Voce) error {
	errs := httpx.FieldErrors{}
	oggi := s.oggi()
	var scrivi func(tx pgx.Tx, comune int64) error
	switch kind {
	case "periodi":
		var pe Periodo
		pe.ComuneIstat = strings.TrimSpace(in.Get("comune_istat"))
		pe.ComuneNome = testo(errs, "comune_nome", in.Get("comune_nome"), MaxBreve, false, "")
		if !regexpIstat(pe.ComuneIstat) {
			errs["comune_istat"] = "Il codice ISTAT del comune ha 6 cifre (per esempio 037011)."
		}
		isc := data(errs, "iscrizione", in.Get("iscrizione"), true, "data di iscrizione")
		canc := data(errs, "cancellazione", in.Get("cancellazione"), false, "data di cancellazione")
		if isc != nil && canc != nil && canc.Before(*isc) {
			errs["cancellazione"] = "La cancellazione non può precedere l'iscrizione."
		}
		if isc != nil && isc.After(oggi) {
			errs["iscrizione"] = "L'iscrizione non può essere nel futuro."
		}
		pe.Fonte = testo(errs, "fonte", in.Get("fonte"), MaxTesto, false, "")
		scrivi = func(tx pgx.Tx, comune int64) error {
			if len(errs) > 0 {
				return errs
			}
			if pe.ComuneNome == "" {
				if _, _, nome, err := comuneInstallazione(ctx, tx, pe.ComuneIstat); err != nil {
					return err
				} else if nome == "" {
					return httpx.FieldErrors{"comune_nome": "Il comune non è tra quelli dell'installazione: scrivine il nome."}
				} else {
					pe.ComuneNome = nome
				}
			}
			pe.Iscrizione, pe.Cancellazione = *isc, canc
			return inserisciPeriodo(ctx, tx, id, comune, pe, p.OperatoreID, s.now())
		}
	case "assenze":
		var a Assenza
		dal := data(errs, "dal", in.Get("dal"), true, "data di inizio dell'assenza")
		al := data(errs, "al", in.Get("al"), true, "data di fine dell'assenza")
		if dal != nil && al != nil && al.Before(*dal) {
			errs["al"] = "La fine dell'assenza non può precedere l'inizio."
		}
		a.MotiviSalute = in.Get("motivi_salute") != ""
		a.Nota = testo(errs, "nota_assenza", in.Get("nota_assenza"), MaxTesto, false, "")
		scrivi = func(tx pgx.Tx, comune int64) error {
			if len(errs) > 0 {
				return errs
			}
			a.Dal, a.Al = *dal, *al
			return inserisciAssenza(ctx, tx, id, comune, a, p.OperatoreID, s.now())
		}
	case "documenti":
		var d Documento
		d.Tipo = testo(errs, "tipo_documento", in.Get("tipo_documento"), MaxBreve, true, "Indica il tipo di documento (per esempio: certificato storico di residenza).")
		d.Estremi = testo(errs, "estremi", in.Get("estremi"), MaxTesto, false, "")
		d.DataDocumento = data(errs, "data_documento", in.Get("data_documento"), false, "data del documento")
		d.Nota = testo(errs, "nota_documento", in.Get("nota_documento"), MaxTesto, false, "")
		scrivi = func(tx pgx.Tx, comune int64) error {
			if len(errs) > 0 {
				return errs
			}
			return inserisciDocumento(ctx, tx, id, comune, d, p.OperatoreID, s.now())
		}
	default:
		return ErrNotFound
	}
	v.Dettaglio = "registra " + kind
	return s.scrivi(ctx, p, id, in.Get("versione"), v, func(tx pgx.Tx, sc Scheda, _ vista) error {
		if !sc.PuoRegistrare {
			return ErrStato
		}
		return scrivi(tx, sc.MioComune)
	})
}

// Elimina removes record n of kind recorded by p's comune, before the esito.
func (s *Service) Elimina(ctx context.Context, p authz.Principal, id uuid.UUID, kind string, n int64, versione string, v registro.Voce) error {
	v.Dettaglio = "elimina " + kind
	return s.scrivi(ctx, p, id, versione, v, func(tx pgx.Tx, sc Scheda, _ vista) error {
		if !sc.PuoRegistrare {
			return ErrStato
		}
		ok, err := elimina(ctx, tx, kind, id, n, sc.MioComune)
		if err != nil {
			return fmt.Errorf("controlli: elimina: %w", err)
		}
		if !ok {
			return ErrNotFound
		}
		return nil
	})
}

func regexpIstat(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Base is the page of request id.
func Base(id uuid.UUID) string { return "/controlli/" + id.String() }

// Form is the state of the page's forms after a refused POST: which form,
// what was typed, its errors.
type Form struct {
	Nome      string // periodi, assenze, documenti, inoltra, restituisci, esito, discrepanze
	Valori    url.Values
	Errs      httpx.FieldErrors
	Conflitto bool
	Avviso    string
}

// Val is what was typed in field k of form nome (or def).
func (f Form) Val(nome, k, def string) string {
	if f.Nome == nome && f.Valori != nil {
		return f.Valori.Get(k)
	}
	return def
}

// Err is the error of field k of form nome.
func (f Form) Err(nome, k string) string {
	if f.Nome == nome {
		return f.Errs[k]
	}
	return ""
}

// ErrsDi are the errors of form nome.
func (f Form) ErrsDi(nome string) httpx.FieldErrors {
	if f.Nome == nome {
		return f.Errs
	}
	return nil
}

func idParam(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

// Scheda serves GET /controlli/{id}.
func (h *Handler) Scheda(w http.ResponseWriter, r *http.Request) {
	h.pagina(w, r, http.StatusOK, Form{})
}

func (h *Handler) pagina(w http.ResponseWriter, r *http.Request, status int, f Form) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.Scheda(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, schedaPage(h.rs.Shell(r), sc, f, r.URL.Query().Get("esito")))
}

// esitoPost answers a POST of the page: back to the page with a message,
// or the page again with the form as typed.
func (h *Handler) esitoPost(w http.ResponseWriter, r *http.Request, nome, messaggio string, err error) {
	id, _ := idParam(r)
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, Base(id)+"?esito="+messaggio)
	case errors.As(err, &fe):
		h.pagina(w, r, http.StatusUnprocessableEntity, Form{Nome: nome, Valori: r.PostForm, Errs: fe})
	case errors.Is(err, ErrConflict):
		h.pagina(w, r, http.StatusConflict, Form{Nome: nome, Valori: r.PostForm, Conflitto: true})
	case errors.Is(err, ErrStato):
		h.pagina(w, r, http.StatusConflict, Form{Nome: nome, Valori: r.PostForm,
			Avviso: "L'operazione non è possibile nello stato attuale della richiesta: non è stato salvato nulla."})
	default:
		h.rs.Error(w, r, err)
	}
}

// Registra serves POST /controlli/{id}/{periodi|assenze|documenti}.
func (h *Handler) Registra(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := idParam(r)
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		_ = r.ParseForm()
		err = h.svc.Registra(r.Context(), authz.PrincipalOf(r), id, kind, r.PostForm, registro.VoceOf(r))
		h.esitoPost(w, r, kind, "registrato", err)
	}
}

// Elimina serves POST /controlli/{id}/{periodi|assenze|documenti}/{n}/elimina.
func (h *Handler) Elimina(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := idParam(r)
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		n, ok := numParam(r)
		if !ok {
			h.rs.Error(w, r, ErrNotFound)
			return
		}
		_ = r.ParseForm()
		err = h.svc.Elimina(r.Context(), authz.PrincipalOf(r), id, kind, n, r.PostForm.Get("versione"), registro.VoceOf(r))
		h.esitoPost(w, r, kind, "eliminato", err)
	}
}

func numParam(r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(chi.URLParam(r, "n"), 10, 64)
	return n, err == nil && n > 0
}
