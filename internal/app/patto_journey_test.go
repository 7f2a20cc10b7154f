package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/internal/stampa/pdftest"
)

// casoPatto is casoIncontri's nucleo with its case in progettazione and a
// finalised quadro di analisi whose priorities are the nucleo's economic
// situation and Maria's work.
func casoPatto(t *testing.T, a *testApp) (uuid.UUID, []uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	caso, membri := casoIncontri(t, a)
	var op uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT case_manager_id FROM caso WHERE id = $1`, caso).Scan(&op); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `UPDATE caso SET stato = 'progettazione' WHERE id = $1`, caso)
	q := quadro.Contenuto{
		Famiglia: map[string]quadro.Valutazione{"economica": {Bisogno: "grave", Priorita: true}},
		Persone: []quadro.Persona{
			{PersonaID: membri[0].String(), Cognome: "Rossi", Nome: "Maria", DataNascita: "1985-04-12", Relazione: "richiedente",
				Dimensioni: map[string]quadro.Valutazione{"lavoro": {Bisogno: "moderato", Priorita: true}}},
			{PersonaID: membri[1].String(), Cognome: "Rossi", Nome: "Luca", DataNascita: "2010-04-12", Relazione: "figlio"},
		},
		Sintesi: "Lavoro precario, debiti per le utenze.",
	}
	raw, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, a.d.pool, func(tx pgx.Tx) error {
		v, err := schede.NuovaBozza(ctx, tx, caso, quadro.Tipo, raw, op)
		if err != nil {
			return err
		}
		_, err = schede.Finalizza(ctx, tx, caso, quadro.Tipo, v.Revisione, raw, "", op, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return caso, membri
}

// The case manager builds the patto from the quadro's priorities, adds a
// result, a sostegno and an impegno, prints "Il nostro patto" for the
// family, records the signature with the signed scan (a form with errors
// first), sees the signed version and the case "Patto sottoscritto", and
// revises it into version 2. Every page passes axe-core.
func TestJourneyPatto(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, membri := casoPatto(t, a)
	b := &journey{browsertest.Start(t), a.URL}
	base := a.URL + "/casi/" + caso.String()
	oggi := casi.Oggi(time.Now())
	maria := membri[0].String()

	b.login(t, "casemanager")
	b.Navigate(t, base)
	if got := b.Text(t, `section[aria-labelledby="h-sezioni"]`); !strings.Contains(got, "Patto per l'inclusione sociale") || !strings.Contains(got, "Non ancora iniziato") {
		t.Errorf("case page sections: %q", got)
	}
	b.Navigate(t, base+"/patto")
	checkPage(t, b.Browser, "patto-01-da-iniziare")
	b.Click(t, `[data-testid="inizia"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Patto iniziato") {
		t.Fatalf("after start: %q", got)
	}
	if got := b.Value(t, "#o0-titolo"); got != "Situazione economica" {
		t.Errorf("first objective from the quadro: %q", got)
	}
	if got := b.Value(t, "#o1-persona"); got != maria {
		t.Errorf("second objective's member: %q", got)
	}
	checkPage(t, b.Browser, "patto-02-bozza")

	b.Fill(t, "#o1-r0-descrizione", "Iscrizione al centro per l'impiego e curriculum aggiornato")
	b.Fill(t, "#o1-r0-entro", oggi.AddDate(0, 0, 20).Format("2006-01-02"))
	b.Select(t, "#familiare", maria)
	// A short patto: it ends in 25 days, so it is already "in scadenza".
	b.Fill(t, "#al", oggi.AddDate(0, 0, 25).Format("2006-01-02"))
	b.Click(t, `[data-testid="aggiungi-sostegni"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "compila la nuova riga") {
		t.Fatalf("after saving: %q", got)
	}
	b.Select(t, "#s0-tipo", "tirocinio_inclusione")
	b.Select(t, "#s0-persona", maria)
	b.Fill(t, "#s0-ente", "Comune di Casalecchio di Reno")
	b.Select(t, "#s0-obiettivo", b.Value(t, `input[name="o1-id"]`))
	b.Select(t, "#i0-area", "ricerca_lavoro")
	b.Fill(t, "#i0-descrizione", "Presentarsi al centro per l'impiego e rispondere alle offerte")
	b.Fill(t, "#i0-frequenza", "ogni mese")
	b.Click(t, `[data-testid="salva"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Bozza salvata." {
		t.Fatalf("after saving: %q", got)
	}
	if got := b.Value(t, "#s0-ente"); got != "Comune di Casalecchio di Reno" {
		t.Errorf("sostegno not saved: %q", got)
	}
	checkPage(t, b.Browser, "patto-03-salvata")

	// The signature refused: the impegno has no obliged member, no scan.
	b.Fill(t, "#firma-data", oggi.Format("2006-01-02"))
	b.Click(t, `label[for="modalita-cartacea"]`)
	b.Click(t, `[data-testid="sottoscrivi"]`)
	if got := b.Text(t, `[data-testid="errori-modulo"]`); !strings.Contains(got, "Impegno 1: indica il componente tenuto all'impegno.") ||
		!strings.Contains(got, "Carica la scansione del patto firmato") {
		t.Errorf("signing errors: %q", got)
	}
	if got := b.Text(t, `[data-testid="errore-i0-persona"]`); !strings.Contains(got, "componente tenuto") {
		t.Errorf("error next to the field: %q", got)
	}
	if got := b.Value(t, "#firma-data"); got != oggi.Format("2006-01-02") {
		t.Errorf("signing date not kept: %q", got)
	}
	checkPage(t, b.Browser, "patto-04-errori-firma")
	b.Select(t, "#i0-persona", maria)
	b.Click(t, `[data-testid="salva"]`)

	// The print view for the family.
	b.Click(t, `[data-testid="link-stampa"]`)
	if got := b.Text(t, `[data-testid="documento"]`); !strings.Contains(got, "Il nostro patto per l'inclusione sociale") ||
		!strings.Contains(got, "Che cosa vi impegnate a fare") || !strings.Contains(got, "Maria Rossi: Presentarsi al centro per l'impiego") ||
		!strings.Contains(got, "Tirocinio finalizzato all'inclusione sociale") {
		t.Errorf("print view: %q", got)
	}
	checkPage(t, b.Browser, "patto-05-stampa")
	// Printed, the document takes the whole A4 width and no table is cut
	// (issue 21, point 3: print views used two thirds of the width).
	if s := b.Stampabile(t, `[data-testid="documento"]`); s.Larghezza < 0.97 || len(s.Problemi) > 0 {
		t.Errorf("print layout: %.0f%% of the printable width; %v", 100*s.Larghezza, s.Problemi)
	}
	stampato := pdftest.Testo(t, b.Stampa(t))
	pdftest.Contiene(t, stampato, "Comune di Casalecchio di Reno", "Il nostro patto per l'inclusione sociale", "Firmatario", "Codice fiscale")
	if strings.Contains(stampato, "Esci") || strings.Contains(stampato, "Scarica il PDF") {
		t.Errorf("the printed page shows the header or the links of the screen:\n%s", stampato)
	}

	// The signature, with the scan.
	scan := filepath.Join(t.TempDir(), "patto-firmato.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Navigate(t, base+"/patto")
	b.Fill(t, "#firma-data", oggi.Format("2006-01-02"))
	b.Click(t, `label[for="modalita-cartacea"]`)
	if !b.Exists(t, `#firma-c-`+maria+`:checked`) || !b.Exists(t, `#firma-o-cm:checked`) {
		t.Error("the familiare responsabile and the case manager are not pre-ticked")
	}
	b.Upload(t, "#scansione", scan)
	b.Click(t, `[data-testid="sottoscrivi"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Sottoscrizione registrata") {
		t.Fatalf("after signing: %q", got)
	}
	if got := b.Text(t, `[data-testid="versione"]`); !strings.HasPrefix(got, "Versione 1 · Sottoscritta il "+oggi.Format("02/01/2006")+" (Su carta, con la scansione firmata)") {
		t.Errorf("signed version: %q", got)
	}
	if got := b.Text(t, `[data-testid="stato-caso"]`); !strings.Contains(got, "Patto sottoscritto") {
		t.Errorf("case state on the patto page: %q", got)
	}
	if got := b.Text(t, `[data-testid="v-firma"]`); !strings.Contains(got, "Rossi Maria (familiare responsabile)") {
		t.Errorf("signatories: %q", got)
	}
	if b.Exists(t, `[data-testid="modulo"]`) {
		t.Error("the signed version is still editable")
	}
	if !b.Exists(t, `[data-testid="scansione"]`) {
		t.Error("no link to the signed scan")
	}
	if got := b.Text(t, `[data-testid="scadenza"]`); got != "Il patto sottoscritto (versione 1) termina il "+oggi.AddDate(0, 0, 25).Format("02/01/2006")+
		", tra 25 giorni. Rivedilo con la famiglia: la revisione crea una nuova versione, da sottoscrivere." {
		t.Errorf("end of the patto: %q", got)
	}
	checkPage(t, b.Browser, "patto-06-sottoscritto")
	// The home counts it, and the list of patti in scadenza has it.
	b.Navigate(t, a.URL+"/")
	if got := strings.Join(strings.Fields(b.Text(t, `[data-testid="home-lavoro"]`)), " "); !strings.Contains(got, "1 patto terminato o in scadenza entro 30 giorni") {
		t.Errorf("home: %q", got)
	}
	b.Click(t, `[data-testid="home-lavoro"] a[href="/casi/patti"]`)
	if got := b.Text(t, `[data-testid="patti-in-scadenza"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "tra 25 giorni") || !strings.Contains(got, "da avviare") {
		t.Errorf("patti in scadenza: %q", got)
	}
	checkPage(t, b.Browser, "patto-06c-in-scadenza")
	b.Navigate(t, base)
	if got := b.Text(t, `[data-testid="stato"]`); got != casi.PattoSottoscritto.Label() {
		t.Errorf("case state: %q", got)
	}
	if got := b.Text(t, `section[aria-labelledby="h-sezioni"]`); !strings.Contains(got, "Versione 1 sottoscritta") {
		t.Errorf("case page patto status: %q", got)
	}

	// The revision: version 2, a draft from version 1.
	b.Navigate(t, base+"/patto")
	b.Click(t, `[data-testid="rivedi"]`)
	if got := b.Text(t, `[data-testid="errore-motivo"]`); got != "Indica il motivo della revisione del patto." {
		t.Errorf("revision without motivo: %q", got)
	}
	checkPage(t, b.Browser, "patto-06b-errore-revisione")
	b.Fill(t, "#motivo", "Maria ha trovato un lavoro part-time")
	b.Click(t, `[data-testid="rivedi"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Revisione avviata") {
		t.Fatalf("after revising: %q", got)
	}
	if got := b.Text(t, `[data-testid="versione"]`); !strings.Contains(got, "Versione 2") || !strings.Contains(got, "Bozza") {
		t.Errorf("version 2: %q", got)
	}
	if got := b.Value(t, "#i0-descrizione"); got != "Presentarsi al centro per l'impiego e rispondere alle offerte" {
		t.Errorf("version 2 starts from version 1: %q", got)
	}
	checkPage(t, b.Browser, "patto-07-revisione")
	b.Click(t, `[data-testid="link-versioni"]`)
	if got := b.Text(t, `[data-testid="versioni"]`); !strings.Contains(got, "Sottoscritta") || !strings.Contains(got, "Maria ha trovato un lavoro part-time") {
		t.Errorf("versions: %q", got)
	}
	checkPage(t, b.Browser, "patto-08-versioni")
	b.Click(t, `[data-testid="vedi-1"]`)
	if got := b.Text(t, `[data-testid="v-impegni"]`); !strings.Contains(got, "Presentarsi al centro per l'impiego") {
		t.Errorf("version 1: %q", got)
	}
	checkPage(t, b.Browser, "patto-09-versione-1")
}
