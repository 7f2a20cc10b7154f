package rete

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

type fixInvii struct {
	pool     *pgxpool.Pool
	svc      *Service
	now      time.Time
	cm, cm2  authz.Principal
	coord    authz.Principal
	caso     fixtures.Caso
	servizio int64 // active, of the case's comune, under a protocol of 10 days
	spento   int64 // inactive
	scaduto  int64 // expired yesterday
}

func setupInvii(t *testing.T) *fixInvii {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	f := &fixInvii{pool: pool, now: time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)}
	clock := func() time.Time { return f.now }
	fx := fixtures.New(t, pool)
	fx.Casi.SetClock(clock)
	people := fx.Demo()
	f.cm = people["casemanager"]
	f.cm2 = fx.CaseManager(*f.cm.AmbitoID, *f.cm.ComuneID, "Piera", "Altri") // same comune, not assigned to the case
	f.coord = fx.Coordinatore(*f.cm.AmbitoID, "Carla", "Coordina")
	reg := fx.Registro
	outbox := posta.NewOutbox(pool, posta.SinkSender{}, "cartella@example.org", slog.New(slog.NewTextHandler(io.Discard, nil)))
	ps := patto.NewService(pool, reg, fx.Casi, quadro.NewService(pool, reg, fx.Casi), equipe.NewService(pool, reg, fx.Casi, outbox, nil))
	f.svc = NewService(pool, reg, fx.Casi, ps, outbox)
	f.svc.SetClock(clock)
	f.caso = fx.Caso(fixtures.NuovoCaso{CaseManager: f.cm, Stato: casi.Monitoraggio, Membri: []fixtures.Membro{
		{Cognome: "Bianchi", Nome: "Laura", Sesso: "F", DataNascita: fixtures.Data("1986-01-01"), Relazione: "richiedente",
			Telefono: "3331234567", Domicilio: "Via Roma 1"},
		fixtures.Minore("Bianchi", "Marco", "M", 2016),
	}})
	if _, err := pool.Exec(ctx, `UPDATE operatore SET email = 'cm@example.org' WHERE id = $1`, f.cm.OperatoreID); err != nil {
		t.Fatal(err)
	}
	amb, com := *f.cm.AmbitoID, *f.cm.ComuneID
	var ente, enteSpento int64
	mustScan(t, pool, &ente, `INSERT INTO rete_ente (ambito_id, denominazione, tipo) VALUES ($1, 'Consultorio di prova', 'sanitario') RETURNING id`, amb)
	mustExec(t, pool, `INSERT INTO rete_ente_comune (ente_id, comune_id) VALUES ($1, $2)`, ente, com)
	mustScan(t, pool, &f.servizio, `INSERT INTO rete_servizio (ente_id, denominazione, area, valido_dal) VALUES ($1, 'Sostegno alla genitorialità', 'salute', '2026-01-01') RETURNING id`, ente)
	mustScan(t, pool, &f.spento, `INSERT INTO rete_servizio (ente_id, denominazione, area, valido_dal, attivo) VALUES ($1, 'Servizio sospeso', 'salute', '2026-01-01', false) RETURNING id`, ente)
	mustScan(t, pool, &f.scaduto, `INSERT INTO rete_servizio (ente_id, denominazione, area, valido_dal, valido_al) VALUES ($1, 'Servizio scaduto', 'salute', '2026-01-01', '2026-10-19') RETURNING id`, ente)
	mustScan(t, pool, &enteSpento, `INSERT INTO rete_ente (ambito_id, denominazione, tipo, attivo) VALUES ($1, 'Ente chiuso', 'altro', false) RETURNING id`, amb)
	var prot int64
	mustScan(t, pool, &prot, `INSERT INTO rete_protocollo (ambito_id, titolo, data_stipula, valido_dal, procedura, giorni_risposta_cm,
		giorni_risposta_persona, periodo_rendicontazione, motivi_rifiuto) VALUES ($1, 'Protocollo consultori', '2026-01-01', '2026-01-01',
		'ordine_arrivo', 10, 20, 'trimestre', '{"Requisiti mancanti"}') RETURNING id`, amb)
	mustExec(t, pool, `INSERT INTO rete_protocollo_ente VALUES ($1, $2)`, prot, ente)
	mustExec(t, pool, `INSERT INTO rete_protocollo_servizio (protocollo_id, servizio_id, capacita) VALUES ($1, $2, 5)`, prot, f.servizio)
	return f
}

func mustScan(t *testing.T, pool *pgxpool.Pool, dst any, sql string, args ...any) {
	t.Helper()
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(dst); err != nil {
		t.Fatal(err)
	}
}

func mustExec(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

func (f *fixInvii) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	mustScan(t, f.pool, &n, sql, args...)
	return n
}

func (f *fixInvii) input(sezioni ...string) InputInvio {
	in := InputInvio{PersonaID: f.caso.Persone[0].String(), ServizioID: strconv.FormatInt(f.servizio, 10),
		Motivazione: "Supporto alla relazione con il figlio dopo la separazione."}
	if len(sezioni) > 0 {
		in.Consenso, in.ConsensoDa, in.ConsensoIl, in.ConsensoModalita, in.Sezioni = "si", "Laura Bianchi, interessata", "2026-10-18", "scritto", sezioni
	} else {
		in.Consenso = "no"
	}
	return in
}

func (f *fixInvii) invia(t *testing.T, in InputInvio) uuid.UUID {
	t.Helper()
	id, err := f.svc.Invia(context.Background(), f.cm, f.caso.ID, in, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Sections chosen without the consent: refused with a message next to the
// field, nothing saved, and the page keeps what was typed.
func TestInvioSezioniSenzaConsenso(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	in := f.input()
	in.Consenso = ""
	in.Sezioni = []string{"anagrafica", "nucleo"}
	_, err := f.svc.Invia(ctx, f.cm, f.caso.ID, in, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["consenso"], "manca il consenso") {
		t.Fatalf("no consent: %v", err)
	}
	in.Consenso = "no"
	_, err = f.svc.Invia(ctx, f.cm, f.caso.ID, in, registro.Voce{})
	if !errors.As(err, &fe) || !strings.Contains(fe["sezioni"], "non ha dato il consenso") {
		t.Fatalf("consent no with sections: %v", err)
	}
	in.Consenso = "si"
	_, err = f.svc.Invia(ctx, f.cm, f.caso.ID, in, registro.Voce{})
	if !errors.As(err, &fe) || fe["consenso_da"] == "" || fe["consenso_il"] == "" || fe["consenso_modalita"] == "" {
		t.Fatalf("consent without who, when, how: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM rete_invio`); n != 0 {
		t.Fatalf("%d invii saved", n)
	}
	// The page keeps the input.
	m, err := f.svc.Nuovo(ctx, f.cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := nuovoInvioPage(ui.Shell{}, m, in, fe, "").Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`id="sezione-anagrafica" type="checkbox" name="sezioni" value="anagrafica" checked`, "dopo la separazione",
		`data-testid="errore-consenso_da"`, `value="si" checked`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// An inactive or expired service, or one of an inactive ente, is refused
// with a message naming it.
func TestInvioServizioNonAttivo(t *testing.T) {
	f := setupInvii(t)
	for _, id := range []int64{f.spento, f.scaduto} {
		in := f.input()
		in.ServizioID = strconv.FormatInt(id, 10)
		_, err := f.svc.Invia(context.Background(), f.cm, f.caso.ID, in, registro.Voce{})
		var fe httpx.FieldErrors
		if !errors.As(err, &fe) || !strings.Contains(fe["servizio_id"], "non è attivo, non è valido oggi") {
			t.Fatalf("service %d: %v", id, err)
		}
	}
	m, err := f.svc.Nuovo(context.Background(), f.cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Servizi) != 1 || m.Servizi[0].ID != f.servizio {
		t.Fatalf("offered %+v", m.Servizi)
	}
}

// With consent the extract holds exactly the consented sections, frozen;
// the protocol is found and the answer is due in its days; the sending is
// a state change.
func TestInvioEstrattoSoloSezioniConsentite(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	id := f.invia(t, f.input("anagrafica", "condizioni"))
	var raw []byte
	var sezioni []string
	var entro time.Time
	var prot *int64
	mustScan(t, f.pool, &raw, `SELECT estratto FROM rete_invio WHERE id = $1`, id)
	if err := f.pool.QueryRow(ctx, `SELECT sezioni, risposta_entro, protocollo_id FROM rete_invio WHERE id = $1`, id).Scan(&sezioni, &entro, &prot); err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "costruito")
	if k := slices.Sorted(maps.Keys(m)); !slices.Equal(k, []string{"anagrafica", "condizioni"}) {
		t.Fatalf("extract sections %v", k)
	}
	if !slices.Equal(sezioni, []string{"anagrafica", "condizioni"}) || prot == nil || !entro.Equal(f.now.AddDate(0, 0, 10)) {
		t.Fatalf("sezioni %v protocollo %v entro %v", sezioni, prot, entro)
	}
	if !strings.Contains(string(raw), "3331234567") || strings.Contains(string(raw), "Marco") {
		t.Fatalf("extract %s", raw)
	}
	// Without consent: nothing of the case.
	id2 := f.invia(t, f.input())
	mustScan(t, f.pool, &raw, `SELECT estratto FROM rete_invio WHERE id = $1`, id2)
	m = nil
	_ = json.Unmarshal(raw, &m)
	delete(m, "costruito")
	if len(m) != 0 {
		t.Fatalf("extract without consent %s", raw)
	}
	if n := f.count(t, `SELECT count(*) FROM rete_invio_stato WHERE invio_id = $1 AND da = '' AND a = 'inviato'`, id); n != 1 {
		t.Fatalf("%d state rows", n)
	}
	sc, err := f.svc.Dettaglio(ctx, f.cm, f.caso.ID, id, registro.Voce{})
	if err != nil || sc.Estratto.Anagrafica == nil || sc.Estratto.Nucleo != nil || len(sc.Passaggi) != 1 {
		t.Fatalf("detail %+v %v", sc, err)
	}
	e, err := f.svc.Elenco(ctx, f.cm, f.caso.ID, registro.Voce{})
	if err != nil || len(e.Invii) != 2 {
		t.Fatalf("list %v %v", e.Invii, err)
	}
}

// Another case manager gets 404 on the list, the detail, the form, the
// sending and the withdrawal, and the refusals are recorded.
func TestInvioAltroCaseManager(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	id := f.invia(t, f.input())
	altro := f.cm2
	if altro.OperatoreID == f.cm.OperatoreID {
		t.Fatal("same case manager")
	}
	op := altro.OperatoreID
	v := registro.Voce{OperatoreID: &op}
	errs := []error{}
	_, err := f.svc.Elenco(ctx, altro, f.caso.ID, v)
	errs = append(errs, err)
	_, err = f.svc.Dettaglio(ctx, altro, f.caso.ID, id, v)
	errs = append(errs, err)
	_, err = f.svc.Nuovo(ctx, altro, f.caso.ID, v)
	errs = append(errs, err)
	_, err = f.svc.Invia(ctx, altro, f.caso.ID, f.input(), v)
	errs = append(errs, err)
	errs = append(errs, f.svc.Ritira(ctx, altro, f.caso.ID, id, "1", "per prova", v))
	for i, err := range errs {
		if !errors.Is(err, httpx.ErrNotFound) {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE operatore_id = $1 AND esito <> 'consentito'`, altro.OperatoreID); n < 5 {
		t.Errorf("%d refusals recorded", n)
	}
	// An invio of another case under this case's URL: 404.
	if _, err := f.svc.Dettaglio(ctx, f.cm, f.caso.ID, uuid.New(), registro.Voce{}); !errors.Is(err, httpx.ErrNotFound) {
		t.Errorf("unknown invio: %v", err)
	}
}

// Past risposta_entro without an answer: counted on the case manager's and
// the coordinatore's home, listed for the coordinatore, one e-mail queued
// per invio however often the job runs.
func TestInvioInRitardo(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	id := f.invia(t, f.input())
	if n, ok, err := f.svc.ContaInRitardoCaseManager(ctx, f.cm); err != nil || !ok || n != 0 {
		t.Fatalf("before: %d %v %v", n, ok, err)
	}
	if n, err := f.svc.Solleciti(ctx); err != nil || n != 0 {
		t.Fatalf("reminders before due: %d %v", n, err)
	}
	f.now = f.now.AddDate(0, 0, 11)
	if n, ok, err := f.svc.ContaInRitardoCaseManager(ctx, f.cm); err != nil || !ok || n != 1 {
		t.Fatalf("case manager: %d %v %v", n, ok, err)
	}
	if n, ok, err := f.svc.ContaInRitardoCoordinatore(ctx, f.coord); err != nil || !ok || n != 1 {
		t.Fatalf("coordinatore: %d %v %v", n, ok, err)
	}
	l, err := f.svc.InviiInRitardo(ctx, f.coord, 1, registro.Voce{})
	if err != nil || len(l.Righe) != 1 || l.Righe[0].ID != id || l.Righe[0].GiorniRitardo(f.now) != 1 {
		t.Fatalf("list %+v %v", l, err)
	}
	if _, err := f.svc.InviiInRitardo(ctx, f.cm, 1, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("case manager on the coordinatore's list: %v", err)
	}
	for range 3 {
		if _, err := f.svc.Solleciti(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM posta_uscita WHERE destinatario = 'cm@example.org' AND oggetto LIKE 'Invio R-%'`); n != 1 {
		t.Fatalf("%d e-mails", n)
	}
	if n := f.count(t, `SELECT count(*) FROM rete_invio WHERE id = $1 AND sollecito_inviato_il IS NOT NULL`, id); n != 1 {
		t.Fatal("not marked")
	}
	sez, err := casi.LeggiSezione(ctx, f.pool, f.svc.SezioneInvii(), f.caso.Caso)
	if err != nil || !strings.Contains(sez.Testo, "senza risposta nei tempi") {
		t.Fatalf("section %+v %v", sez, err)
	}
	// Answered (the ente accepts): no longer overdue.
	mustExec(t, f.pool, `UPDATE rete_invio SET stato = 'accettato', data_inizio = '2026-11-01', risposta_il = now() WHERE id = $1`, id)
	if n, _, _ := f.svc.ContaInRitardoCoordinatore(ctx, f.coord); n != 0 {
		t.Fatalf("answered still overdue: %d", n)
	}
}

// Withdrawal: reason required, recorded in rete_invio_stato, a stale
// versione is a conflict, a withdrawn invio cannot be withdrawn again.
func TestInvioRitiro(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	id := f.invia(t, f.input())
	var fe httpx.FieldErrors
	if err := f.svc.Ritira(ctx, f.cm, f.caso.ID, id, "1", "  ", registro.Voce{}); !errors.As(err, &fe) || fe["motivo"] == "" {
		t.Fatalf("no reason: %v", err)
	}
	if err := f.svc.Ritira(ctx, f.cm, f.caso.ID, id, "7", "La famiglia si è trasferita", registro.Voce{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale: %v", err)
	}
	if err := f.svc.Ritira(ctx, f.cm, f.caso.ID, id, "1", "La famiglia si è trasferita", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM rete_invio_stato WHERE invio_id = $1 AND da = 'inviato' AND a = 'ritirato'
		AND nota = 'La famiglia si è trasferita' AND operatore_id = $2`, id, f.cm.OperatoreID); n != 1 {
		t.Fatalf("%d withdrawal rows", n)
	}
	if err := f.svc.Ritira(ctx, f.cm, f.caso.ID, id, "2", "ancora", registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("again: %v", err)
	}
	sc, err := f.svc.Dettaglio(ctx, f.cm, f.caso.ID, id, registro.Voce{})
	if err != nil || sc.Invio.Stato != "ritirato" || sc.Invio.MotivoRitiro == "" || len(sc.Passaggi) != 2 {
		t.Fatalf("%+v %v", sc.Invio, err)
	}
}

// The patto's seam: the newest invio of each sostegno, with its state and link.
func TestInviiDeiSostegni(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	id := f.invia(t, f.input())
	mustExec(t, f.pool, `UPDATE rete_invio SET sostegno_id = 'sost-1', sostegno_testo = 'Consulenza' WHERE id = $1`, id)
	m, err := f.svc.InviiDeiSostegni(ctx, f.caso.ID)
	if err != nil || len(m) != 1 {
		t.Fatalf("%v %v", m, err)
	}
	x := m["sost-1"]
	if x.Stato != "Inviato" || !strings.HasSuffix(x.Href, "/invii/"+id.String()) || !strings.HasPrefix(x.Codice, "R-") {
		t.Fatalf("%+v", x)
	}
}

// The pages render what the case manager needs: list, detail with the
// consent and extract, the withdrawal form; the overdue list.
func TestInviiPagine(t *testing.T) {
	f := setupInvii(t)
	ctx := context.Background()
	id := f.invia(t, f.input("anagrafica", "nucleo"))
	e, err := f.svc.Elenco(ctx, f.cm, f.caso.ID, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := f.svc.Dettaglio(ctx, f.cm, f.caso.ID, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 12)
	l, err := f.svc.InviiInRitardo(ctx, f.coord, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		html interface {
			Render(context.Context, io.Writer) error
		}
		want []string
	}{
		"elenco":    {inviiPage(ui.Shell{}, e, "inviato"), []string{"R-", "Sostegno alla genitorialità", "Invio registrato"}},
		"dettaglio": {invioPage(ui.Shell{}, sc, "", formRitiro{}), []string{"Consenso dato da Laura Bianchi", "Protocollo consultori", "Bianchi Marco", `data-testid="modulo-ritiro"`}},
		"ritardo":   {ritardoPage(ui.Shell{}, l, "/rete/invii-in-ritardo"), []string{"C-", "Consultorio di prova", ">2<"}},
	} {
		var b strings.Builder
		if err := c.html.Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
		if name == "ritardo" && strings.Contains(b.String(), "Laura") {
			t.Errorf("the overdue list shows the member's name")
		}
	}
}
