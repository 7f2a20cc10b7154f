package monitoraggio

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/report"
)

// Indicatori are the monitoring's contribution to the cruscotto
// (internal/report, docs/indicatori.md): the monitoring meetings planned
// for a day of the period, per comune, by where they stand today: held,
// not recorded although their day has passed, cancelled, still to come.
// The share is of the held ones over all planned.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	i := report.Indicatore{Codice: "monitoraggio-incontri", Titolo: "Incontri di monitoraggio svolti e pianificati",
		Descrizione: "Incontri di monitoraggio del patto fissati in un giorno del periodo, per comune e per come stanno oggi: " +
			"svolti, non registrati benché il giorno sia passato, annullati, ancora da svolgere. Il totale sono gli incontri pianificati; " +
			"la quota è degli incontri svolti.",
		IntestazioneRighe: "Comune", Colonne: []string{"Svolti", "Non registrati", "Annullati", "Da svolgere"}, Nuclei: true, Quota: true}
	args := []any{f.AmbitoID, f.Dal, f.Al, f.Oggi}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND c.comune_id = $5"
	}
	rows, err := s.pool.Query(ctx, `
		SELECT co.denominazione,
		       count(*) FILTER (WHERE m.stato = 'svolto'),
		       count(*) FILTER (WHERE m.stato = 'pianificato' AND m.data < $4::date),
		       count(*) FILTER (WHERE m.stato = 'annullato'),
		       count(*) FILTER (WHERE m.stato = 'pianificato' AND m.data >= $4::date)
		FROM caso c JOIN monitoraggio_incontro m ON m.caso_id = c.id JOIN comune co ON co.id = c.comune_id
		WHERE c.ambito_id = $1`+comune+` AND m.data BETWEEN $2::date AND $3::date
		GROUP BY co.denominazione ORDER BY co.denominazione`, args...)
	if err != nil {
		return nil, fmt.Errorf("monitoraggio: indicatori: %w", err)
	}
	var nome string
	var a, b, c, d int
	if _, err := pgx.ForEachRow(rows, []any{&nome, &a, &b, &c, &d}, func() error {
		i.Righe = append(i.Righe, nome)
		i.Valori = append(i.Valori, []int{a, b, c, d})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("monitoraggio: indicatori: %w", err)
	}
	return []report.Indicatore{i}, nil
}
