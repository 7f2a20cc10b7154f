package casi

import (
	"context"
	"fmt"
	"maps"
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
// caseload. The first four come from one pass over caso_indicatori, the
// cases' narrow copy kept by the database (migration 000030).
func (s *Service) Indicatori(ctx context.Context, f report.Filtro) ([]report.Indicatore, error) {
	a := Ambito{AmbitoID: f.AmbitoID, ComuneID: f.ComuneID}
	k, err := conteggiCasi(ctx, s.pool, a, f)
	if err != nil {
		return nil, fmt.Errorf("casi: indicatori: %w", err)
	}
	out := []report.Indicatore{indStatoMisura(k), indAndamento(k, f), indComuni(k), indMotivi(k)}
	i, err := indTrasferimenti(ctx, s.pool, a, f)
	if err != nil {
		return nil, fmt.Errorf("casi: indicatori: %w", err)
	}
	out = append(out, i)
	if i, err = s.indCarico(ctx, a, f); err != nil {
		return nil, fmt.Errorf("casi: indicatori: %w", err)
	}
	return append(out, i), nil
}

// conteggi are the counts of the scope's cases behind the first four
// indicators, each as its own query used to give it.
type conteggi struct {
	statoMisura map[[2]string]int // open in the period, by today's state and the measure
	nuovi       map[string]int    // opened in the period, by month ("2006-01")
	chiusi      map[string]int    // closed in the period, by month
	motivi      map[string]int    // closed in the period, by motivo ('' when none)
	comuni      []conteggioComune // the comuni with a case open in the period, by name
}

type conteggioComune struct {
	id                      int64
	nome                    string
	nuovi, chiusi, inCarico int
}

// conteggiCasi reads the counts in one pass over caso_indicatori: the
// scope's cases open in the period (aperto_il <= al AND (chiuso_il IS NULL
// OR chiuso_il >= dal)), opened or closed in it, counted first by the
// fields the indicators read (r: cases opened the same day in the same
// comune mostly share them), then one grouping set per indicator, each
// counting the cases its own query used to count.
func conteggiCasi(ctx context.Context, q database.Querier, a Ambito, f report.Filtro) (conteggi, error) {
	where, args := a.where(nil)
	args = append(args, f.Dal, f.Al)
	d, l := len(args)-1, len(args)
	rows, err := q.Query(ctx, fmt.Sprintf(`
		WITH r AS (
			SELECT c.stato, c.misura, c.comune_id, c.aperto_il, c.chiuso_il, c.motivo_chiusura, count(*) AS n
			FROM caso_indicatori c
			WHERE %[1]s AND (c.aperto_il <= $%[3]d AND (c.chiuso_il IS NULL OR c.chiuso_il >= $%[2]d)
			                 OR c.aperto_il BETWEEN $%[2]d AND $%[3]d OR c.chiuso_il BETWEEN $%[2]d AND $%[3]d)
			GROUP BY 1, 2, 3, 4, 5, 6),
		k AS (
			SELECT r.stato, r.misura, r.comune_id, r.n,
			       r.aperto_il <= $%[3]d AND (r.chiuso_il IS NULL OR r.chiuso_il >= $%[2]d) AS aperto,
			       r.aperto_il BETWEEN $%[2]d AND $%[3]d AS nuovo,
			       r.chiuso_il BETWEEN $%[2]d AND $%[3]d AS chiuso,
			       r.aperto_il <= $%[3]d AND (r.chiuso_il IS NULL OR r.chiuso_il > $%[3]d) AS in_carico,
			       CASE WHEN r.aperto_il BETWEEN $%[2]d AND $%[3]d THEN date_trunc('month', r.aperto_il)::date END AS mese_nuovo,
			       CASE WHEN r.chiuso_il BETWEEN $%[2]d AND $%[3]d THEN date_trunc('month', r.chiuso_il)::date END AS mese_chiuso,
			       CASE WHEN r.chiuso_il BETWEEN $%[2]d AND $%[3]d THEN COALESCE(r.motivo_chiusura, '') END AS motivo
			FROM r),
		g AS (
			SELECT CASE WHEN GROUPING(k.stato) = 0 THEN 'stato' WHEN GROUPING(k.comune_id) = 0 THEN 'comune'
			            WHEN GROUPING(k.mese_nuovo) = 0 THEN 'nuovi' WHEN GROUPING(k.mese_chiuso) = 0 THEN 'chiusi'
			            ELSE 'motivo' END AS insieme,
			       k.stato, k.misura, k.comune_id, k.mese_nuovo, k.mese_chiuso, k.motivo,
			       sum(k.n)::int AS n, COALESCE(sum(k.n) FILTER (WHERE k.aperto), 0)::int AS aperti,
			       COALESCE(sum(k.n) FILTER (WHERE k.aperto AND k.nuovo), 0)::int AS nuovi_aperti,
			       COALESCE(sum(k.n) FILTER (WHERE k.aperto AND k.chiuso), 0)::int AS chiusi_aperti,
			       COALESCE(sum(k.n) FILTER (WHERE k.in_carico), 0)::int AS in_carico
			FROM k
			GROUP BY GROUPING SETS ((k.stato, k.misura), (k.comune_id), (k.mese_nuovo), (k.mese_chiuso), (k.motivo)))
		SELECT g.insieme, COALESCE(g.stato, ''), COALESCE(g.misura, ''), COALESCE(g.comune_id, 0), COALESCE(co.denominazione, ''),
		       COALESCE(to_char(COALESCE(g.mese_nuovo, g.mese_chiuso), 'YYYY-MM'), ''), g.motivo,
		       g.n, g.aperti, g.nuovi_aperti, g.chiusi_aperti, g.in_carico
		FROM g LEFT JOIN comune co ON co.id = g.comune_id
		WHERE CASE g.insieme WHEN 'nuovi' THEN g.mese_nuovo IS NOT NULL WHEN 'chiusi' THEN g.mese_chiuso IS NOT NULL
		                     WHEN 'motivo' THEN g.motivo IS NOT NULL ELSE g.aperti > 0 END
		ORDER BY g.insieme, co.denominazione`, where, d, l), args...)
	if err != nil {
		return conteggi{}, err
	}
	k := conteggi{statoMisura: map[[2]string]int{}, nuovi: map[string]int{}, chiusi: map[string]int{}, motivi: map[string]int{}}
	var insieme, stato, misura, nome, mese string
	var motivo *string
	var comune int64
	var n, aperti, nuoviAperti, chiusiAperti, inCarico int
	_, err = pgx.ForEachRow(rows, []any{&insieme, &stato, &misura, &comune, &nome, &mese, &motivo,
		&n, &aperti, &nuoviAperti, &chiusiAperti, &inCarico}, func() error {
		switch insieme {
		case "stato":
			k.statoMisura[[2]string{stato, misura}] = aperti
		case "comune":
			k.comuni = append(k.comuni, conteggioComune{id: comune, nome: nome, nuovi: nuoviAperti, chiusi: chiusiAperti, inCarico: inCarico})
		case "nuovi":
			k.nuovi[mese] = n
		case "chiusi":
			k.chiusi[mese] = n
		case "motivo":
			k.motivi[*motivo] = n
		}
		return nil
	})
	return k, err
}

// nelPeriodo: the case was open on some day of the period.
const nelPeriodo = `c.aperto_il <= $%d AND (c.chiuso_il IS NULL OR c.chiuso_il >= $%d)`

func indStatoMisura(k conteggi) report.Indicatore {
	i := report.Indicatore{Codice: "casi-stato-misura", Titolo: "Casi per stato e misura",
		Descrizione:       "Casi aperti in almeno un giorno del periodo, per lo stato in cui sono oggi e la misura della domanda.",
		IntestazioneRighe: "Stato", Nuclei: true}
	misure := map[string]bool{}
	stati := map[string]bool{}
	for sm := range k.statoMisura {
		stati[sm[0]], misure[sm[1]] = true, true
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
			riga[c] = k.statoMisura[[2]string{string(s), string(m)}]
		}
		i.Righe = append(i.Righe, s.Label())
		i.ChiaviRighe = append(i.ChiaviRighe, string(s))
		i.Valori = append(i.Valori, riga)
	}
	return i
}

func indAndamento(k conteggi, f report.Filtro) report.Indicatore {
	i := report.Indicatore{Codice: "casi-andamento", Titolo: "Casi nuovi e chiusi per mese",
		Descrizione:       "Casi aperti e casi chiusi in ciascun mese del periodo (i mesi al bordo contano solo i giorni del periodo).",
		IntestazioneRighe: "Mese", Colonne: []string{"Nuovi", "Chiusi"}, Nuclei: true, SenzaTotaleRiga: true,
		ChiaviColonne: []string{"nuovi", "chiusi"}}
	for x := time.Date(f.Dal.Year(), f.Dal.Month(), 1, 0, 0, 0, 0, time.UTC); !x.After(f.Al); x = x.AddDate(0, 1, 0) {
		m := x.Format("2006-01")
		i.Righe = append(i.Righe, calendario.MeseEsteso(x))
		i.ChiaviRighe = append(i.ChiaviRighe, m)
		i.Valori = append(i.Valori, []int{k.nuovi[m], k.chiusi[m]})
	}
	return i
}

func indComuni(k conteggi) report.Indicatore {
	i := report.Indicatore{Codice: "casi-comune", Titolo: "Casi per comune",
		Descrizione:       "Per comune: i casi aperti nel periodo, quelli chiusi nel periodo e quelli ancora in carico l'ultimo giorno del periodo.",
		IntestazioneRighe: "Comune", Colonne: []string{"Nuovi", "Chiusi", "In carico a fine periodo"}, Nuclei: true, SenzaTotaleRiga: true,
		ChiaviColonne: []string{"nuovi", "chiusi", "in_carico"}}
	for _, c := range k.comuni {
		i.Righe = append(i.Righe, c.nome)
		i.ChiaviRighe = append(i.ChiaviRighe, strconv.FormatInt(c.id, 10))
		i.Valori = append(i.Valori, []int{c.nuovi, c.chiusi, c.inCarico})
	}
	return i
}

func indMotivi(k conteggi) report.Indicatore {
	i := report.Indicatore{Codice: "casi-chiusi-motivo", Titolo: "Casi chiusi per motivo",
		Descrizione:       "Casi chiusi nel periodo, per il motivo della chiusura.",
		IntestazioneRighe: "Motivo", Colonne: []string{"Chiusi"}, Nuclei: true, ChiaviColonne: []string{""}}
	n := maps.Clone(k.motivi)
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
	return i
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

// CoortePAD counts, per comune, the cases of f's scope whose PAD plus
// giorni days falls between dal and al, both included (the cohort of a term
// counted from the PAD: incontri's primo-incontro-120), from
// caso_indicatori. A comune without such cases is not in the map.
func (s *Service) CoortePAD(ctx context.Context, f report.Filtro, giorni int, dal, al time.Time) (map[int64]int, error) {
	where, args := Ambito{AmbitoID: f.AmbitoID, ComuneID: f.ComuneID}.where(nil)
	args = append(args, dal, al, giorni)
	rows, err := s.pool.Query(ctx, fmt.Sprintf(`
		SELECT c.comune_id, count(*) FROM caso_indicatori c
		WHERE %[1]s AND c.data_pad BETWEEN $%[2]d::date - $%[4]d::int AND $%[3]d::date - $%[4]d::int
		GROUP BY c.comune_id`, where, len(args)-2, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("casi: coorte: %w", err)
	}
	out := map[int64]int{}
	var comune int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&comune, &n}, func() error { out[comune] = n; return nil }); err != nil {
		return nil, fmt.Errorf("casi: coorte: %w", err)
	}
	return out, nil
}
