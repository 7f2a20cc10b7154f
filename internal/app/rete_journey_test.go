package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/rete"
)

// casoConPatto is a case of casemanager walked, through the services, to
// a signed patto (the demo's walk): Rossi Maria (the applicant, 18–59) and
// her son. It returns the case and the sostegno of the patto that is
// Maria's.
func casoConPatto(t *testing.T, a *testApp) (uuid.UUID, string) {
	t.Helper()
	ctx := context.Background()
	fx := fixtures.New(t, a.d.pool)
	cm := fx.Demo()["casemanager"]
	var membri []fixtures.Membro
	for i, m := range []struct{ nome, sesso, rel string }{{"Maria", "F", "richiedente"}, {"Luca", "M", "figlio"}} {
		membri = append(membri, fixtures.Membro{Cognome: "Rossi", Nome: m.nome, Sesso: m.sesso,
			DataNascita: time.Date(1985+i*25, 4, 12, 0, 0, 0, 0, time.UTC), Relazione: m.rel})
	}
	oggi := calendario.Giorno(time.Now())
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-RETE-1", DataDomanda: oggi.AddDate(0, 0, -80), DataPAD: oggi.AddDate(0, 0, -80),
		CaseManager: cm, Membri: membri})
	w := walker{
		d: a.d, p: cm, oggi: a.d.casi.Oggi(),
		v:   registro.Voce{OperatoreID: &cm.OperatoreID, Ruolo: string(cm.Ruolo), AmbitoID: cm.AmbitoID, ComuneID: cm.ComuneID, Indirizzo: "test"},
		inc: incontri.NewService(a.d.pool, a.d.registro, a.d.casi),
		mon: monitoraggio.NewService(a.d.pool, a.d.registro, a.d.casi),
		eq:  equipe.NewService(a.d.pool, a.d.registro, a.d.casi, a.d.posta, fonteEstratto(a.d.pool, a.d.casi, a.d.analisi)),
	}
	if err := w.percorso(ctx, c.ID, tappaAgenda); err != nil {
		t.Fatal(err)
	}
	pc, _, err := a.d.patto.Firmato(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range pc.Sostegni {
		if s.PersonaID == c.Persone[0].String() {
			return c.ID, s.ID
		}
	}
	t.Fatalf("no sostegno of the applicant in the signed patto: %+v", pc.Sostegni)
	return uuid.Nil, ""
}

// The network of services end to end, in the browser, axe-core on every
// page. The gestore della rete adds a service of the consultorio to the
// map; the case manager finds it from a case and sends Maria to it from a
// sostegno of the signed patto — first with sections ticked and no consent
// (the message, everything kept), then with her consent for two sections;
// the operatore of the consultorio sees exactly those two sections,
// accepts, records a note and concludes; the case manager sees the outcome
// on the sostegno. A second invio, unanswered past its protocol's time, is
// flagged on the coordinatore's home. The operatore of the ente is refused
// on the case page and on an invio to another ente.
func TestJourneyRete(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	ctx := context.Background()
	caso, sostegno := casoConPatto(t, a)
	ps, err := demo.Principals(ctx, a.d.accesso)
	if err != nil {
		t.Fatal(err)
	}
	g, cm := ps["gestorerete"], ps["casemanager"]
	var consultorio int64
	if err := a.d.pool.QueryRow(ctx, `SELECT id FROM rete_ente WHERE denominazione = $1`, demo.EnteDemo).Scan(&consultorio); err != nil {
		t.Fatal(err)
	}
	annoFa := calendario.ISO(calendario.Giorno(time.Now()).AddDate(-1, 0, 0))

	b := &journey{browsertest.Start(t), a.URL}

	// The gestore adds the service.
	b.login(t, "gestorerete")
	b.Click(t, `[data-testid="nav"] a[href="/rete"]`)
	checkPage(t, b.Browser, "rete-01-enti")
	b.Navigate(t, a.URL+"/rete/servizi/nuovo")
	b.Select(t, "#ente", strconv.FormatInt(consultorio, 10))
	b.Fill(t, "#denominazione", "Sostegno psicologico e alla genitorialità")
	b.Select(t, "#area", "salute")
	b.Fill(t, "#descrizione", "Colloqui con la psicologa del consultorio e gruppi per genitori.")
	b.Fill(t, "#criteri_accesso", "Genitori dei nuclei in carico ai servizi sociali.")
	b.Fill(t, "#modalita_accesso", "Invio dal case manager; primo colloquio su appuntamento.")
	b.Fill(t, "#contatti", "051 596 6000, martedì e giovedì 14–17")
	b.Fill(t, "#capacita", "8")
	b.Fill(t, "#valido_dal", annoFa)
	checkPage(t, b.Browser, "rete-02-nuovo-servizio")
	b.Click(t, `[data-testid="salva"]`)
	var servizio int64
	if err := a.d.pool.QueryRow(ctx, `SELECT id FROM rete_servizio WHERE denominazione = 'Sostegno psicologico e alla genitorialità'`).Scan(&servizio); err != nil {
		t.Fatalf("the service was not saved (page %s): %v", b.URL(t), err)
	}
	checkPage(t, b.Browser, "rete-03-servizio-salvato")
	b.Click(t, `[data-testid="logout"]`)
	// Its protocol: answer to the case manager within 10 days.
	if _, err := a.d.rete.SalvaProtocollo(ctx, g, 0, rete.ProtocolloInput{Titolo: "Protocollo con il consultorio", DataStipula: annoFa,
		ValidoDal: annoFa, Procedura: "nuova_valutazione", GiorniRispostaCM: "10", GiorniRispostaPersona: "15", Periodo: "trimestre",
		MotiviRifiuto: "Capacità esaurita\nRequisiti non posseduti", Enti: []string{strconv.FormatInt(consultorio, 10)},
		Servizi: []string{strconv.FormatInt(servizio, 10)}, Capacita: map[string]string{strconv.FormatInt(servizio, 10): "8"}},
		voceDi(g)); err != nil {
		t.Fatal(err)
	}

	// The case manager finds it and sends Maria from the sostegno.
	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/rete/mappa?caso="+caso.String()+"&q=genitorialit")
	if got := b.Text(t, `[data-testid="risultati"]`); !strings.Contains(got, "Sostegno psicologico e alla genitorialità") {
		t.Errorf("the map from the case: %q", got)
	}
	checkPage(t, b.Browser, "rete-04-mappa")
	b.Navigate(t, a.URL+"/rete/servizi/"+strconv.FormatInt(servizio, 10)+"/scheda")
	if got := b.Text(t, "main"); !strings.Contains(got, "051 596 6000") || strings.Contains(got, "Rossi") {
		t.Errorf("the family's sheet: %q", got)
	}
	checkPage(t, b.Browser, "rete-04b-scheda-famiglia")
	b.Navigate(t, a.URL+"/casi/"+caso.String()+"/patto")
	b.Click(t, `[data-testid="invia-sostegno-`+sostegno+`"]`)
	b.Select(t, "#servizio_id", strconv.FormatInt(servizio, 10))
	const motivo = "La signora chiede un sostegno nella relazione con il figlio adolescente, concordato al colloquio."
	b.Fill(t, "#motivazione", motivo)
	b.Click(t, "#consenso-no")
	b.Click(t, "#sezione-anagrafica")
	b.Click(t, "#sezione-sostegno")
	b.Click(t, `[data-testid="invia"]`)
	if got := b.Text(t, "main"); !strings.Contains(got, "consenso") || b.Value(t, "#motivazione") != motivo {
		t.Errorf("sections without consent: %q (motivazione %q)", got, b.Value(t, "#motivazione"))
	}
	checkPage(t, b.Browser, "rete-05-senza-consenso")
	b.Click(t, "#consenso-si")
	b.Fill(t, "#consenso_da", "Maria Rossi, interessata")
	b.Fill(t, "#consenso_il", calendario.ISO(calendario.Giorno(time.Now())))
	b.Select(t, "#consenso_modalita", "scritto")
	b.Click(t, `[data-testid="invia"]`)
	if got := b.Text(t, `[data-testid="stato"]`); !strings.Contains(got, "Inviato") {
		t.Errorf("after sending: %q", got)
	}
	checkPage(t, b.Browser, "rete-06-inviato")
	b.Click(t, `[data-testid="logout"]`)

	// The consultorio answers.
	b.login(t, "operatoreente")
	b.Click(t, `[data-testid="nav"] a[href="/invii"]`)
	checkPage(t, b.Browser, "rete-07-invii-ente")
	b.Click(t, `[data-testid="invii"] a`)
	estratto := b.Text(t, `[data-testid="estratto"]`)
	if !b.Exists(t, `[data-testid="sezione-anagrafica"]`) || !b.Exists(t, `[data-testid="sezione-sostegno"]`) ||
		b.Exists(t, `[data-testid="sezione-nucleo"]`) || b.Exists(t, `[data-testid="sezione-analisi"]`) ||
		b.Exists(t, `[data-testid="sezione-patto"]`) || b.Exists(t, `[data-testid="sezione-condizioni"]`) || strings.Contains(estratto, "Luca") {
		t.Errorf("the ente sees more or less than the two consented sections: %q", estratto)
	}
	if !strings.Contains(estratto, "Luogo nascita\nBologna (BO)") || !strings.Contains(estratto, "Cittadinanza\nItalia") {
		t.Errorf("the ente reads codes, not the names of the place of birth and the citizenship: %q", estratto)
	}
	checkPage(t, b.Browser, "rete-08-invio-ente")
	b.Fill(t, "#data_inizio", calendario.ISO(calendario.Giorno(time.Now()).AddDate(0, 0, 7)))
	b.Click(t, `[data-testid="accetta"]`)
	if got := b.Text(t, `[data-testid="stato"]`); !strings.Contains(got, "Accettato") {
		t.Errorf("after accepting: %q", got)
	}
	b.Fill(t, "#testo", "Primo colloquio svolto, la signora partecipa volentieri.")
	b.Click(t, `[data-testid="annota"]`)
	if b.Exists(t, `[data-testid="avvia"]`) {
		b.Click(t, `[data-testid="avvia"]`)
	}
	b.Select(t, "#esito", "completato")
	b.Fill(t, "#esito_testo", "Quattro colloqui svolti: obiettivo raggiunto.")
	b.Click(t, `[data-testid="concludi"]`)
	if got := b.Text(t, `[data-testid="stato"]`); !strings.Contains(got, "Concluso") {
		t.Errorf("after concluding: %q", got)
	}
	checkPage(t, b.Browser, "rete-09-concluso")
	// Refused: the case page, an invio to another ente.
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	if got := b.Text(t, "h1"); got != "Accesso non consentito" {
		t.Errorf("the ente's operator on the case page: %q", got)
	}
	checkPage(t, b.Browser, "rete-10-caso-rifiutato")
	altro := invioAltroEnte(t, a, g, cm, caso)
	b.Navigate(t, a.URL+"/invii/"+strconv.FormatInt(altro, 10))
	if got := b.Text(t, "h1"); got != "Pagina non trovata" {
		t.Errorf("the ente's operator on another ente's invio: %q", got)
	}
	checkPage(t, b.Browser, "rete-11-altro-ente")
	b.Click(t, `[data-testid="logout"]`)

	// The case manager sees the outcome on the sostegno.
	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/casi/"+caso.String()+"/patto")
	if got := b.Text(t, `[data-testid="esito-invio-sostegno-`+sostegno+`"]`); !strings.Contains(got, "Percorso completato") ||
		!strings.Contains(got, "obiettivo raggiunto") {
		t.Errorf("the outcome on the sostegno: %q", got)
	}
	checkPage(t, b.Browser, "rete-12-patto")
	// … and on the planned monitoring meeting, to review with the family.
	b.Navigate(t, a.URL+"/casi/"+caso.String()+"/monitoraggio")
	b.Click(t, `tr[data-testid^="incontro-"] a`)
	if got := b.Text(t, `[data-testid="invii-rete"]`); !strings.Contains(got, "Sostegno psicologico e alla genitorialità") ||
		!strings.Contains(got, "Percorso completato: Quattro colloqui svolti") || !strings.Contains(got, "Risposta in ritardo") {
		t.Errorf("the monitoring meeting's invii: %q", got)
	}
	checkPage(t, b.Browser, "rete-12b-monitoraggio")
	b.Click(t, `[data-testid="logout"]`)

	// The other invio is overdue (sent 20 days ago, 10 days to answer):
	// flagged on the coordinatore's home.
	b.login(t, "coordinatore")
	if got := b.Text(t, `[data-testid="home-lavoro"]`); !strings.Contains(got, "1\ninvio a un servizio della rete senza risposta nei tempi") {
		t.Errorf("the coordinatore's home: %q", got)
	}
	checkPage(t, b.Browser, "rete-13-home-coordinatore")
	// The coordinatore's other pages of the network: the overdue list, the
	// report with its chart, the protocols (read only).
	b.Navigate(t, a.URL+"/rete/invii-in-ritardo")
	if got := b.Text(t, "main"); !strings.Contains(got, "Spesa solidale") || strings.Contains(got, "Rossi") {
		t.Errorf("the overdue list (no member named): %q", got)
	}
	checkPage(t, b.Browser, "rete-14-in-ritardo")
	b.Navigate(t, a.URL+"/rete/report")
	if got := b.Text(t, "main"); !strings.Contains(got, "Protocollo con il consultorio") {
		t.Errorf("the report: %q", got)
	}
	checkPage(t, b.Browser, "rete-15-report")
	b.Navigate(t, a.URL+"/rete/protocolli")
	checkPage(t, b.Browser, "rete-16-protocolli")
	b.Click(t, `[data-testid="protocolli"] a`)
	checkPage(t, b.Browser, "rete-17-protocollo")
}

// invioAltroEnte sends, 20 days ago, Maria to a service of another ente
// (with a protocol giving 10 days to answer), and returns its number.
func invioAltroEnte(t *testing.T, a *testApp, g, cm authz.Principal, caso uuid.UUID) int64 {
	t.Helper()
	ctx := context.Background()
	annoFa := calendario.ISO(calendario.Giorno(time.Now()).AddDate(-1, 0, 0))
	var comune int64
	if err := a.d.pool.QueryRow(ctx, `SELECT comune_id FROM caso WHERE id = $1`, caso).Scan(&comune); err != nil {
		t.Fatal(err)
	}
	ente, err := a.d.rete.CreaEnte(ctx, g, rete.EnteInput{Denominazione: "Emporio solidale Il Granaio ETS", Tipo: "terzo_settore",
		Comuni: []string{strconv.FormatInt(comune, 10)}}, voceDi(g))
	if err != nil {
		t.Fatal(err)
	}
	serv, err := a.d.rete.CreaServizio(ctx, g, rete.ServizioInput{Ente: strconv.FormatInt(ente, 10), Denominazione: "Spesa solidale",
		Area: "sostegno_economico", PeriodoCapacita: "mese", ValidoDal: annoFa}, voceDi(g))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.d.rete.SalvaProtocollo(ctx, g, 0, rete.ProtocolloInput{Titolo: "Protocollo con l'emporio", DataStipula: annoFa,
		ValidoDal: annoFa, Procedura: "ordine_arrivo", GiorniRispostaCM: "10", GiorniRispostaPersona: "15", Periodo: "mese",
		MotiviRifiuto: "Tessere esaurite", Enti: []string{strconv.FormatInt(ente, 10)}, Servizi: []string{strconv.FormatInt(serv, 10)},
		Capacita: map[string]string{}}, voceDi(g)); err != nil {
		t.Fatal(err)
	}
	svc := rete.NewService(a.d.pool, a.d.registro, a.d.casi, a.d.patto, a.d.posta)
	svc.SetClock(func() time.Time { return time.Now().AddDate(0, 0, -20) })
	var persona uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT nc.persona_id FROM caso c JOIN nucleo_componente nc ON nc.nucleo_id = c.nucleo_id
		WHERE c.id = $1 AND nc.relazione = 'richiedente'`, caso).Scan(&persona); err != nil {
		t.Fatal(err)
	}
	id, err := svc.Invia(ctx, cm, caso, rete.InputInvio{PersonaID: persona.String(), ServizioID: strconv.FormatInt(serv, 10),
		Motivazione: "Spesa solidale per tre mesi.", Consenso: "no"}, voceDi(cm))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := a.d.pool.QueryRow(ctx, `SELECT numero FROM rete_invio WHERE id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
