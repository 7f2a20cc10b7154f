package incontri

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/report"
)

// giorniPrimoIncontro is the term of the first meeting from the PAD
// (domain.md §2.2 T120).
const giorniPrimoIncontro = 120

// Indicatori are the meetings' contribution to the cruscotto
// (internal/report, docs/indicatori.md): the nuclei met within 120 days of
// the PAD (domain.md §2.1 point 6, §2.2 T120), per comune. The cohort's
// size comes from casi (casi.Service.CoortePAD), the first meetings from
// incontro.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	i := report.Indicatore{Codice: "primo-incontro-120", Titolo: "Nuclei incontrati entro 120 giorni dal PAD",
		Descrizione: "Nuclei la cui scadenza dei 120 giorni dalla firma del PAD cade nel periodo (fino a oggi), per comune: " +
			"incontrati entro il termine, dopo il termine, o non ancora incontrati. La quota è dei nuclei incontrati entro il termine.",
		IntestazioneRighe: "Comune", Colonne: []string{"Entro 120 giorni", "Oltre 120 giorni", "Non ancora incontrati"},
		Nuclei: true, Quota: true}
	al := f.Al
	if f.Oggi.Before(al) {
		al = f.Oggi
	}
	coorte, err := s.casi.CoortePAD(ctx, f, giorniPrimoIncontro, f.Dal, al)
	if err != nil {
		return nil, fmt.Errorf("incontri: indicatori: %w", err)
	}
	comuni, n := make([]int64, 0, len(coorte)), make([]int, 0, len(coorte))
	for c, k := range coorte {
		comuni, n = append(comuni, c), append(n, k)
	}
	args := []any{f.AmbitoID, f.Dal, al, giorniPrimoIncontro, comuni, n}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND c.comune_id = $7"
	}
	// Only the cases of the cohort met at least once are read here; the
	// others are the cohort's count less them. The count and the meetings
	// are read one after the other: a case transferred in between could
	// make the difference negative, so it stops at zero.
	rows, err := s.pool.Query(ctx, `
		WITH primo AS (
			SELECT c.id, c.comune_id, d.data_pad + $4::int AS termine, min(i.data) AS data
			FROM incontro i JOIN caso c ON c.id = i.caso_id JOIN domanda d ON d.id = c.domanda_id
			WHERE c.ambito_id = $1`+comune+` AND d.data_pad IS NOT NULL
			  AND d.data_pad + $4::int BETWEEN $2::date AND $3::date AND i.data >= d.data_pad
			  AND EXISTS (SELECT 1 FROM incontro_presenza ip WHERE ip.incontro_id = i.id AND ip.presente)
			GROUP BY c.id, c.comune_id, d.data_pad),
		incontrati AS (
			SELECT p.comune_id, count(*) FILTER (WHERE p.data <= p.termine) AS entro, count(*) FILTER (WHERE p.data > p.termine) AS oltre
			FROM primo p GROUP BY p.comune_id),
		coorte AS (SELECT * FROM unnest($5::bigint[], $6::int[]) AS k (comune_id, n))
		SELECT co.denominazione, sum(COALESCE(m.entro, 0))::int, sum(COALESCE(m.oltre, 0))::int,
		       sum(GREATEST(k.n - COALESCE(m.entro, 0) - COALESCE(m.oltre, 0), 0))::int
		FROM coorte k JOIN comune co ON co.id = k.comune_id LEFT JOIN incontrati m ON m.comune_id = k.comune_id
		GROUP BY co.denominazione ORDER BY co.denominazione`, args...)
	if err != nil {
		return nil, fmt.Errorf("incontri: indicatori: %w", err)
	}
	var nome string
	var a, b, c int
	if _, err := pgx.ForEachRow(rows, []any{&nome, &a, &b, &c}, func() error {
		i.Righe = append(i.Righe, nome)
		i.Valori = append(i.Valori, []int{a, b, c})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("incontri: indicatori: %w", err)
	}
	t, err := s.tempoPrimoIncontro(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("incontri: indicatori: %w", err)
	}
	return []report.Indicatore{i, t}, nil
}

// tempoPrimoIncontro is the row of the durations (report.Tempi): days from
// the case's first assignment to its first meeting held (the earliest
// incontro with a member present), for the cases of the scope whose first
// meeting falls in the period; a first meeting before the first
// assignment is left out. Only the meetings up to the period's end are
// read: the first of them is the case's first if it is in the period.
func (s *Service) tempoPrimoIncontro(ctx context.Context, f report.Filtro) (report.Indicatore, error) {
	args := []any{f.AmbitoID, f.Dal, f.Al}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND c.comune_id = $4"
	}
	var n int
	var med, p90 *int
	err := s.pool.QueryRow(ctx, `
		WITH primo AS (
			SELECT i.caso_id, min(i.data) AS data
			FROM caso c JOIN incontro i ON i.caso_id = c.id
			WHERE c.ambito_id = $1`+comune+` AND i.data <= $3::date
			  AND EXISTS (SELECT 1 FROM incontro_presenza ip WHERE ip.incontro_id = i.id AND ip.presente)
			GROUP BY i.caso_id
			HAVING min(i.data) >= $2::date),
		giorni AS (
			SELECT p.data - min((a.dal AT TIME ZONE 'Europe/Rome')::date) AS g
			FROM primo p JOIN caso_assegnazione a ON a.caso_id = p.caso_id
			GROUP BY p.caso_id, p.data)
		SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY g), percentile_disc(0.9) WITHIN GROUP (ORDER BY g)
		FROM giorni WHERE g >= 0`, args...).Scan(&n, &med, &p90)
	return report.Tempi("Primo incontro svolto", n, med, p90), err
}

// colonneDataset are the meetings' columns of the case-level dataset
// (docs/formats/dataset.md, "Colonne dei moduli").
var colonneDataset = []string{"primo_incontro_il"}

// ColonneDataset: the day of the first meeting held.
func (s *Service) ColonneDataset() []string { return colonneDataset }

// ValoriDataset gives, for the cases of ids in f's scope met at least
// once, the day (gg/mm/aaaa) of the earliest meeting with a member
// present, as the durations count it.
func (s *Service) ValoriDataset(ctx context.Context, f report.Filtro, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, to_char(p.data, 'DD/MM/YYYY')
		FROM caso c CROSS JOIN LATERAL (
			SELECT min(i.data) AS data FROM incontro i
			WHERE i.caso_id = c.id AND EXISTS (SELECT 1 FROM incontro_presenza ip WHERE ip.incontro_id = i.id AND ip.presente)) p
		WHERE c.id IN (SELECT i.caso_id FROM incontro i WHERE i.caso_id = ANY($1::uuid[])) AND c.ambito_id = $2 AND p.data IS NOT NULL`, ids, f.AmbitoID)
	if err != nil {
		return nil, fmt.Errorf("incontri: dataset: %w", err)
	}
	var id, data string
	if _, err := pgx.ForEachRow(rows, []any{&id, &data}, func() error {
		out[id] = []string{data}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("incontri: dataset: %w", err)
	}
	return out, nil
}
