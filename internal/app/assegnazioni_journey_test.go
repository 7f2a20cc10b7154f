package app

import (
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/browsertest"
)

// The coordinatore finds an incoming nucleo on the board (anagrafica
// only), assigns it to casemanager, and cannot open its content; the case
// manager then finds it in /casi with its 120-day countdown, while
// casemanager2 is refused on it. axe-core on every page.
func TestJourneyCoordinatoreAssegna(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	a.exec(t, `DELETE FROM convocazione WHERE caso_id = $1`, caso)
	a.exec(t, `UPDATE caso SET case_manager_id = NULL, assegnato_il = NULL, stato = 'ricevuto' WHERE id = $1`, caso)
	if err := a.d.casi.Aggiorna(t.Context(), a.d.pool, caso); err != nil {
		t.Fatal(err)
	}
	b := &journey{browsertest.Start(t), a.URL}

	b.login(t, "coordinatore")
	b.Click(t, `a[href="/assegnazioni"]`)
	if got := b.Text(t, `[data-testid="board"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "Da assegnare") {
		t.Fatalf("board %q", got)
	}
	checkPage(t, b.Browser, "assegnazioni-01-board")
	// Sasso Marconi has no case manager: said at the top (issue 21, point 8).
	if got := b.Text(t, `[data-testid="comuni-senza-cm"]`); !strings.Contains(got, "Sasso Marconi") || strings.Contains(got, "Zola") {
		t.Errorf("comuni without a case manager: %q", got)
	}
	// The assign form comes before the list; "Seleziona tutti" ticks the
	// page's cases without JavaScript.
	if above := b.Eval(t, `String(document.querySelector("#case_manager").getBoundingClientRect().top < document.querySelector("[data-testid=board]").getBoundingClientRect().top)`); above != "true" {
		t.Error("the assign form is below the list")
	}
	b.Click(t, `[data-testid="seleziona-tutti"]`)
	if got := b.Eval(t, `String(Array.from(document.querySelectorAll("input[name=caso]")).every(c => c.checked))`); got != "true" {
		t.Error("Seleziona tutti left cases unticked")
	}
	b.Click(t, `[data-testid="deseleziona-tutti"]`)
	b.Click(t, `[data-testid="assegna"]`) // nothing selected
	if got := b.Text(t, `[data-testid="errore"]`); !strings.Contains(got, "Seleziona almeno un caso") {
		t.Errorf("error without selection: %q", got)
	}
	b.Click(t, `#sel-`+caso.String())
	b.SelectByText(t, "#case_manager", "Ferrari")
	b.Click(t, `[data-testid="assegna"]`)
	if got := b.Text(t, `[data-testid="esiti"]`); !strings.Contains(got, "Assegnati: 1 su 1") {
		t.Fatalf("after assigning: %q", got)
	}
	checkPage(t, b.Browser, "assegnazioni-02-esito")
	b.Click(t, `a[href="/assegnazioni/`+caso.String()+`"]`)
	if got := b.Text(t, `[data-testid="assegnazioni"]`); !strings.Contains(got, "Ferrari") {
		t.Errorf("assignment history %q", got)
	}
	checkPage(t, b.Browser, "assegnazioni-03-anagrafica")
	// The coordinatore never reaches the case content.
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
		t.Errorf("coordinatore on the case page: %q", got)
	}
	checkPage(t, b.Browser, "assegnazioni-04-caso-rifiutato")
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "casemanager")
	b.Navigate(t, a.URL+"/casi")
	if got := b.Text(t, `[data-testid="casi"]`); !strings.Contains(got, "Rossi Maria") || !strings.Contains(got, "gg") {
		t.Errorf("/casi after assignment %q", got)
	}
	// A diary note: an empty text is refused next to the field, the date kept.
	b.Navigate(t, a.URL+"/casi/"+caso.String()+"/diario")
	b.Select(t, "#categoria", "sanitaria")
	b.Click(t, `[data-testid="salva-nota"]`)
	if got := b.Text(t, `#testo-errore`); !strings.Contains(got, "Scrivi il testo") {
		t.Errorf("empty note error: %q", got)
	}
	if got := b.Value(t, "#categoria"); got != "sanitaria" {
		t.Errorf("category typed was lost: %q", got)
	}
	checkPage(t, b.Browser, "diario-01-errore")
	b.Fill(t, "#testo", "Seguita dal consultorio familiare.")
	b.Click(t, `[data-testid="salva-nota"]`)
	if got := b.Text(t, `[data-testid="note"]`); !strings.Contains(got, "Seguita dal consultorio familiare.") || !strings.Contains(got, "Sanitaria") {
		t.Errorf("diary after saving: %q", got)
	}
	checkPage(t, b.Browser, "diario-02-nota")
	b.Click(t, `[data-testid="logout"]`)

	// The coordinatore sees neither the note nor the diary.
	b.login(t, "coordinatore")
	b.Navigate(t, a.URL+"/assegnazioni/"+caso.String())
	if got := b.Text(t, "main"); strings.Contains(got, "consultorio") {
		t.Error("the coordinatore sees the diary note")
	}
	b.Navigate(t, a.URL+"/casi/"+caso.String()+"/diario")
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Accesso non consentito" {
		t.Errorf("coordinatore on the diary: %q", got)
	}
	b.Click(t, `[data-testid="logout"]`)

	b.login(t, "casemanager2")
	b.Navigate(t, a.URL+"/casi/"+caso.String())
	if got := b.Text(t, `[data-testid="error-title"]`); got != "Pagina non trovata" {
		t.Errorf("casemanager2 on casemanager's case: %q", got)
	}
}
