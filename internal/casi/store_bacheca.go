package casi

import (
	"context"
	"fmt"
	"github.com/cartella/cartella/internal/codicefiscale"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
)

// The SQL of the coordinatore PaIS's board (bacheca.go): the cases of a
// scope, the case managers with their workload, the assignment and the
// transfer of a case.

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

// elencoAmbito is a page (DimensionePagina+1 rows) of the open cases of
// scope a matching f, overdue first. A cursor that does not parse is
// ErrNotFound.
func elencoAmbito(ctx context.Context, q database.Querier, a Ambito, f FiltroAmbito) ([]Caso, error) {
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
		if n, ok := NumeroDaTesto(q); ok {
			args = append(args, n)
			conds = append(conds, fmt.Sprintf("c.numero = $%d", len(args)))
		} else {
			args = append(args, codicefiscale.Normalize(q), "%"+strings.ToLower(q)+"%")
			conds = append(conds, fmt.Sprintf(`EXISTS (SELECT 1 FROM nucleo_componente nc JOIN persona pe ON pe.id = nc.persona_id
			WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			  AND (pe.codice_fiscale = $%d OR lower(pe.cognome || ' ' || pe.nome) LIKE $%d OR lower(pe.nome || ' ' || pe.cognome) LIKE $%d))`,
				len(args)-1, len(args), len(args)))
		}
	}
	if f.Dopo != "" {
		cond, a, ok := dopoSQL(f.Dopo, args)
		if !ok {
			return nil, ErrNotFound
		}
		conds, args = append(conds, cond), a
	}
	rows, err := q.Query(ctx, header+" WHERE "+strings.Join(conds, " AND ")+
		fmt.Sprintf(" ORDER BY c.urgenza ASC NULLS LAST, c.numero LIMIT %d", DimensionePagina+1), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Caso, error) { return ScanHeader(r) })
}

// caseManagers are the operators holding an active case manager role on
// day oggi in a comune of scope a, with their open cases there.
func caseManagers(ctx context.Context, q database.Querier, a Ambito, oggi time.Time) ([]CaseManager, error) {
	args := []any{a.AmbitoID, oggi, string(authz.CaseManager)}
	extra := ""
	if a.ComuneID != nil {
		args = append(args, *a.ComuneID)
		extra = " AND r.comune_id = $4"
	}
	rows, err := q.Query(ctx, `
		SELECT o.id, o.cognome || ' ' || o.nome, r.comune_id, co.denominazione,
		       (SELECT count(*) FROM caso c WHERE c.case_manager_id = o.id AND c.comune_id = r.comune_id AND c.stato <> 'chiuso')
		FROM operatore_ruolo r JOIN operatore o ON o.id = r.operatore_id JOIN comune co ON co.id = r.comune_id
		WHERE r.ruolo = $3 AND r.ambito_id = $1 AND o.stato = 'attivo'
		  AND r.dal <= $2 AND (r.al IS NULL OR r.al >= $2)`+extra+`
		ORDER BY co.denominazione, o.cognome, o.nome`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (CaseManager, error) {
		var c CaseManager
		err := r.Scan(&c.ID, &c.Nome, &c.ComuneID, &c.Comune, &c.Aperti)
		return c, err
	})
}

// carichi is the workload of scope a on day oggi: the active case managers
// and the operators still holding open cases there.
func carichi(ctx context.Context, q database.Querier, a Ambito, giorno time.Time) ([]Carico, error) {
	where, args := a.where(nil)
	args = append(args, giorno)
	oggi := fmt.Sprintf("$%d", len(args))
	args = append(args, string(authz.CaseManager))
	ruolo := fmt.Sprintf("$%d", len(args))
	ruoloScope := "r.ambito_id = $1"
	if a.ComuneID != nil {
		ruoloScope += " AND r.comune_id = $2"
	}
	rows, err := q.Query(ctx, `
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
			       count(*) FILTER (WHERE c.t120_stato = 'scaduto' OR c.t90_stato = 'scaduto') AS scaduti,
			       array_agg(DISTINCT c.comune_id) AS comuni_casi
			FROM caso c
			WHERE `+where+` AND c.stato <> 'chiuso' AND c.case_manager_id IS NOT NULL
			GROUP BY c.case_manager_id)
		SELECT o.id, o.cognome || ' ' || o.nome, COALESCE(cm.comuni, ''), cm.operatore_id IS NOT NULL,
		       COALESCE(k.aperti, 0), COALESCE(k.primo, 0), COALESCE(k.in_scadenza, 0), COALESCE(k.scaduti, 0),
		       COALESCE(k.comuni_casi, '{}')
		FROM operatore o LEFT JOIN cm ON cm.operatore_id = o.id LEFT JOIN carico k ON k.id = o.id
		WHERE cm.operatore_id IS NOT NULL OR k.id IS NOT NULL
		ORDER BY cm.operatore_id IS NOT NULL, o.cognome, o.nome`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Carico, error) {
		var c Carico
		err := r.Scan(&c.ID, &c.Nome, &c.Comuni, &c.Attivo, &c.Aperti, &c.PrimoDaFare, &c.InScadenza, &c.Scaduti, &c.ComuniCasi)
		return c, err
	})
}

// daAssegnare counts the open cases of scope a without a case manager.
func daAssegnare(ctx context.Context, q database.Querier, a Ambito) (int, error) {
	where, args := a.where(nil)
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM caso c WHERE `+where+` AND c.stato <> 'chiuso' AND c.case_manager_id IS NULL`, args...).Scan(&n)
	return n, err
}

// apertiDi are the open cases of scope a held by case manager cm, most
// urgent first, with their versione.
func apertiDi(ctx context.Context, q database.Querier, a Ambito, cm uuid.UUID) ([]Versione, error) {
	where, args := a.where(nil)
	args = append(args, cm)
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT c.id, c.versione FROM caso c
		WHERE %s AND c.stato <> 'chiuso' AND c.case_manager_id = $%d ORDER BY c.urgenza ASC NULLS LAST, c.numero`, where, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Versione, error) {
		var x Versione
		err := r.Scan(&x.CasoID, &x.Versione)
		return x, err
	})
}

// assegna gives the case to case manager cm, in state stato.
func assegna(ctx context.Context, q database.Querier, casoID, cm uuid.UUID, stato Stato) error {
	_, err := q.Exec(ctx, `UPDATE caso SET case_manager_id = $2, assegnato_il = now(), stato = $3,
			versione = versione + 1, updated_at = now() WHERE id = $1`, casoID, cm, string(stato))
	return err
}

// chiudiPeriodo closes the case's open period with a case manager.
func chiudiPeriodo(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	_, err := q.Exec(ctx, `UPDATE caso_assegnazione SET al = now() WHERE caso_id = $1 AND al IS NULL`, casoID)
	return err
}

// insertAssegnazione opens the period of case manager cm, assigned by da.
func insertAssegnazione(ctx context.Context, q database.Querier, casoID, cm, da uuid.UUID, motivo string) error {
	_, err := q.Exec(ctx, `INSERT INTO caso_assegnazione (caso_id, case_manager_id, assegnato_da, motivo) VALUES ($1, $2, $3, $4)`,
		casoID, cm, da, motivo)
	return err
}

// membriAnagrafica are the nucleo's current members, as the board shows
// them.
func membriAnagrafica(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Componente, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.codice_fiscale, p.cognome, p.nome, p.sesso, p.data_nascita, nc.relazione, nc.dal
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL ORDER BY nc.relazione <> 'richiedente', p.data_nascita`, nucleoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var m Componente
		err := r.Scan(&m.PersonaID, &m.CodiceFiscale, &m.Cognome, &m.Nome, &m.Sesso, &m.DataNascita, &m.Relazione, &m.Dal)
		return m, err
	})
}

// periodiAnagrafica are the case's periods with each case manager, latest
// first.
func periodiAnagrafica(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]PeriodoAssegnazione, error) {
	rows, err := q.Query(ctx, `
		SELECT o.cognome || ' ' || o.nome, COALESCE(d.cognome || ' ' || d.nome, 'Sistema'), a.motivo, a.dal, a.al
		FROM caso_assegnazione a JOIN operatore o ON o.id = a.case_manager_id LEFT JOIN operatore d ON d.id = a.assegnato_da
		WHERE a.caso_id = $1 ORDER BY a.dal DESC`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PeriodoAssegnazione, error) {
		var x PeriodoAssegnazione
		err := r.Scan(&x.CaseManager, &x.AssegnatoDa, &x.Motivo, &x.Dal, &x.Al)
		return x, err
	})
}

// eventiAnagrafica are the case's latest 100 events that are not content.
func eventiAnagrafica(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]EventoStorico, error) {
	rows, err := q.Query(ctx, `
		SELECT s.quando, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), s.evento, s.da, s.a, s.nota
		FROM caso_storico s LEFT JOIN operatore o ON o.id = s.operatore_id
		WHERE s.caso_id = $1 AND s.evento IN ('aperto', 'assegnato', 'riassegnato', 'trasferito', 'chiuso', 'riaperto')
		ORDER BY s.id DESC LIMIT 100`, casoID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
		var e EventoStorico
		err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
		return e, err
	})
}

// trasferisci moves the case to comune comuneID of ambito ambitoID, in
// state stato, without a case manager.
func trasferisci(ctx context.Context, q database.Querier, casoID uuid.UUID, comuneID, ambitoID int64, stato Stato) error {
	_, err := q.Exec(ctx, `UPDATE caso SET comune_id = $2, ambito_id = $3, case_manager_id = NULL, assegnato_il = NULL,
			stato = $4, trasferito_il = now(), versione = versione + 1, updated_at = now() WHERE id = $1`,
		casoID, comuneID, ambitoID, string(stato))
	return err
}
