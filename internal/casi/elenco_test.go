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
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
)

type elencoFixture struct {
	pool   *pgxpool.Pool
	svc    *casi.Service
	people map[string]authz.Principal
	now    time.Time
	inc    *incontri.Service // the meetings, as internal/app wires them
}

func elencoSetup(t *testing.T) *elencoFixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	acc := accesso.NewService(pool)
	people, err := demo.Principals(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	f := &elencoFixture{pool: pool, svc: casi.NewService(pool, reg), people: people,
		now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	f.inc = conIncontri(f.svc, pool, reg)
	f.inc.SetClock(func() time.Time { return f.now })
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// caso creates an ADI case in comune istat for the case manager of username
// (none when ""), with PAD pad; its derived deadlines are computed.
func (f *elencoFixture) caso(t *testing.T, n int, cognome, nome, istat, username string, pad time.Time) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	var cm *uuid.UUID
	if username != "" {
		id := f.people[username].OperatoreID
		cm = &id
	}
	cf := fmt.Sprintf("TSTCAS%02dA01A%03dZ", n%100, n%1000)
	var id uuid.UUID
	err := f.pool.QueryRow(ctx, `
		WITH n AS (INSERT INTO nucleo DEFAULT VALUES RETURNING id),
		     p AS (INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita)
		           VALUES ($1, $2, $3, 'F', '1980-01-01') RETURNING id),
		     c1 AS (INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione) SELECT n.id, p.id, 'richiedente' FROM n, p),
		     d AS (INSERT INTO domanda (misura, id_domanda, nucleo_id, data_domanda, data_pad)
		           SELECT 'ADI', 'INPS-T-' || $1, n.id, $4::date - 10, $4::date FROM n RETURNING id, nucleo_id)
		INSERT INTO caso (domanda_id, nucleo_id, ambito_id, comune_id, case_manager_id, stato)
		SELECT d.id, d.nucleo_id, co.ambito_id, co.id, $5, CASE WHEN $5::uuid IS NULL THEN 'ricevuto' ELSE 'assegnato' END
		FROM d, comune co WHERE co.codice_istat = $6 RETURNING id`,
		cf, cognome, nome, pad, cm, istat).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AggiornaAl(ctx, f.pool, id, f.now); err != nil {
		t.Fatal(err)
	}
	return id
}

// conIncontri computes cs's deadlines from the meetings, as the server
// does (internal/app).
func conIncontri(cs *casi.Service, pool *pgxpool.Pool, reg *registro.Service) *incontri.Service {
	is := incontri.NewService(pool, reg, cs)
	cs.ConScadenze([]casi.FonteSituazione{is}, []casi.FonteAppuntamenti{is})
	return is
}

const casalecchio, zola = "037011", "037060"

// The case manager's list holds only their own cases, overdue first; it
// pages by keyset and searches by name or codice fiscale among them.
func TestElencoCaseManager(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	ok := registro.Voce{}
	// 60 cases with PADs spread over 120 days: the oldest PADs are overdue.
	for i := 0; i < 60; i++ {
		f.caso(t, i, fmt.Sprintf("Cognome%02d", i), "Anna", casalecchio, "casemanager", f.now.AddDate(0, 0, -150+2*i))
	}
	f.caso(t, 70, "Altrui", "Bruno", casalecchio, "", f.now.AddDate(0, 0, -200))
	f.caso(t, 71, "Zolese", "Carla", zola, "casemanager2", f.now.AddDate(0, 0, -200))

	cm := f.people["casemanager"]
	e, err := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{}, ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Casi) != casi.DimensionePagina || e.Prossima == "" {
		t.Fatalf("first page: %d cases, next %q", len(e.Casi), e.Prossima)
	}
	if e.Casi[0].Richiedente != "Cognome00 Anna" || e.Casi[0].T120Stato != "scaduto" {
		t.Errorf("first case: %s %s, want the most overdue", e.Casi[0].Richiedente, e.Casi[0].T120Stato)
	}
	for i := 1; i < len(e.Casi); i++ {
		if e.Casi[i].Urgenza.Before(*e.Casi[i-1].Urgenza) {
			t.Fatalf("not ordered by deadline at %d", i)
		}
	}
	e2, err := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Dopo: e.Prossima}, ok)
	if err != nil || len(e2.Casi) != 10 || e2.Prossima != "" || e2.Casi[9].Richiedente != "Cognome59 Anna" {
		t.Fatalf("second page: %d cases, next %q, %v", len(e2.Casi), e2.Prossima, err)
	}
	for _, c := range append(e.Casi, e2.Casi...) {
		if c.Richiedente == "Altrui Bruno" || c.Richiedente == "Zolese Carla" {
			t.Errorf("%s is not casemanager's case", c.Richiedente)
		}
	}
	if r, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: "cognome07"}, ok); len(r.Casi) != 1 || r.Casi[0].Richiedente != "Cognome07 Anna" {
		t.Errorf("search by name: %+v", r.Casi)
	}
	if r, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: "tstcas07a01a007z"}, ok); len(r.Casi) != 1 {
		t.Errorf("search by codice fiscale: %d", len(r.Casi))
	}
	if r, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: "Zolese"}, ok); len(r.Casi) != 0 {
		t.Errorf("search found another case manager's case")
	}
	// By case number, as printed or as typed (issue 21, point 4); another
	// case manager's number finds nothing.
	c07, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: "cognome07"}, ok)
	numero := c07.Casi[0].Codice()
	for _, q := range []string{numero, strings.ToLower(numero), strings.TrimLeft(strings.TrimPrefix(numero, "C-"), "0"), "C " + strings.TrimLeft(numero[2:], "0")} {
		if r, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: q}, ok); len(r.Casi) != 1 || r.Casi[0].Codice() != numero {
			t.Errorf("search by case number %q: %+v", q, r.Casi)
		}
	}
	// The coordinatore's board finds it by number too.
	board, _, err := f.svc.ElencoAmbito(ctx, casi.Ambito{AmbitoID: *f.people["coordinatore"].AmbitoID}, casi.FiltroAmbito{Q: numero})
	if err != nil || len(board) != 1 || board[0].Codice() != numero {
		t.Errorf("board search by case number %q: %+v %v", numero, board, err)
	}
	zolese, _ := f.svc.ElencoCaseManager(ctx, f.people["casemanager2"], casi.FiltroElenco{Q: "Zolese"}, ok)
	if r, _ := f.svc.ElencoCaseManager(ctx, cm, casi.FiltroElenco{Q: zolese.Casi[0].Codice()}, ok); len(r.Casi) != 0 {
		t.Errorf("another case manager's case number found: %+v", r.Casi)
	}
	if r, _ := f.svc.ElencoCaseManager(ctx, f.people["casemanager2"], casi.FiltroElenco{}, ok); len(r.Casi) != 1 || r.Casi[0].Richiedente != "Zolese Carla" {
		t.Errorf("casemanager2's list: %+v", r.Casi)
	}
	if _, err := f.svc.ElencoCaseManager(ctx, f.people["coordinatore"], casi.FiltroElenco{}, ok); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("coordinatore's list of case content: %v", err)
	}
}

// The case page is for the assigned case manager only: another case
// manager gets "not found", and the refusal is in the registro.
func TestSchedaOnlyForItsCaseManager(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	id := f.caso(t, 1, "Bianchi", "Laura", casalecchio, "casemanager", f.now.AddDate(0, 0, -30))
	sc, err := f.svc.Scheda(ctx, f.people["casemanager"], id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Membri) != 1 || sc.Membri[0].Eta(sc.Oggi) != 46 || sc.Scadenze.T120.Stato != "in_corso" ||
		sc.Scadenze.T120.Scadenza.Format("2006-01-02") != "2027-02-18" {
		t.Errorf("scheda: %+v %+v", sc.Membri, sc.Scadenze.T120)
	}
	if _, err := f.svc.Scheda(ctx, f.people["casemanager2"], id, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 on casemanager's case: %v", err)
	}
	var letture, negati int
	err = f.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE azione = 'lettura'), count(*) FILTER (WHERE azione = 'accesso_negato')
		FROM registro_accessi WHERE caso_id = $1`, id.String()).Scan(&letture, &negati)
	if err != nil || letture != 1 || negati != 1 {
		t.Errorf("registro: %d reads, %d refusals, %v", letture, negati, err)
	}
}

// sezioneFissa is a section source of the tests.
type sezioneFissa casi.Sezione

func (s sezioneFissa) AccodaSezione(_ *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	return func() (casi.Sezione, error) {
		x := casi.Sezione(s)
		x.Href = "/casi/" + c.ID.String() + x.Href
		return x, nil
	}
}

// The case page holds the sections its sources give, in their order: the
// diario's own and those of the modules the composition root lists.
func TestSchedaSezioni(t *testing.T) {
	f := elencoSetup(t)
	ctx := context.Background()
	id := f.caso(t, 1, "Bianchi", "Laura", casalecchio, "casemanager", f.now.AddDate(0, 0, -30))
	f.svc.ConSezioni(sezioneFissa{Titolo: "Prima", Testo: "1 cosa", Href: "/prima"}, f.svc.SezioneDiario(),
		sezioneFissa{Titolo: "Ultima", Testo: "Nessuna"})
	sc, err := f.svc.Scheda(ctx, f.people["casemanager"], id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	want := []casi.Sezione{
		{Titolo: "Prima", Testo: "1 cosa", Href: "/casi/" + id.String() + "/prima"},
		{Titolo: "Diario sociale", Testo: "0 note", Href: "/casi/" + id.String() + "/diario"},
		{Titolo: "Ultima", Testo: "Nessuna", Href: "/casi/" + id.String()},
	}
	if fmt.Sprint(sc.Sezioni) != fmt.Sprint(want) {
		t.Errorf("sections:\n%+v\nwant\n%+v", sc.Sezioni, want)
	}
}
