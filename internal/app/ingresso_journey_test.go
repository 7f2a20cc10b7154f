package app

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/flusso"
)

// The whole entry of a household, through the browser: the coordinatore
// uploads the nuclei file, follows the import to its end (one line
// rejected, with its reason), finds the nucleo on the board and assigns it
// to casemanager; casemanager finds it in /casi with its 120-day countdown,
// registers the first meeting and writes a diary note; the coordinatore
// sees neither the note nor the case content; casemanager2 is refused on
// the case. axe-core on every page.
func TestJourneyIngressoNucleo(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	// One household of Casalecchio di Reno and one line of a comune outside
	// the ambito.
	var buf bytes.Buffer
	if err := flusso.Genera(&buf, 1, flusso.Opzioni{Seme: 7, Oggi: casi.Oggi(time.Now()), Comuni: []string{demo.Comuni[0].CodiceISTAT}, PrimoNumero: 900}); err != nil {
		t.Fatal(err)
	}
	var h struct {
		IDDomanda  string `json:"id_domanda"`
		Componenti []struct {
			CodiceFiscale string `json:"codice_fiscale"`
			Cognome       string `json:"cognome"`
			Nome          string `json:"nome"`
			Relazione     string `json:"relazione"`
		} `json:"componenti"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &h); err != nil {
		t.Fatal(err)
	}
	richiedente := h.Componenti[0]
	for _, c := range h.Componenti {
		if c.Relazione == "richiedente" {
			richiedente = c
		}
	}
	nome := richiedente.Cognome + " " + richiedente.Nome
	fuori := strings.Replace(strings.Replace(buf.String(), h.IDDomanda, "INPS-FUORI-AMBITO", 1), `"`+demo.Comuni[0].CodiceISTAT+`"`, `"037006"`, 1)
	buf.WriteString(fuori)
	file := filepath.Join(t.TempDir(), "nuclei-novembre.jsonl")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	b := &journey{browsertest.Start(t), a.URL}
	b.login(t, "coordinatore")
	b.Navigate(t, a.URL+"/")
	if got := b.Text(t, `[data-testid="home-lavoro"]`); !strings.Contains(got, "da assegnare") || !strings.Contains(got, "carichi di lavoro") {
		t.Errorf("coordinatore's home: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-00-home-coordinatore")
	b.Click(t, `a[href="/importazioni"]`)
	b.Click(t, `[data-testid="nuova-importazione"]`)
	b.Upload(t, "#file", file)
	b.Click(t, `form[action="/importazioni"] button[type="submit"]`)
	// The import page reloads itself until the import ends.
	deadline := time.Now().Add(30 * time.Second)
	for b.Text(t, `[data-testid="stato"]`) != "Completata" {
		if time.Now().After(deadline) {
			t.Fatalf("import still %q after 30 s", b.Text(t, `[data-testid="stato"]`))
		}
		time.Sleep(500 * time.Millisecond)
		b.Navigate(t, b.URL(t))
	}
	if got := b.Text(t, `[data-testid="inseriti"]`); got != "1" {
		t.Errorf("households inserted: %q, want 1", got)
	}
	if got := b.Text(t, `[data-testid="scarti"]`); !strings.Contains(got, "INPS-FUORI-AMBITO") {
		t.Errorf("rejected lines: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-01-importazione")

	// The board: the new nucleo, searched by the applicant's codice fiscale.
	b.Click(t, `a[href="/assegnazioni"]`)
	b.Fill(t, "#q", richiedente.CodiceFiscale)
	b.Select(t, "#entro", "")
	b.Click(t, `[data-testid="filtra"]`)
	if got := b.Text(t, `[data-testid="board"]`); !strings.Contains(got, nome) || !strings.Contains(got, "Da assegnare") {
		t.Fatalf("board %q lacks %s", got, nome)
	}
	var caso uuid.UUID
	if err := a.d.pool.QueryRow(t.Context(), `SELECT c.id FROM caso c JOIN domanda d ON d.id = c.domanda_id WHERE d.id_domanda = $1`, h.IDDomanda).Scan(&caso); err != nil {
		t.Fatal(err)
	}
	checkPage(t, b.Browser, "ingresso-02-board")
	b.Click(t, `#sel-`+caso.String())
	b.SelectByText(t, "#case_manager", "Ferrari")
	b.Click(t, `[data-testid="assegna"]`)
	if got := b.Text(t, `[data-testid="esiti"]`); !strings.Contains(got, "Assegnati: 1 su 1") {
		t.Fatalf("after assigning: %q", got)
	}
	b.Click(t, `[data-testid="link-carichi"]`)
	if got := b.Text(t, `[data-testid="carichi"]`); !strings.Contains(got, "Ferrari") {
		t.Errorf("workload %q", got)
	}
	checkPage(t, b.Browser, "ingresso-03-carichi")
	b.Navigate(t, a.URL+"/assegnazioni/"+caso.String())
	b.Click(t, `[data-testid="trasferisci"]`)
	b.Fill(t, "#comune", "o")
	b.Click(t, `[data-testid="conferma-trasferimento"]`) // no motivo, several comuni
	if got := b.Text(t, "main"); !strings.Contains(got, "Più comuni corrispondono") {
		t.Errorf("transfer form: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-03b-trasferimento")
	// Choosing Zola Predosa with a motivo asks for confirmation, saying what
	// happens; "Annulla" leaves the case where it is.
	b.Click(t, `#comune-`+a.comune(t, "037060"))
	b.Fill(t, "#motivo", "Cambio di residenza")
	b.Click(t, `[data-testid="conferma-trasferimento"]`)
	if got := b.Text(t, `[data-testid="conferma-titolo"]`); !strings.Contains(got, "Trasferire il caso al comune di Zola Predosa?") {
		t.Errorf("transfer confirmation: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-03b2-conferma-trasferimento")
	b.Click(t, `[data-testid="annulla"]`)
	if !strings.HasSuffix(b.URL(t), "/assegnazioni/"+caso.String()) {
		t.Errorf("Annulla led to %s", b.URL(t))
	}
	b.Click(t, `[data-testid="logout"]`)

	// casemanager: the case in /casi with its countdown; the first meeting.
	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/")
	if got := strings.Join(strings.Fields(b.Text(t, `[data-testid="home-lavoro"]`)), " "); !strings.Contains(got, "1 caso aperto") || !strings.Contains(got, "0 appuntamenti oggi") {
		t.Errorf("case manager's home: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-03c-home-casemanager")
	b.Click(t, `a[href="/casi"]`)
	b.Fill(t, "#q", richiedente.CodiceFiscale)
	b.Click(t, `form[role="search"] button[type="submit"]`)
	if got := b.Text(t, `[data-testid="casi"]`); !strings.Contains(got, nome) || !strings.Contains(got, "gg") {
		t.Fatalf("/casi %q lacks %s with its countdown", got, nome)
	}
	b.Click(t, `a[href="/casi/`+caso.String()+`"]`)
	checkPage(t, b.Browser, "ingresso-04-scheda")
	b.Click(t, `a[href="/casi/`+caso.String()+`/incontri"]`)
	b.Click(t, `#h-incontri ~ details > summary`)
	b.Fill(t, "#inc-data", time.Now().Format("2006-01-02"))
	rows, err := a.d.pool.Query(t.Context(), `SELECT nc.persona_id FROM nucleo_componente nc JOIN caso c ON c.nucleo_id = nc.nucleo_id WHERE c.id = $1 AND nc.al IS NULL`, caso)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p uuid.UUID
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		b.Click(t, `label[for="presenza-`+p.String()+`-presente"]`)
	}
	rows.Close()
	b.Click(t, `[data-testid="registra-incontro"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Incontro registrato." {
		t.Fatalf("after registering the first meeting: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-05-incontro")
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	if got := b.Text(t, "main"); !strings.Contains(got, "Rispettato") && !strings.Contains(got, "rispettato") {
		t.Errorf("the 120-day term is not shown as met after the first meeting: %q", got)
	}
	b.Navigate(t, a.URL+"/casi/"+caso.String()+"/diario")
	b.Select(t, "#categoria", "giudiziaria")
	b.Fill(t, "#testo", "Udienza al tribunale per i minorenni fissata a gennaio.")
	b.Click(t, `[data-testid="salva-nota"]`)
	if got := b.Text(t, `[data-testid="note"]`); !strings.Contains(got, "Udienza al tribunale") {
		t.Errorf("diary after saving: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)

	// The coordinatore sees the assignment, not the content.
	b.login(t, "coordinatore")
	b.Navigate(t, a.URL+"/assegnazioni/"+caso.String())
	if got := b.Text(t, "main"); strings.Contains(got, "Udienza") || strings.Contains(got, "tribunale") {
		t.Error("the coordinatore sees the diary note")
	}
	for _, p := range []string{"/casi/" + caso.String(), "/casi/" + caso.String() + "/diario", "/casi/" + caso.String() + "/incontri"} {
		b.Navigate(t, a.URL+p)
		if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
			t.Errorf("coordinatore on %s: %q", p, got)
		}
		checkPage(t, b.Browser, "ingresso-rifiuto-coordinatore")
	}
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "casemanager2")
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Pagina non trovata" {
		t.Errorf("casemanager2 on casemanager's case: %q", got)
	}
	checkPage(t, b.Browser, "ingresso-06-casemanager2")
}
