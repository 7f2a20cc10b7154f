package casi

import (
	"context"
	"fmt"
	"strings"
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

// coordinatore and scopeSQL are Coordinatore and AmbitoDi(p).where, by the
// names the home's counts (riepilogo.go) use.
func coordinatore(p authz.Principal) bool { return Coordinatore(p) }

func scopeSQL(p authz.Principal, args []any) (string, []any) { return AmbitoDi(p).where(args) }

// where restricts c (caso) to a, appending its arguments.
func (a Ambito) where(args []any) (string, []any) {
	args = append(args, a.AmbitoID)
	w := fmt.Sprintf("c.ambito_id = $%d", len(args))
	if a.ComuneID != nil {
		args = append(args, *a.ComuneID)
		w += fmt.Sprintf(" AND c.comune_id = $%d", len(args))
	}
	return w, args
}

// FiltroAmbito selects open cases of a scope.
type FiltroAmbito struct {
	ComuneID    int64 // 0: every comune of the scope
	DaAssegnare bool  // only cases without a case manager
	Misura      Misura
	T120Scaduto bool       // only cases whose 120-day deadline expired
	T120Entro   *time.Time // only cases whose 120-day deadline is still to be met by this day
	CaseManager uuid.UUID  // uuid.Nil: any
	Q           string     // codice fiscale, or part of "cognome nome", of a current member
	Dopo        string     // the cursor of the page before
}

// ElencoAmbito returns a page of the open cases of scope a matching f,
// overdue first, and the cursor of the next page ("" when none). A cursor
// that does not parse is ErrNotFound.
func (s *Service) ElencoAmbito(ctx context.Context, a Ambito, f FiltroAmbito) ([]Caso, string, error) {
	where, args := a.where(nil)
	conds := []string{where, "c.stato <> 'chiuso'"}
	if f.ComuneID != 0 {
		args = append(args, f.ComuneID)
		conds = append(conds, fmt.Sprintf("c.comune_id = $%d", len(args)))
	}
	if f.DaAssegnare {
		conds = append(conds, "c.case_manager_id IS NULL")
	}
	if f.Misura != "" {
		args = append(args, string(f.Misura))
		conds = append(conds, fmt.Sprintf("d.misura = $%d", len(args)))
	}
	switch {
	case f.T120Scaduto:
		conds = append(conds, "c.t120_stato = 'scaduto'")
	case f.T120Entro != nil:
		args = append(args, *f.T120Entro)
		conds = append(conds, fmt.Sprintf("c.t120_stato IN ('in_corso', 'in_scadenza', 'scaduto') AND c.t120_scadenza <= $%d", len(args)))
	}
	if f.CaseManager != uuid.Nil {
		args = append(args, f.CaseManager)
		conds = append(conds, fmt.Sprintf("c.case_manager_id = $%d", len(args)))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		args = append(args, strings.ToUpper(q), "%"+strings.ToLower(q)+"%")
		conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM nucleo_componente nc JOIN persona pe ON pe.id = nc.persona_id
			WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			  AND (pe.codice_fiscale = $%d OR lower(pe.cognome || ' ' || pe.nome) LIKE $%d))`, len(args)-1, len(args)))
	}
	if f.Dopo != "" {
		cond, a, ok := dopoSQL(f.Dopo, args)
		if !ok {
			return nil, "", ErrNotFound
		}
		conds, args = append(conds, cond), a
	}
	rows, err := s.pool.Query(ctx, header+" WHERE "+strings.Join(conds, " AND ")+
		fmt.Sprintf(" ORDER BY c.urgenza ASC NULLS LAST, c.numero LIMIT %d", DimensionePagina+1), args...)
	if err != nil {
		return nil, "", fmt.Errorf("casi: elenco ambito: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Caso, error) { return ScanHeader(r) })
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
	args := []any{a.AmbitoID, s.Oggi(), string(authz.CaseManager)}
	extra := ""
	if a.ComuneID != nil {
		args = append(args, *a.ComuneID)
		extra = " AND r.comune_id = $4"
	}
	rows, err := s.pool.Query(ctx, `
		SELECT o.id, o.cognome || ' ' || o.nome, r.comune_id, co.denominazione,
		       (SELECT count(*) FROM caso c WHERE c.case_manager_id = o.id AND c.comune_id = r.comune_id AND c.stato <> 'chiuso')
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id JOIN comune co ON co.id = r.comune_id
		WHERE r.ruolo = $3 AND r.ambito_id = $1 AND o.stato = 'attivo'
		  AND r.dal <= $2 AND (r.al IS NULL OR r.al >= $2)`+extra+`
		ORDER BY co.denominazione, o.cognome, o.nome`, args...)
	if err != nil {
		return nil, fmt.Errorf("casi: case managers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseManager, error) {
		var c CaseManager
		err := r.Scan(&c.ID, &c.Nome, &c.ComuneID, &c.Comune, &c.Aperti)
		return c, err
	})
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
	Aperti      int // open cases
	PrimoDaFare int // 120-day deadline still to be met
	InScadenza  int // a deadline (120 or 90 days) within SogliaInScadenza days
	Scaduti     int // a deadline (120 or 90 days) expired
}

// Carichi returns the workload of scope a: every active case manager (with
// or without cases) and every operator still holding open cases there,
// and how many open cases have no case manager. Counts only.
func (s *Service) Carichi(ctx context.Context, a Ambito) ([]Carico, int, error) {
	where, args := a.where(nil)
	args = append(args, s.Oggi())
	oggi := fmt.Sprintf("$%d", len(args))
	args = append(args, string(authz.CaseManager))
	ruolo := fmt.Sprintf("$%d", len(args))
	ruoloScope := "r.ambito_id = $1"
	if a.ComuneID != nil {
		ruoloScope += " AND r.comune_id = $2"
	}
	rows, err := s.pool.Query(ctx, `
		WITH cm AS (
			SELECT r.operatore_id, string_agg(DISTINCT co.denominazione, ', ') AS comuni
			FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id JOIN comune co ON co.id = r.comune_id
			WHERE r.ruolo = `+ruolo+` AND `+ruoloScope+` AND o.stato = 'attivo'
			  AND r.dal <= `+oggi+` AND (r.al IS NULL OR r.al >= `+oggi+`)
			GROUP BY r.operatore_id),
		carico AS (
			SELECT c.case_manager_id AS id, count(*) AS aperti,
			       count(*) FILTER (WHERE c.t120_stato IN ('in_corso', 'in_scadenza', 'scaduto')) AS primo,
			       count(*) FILTER (WHERE c.t120_stato = 'in_scadenza' OR c.t90_stato = 'in_scadenza') AS in_scadenza,
			       count(*) FILTER (WHERE c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto') AS scaduti
			FROM caso c
			WHERE `+where+` AND c.stato <> 'chiuso' AND c.case_manager_id IS NOT NULL
			GROUP BY c.case_manager_id)
		SELECT o.id, o.cognome || ' ' || o.nome, COALESCE(cm.comuni, ''), cm.operatore_id IS NOT NULL,
		       COALESCE(k.aperti, 0), COALESCE(k.primo, 0), COALESCE(k.in_scadenza, 0), COALESCE(k.scaduti, 0)
		FROM operatore o LEFT JOIN cm ON cm.operatore_id = o.id LEFT JOIN carico k ON k.id = o.id
		WHERE cm.operatore_id IS NOT NULL OR k.id IS NOT NULL
		ORDER BY cm.operatore_id IS NOT NULL, o.cognome, o.nome`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("casi: carichi: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Carico, error) {
		var c Carico
		err := r.Scan(&c.ID, &c.Nome, &c.Comuni, &c.Attivo, &c.Aperti, &c.PrimoDaFare, &c.InScadenza, &c.Scaduti)
		return c, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("casi: carichi: %w", err)
	}
	where, args = a.where(nil)
	var daAssegnare int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM caso c WHERE `+where+` AND c.stato <> 'chiuso' AND c.case_manager_id IS NULL`, args...).Scan(&daAssegnare); err != nil {
		return nil, 0, fmt.Errorf("casi: carichi: %w", err)
	}
	return out, daAssegnare, nil
}

// Versione is a case and the versione it was read at.
type Versione struct {
	CasoID   uuid.UUID
	Versione int
}

// ApertiDi returns the open cases of scope a held by case manager cm, most
// urgent first, with their versione.
func (s *Service) ApertiDi(ctx context.Context, a Ambito, cm uuid.UUID) ([]Versione, error) {
	where, args := a.where(nil)
	args = append(args, cm)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`SELECT c.id, c.versione FROM caso c
		WHERE %s AND c.stato <> 'chiuso' AND c.case_manager_id = $%d ORDER BY c.urgenza ASC NULLS LAST, c.numero`, where, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("casi: aperti di: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Versione, error) {
		var x Versione
		err := r.Scan(&x.CasoID, &x.Versione)
		return x, err
	})
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
		if _, err := tx.Exec(ctx, `UPDATE caso SET case_manager_id = $2, assegnato_il = now(), stato = $3,
			versione = versione + 1, updated_at = now() WHERE id = $1`, c.ID, cm, string(stato)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE caso_assegnazione SET al = now() WHERE caso_id = $1 AND al IS NULL`, c.ID); err != nil {
			return err
		}
		op := p.OperatoreID
		if _, err := tx.Exec(ctx, `INSERT INTO caso_assegnazione (caso_id, case_manager_id, assegnato_da, motivo) VALUES ($1, $2, $3, $4)`,
			c.ID, cm, op, motivo); err != nil {
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
	rows, err := s.pool.Query(ctx, `
		SELECT p.id, p.codice_fiscale, p.cognome, p.nome, p.sesso, p.data_nascita, nc.relazione, nc.dal
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL ORDER BY nc.relazione <> 'richiedente', p.data_nascita`, c.NucleoID)
	if err != nil {
		return a, err
	}
	a.Membri, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var m Componente
		err := r.Scan(&m.PersonaID, &m.CodiceFiscale, &m.Cognome, &m.Nome, &m.Sesso, &m.DataNascita, &m.Relazione, &m.Dal)
		return m, err
	})
	if err != nil {
		return a, err
	}
	rows, err = s.pool.Query(ctx, `
		SELECT o.cognome || ' ' || o.nome, COALESCE(d.cognome || ' ' || d.nome, 'Sistema'), a.motivo, a.dal, a.al
		FROM caso_assegnazione a JOIN operatore o ON o.id = a.case_manager_id LEFT JOIN operatore d ON d.id = a.assegnato_da
		WHERE a.caso_id = $1 ORDER BY a.dal DESC`, c.ID)
	if err != nil {
		return a, err
	}
	a.Assegnazioni, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (PeriodoAssegnazione, error) {
		var x PeriodoAssegnazione
		err := r.Scan(&x.CaseManager, &x.AssegnatoDa, &x.Motivo, &x.Dal, &x.Al)
		return x, err
	})
	if err != nil {
		return a, err
	}
	rows, err = s.pool.Query(ctx, `
		SELECT s.quando, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), s.evento, s.da, s.a, s.nota
		FROM caso_storico s LEFT JOIN operatore o ON o.id = s.operatore_id
		WHERE s.caso_id = $1 AND s.evento IN ('aperto', 'assegnato', 'riassegnato', 'trasferito', 'chiuso', 'riaperto')
		ORDER BY s.id DESC LIMIT 100`, c.ID)
	if err != nil {
		return a, err
	}
	a.Storico, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
		var e EventoStorico
		err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
		return e, err
	})
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
		if _, err := tx.Exec(ctx, `UPDATE caso SET comune_id = $2, ambito_id = $3, case_manager_id = NULL, assegnato_il = NULL,
			stato = $4, trasferito_il = now(), versione = versione + 1, updated_at = now() WHERE id = $1`,
			c.ID, t.ComuneID, t.AmbitoID, string(stato)); err != nil {
			return fmt.Errorf("casi: trasferisci: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE caso_assegnazione SET al = now() WHERE caso_id = $1 AND al IS NULL`, c.ID); err != nil {
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
