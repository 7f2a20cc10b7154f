package casi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/registro"
)

// The coordinatore PaIS's board: incoming cases of their scope with the
// anagrafica needed to assign them, never their content (domain.md §1.1).

// FiltroBoard selects the cases of the coordinatore's scope.
type FiltroBoard struct {
	ComuneID    int64 // 0: every comune of the scope
	DaAssegnare bool  // only cases without a case manager
	Misura      Misura
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

// entroSQL is the condition of an Entro filter; ok is false for an unknown
// value (ignored).
func entroSQL(entro string, oggi time.Time, args []any) (string, []any, bool) {
	if entro == "scaduto" {
		return "c.t120_stato = 'scaduto'", args, true
	}
	for _, f := range FiltriEntro {
		if f.Valore == entro {
			n, _ := strconv.Atoi(entro)
			args = append(args, oggi.AddDate(0, 0, n))
			return fmt.Sprintf("c.t120_stato IN ('in_corso', 'in_scadenza', 'scaduto') AND c.t120_scadenza <= $%d", len(args)), args, true
		}
	}
	return "", args, false
}

// Board is a page of the coordinatore's board.
type Board struct {
	Casi         []Caso
	Prossima     string
	Oggi         time.Time
	CaseManagers []CaseManager
	Comuni       []ComuneScope
	NomeFiltroCM string // the operator of FiltroBoard.CaseManager
}

// CaseManager is an operator a case of comune ComuneID may be assigned to.
type CaseManager struct {
	ID       uuid.UUID
	Nome     string
	ComuneID int64
	Comune   string
	Aperti   int // open cases assigned now
}

// ComuneScope is a comune in the coordinatore's scope.
type ComuneScope struct {
	ID   int64
	Nome string
}

func coordinatore(p authz.Principal) bool {
	return p.Ruolo == authz.CoordinatorePaIS && p.AmbitoID != nil
}

// scopeSQL restricts c (caso) to p's scope, appending its arguments.
func scopeSQL(p authz.Principal, args []any) (string, []any) {
	args = append(args, *p.AmbitoID)
	w := fmt.Sprintf("c.ambito_id = $%d", len(args))
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		w += fmt.Sprintf(" AND c.comune_id = $%d", len(args))
	}
	return w, args
}

// BoardCoordinatore lists the open cases of p's scope, overdue first, with
// the case managers they may be assigned to and their workload.
func (s *Service) BoardCoordinatore(ctx context.Context, p authz.Principal, f FiltroBoard, v registro.Voce) (Board, error) {
	b := Board{Oggi: s.Oggi()}
	if !coordinatore(p) {
		return b, ErrNotFound
	}
	where, args := scopeSQL(p, nil)
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
	if cond, a, ok := entroSQL(f.Entro, b.Oggi, args); ok {
		conds, args = append(conds, cond), a
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
			return b, ErrNotFound
		}
		conds, args = append(conds, cond), a
	}
	rows, err := s.pool.Query(ctx, header+" WHERE "+strings.Join(conds, " AND ")+
		fmt.Sprintf(" ORDER BY c.urgenza ASC NULLS LAST, c.numero LIMIT %d", DimensionePagina+1), args...)
	if err != nil {
		return b, fmt.Errorf("casi: board: %w", err)
	}
	b.Casi, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Caso, error) { return ScanHeader(r) })
	if err != nil {
		return b, fmt.Errorf("casi: board: %w", err)
	}
	if len(b.Casi) > DimensionePagina {
		b.Casi = b.Casi[:DimensionePagina]
		last := b.Casi[len(b.Casi)-1]
		b.Prossima = cursore{urgenza: last.Urgenza, numero: last.Numero}.String()
	}
	if b.CaseManagers, err = s.caseManagers(ctx, p); err != nil {
		return b, err
	}
	if b.Comuni, err = s.comuniScope(ctx, p); err != nil {
		return b, err
	}
	if f.CaseManager != uuid.Nil {
		if err := s.pool.QueryRow(ctx, `SELECT cognome || ' ' || nome FROM operatore WHERE id = $1`, f.CaseManager).Scan(&b.NomeFiltroCM); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return b, fmt.Errorf("casi: board: %w", err)
		}
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "assegnazioni", registro.Consentito
	v.Dettaglio = fmt.Sprintf("%d casi (anagrafica)", len(b.Casi))
	return b, s.reg.Record(ctx, v)
}

// caseManagers are the operators holding an active case manager role in a
// comune of p's scope, with their open cases.
func (s *Service) caseManagers(ctx context.Context, p authz.Principal) ([]CaseManager, error) {
	args := []any{*p.AmbitoID, s.Oggi()}
	extra := ""
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		extra = " AND r.comune_id = $3"
	}
	rows, err := s.pool.Query(ctx, `
		SELECT o.id, o.cognome || ' ' || o.nome, r.comune_id, co.denominazione,
		       (SELECT count(*) FROM caso c WHERE c.case_manager_id = o.id AND c.comune_id = r.comune_id AND c.stato <> 'chiuso')
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id JOIN comune co ON co.id = r.comune_id
		WHERE r.ruolo = 'case_manager' AND r.ambito_id = $1 AND o.stato = 'attivo'
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

func (s *Service) comuniScope(ctx context.Context, p authz.Principal) ([]ComuneScope, error) {
	args := []any{*p.AmbitoID}
	extra := ""
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		extra = " AND id = $2"
	}
	rows, err := s.pool.Query(ctx, `SELECT id, denominazione FROM comune WHERE ambito_id = $1`+extra+` ORDER BY denominazione`, args...)
	if err != nil {
		return nil, fmt.Errorf("casi: comuni: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ComuneScope, error) {
		var c ComuneScope
		err := r.Scan(&c.ID, &c.Nome)
		return c, err
	})
}

// Esito of the assignment of one case.
type Esito struct {
	Codice string
	OK     bool
	Motivo string // why not, in Italian
}

// Richiesta is one case to assign, with the versione the board showed.
type Richiesta struct {
	CasoID   uuid.UUID
	Versione int
}

// Assegna gives each case to the case manager cm, one transaction per
// case: a case changed meanwhile (stale versione), outside p's scope, or of
// a comune where cm is not case manager is not assigned, with the reason.
func (s *Service) Assegna(ctx context.Context, p authz.Principal, cm uuid.UUID, casi []Richiesta, motivo string, v registro.Voce) ([]Esito, error) {
	if !coordinatore(p) {
		return nil, ErrNotFound
	}
	cms, err := s.caseManagers(ctx, p)
	if err != nil {
		return nil, err
	}
	comuniCM := map[int64]string{}
	for _, c := range cms {
		if c.ID == cm {
			comuniCM[c.ComuneID] = c.Nome
		}
	}
	out := make([]Esito, 0, len(casi))
	for _, rq := range casi {
		var e Esito
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			c, err := load(ctx, tx, rq.CasoID, true)
			if err != nil {
				return err
			}
			e.Codice = c.Codice()
			switch {
			case !p.Covers(c.AmbitoID, &c.ComuneID):
				return ErrNotFound
			case !c.Aperto():
				e.Motivo = "il caso è chiuso"
				return nil
			case c.Versione != rq.Versione:
				e.Motivo = "il caso è stato modificato da un altro operatore: ricarica la pagina e riprova"
				return nil
			case c.CaseManagerID != nil && *c.CaseManagerID == cm:
				e.Motivo = "è già assegnato a questo case manager"
				return nil
			}
			nome, ok := comuniCM[c.ComuneID]
			if !ok {
				e.Motivo = "l'operatore scelto non è case manager nel comune di " + c.Comune
				return nil
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
			rv := v
			rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.CasoID, rv.Esito = registro.Scrittura, "assegnazione", c.ID.String(), c.ID.String(), registro.Consentito
			if err := s.reg.RecordTx(ctx, tx, rv); err != nil {
				return err
			}
			e.OK = true
			return nil
		})
		if errors.Is(err, ErrNotFound) {
			e.Motivo = "caso non trovato"
			err = nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// PeriodoAssegnazione is one period of a case with a case manager.
type PeriodoAssegnazione struct {
	CaseManager, AssegnatoDa, Motivo string
	Dal                              time.Time
	Al                               *time.Time
}

// Anagrafica is what the coordinatore sees of one case.
type Anagrafica struct {
	Caso         Caso
	Membri       []Componente
	Assegnazioni []PeriodoAssegnazione
	Storico      []EventoStorico
	CaseManagers []CaseManager // of the case's comune
	Oggi         time.Time
}

// AnagraficaCaso returns a case of p's scope as the coordinatore sees it:
// anagrafica, assignment history and the non-content events; recorded.
func (s *Service) AnagraficaCaso(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Anagrafica, error) {
	a := Anagrafica{Oggi: s.Oggi()}
	if !coordinatore(p) {
		return a, ErrNotFound
	}
	c, err := load(ctx, s.pool, id, false)
	if err == nil && !p.Covers(c.AmbitoID, &c.ComuneID) {
		err = ErrNotFound
	}
	v.OggettoTipo, v.OggettoID, v.CasoID, v.Dettaglio = "assegnazioni", id.String(), id.String(), "anagrafica"
	if errors.Is(err, ErrNotFound) {
		v.Azione, v.Esito = registro.Negato, registro.Rifiutato
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return a, rerr
		}
		return a, err
	} else if err != nil {
		return a, err
	}
	a.Caso = c
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
		WHERE a.caso_id = $1 ORDER BY a.dal DESC`, id)
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
		ORDER BY s.id DESC LIMIT 100`, id)
	if err != nil {
		return a, err
	}
	a.Storico, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
		var e EventoStorico
		err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
		return e, err
	})
	if err != nil {
		return a, err
	}
	cms, err := s.caseManagers(ctx, p)
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
