package controlli

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/report"
)

// Indicatori are the controlli anagrafici's contribution to the cruscotto
// (internal/report, docs/indicatori.md): the requests of verification INPS
// sent in the period to the comuni of the scope, per comune, by their
// answer against the 60-day term. Only the operatore ATS reads them: the
// coordinatore PaIS has no part in the controlli (docs/roles.md,
// controlli/read), so for them the provider gives nothing.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	if f.Ruolo != authz.OperatoreATS {
		return nil, nil
	}
	i := report.Indicatore{Codice: "controlli-anagrafici", Titolo: "Controlli anagrafici: risposte entro 60 giorni",
		Descrizione: "Richieste di verifica ricevute da INPS nel periodo dai comuni dell'ambito, per comune e per come stanno oggi: " +
			"con esito entro il termine di 60 giorni, con esito oltre il termine, ancora senza esito a termine scaduto, ancora senza esito nei termini. " +
			"Il totale sono le richieste ricevute; la quota è delle risposte entro il termine.",
		IntestazioneRighe: "Comune", Colonne: []string{"Risposte entro 60 giorni", "Risposte oltre il termine", "Aperte a termine scaduto", "Aperte nei termini"},
		Nuclei: true, Quota: true}
	args := []any{f.AmbitoID, f.Dal, f.Al, f.Oggi}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND r.comune_id = $5"
	}
	rows, err := s.pool.Query(ctx, `
		WITH r AS (
			SELECT r.comune_id, r.scadenza,
			       (SELECT min(e.data_esito) FROM controllo_esito e WHERE e.richiesta_id = r.id) AS esito
			FROM controllo_richiesta r
			WHERE r.ambito_id = $1`+comune+` AND r.data_richiesta BETWEEN $2::date AND $3::date)
		SELECT co.denominazione,
		       count(*) FILTER (WHERE r.esito <= r.scadenza),
		       count(*) FILTER (WHERE r.esito > r.scadenza),
		       count(*) FILTER (WHERE r.esito IS NULL AND r.scadenza < $4::date),
		       count(*) FILTER (WHERE r.esito IS NULL AND r.scadenza >= $4::date)
		FROM r JOIN comune co ON co.id = r.comune_id
		GROUP BY co.denominazione ORDER BY co.denominazione`, args...)
	if err != nil {
		return nil, fmt.Errorf("controlli: indicatori: %w", err)
	}
	var nome string
	var a, b, c, d int
	if _, err := pgx.ForEachRow(rows, []any{&nome, &a, &b, &c, &d}, func() error {
		i.Righe = append(i.Righe, nome)
		i.Valori = append(i.Valori, []int{a, b, c, d})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("controlli: indicatori: %w", err)
	}
	return []report.Indicatore{i}, nil
}
