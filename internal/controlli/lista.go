package controlli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The worklist (/controlli): the requests a coordinatore controlli or a
// responsabile reaches, filtered and paginated, by scadenza; the assignment
// of one request or many (POST /controlli/assegna) to a responsabile of the
// comune, also of the open step of a request forwarded to the comune.

// DimensionePagina is the number of rows of a page of the worklist.
const DimensionePagina = 25

// GiorniInScadenza is the default window of "in scadenza".
const GiorniInScadenza = 15

// MaxGiorni bounds the window a user may type.
const MaxGiorni = 366

// StatoLista is a request's state as its comune sees it in the worklist
// (PLAN "Worklist state"): for a forwarded request the comune's own step.
type StatoLista string

// The states of the worklist and the filter's two extra values.
const (
	DaAssegnare    StatoLista = "da_assegnare"
	InLavorazione  StatoLista = "in_lavorazione"
	InoltrataLista StatoLista = "inoltrata"
	ConclusaLista  StatoLista = "conclusa"
	// Tutte: the filter for every state; the empty filter is every state
	// but conclusa.
	Tutte StatoLista = "tutte"
)

// StatiLista lists the states in display order.
var StatiLista = []StatoLista{DaAssegnare, InLavorazione, InoltrataLista, ConclusaLista}

// Label is the state in Italian.
func (s StatoLista) Label() string {
	switch s {
	case DaAssegnare:
		return "Da assegnare"
	case InLavorazione:
		return "In lavorazione"
	case InoltrataLista:
		return "Inoltrata al comune precedente"
	case ConclusaLista:
		return "Conclusa"
	case Tutte:
		return "Tutte, anche concluse"
	}
	return "Da concludere"
}

// Kind is the colour of the state's badge.
func (s StatoLista) Kind() string {
	switch s {
	case DaAssegnare:
		return "warning"
	case InLavorazione:
		return "primary"
	case InoltrataLista:
		return "info"
	}
	return "secondary"
}

// The values of the scadenza filter.
const (
	InScadenza = "entro"   // not concluded, due within Giorni days from today
	Scadute    = "scadute" // not concluded, past due
)

// Filtro is the worklist's filters and page.
type Filtro struct {
	Tipo         Tipo
	Stato        StatoLista // "": every state but conclusa
	Scadenza     string     // "", InScadenza, Scadute
	Giorni       int        // the window of InScadenza
	Responsabile uuid.UUID  // coordinatore only
	Q            string     // codice fiscale, or the start of the cognome
	Pagina       int
}

// Riga is a request as the worklist shows it: nothing of a case, and for a
// request reached through the chain not INPS's ids (tappa view).
type Riga struct {
	ID              uuid.UUID
	IDRichiesta     string // "" for a request reached through the chain
	Propria         bool   // asked to the comune; false: forwarded to it
	Tipo            Tipo
	CodiceFiscale   string
	Cognome, Nome   string
	DataNascita     *time.Time
	ComuneRichiesta string // the comune asked (whose scadenza it is)
	Scadenza        time.Time
	Stato           StatoLista
	AssegnatarioID  *uuid.UUID
	Assegnatario    string // "Nome Cognome"
	Versione        int
}

// Nominativo is "Cognome Nome".
func (r Riga) Nominativo() string { return r.Cognome + " " + r.Nome }

// Responsabile is a responsabile controlli of the comune.
type Responsabile struct {
	ID   uuid.UUID
	Nome string // "Nome Cognome"
}

// Lista is a page of the worklist.
type Lista struct {
	Righe          []Riga
	Pagina         int
	AltrePagine    bool
	Oggi           time.Time
	Coordinatore   bool
	Responsabili   []Responsabile // coordinatore: whom to assign to
	NomeFiltroResp string         // the filtered responsabile's name, when no longer one
}

// Conteggi are the counts of the requests a principal reaches.
type Conteggi struct {
	DaAssegnare, InLavorazione, InScadenza, Scadute int
}

// portataDi is p's reach: ErrFuoriAmbito for any other role or no comune.
func portataDi(p authz.Principal) (portata, error) {
	switch {
	case coordinatore(p):
		return portata{comune: *p.ComuneID}, nil
	case responsabile(p):
		me := p.OperatoreID
		return portata{comune: *p.ComuneID, me: &me}, nil
	}
	return portata{}, ErrFuoriAmbito
}

// Responsabili are the responsabili controlli of p's comune today.
func (s *Service) Responsabili(ctx context.Context, p authz.Principal) ([]Responsabile, error) {
	if p.ComuneID == nil {
		return nil, ErrFuoriAmbito
	}
	ops, err := s.acc.ConRuolo(ctx, authz.ResponsabileControlli, *p.ComuneID, s.oggi())
	if err != nil {
		return nil, err
	}
	out := make([]Responsabile, 0, len(ops))
	for _, o := range ops {
		out = append(out, Responsabile{ID: o.ID, Nome: o.NomeCompleto()})
	}
	return out, nil
}

// normalizza bounds the filter's values.
func (f Filtro) normalizza(coord bool) Filtro {
	f.Pagina = max(f.Pagina, 1)
	if f.Giorni <= 0 || f.Giorni > MaxGiorni {
		f.Giorni = GiorniInScadenza
	}
	if !coord {
		f.Responsabile = uuid.Nil
	}
	return f
}

// Lista returns the page of the worklist of p with filters f, by scadenza
// then id; the read is recorded.
func (s *Service) Lista(ctx context.Context, p authz.Principal, f Filtro, v registro.Voce) (Lista, error) {
	pt, err := portataDi(p)
	if err != nil {
		return Lista{}, err
	}
	l := Lista{Oggi: s.oggi(), Coordinatore: coordinatore(p)}
	f = f.normalizza(l.Coordinatore)
	l.Pagina = f.Pagina
	if l.Righe, err = lista(ctx, s.pool, pt, f, l.Oggi); err != nil {
		return l, fmt.Errorf("controlli: lista: %w", err)
	}
	l.Righe, l.AltrePagine = database.Taglia(l.Righe, DimensionePagina)
	if l.Coordinatore {
		if l.Responsabili, err = s.Responsabili(ctx, p); err != nil {
			return l, err
		}
		if f.Responsabile != uuid.Nil && !slices.ContainsFunc(l.Responsabili, func(r Responsabile) bool { return r.ID == f.Responsabile }) {
			for _, r := range l.Righe {
				if r.AssegnatarioID != nil && *r.AssegnatarioID == f.Responsabile {
					l.NomeFiltroResp = r.Assegnatario
				}
			}
		}
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoTipo, registro.Consentito
	v.Dettaglio = fmt.Sprintf("lista dei controlli: %d richieste (pagina %d)", len(l.Righe), l.Pagina)
	return l, s.reg.Record(ctx, v)
}

// Conteggi counts the requests p reaches (for the home: ok false when p is
// no controlli role of a comune).
func (s *Service) Conteggi(ctx context.Context, p authz.Principal) (Conteggi, bool, error) {
	pt, err := portataDi(p)
	if err != nil {
		return Conteggi{}, false, nil
	}
	c, err := conteggi(ctx, s.pool, pt, s.oggi(), GiorniInScadenza)
	if err != nil {
		return c, false, fmt.Errorf("controlli: conteggi: %w", err)
	}
	return c, true, nil
}

// Selezione is a request checked in the worklist, with the versione the
// page showed.
type Selezione struct {
	ID       uuid.UUID
	Versione int
}

// EsitoAssegnazione is what happened to one selected request.
type EsitoAssegnazione struct {
	ID         uuid.UUID
	Nominativo string // "Cognome Nome (CF)"; "" when the request is not reachable
	OK         bool
	Motivo     string // why not
}

// Motivi of a request not assigned.
const (
	MotivoModificata = "è stata modificata da un altro operatore dopo il caricamento della pagina: ricarica l'elenco e verifica prima di assegnarla"
	MotivoConclusa   = "è conclusa: l'esito è già stato finalizzato"
	MotivoRestituita = "il tuo comune ha già chiuso la sua parte della catena"
	MotivoNonTrovata = "non è tra le richieste del tuo comune"
)

// Messages of the assignment form.
const (
	MsgNessunaSelezione = "Seleziona almeno una richiesta da assegnare."
	MsgScegliResp       = "Scegli il responsabile dei controlli a cui assegnare le richieste selezionate."
	MsgRespNonDelComune = "La persona scelta non è responsabile dei controlli anagrafici del tuo comune: scegline un'altra dall'elenco."
)

// Assegna gives the selected requests to responsabile resp of p's comune:
// for a request asked to the comune, the request; for one forwarded to it,
// its open step. Reassignment is allowed while not concluded. A request
// changed since the page was read is reported and left as it is; the others
// are assigned, each write recorded in the same transaction.
func (s *Service) Assegna(ctx context.Context, p authz.Principal, resp uuid.UUID, sel []Selezione, v registro.Voce) ([]EsitoAssegnazione, error) {
	if !coordinatore(p) {
		return nil, ErrFuoriAmbito
	}
	switch {
	case len(sel) == 0:
		return nil, httpx.FieldErrors{"richiesta": MsgNessunaSelezione}
	case resp == uuid.Nil:
		return nil, httpx.FieldErrors{"responsabile": MsgScegliResp}
	}
	resps, err := s.Responsabili(ctx, p)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(resps, func(r Responsabile) bool { return r.ID == resp })
	if i < 0 {
		return nil, httpx.FieldErrors{"responsabile": MsgRespNonDelComune}
	}
	nome := resps[i].Nome
	comune := *p.ComuneID
	var esiti []EsitoAssegnazione
	var rifiutate []uuid.UUID
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		esiti, rifiutate = esiti[:0], rifiutate[:0]
		now := s.now()
		for _, x := range sel {
			d, err := perAssegnare(ctx, tx, x.ID, comune)
			raggiunta := err == nil && (d.propria || d.tappaAperta != nil || d.tappaChiusa)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && !raggiunta) {
				esiti = append(esiti, EsitoAssegnazione{ID: x.ID, Motivo: MotivoNonTrovata})
				rifiutate = append(rifiutate, x.ID)
				continue
			}
			if err != nil {
				return fmt.Errorf("controlli: assegna: %w", err)
			}
			e := EsitoAssegnazione{ID: x.ID, Nominativo: d.nominativo + " (" + d.codiceFiscale + ")"}
			switch {
			case d.versione != x.Versione:
				e.Motivo = MotivoModificata
			case d.stato == string(Conclusa):
				e.Motivo = MotivoConclusa
			case !d.propria && d.tappaAperta == nil:
				e.Motivo = MotivoRestituita
			case d.assegnatario != nil && *d.assegnatario == resp:
				e.OK = true // already theirs: nothing to write
			default:
				if d.propria {
					err = assegnaRichiesta(ctx, tx, x.ID, resp, p.OperatoreID, now)
				} else {
					err = assegnaTappa(ctx, tx, x.ID, *d.tappaAperta, resp, now)
				}
				if err != nil {
					return fmt.Errorf("controlli: assegna: %w", err)
				}
				rv := v
				rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Scrittura, oggettoTipo, x.ID.String(), registro.Consentito
				rv.Dettaglio = "assegnazione a " + nome
				if !d.propria {
					rv.Dettaglio = "assegnazione della tappa del comune a " + nome
				}
				if err := s.reg.RecordTx(ctx, tx, rv); err != nil {
					return err
				}
				e.OK = true
			}
			esiti = append(esiti, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range rifiutate {
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Negato, oggettoTipo, id.String(), registro.Rifiutato
		rv.Dettaglio = "assegnazione"
		if err := s.reg.Record(ctx, rv); err != nil {
			return esiti, err
		}
	}
	return esiti, nil
}

// --- handlers ---

func filtroDa(q url.Values) Filtro {
	f := Filtro{Q: strings.TrimSpace(q.Get("q")), Scadenza: q.Get("scadenza")}
	if t := Tipo(q.Get("tipo")); t.Valid() {
		f.Tipo = t
	}
	if st := StatoLista(q.Get("stato")); st == Tutte || slices.Contains(StatiLista, st) {
		f.Stato = st
	}
	if f.Scadenza != InScadenza && f.Scadenza != Scadute {
		f.Scadenza = ""
	}
	f.Giorni, _ = strconv.Atoi(q.Get("giorni"))
	f.Responsabile, _ = uuid.Parse(q.Get("responsabile"))
	f.Pagina, _ = strconv.Atoi(q.Get("pagina"))
	return f.normalizza(true)
}

// valori are the filters as URL values (page aside).
func (f Filtro) valori() url.Values {
	v := url.Values{}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Tipo != "" {
		v.Set("tipo", string(f.Tipo))
	}
	if f.Stato != "" {
		v.Set("stato", string(f.Stato))
	}
	if f.Scadenza != "" {
		v.Set("scadenza", f.Scadenza)
		if f.Scadenza == InScadenza {
			v.Set("giorni", strconv.Itoa(f.Giorni))
		}
	}
	if f.Responsabile != uuid.Nil {
		v.Set("responsabile", f.Responsabile.String())
	}
	return v
}

// URL is the worklist with filters f at page pagina.
func (f Filtro) URL(pagina int) string {
	v := f.valori()
	if pagina > 1 {
		v.Set("pagina", strconv.Itoa(pagina))
	}
	if len(v) == 0 {
		return "/controlli"
	}
	return "/controlli?" + v.Encode()
}

// formAssegna is the assignment form as posted, kept on errors.
type formAssegna struct {
	Responsabile string
	Selezionate  map[uuid.UUID]bool
	Errori       httpx.FieldErrors
}

func (h *Handler) renderLista(w http.ResponseWriter, r *http.Request, status int, f Filtro, fa formAssegna, esiti []EsitoAssegnazione) {
	l, err := h.svc.Lista(r.Context(), authz.PrincipalOf(r), f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, listaPage(h.rs.Shell(r), l, f, fa, esiti))
}

// Lista serves GET /controlli.
func (h *Handler) Lista(w http.ResponseWriter, r *http.Request) {
	h.renderLista(w, r, http.StatusOK, filtroDa(r.URL.Query()), formAssegna{}, nil)
}

// selezioni parses the checked requests, "id:versione" each.
func selezioni(vals []string) []Selezione {
	var out []Selezione
	for _, v := range vals {
		id, ver, ok := strings.Cut(v, ":")
		u, err := uuid.Parse(id)
		n, err2 := strconv.Atoi(ver)
		if ok && err == nil && err2 == nil {
			out = append(out, Selezione{ID: u, Versione: n})
		}
	}
	return out
}

// Assegna serves POST /controlli/assegna: the worklist's checked requests
// (richiesta=id:versione, repeated) to responsabile.
func (h *Handler) Assegna(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	f := filtroDa(r.PostForm)
	sel := selezioni(r.PostForm["richiesta"])
	fa := formAssegna{Responsabile: r.PostFormValue("responsabile"), Selezionate: map[uuid.UUID]bool{}}
	for _, x := range sel {
		fa.Selezionate[x.ID] = true
	}
	resp, _ := uuid.Parse(fa.Responsabile)
	esiti, err := h.svc.Assegna(r.Context(), authz.PrincipalOf(r), resp, sel, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case errors.As(err, &fe):
		fa.Errori = fe
		h.renderLista(w, r, http.StatusUnprocessableEntity, f, fa, nil)
		return
	case err != nil:
		h.rs.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if slices.ContainsFunc(esiti, func(e EsitoAssegnazione) bool { return !e.OK }) {
		status = http.StatusConflict
	}
	h.renderLista(w, r, status, f, formAssegna{}, esiti)
}
