// Package pdftest reads PDF documents in tests the way a person would see
// them: their text as pdftotext extracts it and their pages as pdftoppm
// draws them (Debian's poppler-utils, installed by `make poppler`). When
// SCREENSHOT_DIR is set, the pages are written there as PNG.
package pdftest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func strumento(t testing.TB, nome string) string {
	t.Helper()
	p, err := exec.LookPath(nome)
	if err != nil {
		t.Fatalf("%s is missing: run `make poppler` (Debian package poppler-utils)", nome)
	}
	return p
}

func scrivi(t testing.TB, pdf []byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "documento.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// Testo is the text of the document in reading order (pdftotext -layout
// off), pages separated by a form feed.
func Testo(t testing.TB, pdf []byte) string {
	t.Helper()
	f := scrivi(t, pdf)
	var out, errb bytes.Buffer
	cmd := exec.Command(strumento(t, "pdftotext"), "-enc", "UTF-8", f, "-")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errb.String())
	}
	if errb.Len() > 0 {
		t.Errorf("pdftotext complains about the document: %s", errb.String())
	}
	return out.String()
}

// Pagine draws every page at 100 dpi and returns the PNGs, in order; the
// document must be readable without errors. With SCREENSHOT_DIR set, page
// n is written there as <nome>-pagina-<n>.png.
func Pagine(t testing.TB, pdf []byte, nome string) [][]byte {
	t.Helper()
	f := scrivi(t, pdf)
	dir := t.TempDir()
	var errb bytes.Buffer
	cmd := exec.Command(strumento(t, "pdftoppm"), "-r", "100", "-png", f, filepath.Join(dir, "p"))
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, errb.String())
	}
	if errb.Len() > 0 {
		t.Errorf("pdftoppm complains about the document: %s", errb.String())
	}
	files, err := filepath.Glob(filepath.Join(dir, "p-*.png"))
	if err != nil {
		t.Fatal(err)
	}
	// p-1.png … p-10.png: by number, not by name.
	sort.Slice(files, func(i, j int) bool {
		if len(files[i]) != len(files[j]) {
			return len(files[i]) < len(files[j])
		}
		return files[i] < files[j]
	})
	var out [][]byte
	shots := os.Getenv("SCREENSHOT_DIR")
	for i, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
		if shots != "" {
			if err := os.MkdirAll(shots, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("%s-pagina-%d.png", nome, i+1)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

// Contiene reports, as test errors, each of want missing from the text
// (compared with runs of white space made one space, since lines wrap).
func Contiene(t testing.TB, testo string, want ...string) {
	t.Helper()
	norm := strings.Join(strings.Fields(testo), " ")
	for _, w := range want {
		if !strings.Contains(norm, strings.Join(strings.Fields(w), " ")) {
			t.Errorf("the PDF's text lacks %q; it reads:\n%s", w, testo)
		}
	}
}
