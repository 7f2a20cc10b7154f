package casi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The reads and writes of cases the coordinatore PaIS's board needs
// (internal/assegnazioni): the cases of a scope, the case managers with
// their workload, the assignment and the transfer of a case. Only the SQL
// on casi's tables is here; who may do what (the coordinatore, the scope),
// the forms and the pages are the board's.

// Errors of an assignment, wrapping the kinds httpx maps to a status.
var (
	ErrGiaAssegnato = fmt.Errorf("casi: already assigned to this case manager: %w", httpx.ErrConflict)
	// ErrComuneCaseManager: the case's comune is not one where the chosen
	// operator is case manager.
	ErrComuneCaseManager = fmt.Errorf("casi: not a case manager of the case's comune: %w", httpx.ErrConflict)
)

// Ambito is a scope of cases: an ambito, or one comune of it.
type Ambito struct {
	AmbitoID int64
	ComuneID *int64 // nil: every comune of the ambito
}

// Coordinatore reports whether p acts as a coordinatore PaIS of an ambito:
// the role of the board, whose scope is AmbitoDi(p).
func Coordinatore(p authz.Principal) bool {
	return p.Ruolo == authz.CoordinatorePaIS && p.AmbitoID != nil
}

// AmbitoDi is the scope of a coordinatore p: their ambito, or their comune
// in it.
func AmbitoDi(p authz.Principal) Ambito { return Ambito{AmbitoID: *p.AmbitoID, ComuneID: p.ComuneID} }

// coordinatore is Coordinatore, by the name the home's counts (riepilogo.go)
// use.
func coordinatore(p authz.Principal) bool { return Coordinatore(p) }

// FiltroAmbito selects open cases of a scope.
type FiltroAmbito struct {
	ComuneID    int64 // 0: every comune of the scope
	DaAssegnare bool  // only cases without a case manager
	Misura      Misura
	T120Scaduto bool       // only cases whose 120-day deadline expired
	T120Entro   *time.Time // only cases whose 120-day deadline is still to be met by this day
	CaseManager uuid.UUID  // uuid.Nil: any
	Q           string     // a case number (NumeroDaTesto), or the codice fiscale or part of the name of a current member
	Dopo        string     // the cursor of the page before
}

// ElencoAmbito returns a page of the open cases of scope a matching f,
// overdue first, and the cursor of the next page ("" when none). A cursor
// that does not parse is ErrNotFound.
func (s *Service) ElencoAmbito(ctx context.Context, a Ambito, f FiltroAmbito) ([]Caso, string, error) {
	out, err := elencoAmbito(ctx, s.pool, a, f)
	if errors.Is(err, ErrNotFound) {
		return nil, "", err
	}
	if err != nil {
		return nil, "", fmt.Errorf("casi: elenco ambito: %w", err)
	}
	prossima := ""
	if len(out) > DimensionePagina {
		out = out[:DimensionePagina]
		last := out[len(out)-1]
		prossima = cursore{urgenza: last.Urgenza, numero: last.Numero}.String()
	}
	return out, prossima, nil
}

// CaseManager is an operator a case of comune ComuneID may be assigned to.
type CaseManager struct {
	ID       uuid.UUID
	Nome     string
	ComuneID int64
	Comune   string
	Aperti   int // open cases assigned now
}

// CaseManagers are the operators holding an active case manager role today
// in a comune of scope a, with their open cases there.
func (s *Service) CaseManagers(ctx context.Context, a Ambito) ([]CaseManager, error) {
	out, err := caseManagers(ctx, s.pool, a, s.Oggi())
	if err != nil {
		return nil, fmt.Errorf("casi: case managers: %w", err)
	}
	return out, nil
}

// Carico is one operator's open cases in a scope.
type Carico struct {
	ID     uuid.UUID
	Nome   string
	Comuni string // where they are case manager today, in the scope
	// Attivo: an active operator with a case manager role in the scope
	// today. An operator who is not, and still has open cases, left: the
	// cases wait for a reassignment.
	Attivo      bool
	Aperti      int     // open cases
	ComuniCasi  []int64 // the comuni of the open cases
	PrimoDaFare int     // 120-day deadline still to be met
	InScadenza  int     // a deadline (120 or 90 days) within SogliaInScadenza days
	Scaduti     int     // a deadline (120 or 90 days) expired
}

// Carichi returns the workload of scope a: every active case manager (with
// or without cases) and every operator still holding open cases there,
// and how many open cases have no case manager. Counts only.
func (s *Service) Carichi(ctx context.Context, a Ambito) ([]Carico, int, error) {
	out, err := carichi(ctx, s.pool, a, s.Oggi())
	if err != nil {
		return nil, 0, fmt.Errorf("casi: carichi: %w", err)
	}
	n, err := daAssegnare(ctx, s.pool, a)
	if err != nil {
		return nil, 0, fmt.Errorf("casi: carichi: %w", err)
	}
	return out, n, nil
}

// Versione is a case and the versione it was read at.
type Versione struct {
	CasoID   uuid.UUID
	Versione int
}

// ApertiDi returns the open cases of scope a held by case manager cm, most
// urgent first, with their versione.
func (s *Service) ApertiDi(ctx context.Context, a Ambito, cm uuid.UUID) ([]Versione, error) {
	out, err := apertiDi(ctx, s.pool, a, cm)
	if err != nil {
		return nil, fmt.Errorf("casi: aperti di: %w", err)
	}
	return out, nil
}

// AssegnaCaso gives case rq.CasoID to case manager cm, for p, in one
// transaction on the case locked for update. comuniCM are the comuni where
// cm is case manager, with the name the case's history gives them. It
// returns the case as it was found, and, when it was not assigned, why: a
// case outside p's scope is ErrNotFound, a closed one ErrChiuso, one
// changed since rq.Versione ErrConflict, one cm already holds
// ErrGiaAssegnato, one of a comune not in comuniCM ErrComuneCaseManager.
// The assignment closes the open period, opens cm's, moves a case still
// ricevuto to assegnato, and goes in the history and in the registro (from
// v) in the same transaction.
func (s *Service) AssegnaCaso(ctx context.Context, p authz.Principal, rq Versione, cm uuid.UUID, comuniCM map[int64]string, motivo string, v registro.Voce) (Caso, error) {
	var c Caso
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if c, err = load(ctx, tx, rq.CasoID, true); err != nil {
			return err
		}
		switch {
		case !p.Covers(c.AmbitoID, &c.ComuneID):
			c = Caso{} // nothing of a case out of scope goes back, not even its number
			return ErrNotFound
		case !c.Aperto():
			return ErrChiuso
		case c.Versione != rq.Versione:
			return ErrConflict
		case c.CaseManagerID != nil && *c.CaseManagerID == cm:
			return ErrGiaAssegnato
		}
		nome, ok := comuniCM[c.ComuneID]
		if !ok {
			return ErrComuneCaseManager
		}
		stato := c.Stato
		if stato == Ricevuto {
			stato = Assegnato
		}
		if err := assegna(ctx, tx, c.ID, cm, stato); err != nil {
			return err
		}
		if err := chiudiPeriodo(ctx, tx, c.ID); err != nil {
			return err
		}
		op := p.OperatoreID
		if err := insertAssegnazione(ctx, tx, c.ID, cm, op, motivo); err != nil {
			return err
		}
		evento := "assegnato"
		if c.CaseManagerID != nil {
			evento = "riassegnato"
		}
		if err := Storico(ctx, tx, c.ID, &op, evento, c.CaseManager, nome, motivo); err != nil {
			return err
		}
		v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, "assegnazione", c.ID.String(), c.ID.String(), registro.Consentito
		return s.reg.RecordTx(ctx, tx, v)
	})
	return c, err
}

// PeriodoAssegnazione is one period of a case with a case manager.
type PeriodoAssegnazione struct {
	CaseManager, AssegnatoDa, Motivo string
	Dal                              time.Time
	Al                               *time.Time
}

// Anagrafica is what the coordinatore PaIS sees of a case: its header, its
// current members, its periods with each case manager and the events that
// are not content (opened, assigned, transferred, closed, reopened).
type Anagrafica struct {
	Caso         Caso
	Membri       []Componente
	Assegnazioni []PeriodoAssegnazione
	Storico      []EventoStorico
}

// AnagraficaDi returns the anagrafica of case c, with no scope check and
// no record: the caller has made both.
func (s *Service) AnagraficaDi(ctx context.Context, c Caso) (Anagrafica, error) {
	a := Anagrafica{Caso: c}
	var err error
	if a.Membri, err = membriAnagrafica(ctx, s.pool, c.NucleoID); err != nil {
		return a, err
	}
	if a.Assegnazioni, err = periodiAnagrafica(ctx, s.pool, c.ID); err != nil {
		return a, err
	}
	a.Storico, err = eventiAnagrafica(ctx, s.pool, c.ID)
	return a, err
}

// Trasferimento moves a case to another comune, and its ambito.
type Trasferimento struct {
	CasoID   uuid.UUID
	Versione int // as the form showed it
	ComuneID int64
	AmbitoID int64
	Da, A    string // "Comune (Ambito)", as the history tells them
	Motivo   string
}

// Trasferisci moves the case for p in one transaction on the case locked
// for update: a case outside p's scope is ErrNotFound, a closed one
// ErrChiuso, one changed since t.Versione ErrConflict. The case loses its
// case manager (the open assignment period is closed) and keeps its state,
// but 'assegnato' (nothing done yet) goes back to 'ricevuto'; the event
// 'trasferito' goes in the history, and the write in the registro from v
// (its oggetto tipo and detail kept), in the same transaction. The
// deadlines do not depend on the comune: nothing to recompute.
func (s *Service) Trasferisci(ctx context.Context, p authz.Principal, t Trasferimento, v registro.Voce) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := load(ctx, tx, t.CasoID, true)
		switch {
		case err != nil:
			return err
		case !p.Covers(c.AmbitoID, &c.ComuneID):
			return ErrNotFound
		case !c.Aperto():
			return ErrChiuso
		case c.Versione != t.Versione:
			return ErrConflict
		}
		stato := c.Stato
		if stato == Assegnato {
			stato = Ricevuto
		}
		if err := trasferisci(ctx, tx, c.ID, t.ComuneID, t.AmbitoID, stato); err != nil {
			return fmt.Errorf("casi: trasferisci: %w", err)
		}
		if err := chiudiPeriodo(ctx, tx, c.ID); err != nil {
			return fmt.Errorf("casi: trasferisci: assegnazione: %w", err)
		}
		op := p.OperatoreID
		if err := Storico(ctx, tx, c.ID, &op, "trasferito", t.Da, t.A, t.Motivo); err != nil {
			return err
		}
		if stato != c.Stato {
			if err := Storico(ctx, tx, c.ID, &op, "stato", string(c.Stato), string(stato), "Trasferimento: il caso è da assegnare a un case manager del nuovo comune"); err != nil {
				return err
			}
		}
		v.Azione, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, c.ID.String(), c.ID.String(), registro.Consentito
		return s.reg.RecordTx(ctx, tx, v)
	})
}

// Caso returns the case header with no scope check and no record: for the
// board, which makes its own (the coordinatore reaches the anagrafica of
// the cases of their scope).
func (s *Service) Caso(ctx context.Context, id uuid.UUID) (Caso, error) {
	return load(ctx, s.pool, id, false)
}

// ContatoreBadge is a deadline as a badge (days left, or expired), as the
// case list shows it: for the board's lists.
func ContatoreBadge(scad *time.Time, stato string, oggi time.Time) templ.Component {
	return contatoreBadge(scad, stato, oggi)
}

// RelazioneLabel is a member's relation to the applicant, for people
// ("Figlio/a"), as the case page shows it.
func RelazioneLabel(r string) string { return relazione(r) }
