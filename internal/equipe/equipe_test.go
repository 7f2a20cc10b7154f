package equipe_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
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
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/stampa/pdftest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	pool   *pgxpool.Pool
	svc    *equipe.Service
	outbox *posta.Outbox
	now    time.Time
	people map[string]authz.Principal
	caso   uuid.UUID
	madre  uuid.UUID
	figlio uuid.UUID
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	acc := accesso.NewService(pool)
	people, err := demo.Principals(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	reg := registro.NewService(pool, registro.ChiaveDiProva())
	cs := casi.NewService(pool, reg)
	f := &fixture{pool: pool, people: people, now: time.Date(2026, 10, 20, 9, 0, 0, 0, calendario.Roma)}
	clock := func() time.Time { return f.now }
	cs.SetClock(clock)
	f.outbox = posta.NewOutbox(pool, posta.SinkSender{}, "Cartella <cartella@comune.example>", slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.svc = equipe.NewService(pool, reg, cs, f.outbox, equipe.NewFonteCaso(pool, cs))
	f.svc.SetClock(clock)
	cm := f.people["casemanager"]
	fx := fixtures.New(t, pool)
	fx.Casi = cs
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-EQ-1", DataDomanda: fixtures.Data("2026-09-01"), DataPAD: fixtures.Data("2026-09-10"), Email: "famiglia.bianchi@example.it",
		CaseManager: cm, Stato: casi.InValutazione, Membri: []fixtures.Membro{
			fixtures.Componente("BNCLRA86A41A944X", "Bianchi", "Laura", "F", "1986-01-01", "richiedente"),
			fixtures.Componente("BNCMRC16A01A944X", "Bianchi", "Marco", "M", "2016-01-01", "figlio"),
		}})
	f.caso, f.madre, f.figlio = c.ID, c.Persone[0], c.Persone[1]
	return f
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func professionista(nome, cognome, email string) equipe.MembroInput {
	return equipe.MembroInput{Ruolo: "componente", Nome: nome, Cognome: cognome, Funzione: "Educatore professionale",
		Ente: "Servizio educativo territoriale", Email: email, Telefono: "+39 051 123456", Dal: "2026-10-01"}
}

func (f *fixture) aggiungi(t *testing.T, in equipe.MembroInput) uuid.UUID {
	t.Helper()
	id, err := f.svc.AggiungiMembro(context.Background(), f.people["casemanager"], f.caso, in, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// Only the assigned case manager reads and writes the équipe; the others
// are refused and the refusals recorded.
func TestAmbitoDiRiga(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.aggiungi(t, professionista("Anna", "Verdi", "anna.verdi@asl.example"))
	sc, err := f.svc.Scheda(ctx, f.people["casemanager"], f.caso, registro.Voce{})
	if err != nil || len(sc.Membri) != 1 || sc.Caso.CaseManager == "" {
		t.Fatalf("casemanager: %v, %d members", err, len(sc.Membri))
	}
	for _, u := range []string{"casemanager2", "coordinatore"} {
		p := f.people[u]
		if _, err := f.svc.Scheda(ctx, p, f.caso, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
			t.Errorf("%s reads: %v", u, err)
		}
		if _, err := f.svc.AggiungiMembro(ctx, p, f.caso, professionista("X", "Y", ""), registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
			t.Errorf("%s writes: %v", u, err)
		}
		if _, err := f.svc.NuovaConvocazione(ctx, p, f.caso, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
			t.Errorf("%s convocazione form: %v", u, err)
		}
		if _, err := f.svc.Convoca(ctx, p, f.caso, equipe.ConvocazioneInput{}, registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
			t.Errorf("%s convenes: %v", u, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM equipe_membro WHERE caso_id = $1`, f.caso); n != 1 {
		t.Errorf("%d members after refused writes", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'accesso_negato'`, f.caso.String()); n != 8 {
		t.Errorf("%d refusals recorded, want 8", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'lettura' AND oggetto_tipo = 'equipe' AND esito = 'consentito'`, f.caso.String()); n != 1 {
		t.Errorf("%d reads recorded", n)
	}
}

// Field errors are in Italian; the familiare referente must be an adult
// member of the nucleo, one at a time, with the nucleo's contacts by default.
func TestValidazioneEFamiliare(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	_, err := f.svc.AggiungiMembro(ctx, cm, f.caso, equipe.MembroInput{Ruolo: "capo", Email: "non-valida", Dal: "ieri", Telefono: "abc"}, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("want field errors, got %v", err)
	}
	for k, want := range map[string]string{"ruolo": "Scegli il ruolo", "nome": "Indica il nome", "cognome": "Indica il cognome",
		"funzione": "Indica la funzione", "email": "Indirizzo e-mail non valido", "dal": "Data non valida", "telefono": "Numero di telefono non valido"} {
		if !strings.Contains(fe[k], want) {
			t.Errorf("%s: %q, want %q", k, fe[k], want)
		}
	}
	_, err = f.svc.AggiungiMembro(ctx, cm, f.caso, equipe.MembroInput{Familiare: true, PersonaID: f.figlio.String(), Dal: "2026-10-01"}, registro.Voce{})
	if !errors.As(err, &fe) || !strings.Contains(fe["persona_id"], "maggiorenne") {
		t.Errorf("minor as familiare: %v", err)
	}
	id := f.aggiungi(t, equipe.MembroInput{Familiare: true, PersonaID: f.madre.String(), Dal: "2026-10-01"})
	sc, err := f.svc.Scheda(ctx, cm, f.caso, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Familiare == nil || sc.Familiare.ID != id || sc.Familiare.Nominativo() != "Laura Bianchi" || sc.Familiare.Email != "famiglia.bianchi@example.it" {
		t.Errorf("familiare referente: %+v", sc.Familiare)
	}
	_, err = f.svc.AggiungiMembro(ctx, cm, f.caso, equipe.MembroInput{Familiare: true, PersonaID: f.madre.String(), Dal: "2026-10-01"}, registro.Voce{})
	if !errors.As(err, &fe) || !strings.Contains(fe["persona_id"], "già un familiare referente") {
		t.Errorf("second familiare: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'scrittura' AND oggetto_tipo = 'equipe_membro' AND oggetto_id = $2`, f.caso.String(), id.String()); n != 1 {
		t.Errorf("%d writes recorded", n)
	}
}

// Two people edit the same member: the second save gets a conflict with the
// member as saved, and nothing is overwritten; ending a member uses the
// same versione.
func TestConflitto(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	id := f.aggiungi(t, professionista("Anna", "Verdi", "anna.verdi@asl.example"))
	_, m, err := f.svc.Membro(ctx, cm, f.caso, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	primo, secondo := equipe.FromMembro(m), equipe.FromMembro(m)
	primo.Email = "a.verdi@asl.example"
	if err := f.svc.ModificaMembro(ctx, cm, f.caso, id, primo, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	secondo.Telefono = "051 999999"
	err = f.svc.ModificaMembro(ctx, cm, f.caso, id, secondo, registro.Voce{})
	var cf *equipe.Conflitto
	if !errors.As(err, &cf) || !errors.Is(err, equipe.ErrConflict) || cf.Attuale.Email != "a.verdi@asl.example" || cf.Attuale.Versione != 2 {
		t.Fatalf("stale save: %v", err)
	}
	_, m, _ = f.svc.Membro(ctx, cm, f.caso, id, registro.Voce{})
	if m.Email != "a.verdi@asl.example" || m.Telefono != "+39 051 123456" || m.Versione != 2 {
		t.Errorf("after the refused save: %+v", m)
	}
	if err := f.svc.TerminaMembro(ctx, cm, f.caso, id, "2026-10-31", "1", registro.Voce{}); !errors.Is(err, equipe.ErrConflict) {
		t.Errorf("stale termina: %v", err)
	}
	if err := f.svc.TerminaMembro(ctx, cm, f.caso, id, "2026-09-01", "2", registro.Voce{}); err == nil || !strings.Contains(err.(httpx.FieldErrors)["al"], "precedere") {
		t.Errorf("termina before start: %v", err)
	}
	if err := f.svc.TerminaMembro(ctx, cm, f.caso, id, "2026-10-19", "2", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc, _ := f.svc.Scheda(ctx, cm, f.caso, registro.Voce{})
	if !sc.Membri[0].Cessato(sc.Oggi) {
		t.Error("member not ended")
	}
}

// Convening: one outbox message per invited member, with the PDF attached,
// one registro record per recipient (the member, never the content), all
// in one transaction; members without e-mail cannot be invited; sections
// must be chosen.
func TestConvoca(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	a := f.aggiungi(t, professionista("Anna", "Verdi", "anna.verdi@asl.example"))
	b := f.aggiungi(t, professionista("Bruno", "Neri", "bruno.neri@cpi.example"))
	c := f.aggiungi(t, professionista("Carla", "Gialli", ""))
	n, err := f.svc.NuovaConvocazione(ctx, cm, f.caso, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Invitabili) != 2 || len(n.NonInvitabili) != 1 || n.NonInvitabili[0].ID != c || len(n.Sezioni) != 2 {
		t.Fatalf("form: %d invitable, %d not, %d sections", len(n.Invitabili), len(n.NonInvitabili), len(n.Sezioni))
	}

	_, err = f.svc.Convoca(ctx, cm, f.caso, equipe.ConvocazioneInput{Data: "2026-10-27", Ora: "10:00", Luogo: "Servizio sociale",
		Invitati: []string{c.String()}}, registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["sezioni"], "Scegli almeno una sezione") || !strings.Contains(fe["invitati"], "indirizzo e-mail") {
		t.Fatalf("invalid convocazione: %v", err)
	}
	_, err = f.svc.Convoca(ctx, cm, f.caso, equipe.ConvocazioneInput{Data: "2026-10-19", Ora: "10:00", Luogo: "x",
		Invitati: []string{a.String()}, Sezioni: []string{"caso"}}, registro.Voce{})
	if !errors.As(err, &fe) || !strings.Contains(fe["data"], "già passate") {
		t.Errorf("past date: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM posta_uscita`); n != 0 {
		t.Fatalf("%d messages queued by refused convocazioni", n)
	}

	id, err := f.svc.Convoca(ctx, cm, f.caso, equipe.ConvocazioneInput{Data: "2026-10-27", Ora: "10:30", Luogo: "Servizio sociale, via Porrettana 360",
		OrdineDelGiorno: "Quadro di analisi", Invitati: []string{a.String(), b.String()}, Sezioni: []string{"nucleo"}}, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM posta_uscita WHERE caso_id = $1 AND stato = 'in_coda' AND allegato_mime = 'application/pdf'`, f.caso); n != 2 {
		t.Errorf("%d messages queued, want 2", n)
	}
	var dest, oggetto, corpo string
	var allegato []byte
	if err := f.pool.QueryRow(ctx, `SELECT destinatario, oggetto, corpo, allegato FROM posta_uscita WHERE destinatario = 'anna.verdi@asl.example'`).
		Scan(&dest, &oggetto, &corpo, &allegato); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(oggetto, "Bianchi") || !strings.Contains(oggetto, "caso C-") {
		t.Errorf("subject discloses a name or lacks the case: %q", oggetto)
	}
	if !strings.Contains(corpo, "Gentile Anna Verdi") || !strings.Contains(corpo, "martedì 27 ottobre 2026, ore 10:30") || !strings.Contains(corpo, "Composizione del nucleo") {
		t.Errorf("body: %s", corpo)
	}
	if !bytes.HasPrefix(allegato, []byte("%PDF-1.")) {
		t.Errorf("attachment is not a PDF")
	}
	// The extract as the invitee reads it: the comune's header, the
	// invitees in a table, the page numbers.
	testo := pdftest.Testo(t, allegato)
	pdftest.Contiene(t, testo, "Comune di ", "Convocazione dell'équipe multidisciplinare", "Componenti invitati", "Invitato", "Funzione",
		"Anna Verdi", "martedì 27 ottobre 2026, ore 10:30", "Pagina 1 di ")
	pdftest.Pagine(t, allegato, "estratto-equipe")
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'scrittura' AND oggetto_tipo = 'invio_estratto'
		AND oggetto_id = ANY($2) AND dettaglio NOT LIKE '%Bianchi%'`, f.caso.String(), []string{a.String(), b.String()}); n != 2 {
		t.Errorf("%d registro records of the sending, want one per recipient", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'equipe_convocazione' AND oggetto_id = $2 AND azione = 'scrittura'`,
		f.caso.String(), id.String()); n != 1 {
		t.Errorf("convocazione write recorded %d times", n)
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND evento = 'equipe' AND nota LIKE 'Équipe multidisciplinare convocata per il %: 2 invitati'`, f.caso); n != 1 {
		t.Errorf("the convocazione is not in the case's history (%d)", n)
	}

	// The worker delivers to the sink; the convocazione shows who received it.
	if _, err := f.outbox.Elabora(ctx); err != nil {
		t.Fatal(err)
	}
	_, cv, err := f.svc.Convocazione(ctx, cm, f.caso, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.Inviti) != 2 || cv.Inviti[0].Nome != "Bruno Neri" || cv.Inviti[0].Stato != posta.Sink || cv.Inviti[1].Email != "anna.verdi@asl.example" {
		t.Errorf("inviti: %+v", cv.Inviti)
	}
	if len(cv.Estratto) != 1 || cv.Estratto[0].Codice != "nucleo" || !strings.Contains(cv.Estratto[0].Testo, "Bianchi Laura, 40 anni, richiedente") {
		t.Errorf("estratto: %+v", cv.Estratto)
	}
	// Printing is recorded as an export; others cannot print.
	if _, _, err := f.svc.Estratto(ctx, cm, f.caso, id, "pdf", registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Estratto(ctx, f.people["casemanager2"], f.caso, id, "pdf", registro.Voce{}); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2 prints: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'esportazione' AND oggetto_tipo = 'equipe_estratto' AND dettaglio = 'pdf'`, f.caso.String()); n != 1 {
		t.Errorf("%d exports recorded", n)
	}
}

// If queuing a message fails half-way, nothing of the convocazione stays.
func TestConvocaAtomica(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	a := f.aggiungi(t, professionista("Anna", "Verdi", "anna.verdi@asl.example"))
	b := f.aggiungi(t, professionista("Bruno", "Neri", "bruno.neri@cpi.example"))
	// An address the outbox refuses slips in (e.g. written by an older version).
	if _, err := f.pool.Exec(ctx, `UPDATE equipe_membro SET email = 'bruno neri@cpi' WHERE id = $1`, b); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Convoca(ctx, cm, f.caso, equipe.ConvocazioneInput{Data: "2026-10-27", Ora: "10:30", Luogo: "Servizio sociale",
		Invitati: []string{a.String(), b.String()}, Sezioni: []string{"caso"}}, registro.Voce{})
	if err == nil {
		t.Fatal("convocazione with an unusable address succeeded")
	}
	for _, tbl := range []string{"equipe_convocazione", "equipe_invito", "posta_uscita"} {
		if n := f.count(t, `SELECT count(*) FROM `+tbl); n != 0 {
			t.Errorf("%s: %d rows left", tbl, n)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'invio_estratto'`); n != 0 {
		t.Errorf("%d sending records left", n)
	}
}

// A closed case's équipe is read-only.
func TestCasoChiuso(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'chiuso', motivo_chiusura = 'Rinuncia', chiuso_il = '2026-10-01' WHERE id = $1`, f.caso); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AggiungiMembro(ctx, f.people["casemanager"], f.caso, professionista("A", "B", ""), registro.Voce{}); !errors.Is(err, equipe.ErrChiuso) {
		t.Errorf("closed case: %v", err)
	}
	if _, err := f.svc.Scheda(ctx, f.people["casemanager"], f.caso, registro.Voce{}); err != nil {
		t.Errorf("closed case not readable: %v", err)
	}
}
