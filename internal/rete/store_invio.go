package rete

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// serviziDelComune are the services a case manager may send to from a
// case of comune in ambito on day: of active enti of the ambito, active,
// valid on day, covering the comune (rete_servizio_comune, or when the
// service lists none, the comuni of its ente).
func serviziDelComune(ctx context.Context, q database.Querier, ambitoID, comuneID int64, day time.Time) ([]ServizioScelta, error) {
	rows, err := q.Query(ctx, `
		SELECT s.id, s.denominazione, s.area, e.id, e.denominazione
		FROM rete_servizio s JOIN rete_ente e ON e.id = s.ente_id
		WHERE e.ambito_id = $1 AND e.attivo AND s.attivo
		  AND s.valido_dal <= $3 AND (s.valido_al IS NULL OR s.valido_al >= $3)
		  AND (EXISTS (SELECT 1 FROM rete_servizio_comune sc WHERE sc.servizio_id = s.id AND sc.comune_id = $2)
		       OR (NOT EXISTS (SELECT 1 FROM rete_servizio_comune sc WHERE sc.servizio_id = s.id)
		           AND EXISTS (SELECT 1 FROM rete_ente_comune ec WHERE ec.ente_id = e.id AND ec.comune_id = $2)))
		ORDER BY s.area, s.denominazione, e.denominazione, s.id`, ambitoID, comuneID, day)
	if err != nil {
		return nil, fmt.Errorf("rete: servizi del comune: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ServizioScelta, error) {
		var x ServizioScelta
		err := r.Scan(&x.ID, &x.Denominazione, &x.Area, &x.EnteID, &x.Ente)
		return x, err
	})
}

// servizioStato says why a service is not offered: its name and whether it
// exists in the ambito at all.
func servizioNome(ctx context.Context, q database.Querier, ambitoID, id int64) (string, bool, error) {
	var nome string
	err := q.QueryRow(ctx, `SELECT s.denominazione FROM rete_servizio s JOIN rete_ente e ON e.id = s.ente_id
		WHERE s.id = $1 AND e.ambito_id = $2`, id, ambitoID).Scan(&nome)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("rete: servizio: %w", err)
	}
	return nome, true, nil
}

// protocolloDel is the protocol of the ambito valid on day that covers the
// service, the newest when several do.
func protocolloDel(ctx context.Context, q database.Querier, ambitoID, servizioID int64, day time.Time) (id *int64, giorni int, err error) {
	var pid int64
	err = q.QueryRow(ctx, `
		SELECT p.id, p.giorni_risposta_cm FROM rete_protocollo p
		JOIN rete_protocollo_servizio ps ON ps.protocollo_id = p.id
		WHERE ps.servizio_id = $1 AND p.ambito_id = $2 AND p.valido_dal <= $3 AND (p.valido_al IS NULL OR p.valido_al >= $3)
		ORDER BY p.valido_dal DESC, p.id DESC LIMIT 1`, servizioID, ambitoID, day).Scan(&pid, &giorni)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("rete: protocollo del servizio: %w", err)
	}
	return &pid, giorni, nil
}

// nuovoInvio is a validated invio to insert.
type nuovoInvio struct {
	casoID, personaID         uuid.UUID
	ambitoID, comuneID        int64
	servizioID, enteID        int64
	protocolloID              *int64
	sostegnoID, sostegnoTesto string
	motivazione               string
	consenso                  bool
	consensoDa, consensoMod   string
	consensoIl                *time.Time
	sezioni                   []string
	estratto                  []byte
	rispostaEntro             *time.Time
	inviatoIl                 time.Time
	caseManager               uuid.UUID
}

func inserisciInvio(ctx context.Context, tx pgx.Tx, n nuovoInvio) (uuid.UUID, int64, error) {
	var id uuid.UUID
	var numero int64
	if n.sezioni == nil {
		n.sezioni = []string{}
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO rete_invio (caso_id, ambito_id, comune_id, persona_id, servizio_id, ente_id, protocollo_id,
			sostegno_id, sostegno_testo, motivazione, consenso, consenso_da, consenso_il, consenso_modalita,
			sezioni, estratto, stato, risposta_entro, inviato_il, case_manager_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'inviato', $17, $18, $19, $18, $18)
		RETURNING id, numero`,
		n.casoID, n.ambitoID, n.comuneID, n.personaID, n.servizioID, n.enteID, n.protocolloID,
		n.sostegnoID, n.sostegnoTesto, n.motivazione, n.consenso, n.consensoDa, n.consensoIl, n.consensoMod,
		n.sezioni, n.estratto, n.rispostaEntro, n.inviatoIl, n.caseManager).Scan(&id, &numero)
	if err != nil {
		return uuid.Nil, 0, fmt.Errorf("rete: inserisci invio: %w", err)
	}
	return id, numero, nil
}

// passaggioInvio records a state change of an invio.
func passaggioInvio(ctx context.Context, tx pgx.Tx, id uuid.UUID, da, a string, op uuid.UUID, quando time.Time, nota string) error {
	_, err := tx.Exec(ctx, `INSERT INTO rete_invio_stato (invio_id, da, a, operatore_id, quando, nota) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, da, a, op, quando, nota)
	if err != nil {
		return fmt.Errorf("rete: passaggio invio: %w", err)
	}
	return nil
}

const colonneInvio = `
	i.id, i.numero, i.caso_id, i.persona_id, pe.cognome || ' ' || pe.nome, i.servizio_id, s.denominazione, i.ente_id, e.denominazione,
	i.protocollo_id, COALESCE(p.titolo, ''), i.sostegno_id, i.sostegno_testo, i.motivazione,
	i.consenso, i.consenso_da, i.consenso_il, i.consenso_modalita, i.sezioni, i.estratto, i.stato, i.risposta_entro,
	i.inviato_il, i.ricevuto_il, i.risposta_il, i.data_inizio, i.motivo_rifiuto, i.concluso_il, i.esito_conclusione, i.esito_testo,
	i.ritirato_il, i.motivo_ritiro, i.sollecito_inviato_il, o.nome || ' ' || o.cognome, i.versione
	FROM rete_invio i
	JOIN persona pe ON pe.id = i.persona_id
	JOIN rete_servizio s ON s.id = i.servizio_id
	JOIN rete_ente e ON e.id = i.ente_id
	LEFT JOIN rete_protocollo p ON p.id = i.protocollo_id
	JOIN operatore o ON o.id = i.case_manager_id`

func scanInvio(r pgx.Row) (Invio, error) {
	var i Invio
	err := r.Scan(&i.ID, &i.Numero, &i.CasoID, &i.PersonaID, &i.Persona, &i.ServizioID, &i.Servizio, &i.EnteID, &i.Ente,
		&i.ProtocolloID, &i.Protocollo, &i.SostegnoID, &i.SostegnoTesto, &i.Motivazione,
		&i.Consenso, &i.ConsensoDa, &i.ConsensoIl, &i.ConsensoModalita, &i.Sezioni, &i.EstrattoJSON, &i.Stato, &i.RispostaEntro,
		&i.InviatoIl, &i.RicevutoIl, &i.RispostaIl, &i.DataInizio, &i.MotivoRifiuto, &i.ConclusoIl, &i.EsitoConclusione, &i.EsitoTesto,
		&i.RitiratoIl, &i.MotivoRitiro, &i.SollecitoIl, &i.CaseManager, &i.Versione)
	return i, err
}

// inviiDelCaso are the invii of a case, newest first.
func inviiDelCaso(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Invio, error) {
	rows, err := q.Query(ctx, `SELECT `+colonneInvio+` WHERE i.caso_id = $1 ORDER BY i.inviato_il DESC, i.numero DESC`, casoID)
	if err != nil {
		return nil, fmt.Errorf("rete: invii del caso: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invio, error) { return scanInvio(r) })
	if err != nil {
		return nil, fmt.Errorf("rete: invii del caso: %w", err)
	}
	return out, nil
}

// invioDelCaso is one invio of the case; another case's is ErrNotFound.
func invioDelCaso(ctx context.Context, q database.Querier, casoID, id uuid.UUID) (Invio, error) {
	i, err := scanInvio(q.QueryRow(ctx, `SELECT `+colonneInvio+` WHERE i.caso_id = $1 AND i.id = $2`, casoID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Invio{}, ErrNotFound
	}
	if err != nil {
		return Invio{}, fmt.Errorf("rete: invio: %w", err)
	}
	return i, nil
}

// passaggiInvio are the state changes of an invio, oldest first.
func passaggiInvio(ctx context.Context, q database.Querier, id uuid.UUID) ([]Passaggio, error) {
	rows, err := q.Query(ctx, `SELECT st.da, st.a, o.nome || ' ' || o.cognome, st.quando, st.nota
		FROM rete_invio_stato st JOIN operatore o ON o.id = st.operatore_id WHERE st.invio_id = $1 ORDER BY st.id`, id)
	if err != nil {
		return nil, fmt.Errorf("rete: passaggi invio: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Passaggio, error) {
		var p Passaggio
		err := r.Scan(&p.Da, &p.A, &p.Operatore, &p.Quando, &p.Nota)
		return p, err
	})
}

// noteInvio are the ente's progress notes, oldest first.
func noteInvio(ctx context.Context, q database.Querier, id uuid.UUID) ([]NotaInvio, error) {
	rows, err := q.Query(ctx, `SELECT n.testo, o.nome || ' ' || o.cognome, n.scritta_il
		FROM rete_invio_nota n JOIN operatore o ON o.id = n.operatore_id WHERE n.invio_id = $1 ORDER BY n.id`, id)
	if err != nil {
		return nil, fmt.Errorf("rete: note invio: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (NotaInvio, error) {
		var n NotaInvio
		err := r.Scan(&n.Testo, &n.Operatore, &n.ScrittaIl)
		return n, err
	})
}

// bloccaInvio locks an invio of the case at the versione the form started
// from: ErrNotFound when not the case's, ErrConflict when it moved on.
func bloccaInvio(ctx context.Context, tx pgx.Tx, casoID, id uuid.UUID, versione string) (stato string, err error) {
	var ver int
	err = tx.QueryRow(ctx, `SELECT stato, versione FROM rete_invio WHERE caso_id = $1 AND id = $2 FOR UPDATE`, casoID, id).Scan(&stato, &ver)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("rete: blocca invio: %w", err)
	}
	if v, e := strconv.Atoi(versione); e != nil || v != ver {
		return "", ErrConflict
	}
	return stato, nil
}

func ritiraInvio(ctx context.Context, tx pgx.Tx, id uuid.UUID, motivo string, ora time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE rete_invio SET stato = 'ritirato', ritirato_il = $2, motivo_ritiro = $3,
		versione = versione + 1, updated_at = $2 WHERE id = $1`, id, ora, motivo)
	if err != nil {
		return fmt.Errorf("rete: ritira invio: %w", err)
	}
	return nil
}

// accodaContaInviiDelCaso queues on b the count of the invii of a case and those still waiting for
// an answer or in progress.
func accodaContaInviiDelCaso(b *pgx.Batch, casoID uuid.UUID, ora time.Time, tutti, aperti, ritardo *int) {
	b.Queue(`SELECT count(*),
			count(*) FILTER (WHERE stato IN ('inviato', 'ricevuto', 'accettato', 'in_corso')),
			count(*) FILTER (WHERE stato IN ('inviato', 'ricevuto') AND risposta_entro < $2)
		FROM rete_invio WHERE caso_id = $1`, casoID, ora).QueryRow(func(r pgx.Row) error {
		if err := r.Scan(tutti, aperti, ritardo); err != nil {
			return fmt.Errorf("rete: conta invii: %w", err)
		}
		return nil
	})
}

// ultimiPerSostegno is the newest invio of each sostegno of the case.
func ultimiPerSostegno(ctx context.Context, q database.Querier, casoID uuid.UUID) (map[string]Invio, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (i.sostegno_id) `+colonneInvio+`
		WHERE i.caso_id = $1 AND i.sostegno_id <> '' ORDER BY i.sostegno_id, i.inviato_il DESC, i.numero DESC`, casoID)
	if err != nil {
		return nil, fmt.Errorf("rete: invii dei sostegni: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invio, error) { return scanInvio(r) })
	if err != nil {
		return nil, fmt.Errorf("rete: invii dei sostegni: %w", err)
	}
	m := make(map[string]Invio, len(out))
	for _, i := range out {
		m[i.SostegnoID] = i
	}
	return m, nil
}
