package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Where `make assets` (web/comprimi.mjs) puts the precompressed copies.
const dirCompressi = "vendor/compressi"

// variante is a precompressed copy of an asset that can be served.
type variante struct{ br, gz bool }

// varianti maps each asset (path under static/) to its copies, checked once
// against the manifest's SHA-256 of the source: a file edited after `make
// assets` is served as it is, never as a stale copy.
var varianti = sync.OnceValue(func() map[string]variante { return leggiVarianti(Static) })

func leggiVarianti(fsys fs.FS) map[string]variante {
	out := map[string]variante{}
	raw, err := fs.ReadFile(fsys, dirCompressi+"/manifest.json")
	if err != nil {
		return out // built without `make assets`: identity only
	}
	var m map[string]struct {
		SHA256 string `json:"sha256"`
		BR     bool   `json:"br"`
		GZ     bool   `json:"gz"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return out
	}
	for p, v := range m {
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			continue
		}
		h := sha256.Sum256(src)
		if hex.EncodeToString(h[:]) != v.SHA256 {
			continue
		}
		out[p] = variante{br: v.BR && esiste(fsys, p+".br"), gz: v.GZ && esiste(fsys, p+".gz")}
	}
	return out
}

func esiste(fsys fs.FS, p string) bool {
	_, err := fs.Stat(fsys, dirCompressi+"/"+p)
	return err == nil
}

// codifica picks the encoding of asset p for the request: "br", "gzip" or
// "" (identity), from the copies that exist and the Accept-Encoding header.
func codifica(r *http.Request, p string) (enc, file string) {
	v, ok := varianti()[p]
	if !ok {
		return "", ""
	}
	ae := r.Header.Get("Accept-Encoding")
	switch {
	case v.br && Accetta(ae, "br"):
		return "br", dirCompressi + "/" + p + ".br"
	case v.gz && Accetta(ae, "gzip"):
		return "gzip", dirCompressi + "/" + p + ".gz"
	}
	return "", ""
}

// Compressibile reports whether asset p has precompressed copies (its
// answer then varies with Accept-Encoding).
func Compressibile(p string) bool {
	_, ok := varianti()[p]
	return ok
}

// Accetta reports whether the Accept-Encoding header ae accepts coding
// (a token listed, or "*", with a q-value above zero).
func Accetta(ae, coding string) bool {
	star := false
	for _, part := range strings.Split(ae, ",") {
		tok, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tok = strings.ToLower(strings.TrimSpace(tok))
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch tok {
		case coding:
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}

// serviCompresso answers with the precompressed copy file of the asset,
// encoded as enc; the Content-Type is already set.
func serviCompresso(w http.ResponseWriter, r *http.Request, enc, file string) bool {
	b, err := fs.ReadFile(Static, file)
	if err != nil {
		return false
	}
	w.Header().Set("Content-Encoding", enc)
	http.ServeContent(w, r, "", modTime, bytes.NewReader(b))
	return true
}
