package analisi

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/report"
)

// Indicatori are the analisi preliminare's contribution to the cruscotto
// (internal/report, docs/indicatori.md): the row of the durations from the
// first assignment to the first finalised version (report.Tempi), for the
// cases of the scope whose first finalisation (a day in Rome) falls in the
// period; one finalised before the first assignment is left out.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	args := []any{f.AmbitoID, f.Dal, f.Al, string(Tipo)}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND c.comune_id = $5"
	}
	var n int
	var med, p90 *int
	if err := s.pool.QueryRow(ctx, `
		WITH prima AS (
			SELECT s.caso_id, min((s.finalizzata_il AT TIME ZONE 'Europe/Rome')::date) AS data
			FROM caso c JOIN scheda s ON s.caso_id = c.id
			WHERE c.ambito_id = $1`+comune+` AND s.tipo = $4 AND s.stato = 'definitiva'
			  AND s.finalizzata_il < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Rome'
			GROUP BY s.caso_id
			HAVING min((s.finalizzata_il AT TIME ZONE 'Europe/Rome')::date) >= $2::date),
		giorni AS (
			SELECT p.data - min((a.dal AT TIME ZONE 'Europe/Rome')::date) AS g
			FROM prima p JOIN caso_assegnazione a ON a.caso_id = p.caso_id
			GROUP BY p.caso_id, p.data)
		SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY g), percentile_disc(0.9) WITHIN GROUP (ORDER BY g)
		FROM giorni WHERE g >= 0`, args...).Scan(&n, &med, &p90); err != nil {
		return nil, fmt.Errorf("analisi: indicatori: %w", err)
	}
	return []report.Indicatore{report.Tempi("Analisi preliminare definitiva", n, med, p90)}, nil
}

// colonneDataset are the analisi's columns of the case-level dataset
// (docs/formats/dataset.md, "Colonne dei moduli").
var colonneDataset = []string{"analisi_definitiva_il", "analisi_esito", "analisi_percorsi"}

// ColonneDataset: the day the analisi preliminare was first finalised, the
// esito of the newest finalised version, the percorsi of its members.
func (s *Service) ColonneDataset() []string { return colonneDataset }

// ValoriDataset gives, for the cases of ids in f's scope with a finalised
// analisi preliminare, the day of the first finalisation (gg/mm/aaaa, in
// Rome), the esito's code (A–D) of the newest finalised version and the
// codes of its members' percorsi, sorted and joined with "|": codes and
// dates only, no name nor free text.
func (s *Service) ValoriDataset(ctx context.Context, f report.Filtro, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, to_char(prima.data, 'DD/MM/YYYY'), ultima.esito,
		       COALESCE((SELECT array_agg(m->>'percorso') FROM jsonb_array_elements(ultima.contenuto->'componenti') m
		                 WHERE COALESCE(m->>'percorso', '') <> '' AND NOT COALESCE((m->>'uscito')::boolean, false)), '{}')
		FROM caso c
		JOIN LATERAL (SELECT min((s.finalizzata_il AT TIME ZONE 'Europe/Rome')::date) AS data FROM scheda s
		              WHERE s.caso_id = c.id AND s.tipo = $3 AND s.stato = 'definitiva') prima ON prima.data IS NOT NULL
		JOIN LATERAL (SELECT s.esito, s.contenuto FROM scheda s
		              WHERE s.caso_id = c.id AND s.tipo = $3 AND s.stato = 'definitiva'
		              ORDER BY s.versione DESC LIMIT 1) ultima ON true
		WHERE c.id IN (SELECT s.caso_id FROM scheda s WHERE s.caso_id = ANY($1::uuid[]) AND s.tipo = $3 AND s.stato = 'definitiva')
		  AND c.ambito_id = $2`, ids, f.AmbitoID, string(Tipo))
	if err != nil {
		return nil, fmt.Errorf("analisi: dataset: %w", err)
	}
	var id, data, esito string
	var percorsi []string
	if _, err := pgx.ForEachRow(rows, []any{&id, &data, &esito, &percorsi}, func() error {
		sort.Strings(percorsi)
		out[id] = []string{data, esito, strings.Join(percorsi, "|")}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("analisi: dataset: %w", err)
	}
	return out, nil
}
