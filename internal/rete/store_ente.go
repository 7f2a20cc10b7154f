package rete

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
)

// The SQL of the operatore dell'ente's side of the invii (ente_invii.go).

// enteDi returns the ente of p, an operatore dell'ente: the ente of the
// role p acts in (Principal.EnteID; the principal is loaded at every
// request, so a role ended or moved is honoured at once). ok is false for
// any other role.
func enteDi(ctx context.Context, q database.Querier, p authz.Principal) (id int64, nome string, ok bool, err error) {
	if p.Ruolo != authz.OperatoreEnte || p.EnteID == nil {
		return 0, "", false, nil
	}
	err = q.QueryRow(ctx, `SELECT id, denominazione FROM rete_ente WHERE id = $1`, *p.EnteID).Scan(&id, &nome)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", false, nil
	}
	if err != nil {
		return 0, "", false, fmt.Errorf("rete: ente dell'operatore: %w", err)
	}
	return id, nome, true, nil
}

// inviiEnte reads page pagina of the invii addressed to ente, newest first,
// in state stato ("" any).
func inviiEnte(ctx context.Context, q database.Querier, ente int64, stato string, pagina int) ([]RigaInvioEnte, error) {
	rows, err := q.Query(ctx, `
		SELECT i.id, i.numero, s.denominazione, p.cognome || ' ' || p.nome, i.stato, i.inviato_il, i.risposta_entro
		FROM rete_invio i
		JOIN rete_servizio s ON s.id = i.servizio_id
		JOIN persona p ON p.id = i.persona_id
		WHERE i.ente_id = $1 AND ($2 = '' OR i.stato = $2)
		ORDER BY i.inviato_il DESC, i.numero DESC`+database.Pagina(pagina, DimensionePaginaEnte), ente, stato)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaInvioEnte, error) {
		var x RigaInvioEnte
		err := r.Scan(&x.ID, &x.Numero, &x.Servizio, &x.Componente, &x.Stato, &x.InviatoIl, &x.RispostaEntro)
		return x, err
	})
}

// contaStatiEnte counts the invii of ente by state.
func contaStatiEnte(ctx context.Context, q database.Querier, ente int64) (map[string]int, error) {
	rows, err := q.Query(ctx, `SELECT stato, count(*) FROM rete_invio WHERE ente_id = $1 GROUP BY stato`, ente)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		m[st] = n
	}
	return m, rows.Err()
}

// invioEnte reads invio numero if it is addressed to ente (pgx.ErrNoRows
// otherwise, the same as one that does not exist); caso is the case it
// belongs to, for the registro only.
func invioEnte(ctx context.Context, q database.Querier, ente, numero int64, lock bool) (d InvioEnte, caso uuid.UUID, err error) {
	sql := `
		SELECT i.id, i.numero, i.versione, i.caso_id, s.denominazione, e.denominazione,
		       coalesce(pr.titolo, ''), coalesce(pr.motivi_rifiuto, '{}'), pr.procedura,
		       p.cognome, p.nome, p.telefono, p.email,
		       i.motivazione, i.sostegno_testo, i.consenso, i.consenso_da, i.consenso_il, i.consenso_modalita,
		       i.sezioni, i.estratto, i.stato, i.inviato_il, i.ricevuto_il, i.risposta_entro, i.risposta_il,
		       i.data_inizio, i.motivo_rifiuto, i.concluso_il, i.esito_conclusione, i.esito_testo,
		       i.ritirato_il, i.motivo_ritiro
		FROM rete_invio i
		JOIN rete_servizio s ON s.id = i.servizio_id
		JOIN rete_ente e ON e.id = i.ente_id
		JOIN persona p ON p.id = i.persona_id
		LEFT JOIN rete_protocollo pr ON pr.id = i.protocollo_id
		WHERE i.numero = $1 AND i.ente_id = $2`
	if lock {
		sql += ` FOR UPDATE OF i`
	}
	var estratto []byte
	var procedura *string
	err = q.QueryRow(ctx, sql, numero, ente).Scan(&d.ID, &d.Numero, &d.Versione, &caso, &d.Servizio, &d.Ente,
		&d.Protocollo, &d.MotiviRifiuto, &procedura,
		&d.Cognome, &d.Nome, &d.Telefono, &d.Email,
		&d.Motivazione, &d.SostegnoTesto, &d.Consenso, &d.ConsensoDa, &d.ConsensoIl, &d.ConsensoModalita,
		&d.Sezioni, &estratto, &d.Stato, &d.InviatoIl, &d.RicevutoIl, &d.RispostaEntro, &d.RispostaIl,
		&d.DataInizio, &d.MotivoRifiuto, &d.ConclusoIl, &d.EsitoConclusione, &d.EsitoTesto,
		&d.RitiratoIl, &d.MotivoRitiro)
	if err != nil {
		return d, caso, err
	}
	if procedura != nil {
		d.Procedura = etichetta(Procedure, *procedura)
	}
	d.Estratto = leggiEstratto(estratto, d.Sezioni)
	return d, caso, nil
}

// storiaInvio reads the transitions and the notes of invio id.
func storiaInvio(ctx context.Context, q database.Querier, id uuid.UUID) ([]Passaggio, []NotaInvio, error) {
	rows, err := q.Query(ctx, `
		SELECT st.da, st.a, st.quando, st.nota, o.cognome || ' ' || o.nome
		FROM rete_invio_stato st JOIN operatore o ON o.id = st.operatore_id
		WHERE st.invio_id = $1 ORDER BY st.id`, id)
	if err != nil {
		return nil, nil, err
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Passaggio, error) {
		var x Passaggio
		err := r.Scan(&x.Da, &x.A, &x.Quando, &x.Nota, &x.Operatore)
		return x, err
	})
	if err != nil {
		return nil, nil, err
	}
	rows, err = q.Query(ctx, `
		SELECT n.testo, n.scritta_il, o.cognome || ' ' || o.nome
		FROM rete_invio_nota n JOIN operatore o ON o.id = n.operatore_id
		WHERE n.invio_id = $1 ORDER BY n.id`, id)
	if err != nil {
		return nil, nil, err
	}
	ns, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (NotaInvio, error) {
		var x NotaInvio
		err := r.Scan(&x.Testo, &x.ScrittaIl, &x.Operatore)
		return x, err
	})
	return ps, ns, err
}

// transizione records invio id moving from da to a by op at quando with
// nota, and bumps its versione; set are the other columns to write
// ("col = $n" with their values numbered from 5).
func transizione(ctx context.Context, tx pgx.Tx, id uuid.UUID, da, a string, op uuid.UUID, quando time.Time, nota, set string, args ...any) error {
	sql := `UPDATE rete_invio SET stato = $2, versione = versione + 1, updated_at = $3`
	if set != "" {
		sql += ", " + set
	}
	sql += ` WHERE id = $1 AND stato = $4`
	tag, err := tx.Exec(ctx, sql, append([]any{id, a, quando, da}, args...)...)
	if err != nil {
		return fmt.Errorf("rete: transizione %s → %s: %w", da, a, err)
	}
	if tag.RowsAffected() != 1 {
		return ErrStato
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO rete_invio_stato (invio_id, da, a, operatore_id, quando, nota) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, da, a, op, quando, nota); err != nil {
		return fmt.Errorf("rete: rete_invio_stato: %w", err)
	}
	return nil
}

// inserisciNota adds a progress note to invio id.
func inserisciNota(ctx context.Context, tx pgx.Tx, id uuid.UUID, testo string, op uuid.UUID, quando time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO rete_invio_nota (invio_id, testo, operatore_id, scritta_il) VALUES ($1, $2, $3, $4)`,
		id, testo, op, quando)
	if err != nil {
		return fmt.Errorf("rete: nota: %w", err)
	}
	_, err = tx.Exec(ctx, `UPDATE rete_invio SET updated_at = $2 WHERE id = $1`, id, quando)
	return err
}
