package rete

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
)

// Limits of the invio's texts.
const (
	MaxMotivazione  = 4000
	MaxMotivoRitiro = 2000
	MaxConsensoDa   = 200
)

// ErrChiuso: the case is closed, its invii are read-only.
var ErrChiuso = fmt.Errorf("rete: il caso è chiuso: %w", httpx.ErrReadOnly)

// BaseInvii is the invii page of a case.
func BaseInvii(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/invii" }

// ServizioScelta is a service of the map a case manager may send to.
type ServizioScelta struct {
	ID            int64
	Denominazione string
	Area          string
	EnteID        int64
	Ente          string
}

// Etichetta is how the form names the service.
func (s ServizioScelta) Etichetta() string {
	return s.Denominazione + " — " + s.Ente + " (" + etichetta(Aree, s.Area) + ")"
}

// SostegnoScelta is a sostegno of the signed patto an invio may start from.
type SostegnoScelta struct {
	ID, PersonaID, Testo string
}

// ModuloInvio is what the form of a new invio offers for a case.
type ModuloInvio struct {
	Caso       casi.Caso
	Oggi       time.Time
	Componenti []casi.Componente
	Servizi    []ServizioScelta
	Sostegni   []SostegnoScelta // of the newest signed patto; none without one
	firmato    *patto.Contenuto
	versione   int
	riferim    patto.Riferimenti
}

// InputInvio is the form as typed.
type InputInvio struct {
	PersonaID, ServizioID, SostegnoID string
	Motivazione                       string
	Consenso                          string // "si" | "no"
	ConsensoDa, ConsensoIl            string
	ConsensoModalita                  string
	Sezioni                           []string
}

// HaSezione reports whether the form has section codice chosen.
func (in InputInvio) HaSezione(codice string) bool { return slices.Contains(in.Sezioni, codice) }

// Invio is an invio of a case, as the case manager reads it.
type Invio struct {
	ID               uuid.UUID
	Numero           int64
	CasoID           uuid.UUID
	PersonaID        uuid.UUID
	Persona          string // "Cognome Nome"
	ServizioID       int64
	Servizio         string
	EnteID           int64
	Ente             string
	ProtocolloID     *int64
	Protocollo       string
	SostegnoID       string
	SostegnoTesto    string
	Motivazione      string
	Consenso         bool
	ConsensoDa       string
	ConsensoIl       *time.Time
	ConsensoModalita string
	Sezioni          []string
	EstrattoJSON     []byte
	Stato            string
	RispostaEntro    *time.Time
	InviatoIl        time.Time
	RicevutoIl       *time.Time
	RispostaIl       *time.Time
	DataInizio       *time.Time
	MotivoRifiuto    string
	ConclusoIl       *time.Time
	EsitoConclusione string
	EsitoTesto       string
	RitiratoIl       *time.Time
	MotivoRitiro     string
	SollecitoIl      *time.Time
	CaseManager      string
	Versione         int
}

// CodiceInvio is the number of an invio as operators quote it.
func CodiceInvio(n int64) string { return fmt.Sprintf("R-%06d", n) }

// Codice is the invio's number, e.g. "R-000012".
func (i Invio) Codice() string { return CodiceInvio(i.Numero) }

// StatoLabel is the Italian label of the state.
func (i Invio) StatoLabel() string { return etichetta(StatiInvio, i.Stato) }

// StatoKind is the badge colour of the state.
func (i Invio) StatoKind() string { return statoKind(i.Stato) }

func statoKind(s string) string {
	switch s {
	case "accettato", "in_corso":
		return "success"
	case "rifiutato":
		return "danger"
	case "concluso", "ritirato":
		return "secondary"
	}
	return "primary"
}

// InAttesa reports whether the ente has not answered yet.
func (i Invio) InAttesa() bool { return i.Stato == "inviato" || i.Stato == "ricevuto" }

// InRitardo reports whether the answer is overdue at ora.
func (i Invio) InRitardo(ora time.Time) bool {
	return i.InAttesa() && i.RispostaEntro != nil && i.RispostaEntro.Before(ora)
}

// Ritirabile reports whether the case manager may still withdraw it.
func (i Invio) Ritirabile() bool {
	return slices.Contains([]string{"inviato", "ricevuto", "accettato", "in_corso"}, i.Stato)
}

// ModalitaLabel is the label of how the consent was given.
func (i Invio) ModalitaLabel() string { return etichetta(ModalitaConsenso, i.ConsensoModalita) }

// EsitoLabel is the label of the outcome of a concluded invio.
func (i Invio) EsitoLabel() string { return etichetta(EsitiConclusione, i.EsitoConclusione) }

// SezioneLabel is the label of a section of the case.
func SezioneLabel(codice string) string { return etichetta(Sezioni, codice) }

// StatoInvioLabel is the label of a state of an invio.
func StatoInvioLabel(codice string) string { return etichetta(StatiInvio, codice) }

// ElencoInvii is the invii of a case, newest first.
type ElencoInvii struct {
	Caso  casi.Caso
	Invii []Invio
	Ora   time.Time
}

// SchedaInvio is one invio with its history, notes and extract.
type SchedaInvio struct {
	Caso     casi.Caso
	Invio    Invio
	Passaggi []Passaggio
	Note     []NotaInvio
	Estratto Estratto
	Ora      time.Time
}

// modulo reads what the form offers for case c, through q (the
// transaction of a write, or the pool).
func (s *Service) modulo(ctx context.Context, q database.Querier, c casi.Caso) (ModuloInvio, error) {
	m := ModuloInvio{Caso: c, Oggi: s.oggi()}
	var err error
	if m.Componenti, err = s.casi.Componenti(ctx, q, c.NucleoID); err != nil {
		return m, err
	}
	if m.Servizi, err = serviziDelComune(ctx, q, c.AmbitoID, c.ComuneID, m.Oggi); err != nil {
		return m, err
	}
	cont, n, err := s.patto.Firmato(ctx, c.ID)
	switch {
	case errors.Is(err, patto.ErrNonFirmato):
		return m, nil
	case err != nil:
		return m, fmt.Errorf("rete: patto firmato: %w", err)
	}
	m.firmato, m.versione = &cont, n
	if m.riferim, err = patto.CaricaRiferimenti(ctx, q, m.Oggi); err != nil {
		return m, fmt.Errorf("rete: riferimenti del patto: %w", err)
	}
	for _, x := range cont.Sostegni {
		t := m.riferim.EtichettaSostegno(x.Tipo)
		if x.EnteErogatore != "" {
			t += " — " + x.EnteErogatore
		}
		if x.PersonaID != "" {
			if pc, ok := cont.Componente(x.PersonaID); ok {
				t += " (" + pc.Cognome + " " + pc.Nome + ")"
			}
		} else {
			t += " (nucleo)"
		}
		m.Sostegni = append(m.Sostegni, SostegnoScelta{ID: x.ID, PersonaID: x.PersonaID, Testo: t})
	}
	return m, nil
}

// invioValido is a validated form.
type invioValido struct {
	persona     uuid.UUID
	servizio    ServizioScelta
	sostegno    *patto.Sostegno
	sostTesto   string
	motivazione string
	consenso    bool
	consensoDa  string
	consensoIl  *time.Time
	modalita    string
	sezioni     []string
}

// validaInvio checks the form against the case's modulo. A service not
// offered (inactive, expired, not of the comune) is refused with why.
func (s *Service) validaInvio(ctx context.Context, q database.Querier, in InputInvio, m ModuloInvio) (invioValido, httpx.FieldErrors, error) {
	fe := httpx.FieldErrors{}
	var r invioValido
	r.persona, _ = uuid.Parse(in.PersonaID)
	if !slices.ContainsFunc(m.Componenti, func(c casi.Componente) bool { return c.PersonaID == r.persona }) {
		fe["persona_id"] = "Scegli il componente del nucleo da inviare al servizio."
	}
	sid, err := strconv.ParseInt(strings.TrimSpace(in.ServizioID), 10, 64)
	switch {
	case strings.TrimSpace(in.ServizioID) == "":
		fe["servizio_id"] = "Scegli il servizio della rete a cui inviare il componente."
	case err != nil:
		fe["servizio_id"] = "Il servizio scelto non esiste: scegline uno dall'elenco."
	default:
		i := slices.IndexFunc(m.Servizi, func(x ServizioScelta) bool { return x.ID == sid })
		if i >= 0 {
			r.servizio = m.Servizi[i]
			break
		}
		nome, ok, err := servizioNome(ctx, q, m.Caso.AmbitoID, sid)
		if err != nil {
			return r, nil, err
		}
		if ok {
			fe["servizio_id"] = "Il servizio «" + nome + "» non è attivo, non è valido oggi o non copre il comune di " + m.Caso.Comune +
				": non si può inviare. Scegline un altro dalla mappa dei servizi."
		} else {
			fe["servizio_id"] = "Il servizio scelto non esiste: scegline uno dall'elenco."
		}
	}
	if id := strings.TrimSpace(in.SostegnoID); id != "" {
		var x *patto.Sostegno
		if m.firmato != nil {
			for k := range m.firmato.Sostegni {
				if m.firmato.Sostegni[k].ID == id {
					x = &m.firmato.Sostegni[k]
				}
			}
		}
		switch {
		case x == nil:
			fe["sostegno_id"] = "Il sostegno scelto non è nel patto sottoscritto: scegline uno dall'elenco o lascia vuoto."
		case x.PersonaID != "" && fe["persona_id"] == "" && x.PersonaID != r.persona.String():
			fe["sostegno_id"] = "Il sostegno scelto riguarda un altro componente del nucleo."
		default:
			r.sostegno = x
			for _, o := range m.Sostegni {
				if o.ID == id {
					r.sostTesto = o.Testo
				}
			}
		}
	}
	r.motivazione = strings.TrimSpace(strings.ReplaceAll(in.Motivazione, "\r\n", "\n"))
	switch {
	case r.motivazione == "":
		fe["motivazione"] = "Scrivi la motivazione dell'invio: perché questo servizio, per quale bisogno, che cosa ci si aspetta."
	case utf8.RuneCountInString(r.motivazione) > MaxMotivazione:
		fe["motivazione"] = fmt.Sprintf("La motivazione supera i %d caratteri: riassumila.", MaxMotivazione)
	}
	var sezioni []string
	for _, o := range Sezioni {
		if slices.Contains(in.Sezioni, o.Codice) {
			sezioni = append(sezioni, o.Codice)
		}
	}
	if len(sezioni) != len(in.Sezioni) {
		fe["sezioni"] = "Una delle sezioni scelte non esiste: scegli tra quelle elencate."
	}
	switch in.Consenso {
	case "si":
		r.consenso = true
		r.consensoDa = strings.TrimSpace(in.ConsensoDa)
		switch {
		case r.consensoDa == "":
			fe["consenso_da"] = "Indica chi ha dato il consenso: la persona, o chi per lei (nome e relazione)."
		case utf8.RuneCountInString(r.consensoDa) > MaxConsensoDa:
			fe["consenso_da"] = fmt.Sprintf("Al massimo %d caratteri.", MaxConsensoDa)
		}
		d, ok := calendario.ParseData(in.ConsensoIl)
		switch {
		case strings.TrimSpace(in.ConsensoIl) == "":
			fe["consenso_il"] = "Indica la data del consenso."
		case !ok:
			fe["consenso_il"] = "La data del consenso non è valida: usa il formato gg/mm/aaaa."
		case d.After(m.Oggi):
			fe["consenso_il"] = "La data del consenso non può essere futura."
		default:
			r.consensoIl = &d
		}
		if !valido(ModalitaConsenso, in.ConsensoModalita) {
			fe["consenso_modalita"] = "Indica come è stato dato il consenso."
		}
		r.modalita = in.ConsensoModalita
		if len(sezioni) == 0 && fe["sezioni"] == "" {
			fe["sezioni"] = "Con il consenso scegli almeno una sezione del caso da condividere (oppure indica che il consenso non c'è)."
		}
		r.sezioni = sezioni
	case "no":
		if len(in.Sezioni) > 0 {
			fe["sezioni"] = "Hai scelto delle sezioni da condividere, ma la persona non ha dato il consenso: senza consenso all'ente " +
				"va solo la richiesta. Togli le sezioni, oppure registra il consenso (chi, quando, come)."
		}
	default:
		if len(in.Sezioni) > 0 {
			fe["consenso"] = "Hai scelto delle sezioni da condividere ma manca il consenso della persona: indica se l'ha dato, " +
				"chi, quando e come. Senza consenso all'ente va solo la richiesta."
		} else {
			fe["consenso"] = "Indica se la persona ha dato il consenso a condividere sezioni del caso con l'ente."
		}
	}
	if len(fe) > 0 {
		return r, fe, nil
	}
	return r, nil, nil
}

// Nuovo returns the form of a new invio of the case, recording the read.
func (s *Service) Nuovo(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (ModuloInvio, error) {
	v.OggettoTipo, v.Dettaglio = oggettoInvio, "nuovo"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return ModuloInvio{}, err
	}
	return s.modulo(ctx, s.pool, c)
}

// Invia sends a member of the case to a service: the protocol covering the
// service is found, the answer is due by its giorni_risposta_cm, the
// extract of the consented sections is frozen. Errors of the form are
// httpx.FieldErrors.
func (s *Service) Invia(ctx context.Context, p authz.Principal, casoID uuid.UUID, in InputInvio, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	v.OggettoTipo = oggettoInvio
	err := s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		m, err := s.modulo(ctx, tx, c)
		if err != nil {
			return err
		}
		r, fe, err := s.validaInvio(ctx, tx, in, m)
		if err != nil {
			return err
		}
		if fe != nil {
			return fe
		}
		ora := s.now()
		f := fontiEstratto{caso: c, persona: r.persona, componenti: m.Componenti, firmato: m.firmato, versione: m.versione, sostegno: r.sostegno}
		if r.sostegno != nil {
			f.etichetta = m.riferim.EtichettaSostegno(r.sostegno.Tipo)
		}
		e, msg, err := s.costruisciEstratto(ctx, tx, f, r.sezioni, ora)
		if err != nil {
			return err
		}
		if msg != "" {
			return httpx.FieldErrors{"sezioni": msg}
		}
		estratto, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("rete: estratto: %w", err)
		}
		prot, giorni, err := protocolloDel(ctx, tx, c.AmbitoID, r.servizio.ID, m.Oggi)
		if err != nil {
			return err
		}
		var entro *time.Time
		if prot != nil {
			t := ora.AddDate(0, 0, giorni)
			entro = &t
		}
		n := nuovoInvio{casoID: c.ID, personaID: r.persona, ambitoID: c.AmbitoID, comuneID: c.ComuneID,
			servizioID: r.servizio.ID, enteID: r.servizio.EnteID, protocolloID: prot, motivazione: r.motivazione,
			consenso: r.consenso, consensoDa: r.consensoDa, consensoIl: r.consensoIl, consensoMod: r.modalita,
			sezioni: r.sezioni, estratto: estratto, rispostaEntro: entro, inviatoIl: ora, caseManager: p.OperatoreID}
		if r.sostegno != nil {
			n.sostegnoID, n.sostegnoTesto = r.sostegno.ID, r.sostTesto
		}
		var numero int64
		if id, numero, err = inserisciInvio(ctx, tx, n); err != nil {
			return err
		}
		nota := "Invio a " + r.servizio.Denominazione + " (" + r.servizio.Ente + ")"
		if err := passaggioInvio(ctx, tx, id, "", "inviato", p.OperatoreID, ora, nota); err != nil {
			return err
		}
		op := p.OperatoreID
		testo := fmt.Sprintf("Invio %s al servizio «%s» (%s).", CodiceInvio(numero), r.servizio.Denominazione, r.servizio.Ente)
		if r.consenso {
			testo += " Sezioni condivise con il consenso: " + strings.Join(etichette(r.sezioni), "; ") + "."
		} else {
			testo += " Senza consenso: inviata solo la richiesta."
		}
		if err := casi.Storico(ctx, tx, c.ID, &op, oggettoInvio, "", "", testo); err != nil {
			return err
		}
		w.OggettoID, w.Dettaglio = id.String(), "invio "+CodiceInvio(numero)
		return nil
	})
	return id, err
}

func etichette(codici []string) []string {
	out := make([]string, len(codici))
	for i, c := range codici {
		out[i] = etichetta(Sezioni, c)
	}
	return out
}

// Elenco returns the invii of the case for p, recording the read.
func (s *Service) Elenco(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (ElencoInvii, error) {
	v.OggettoTipo = oggettoInvio
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return ElencoInvii{}, err
	}
	out, err := inviiDelCaso(ctx, s.pool, casoID)
	if err != nil {
		return ElencoInvii{}, err
	}
	return ElencoInvii{Caso: c, Invii: out, Ora: s.now()}, nil
}

// Dettaglio returns one invio of the case with states, notes and extract,
// recording the read. Another case's invio is ErrNotFound.
func (s *Service) Dettaglio(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, v registro.Voce) (SchedaInvio, error) {
	v.OggettoTipo, v.OggettoID = oggettoInvio, id.String()
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return SchedaInvio{}, err
	}
	i, err := invioDelCaso(ctx, s.pool, casoID, id)
	if err != nil {
		return SchedaInvio{}, err
	}
	sc := SchedaInvio{Caso: c, Invio: i, Ora: s.now()}
	if sc.Passaggi, err = passaggiInvio(ctx, s.pool, id); err != nil {
		return SchedaInvio{}, err
	}
	if sc.Note, err = noteInvio(ctx, s.pool, id); err != nil {
		return SchedaInvio{}, err
	}
	if sc.Estratto, err = LeggiEstratto(i.EstrattoJSON); err != nil {
		return SchedaInvio{}, fmt.Errorf("rete: estratto: %w", err)
	}
	return sc, nil
}

// Ritira withdraws an invio not yet concluded, with its reason; a stale
// versione is ErrConflict, a state that does not allow it ErrStato.
func (s *Service) Ritira(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, versione, motivo string, v registro.Voce) error {
	motivo = strings.TrimSpace(strings.ReplaceAll(motivo, "\r\n", "\n"))
	switch {
	case motivo == "":
		return httpx.FieldErrors{"motivo": "Indica il motivo del ritiro: l'ente lo vedrà."}
	case utf8.RuneCountInString(motivo) > MaxMotivoRitiro:
		return httpx.FieldErrors{"motivo": fmt.Sprintf("Il motivo supera i %d caratteri.", MaxMotivoRitiro)}
	}
	v.OggettoTipo, v.Dettaglio = oggettoInvio, "ritiro"
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		w.OggettoID = id.String()
		stato, err := bloccaInvio(ctx, tx, casoID, id, versione)
		if err != nil {
			return err
		}
		if !(Invio{Stato: stato}).Ritirabile() {
			return ErrStato
		}
		ora := s.now()
		if err := ritiraInvio(ctx, tx, id, motivo, ora); err != nil {
			return err
		}
		return passaggioInvio(ctx, tx, id, stato, "ritirato", p.OperatoreID, ora, motivo)
	})
}

// ---- handlers ----

func paramUUID(r *http.Request, name string, notFound error) (uuid.UUID, error) {
	id, err := uuid.Parse(chi.URLParam(r, name))
	if err != nil {
		return uuid.Nil, notFound
	}
	return id, nil
}

// Invii is GET /casi/{id}/invii.
func (h *Handler) Invii(w http.ResponseWriter, r *http.Request) {
	id, err := paramUUID(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	e, err := h.svc.Elenco(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, inviiPage(h.rs.Shell(r), e, r.URL.Query().Get("esito")))
}

// NuovoInvio is GET /casi/{id}/invii/nuovo: an empty form, or one started
// from a sostegno of the patto (?sostegno=&persona=).
func (h *Handler) NuovoInvio(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := InputInvio{SostegnoID: q.Get("sostegno"), PersonaID: q.Get("persona"), ServizioID: q.Get("servizio")}
	h.renderNuovo(w, r, http.StatusOK, in, nil, "")
}

func (h *Handler) renderNuovo(w http.ResponseWriter, r *http.Request, status int, in InputInvio, errs httpx.FieldErrors, avviso string) {
	id, err := paramUUID(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	m, err := h.svc.Nuovo(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, nuovoInvioPage(h.rs.Shell(r), m, in, errs, avviso))
}

// leggiInputInvio reads the form of a new invio.
func leggiInputInvio(r *http.Request) InputInvio {
	_ = r.ParseForm()
	return InputInvio{PersonaID: r.PostFormValue("persona_id"), ServizioID: r.PostFormValue("servizio_id"),
		SostegnoID: r.PostFormValue("sostegno_id"), Motivazione: r.PostFormValue("motivazione"),
		Consenso: r.PostFormValue("consenso"), ConsensoDa: r.PostFormValue("consenso_da"),
		ConsensoIl: r.PostFormValue("consenso_il"), ConsensoModalita: r.PostFormValue("consenso_modalita"),
		Sezioni: r.PostForm["sezioni"]}
}

// CreaInvio is POST /casi/{id}/invii/nuovo.
func (h *Handler) CreaInvio(w http.ResponseWriter, r *http.Request) {
	id, err := paramUUID(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := leggiInputInvio(r)
	inv, err := h.svc.Invia(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, BaseInvii(id)+"/"+inv.String()+"?esito=inviato")
	case errors.As(err, &fe):
		h.renderNuovo(w, r, http.StatusUnprocessableEntity, in, fe, "")
	case errors.Is(err, ErrChiuso):
		h.renderNuovo(w, r, http.StatusConflict, in, nil, "Il caso è chiuso: non si possono fare invii e non è stato inviato nulla.")
	default:
		h.rs.Error(w, r, err)
	}
}

// formRitiro is the state of the withdrawal form after a refused POST.
type formRitiro struct {
	Motivo, Errore, Avviso string
}

// InvioCaso is GET /casi/{id}/invii/{invio}.
func (h *Handler) InvioCaso(w http.ResponseWriter, r *http.Request) {
	h.renderInvioCM(w, r, http.StatusOK, formRitiro{})
}

func (h *Handler) renderInvioCM(w http.ResponseWriter, r *http.Request, status int, f formRitiro) {
	id, err := paramUUID(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	inv, err := paramUUID(r, "invio", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	sc, err := h.svc.Dettaglio(r.Context(), authz.PrincipalOf(r), id, inv, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, invioPage(h.rs.Shell(r), sc, r.URL.Query().Get("esito"), f))
}

// Ritira is POST /casi/{id}/invii/{invio}/ritira.
func (h *Handler) Ritira(w http.ResponseWriter, r *http.Request) {
	id, err := paramUUID(r, "id", casi.ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	inv, err := paramUUID(r, "invio", ErrNotFound)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	motivo := r.PostFormValue("motivo")
	err = h.svc.Ritira(r.Context(), authz.PrincipalOf(r), id, inv, r.PostFormValue("versione"), motivo, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, BaseInvii(id)+"/"+inv.String()+"?esito=ritirato")
	case errors.As(err, &fe):
		h.renderInvioCM(w, r, http.StatusUnprocessableEntity, formRitiro{Motivo: motivo, Errore: fe["motivo"]})
	case errors.Is(err, ErrConflict):
		h.renderInvioCM(w, r, http.StatusConflict, formRitiro{Motivo: motivo,
			Avviso: "L'invio è cambiato nel frattempo (l'ente potrebbe aver risposto): controlla lo stato qui sotto e riprova."})
	case errors.Is(err, ErrStato):
		h.renderInvioCM(w, r, http.StatusConflict, formRitiro{Motivo: motivo, Avviso: "In questo stato l'invio non si può più ritirare."})
	case errors.Is(err, ErrChiuso):
		h.renderInvioCM(w, r, http.StatusConflict, formRitiro{Motivo: motivo, Avviso: "Il caso è chiuso: gli invii sono in sola lettura."})
	default:
		h.rs.Error(w, r, err)
	}
}
