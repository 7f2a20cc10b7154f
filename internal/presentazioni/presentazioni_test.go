package presentazioni_test

import (
	"context"
	"errors"
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
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/presentazioni"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	pool   *pgxpool.Pool
	svc    *presentazioni.Service
	casi   *casi.Service
	now    time.Time
	people map[string]authz.Principal
	caso   fixtures.Caso
	cf     string // the richiedente's codice fiscale
}

// setup: the demo accounts, an ADI case of casemanager (Casalecchio di Reno,
// the comune of sportello) with the PAD signed 20 days before 3 December
// 2026 (a Thursday; the 20th is a Sunday).
func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	people, err := demo.Principals(ctx, accesso.NewService(pool))
	if err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	f := &fixture{pool: pool, casi: casi.NewService(pool, reg), people: people,
		now: time.Date(2026, 12, 3, 10, 0, 0, 0, calendario.Roma)}
	f.svc = presentazioni.NewService(pool, reg, f.casi)
	f.casi.ConScadenze([]casi.FonteSituazione{f.svc}, nil)
	clock := func() time.Time { return f.now }
	f.svc.SetClock(clock)
	f.casi.SetClock(clock)
	fx := fixtures.New(t, pool)
	fx.Casi = f.casi
	m := fixtures.Adulto("Bianchi", "Anna", "F", 1985)
	f.cf = "BNCNNA85A41A944" // completed below
	f.caso = fx.Caso(fixtures.NuovoCaso{DataPAD: fixtures.Data("2026-11-13"), CaseManager: people["casemanager"],
		Membri: []fixtures.Membro{m}})
	f.cf = f.caso.RichiedenteCF
	return f
}

func (f *fixture) scadenze(t *testing.T) scadenze.Scadenze {
	t.Helper()
	sc, err := f.casi.Scadenze(context.Background(), f.pool, f.caso.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func (f *fixture) registro(t *testing.T, oggetto, esito string) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi
		WHERE oggetto_tipo = $1 AND esito = $2 AND caso_id = $3`, oggetto, esito, f.caso.ID.String()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The sportello finds the nucleo by codice fiscale and registers a
// presentazione spontanea at the patronato: the T90 starts from it, the T120
// is still pending, the case's derived columns follow; all audited.
func TestSportelloPatronato(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sp := f.people["sportello"]
	id, err := f.svc.Cerca(ctx, sp, strings.ToLower(f.cf), registro.Voce{})
	if err != nil || id != f.caso.ID {
		t.Fatalf("Cerca = %v, %v; want %v", id, err, f.caso.ID)
	}
	n, err := f.svc.Nucleo(ctx, sp, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Codice != f.caso.Codice() || n.T120.Stato != scadenze.InCorso || n.T90.Stato != scadenze.NonApplicabile {
		t.Errorf("Nucleo = %s T120 %s T90 %s", n.Codice, n.T120.Stato, n.T90.Stato)
	}
	if !strings.Contains(n.Taglio.Messaggio, "registra entro il 20/12 per il pagamento di dicembre") {
		t.Errorf("Taglio = %q", n.Taglio.Messaggio)
	}
	err = f.svc.RegistraSportello(ctx, sp, id, presentazioni.NuovaRegistrazione{Evento: "presentazione_spontanea",
		Luogo: "patronato", Data: "2026-12-03"}, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	sc := f.scadenze(t)
	if sc.T90.Stato != scadenze.InCorso || calendario.DataPtr(sc.T90.Scadenza) != "03/03/2027" {
		t.Errorf("T90 = %s %s (%s)", sc.T90.Stato, calendario.DataPtr(sc.T90.Scadenza), sc.T90.Messaggio)
	}
	if sc.T120.Stato != scadenze.InCorso || !strings.Contains(sc.T120.Messaggio, "non per il primo incontro") {
		t.Errorf("T120 = %s (%s)", sc.T120.Stato, sc.T120.Messaggio)
	}
	c, err := f.casi.Get(ctx, f.pool, f.caso.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.T90Stato != string(scadenze.InCorso) {
		t.Errorf("caso.t90_stato = %q: the derived columns were not refreshed", c.T90Stato)
	}
	if f.registro(t, "presentazione", registro.Consentito) != 1 || f.registro(t, "presentazioni_ricerca", registro.Consentito) != 1 ||
		f.registro(t, "presentazioni", registro.Consentito) != 1 {
		t.Error("the search, the read and the write are not all in the registro")
	}
	// The case manager sees it on the case's page, with who and where.
	sch, err := f.svc.Scheda(ctx, f.people["casemanager"], f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(sch.Registrazioni) != 1 || sch.Registrazioni[0].Luogo != scadenze.Patronato ||
		sch.Registrazioni[0].Ruolo != string(authz.OperatorePresentazioni) || sch.Registrazioni[0].Pagamento() != "dicembre 2026" {
		t.Errorf("Registrazioni = %+v", sch.Registrazioni)
	}
}

// The sportello reaches only the open ADI cases of its comune, and the
// other roles do not reach the desk at all; every refusal is recorded.
func TestSportelloPortata(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	altro := fx.Caso(fixtures.NuovoCaso{CaseManager: f.people["casemanager2"],
		Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Carla", "F", 1982)}})
	sp := f.people["sportello"]
	var fe httpx.FieldErrors
	if _, err := f.svc.Cerca(ctx, sp, altro.RichiedenteCF, registro.Voce{}); !errors.As(err, &fe) || fe["cf"] == "" {
		t.Errorf("Cerca in another comune = %v", err)
	}
	if _, err := f.svc.Nucleo(ctx, sp, altro.ID, registro.Voce{}); !errors.Is(err, presentazioni.ErrNotFound) {
		t.Errorf("Nucleo of another comune = %v", err)
	}
	in := presentazioni.NuovaRegistrazione{Evento: "avvenuto_incontro", Luogo: "servizi_sociali", Data: "2026-12-03"}
	if err := f.svc.RegistraSportello(ctx, sp, altro.ID, in, registro.Voce{}); !errors.Is(err, presentazioni.ErrNotFound) {
		t.Errorf("RegistraSportello on another comune = %v", err)
	}
	if _, err := f.svc.Cerca(ctx, f.people["casemanager"], f.cf, registro.Voce{}); !errors.Is(err, presentazioni.ErrNotFound) {
		t.Errorf("a case manager at the desk = %v", err)
	}
	if err := f.svc.RegistraSportello(ctx, f.people["casemanager"], f.caso.ID, in, registro.Voce{}); !errors.Is(err, presentazioni.ErrNotFound) {
		t.Errorf("a case manager writing at the desk = %v", err)
	}
	// The sportello cannot read the case's content through the case page.
	if _, err := f.svc.Scheda(ctx, sp, f.caso.ID, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("sportello on the case manager's page = %v", err)
	}
	var n int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE esito = $1 AND azione = $2`,
		registro.Rifiutato, registro.Negato).Scan(&n); err != nil || n < 5 {
		t.Errorf("refusals recorded = %d, %v; want at least 5", n, err)
	}
	if _, err := f.svc.Cerca(ctx, sp, "XYZ", registro.Voce{}); !errors.As(err, &fe) || !strings.Contains(fe["cf"], "non è valido") {
		t.Errorf("a malformed code = %v", err)
	}
}

func TestValidazione(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	sp := f.people["sportello"]
	for _, tc := range []struct {
		in    presentazioni.NuovaRegistrazione
		campo string
	}{
		{presentazioni.NuovaRegistrazione{Luogo: "patronato", Data: "2026-12-03"}, "evento"},
		{presentazioni.NuovaRegistrazione{Evento: "avvenuto_incontro", Data: "2026-12-03"}, "luogo"},
		{presentazioni.NuovaRegistrazione{Evento: "avvenuto_incontro", Luogo: "cpi", Data: "2026-12-04"}, "data"},
		{presentazioni.NuovaRegistrazione{Evento: "avvenuto_incontro", Luogo: "cpi", Data: "31/12/2023"}, "data"},
		{presentazioni.NuovaRegistrazione{Evento: "avvenuto_incontro", Luogo: "cpi", Data: "2026-12-01", Al: "2026-12-02"}, "al"},
		{presentazioni.NuovaRegistrazione{Evento: "giustificato_motivo", Luogo: "servizi_sociali", Data: "2026-12-01"}, "motivo"},
		{presentazioni.NuovaRegistrazione{Evento: "giustificato_motivo", Luogo: "servizi_sociali", Data: "2026-12-05", Al: "2026-12-04", Motivo: "ricovero"}, "al"},
		{presentazioni.NuovaRegistrazione{Evento: "giustificato_motivo", Luogo: "servizi_sociali", Data: "2026-12-05", Motivo: strings.Repeat("x", 501)}, "motivo"},
	} {
		err := f.svc.RegistraSportello(ctx, sp, f.caso.ID, tc.in, registro.Voce{})
		var fe httpx.FieldErrors
		if !errors.As(err, &fe) || fe[tc.campo] == "" {
			t.Errorf("%+v: err = %v, want an error on %s", tc.in, err, tc.campo)
		}
	}
	// A giustificato motivo with its period is accepted (it may start in the future).
	ok := presentazioni.NuovaRegistrazione{Evento: "giustificato_motivo", Luogo: "servizi_sociali", Data: "10/12/2026", Al: "20/12/2026", Motivo: "ricovero"}
	if err := f.svc.RegistraSportello(ctx, sp, f.caso.ID, ok, registro.Voce{}); err != nil {
		t.Errorf("giustificato motivo: %v", err)
	}
}

// The case manager records the first month paid and a renewal: the renewal
// starts a new T120 from its PAD; a stale form is a conflict.
func TestBeneficioRinnovo(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	if err := f.svc.Rinnova(ctx, cm, f.caso.ID, presentazioni.NuovoRinnovo{DataPAD: "2026-12-01"}, registro.Voce{}); err == nil {
		t.Error("a renewal before the first month was accepted")
	}
	if err := f.svc.ImpostaPrimoMese(ctx, cm, f.caso.ID, presentazioni.NuovoPrimoMese{PrimoMese: "05/2025", Versione: "0"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ImpostaPrimoMese(ctx, cm, f.caso.ID, presentazioni.NuovoPrimoMese{PrimoMese: "06/2025", Versione: "0"}, registro.Voce{}); !errors.Is(err, presentazioni.ErrConflict) {
		t.Errorf("a stale first-month form = %v, want ErrConflict", err)
	}
	// 18 months from May 2025: over on 31 October 2026, no renewal yet.
	sc := f.scadenze(t)
	if sc.Beneficio.Periodo != nil || !strings.Contains(sc.Beneficio.Messaggio, "concluso il 31/10/2026, nessun rinnovo registrato") {
		t.Errorf("Beneficio = %+v", sc.Beneficio)
	}
	if err := f.svc.Rinnova(ctx, cm, f.caso.ID, presentazioni.NuovoRinnovo{DataPAD: "2026-12-02"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc = f.scadenze(t)
	if sc.Beneficio.Prossima != "rinnovo n. 1 dal 01/01/2027" {
		t.Errorf("after the renewal: %+v", sc.Beneficio)
	}
	if calendario.DataPtr(sc.T120.Inizio) != "02/12/2026" || calendario.DataPtr(sc.T120.Scadenza) != "01/04/2027" {
		t.Errorf("T120 after the renewal: from %s due %s", calendario.DataPtr(sc.T120.Inizio), calendario.DataPtr(sc.T120.Scadenza))
	}
	var fe httpx.FieldErrors
	if err := f.svc.Rinnova(ctx, cm, f.caso.ID, presentazioni.NuovoRinnovo{DataPAD: "2026-12-02"}, registro.Voce{}); !errors.As(err, &fe) {
		t.Errorf("the same renewal twice = %v", err)
	}
	if f.registro(t, "rinnovo", registro.Consentito) != 1 || f.registro(t, "beneficio", registro.Consentito) != 1 {
		t.Error("the writes are not in the registro")
	}
}

// A member sent to the CPI and absent without giustificato motivo at its
// convocation: a decadenza risk on the case; a stale form is a conflict.
func TestCPIAssenza(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	persona := f.caso.Persone[0]
	c, _ := f.casi.Get(ctx, f.pool, f.caso.ID)
	if _, err := f.casi.AggiornaCondizioni(ctx, cm, f.caso.ID, persona, casi.Condizioni{InviatoCPIIl: "2026-11-20", Versione: c.Versione}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	in := presentazioni.NuovaConvocazioneCPI{ConvocatoIl: "2026-12-01", Esito: "assente", Versione: "0"}
	if err := f.svc.RegistraCPI(ctx, cm, f.caso.ID, persona, in, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc := f.scadenze(t)
	if len(sc.CPI) != 1 || sc.CPI[0].Rischio != scadenze.Decadenza || sc.Rischio != scadenze.Decadenza {
		t.Errorf("CPI = %+v, case risk %q", sc.CPI, sc.Rischio)
	}
	if err := f.svc.RegistraCPI(ctx, cm, f.caso.ID, persona, in, registro.Voce{}); !errors.Is(err, presentazioni.ErrConflict) {
		t.Errorf("a stale CPI form = %v", err)
	}
	if err := f.svc.RegistraCPI(ctx, cm, f.caso.ID, uuid.New(), in, registro.Voce{}); !errors.Is(err, presentazioni.ErrNotFound) {
		t.Errorf("a person not in the nucleo = %v", err)
	}
}

// The desk lists the comune's nuclei with a term overdue or in scadenza,
// not those of another comune nor those running with time.
func TestElencoSportello(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	urgente := fx.Caso(fixtures.NuovoCaso{DataPAD: fixtures.Data("2026-08-15"), CaseManager: f.people["casemanager"],
		Membri: []fixtures.Membro{fixtures.Adulto("Neri", "Lia", "F", 1990)}})
	fx.Caso(fixtures.NuovoCaso{DataPAD: fixtures.Data("2026-08-15"), CaseManager: f.people["casemanager2"],
		Membri: []fixtures.Membro{fixtures.Adulto("Gialli", "Ugo", "M", 1980)}})
	e, err := f.svc.ElencoSportello(ctx, f.people["sportello"], registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Righe) != 1 || e.Righe[0].CasoID != urgente.ID || e.Righe[0].T120Stato != scadenze.InScadenza ||
		!strings.Contains(e.Taglio.Messaggio, "20/12") {
		t.Errorf("Elenco = %+v", e)
	}
	if _, err := f.svc.ElencoSportello(ctx, f.people["casemanager"], registro.Voce{}); !errors.Is(err, presentazioni.ErrNotFound) {
		t.Errorf("a case manager's desk = %v", err)
	}
}

// The CPI outcomes file: each line recorded on the open case of its
// domanda, with the deadlines recomputed; every refused line with its
// reason; the same file again changes nothing.
func TestImportaCPI(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	persona := f.caso.Persone[0]
	c, _ := f.casi.Get(ctx, f.pool, f.caso.ID)
	if _, err := f.casi.AggiornaCondizioni(ctx, cm, f.caso.ID, persona, casi.Condizioni{InviatoCPIIl: "2026-11-20", Versione: c.Versione}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	file := strings.Join([]string{
		`{"id_domanda":"` + c.IDDomanda + `","codice_fiscale":"` + strings.ToLower(f.cf) + `","convocato_il":"2026-12-01","esito":"assente"}`,
		`{"id_domanda":"INPS-NESSUNA","codice_fiscale":"` + f.cf + `","convocato_il":"2026-12-01","esito":"assente"}`,
		`{"id_domanda":"` + c.IDDomanda + `","codice_fiscale":"RSSMRA80A01A944X","convocato_il":"01/12/2026","esito":"forse"}`,
		`{"id_domanda":"` + c.IDDomanda + `","codice_fiscale":"` + f.cf + `","convocato_il":"2026-11-01","esito":""}`,
		`non json`,
		``,
	}, "\n")
	e, err := f.svc.ImportaCPI(ctx, strings.NewReader(file), registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Registrate != 1 || e.Invariate != 0 || len(e.Scarti) != 4 {
		t.Fatalf("first import: %s %+v", e.Riepilogo(), e.Scarti)
	}
	for i, want := range []string{"nessun caso aperto", "convocato_il non è una data", "precede l'invio", "non è un oggetto JSON"} {
		if !strings.Contains(e.Scarti[i].Motivo, want) {
			t.Errorf("line %d: %q, want %q", e.Scarti[i].Riga, e.Scarti[i].Motivo, want)
		}
	}
	if sc := f.scadenze(t); sc.Rischio != scadenze.Decadenza {
		t.Errorf("after the import: risk %q", sc.Rischio)
	}
	e, err = f.svc.ImportaCPI(ctx, strings.NewReader(file), registro.Voce{Indirizzo: "test"})
	if err != nil || e.Registrate != 0 || e.Invariate != 1 {
		t.Errorf("the same file again: %s, %v", e.Riepilogo(), err)
	}
	if f.registro(t, "convocazione_cpi", registro.Consentito) != 1 {
		t.Error("the import's write is not once in the registro")
	}
}
