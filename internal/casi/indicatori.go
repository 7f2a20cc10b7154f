package casi

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/report"
)

// Indicatori are the cases' contribution to the cruscotto (internal/report,
// docs/indicatori.md): cases by state and measure, new and closed per
// month and per comune, closed by motivo, transferred, the case managers'
// caseload.
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	a := Ambito{AmbitoID: f.AmbitoID, ComuneID: f.ComuneID}
	var out []report.Indicatore
	for _, fn := range []func(context.Context, database.Querier, Ambito, report.Filtro) (report.Indicatore, error){
		indStatoMisura, indAndamento, indComuni, indMotivi, indTrasferimenti,
	} {
		i, err := fn(ctx, s.pool, a, f)
		if err != nil {
			return nil, fmt.Errorf("casi: indicatori: %w", err)
		}
		out = append(out, i)
	}
	i, err := s.indCarico(ctx, a, f)
	if err != nil {
		return nil, fmt.Errorf("casi: indicatori: %w", err)
	}
	return append(out, i), nil
}

// nelPeriodo: the case was open on some day of the period.
const nelPeriodo = `c.aperto_il <= $%d AND (c.chiuso_il IS NULL OR c.chiuso_il >= $%d)`

func indStatoMisura(ctx context.Context, q database.Querier, a Ambito, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "casi-stato-misura", Titolo: "Casi per stato e misura",
		Descrizione:       "Casi aperti in almeno un giorno del periodo, per lo stato in cui sono oggi e la misura della domanda.",
		IntestazioneRighe: "Stato", Nuclei: true}
	where, args := a.where(nil)
	args = append(args, f.Al, f.Dal)
	rows, err := q.Query(ctx, `SELECT c.stato, d.misura, count(*) FROM caso c JOIN domanda d ON d.id = c.domanda_id
		WHERE `+where+` AND `+fmt.Sprintf(nelPeriodo, len(args)-1, len(args))+` GROUP BY 1, 2`, args...)
	if err != nil {
		return i, err
	}
	n := map[[2]string]int{}
	misure := map[string]bool{}
	stati := map[string]bool{}
	var st, mi string
	var k int
	if _, err := pgx.ForEachRow(rows, []any{&st, &mi, &k}, func() error {
		n[[2]string{st, mi}] = k
		misure[mi], stati[st] = true, true
		return nil
	}); err != nil {
		return i, err
	}
	var cols []Misura
	for _, m := range Misure {
		if misure[string(m)] {
			cols = append(cols, m)
			i.Colonne = append(i.Colonne, m.Label())
			i.ChiaviColonne = append(i.ChiaviColonne, string(m))
		}
	}
	for _, s := range Stati {
		if !stati[string(s)] {
			continue
		}
		riga := make([]int, len(cols))
		for c, m := range cols {
			riga[c] = n[[2]string{string(s), string(m)}]
		}
		i.Righe = append(i.Righe, s.Label())
		i.ChiaviRighe = append(i.ChiaviRighe, string(s))
		i.Valori = append(i.Valori, riga)
	}
	return i, nil
}

func indAndamento(ctx context.Context, q database.Querier, a Ambito, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "casi-andamento", Titolo: "Casi nuovi e chiusi per mese",
		Descrizione:       "Casi aperti e casi chiusi in ciascun mese del periodo (i mesi al bordo contano solo i giorni del periodo).",
		IntestazioneRighe: "Mese", Colonne: []string{"Nuovi", "Chiusi"}, Nuclei: true, SenzaTotaleRiga: true,
		ChiaviColonne: []string{"nuovi", "chiusi"}}
	where, args := a.where(nil)
	args = append(args, f.Dal, f.Al)
	d, l := len(args)-1, len(args)
	rows, err := q.Query(ctx, fmt.Sprintf(`
		SELECT date_trunc('month', x.giorno)::date, count(*) FILTER (WHERE x.nuovo), count(*) FILTER (WHERE NOT x.nuovo)
		FROM (SELECT c.aperto_il AS giorno, true AS nuovo FROM caso c WHERE %[1]s AND c.aperto_il BETWEEN $%[2]d AND $%[3]d
		      UNION ALL
		      SELECT c.chiuso_il, false FROM caso c WHERE %[1]s AND c.chiuso_il BETWEEN $%[2]d AND $%[3]d) x
		GROUP BY 1`, where, d, l), args...)
	if err != nil {
		return i, err
	}
	per := map[string][2]int{}
	var m time.Time
	var nu, ch int
	if _, err := pgx.ForEachRow(rows, []any{&m, &nu, &ch}, func() error {
		per[m.Format("2006-01")] = [2]int{nu, ch}
		return nil
	}); err != nil {
		return i, err
	}
	for x := time.Date(f.Dal.Year(), f.Dal.Month(), 1, 0, 0, 0, 0, time.UTC); !x.After(f.Al); x = x.AddDate(0, 1, 0) {
		v := per[x.Format("2006-01")]
		i.Righe = append(i.Righe, calendario.MeseEsteso(x))
		i.ChiaviRighe = append(i.ChiaviRighe, x.Format("2006-01"))
		i.Valori = append(i.Valori, []int{v[0], v[1]})
	}
	return i, nil
}

func indComuni(ctx context.Context, q database.Querier, a Ambito, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "casi-comune", Titolo: "Casi per comune",
		Descrizione:       "Per comune: i casi aperti nel periodo, quelli chiusi nel periodo e quelli ancora in carico l'ultimo giorno del periodo.",
		IntestazioneRighe: "Comune", Colonne: []string{"Nuovi", "Chiusi", "In carico a fine periodo"}, Nuclei: true, SenzaTotaleRiga: true,
		ChiaviColonne: []string{"nuovi", "chiusi", "in_carico"}}
	where, args := a.where(nil)
	args = append(args, f.Dal, f.Al)
	d, l := len(args)-1, len(args)
	rows, err := q.Query(ctx, fmt.Sprintf(`
		SELECT co.id, co.denominazione,
		       count(*) FILTER (WHERE c.aperto_il BETWEEN $%[2]d AND $%[3]d),
		       count(*) FILTER (WHERE c.chiuso_il BETWEEN $%[2]d AND $%[3]d),
		       count(*) FILTER (WHERE c.aperto_il <= $%[3]d AND (c.chiuso_il IS NULL OR c.chiuso_il > $%[3]d))
		FROM caso c JOIN comune co ON co.id = c.comune_id
		WHERE %[1]s AND c.aperto_il <= $%[3]d AND (c.chiuso_il IS NULL OR c.chiuso_il >= $%[2]d)
		GROUP BY co.id, co.denominazione ORDER BY co.denominazione`, where, d, l), args...)
	if err != nil {
		return i, err
	}
	var nome string
	var id int64
	var nu, ch, ic int
	_, err = pgx.ForEachRow(rows, []any{&id, &nome, &nu, &ch, &ic}, func() error {
		i.Righe = append(i.Righe, nome)
		i.ChiaviRighe = append(i.ChiaviRighe, strconv.FormatInt(id, 10))
		i.Valori = append(i.Valori, []int{nu, ch, ic})
		return nil
	})
	return i, err
}

func indMotivi(ctx context.Context, q database.Querier, a Ambito, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "casi-chiusi-motivo", Titolo: "Casi chiusi per motivo",
		Descrizione:       "Casi chiusi nel periodo, per il motivo della chiusura.",
		IntestazioneRighe: "Motivo", Colonne: []string{"Chiusi"}, Nuclei: true, ChiaviColonne: []string{""}}
	where, args := a.where(nil)
	args = append(args, f.Dal, f.Al)
	rows, err := q.Query(ctx, fmt.Sprintf(`SELECT COALESCE(c.motivo_chiusura, ''), count(*) FROM caso c
		WHERE %s AND c.chiuso_il BETWEEN $%d AND $%d GROUP BY 1`, where, len(args)-1, len(args)), args...)
	if err != nil {
		return i, err
	}
	n := map[string]int{}
	var mo string
	var k int
	if _, err := pgx.ForEachRow(rows, []any{&mo, &k}, func() error { n[mo] += k; return nil }); err != nil {
		return i, err
	}
	for _, m := range MotiviChiusura {
		if n[m] > 0 {
			i.Righe = append(i.Righe, m)
			i.ChiaviRighe = append(i.ChiaviRighe, m)
			i.Valori = append(i.Valori, []int{n[m]})
			delete(n, m)
		}
	}
	altri := 0
	for _, k := range n {
		altri += k
	}
	if altri > 0 {
		i.Righe = append(i.Righe, "Altro motivo")
		i.ChiaviRighe = append(i.ChiaviRighe, altroMotivo)
		i.Valori = append(i.Valori, []int{altri})
	}
	return i, nil
}

// EtichettaTrasferimento is how a transfer's history names its two ends,
// "Comune (Ambito)": the event 'trasferito' keeps them as text (da, a),
// and indTrasferimenti recognises the comuni of a scope by it.
func EtichettaTrasferimento(comune, ambito string) string { return comune + " (" + ambito + ")" }

// indTrasferimenti: per comune of the scope, the cases transferred in the
// period (the event 'trasferito' of the history, a day in Rome) from or to
// another ambito, and from or to another comune of the same ambito. The
// history keeps the two ends as EtichettaTrasferimento, so the comuni are
// recognised by their and their ambito's names as they are now (a comune
// or ambito renamed since is not).
func indTrasferimenti(ctx context.Context, q database.Querier, _ Ambito, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "casi-trasferiti", Titolo: "Casi trasferiti",
		Descrizione: "Casi trasferiti nel periodo, per comune: ricevuti da un altro ambito, trasferiti a un altro ambito, " +
			"ricevuti da un altro comune dell'ambito, trasferiti a un altro comune dell'ambito.",
		IntestazioneRighe: "Comune", Colonne: []string{"Ricevuti da altri ambiti", "Trasferiti ad altri ambiti",
			"Ricevuti da altri comuni dell'ambito", "Trasferiti ad altri comuni dell'ambito"},
		Nuclei: true, SenzaTotaleRiga: true}
	args := []any{f.AmbitoID, f.Dal, f.Al}
	comune := ""
	if f.ComuneID != nil {
		args = append(args, *f.ComuneID)
		comune = " AND co.id = $4"
	}
	rows, err := q.Query(ctx, `
		WITH mie AS (
			SELECT co.denominazione, co.denominazione || ' (' || am.denominazione || ')' AS etichetta,
			       ' (' || am.denominazione || ')' AS ambito
			FROM comune co JOIN ambito am ON am.id = co.ambito_id
			WHERE co.ambito_id = $1`+comune+`),
		t AS (
			SELECT s.da, s.a FROM caso_storico s
			WHERE s.evento = 'trasferito'
			  AND s.quando >= ($2::date)::timestamp AT TIME ZONE 'Europe/Rome'
			  AND s.quando < ($3::date + 1)::timestamp AT TIME ZONE 'Europe/Rome')
		SELECT m.denominazione,
		       count(*) FILTER (WHERE t.a = m.etichetta AND right(t.da, length(m.ambito)) <> m.ambito),
		       count(*) FILTER (WHERE t.da = m.etichetta AND right(t.a, length(m.ambito)) <> m.ambito),
		       count(*) FILTER (WHERE t.a = m.etichetta AND right(t.da, length(m.ambito)) = m.ambito),
		       count(*) FILTER (WHERE t.da = m.etichetta AND right(t.a, length(m.ambito)) = m.ambito)
		FROM t JOIN mie m ON t.a = m.etichetta OR t.da = m.etichetta
		GROUP BY m.denominazione ORDER BY m.denominazione`, args...)
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

// indCarico is today's caseload: the open cases of each case manager of
// the scope, against the cap. The operatore ATS sees the case managers
// numbered, not named, and their counts suppressed like any other (a case
// manager of one comune would otherwise give away a small comune's count).
func (s *Service) indCarico(ctx context.Context, a Ambito, f report.Filtro) (report.Indicatore, error) {
	i := report.Indicatore{Codice: "carico-case-manager", Titolo: "Carico dei case manager",
		Descrizione:       "Casi aperti oggi per ciascun case manager in servizio o con casi ancora assegnati, rispetto al tetto di " + strconv.Itoa(f.Tetto) + " casi; il periodo non cambia questo indicatore.",
		IntestazioneRighe: "Case manager", Colonne: []string{"Casi aperti"}, Tetto: f.Tetto, Nuclei: !f.Nominativi}
	if f.Nominativi {
		i.ChiaviColonne = []string{""}
	}
	cc, err := carichi(ctx, s.pool, a, s.Oggi())
	if err != nil {
		return i, err
	}
	sort.SliceStable(cc, func(x, y int) bool { return cc[x].Aperti > cc[y].Aperti })
	for k, c := range cc {
		nome := c.Nome
		if !f.Nominativi {
			nome = "Case manager " + strconv.Itoa(k+1)
		} else {
			i.ChiaviRighe = append(i.ChiaviRighe, c.ID.String())
		}
		i.Righe = append(i.Righe, nome)
		i.Valori = append(i.Valori, []int{c.Aperti})
	}
	return i, nil
}
