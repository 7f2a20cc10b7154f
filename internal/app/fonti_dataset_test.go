package app

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/patto"
)

// The modules' columns of the dataset are unique, lower_snake_case and
// each documented in docs/formats/dataset.md, "Colonne dei moduli".
func TestColonneDatasetDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/formats/dataset.md")
	if err != nil {
		t.Fatal(err)
	}
	sezione := string(doc)
	if i := strings.Index(sezione, "## Colonne dei moduli"); i >= 0 {
		sezione = sezione[i:]
	} else {
		t.Fatal(`docs/formats/dataset.md has no "## Colonne dei moduli"`)
	}
	nome := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	visti := map[string]bool{}
	for _, fo := range fornitoriDataset(incontri.NewService(nil, nil, nil), analisi.NewService(nil, nil, nil), patto.NewService(nil, nil, nil, nil, nil)) {
		for _, c := range fo.ColonneDataset() {
			if !nome.MatchString(c) || visti[c] {
				t.Errorf("column %q: not lower_snake_case, or twice", c)
			}
			visti[c] = true
			if !strings.Contains(sezione, "| `"+c+"` |") {
				t.Errorf("column %q is not documented in docs/formats/dataset.md", c)
			}
		}
	}
	if len(visti) == 0 {
		t.Error("no module column")
	}
}
