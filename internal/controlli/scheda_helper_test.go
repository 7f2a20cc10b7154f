package controlli

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
	"github.com/cartella/cartella/web/ui"
)

// The scheda's tests build requests with plain INSERTs (the import is
// another file's), on the demo ambito: Casalecchio di Reno (coordcontrolli,
// respcontrolli) and Zola Predosa (resp2, coord2 made here).

type schedaFx struct {
	pool    *pgxpool.Pool
	svc     *Service
	now     time.Time
	people  map[string]authz.Principal
	resp2   authz.Principal
	coord2  authz.Principal
	altro   authz.Principal // a second responsabile of Casalecchio
	ambito  int64
	casal   int64
	zola    int64
	caso    fixtures.Caso
	cfMadre string
}

const cfMadre = "BNCLRA86A41A944X"

func setupScheda(t *testing.T) *schedaFx {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	f := &schedaFx{pool: pool, people: fx.Demo(), now: time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma), cfMadre: cfMadre}
	clock := func() time.Time { return f.now }
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	cs := casi.NewService(pool, reg)
	cs.SetClock(clock)
	fx.Casi = cs
	ss := segnalazioni.NewService(pool, reg, cs)
	ss.SetClock(clock)
	f.svc = NewService(pool, reg, cs, ss)
	f.svc.SetClock(clock)
	if err := pool.QueryRow(ctx, `SELECT ambito_id, id FROM comune WHERE codice_istat = '037011'`).Scan(&f.ambito, &f.casal); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM comune WHERE codice_istat = '037060'`).Scan(&f.zola); err != nil {
		t.Fatal(err)
	}
	f.resp2 = fx.Operatore("Elena", "Zolesi", accesso.Assegnazione{Ruolo: authz.ResponsabileControlli, AmbitoID: &f.ambito, ComuneID: &f.zola})
	f.coord2 = fx.Operatore("Franco", "Zolari", accesso.Assegnazione{Ruolo: authz.CoordinatoreControlli, AmbitoID: &f.ambito, ComuneID: &f.zola})
	f.altro = fx.Operatore("Irene", "Altri", accesso.Assegnazione{Ruolo: authz.ResponsabileControlli, AmbitoID: &f.ambito, ComuneID: &f.casal})
	f.caso = fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CTL-1", DataDomanda: fixtures.Data("2026-06-01"), DataPAD: fixtures.Data("2026-06-10"),
		CaseManager: f.people["casemanager"], Stato: casi.Monitoraggio, Membri: []fixtures.Membro{
			fixtures.Componente(cfMadre, "Bianchi", "Laura", "F", "1986-01-01", "richiedente"),
			fixtures.Componente("BNCMRC16A01A944X", "Bianchi", "Marco", "M", "2016-01-01", "figlio"),
		}})
	return f
}

// nuova inserts a request of tipo asked to Casalecchio, assigned to
// respcontrolli, linked to the case when conCaso.
func (f *schedaFx) nuova(t *testing.T, tipo Tipo, riferimento string, conCaso bool) uuid.UUID {
	t.Helper()
	var caso *uuid.UUID
	if conCaso {
		caso = &f.caso.ID
	}
	resp := f.people["respcontrolli"].OperatoreID
	var id uuid.UUID
	err := f.pool.QueryRow(context.Background(), `INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id,
			codice_fiscale, cognome, nome, data_nascita, id_domanda, caso_id, data_richiesta, data_riferimento, scadenza,
			nota_inps, note_lavoro, assegnatario, assegnata_il)
		VALUES ($1, $2, $3, $4, $5, 'Bianchi', 'Laura', '1986-01-01', 'INPS-CTL-1', $6, '2026-10-01', $7, '2026-11-30',
			'Verificare la residenza', 'appunto riservato del comune', $8, now()) RETURNING id`,
		"R-"+uuid.NewString()[:8], tipo, f.ambito, f.casal, f.cfMadre, caso, riferimento, resp).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// assegnaTappa gives the open step of request id to p (the worklist's job).
func (f *schedaFx) assegnaTappa(t *testing.T, id uuid.UUID, p authz.Principal) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), `UPDATE controllo_tappa SET assegnatario = $2, assegnata_il = now()
		WHERE richiesta_id = $1 AND esito IS NULL`, id, p.OperatoreID); err != nil {
		t.Fatal(err)
	}
}

func (f *schedaFx) scheda(t *testing.T, p authz.Principal, id uuid.UUID) Scheda {
	t.Helper()
	sc, err := f.svc.Scheda(context.Background(), p, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func (f *schedaFx) versione(t *testing.T, id uuid.UUID) string {
	t.Helper()
	var v int
	if err := f.pool.QueryRow(context.Background(), `SELECT versione FROM controllo_richiesta WHERE id = $1`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(v)
}

func (f *schedaFx) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// form is a form's values with the request's current versione.
func (f *schedaFx) form(t *testing.T, id uuid.UUID, kv ...string) url.Values {
	t.Helper()
	v := url.Values{"versione": {f.versione(t, id)}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func (f *schedaFx) registra(t *testing.T, p authz.Principal, id uuid.UUID, kind string, kv ...string) {
	t.Helper()
	if err := f.svc.Registra(context.Background(), p, id, kind, f.form(t, id, kv...), registro.Voce{}); err != nil {
		t.Fatalf("registra %s: %v", kind, err)
	}
}

// renderScheda renders the request's page.
func renderScheda(t *testing.T, sc Scheda, fm Form) string {
	t.Helper()
	var b strings.Builder
	if err := schedaPage(ui.Shell{}, sc, fm, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
