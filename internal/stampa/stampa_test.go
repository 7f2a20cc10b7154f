package stampa_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/stampa"
	"github.com/cartella/cartella/internal/stampa/pdftest"
)

func logoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 80))
	for x := range 60 {
		for y := range 80 {
			img.Set(x, y, color.RGBA{0, 89, 179, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A short document: header, title, notice, list, table, foot; the text
// comes back as written, accents, euro and typographic quotes included
// (UTF-8 in an embedded TrueType font, not WinAnsi).
func TestDocumentoBreve(t *testing.T) {
	doc := stampa.Documento{
		Intestazione: stampa.Intestazione{Righe: []string{"Comune di Città di Castello", "Ambito territoriale Alto Tevere"}, Logo: logoPNG(t)},
		Titolo:       "Estratto dell’analisi — caso C-000001",
		Sottotitolo:  "Famiglia: Rossi Maria\nRedatto il 03/12/2026",
		Avviso:       "Bozza: il contenuto può ancora cambiare.",
		Blocchi: []stampa.Blocco{
			{Titolo: "Perché", Testo: "Perché è così: più di 100 € al mese.\n\nSecondo paragrafo «citato».",
				Voci: []stampa.Voce{{Testo: "Un obiettivo", Dettagli: []string{"Entro il 31/12/2026."}}}},
			{Titolo: "Firme", Tabella: &stampa.Tabella{
				Colonne:     []stampa.Colonna{{Titolo: "Nome e cognome", Peso: 3}, {Titolo: "Codice fiscale", Peso: 3}, {Titolo: "Firma", Peso: 4}},
				Righe:       [][]string{{"Maria Rossi", "RSSMRA80A41H501U", ""}, {"Ἀθῆναι Ünïcödé", "—", ""}},
				AltezzaRiga: 14,
			}},
		},
		Piede:  "Documento riservato: contiene dati personali.",
		Creato: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC),
	}
	b, err := stampa.PDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	testo := pdftest.Testo(t, b)
	pdftest.Contiene(t, testo, "Comune di Città di Castello", "Ambito territoriale Alto Tevere",
		"Estratto dell’analisi — caso C-000001", "Famiglia: Rossi Maria", "Bozza: il contenuto può ancora cambiare.",
		"Perché è così: più di 100 € al mese.", "«citato»", "Un obiettivo", "Entro il 31/12/2026.",
		"Nome e cognome", "Codice fiscale", "RSSMRA80A41H501U", "Documento riservato", "Pagina 1 di 1")
	if p := pdftest.Pagine(t, b, "stampa-breve"); len(p) != 1 {
		t.Errorf("%d pages, want 1", len(p))
	}
}

// A long document goes on several pages: every page has its header and
// "Pagina n di m", and a table's header row is repeated on the page it
// continues on, its rows never cut.
func TestDocumentoLungoVaSuPiuPagine(t *testing.T) {
	var righe [][]string
	for i := range 80 {
		righe = append(righe, []string{fmt.Sprintf("Riga %d", i+1), strings.Repeat("testo lungo che va a capo ", 3)})
	}
	doc := stampa.Documento{
		Intestazione: stampa.Intestazione{Righe: []string{"Comune di Bari", "Ambito di Bari"}},
		Titolo:       "Lungo",
		Blocchi: []stampa.Blocco{
			{Titolo: "Testo", Testo: strings.Repeat("Una riga di testo piuttosto lunga che andrà a capo più volte. ", 60)},
			{Titolo: "Tabella", Tabella: &stampa.Tabella{Colonne: []stampa.Colonna{{Titolo: "Numero", Peso: 1}, {Titolo: "Descrizione", Peso: 3}}, Righe: righe}},
		},
	}
	b, err := stampa.PDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	testo := pdftest.Testo(t, b)
	pagine := strings.Split(strings.TrimRight(testo, "\f\n"), "\f")
	if len(pagine) < 3 {
		t.Fatalf("%d pages, want at least 3", len(pagine))
	}
	intestazioni := 0
	for i, p := range pagine {
		pdftest.Contiene(t, p, "Comune di Bari", fmt.Sprintf("Pagina %d di %d", i+1, len(pagine)))
		intestazioni += strings.Count(p, "Descrizione")
	}
	if intestazioni < 2 {
		t.Errorf("the table's header row appears %d times over %d pages: not repeated", intestazioni, len(pagine))
	}
	for i := range 80 {
		if strings.Count(testo, fmt.Sprintf("Riga %d\n", i+1)) != 1 {
			t.Errorf("row %d is not printed exactly once", i+1)
		}
	}
	if n := len(pdftest.Pagine(t, b, "stampa-lungo")); n != len(pagine) {
		t.Errorf("pdftoppm draws %d pages, pdftotext reads %d", n, len(pagine))
	}
}

func TestVuoto(t *testing.T) {
	if _, err := stampa.PDF(stampa.Documento{}); err != stampa.ErrVuoto {
		t.Errorf("err = %v, want ErrVuoto", err)
	}
}

func TestLogoNonImmagine(t *testing.T) {
	_, err := stampa.PDF(stampa.Documento{Titolo: "x", Intestazione: stampa.Intestazione{Logo: []byte("<svg/>")}})
	if err == nil {
		t.Error("a logo that is not PNG or JPEG was accepted")
	}
	if stampa.MimeLogo(logoPNG(t)) != "image/png" {
		t.Error("MimeLogo does not recognise a PNG")
	}
}

// Whatever the text (control characters, a word longer than the line,
// characters the font lacks, a very long block), the document is made and
// reads back without errors.
func TestTestoOstile(t *testing.T) {
	lunga := strings.Repeat("x", 3000)
	doc := stampa.Documento{
		Titolo:      "Titolo\x00con\x07controlli \U0001F600 عربي",
		Sottotitolo: "\r\n\t\n",
		Avviso:      lunga,
		Blocchi: []stampa.Blocco{
			{Titolo: lunga, Testo: strings.Repeat("riga\n", 2000), Voci: []stampa.Voce{{Testo: lunga, Dettagli: []string{"", lunga}}}},
			{Tabella: &stampa.Tabella{Colonne: []stampa.Colonna{{Titolo: "A"}, {Titolo: "B", Peso: -1}}, Righe: [][]string{{lunga}, {"", "", "in più"}}, AltezzaRiga: 400}},
			{Tabella: &stampa.Tabella{}},
		},
		Piede: lunga,
	}
	b, err := stampa.PDF(doc)
	if err != nil {
		t.Fatal(err)
	}
	if testo := pdftest.Testo(t, b); !strings.Contains(testo, "Pagina 1 di ") {
		t.Errorf("no page numbers in:\n%.500s", testo)
	}
}
