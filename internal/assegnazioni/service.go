package assegnazioni

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Service is the board's use cases. The cases are casi's: it reads and
// writes them through casi.Service; its own SQL (store.go) only reads the
// comuni and ambiti a case may go to.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	casi *casi.Service
}

// NewService returns the service.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs}
}

// coordinatore reports whether p may use the board: a coordinatore PaIS
// acting in an ambito.
func coordinatore(p authz.Principal) bool { return casi.Coordinatore(p) }

// scope is p's scope of cases: their ambito, or their comune in it.
func scope(p authz.Principal) casi.Ambito { return casi.AmbitoDi(p) }

// FiltroBoard selects the cases of the coordinatore's scope.
type FiltroBoard struct {
	ComuneID    int64 // 0: every comune of the scope
	DaAssegnare bool  // only cases without a case manager
	Misura      casi.Misura
	// Entro selects by the 120-day deadline still to be met: "scaduto"
	// (expired), or a number of days left at most ("15", "30", "60").
	Entro       string
	CaseManager uuid.UUID // uuid.Nil: any
	Q           string
	Dopo        string
}

// FiltriEntro are the choices of FiltroBoard.Entro, with their labels.
var FiltriEntro = []struct{ Valore, Label string }{
	{"scaduto", "Termine già scaduto"},
	{"15", "Entro 15 giorni"},
	{"30", "Entro 30 giorni"},
	{"60", "Entro 60 giorni"},
}

// entroValido reports whether entro is one of FiltriEntro.
func entroValido(entro string) bool {
	for _, f := range FiltriEntro {
		if f.Valore == entro {
			return true
		}
	}
	return false
}

// filtroCasi is f as casi's filter, the days counted from oggi.
func (f FiltroBoard) filtroCasi(oggi time.Time) casi.FiltroAmbito {
	out := casi.FiltroAmbito{ComuneID: f.ComuneID, DaAssegnare: f.DaAssegnare, Misura: f.Misura,
		CaseManager: f.CaseManager, Q: f.Q, Dopo: f.Dopo}
	switch {
	case f.Entro == "scaduto":
		out.T120Scaduto = true
	case entroValido(f.Entro):
		n, _ := strconv.Atoi(f.Entro)
		entro := oggi.AddDate(0, 0, n)
		out.T120Entro = &entro
	}
	return out
}

// Board is a page of the coordinatore's board.
type Board struct {
	Casi         []casi.Caso
	Prossima     string
	Oggi         time.Time
	CaseManagers []casi.CaseManager
	Comuni       []ComuneScope
	NomeFiltroCM string // the operator of FiltroBoard.CaseManager
}

// ComuneScope is a comune in the coordinatore's scope.
type ComuneScope struct {
	ID   int64
	Nome string
}

// BoardCoordinatore lists the open cases of p's scope, overdue first, with
// the case managers they may be assigned to and their workload.
func (s *Service) BoardCoordinatore(ctx context.Context, p authz.Principal, f FiltroBoard, v registro.Voce) (Board, error) {
	b := Board{Oggi: s.casi.Oggi()}
	if !coordinatore(p) {
		return b, casi.ErrNotFound
	}
	var err error
	if b.Casi, b.Prossima, err = s.casi.ElencoAmbito(ctx, scope(p), f.filtroCasi(b.Oggi)); err != nil {
		return b, err
	}
	if b.CaseManagers, err = s.casi.CaseManagers(ctx, scope(p)); err != nil {
		return b, err
	}
	if b.Comuni, err = comuniScope(ctx, s.pool, p); err != nil {
		return b, err
	}
	if f.CaseManager != uuid.Nil {
		if b.NomeFiltroCM, err = nomeOperatore(ctx, s.pool, f.CaseManager); err != nil {
			return b, err
		}
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "assegnazioni", registro.Consentito
	v.Dettaglio = fmt.Sprintf("%d casi (anagrafica)", len(b.Casi))
	return b, s.reg.Record(ctx, v)
}

// Esito of the assignment of one case.
type Esito struct {
	Codice string
	OK     bool
	Motivo string // why not, in Italian
}

// Richiesta is one case to assign, with the versione the board showed.
type Richiesta = casi.Versione

// Assegna gives each case to the case manager cm, one transaction per
// case: a case changed meanwhile (stale versione), outside p's scope, or of
// a comune where cm is not case manager is not assigned, with the reason.
func (s *Service) Assegna(ctx context.Context, p authz.Principal, cm uuid.UUID, rqs []Richiesta, motivo string, v registro.Voce) ([]Esito, error) {
	if !coordinatore(p) {
		return nil, casi.ErrNotFound
	}
	cms, err := s.casi.CaseManagers(ctx, scope(p))
	if err != nil {
		return nil, err
	}
	comuniCM := map[int64]string{}
	for _, c := range cms {
		if c.ID == cm {
			comuniCM[c.ComuneID] = c.Nome
		}
	}
	out := make([]Esito, 0, len(rqs))
	for _, rq := range rqs {
		c, err := s.casi.AssegnaCaso(ctx, p, rq, cm, comuniCM, motivo, v)
		e := Esito{OK: err == nil}
		// A case out of the coordinatore's scope is "not found", and its
		// number is not echoed: it would tell that it exists elsewhere.
		if c.ID != uuid.Nil && !errors.Is(err, casi.ErrNotFound) {
			e.Codice = c.Codice()
		}
		switch {
		case err == nil:
		case errors.Is(err, casi.ErrNotFound):
			e.Motivo = "caso non trovato"
		case errors.Is(err, casi.ErrChiuso):
			e.Motivo = "il caso è chiuso"
		case errors.Is(err, casi.ErrConflict):
			e.Motivo = "il caso è stato modificato da un altro operatore: ricarica la pagina e riprova"
		case errors.Is(err, casi.ErrGiaAssegnato):
			e.Motivo = "è già assegnato a questo case manager"
		case errors.Is(err, casi.ErrComuneCaseManager):
			e.Motivo = "l'operatore scelto non è case manager nel comune di " + c.Comune
		default:
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Anagrafica is what the coordinatore sees of one case.
type Anagrafica struct {
	casi.Anagrafica
	CaseManagers []casi.CaseManager // of the case's comune
	Oggi         time.Time
}

// caso returns case id for the coordinatore p, recording the read of its
// anagrafica (dettaglio) or the refusal: a case of no scope of p's is
// ErrNotFound.
func (s *Service) caso(ctx context.Context, p authz.Principal, id uuid.UUID, dettaglio string, v registro.Voce) (casi.Caso, error) {
	c, err := s.casi.Caso(ctx, id)
	if err == nil && (!coordinatore(p) || !p.Covers(c.AmbitoID, &c.ComuneID)) {
		err = casi.ErrNotFound
	}
	v.OggettoTipo, v.OggettoID, v.CasoID, v.Dettaglio = "assegnazioni", id.String(), id.String(), dettaglio
	switch {
	case errors.Is(err, casi.ErrNotFound):
		v.Azione, v.Esito = registro.Negato, registro.Rifiutato
	case err != nil:
		return c, err
	default:
		v.Azione, v.Esito = registro.Lettura, registro.Consentito
	}
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return c, rerr
	}
	return c, err
}

// AnagraficaCaso returns a case of p's scope as the coordinatore sees it:
// anagrafica, assignment history and the non-content events; recorded.
func (s *Service) AnagraficaCaso(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Anagrafica, error) {
	a := Anagrafica{Oggi: s.casi.Oggi()}
	if !coordinatore(p) {
		return a, casi.ErrNotFound
	}
	c, err := s.casi.Caso(ctx, id)
	if err == nil && !p.Covers(c.AmbitoID, &c.ComuneID) {
		err = casi.ErrNotFound
	}
	v.OggettoTipo, v.OggettoID, v.CasoID, v.Dettaglio = "assegnazioni", id.String(), id.String(), "anagrafica"
	if errors.Is(err, casi.ErrNotFound) {
		v.Azione, v.Esito = registro.Negato, registro.Rifiutato
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return a, rerr
		}
		return a, err
	} else if err != nil {
		return a, err
	}
	if a.Anagrafica, err = s.casi.AnagraficaDi(ctx, c); err != nil {
		return a, err
	}
	cms, err := s.casi.CaseManagers(ctx, scope(p))
	if err != nil {
		return a, err
	}
	for _, cm := range cms {
		if cm.ComuneID == c.ComuneID {
			a.CaseManagers = append(a.CaseManagers, cm)
		}
	}
	v.Azione, v.Esito = registro.Lettura, registro.Consentito
	return a, s.reg.Record(ctx, v)
}

// Workload of the case managers of a coordinatore's scope, and the
// reassignment of all the open cases of one operator (who leaves, changes
// office, is on long leave) to another.

// Carichi is the workload page.
type Carichi struct {
	Operatori   []casi.Carico
	DaAssegnare int // open cases of the scope without a case manager
	Attivi      []casi.CaseManager
}

// CarichiLavoro returns the workload of the case managers of p's scope:
// every active case manager (with or without cases) and every operator
// still holding open cases there. Counts only: no case is shown.
func (s *Service) CarichiLavoro(ctx context.Context, p authz.Principal, v registro.Voce) (Carichi, error) {
	var out Carichi
	if !coordinatore(p) {
		return out, casi.ErrNotFound
	}
	var err error
	if out.Operatori, out.DaAssegnare, err = s.casi.Carichi(ctx, scope(p)); err != nil {
		return out, err
	}
	if out.Attivi, err = s.casi.CaseManagers(ctx, scope(p)); err != nil {
		return out, err
	}
	v.Azione, v.OggettoTipo, v.Esito, v.Dettaglio = registro.Lettura, "carichi", registro.Consentito, fmt.Sprintf("%d operatori", len(out.Operatori))
	return out, s.reg.Record(ctx, v)
}

// ErrRiassegnazione is a reassignment request that cannot start, with the
// field it concerns and the message in Italian.
type ErrRiassegnazione struct{ Campo, Messaggio string }

func (e *ErrRiassegnazione) Error() string { return e.Messaggio }

// RiassegnaTutti gives every open case of p's scope held by da to a, each
// case as Assegna does (a case of a comune where a is not case manager
// stays with da, with the reason).
func (s *Service) RiassegnaTutti(ctx context.Context, p authz.Principal, da, a uuid.UUID, motivo string, v registro.Voce) ([]Esito, error) {
	if !coordinatore(p) {
		return nil, casi.ErrNotFound
	}
	switch {
	case da == uuid.Nil:
		return nil, &ErrRiassegnazione{"da", "Scegli l'operatore di cui riassegnare i casi."}
	case a == uuid.Nil:
		return nil, &ErrRiassegnazione{"a", "Scegli il case manager a cui assegnarli."}
	case da == a:
		return nil, &ErrRiassegnazione{"a", "Scegli un case manager diverso da quello di partenza."}
	case strings.TrimSpace(motivo) == "":
		return nil, &ErrRiassegnazione{"motivo_tutti", "Indica il motivo della riassegnazione: resta nella storia di ogni caso."}
	}
	rq, err := s.casi.ApertiDi(ctx, scope(p), da)
	if err != nil {
		return nil, err
	}
	if len(rq) == 0 {
		return nil, &ErrRiassegnazione{"da", "L'operatore scelto non ha casi aperti nel tuo ambito di competenza."}
	}
	return s.Assegna(ctx, p, a, rq, strings.TrimSpace(motivo), v)
}

// Transfer of a case to another comune or ambito (the nucleo moved): the
// coordinatore PaIS of the case's scope sends it on; the case keeps its
// state, diary, meetings and history, loses its case manager and waits on
// the receiving coordinatore's board as "da assegnare". Anagrafica only: the
// coordinatore never reads the case content here either.

// ComuneDestinazione is a comune a case may be transferred to: one that
// belongs to an ambito territoriale.
type ComuneDestinazione struct {
	ID            int64
	CodiceISTAT   string
	Denominazione string
	Provincia     string
	AmbitoID      int64
	Ambito        string
}

// Label is "Zola Predosa (BO) · 037060 · Ambito Territoriale Demo".
func (c ComuneDestinazione) Label() string {
	return c.Denominazione + " (" + c.Provincia + ") · " + c.CodiceISTAT + " · " + c.Ambito
}

// MaxComuniTrovati is how many comuni CercaComuni returns at most.
const MaxComuniTrovati = 20

// CercaComuni resolves what the user typed as destination: a 6-digit ISTAT
// code, or a denominazione, optionally followed by the provincia in
// brackets ("Zola Predosa (BO)"). An exact name wins over partial ones;
// otherwise every comune whose name contains the text, up to
// MaxComuniTrovati+1 (more than MaxComuniTrovati: the text is too vague).
// Only comuni of an ambito are returned.
func (s *Service) CercaComuni(ctx context.Context, testo string) ([]ComuneDestinazione, error) {
	return cercaComuni(ctx, s.pool, testo)
}

// ComuneFuoriAmbito names the comune typed ("Milano (MI)") when it is
// known (the ISTAT list) but in no ambito, so that the form can say why it
// cannot be a destination; "" otherwise.
func (s *Service) ComuneFuoriAmbito(ctx context.Context, testo string) (string, error) {
	return comuneFuoriAmbito(ctx, s.pool, testo)
}

// Trasferito is the outcome of a transfer.
type Trasferito struct {
	Codice  string
	Da, A   string // "Comune (Ambito)"
	InScope bool   // the coordinatore still covers the case (same ambito)
}

// Texts of the transfer form.
const (
	msgComuneVuoto        = "Indica il comune di destinazione: il codice ISTAT o il nome."
	msgNessunComune       = "Nessun comune con questo nome o codice ISTAT"
	msgComuneFuoriAmbito  = " non fa parte di nessun ambito registrato in Cartella: un caso si trasferisce solo a un comune di un ambito."
	msgPiuComuni          = "Più comuni corrispondono: scegli quello giusto"
	msgTroppiComuni       = "Troppi comuni corrispondono: scrivi il nome per intero o il codice ISTAT."
	msgMotivoVuoto        = "Scrivi il motivo del trasferimento."
	msgMotivoLungo        = "Il motivo supera i 2.000 caratteri."
	avvisoChiusoTrasf     = "Il caso è chiuso: non può essere trasferito."
	avvisoTrasferimentoCM = "Il caso perde il case manager attuale e resta da assegnare nella bacheca del coordinatore che lo riceve."
)

// maxMotivo is the longest motivo of a transfer, in characters.
const maxMotivo = 2000

func motivoTrasferimentoErr(motivo string) string {
	switch m := strings.TrimSpace(motivo); {
	case m == "":
		return msgMotivoVuoto
	case utf8.RuneCountInString(m) > maxMotivo:
		return msgMotivoLungo
	}
	return ""
}

// Trasferisci moves the case to comune comuneDestID (and its ambito) for
// motivo: only a coordinatore PaIS whose scope covers the case (else
// casi.ErrNotFound, the refusal recorded). The case must be open
// (casi.ErrChiuso) and still at versione (casi.ErrConflict); see
// casi.Service.Trasferisci for what changes. Invalid input is an
// httpx.FieldErrors (keys "comune", "motivo").
func (s *Service) Trasferisci(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, comuneDestID int64, motivo string, v registro.Voce) (Trasferito, error) {
	var out Trasferito
	if !coordinatore(p) {
		return out, s.negatoTrasferimento(ctx, casi.ErrNotFound, id, v)
	}
	motivo = strings.TrimSpace(motivo)
	errs := httpx.FieldErrors{}
	if m := motivoTrasferimentoErr(motivo); m != "" {
		errs["motivo"] = m
	}
	if comuneDestID == 0 {
		errs["comune"] = msgComuneVuoto
	}
	if len(errs) > 0 {
		return out, errs
	}
	// The case as it is now, checked as casi checks it again on the locked
	// case: the versione makes the two agree.
	c, err := s.casi.Caso(ctx, id)
	switch {
	case err != nil:
		return out, s.negatoTrasferimento(ctx, err, id, v)
	case !p.Covers(c.AmbitoID, &c.ComuneID):
		return out, s.negatoTrasferimento(ctx, casi.ErrNotFound, id, v)
	case !c.Aperto():
		return out, casi.ErrChiuso
	case c.Versione != versione:
		return out, casi.ErrConflict
	}
	out.Codice = c.Codice()
	ambitoDa, err := nomeAmbito(ctx, s.pool, c.AmbitoID)
	if err != nil {
		return out, err
	}
	dest, ok, err := comuneDestinazione(ctx, s.pool, comuneDestID)
	switch {
	case err != nil:
		return out, err
	case !ok:
		return out, httpx.FieldErrors{"comune": "Il comune scelto non esiste o non appartiene a un ambito territoriale: non può ricevere casi."}
	case dest.ID == c.ComuneID:
		return out, httpx.FieldErrors{"comune": "Il caso è già del comune di " + c.Comune + ": scegli un altro comune."}
	}
	out.Da = casi.EtichettaTrasferimento(c.Comune, ambitoDa) // the cruscotto counts the transfers by these names
	out.A = casi.EtichettaTrasferimento(dest.Denominazione, dest.Ambito)
	out.InScope = p.Covers(dest.AmbitoID, &dest.ID)
	rv := v
	rv.OggettoTipo, rv.Dettaglio = "trasferimento", "da "+out.Da+" a "+out.A
	err = s.casi.Trasferisci(ctx, p, casi.Trasferimento{CasoID: id, Versione: versione, ComuneID: dest.ID, AmbitoID: dest.AmbitoID,
		Da: out.Da, A: out.A, Motivo: motivo}, rv)
	return out, s.negatoTrasferimento(ctx, err, id, v)
}

// negatoTrasferimento records, when err says the case is not p's, the
// refused transfer, and returns err.
func (s *Service) negatoTrasferimento(ctx context.Context, err error, id uuid.UUID, v registro.Voce) error {
	if !errors.Is(err, casi.ErrNotFound) {
		return err
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito, v.Dettaglio = registro.Negato, "trasferimento", id.String(), id.String(), registro.Rifiutato, registro.Scrittura
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return rerr
	}
	return err
}

// DaTrasferire is what the transfer form shows of the case: its header
// (anagrafica) and the ambito it is in.
type DaTrasferire struct {
	Caso   casi.Caso
	Ambito string
}

// CasoDaTrasferire returns a case of p's scope for the transfer form,
// recorded as a read of its anagrafica (a refusal too).
func (s *Service) CasoDaTrasferire(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (DaTrasferire, error) {
	var d DaTrasferire
	c, err := s.caso(ctx, p, id, "anagrafica (trasferimento)", v)
	if err != nil {
		return d, err
	}
	d.Caso = c
	if d.Ambito, err = nomeAmbito(ctx, s.pool, c.AmbitoID); err != nil {
		return d, fmt.Errorf("assegnazioni: caso da trasferire: %w", err)
	}
	return d, nil
}
