package app

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
)

// The whole life of a PaIS in one go, as the done-when reads: the
// case manager builds the patto from the quadro di analisi's priorities,
// adds a sostegno and an impegno, prints it, records the signature, plans
// and assesses a monitoring meeting on that very patto (the 90-day counter
// restarts) and drafts a segnalazione on the impegno not kept; the
// coordinatore approves it and the INPS export contains it. The separate
// journeys (patto, monitoraggio, segnalazioni) cover the error paths and
// every page's accessibility; this one checks the pieces fit together.
func TestJourneyPaIS(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, membri := casoPatto(t, a)
	ctx := context.Background()
	// The first meeting was 80 days ago: the 90-day contact is due in 10.
	var op uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT case_manager_id FROM caso WHERE id = $1`, caso).Scan(&op); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `DELETE FROM convocazione WHERE caso_id = $1`, caso)
	a.exec(t, `UPDATE domanda SET data_domanda = current_date - 110, data_pad = current_date - 100 WHERE id = (SELECT domanda_id FROM caso WHERE id = $1)`, caso)
	var inc uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `INSERT INTO incontro (caso_id, tipo, data, registrato_da) VALUES ($1, 'primo_incontro', current_date - 80, $2) RETURNING id`,
		caso, op).Scan(&inc); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `INSERT INTO incontro_presenza (incontro_id, persona_id, presente) VALUES ($1, $2, true)`, inc, membri[0])
	if err := a.d.casi.Aggiorna(ctx, a.d.pool, caso); err != nil {
		t.Fatal(err)
	}
	var cf string
	if err := a.d.pool.QueryRow(ctx, `SELECT codice_fiscale FROM persona WHERE id = $1`, membri[0]).Scan(&cf); err != nil {
		t.Fatal(err)
	}

	b := &journey{browsertest.Start(t), a.URL}
	base := a.URL + "/casi/" + caso.String()
	oggi := casi.Oggi(time.Now())
	maria, luca := membri[0].String(), membri[1].String()

	b.login(t, "casemanager")
	b.Navigate(t, base)
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, oggi.AddDate(0, 0, 10).Format("02/01/2006")) {
		t.Errorf("T90 before the monitoring: %q", got)
	}

	// The patto, from the quadro's priorities.
	b.Click(t, `a[href$="/patto"]`)
	b.Click(t, `[data-testid="inizia"]`)
	if got := b.Value(t, "#o0-titolo"); got != "Situazione economica" {
		t.Errorf("first objective from the quadro: %q", got)
	}
	if got := b.Value(t, "#o1-persona"); got != maria {
		t.Errorf("second objective's member: %q", got)
	}
	b.Fill(t, "#o1-r0-descrizione", "Iscrizione al centro per l'impiego e curriculum aggiornato")
	b.Fill(t, "#o1-r0-entro", oggi.AddDate(0, 2, 0).Format("2006-01-02"))
	b.Select(t, "#familiare", maria)
	b.Fill(t, "#al", oggi.AddDate(1, 0, 0).Format("2006-01-02"))
	b.Click(t, `[data-testid="aggiungi-sostegni"]`)
	b.Select(t, "#s0-tipo", "tirocinio_inclusione")
	b.Select(t, "#s0-persona", maria)
	b.Fill(t, "#s0-ente", "Comune di Casalecchio di Reno")
	b.Select(t, "#s0-obiettivo", b.Value(t, `input[name="o1-id"]`))
	b.Select(t, "#i0-area", "ricerca_lavoro")
	b.Fill(t, "#i0-descrizione", "Presentarsi al centro per l'impiego e rispondere alle offerte")
	b.Fill(t, "#i0-frequenza", "ogni mese")
	b.Select(t, "#i0-persona", maria)
	b.Click(t, `[data-testid="salva"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Bozza salvata." {
		t.Fatalf("after saving: %q", got)
	}

	// Printed for the family, then signed on paper with the scan.
	b.Click(t, `[data-testid="link-stampa"]`)
	if got := b.Text(t, `[data-testid="documento"]`); !strings.Contains(got, "Maria Rossi: Presentarsi al centro per l'impiego") ||
		!strings.Contains(got, "Tirocinio finalizzato all'inclusione sociale") {
		t.Errorf("print view: %q", got)
	}
	scan := filepath.Join(t.TempDir(), "patto-firmato.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Navigate(t, base+"/patto")
	b.Fill(t, "#firma-data", oggi.Format("2006-01-02"))
	b.Click(t, `label[for="modalita-cartacea"]`)
	b.Upload(t, "#scansione", scan)
	b.Click(t, `[data-testid="sottoscrivi"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Sottoscrizione registrata") {
		t.Fatalf("after signing: %q", got)
	}

	// Monitoring: the meeting assesses the signed patto's risultato and impegno.
	b.Navigate(t, base+"/monitoraggio")
	if got := b.Text(t, `[data-testid="patto"]`); !strings.Contains(got, "Versione 1") {
		t.Errorf("monitoring page's patto: %q", got)
	}
	b.Click(t, `[data-testid="pianifica"]`)
	risultato := b.Value(t, `input[name="risultato"]`)
	impegno := b.Value(t, `input[name="impegno"]`)
	if risultato == "" || impegno == "" {
		t.Fatalf("the planning form does not offer the patto's risultato (%q) and impegno (%q)", risultato, impegno)
	}
	b.Fill(t, "#data", oggi.Format("2006-01-02"))
	b.Fill(t, "#luogo", "Servizio sociale, via Porrettana 360")
	b.Click(t, `label[for="r-`+risultato+`"]`)
	b.Click(t, `label[for="i-`+impegno+`"]`)
	b.Click(t, `[data-testid="salva-pianificazione"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Incontro pianificato." {
		t.Fatalf("after planning: %q", got)
	}
	b.Click(t, `label[for="presenza-`+maria+`-presente"]`)
	b.Click(t, `label[for="presenza-`+luca+`-giustificato"]`)
	b.Fill(t, "#motivo-"+luca, "A scuola")
	b.Click(t, `label[for="val_r_`+risultato+`-parziale"]`)
	b.Click(t, `label[for="val_i_`+impegno+`-non_rispettato"]`)
	b.Fill(t, "#note", "Non si è presentata al centro per l'impiego.")
	b.Fill(t, "#prossimo", oggi.AddDate(0, 0, 30).Format("2006-01-02"))
	b.Click(t, `[data-testid="registra"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Incontro registrato") {
		t.Fatalf("after recording: %q", got)
	}
	if got := b.Text(t, `[data-testid="impegni"]`); !strings.Contains(got, "Non rispettato") {
		t.Errorf("impegni: %q", got)
	}
	checkPage(t, b.Browser, "pais-01-monitoraggio-svolto")
	incontro := b.URL(t)
	b.Navigate(t, base)
	if got := b.Text(t, `[data-testid="t90"]`); !strings.Contains(got, oggi.AddDate(0, 0, 90).Format("02/01/2006")) {
		t.Errorf("T90 after the monitoring meeting: %q", got)
	}

	// The segnalazione for the impegno not kept, from the meeting's warning:
	// the form comes filled in with the type, the impegno and its member.
	b.Navigate(t, incontro)
	b.Click(t, `[data-testid="nuova-segnalazione"]`)
	if got := b.Value(t, "#tipo"); got != "impegni_non_rispettati" {
		t.Errorf("segnalazione type: %q", got)
	}
	if got := b.Value(t, "#impegno"); got != impegno {
		t.Errorf("segnalazione impegno: %q, want %q", got, impegno)
	}
	if got := b.Value(t, "#persona"); got != maria {
		t.Errorf("segnalazione member: %q", got)
	}
	checkPage(t, b.Browser, "pais-02-segnalazione-compilata")
	b.Fill(t, "#data-evento", oggi.Format("2006-01-02"))
	b.Fill(t, "#descrizione", "All'incontro di monitoraggio è risultato che non si è presentata al centro per l'impiego nell'ultimo mese.")
	b.Click(t, `[data-testid="invia"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Segnalazione inviata in approvazione al coordinatore." {
		t.Fatalf("after sending: %q", got)
	}
	if got := b.Text(t, "main"); !strings.Contains(got, "Patto versione 1: Presentarsi al centro per l'impiego") {
		t.Errorf("segnalazione's impegno: %q", got)
	}
	// The case page says where monitoring and segnalazioni stand.
	b.Navigate(t, base)
	if got := b.Text(t, `section[aria-labelledby="h-sezioni"]`); !strings.Contains(got, "1 incontro svolto") || !strings.Contains(got, "1 segnalazione, 1 in corso") {
		t.Errorf("case page sections: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)

	// The coordinatore approves it and exports it for INPS.
	b.login(t, "coordinatore")
	b.Navigate(t, a.URL+"/")
	if got := strings.Join(strings.Fields(b.Text(t, `[data-testid="home-lavoro"] a[href="/segnalazioni"]`)), " "); got != "1 segnalazione da approvare" {
		t.Errorf("coordinatore's home: %q", got)
	}
	b.Click(t, `[data-testid="home-lavoro"] a[href="/segnalazioni"]`)
	b.Click(t, `[data-testid="coda"] a[data-testid^="apri-"]`)
	b.Click(t, `[data-testid="approva"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Segnalazione approvata") {
		t.Fatalf("after approving: %q", got)
	}
	b.Click(t, `[data-testid="tab-invii"]`)
	b.Click(t, `[data-testid="esporta"]`)
	if got := b.Text(t, `[data-testid="esito"]`); !strings.Contains(got, "Esportazione n. 1 creata") {
		t.Fatalf("after exporting: %q", got)
	}
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)
	resp, err := c.Get(a.URL + "/segnalazioni/invii/1/file")
	if err != nil {
		t.Fatal(err)
	}
	file := readBody(t, resp)
	if resp.StatusCode != http.StatusOK || strings.Count(file, "\n") != 1 {
		t.Fatalf("export file: %d, %d lines", resp.StatusCode, strings.Count(file, "\n"))
	}
	for _, want := range []string{`"numero":"S-000001"`, `"codice_fiscale":"` + cf + `"`, `"codice_evento":"impegni_non_rispettati"`, `"id_domanda":"INPS-J-1"`} {
		if !strings.Contains(file, want) {
			t.Errorf("export file lacks %s:\n%s", want, file)
		}
	}
}
