package app

import (
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/browsertest"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// The case manager opens a case for a family at the desk (an error first,
// shown next to the field with what was typed kept, and one more member
// row), records a member's condition, closes and reopens the case and reads
// its history. Every page passes axe-core.
func TestJourneyAperturaChiusura(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := &journey{browsertest.Start(t), a.URL}
	b.login(t, "casemanager")
	b.Click(t, `a[href="/casi/nuovo"]`)
	checkPage(t, b.Browser, "apertura-01-modulo")
	// The fieldsets' titles never lie under the first field's floating
	// label (issue 21, point 10; other pages still do, see the note).
	if ov := b.Sovrapposizioni(t); len(ov) > 0 {
		t.Errorf("apri un caso: titles and labels overlap:\n%s", strings.Join(ov, "\n"))
	}

	nascita := time.Date(1979, 11, 2, 0, 0, 0, 0, time.UTC)
	cf := codicefiscale.Compute("Neri", "Paola", nascita, "F", "A944")
	b.Select(t, "#misura", "SFL")
	b.Fill(t, "#id_domanda", "INPS-JOURNEY-9")
	b.Fill(t, "#data_domanda", time.Now().AddDate(0, 0, -15).Format("2006-01-02"))
	b.Fill(t, "#indirizzo", "Via del Lavoro 3")
	b.Fill(t, "#c0_codice_fiscale", cf[:15]+"0") // a digit is never a check character: wrong format
	b.Fill(t, "#c0_cognome", "Neri")
	b.Fill(t, "#c0_nome", "Paola")
	b.Select(t, "#c0_sesso", "F")
	b.Fill(t, "#c0_data_nascita", nascita.Format("2006-01-02"))
	b.Click(t, `[data-testid="aggiungi-componente"]`)
	if !b.Exists(t, `[data-testid="componente-4"]`) || b.Value(t, "#c0_cognome") != "Neri" {
		t.Fatal("one more row, with what was typed kept")
	}
	b.Click(t, `[data-testid="apri-caso"]`)
	if got := b.Text(t, `[data-testid="errore-c0_codice_fiscale"]`); !strings.Contains(got, "formato non valido") {
		t.Errorf("CF error: %q", got)
	}
	if b.Value(t, "#c0_nome") != "Paola" || b.Value(t, "#id_domanda") != "INPS-JOURNEY-9" {
		t.Error("typed values lost on error")
	}
	checkPage(t, b.Browser, "apertura-02-errori")
	// The place of birth by name (issue 21, point 6): Milano is not the
	// Bologna of the codice fiscale; "bologna" typed in lower case is.
	b.Fill(t, "#c0_codice_fiscale", cf)
	b.Fill(t, "#c0_luogo_nascita", "Milano")
	b.Click(t, `[data-testid="apri-caso"]`)
	if got := b.Text(t, `[data-testid="errore-c0_luogo_nascita"]`); !strings.Contains(got, "Milano (MI), codice F205 non corrisponde al codice fiscale, che indica Bologna (BO)") {
		t.Errorf("place error: %q", got)
	}
	if b.Value(t, "#c0_luogo_nascita") != "Milano" || b.Value(t, "#c0_cittadinanza") != "Italia" || b.Value(t, "#c0_codice_fiscale") != cf {
		t.Error("typed values lost on the place error")
	}
	checkPage(t, b.Browser, "apertura-02b-luogo")
	b.Fill(t, "#c0_luogo_nascita", "bologna")
	b.Click(t, `[data-testid="apri-caso"]`)
	if got := b.Text(t, `[data-testid="esito"]`); got != "Caso aperto e assegnato a te." {
		t.Fatalf("after opening: %q", got)
	}
	checkPage(t, b.Browser, "apertura-03-scheda")

	b.Click(t, `[data-testid="modifica-componente"]`)
	checkPage(t, b.Browser, "componente-01-modulo")
	b.Fill(t, "#inviato_cpi_il", time.Now().AddDate(0, 0, -1).Format("2006-01-02"))
	b.Click(t, `[data-testid="salva-condizioni"]`)
	if got := b.Text(t, `[data-testid="membri"]`); !strings.Contains(got, "Inviato al CPI il") {
		t.Errorf("members after the CPI date: %q", got)
	}

	b.Click(t, `[data-testid="chiudi-caso"]`)
	checkPage(t, b.Browser, "chiusura-01-modulo")
	b.Select(t, "#motivo", "Obiettivi raggiunti")
	b.Click(t, `[data-testid="conferma-chiusura"]`)
	if got := b.Text(t, `[data-testid="intestazione"]`); !strings.Contains(got, "Obiettivi raggiunti") {
		t.Errorf("closed case header: %q", got)
	}
	b.Click(t, `[data-testid="riapri-caso"]`)
	checkPage(t, b.Browser, "chiusura-02-riapertura")
	b.Fill(t, "#motivo", "Nuova richiesta del nucleo")
	b.Click(t, `[data-testid="conferma-riapertura"]`)
	if got := b.Text(t, `[data-testid="stato"]`); got != "Assegnato" {
		t.Errorf("state after reopening: %q", got)
	}
	b.Click(t, `[data-testid="storico-completo"]`)
	if got := b.Text(t, `[data-testid="eventi"]`); !strings.Contains(got, "Nuova richiesta del nucleo") || !strings.Contains(got, "Obiettivi raggiunti") {
		t.Errorf("history: %q", got)
	}
	if got := b.Text(t, `[data-testid="assegnazioni"]`); !strings.Contains(got, "apertura manuale") {
		t.Errorf("assignment periods: %q", got)
	}
	checkPage(t, b.Browser, "storico-01")
}
