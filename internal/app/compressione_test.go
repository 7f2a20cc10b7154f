package app

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Pages go out gzipped to a browser that takes gzip when the request comes
// from Cartella's own pages or the address bar, and uncompressed when
// another site made the browser send it (ADR 0014); a case manager's home,
// signed in, shrinks at least threefold (issue 21, point 11).
func TestPagineCompresse(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", "demo")
	get := func(site string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/", nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	resp, raw := get("same-origin")
	if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("same-origin: %d %v", resp.StatusCode, resp.Header)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	page, err := io.ReadAll(zr)
	if err != nil || !strings.Contains(string(page), "</html>") {
		t.Fatalf("decoded page (%v): %.200s", err, page)
	}
	if len(raw)*3 > len(page) {
		t.Errorf("page %d bytes gzipped from %d", len(raw), len(page))
	}
	if resp, _ := get("none"); resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("address bar: not compressed")
	}
	for _, site := range []string{"cross-site", "same-site", ""} {
		resp, b := get(site)
		if resp.Header.Get("Content-Encoding") != "" || !strings.Contains(string(b), "</html>") {
			t.Errorf("Sec-Fetch-Site %q: encoding %q", site, resp.Header.Get("Content-Encoding"))
		}
	}
}
