package rete

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/report"
)

// Indicatori are the network's contribution to the cruscotto
// (internal/report, docs/indicatori.md), from the invii sent in the period
// (a day in Rome) by the case managers of the scope, per ente: where they
// stand today (accepted, refused, waiting for an answer, withdrawn before
// one), and the days the ente took to answer (median and 90th percentile,
// whole days in Rome, report.MisuraGiorni). One query gives both.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	stato := report.Indicatore{Codice: "invii-rete", Titolo: "Invii alla rete dei servizi",
		Descrizione: "Invii ai servizi della rete fatti nel periodo, per ente e per come stanno oggi: accettati, rifiutati, " +
			"in attesa di risposta, ritirati prima della risposta. Il totale sono gli invii; la quota è degli accettati.",
		IntestazioneRighe: "Ente", Colonne: []string{"Accettati", "Rifiutati", "In attesa di risposta", "Ritirati"}, Nuclei: true, Quota: true}
	tempi := report.Indicatore{Codice: "invii-rete-risposta", Titolo: "Tempi di risposta della rete",
		Descrizione: "Per gli invii del periodo che hanno avuto risposta (accettati o rifiutati), per ente: quanti sono e i giorni " +
			"dall'invio alla risposta, mediana e 90° percentile. Con meno di 5 risposte i giorni non sono mostrati.",
		IntestazioneRighe: "Ente", Colonne: []string{"Risposte", "Mediana", "90° percentile"}, Nuclei: true, SenzaTotaleRiga: true,
		Misura: report.MisuraGiorni}
	var comune *int64
	if f.ComuneID != nil {
		comune = f.ComuneID
	}
	rows, err := s.pool.Query(ctx, `
		WITH i AS (
			SELECT i.ente_id, i.stato, i.motivo_rifiuto, i.risposta_il,
			       (i.risposta_il AT TIME ZONE 'Europe/Rome')::date - (i.inviato_il AT TIME ZONE 'Europe/Rome')::date AS giorni
			FROM rete_invio i
			WHERE i.ambito_id = $1 AND `+periodoInvio+`)
		SELECT e.denominazione,
		       count(*) FILTER (WHERE i.risposta_il IS NOT NULL AND i.motivo_rifiuto = ''),
		       count(*) FILTER (WHERE i.motivo_rifiuto <> ''),
		       count(*) FILTER (WHERE i.risposta_il IS NULL AND i.stato IN ('inviato', 'ricevuto')),
		       count(*) FILTER (WHERE i.risposta_il IS NULL AND i.stato = 'ritirato'),
		       count(*) FILTER (WHERE i.risposta_il IS NOT NULL),
		       COALESCE(percentile_disc(0.5) WITHIN GROUP (ORDER BY i.giorni) FILTER (WHERE i.risposta_il IS NOT NULL), 0),
		       COALESCE(percentile_disc(0.9) WITHIN GROUP (ORDER BY i.giorni) FILTER (WHERE i.risposta_il IS NOT NULL), 0)
		FROM i JOIN rete_ente e ON e.id = i.ente_id
		GROUP BY e.id, e.denominazione ORDER BY e.denominazione, e.id`, f.AmbitoID, f.Dal, f.Al, comune)
	if err != nil {
		return nil, fmt.Errorf("rete: indicatori: %w", err)
	}
	var nome string
	var acc, rif, att, rit, n, med, p90 int
	if _, err := pgx.ForEachRow(rows, []any{&nome, &acc, &rif, &att, &rit, &n, &med, &p90}, func() error {
		stato.Righe = append(stato.Righe, nome)
		stato.Valori = append(stato.Valori, []int{acc, rif, att, rit})
		if n > 0 {
			tempi.Righe = append(tempi.Righe, nome)
			tempi.Valori = append(tempi.Valori, []int{n, med, p90})
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("rete: indicatori: %w", err)
	}
	return []report.Indicatore{stato, tempi}, nil
}
