package segnalazioni

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/report"
)

// esitiReport are the columns of the indicator: where a segnalazione sent
// to approval stands today (domain.md §8.3).
var esitiReport = []string{"In approvazione", "Respinte", "Approvate, da inviare", "Inviate, esito atteso", "Acquisite da INPS", "Scartate da INPS"}

// Indicatori are the segnalazioni's contribution to the cruscotto
// (internal/report, docs/indicatori.md): by tipo and outcome.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	i := report.Indicatore{Codice: "segnalazioni-esito", Titolo: "Segnalazioni per tipo ed esito",
		Descrizione: "Segnalazioni inviate in approvazione nel periodo (l'ultimo invio), per tipo e per dove sono oggi: " +
			"decisione del coordinatore, invio a INPS, esito comunicato da INPS. Le bozze e le annullate non sono contate.",
		IntestazioneRighe: "Tipo", Colonne: esitiReport, Nuclei: true}
	args := []any{f.AmbitoID, f.Dal, f.Al}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND s.comune_id = $4"
	}
	rows, err := s.pool.Query(ctx, `
		SELECT t.etichetta,
		       count(*) FILTER (WHERE s.stato = 'in_approvazione'),
		       count(*) FILTER (WHERE s.stato = 'respinta'),
		       count(*) FILTER (WHERE s.stato = 'approvata'),
		       count(*) FILTER (WHERE s.stato IN ('inviata', 'rettificata') AND s.esito_inps = ''),
		       count(*) FILTER (WHERE s.stato IN ('inviata', 'rettificata') AND s.esito_inps = 'acquisita'),
		       count(*) FILTER (WHERE s.stato IN ('inviata', 'rettificata') AND s.esito_inps = 'scartata')
		FROM segnalazione s JOIN segnalazione_tipo t ON t.id = s.tipo_id
		WHERE s.ambito_id = $1`+comune+` AND s.stato NOT IN ('bozza', 'annullata')
		  AND (s.in_approvazione_dal AT TIME ZONE 'Europe/Rome')::date BETWEEN $2::date AND $3::date
		GROUP BY t.etichetta, t.ordine ORDER BY t.ordine, t.etichetta`, args...)
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: indicatori: %w", err)
	}
	var tipo string
	v := make([]int, len(esitiReport))
	dest := []any{&tipo}
	for k := range v {
		dest = append(dest, &v[k])
	}
	if _, err := pgx.ForEachRow(rows, dest, func() error {
		i.Righe = append(i.Righe, tipo)
		i.Valori = append(i.Valori, append([]int(nil), v...))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("segnalazioni: indicatori: %w", err)
	}
	return []report.Indicatore{i}, nil
}
