package stampa_test

import (
	"bytes"
	"testing"

	"github.com/cartella/cartella/internal/stampa"
)

// FuzzPDF: whatever a user typed into the fields a document prints, the
// document is made (never an error, never a panic) and is a whole PDF.
func FuzzPDF(f *testing.F) {
	f.Add("Il nostro patto", "Una riga\n\nun'altra «citata» — € 100", "RSSMRA80A41H501U")
	f.Add("\x00\x01\x7f", "\U0001F600\u202e\ufeff\ufffd", "\xff\xfe")
	f.Add("", "(parentesi) \\ barra", "")
	f.Fuzz(func(t *testing.T, titolo, testo, cella string) {
		doc := stampa.Documento{
			Intestazione: stampa.Intestazione{Righe: []string{titolo, cella}},
			Titolo:       "T" + titolo,
			Sottotitolo:  testo,
			Avviso:       cella,
			Blocchi: []stampa.Blocco{{Titolo: titolo, Testo: testo, Voci: []stampa.Voce{{Testo: cella, Dettagli: []string{testo}}},
				Tabella: &stampa.Tabella{Colonne: []stampa.Colonna{{Titolo: titolo, Peso: 1}, {Titolo: cella, Peso: 2}}, Righe: [][]string{{testo, cella}}}}},
			Piede: testo,
		}
		b, err := stampa.PDF(doc)
		if err != nil {
			t.Fatalf("PDF: %v", err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.Contains(b[max(0, len(b)-32):], []byte("%%EOF")) {
			t.Fatal("not a whole PDF")
		}
	})
}
