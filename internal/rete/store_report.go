package rete

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// The SQL of the reporting to the network (report.go). The period bounds
// are civil dates in Rome: invii sent from dal 00:00 to al 24:00.

const periodoInvio = `i.inviato_il >= ($2::date)::timestamp AT TIME ZONE 'Europe/Rome'
	AND i.inviato_il < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Rome'
	AND ($4::bigint IS NULL OR i.comune_id = $4)`

// protocolliAmbito lists the protocols of ambito.
func protocolliAmbito(ctx context.Context, q database.Querier, ambito int64) ([]ProtocolloScelta, error) {
	rows, err := q.Query(ctx, `SELECT id, titolo, periodo_rendicontazione FROM rete_protocollo WHERE ambito_id = $1 ORDER BY titolo, id`, ambito)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ProtocolloScelta, error) {
		var x ProtocolloScelta
		err := r.Scan(&x.ID, &x.Titolo, &x.Periodo)
		return x, err
	})
}

// righeReport counts, per protocol of ambito (only protocollo when not
// nil), the invii sent in the period.
func righeReport(ctx context.Context, q database.Querier, ambito int64, dal, al time.Time, comune, protocollo *int64) ([]RigaReport, error) {
	rows, err := q.Query(ctx, `
		SELECT pr.id, pr.titolo,
		       count(i.id),
		       count(i.id) FILTER (WHERE i.risposta_il IS NOT NULL),
		       count(i.id) FILTER (WHERE i.risposta_il IS NOT NULL AND i.motivo_rifiuto = ''),
		       count(i.id) FILTER (WHERE i.motivo_rifiuto <> ''),
		       count(i.id) FILTER (WHERE i.stato IN ('inviato', 'ricevuto')),
		       count(i.id) FILTER (WHERE i.stato = 'ritirato' AND i.risposta_il IS NULL),
		       count(i.id) FILTER (WHERE i.risposta_il > i.risposta_entro
		                             OR (i.risposta_il IS NULL AND i.stato IN ('inviato', 'ricevuto') AND i.risposta_entro < now())),
		       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM i.risposta_il - i.inviato_il) / 86400)
		           FILTER (WHERE i.risposta_il IS NOT NULL),
		       percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM i.risposta_il - i.inviato_il) / 86400)
		           FILTER (WHERE i.risposta_il IS NOT NULL)
		FROM rete_protocollo pr
		LEFT JOIN rete_invio i ON i.protocollo_id = pr.id AND `+periodoInvio+`
		WHERE pr.ambito_id = $1 AND ($5::bigint IS NULL OR pr.id = $5)
		GROUP BY pr.id, pr.titolo
		ORDER BY pr.titolo, pr.id`, ambito, dal, al, comune, protocollo)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaReport, error) {
		var x RigaReport
		err := r.Scan(&x.ProtocolloID, &x.Titolo, &x.Ricevuti, &x.Trattati, &x.Accettati, &x.Rifiutati, &x.InAttesa,
			&x.Ritirati, &x.OltreTermine, &x.Mediana, &x.P90)
		return x, err
	})
}

// motiviReport counts the refusals by reason, per protocol.
func motiviReport(ctx context.Context, q database.Querier, ambito int64, dal, al time.Time, comune, protocollo *int64) (map[int64][]Conteggio, error) {
	rows, err := q.Query(ctx, `
		SELECT i.protocollo_id, i.motivo_rifiuto, count(*)
		FROM rete_invio i JOIN rete_protocollo pr ON pr.id = i.protocollo_id
		WHERE pr.ambito_id = $1 AND ($5::bigint IS NULL OR pr.id = $5) AND i.motivo_rifiuto <> '' AND `+periodoInvio+`
		GROUP BY i.protocollo_id, i.motivo_rifiuto
		ORDER BY i.protocollo_id, count(*) DESC, i.motivo_rifiuto`, ambito, dal, al, comune, protocollo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64][]Conteggio{}
	for rows.Next() {
		var id int64
		var c Conteggio
		if err := rows.Scan(&id, &c.Voce, &c.N); err != nil {
			return nil, err
		}
		m[id] = append(m[id], c)
	}
	return m, rows.Err()
}

// capacitaReport reads, per protocol, its services with the capacity
// agreed and the invii accepted in the period.
func capacitaReport(ctx context.Context, q database.Querier, ambito int64, dal, al time.Time, comune, protocollo *int64) (map[int64][]RigaCapacita, error) {
	rows, err := q.Query(ctx, `
		SELECT ps.protocollo_id, s.denominazione, e.denominazione, ps.capacita, s.periodo_capacita,
		       count(i.id) FILTER (WHERE i.risposta_il IS NOT NULL AND i.motivo_rifiuto = '')
		FROM rete_protocollo_servizio ps
		JOIN rete_protocollo pr ON pr.id = ps.protocollo_id
		JOIN rete_servizio s ON s.id = ps.servizio_id
		JOIN rete_ente e ON e.id = s.ente_id
		LEFT JOIN rete_invio i ON i.protocollo_id = ps.protocollo_id AND i.servizio_id = ps.servizio_id AND `+periodoInvio+`
		WHERE pr.ambito_id = $1 AND ($5::bigint IS NULL OR pr.id = $5)
		GROUP BY ps.protocollo_id, s.id, s.denominazione, e.denominazione, ps.capacita, s.periodo_capacita
		ORDER BY ps.protocollo_id, e.denominazione, s.denominazione`, ambito, dal, al, comune, protocollo)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[int64][]RigaCapacita{}
	for rows.Next() {
		var id int64
		var c RigaCapacita
		if err := rows.Scan(&id, &c.Servizio, &c.Ente, &c.Concordata, &c.Periodo, &c.Usata); err != nil {
			return nil, err
		}
		m[id] = append(m[id], c)
	}
	return m, rows.Err()
}
