// Package web holds the static assets embedded in the binary: our own CSS
// and the Bootstrap Italia dist files that `make assets` copies from
// node_modules (pinned by package-lock.json) into static/vendor.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed static
var files embed.FS

// Static is the static/ tree.
var Static, _ = fs.Sub(files, "static")

// version is a hash of every embedded asset: URLs carry it, so browsers may
// cache assets forever and still get new ones after an upgrade.
var version = sync.OnceValue(func() string {
	h := sha256.New()
	_ = fs.WalkDir(Static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Static, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
})

// modTime: embedded files have none; the zero time sends no Last-Modified.
var modTime time.Time

// Prefix is where assets are served.
const Prefix = "/static/"

// Asset returns the versioned URL of a file under static/.
func Asset(name string) string {
	return Prefix + version() + "/" + strings.TrimPrefix(name, "/")
}

// Handler serves /static/{version}/{file}. Any version is accepted (a page
// rendered just before an upgrade still gets its styles), but only the
// current one is cached as immutable.
func Handler() http.Handler {
	fileServer := http.FileServerFS(Static)
	return http.StripPrefix(strings.TrimSuffix(Prefix, "/"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/")
		v, rest, ok := strings.Cut(p, "/")
		if !ok || rest == "" || strings.HasSuffix(rest, "/") {
			http.NotFound(w, r)
			return
		}
		if v == version() {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		if ct := mime.TypeByExtension(path.Ext(rest)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		if Compressibile(rest) {
			w.Header().Add("Vary", "Accept-Encoding")
			if enc, file := codifica(r, rest); enc != "" && serviCompresso(w, r, enc, file) {
				return
			}
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		fileServer.ServeHTTP(w, r2)
	}))
}

// VendorPresent reports whether `make assets` has copied Bootstrap Italia.
func VendorPresent() bool {
	_, err := fs.Stat(Static, "vendor/bootstrap-italia/css/bootstrap-italia.usata.css")
	return err == nil
}
