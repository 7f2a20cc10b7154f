package assegnazioni_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/registro"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type elencoFixture struct {
	pool   *pgxpool.Pool
	svc    *assegnazioni.Service
	casi   *casi.Service
	people map[string]authz.Principal
	now    time.Time
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
	reg := registro.NewService(pool)
	cs := casi.NewService(pool, reg)
	f := &elencoFixture{pool: pool, svc: assegnazioni.NewService(pool, reg, cs), casi: cs, people: people,
		now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	cs.SetClock(func() time.Time { return f.now })
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
	if err := f.casi.AggiornaAl(ctx, f.pool, id, f.now); err != nil {
		t.Fatal(err)
	}
	return id
}

const casalecchio, zola = "037011", "037062"
