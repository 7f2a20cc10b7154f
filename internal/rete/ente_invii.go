package rete

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The operatore dell'ente's side of the invii (Linee guida Reti ADI, chapter
// V): the invii addressed to their ente, and for one of them the request and
// the extract of the case limited to the sections the person consented to
// share — nothing else of the case, ever. Opening an invio marks it
// ricevuto; the operatore accepts it with a start date or refuses it with a
// reason of the protocol's list, starts it, writes progress notes for the
// case manager and concludes it. Every transition is a row of
// rete_invio_stato and a record of the registro; an invio of another ente
// is not found, and the attempt is recorded.

// DimensionePaginaEnte is the number of rows of a page of /invii.
const DimensionePaginaEnte = 25

// RigaInvioEnte is an invio as the ente's list shows it.
type RigaInvioEnte struct {
	ID            uuid.UUID
	Numero        int64
	Servizio      string
	Componente    string
	Stato         string
	InviatoIl     time.Time
	RispostaEntro *time.Time
}

// Codice is the invio's number as quoted ("I-000012").
func (r RigaInvioEnte) Codice() string { return CodiceInvio(r.Numero) }

// StatoLabel is the Italian label of the state.
func (r RigaInvioEnte) StatoLabel() string { return etichetta(StatiInvio, r.Stato) }

// ElencoEnte is a page of the ente's invii.
type ElencoEnte struct {
	Ente        string
	Stato       string // the filter, "" for all
	Righe       []RigaInvioEnte
	Pagina      int
	AltrePagine bool
	PerStato    map[string]int
}

// Passaggio is a transition of an invio.
type Passaggio struct {
	Da, A     string
	Quando    time.Time
	Nota      string
	Operatore string
}

// DaLabel and ALabel are the Italian labels of the states.
func (p Passaggio) DaLabel() string { return etichetta(StatiInvio, p.Da) }
func (p Passaggio) ALabel() string  { return etichetta(StatiInvio, p.A) }

// NotaInvio is a progress note of the ente.
type NotaInvio struct {
	Testo     string
	ScrittaIl time.Time
	Operatore string
}

// RigaEstratto is one line of a section of the extract: a label and a
// value, indented by Livello for nested content.
type RigaEstratto struct {
	Etichetta string
	Valore    string
	Livello   int
}

// SezioneEstratto is a consented section of the case, as frozen at sending.
type SezioneEstratto struct {
	Codice, Titolo string
	Righe          []RigaEstratto
}

// InvioEnte is ALL the operatore dell'ente sees of an invio: the request
// and the consented extract. Adding a field here widens what an ente sees
// of a case: docs/roles.md must say so.
type InvioEnte struct {
	ID       uuid.UUID
	Numero   int64
	Versione int

	Servizio      string
	Ente          string
	Protocollo    string
	Procedura     string
	MotiviRifiuto []string

	Cognome, Nome, Telefono, Email string

	Motivazione      string
	SostegnoTesto    string
	Consenso         bool
	ConsensoDa       string
	ConsensoIl       *time.Time
	ConsensoModalita string
	Sezioni          []string
	Estratto         []SezioneEstratto

	Stato            string
	InviatoIl        time.Time
	RicevutoIl       *time.Time
	RispostaEntro    *time.Time
	RispostaIl       *time.Time
	DataInizio       *time.Time
	MotivoRifiuto    string
	ConclusoIl       *time.Time
	EsitoConclusione string
	EsitoTesto       string
	RitiratoIl       *time.Time
	MotivoRitiro     string

	Storia []Passaggio
	Note   []NotaInvio
}

// Codice is the invio's number as quoted.
func (d InvioEnte) Codice() string { return CodiceInvio(d.Numero) }

// StatoLabel is the Italian label of the state.
func (d InvioEnte) StatoLabel() string { return etichetta(StatiInvio, d.Stato) }

// ModalitaLabel is the label of how the consent was given.
func (d InvioEnte) ModalitaLabel() string { return etichetta(ModalitaConsenso, d.ConsensoModalita) }

// EsitoLabel is the label of the conclusion.
func (d InvioEnte) EsitoLabel() string { return etichetta(EsitiConclusione, d.EsitoConclusione) }

// Può answers which actions the state allows.
func (d InvioEnte) PuoRispondere() bool { return d.Stato == "inviato" || d.Stato == "ricevuto" }
func (d InvioEnte) PuoAvviare() bool    { return d.Stato == "accettato" }
func (d InvioEnte) PuoConcludere() bool { return d.Stato == "accettato" || d.Stato == "in_corso" }
func (d InvioEnte) PuoAnnotare() bool {
	return d.Stato == "ricevuto" || d.Stato == "accettato" || d.Stato == "in_corso" || d.Stato == "concluso"
}

// leggiEstratto returns the sections of estratto the person consented to
// share (sezioni), in the order of Sezioni: a key of estratto that is not a
// consented section is never shown, whatever was stored.
func leggiEstratto(raw []byte, sezioni []string) []SezioneEstratto {
	var m map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	var out []SezioneEstratto
	for _, o := range Sezioni {
		if !slices.Contains(sezioni, o.Codice) {
			continue
		}
		v, ok := m[o.Codice]
		if !ok {
			continue
		}
		var x any
		if json.Unmarshal(v, &x) != nil {
			continue
		}
		s := SezioneEstratto{Codice: o.Codice, Titolo: o.Etichetta}
		appiattisci(&s.Righe, "", x, 0)
		out = append(out, s)
	}
	return out
}

// appiattisci turns a JSON value into labelled lines.
func appiattisci(out *[]RigaEstratto, etichetta string, x any, livello int) {
	switch v := x.(type) {
	case map[string]any:
		if etichetta != "" {
			*out = append(*out, RigaEstratto{Etichetta: etichetta, Livello: livello})
			livello++
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			appiattisci(out, leggibile(k), v[k], livello)
		}
	case []any:
		if etichetta != "" {
			*out = append(*out, RigaEstratto{Etichetta: etichetta, Livello: livello})
			livello++
		}
		for i, e := range v {
			appiattisci(out, strconv.Itoa(i+1)+".", e, livello)
		}
	case nil:
		*out = append(*out, RigaEstratto{Etichetta: etichetta, Valore: "—", Livello: livello})
	case bool:
		val := "No"
		if v {
			val = "Sì"
		}
		*out = append(*out, RigaEstratto{Etichetta: etichetta, Valore: val, Livello: livello})
	default:
		*out = append(*out, RigaEstratto{Etichetta: etichetta, Valore: fmt.Sprint(v), Livello: livello})
	}
}

// leggibile turns a JSON key (data_nascita) into a label (Data nascita).
func leggibile(k string) string {
	k = strings.ReplaceAll(k, "_", " ")
	if r, n := utf8.DecodeRuneInString(k); n > 0 {
		return strings.ToUpper(string(r)) + k[n:]
	}
	return k
}

// voceEnte fills in a registro record about invio id.
func voceEnte(p authz.Principal, v registro.Voce, azione, id string, caso uuid.UUID, dettaglio string) registro.Voce {
	if v.OperatoreID == nil && p.OperatoreID != uuid.Nil {
		op := p.OperatoreID
		v.OperatoreID, v.Ruolo, v.AmbitoID = &op, string(p.Ruolo), p.AmbitoID
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito, v.Dettaglio = azione, oggettoInvio, id, registro.Consentito, dettaglio
	if caso != uuid.Nil {
		v.CasoID = caso.String()
	}
	return v
}

// negato records a refused access to invio numero (another ente's, or none).
func (s *Service) negatoInvio(ctx context.Context, p authz.Principal, v registro.Voce, azione string, numero int64) error {
	v = voceEnte(p, v, registro.Negato, strconv.FormatInt(numero, 10), uuid.Nil, azione+": invio non dell'ente")
	v.Esito = registro.Rifiutato
	return s.reg.Record(ctx, v)
}

// InviiEnte returns page pagina of the invii addressed to p's ente, in
// state stato ("" all); the read is recorded.
func (s *Service) InviiEnte(ctx context.Context, p authz.Principal, stato string, pagina int, v registro.Voce) (ElencoEnte, error) {
	e := ElencoEnte{Pagina: max(pagina, 1)}
	ente, nome, ok, err := enteDi(ctx, s.pool, p)
	if err != nil {
		return e, err
	}
	if !ok {
		return e, ErrNotFound
	}
	e.Ente = nome
	if valido(StatiInvio, stato) {
		e.Stato = stato
	}
	if e.Righe, err = inviiEnte(ctx, s.pool, ente, e.Stato, e.Pagina); err != nil {
		return e, fmt.Errorf("rete: invii dell'ente: %w", err)
	}
	e.Righe, e.AltrePagine = taglia(e.Righe, DimensionePaginaEnte)
	if e.PerStato, err = contaStatiEnte(ctx, s.pool, ente); err != nil {
		return e, fmt.Errorf("rete: invii dell'ente: %w", err)
	}
	return e, s.reg.Record(ctx, voceEnte(p, v, registro.Lettura, "", uuid.Nil,
		fmt.Sprintf("invii dell'ente %d: %d righe", ente, len(e.Righe))))
}

func taglia(rs []RigaInvioEnte, n int) ([]RigaInvioEnte, bool) {
	if len(rs) > n {
		return rs[:n], true
	}
	return rs, false
}

// InvioEnte returns invio numero to the operatore of its ente; the first
// opening marks it ricevuto. The read is recorded; another ente's invio is
// ErrNotFound, recorded as refused.
func (s *Service) InvioEnte(ctx context.Context, p authz.Principal, numero int64, v registro.Voce) (InvioEnte, error) {
	var d InvioEnte
	ente, _, ok, err := enteDi(ctx, s.pool, p)
	if err != nil {
		return d, err
	}
	if !ok {
		return d, errors.Join(ErrNotFound, s.negatoInvio(ctx, p, v, registro.Lettura, numero))
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var caso uuid.UUID
		d, caso, err = invioEnte(ctx, tx, ente, numero, true)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("rete: invio: %w", err)
		}
		dettaglio := "invio all'ente"
		if d.Stato == "inviato" {
			now := s.now()
			if err := transizione(ctx, tx, d.ID, "inviato", "ricevuto", p.OperatoreID, now, "", "ricevuto_il = $3"); err != nil {
				return err
			}
			d.Stato, d.RicevutoIl, d.Versione = "ricevuto", &now, d.Versione+1
			dettaglio = "invio all'ente, segnato come ricevuto"
		}
		if d.Storia, d.Note, err = storiaInvio(ctx, tx, d.ID); err != nil {
			return fmt.Errorf("rete: storia dell'invio: %w", err)
		}
		return s.reg.RecordTx(ctx, tx, voceEnte(p, v, registro.Lettura, d.ID.String(), caso, dettaglio))
	})
	if errors.Is(err, ErrNotFound) {
		if rerr := s.negatoInvio(ctx, p, v, registro.Lettura, numero); rerr != nil {
			return d, rerr
		}
	}
	return d, err
}

// Risposta is what the operatore types in the forms of an invio.
type Risposta struct {
	Versione    string
	DataInizio  string
	Motivo      string
	Nota        string
	Esito       string
	EsitoTesto  string
	TestoNota   string
	Azione      string // accetta, rifiuta, avvia, concludi, note: which form was sent
	DataInizioT time.Time
}

// agisci runs fn on invio numero of p's ente, locked, after checking the
// versione (when given); records the write in the registro.
func (s *Service) agisci(ctx context.Context, p authz.Principal, numero int64, versione string, azione string, v registro.Voce,
	fn func(tx pgx.Tx, d InvioEnte, now time.Time) error) error {
	ente, _, ok, err := enteDi(ctx, s.pool, p)
	if err != nil {
		return err
	}
	if !ok {
		return errors.Join(ErrNotFound, s.negatoInvio(ctx, p, v, registro.Scrittura, numero))
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		d, caso, err := invioEnte(ctx, tx, ente, numero, true)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("rete: invio: %w", err)
		}
		if versione != "" && strings.TrimSpace(versione) != strconv.Itoa(d.Versione) {
			return ErrConflict
		}
		if err := fn(tx, d, s.now()); err != nil {
			return err
		}
		return s.reg.RecordTx(ctx, tx, voceEnte(p, v, registro.Scrittura, d.ID.String(), caso, azione))
	})
	if errors.Is(err, ErrNotFound) {
		if rerr := s.negatoInvio(ctx, p, v, registro.Scrittura, numero); rerr != nil {
			return rerr
		}
	}
	return err
}

// Accetta accepts invio numero with the start date in.DataInizio.
func (s *Service) Accetta(ctx context.Context, p authz.Principal, numero int64, in Risposta, v registro.Voce) error {
	inizio, ok := calendario.ParseData(in.DataInizio)
	if !ok {
		msg := "Indica la data di inizio della presa in carico (gg/mm/aaaa)."
		if strings.TrimSpace(in.DataInizio) != "" {
			msg = "La data di inizio non è valida: scrivila come gg/mm/aaaa."
		}
		return httpx.FieldErrors{"data_inizio": msg}
	}
	if fe := lunghezze(nil, "nota", strings.TrimSpace(in.Nota)); len(fe) > 0 {
		return fe
	}
	return s.agisci(ctx, p, numero, in.Versione, "accettazione", v, func(tx pgx.Tx, d InvioEnte, now time.Time) error {
		if !d.PuoRispondere() {
			return ErrStato
		}
		if inizio.Before(calendario.Giorno(d.InviatoIl)) {
			return httpx.FieldErrors{"data_inizio": "La data di inizio non può precedere l'invio (" + calendario.Data(calendario.Giorno(d.InviatoIl)) + ")."}
		}
		if err := s.ricevutoPrima(ctx, tx, &d, p, now); err != nil {
			return err
		}
		return transizione(ctx, tx, d.ID, d.Stato, "accettato", p.OperatoreID, now, strings.TrimSpace(in.Nota),
			"risposta_il = $3, data_inizio = $5", inizio)
	})
}

// ricevutoPrima marks an invio still inviato as ricevuto, so that the
// history shows both steps when the answer comes without an opening.
func (s *Service) ricevutoPrima(ctx context.Context, tx pgx.Tx, d *InvioEnte, p authz.Principal, now time.Time) error {
	if d.Stato != "inviato" {
		return nil
	}
	if err := transizione(ctx, tx, d.ID, "inviato", "ricevuto", p.OperatoreID, now, "", "ricevuto_il = $3"); err != nil {
		return err
	}
	d.Stato = "ricevuto"
	return nil
}

// Rifiuta refuses invio numero with a reason of the protocol's list (free
// text when the invio has no protocol, or the protocol lists none).
func (s *Service) Rifiuta(ctx context.Context, p authz.Principal, numero int64, in Risposta, v registro.Voce) error {
	motivo := strings.TrimSpace(in.Motivo)
	nota := strings.TrimSpace(in.Nota)
	if fe := lunghezze(nil, "motivo", motivo, "nota", nota); len(fe) > 0 {
		return fe
	}
	return s.agisci(ctx, p, numero, in.Versione, "rifiuto", v, func(tx pgx.Tx, d InvioEnte, now time.Time) error {
		if !d.PuoRispondere() {
			return ErrStato
		}
		switch {
		case motivo == "" && len(d.MotiviRifiuto) > 0:
			return httpx.FieldErrors{"motivo": "Scegli il motivo del rifiuto tra quelli previsti dal protocollo."}
		case motivo == "":
			return httpx.FieldErrors{"motivo": "Scrivi il motivo del rifiuto."}
		case len(d.MotiviRifiuto) > 0 && !slices.Contains(d.MotiviRifiuto, motivo):
			return httpx.FieldErrors{"motivo": "Il motivo scelto non è tra quelli previsti dal protocollo: scegline uno dall'elenco."}
		case utf8.RuneCountInString(motivo) > 500:
			return httpx.FieldErrors{"motivo": "Il motivo può avere al massimo 500 caratteri."}
		case utf8.RuneCountInString(nota) > 4000:
			return httpx.FieldErrors{"nota": "La nota può avere al massimo 4000 caratteri."}
		}
		if err := s.ricevutoPrima(ctx, tx, &d, p, now); err != nil {
			return err
		}
		return transizione(ctx, tx, d.ID, d.Stato, "rifiutato", p.OperatoreID, now, nota,
			"risposta_il = $3, motivo_rifiuto = $5", motivo)
	})
}

// Avvia starts the accepted invio numero (in corso).
func (s *Service) Avvia(ctx context.Context, p authz.Principal, numero int64, in Risposta, v registro.Voce) error {
	if fe := lunghezze(nil, "nota", strings.TrimSpace(in.Nota)); len(fe) > 0 {
		return fe
	}
	return s.agisci(ctx, p, numero, in.Versione, "avvio", v, func(tx pgx.Tx, d InvioEnte, now time.Time) error {
		if !d.PuoAvviare() {
			return ErrStato
		}
		return transizione(ctx, tx, d.ID, d.Stato, "in_corso", p.OperatoreID, now, strings.TrimSpace(in.Nota), "")
	})
}

// Concludi concludes invio numero: completato or interrotto, with the
// outcome in words.
func (s *Service) Concludi(ctx context.Context, p authz.Principal, numero int64, in Risposta, v registro.Voce) error {
	testo := strings.TrimSpace(in.EsitoTesto)
	fe := httpx.FieldErrors{}
	if !valido(EsitiConclusione, in.Esito) {
		fe["esito"] = "Indica se il percorso è stato completato o interrotto."
	}
	switch {
	case testo == "":
		fe["esito_testo"] = "Descrivi l'esito del percorso per il case manager."
	case utf8.RuneCountInString(testo) > 4000:
		fe["esito_testo"] = "L'esito può avere al massimo 4000 caratteri."
	}
	if len(fe) > 0 {
		return fe
	}
	return s.agisci(ctx, p, numero, in.Versione, "conclusione", v, func(tx pgx.Tx, d InvioEnte, now time.Time) error {
		if !d.PuoConcludere() {
			return ErrStato
		}
		return transizione(ctx, tx, d.ID, d.Stato, "concluso", p.OperatoreID, now, "",
			"concluso_il = $3, esito_conclusione = $5, esito_testo = $6", in.Esito, testo)
	})
}

// Annota adds a progress note to invio numero for the case manager.
func (s *Service) Annota(ctx context.Context, p authz.Principal, numero int64, in Risposta, v registro.Voce) error {
	testo := strings.TrimSpace(in.TestoNota)
	switch {
	case testo == "":
		return httpx.FieldErrors{"testo": "Scrivi il testo della nota."}
	case utf8.RuneCountInString(testo) > 4000:
		return httpx.FieldErrors{"testo": "La nota può avere al massimo 4000 caratteri."}
	}
	return s.agisci(ctx, p, numero, "", "nota di avanzamento", v, func(tx pgx.Tx, d InvioEnte, now time.Time) error {
		if !d.PuoAnnotare() {
			return ErrStato
		}
		return inserisciNota(ctx, tx, d.ID, testo, p.OperatoreID, now)
	})
}

// --- handlers ---

// InviiEnte is GET /invii: the invii of the operatore's ente.
func (h *Handler) InviiEnte(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pagina, _ := strconv.Atoi(q.Get("pagina"))
	e, err := h.svc.InviiEnte(r.Context(), authz.PrincipalOf(r), q.Get("stato"), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	base := "/invii"
	if e.Stato != "" {
		base += "?stato=" + url.QueryEscape(e.Stato)
	}
	h.rs.Render(w, r, http.StatusOK, inviiEntePage(h.rs.Shell(r), e, base))
}

func numeroInvio(r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(chi.URLParam(r, "n"), 10, 64)
	return n, err == nil && n > 0
}

// statoForm is what the detail page's forms show after a refused POST.
type statoForm struct {
	In        Risposta
	Errs      httpx.FieldErrors
	Conflitto bool
	Esito     string
}

// InvioEnte is GET /invii/{n}.
func (h *Handler) InvioEnte(w http.ResponseWriter, r *http.Request) {
	h.renderInvio(w, r, http.StatusOK, statoForm{Esito: r.URL.Query().Get("esito")})
}

func (h *Handler) renderInvio(w http.ResponseWriter, r *http.Request, status int, f statoForm) {
	n, ok := numeroInvio(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	d, err := h.svc.InvioEnte(r.Context(), authz.PrincipalOf(r), n, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, invioEntePage(h.rs.Shell(r), d, f))
}

func leggiRisposta(r *http.Request, azione string) Risposta {
	_ = r.ParseForm()
	return Risposta{Azione: azione, Versione: r.PostFormValue("versione"), DataInizio: r.PostFormValue("data_inizio"),
		Motivo: r.PostFormValue("motivo"), Nota: r.PostFormValue("nota"), Esito: r.PostFormValue("esito"),
		EsitoTesto: r.PostFormValue("esito_testo"), TestoNota: r.PostFormValue("testo")}
}

// azione makes the handler of POST /invii/{n}/<azione>.
func (h *Handler) azione(azione string, fn func(*Service, context.Context, authz.Principal, int64, Risposta, registro.Voce) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		n, ok := numeroInvio(r)
		if !ok {
			h.rs.Error(w, r, ErrNotFound)
			return
		}
		in := leggiRisposta(r, azione)
		err := fn(h.svc, r.Context(), authz.PrincipalOf(r), n, in, registro.VoceOf(r))
		var fe httpx.FieldErrors
		switch {
		case err == nil:
			httpx.Redirect(w, r, "/invii/"+strconv.FormatInt(n, 10)+"?esito="+azione)
		case errors.As(err, &fe):
			h.renderInvio(w, r, http.StatusUnprocessableEntity, statoForm{In: in, Errs: fe})
		case errors.Is(err, ErrConflict):
			h.renderInvio(w, r, http.StatusConflict, statoForm{In: in, Conflitto: true})
		default:
			h.rs.Error(w, r, err)
		}
	}
}

// Accetta is POST /invii/{n}/accetta.
func (h *Handler) Accetta(w http.ResponseWriter, r *http.Request) {
	h.azione("accetta", (*Service).Accetta)(w, r)
}

// Rifiuta is POST /invii/{n}/rifiuta.
func (h *Handler) Rifiuta(w http.ResponseWriter, r *http.Request) {
	h.azione("rifiuta", (*Service).Rifiuta)(w, r)
}

// Avvia is POST /invii/{n}/avvia.
func (h *Handler) Avvia(w http.ResponseWriter, r *http.Request) {
	h.azione("avvia", (*Service).Avvia)(w, r)
}

// Concludi is POST /invii/{n}/concludi.
func (h *Handler) Concludi(w http.ResponseWriter, r *http.Request) {
	h.azione("concludi", (*Service).Concludi)(w, r)
}

// Annota is POST /invii/{n}/note.
func (h *Handler) Annota(w http.ResponseWriter, r *http.Request) {
	h.azione("note", (*Service).Annota)(w, r)
}
