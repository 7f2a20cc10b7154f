package casi

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/web/ui"
)

// The case page names the state of the benefit's payment in words, as the
// opening form offers it, never as the code INPS's flow carries.
func TestSchedaStatoErogazioneInChiaro(t *testing.T) {
	t.Parallel()
	var sc Scheda
	sc.Caso.StatoErogazione = "in_erogazione"
	var b strings.Builder
	if err := schedaPage(ui.Shell{}, sc, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "In erogazione") || strings.Contains(b.String(), "in_erogazione") {
		t.Errorf("stato dell'erogazione not in words:\n%s", b.String())
	}
}

// The diary's card says how many notes it holds, in the singular for one
// (the other sections' texts are tested in the modules that give them).
func TestSezioni(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0 note", 1: "1 nota", 3: "3 note"} {
		if got := testoDiario(n); got != want {
			t.Errorf("diario with %d notes: %q, want %q", n, got, want)
		}
	}
}

// fonte is a section source for the tests.
type fonte struct {
	x   Sezione
	err error
}

func (f fonte) AccodaSezione(_ *pgx.Batch, c Caso) func() (Sezione, error) {
	return func() (Sezione, error) {
		f.x.Href = strings.ReplaceAll(f.x.Href, "{id}", c.ID.String())
		return f.x, f.err
	}
}

// The case page shows the sections its sources give, in the order they are
// listed, each linking to its page; a section without a page is announced.
func TestSchedaMostraLeSezioniDelleFonti(t *testing.T) {
	s := (&Service{}).ConSezioni(
		fonte{x: Sezione{Titolo: "Primo modulo", Testo: "2 cose fatte", Href: "/casi/{id}/primo"}},
		fonte{x: Sezione{Titolo: "Secondo modulo", Testo: "Versione 1 in bozza", Stato: "Da rivedere", StatoTipo: "warning", Href: "/casi/{id}/secondo"}},
		fonte{x: Sezione{Titolo: "Terzo modulo"}},
	)
	var sc Scheda
	sc.Caso.ID = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	var err error
	if sc.Sezioni, err = s.accodaSezioni(&pgx.Batch{}, sc.Caso)(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := schedaPage(ui.Shell{}, sc, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	id := sc.Caso.ID.String()
	last := -1
	for _, want := range []string{
		`<a href="/casi/` + id + `/primo">Primo modulo</a>`, `<p class="card-text">2 cose fatte</p>`,
		`<a href="/casi/` + id + `/secondo">Secondo modulo</a>`, "Versione 1 in bozza", "Da rivedere",
		"Terzo modulo", `<p class="card-text text-muted">Disponibile prossimamente.</p>`,
	} {
		i := strings.Index(page, want)
		if i < 0 {
			t.Fatalf("page lacks %q:\n%s", want, page)
		}
		if i < last {
			t.Errorf("%q out of order", want)
		}
		last = i
	}
	guasta := errors.New("guasta")
	s.ConSezioni(fonte{x: Sezione{Titolo: "Primo"}}, fonte{err: guasta})
	if _, err := s.accodaSezioni(&pgx.Batch{}, sc.Caso)(); !errors.Is(err, guasta) {
		t.Errorf("a source's error: %v", err)
	}
}

// The case page's history speaks in words, not in the codes it is stored
// with ("stato : convocato → in_valutazione" was shown; issue 21, point 4).
func TestStoricoInParole(t *testing.T) {
	t.Parallel()
	var sc Scheda
	sc.Storico = []EventoStorico{
		{Operatore: "Giulia Ferrari", Evento: "stato", Da: "convocato", A: "in_valutazione"},
		{Operatore: "Sistema", Evento: "assegnato", A: "Giulia Ferrari"},
		{Operatore: "Sistema", Evento: "quadro_analisi"},
		{Operatore: "Sistema", Evento: "evento_nuovo"},
	}
	var b strings.Builder
	if err := schedaPage(ui.Shell{}, sc, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"Cambio di stato: Convocato → In valutazione", "Assegnato: Giulia Ferrari", "Quadro di analisi", "Evento nuovo"} {
		if !strings.Contains(page, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	for _, code := range []string{"in_valutazione", "quadro_analisi", "evento_nuovo", "stato :"} {
		if strings.Contains(page, code) {
			t.Errorf("history shows the code %q", code)
		}
	}
}

// A diary entry says its date, its category and its author apart, each in
// its own element with room between them (they ran together: issue 21,
// point 10).
func TestDiarioIntestazione(t *testing.T) {
	t.Parallel()
	d := Diario{Note: []Nota{{ID: uuid.New(), DataEvento: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Categoria: "colloquio",
		Testo: "Colloquio con la madre.", Autore: "Giulia Ferrari", ScrittaIl: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)}}}
	var b strings.Builder
	if err := diarioPage(ui.Shell{}, d, NuovaNota{}, nil, nil, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	i := strings.Index(page, `data-testid="nota-intestazione"`)
	if i < 0 || !strings.Contains(page[:i+200], "column-gap-3") {
		t.Fatalf("no spaced header:\n%s", page)
	}
	for _, want := range []string{`data-testid="nota-data">30/11/2026</strong>`, `data-testid="nota-categoria"`, `data-testid="nota-autore">di Giulia Ferrari · scritta il 01/12/2026 10:30`} {
		if !strings.Contains(page, want) {
			t.Errorf("diary entry lacks %s", want)
		}
	}
}
