package controlli

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// listaFixture: the demo ambito with its accounts (coordcontrolli and
// respcontrolli of Casalecchio di Reno), a second responsabile of
// Casalecchio, a coordinatore and a responsabile of Zola Predosa, and the
// requests a test inserts (plain INSERTs: the import is another file's).
type listaFixture struct {
	pool   *pgxpool.Pool
	svc    *Service
	fx     *fixtures.F
	now    time.Time
	oggi   time.Time
	ambito int64
	casa   int64 // Casalecchio di Reno
	zola   int64 // Zola Predosa
	people map[string]authz.Principal
	n      int
}

func listaSetup(t *testing.T) *listaFixture {
	t.Helper()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	f := &listaFixture{pool: pool, fx: fx, people: fx.Demo(), now: time.Date(2026, 11, 20, 10, 0, 0, 0, calendario.Roma)}
	f.oggi = calendario.Giorno(f.now)
	clock := func() time.Time { return f.now }
	fx.Casi.SetClock(clock)
	f.svc = NewService(pool, fx.Registro, fx.Casi, segnalazioni.NewService(pool, fx.Registro, fx.Casi))
	f.svc.SetClock(clock)
	a, err := fx.Accesso.AmbitoByCodice(context.Background(), demo.AmbitoCodice)
	if err != nil {
		t.Fatal(err)
	}
	f.ambito = a.ID
	cs, err := fx.Accesso.Comuni(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		switch c.CodiceISTAT {
		case "037011":
			f.casa = c.ID
		case "037060":
			f.zola = c.ID
		}
	}
	ruolo := func(r authz.Ruolo, comune int64) accesso.Assegnazione {
		amb, com := f.ambito, comune
		return accesso.Assegnazione{Ruolo: r, AmbitoID: &amb, ComuneID: &com}
	}
	f.people["resp2casa"] = fx.Operatore("Luca", "Gialli", ruolo(authz.ResponsabileControlli, f.casa))
	f.people["coordzola"] = fx.Operatore("Anna", "Blu", ruolo(authz.CoordinatoreControlli, f.zola))
	f.people["respzola"] = fx.Operatore("Ugo", "Viola", ruolo(authz.ResponsabileControlli, f.zola))
	return f
}

// nuova describes a request to insert.
type nuova struct {
	comune       int64
	tipo         Tipo   // Residenza
	cognome      string // "Rossi"
	scadenza     int    // days from today (data_richiesta = scadenza - 60)
	assegnatario string // username, "" nobody
	stato        Stato  // Aperta
}

// richiesta inserts a request as the import would and returns its id.
func (f *listaFixture) richiesta(t *testing.T, n nuova) uuid.UUID {
	t.Helper()
	f.n++
	if n.tipo == "" {
		n.tipo = Residenza
	}
	if n.cognome == "" {
		n.cognome = "Rossi"
	}
	if n.stato == "" {
		n.stato = Aperta
	}
	var ass *uuid.UUID
	var il *time.Time
	if n.assegnatario != "" {
		id := f.people[n.assegnatario].OperatoreID
		ass, il = &id, &f.now
	}
	scad := f.oggi.AddDate(0, 0, n.scadenza)
	var id uuid.UUID
	err := f.pool.QueryRow(context.Background(), `
		INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id, codice_fiscale, cognome, nome, data_nascita,
		    data_richiesta, data_riferimento, scadenza, stato, assegnatario, assegnata_il, origine)
		VALUES ($1, $2, $3, $4, $5, $6, 'Maria', '1980-01-01', $7, $7, $8, $9, $10, $11, 'importazione') RETURNING id`,
		fmt.Sprintf("INPS-CTL-%04d", f.n), string(n.tipo), f.ambito, n.comune, fmt.Sprintf("RSSMRA80A41A%03dX", f.n),
		n.cognome, scad.AddDate(0, 0, -Termine), scad, string(n.stato), ass, il).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// inoltra forwards request id from comune da to comune a (an open step).
func (f *listaFixture) inoltra(t *testing.T, id uuid.UUID, da, a int64, chi string) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO controllo_tappa (richiesta_id, n, da_comune_id, comune_id, inoltrata_da)
		VALUES ($1, COALESCE((SELECT max(n) FROM controllo_tappa WHERE richiesta_id = $1), 0) + 1, $2, $3, $4)`,
		id, da, a, f.people[chi].OperatoreID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE controllo_richiesta SET stato = 'inoltrata', versione = versione + 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
}

// chiudiTappa closes the open step of request id with esito (restituita…).
func (f *listaFixture) chiudiTappa(t *testing.T, id uuid.UUID, esito, chi string, il time.Time) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), `
		UPDATE controllo_tappa SET esito = $2, chiusa_da = $3, chiusa_il = $4 WHERE richiesta_id = $1 AND esito IS NULL`,
		id, esito, f.people[chi].OperatoreID, il); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(context.Background(), `UPDATE controllo_richiesta SET stato = 'aperta', versione = versione + 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
}

// concludi finalises request id with a positive esito dated il.
func (f *listaFixture) concludi(t *testing.T, id uuid.UUID, chi string, il time.Time) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO controllo_esito (richiesta_id, esito, motivazione, data_esito, entro_termine, finalizzato_da)
		VALUES ($1, 'positivo', 'Residenza verificata', $2, true, $3)`, id, il, f.people[chi].OperatoreID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE controllo_richiesta SET stato = 'conclusa', versione = versione + 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
}

func (f *listaFixture) lista(t *testing.T, chi string, fl Filtro) Lista {
	t.Helper()
	l, err := f.svc.Lista(context.Background(), f.people[chi], fl, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// ids are the rows' ids in order.
func ids(l Lista) []uuid.UUID {
	var out []uuid.UUID
	for _, r := range l.Righe {
		out = append(out, r.ID)
	}
	return out
}

func (f *listaFixture) versione(t *testing.T, id uuid.UUID) int {
	t.Helper()
	var v int
	if err := f.pool.QueryRow(context.Background(), `SELECT versione FROM controllo_richiesta WHERE id = $1`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *listaFixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
