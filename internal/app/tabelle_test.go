package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A table wider than a phone scrolls sideways inside its
// .table-responsive box; a keyboard user reaches that scroll only if the
// box takes the focus (axe's scrollable-region-focusable, found on the
// patto's sostegni at 390 px). Every such box in every template has
// tabindex="0" (issue 21, point 1).
func TestTabelleScorrevoliRaggiungibili(t *testing.T) {
	box := regexp.MustCompile(`<div[^>]*class="[^"]*\btable-responsive\b[^"]*"[^>]*>`)
	n := 0
	for _, root := range []string{"../../internal", "../../web/ui"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".templ") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range box.FindAll(b, -1) {
				n++
				if !strings.Contains(string(m), `tabindex="0"`) {
					t.Errorf("%s: %s without tabindex=\"0\"", p, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatal("no .table-responsive found: the test reads the wrong directories")
	}
}
