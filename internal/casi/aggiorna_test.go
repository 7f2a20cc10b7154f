package casi_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// aggiornaCaso creates, with plain SQL on casi's own tables, an ADI case of
// Casalecchio di Reno with PAD pad and two members (a woman of 40 and her
// son of 10), assigned to the demo case manager cm.
func aggiornaCaso(t *testing.T, pool *pgxpool.Pool, pad time.Time) (caso, madre, figlio uuid.UUID, cm authz.Principal) {
	t.Helper()
	ctx := context.Background()
	acc := accesso.NewService(pool)
	if err := demo.Load(ctx, acc, nil); err != nil {
		t.Fatal(err)
	}
	people, err := demo.Principals(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	cm = people["casemanager"]
	err = pool.QueryRow(ctx, `
		WITH n AS (INSERT INTO nucleo DEFAULT VALUES RETURNING id),
		     p1 AS (INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita)
		            VALUES ('BNCLRA86A41A944X', 'Bianchi', 'Laura', 'F', '1986-01-01') RETURNING id),
		     p2 AS (INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita)
		            VALUES ('BNCMRC16A01A944X', 'Bianchi', 'Marco', 'M', '2016-01-01') RETURNING id),
		     c1 AS (INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione) SELECT n.id, p1.id, 'richiedente' FROM n, p1),
		     c2 AS (INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione) SELECT n.id, p2.id, 'figlio' FROM n, p2),
		     d AS (INSERT INTO domanda (misura, id_domanda, nucleo_id, data_domanda, data_pad)
		           SELECT 'ADI', 'INPS-TEST-1', n.id, $1::date - 10, $1::date FROM n RETURNING id, nucleo_id),
		     c AS (INSERT INTO caso (domanda_id, nucleo_id, ambito_id, comune_id, case_manager_id, assegnato_il, stato)
		           SELECT d.id, d.nucleo_id, $2, $3, $4, $1::date, 'assegnato' FROM d RETURNING id)
		SELECT c.id, p1.id, p2.id FROM c, p1, p2`, pad, *cm.AmbitoID, *cm.ComuneID, cm.OperatoreID).Scan(&caso, &madre, &figlio)
	if err != nil {
		t.Fatal(err)
	}
	return caso, madre, figlio, cm
}

type derivate struct {
	t120, t90         *time.Time
	t120Stato, t90Sta string
	urgenza           *time.Time
	prossimo          *time.Time
}

func leggi(t *testing.T, pool *pgxpool.Pool, id uuid.UUID) derivate {
	t.Helper()
	var d derivate
	err := pool.QueryRow(context.Background(), `SELECT t120_scadenza, t120_stato, t90_scadenza, t90_stato, urgenza, prossimo_appuntamento
		FROM caso WHERE id = $1`, id).Scan(&d.t120, &d.t120Stato, &d.t90, &d.t90Sta, &d.urgenza, &d.prossimo)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func same(a *time.Time, b time.Time) bool { return a != nil && a.Equal(b) }

// The derived columns follow what is recorded: a new case counts the 120
// days from the PAD; a convocation sets the next appointment; the first
// meeting with a member present meets the T120 and starts the T90; the
// daily refresh turns a running timer into "in scadenza" as days pass.
func TestAggiornaFollowsTheRecord(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	svc := casi.NewService(pool, reg)
	caso, madre, figlio, cm := aggiornaCaso(t, pool, day(2026, 9, 1))
	// The meetings are recorded through incontri, the module that keeps
	// them, by the case manager the case is assigned to.
	is := incontri.NewService(pool, reg, svc)
	svc.ConScadenze([]casi.FonteSituazione{is}, []casi.FonteAppuntamenti{is})
	now := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)

	if err := svc.AggiornaAl(ctx, pool, caso, now); err != nil {
		t.Fatal(err)
	}
	d := leggi(t, pool, caso)
	if !same(d.t120, day(2026, 12, 30)) || d.t120Stato != "in_corso" || !same(d.urgenza, day(2026, 12, 30)) || d.t90 != nil || d.t90Sta != "non_applicabile" {
		t.Fatalf("new case: %+v", d)
	}

	is.SetClock(func() time.Time { return now })
	inizio := time.Date(2026, 10, 12, 9, 30, 0, 0, calendario.Roma)
	if _, err := is.Convoca(ctx, cm, caso, incontri.NuovaConvocazione{Tipo: "primo_incontro", Data: "12/10/2026", Ora: "09:30",
		Durata: "60", Luogo: "Sportello sociale", Canale: "lettera", InviataIl: "01/10/2026"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AggiornaAl(ctx, pool, caso, now); err != nil {
		t.Fatal(err)
	}
	if d := leggi(t, pool, caso); d.prossimo == nil || !d.prossimo.Equal(inizio) {
		t.Errorf("next appointment after a convocation: %v", d.prossimo)
	}

	after := time.Date(2026, 10, 13, 10, 0, 0, 0, time.UTC)
	is.SetClock(func() time.Time { return after })
	if _, err := is.RegistraIncontro(ctx, cm, caso, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: "12/10/2026", Luogo: "Sportello sociale",
		Presenze: map[uuid.UUID]incontri.PresenzaInput{madre: {Stato: "presente"}, figlio: {Stato: "assente"}}}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.AggiornaAl(ctx, pool, caso, after); err != nil {
		t.Fatal(err)
	}
	d = leggi(t, pool, caso)
	if d.t120Stato != "rispettato" || !same(d.t90, day(2027, 1, 10)) || d.t90Sta != "in_corso" || !same(d.urgenza, day(2027, 1, 10)) || d.prossimo != nil {
		t.Fatalf("after the first meeting: %+v", d)
	}

	// 1 January 2027: ten days left; the daily refresh marks it.
	svc.SetClock(func() time.Time { return time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC) })
	n, err := svc.AggiornaScadenze(ctx)
	if err != nil || n != 1 {
		t.Fatalf("daily refresh: %d cases, %v", n, err)
	}
	if d := leggi(t, pool, caso); d.t90Sta != "in_scadenza" {
		t.Errorf("ten days before the T90: %q", d.t90Sta)
	}
}

// motiviFissi is a FonteSituazione giving the mother a dated exemption from
// the T90 until 30 November and her son an open-ended one (as a finalised
// analisi preliminare would).
type motiviFissi struct{ madre uuid.UUID }

func (f motiviFissi) AccodaSituazione(_ *pgx.Batch, _ uuid.UUID, sit *scadenze.Situazione) func() error {
	return func() error { f.aggiungi(sit); return nil }
}

func (f motiviFissi) aggiungi(sit *scadenze.Situazione) {
	for i := range sit.Membri {
		if sit.Membri[i].PersonaID == f.madre.String() {
			al := day(2026, 11, 30)
			sit.Membri[i].Motivi = []scadenze.MotivoObbligo{{Codice: "violenza", EsoneroT90: true, Dal: day(2026, 9, 1), Al: &al}}
		} else {
			sit.Membri[i].Motivi = []scadenze.MotivoObbligo{{Codice: "disabilita", EsoneroT90: true, Dal: day(2026, 9, 1)}}
		}
	}
}

func (f motiviFissi) SituazioniCasi(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error {
	for _, id := range ids {
		f.aggiungi(sit[id])
	}
	return nil
}

// A dated exemption ending: the case records the day its deadlines may
// change (ricalcola_il) and the daily refresh picks it up on that day, when
// the exempt T90 becomes a running one again (issue 16).
func TestAggiornaEsenzioneDatata(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	svc := casi.NewService(pool, reg)
	caso, madre, figlio, cm := aggiornaCaso(t, pool, day(2026, 9, 1))
	is := incontri.NewService(pool, reg, svc)
	svc.ConScadenze([]casi.FonteSituazione{is, motiviFissi{madre}}, []casi.FonteAppuntamenti{is})
	now := time.Date(2026, 10, 13, 10, 0, 0, 0, time.UTC)
	is.SetClock(func() time.Time { return now })
	svc.SetClock(func() time.Time { return now })
	if _, err := is.RegistraIncontro(ctx, cm, caso, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: "12/10/2026", Luogo: "Sportello sociale",
		Presenze: map[uuid.UUID]incontri.PresenzaInput{madre: {Stato: "presente"}, figlio: {Stato: "presente"}}}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	var ricalcola *time.Time
	if err := pool.QueryRow(ctx, `SELECT ricalcola_il FROM caso WHERE id = $1`, caso).Scan(&ricalcola); err != nil {
		t.Fatal(err)
	}
	if d := leggi(t, pool, caso); d.t90Sta != "esente" || !same(ricalcola, day(2026, 12, 1)) {
		t.Fatalf("exempt until 30/11: t90 %q, ricalcola_il %v", d.t90Sta, ricalcola)
	}
	// 30 November: nothing to refresh; 1 December: the exemption is over.
	svc.SetClock(func() time.Time { return time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC) })
	if n, err := svc.AggiornaScadenze(ctx); err != nil || n != 0 {
		t.Fatalf("daily refresh on 30/11: %d, %v", n, err)
	}
	svc.SetClock(func() time.Time { return time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC) })
	if n, err := svc.AggiornaScadenze(ctx); err != nil || n != 1 {
		t.Fatalf("daily refresh on 1/12: %d, %v", n, err)
	}
	if d := leggi(t, pool, caso); d.t90Sta != "in_corso" || !same(d.t90, day(2027, 1, 10)) {
		t.Errorf("after the exemption: %+v", d)
	}
}
