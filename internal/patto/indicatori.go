package patto

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/report"
)

// Indicatori are the patto's contribution to the cruscotto (internal/report,
// docs/indicatori.md): the row of the durations from the first assignment
// to the first signature (report.Tempi); the patti signed, in force and
// expiring per comune; the sostegni activated per code of the catalogue.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	var out []report.Indicatore
	for _, fn := range []func(context.Context, report.Filtro) (report.Indicatore, error){s.indTempo, s.indPatti, s.indSostegni} {
		i, err := fn(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("patto: indicatori: %w", err)
		}
		out = append(out, i)
	}
	return out, nil
}

// GiorniScadenzaReport: a patto in force at the end of the period is
// "in scadenza" in the cruscotto when it ends within these days of it
// (the case manager is told PreavvisoScadenza days before).
const GiorniScadenzaReport = 60

// SQL of a signed version s: the day of its signature (the sottoscrizione
// of its content; the day it was finalised, in Rome, should that be
// unreadable) and its duration.
const (
	dataISO   = `'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`
	firmato   = `COALESCE(CASE WHEN s.contenuto->'sottoscrizione'->>'data' ~ ` + dataISO + ` THEN (s.contenuto->'sottoscrizione'->>'data')::date END, (s.finalizzata_il AT TIME ZONE 'Europe/Rome')::date)`
	durataDal = `CASE WHEN s.contenuto->>'dal' ~ ` + dataISO + ` THEN (s.contenuto->>'dal')::date END`
	durataAl  = `CASE WHEN s.contenuto->>'al' ~ ` + dataISO + ` THEN (s.contenuto->>'al')::date END`
)

// scopeReport returns the arguments ambito, dal, al and the condition on the
// comune (c is the case).
func scopeReport(f report.Filtro) ([]any, string) {
	args := []any{f.AmbitoID, f.Dal, f.Al}
	if f.ComuneID == nil {
		return args, ""
	}
	return append(args, *f.ComuneID), " AND c.comune_id = $4"
}

// indTempo: days from the case's first assignment to its first signed
// patto, for the cases of the scope whose first signature falls in the
// period; one signed before the first assignment is left out.
func (s *Service) indTempo(ctx context.Context, f report.Filtro) (report.Indicatore, error) {
	args, comune := scopeReport(f)
	var n int
	var med, p90 *int
	err := s.pool.QueryRow(ctx, `
		WITH primo AS (
			SELECT s.caso_id, min(`+firmato+`) AS data
			FROM caso c JOIN scheda s ON s.caso_id = c.id
			WHERE c.ambito_id = $1`+comune+` AND s.tipo = 'patto' AND s.stato = 'definitiva'
			GROUP BY s.caso_id
			HAVING min(`+firmato+`) BETWEEN $2::date AND $3::date),
		giorni AS (
			SELECT p.data - min((a.dal AT TIME ZONE 'Europe/Rome')::date) AS g
			FROM primo p JOIN caso_assegnazione a ON a.caso_id = p.caso_id
			GROUP BY p.caso_id, p.data)
		SELECT count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY g), percentile_disc(0.9) WITHIN GROUP (ORDER BY g)
		FROM giorni WHERE g >= 0`, args...).Scan(&n, &med, &p90)
	return report.Tempi("Patto sottoscritto", n, med, p90), err
}

// indPatti: per comune, the signed versions whose signature falls in the
// period (a case's first, or a revision), and on the last day of the
// period the patti in force (of the cases still open then, the newest
// version signed by that day, its duration covering it) and of those the
// ones ending within GiorniScadenzaReport days.
func (s *Service) indPatti(ctx context.Context, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "patti", Titolo: "Patti sottoscritti, in vigore e in scadenza",
		Descrizione: "Per comune: i patti sottoscritti nel periodo (la prima sottoscrizione del caso, o una revisione), " +
			"i patti in vigore l'ultimo giorno del periodo (l'ultima versione firmata entro quel giorno, la cui durata lo comprende, di un caso non chiuso) " +
			"e, di questi, quelli che finiscono entro 60 giorni.",
		IntestazioneRighe: "Comune", Colonne: []string{"Primi patti sottoscritti", "Revisioni sottoscritte", "In vigore a fine periodo", "In scadenza entro 60 giorni"},
		Nuclei: true, SenzaTotaleRiga: true}
	args, comune := scopeReport(f)
	args = append(args, GiorniScadenzaReport)
	g := len(args)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`
		WITH v AS (
			SELECT s.caso_id, c.comune_id, c.chiuso_il, s.versione,
			       row_number() OVER (PARTITION BY s.caso_id ORDER BY s.versione) = 1 AS primo,
			       %[1]s AS firmato, %[2]s AS dal, %[3]s AS al
			FROM caso c JOIN scheda s ON s.caso_id = c.id
			WHERE c.ambito_id = $1%[4]s AND s.tipo = 'patto' AND s.stato = 'definitiva'),
		vigente AS (
			SELECT DISTINCT ON (caso_id) * FROM v WHERE firmato <= $3::date ORDER BY caso_id, versione DESC),
		x AS (
			SELECT comune_id, count(*) FILTER (WHERE primo) AS primi, count(*) FILTER (WHERE NOT primo) AS revisioni, 0 AS vigenti, 0 AS scadenza
			FROM v WHERE firmato BETWEEN $2::date AND $3::date GROUP BY comune_id
			UNION ALL
			SELECT comune_id, 0, 0, count(*), count(*) FILTER (WHERE al <= $3::date + $%[5]d::int)
			FROM vigente
			WHERE (chiuso_il IS NULL OR chiuso_il > $3::date) AND COALESCE(dal, firmato) <= $3::date AND (al IS NULL OR al >= $3::date)
			GROUP BY comune_id)
		SELECT co.denominazione, sum(x.primi)::int, sum(x.revisioni)::int, sum(x.vigenti)::int, sum(x.scadenza)::int
		FROM x JOIN comune co ON co.id = x.comune_id
		GROUP BY co.denominazione ORDER BY co.denominazione`, firmato, durataDal, durataAl, comune, g), args...)
	if err != nil {
		return i, err
	}
	var nome string
	var a, b, c, d int
	_, err = pgx.ForEachRow(rows, []any{&nome, &a, &b, &c, &d}, func() error {
		i.Righe = append(i.Righe, nome)
		i.Valori = append(i.Valori, []int{a, b, c, d})
		return nil
	})
	return i, err
}

// indSostegni: the sostegni whose effective start falls in the period
// (attivato, in corso or concluso), per code of the catalogue: the code is
// the sostegno's tipo in the newest signed version that has it, the label
// the catalogue's newest.
func (s *Service) indSostegni(ctx context.Context, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "sostegni-attivati", Titolo: "Sostegni attivati per tipo",
		Descrizione:       "Sostegni dei patti avviati nel periodo (data di avvio effettivo), oggi attivati, in corso o conclusi, per voce del catalogo dei sostegni.",
		IntestazioneRighe: "Sostegno (codice)", Colonne: []string{"Attivati"}, Nuclei: true}
	args, comune := scopeReport(f)
	rows, err := s.pool.Query(ctx, `
		WITH n AS (
			SELECT x.tipo, count(*) AS n
			FROM caso c JOIN patto_sostegno_attuazione a ON a.caso_id = c.id
			CROSS JOIN LATERAL (
				SELECT e->>'tipo' AS tipo
				FROM scheda s CROSS JOIN LATERAL jsonb_array_elements(s.contenuto->'sostegni') e
				WHERE s.caso_id = a.caso_id AND s.tipo = 'patto' AND s.stato = 'definitiva'
				  AND jsonb_typeof(s.contenuto->'sostegni') = 'array' AND e->>'id' = a.sostegno_id
				ORDER BY s.versione DESC LIMIT 1) x
			WHERE c.ambito_id = $1`+comune+` AND a.stato IN ('attivato', 'in_corso', 'concluso')
			  AND a.avvio_effettivo BETWEEN $2::date AND $3::date
			GROUP BY x.tipo),
		catalogo AS (
			SELECT DISTINCT ON (codice) codice, etichetta, ordine FROM patto_sostegno_tipo ORDER BY codice, valido_dal DESC)
		SELECT COALESCE(k.etichetta, 'Voce non in catalogo') || ' (' || n.tipo || ')', n.n::int
		FROM n LEFT JOIN catalogo k ON k.codice = n.tipo
		ORDER BY k.ordine NULLS LAST, n.tipo`, args...)
	if err != nil {
		return i, err
	}
	var nome string
	var k int
	_, err = pgx.ForEachRow(rows, []any{&nome, &k}, func() error {
		i.Righe = append(i.Righe, nome)
		i.Valori = append(i.Valori, []int{k})
		return nil
	})
	return i, err
}

// colonneDataset are the patto's columns of the case-level dataset
// (docs/formats/dataset.md, "Colonne dei moduli").
var colonneDataset = []string{"patto_sottoscritto_il", "patto_fine", "patto_sostegni"}

// ColonneDataset: the day of the first signature, the end of the newest
// signed version, the codes of its sostegni.
func (s *Service) ColonneDataset() []string { return colonneDataset }

// ValoriDataset gives, for the cases of ids in f's scope with a signed
// patto, the day of its first signature and the last day of the newest
// signed version (gg/mm/aaaa), and the catalogue codes of that version's
// sostegni, each once, sorted and joined with "|": no name nor free text.
func (s *Service) ValoriDataset(ctx context.Context, f report.Filtro, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, to_char(prima.data, 'DD/MM/YYYY'), COALESCE(to_char(ultima.al, 'DD/MM/YYYY'), ''),
		       COALESCE((SELECT string_agg(DISTINCT e->>'tipo', '|' ORDER BY e->>'tipo')
		                 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(ultima.contenuto->'sostegni') = 'array' THEN ultima.contenuto->'sostegni' END) e
		                 WHERE COALESCE(e->>'tipo', '') <> ''), '')
		FROM caso c
		JOIN LATERAL (SELECT min(`+firmato+`) AS data FROM scheda s
		              WHERE s.caso_id = c.id AND s.tipo = 'patto' AND s.stato = 'definitiva') prima ON prima.data IS NOT NULL
		JOIN LATERAL (SELECT s.contenuto, `+durataAl+` AS al FROM scheda s
		              WHERE s.caso_id = c.id AND s.tipo = 'patto' AND s.stato = 'definitiva'
		              ORDER BY s.versione DESC LIMIT 1) ultima ON true
		WHERE c.id IN (SELECT s.caso_id FROM scheda s WHERE s.caso_id = ANY($1::uuid[]) AND s.tipo = 'patto' AND s.stato = 'definitiva')
		  AND c.ambito_id = $2`, ids, f.AmbitoID)
	if err != nil {
		return nil, fmt.Errorf("patto: dataset: %w", err)
	}
	var id, data, fine, sostegni string
	if _, err := pgx.ForEachRow(rows, []any{&id, &data, &fine, &sostegni}, func() error {
		out[id] = []string{data, fine, sostegni}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("patto: dataset: %w", err)
	}
	return out, nil
}
