package casi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/presentazioni"
	"github.com/cartella/cartella/internal/registro"
)

// casiVari loads n generated households into the demo ambito and gives
// their cases, with plain SQL (test only), the records the deadlines read,
// varied by case number: convocazioni (past and future, cancelled, not
// delivered), meetings with presences (present, absent, justified), the
// registrations of presentazioni (every place, giustificati motivi), the
// giustificati motivi, the benefit's first month and renewals, the CPI
// convocations and sendings, a finalised analisi preliminare with dated
// reasons, monitoring meetings planned, transitional domande. It returns
// the service wired with every module, as internal/app wires it, and the
// open cases.
func casiVari(t *testing.T, pool *pgxpool.Pool, n int, now time.Time) (*casi.Service, []uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, accesso.NewService(pool), nil); err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	svc := casi.NewService(pool, reg)
	svc.SetClock(func() time.Time { return now })
	is := incontri.NewService(pool, reg, svc)
	ms := monitoraggio.NewService(pool, reg, svc)
	ps := presentazioni.NewService(pool, reg, svc)
	as := analisi.NewService(pool, reg, svc)
	is.SetClock(func() time.Time { return now })
	ps.SetClock(func() time.Time { return now })
	as.SetClock(func() time.Time { return now })
	svc.ConScadenze([]casi.FonteSituazione{is, ps, as}, []casi.FonteAppuntamenti{is, ms})
	is.ConAppuntamenti(ms)
	if _, err := demo.LoadNuclei(ctx, pool, reg, n, now, nil); err != nil {
		t.Fatal(err)
	}
	oggi := casi.Oggi(now)
	for _, q := range []string{
		// PAD dates spread over the last 200 days; some transitional domande.
		`UPDATE domanda d SET data_pad = $1::date - (c.numero * 7 % 200)::int,
			data_domanda = CASE WHEN c.numero % 9 = 0 THEN date '2024-02-01' ELSE d.data_domanda END,
			data_trasmissione = CASE WHEN c.numero % 9 = 0 AND c.numero % 2 = 0 THEN $1::date - (c.numero % 150)::int END
			FROM caso c WHERE c.domanda_id = d.id AND c.numero % 11 <> 0`,
		`INSERT INTO convocazione (caso_id, inizio, luogo, canale, inviata_il, annullata, esito_consegna)
			SELECT id, $2::timestamptz + make_interval(days => (numero % 50)::int - 25, hours => (numero % 5)::int), 'Ufficio', 'sms',
			       $1::date - 30 - (numero % 20)::int, numero % 13 = 0,
			       CASE WHEN numero % 7 = 0 THEN 'non_consegnata' WHEN numero % 3 = 0 THEN 'consegnata' ELSE 'inviata' END
			FROM caso WHERE numero % 2 = 0`,
		`INSERT INTO convocazione (caso_id, inizio, luogo, canale, inviata_il)
			SELECT id, $2::timestamptz + make_interval(days => (numero % 30)::int + 1), 'Ufficio', 'lettera', $1::date - 5
			FROM caso WHERE numero % 6 = 0`,
		`INSERT INTO incontro (caso_id, tipo, data)
			SELECT id, CASE WHEN numero % 4 = 0 THEN 'aggiornamento_90' WHEN numero % 5 = 0 THEN 'presentazione' ELSE 'primo_incontro' END,
			       $1::date - (numero * 3 % 160)::int
			FROM caso WHERE numero % 3 <> 1`,
		`INSERT INTO incontro (caso_id, tipo, data)
			SELECT id, 'aggiornamento_90', $1::date - (numero % 40)::int FROM caso WHERE numero % 8 = 0`,
		`INSERT INTO incontro_presenza (incontro_id, persona_id, presente, giustificato)
			SELECT i.id, nc.persona_id, c.numero % 4 <> 1, c.numero % 4 = 1 AND c.numero % 8 = 1
			FROM incontro i JOIN caso c ON c.id = i.caso_id
			JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.al IS NULL`,
		`INSERT INTO presentazione (caso_id, evento, luogo, data, al, motivo, registrato_da, ruolo, registrato_il)
			SELECT c.id, (ARRAY['avvenuto_incontro', 'presentazione_spontanea', 'giustificato_motivo'])[1 + c.numero % 3],
			       (ARRAY['servizi_sociali', 'patronato', 'cpi', 'domicilio'])[1 + c.numero % 4],
			       $1::date - (c.numero % 120)::int,
			       CASE WHEN c.numero % 3 = 2 AND c.numero % 2 = 0 THEN $1::date + (c.numero % 10)::int END,
			       CASE WHEN c.numero % 3 = 2 THEN 'Ricovero' ELSE '' END,
			       c.case_manager_id, 'case_manager', $2::timestamptz - make_interval(days => (c.numero % 120)::int)
			FROM caso c WHERE c.numero % 5 IN (1, 2) AND c.case_manager_id IS NOT NULL`,
		`INSERT INTO giustificato_motivo (caso_id, persona_id, motivo, dal, al)
			SELECT c.id, nc.persona_id, 'Malattia', $1::date - (c.numero % 30)::int,
			       CASE WHEN c.numero % 2 = 0 THEN $1::date - (c.numero % 30)::int + (c.numero % 25)::int END
			FROM caso c JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			WHERE c.numero % 7 = 3`,
		`INSERT INTO beneficio (caso_id, primo_mese) SELECT id, date_trunc('month', $1::date - (numero * 31 % 700)::int)::date
			FROM caso WHERE numero % 4 = 3`,
		`INSERT INTO beneficio_rinnovo (caso_id, data_pad, primo_mese)
			SELECT id, $1::date - (numero % 60)::int, date_trunc('month', $1::date - (numero % 60)::int)::date
			FROM caso WHERE numero % 8 = 7`,
		`UPDATE nucleo_componente nc SET inviato_cpi_il = $1::date - (c.numero % 50)::int
			FROM caso c WHERE c.nucleo_id = nc.nucleo_id AND nc.al IS NULL AND c.numero % 5 = 4`,
		`INSERT INTO convocazione_cpi (caso_id, persona_id, convocato_il, esito)
			SELECT c.id, nc.persona_id, $1::date - (c.numero % 40)::int,
			       (ARRAY['presente', 'assente_giustificato', 'assente'])[1 + c.numero % 3]
			FROM caso c JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			WHERE c.numero % 10 = 4`,
		// A finalised analisi (and for some a newer draft, which does not
		// count) with the percorso and dated reasons of every member.
		`INSERT INTO scheda (caso_id, tipo, versione, stato, contenuto, finalizzata_il)
			SELECT c.id, 'analisi_preliminare', 1, 'definitiva', jsonb_build_object('componenti', (
				SELECT jsonb_agg(jsonb_build_object('persona_id', nc.persona_id,
					'percorso', (ARRAY['1', '2', '3', '4', ''])[1 + (c.numero + k) % 5],
					'motivi', CASE WHEN (c.numero + k) % 3 = 0 THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
						'codice', (ARRAY['violenza', 'disabilita', 'occupato', 'cura_minore_3'])[1 + (c.numero + k) % 4],
						'dal', to_char($1::date - (c.numero % 90)::int, 'YYYY-MM-DD'),
						'al', CASE WHEN c.numero % 2 = 0 THEN to_char($1::date + (c.numero % 60)::int - 20, 'YYYY-MM-DD') ELSE '' END)) END))
				FROM (SELECT nc.*, row_number() OVER (ORDER BY nc.id) AS k FROM nucleo_componente nc
				      WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL) nc)), $2::timestamptz
			FROM caso c WHERE c.numero % 3 = 0`,
		`INSERT INTO scheda (caso_id, tipo, versione, stato, contenuto)
			SELECT caso_id, tipo, 2, 'bozza', '{"componenti": []}' FROM scheda WHERE tipo = 'analisi_preliminare' AND caso_id IN (
				SELECT id FROM caso WHERE numero % 4 = 0)`,
		`INSERT INTO monitoraggio_incontro (caso_id, patto_id, patto_versione, data, ora, durata_minuti, stato, motivo_annullamento,
				created_by, updated_by)
			SELECT c.id, s.id, 1, $1::date + (c.numero % 40)::int - 10, time '10:30', 60,
			       CASE WHEN c.numero % 9 = 0 THEN 'annullato' ELSE 'pianificato' END,
			       CASE WHEN c.numero % 9 = 0 THEN 'Rinviato' ELSE '' END, o.id, o.id
			FROM caso c JOIN scheda s ON s.caso_id = c.id AND s.versione = 1, LATERAL (SELECT id FROM operatore ORDER BY id LIMIT 1) o
			WHERE c.numero % 2 = 1`,
		`UPDATE caso SET stato = 'chiuso', chiuso_il = $1::date, motivo_chiusura = 'Rinuncia' WHERE numero % 17 = 0`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, oggi)
		}
		if strings.Contains(q, "$2") {
			args = append(args, now)
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	rows, err := pool.Query(ctx, `SELECT id FROM caso WHERE stato <> 'chiuso' ORDER BY numero`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		t.Fatal(err)
	}
	return svc, ids
}

// colonne reads the derived deadline columns of every case, as text.
func colonne(t *testing.T, pool *pgxpool.Pool) map[uuid.UUID]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT id, concat_ws('|', t120_scadenza, t120_stato, t90_scadenza, t90_stato,
		urgenza, prossimo_appuntamento, ricalcola_il) FROM caso`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]string{}
	for rows.Next() {
		var id uuid.UUID
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			t.Fatal(err)
		}
		out[id] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The daily refresh computes the cases in batches (AggiornaLotto: one query
// per source and one UPDATE per batch); what it writes is what AggiornaAl,
// the path of every write, gives case by case, over cases in every state,
// and whatever the size of the batches. A second pass writes nothing.
func TestAggiornaLottoComeAggiorna(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 15, 0, 0, time.UTC)
	svc, ids := casiVari(t, pool, 400, now)
	if len(ids) < 300 {
		t.Fatalf("only %d open cases", len(ids))
	}
	for _, id := range ids {
		if err := svc.AggiornaAl(ctx, pool, id, now); err != nil {
			t.Fatal(err)
		}
	}
	uno := colonne(t, pool)
	// The cases are varied: several states of each timer.
	stati := map[string]bool{}
	rows, err := pool.Query(ctx, `SELECT DISTINCT 't120:' || t120_stato FROM caso UNION SELECT DISTINCT 't90:' || t90_stato FROM caso
		UNION SELECT 'prossimo' FROM caso WHERE prossimo_appuntamento IS NOT NULL
		UNION SELECT 'ricalcola' FROM caso WHERE ricalcola_il IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		stati[s] = true
	}
	rows.Close()
	for _, s := range []string{"t120:in_corso", "t120:rispettato", "t120:scaduto", "t90:in_corso", "t90:esente",
		"t90:non_applicabile", "prossimo", "ricalcola"} {
		if !stati[s] {
			t.Errorf("no case with %s among %v", s, stati)
		}
	}

	for _, lotto := range []int{len(ids), 37, 1} {
		t.Run(fmt.Sprintf("lotti di %d", lotto), func(t *testing.T) {
			// Wrong values in every case, so that the batch must write them all.
			if _, err := pool.Exec(ctx, `UPDATE caso SET t120_scadenza = NULL, t120_stato = 'x', t90_scadenza = date '2000-01-01',
				t90_stato = '', urgenza = NULL, prossimo_appuntamento = now(), ricalcola_il = NULL WHERE stato <> 'chiuso'`); err != nil {
				t.Fatal(err)
			}
			scritti := 0
			for i := 0; i < len(ids); i += lotto {
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					n, err := svc.AggiornaLotto(ctx, tx, ids[i:min(i+lotto, len(ids))], now)
					scritti += n
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if scritti != len(ids) {
				t.Errorf("%d cases written, want %d", scritti, len(ids))
			}
			due := colonne(t, pool)
			diversi := 0
			for id, v := range uno {
				if due[id] != v {
					if diversi++; diversi <= 5 {
						t.Errorf("case %s: batch %q, case by case %q", id, due[id], v)
					}
				}
			}
			if diversi > 0 {
				t.Errorf("%d of %d cases differ", diversi, len(uno))
			}
			// Nothing changed: nothing written.
			err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				n, err := svc.AggiornaLotto(ctx, tx, ids, now)
				if err == nil && n != 0 {
					t.Errorf("second pass wrote %d cases", n)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Two instances never run the daily refresh at once: while one holds its
// advisory lock, the other's call returns ErrScadenzeInCorso without
// touching a case; once released, it runs (issue 19, point 5).
func TestAggiornaScadenzeUnaIstanzaAllaVolta(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 3, 9, 15, 0, 0, time.UTC)
	svc, ids := casiVari(t, pool, 30, now)
	if _, err := pool.Exec(ctx, `UPDATE caso SET t120_stato = 'x', ricalcola_il = $1 WHERE stato <> 'chiuso'`, casi.Oggi(now)); err != nil {
		t.Fatal(err)
	}
	altra, err := pool.Acquire(ctx) // the other instance, in the middle of its refresh
	if err != nil {
		t.Fatal(err)
	}
	defer altra.Release()
	if _, err := altra.Exec(ctx, `SELECT pg_advisory_lock(7417019)`); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.AggiornaScadenze(ctx); !errors.Is(err, casi.ErrScadenzeInCorso) || n != 0 {
		t.Fatalf("refresh while another runs it: %d, %v", n, err)
	}
	var intatti int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM caso WHERE t120_stato = 'x'`).Scan(&intatti); err != nil || intatti != len(ids) {
		t.Fatalf("cases touched while another instance refreshes: %d of %d left, %v", intatti, len(ids), err)
	}
	if _, err := altra.Exec(ctx, `SELECT pg_advisory_unlock(7417019)`); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.AggiornaScadenze(ctx); err != nil || n != len(ids) {
		t.Fatalf("refresh: %d of %d, %v", n, len(ids), err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM caso WHERE t120_stato = 'x'`).Scan(&intatti); err != nil || intatti != 0 {
		t.Fatalf("%d cases left unrefreshed, %v", intatti, err)
	}
	// The lock went back with the connection: a concurrent pair of calls
	// runs once and refuses once, or runs twice one after the other.
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := svc.AggiornaScadenze(ctx); errs <- err }()
	}
	for range 2 {
		if err := <-errs; err != nil && !errors.Is(err, casi.ErrScadenzeInCorso) {
			t.Fatal(err)
		}
	}
}
