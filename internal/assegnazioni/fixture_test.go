package assegnazioni_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/assegnazioni"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type elencoFixture struct {
	fx     *fixtures.F
	pool   *pgxpool.Pool
	svc    *assegnazioni.Service
	casi   *casi.Service
	people map[string]authz.Principal
	now    time.Time
}

func elencoSetup(t *testing.T) *elencoFixture {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	reg := fx.Registro
	cs := casi.NewService(pool, reg)
	fx.Casi = cs
	f := &elencoFixture{fx: fx, pool: pool, svc: assegnazioni.NewService(pool, reg, cs), casi: cs, people: people,
		now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	cs.SetClock(func() time.Time { return f.now })
	return f
}

// caso creates an ADI case in comune istat for the case manager of username
// (none when ""), with PAD pad; its derived deadlines are computed.
func (f *elencoFixture) caso(t *testing.T, n int, cognome, nome, istat, username string, pad time.Time) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	cf := fmt.Sprintf("TSTCAS%02dA01A%03dZ", n%100, n%1000)
	var cmp authz.Principal
	if username != "" {
		cmp = f.people[username]
	}
	ambito, comune := f.comune(t, istat)
	id := f.fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-T-" + cf, DataDomanda: pad.AddDate(0, 0, -10), DataPAD: pad,
		CaseManager: cmp, AmbitoID: ambito, ComuneID: comune,
		Membri: []fixtures.Membro{{CodiceFiscale: cf, Cognome: cognome, Nome: nome, Sesso: "F", DataNascita: fixtures.Data("1980-01-01"), Relazione: "richiedente"}}}).ID
	if err := f.casi.AggiornaAl(ctx, f.pool, id, f.now); err != nil {
		t.Fatal(err)
	}
	return id
}

const casalecchio, zola = "037011", "037060"

// comune is the ambito and id of the demo comune with ISTAT code istat.
func (f *elencoFixture) comune(t *testing.T, istat string) (int64, int64) {
	t.Helper()
	a, err := f.fx.Accesso.AmbitoByCodice(context.Background(), demo.AmbitoCodice)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.fx.Accesso.Comuni(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.CodiceISTAT == istat {
			return a.ID, c.ID
		}
	}
	t.Fatalf("no demo comune %s", istat)
	return 0, 0
}
