package app

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

// casoIncontri opens (through casi) a nucleo of two (Rossi Maria, richiedente, and her
// son) with an ADI domanda, and a case assigned to casemanager in
// Casalecchio di Reno; it returns the case and the members.
func casoIncontri(t *testing.T, a *testApp) (uuid.UUID, []uuid.UUID) {
	t.Helper()
	fx := fixtures.New(t, a.d.pool)
	cm := fx.Demo()["casemanager"]
	op := cm.OperatoreID
	var membri []fixtures.Membro
	for i, m := range []struct{ nome, sesso, rel string }{{"Maria", "F", "richiedente"}, {"Luca", "M", "figlio"}} {
		birth := time.Date(1985+i*25, 4, 12, 0, 0, 0, 0, time.UTC)
		membri = append(membri, fixtures.Membro{Cognome: "Rossi", Nome: m.nome, Sesso: m.sesso, DataNascita: birth, Relazione: m.rel})
	}
	oggi := calendario.Giorno(time.Now())
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-J-1", DataDomanda: oggi.AddDate(0, 0, -30), DataPAD: oggi.AddDate(0, 0, -30),
		CaseManager: cm, Membri: membri})
	caso := c.ID
	a.exec(t, `INSERT INTO convocazione (caso_id, operatore_id, inizio, luogo, canale)
		VALUES ($1, $2, ((now() AT TIME ZONE 'Europe/Rome')::date + time '10:00') AT TIME ZONE 'Europe/Rome', 'Servizio sociale, via Porrettana 360', 'sms')`, caso, op)
	// Three days ago the nucleo was convened too, and nothing was registered.
	a.exec(t, `INSERT INTO convocazione (caso_id, operatore_id, inizio, luogo, canale, inviata_il)
		VALUES ($1, $2, ((now() AT TIME ZONE 'Europe/Rome')::date - 3 + time '09:00') AT TIME ZONE 'Europe/Rome', 'Servizio sociale, via Porrettana 360', 'sms', current_date - 10)`, caso, op)
	return caso, c.Persone
}

func (b *journey) login(t *testing.T, username string) {
	t.Helper()
	b.Navigate(t, b.base+"/login")
	b.Fill(t, "#username", username)
	b.Fill(t, "#password", demo.Password)
	b.Click(t, `[data-testid="demo-idp-submit"]`)
}

type journey struct {
	*browsertest.Browser
	base string
}

// The case manager registers the first meeting of a nucleo from the
// meetings page, sees the case move to "In valutazione", opens the agenda
// and generates the calendar link; the coordinatore manages the office
// slots. Every page passes axe-core, forms with errors included.
func TestJourneyIncontriEAgenda(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, membri := casoIncontri(t, a)
	b := &journey{browsertest.Start(t), a.URL}

	b.login(t, "casemanager")
	if got := b.Text(t, `[data-testid="nav"]`); !strings.Contains(got, "Agenda") {
		t.Errorf("navigation %q lacks Agenda", got)
	}
	// The convocazione of three days ago, never registered, waits on the
	// home and on the agenda.
	if got := strings.Join(strings.Fields(b.Text(t, `[data-testid="home-lavoro"]`)), " "); !strings.Contains(got, "1 incontro passato da registrare") {
		t.Errorf("home: %q", got)
	}
	checkPage(t, b.Browser, "home-case-manager")
	b.Click(t, `[data-testid="home-lavoro"] a[href="/agenda#da-registrare"]`)
	if got := b.Text(t, `[data-testid="da-registrare"]`); !strings.Contains(got, "Un appuntamento precedente a oggi non è stato registrato") ||
		!strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "09:00") {
		t.Errorf("agenda, da registrare: %q", got)
	}
	checkPage(t, b.Browser, "agenda-00-da-registrare")
	b.Navigate(t, a.URL+"/")

	// From the list of own cases to the case page, then its meetings.
	b.Click(t, `a[href="/casi"]`)
	if got := b.Text(t, `[data-testid="casi"]`); !strings.Contains(got, "Rossi Maria") {
		t.Errorf("/casi %q lacks the case", got)
	}
	checkPage(t, b.Browser, "casi-01-elenco")
	b.Click(t, `a[href="/casi/`+caso.String()+`"]`)
	if got := b.Text(t, `[data-testid="membri"]`); !strings.Contains(got, "Rossi Maria") {
		t.Errorf("case page members %q", got)
	}
	if got := b.Text(t, `[data-testid="scadenze"]`); !strings.Contains(got, "Primo incontro") {
		t.Errorf("case page deadlines %q", got)
	}
	checkPage(t, b.Browser, "casi-02-scheda")
	b.Click(t, `a[href="/casi/`+caso.String()+`/incontri"]`)
	if got := b.Text(t, `[data-testid="convocazioni"]`); !strings.Contains(got, "Servizio sociale") {
		t.Errorf("convocazioni %q", got)
	}
	checkPage(t, b.Browser, "incontri-01-pagina")

	b.Click(t, `#h-convocazioni ~ details > summary`)
	b.Click(t, `[data-testid="registra-convocazione"]`) // nothing typed but the defaults
	if got := b.Text(t, `[data-testid="errori-modulo"]`); !strings.Contains(got, "Indica il luogo dell'incontro.") {
		t.Errorf("convocazione errors: %q", got)
	}
	checkPage(t, b.Browser, "incontri-02-errori-convocazione")

	b.Click(t, `#h-incontri ~ details > summary`)
	b.Fill(t, "#inc-data", casi.Oggi(time.Now()).Format("2006-01-02")) // Rome's today
	b.Click(t, `label[for="presenza-`+membri[0].String()+`-presente"]`)
	b.Click(t, `label[for="presenza-`+membri[1].String()+`-giustificato"]`)
	b.Fill(t, "#motivo-"+membri[1].String(), "A scuola")
	b.Click(t, `[data-testid="registra-incontro"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Incontro registrato." {
		t.Errorf("after registering: %q", got)
	}
	if got := b.Text(t, `[data-testid="incontri"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "Assente con giustificato motivo") {
		t.Errorf("incontri %q", got)
	}
	if got := b.Text(t, "main"); !strings.Contains(got, "In valutazione") {
		t.Error("the case is not shown In valutazione")
	}
	checkPage(t, b.Browser, "incontri-03-registrato")

	b.Click(t, `a[href="/agenda"]`)
	if got := b.Text(t, `[data-testid="appuntamenti"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "10:00") {
		t.Errorf("agenda %q", got)
	}
	// The meeting registered today covers the earlier convocazione too.
	if got := b.Text(t, "main"); strings.Contains(got, "da registrare") {
		t.Error("the agenda still lists meetings to register")
	}
	checkPage(t, b.Browser, "agenda-01-settimana")
	b.Navigate(t, a.URL+"/agenda/calendario")
	b.Click(t, `[data-testid="genera"]`)
	if got := b.Value(t, `[data-testid="link"]`); !strings.Contains(got, "/calendario/") {
		t.Errorf("calendar link %q", got)
	}
	checkPage(t, b.Browser, "agenda-02-calendario")
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "coordinatore")
	b.Navigate(t, a.URL+"/agenda/disponibilita")
	b.Click(t, `[data-testid="aggiungi-fascia"]`) // no comune chosen
	if got := b.Text(t, `[data-testid="errore-comune_id"]`); !strings.Contains(got, "Scegli un comune") {
		t.Errorf("slot error %q", got)
	}
	checkPage(t, b.Browser, "agenda-03-disponibilita-errori")
	b.SelectByText(t, "#comune_id", "Casalecchio di Reno")
	b.Fill(t, "#ufficio", "Servizio sociale")
	b.Click(t, `[data-testid="aggiungi-fascia"]`)
	if got := b.Text(t, `[data-testid="fasce"]`); !strings.Contains(got, "Casalecchio di Reno") {
		t.Errorf("slots %q", got)
	}
	checkPage(t, b.Browser, "agenda-04-disponibilita")
	b.Navigate(t, a.URL+"/agenda")
	if b.Exists(t, `[data-testid="appuntamenti"]`) {
		t.Error("the coordinatore sees appointments")
	}
	checkPage(t, b.Browser, "agenda-05-coordinatore")
}
