package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

// The stylesheet goes out precompressed: brotli to a browser that takes it,
// gzip to one that takes only gzip, as it is to one that takes neither;
// the decoded gzip copy is the stylesheet itself (issue 21, point 11).
func TestStylesheetCompresso(t *testing.T) {
	if !VendorPresent() {
		t.Skip("run `make assets` first")
	}
	const css = "vendor/bootstrap-italia/css/bootstrap-italia.usata.css"
	orig, err := fs.ReadFile(Static, css)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := varianti()[css]; !ok {
		t.Fatal("no verified precompressed copy of the stylesheet: `make assets` runs web/comprimi.mjs")
	}
	get := func(ae string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, Asset(css), nil)
		if ae != "" {
			r.Header.Set("Accept-Encoding", ae)
		}
		w := httptest.NewRecorder()
		Handler().ServeHTTP(w, r)
		return w
	}
	br := get("gzip, deflate, br, zstd")
	if br.Code != 200 || br.Header().Get("Content-Encoding") != "br" || br.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Fatalf("brotli: %d %v", br.Code, br.Header())
	}
	if n := br.Body.Len(); n > 30_000 || n*3 > len(orig) {
		t.Errorf("brotli stylesheet %d bytes of %d", n, len(orig))
	}
	gz := get("gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: %v", gz.Header())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(dec, orig) {
		t.Errorf("gzip copy decodes to %d bytes (%v), want the %d of the stylesheet", len(dec), err, len(orig))
	}
	for _, ae := range []string{"", "identity", "br;q=0, gzip;q=0"} {
		id := get(ae)
		if id.Header().Get("Content-Encoding") != "" || !bytes.Equal(id.Body.Bytes(), orig) {
			t.Errorf("Accept-Encoding %q: encoding %q, %d bytes", ae, id.Header().Get("Content-Encoding"), id.Body.Len())
		}
		if id.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("Vary %q", id.Header().Get("Vary"))
		}
	}
}

func TestAccetta(t *testing.T) {
	for _, c := range []struct {
		ae, coding string
		want       bool
	}{
		{"gzip, br", "br", true},
		{"gzip;q=0.5, br;q=0", "br", false},
		{"gzip;q=0.5, br;q=0", "gzip", true},
		{"*", "br", true},
		{"*;q=0", "gzip", false},
		{"", "gzip", false},
		{"deflate", "gzip", false},
		{"GZIP", "gzip", true},
	} {
		if got := Accetta(c.ae, c.coding); got != c.want {
			t.Errorf("Accetta(%q, %q) = %v", c.ae, c.coding, got)
		}
	}
}

// A copy whose source changed since `make assets` is never served; nor one
// the manifest lists but the build lacks.
func TestCopiaSuperataNonServita(t *testing.T) {
	sum := sha256.Sum256([]byte("body{}"))
	man := `{"css/a.css": {"sha256": "` + hex.EncodeToString(sum[:]) + `", "br": true, "gz": true},
		"css/b.css": {"sha256": "` + hex.EncodeToString(sum[:]) + `", "br": true, "gz": true}}`
	fsys := fstest.MapFS{
		"css/a.css":                     {Data: []byte("body{}")},
		"css/b.css":                     {Data: []byte("body{color:red}")}, // edited after the build
		dirCompressi + "/manifest.json": {Data: []byte(man)},
		dirCompressi + "/css/a.css.br":  {Data: []byte("x")},
		dirCompressi + "/css/b.css.br":  {Data: []byte("x")},
		dirCompressi + "/css/b.css.gz":  {Data: []byte("x")},
	}
	v := leggiVarianti(fsys)
	if got := v["css/a.css"]; !got.br || got.gz {
		t.Errorf("a.css: %+v, want brotli only (no gzip file)", got)
	}
	if _, ok := v["css/b.css"]; ok {
		t.Errorf("b.css changed since its copies were made, and they are still used")
	}
}
