package httpx

import (
	"bufio"
	"compress/gzip"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/cartella/cartella/web"
)

// Comprimi gzips the pages (text/html) and the text downloads (CSV,
// iCalendar) for a browser that accepts gzip, when the request comes from
// Cartella's own pages or from the address bar (Sec-Fetch-Site
// same-origin or none). A request another site makes the browser send is
// answered uncompressed: the length of a compressed page that reflects
// what the attacker sent next to personal data is what BREACH-style attacks
// read (ADR 0014). Static assets are precompressed at build time
// (web.Handler) and pass through untouched, as does any answer that
// already has a Content-Encoding.
func Comprimi(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !web.Accetta(r.Header.Get("Accept-Encoding"), "gzip") || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		switch r.Header.Get("Sec-Fetch-Site") {
		case "same-origin", "none":
		default:
			next.ServeHTTP(w, r)
			return
		}
		cw := &gzipWriter{ResponseWriter: w}
		defer cw.chiudi()
		next.ServeHTTP(cw, r)
	})
}

// comprimibile: the content types worth compressing here.
func comprimibile(ct string) bool {
	ct = strings.ToLower(ct)
	for _, p := range []string{"text/html", "text/csv", "text/calendar", "text/plain", "application/json"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

var gzipPool = sync.Pool{New: func() any {
	z, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return z
}}

// gzipWriter decides at the first write (or WriteHeader) whether to
// compress, from the answer's own headers.
type gzipWriter struct {
	http.ResponseWriter
	z       *gzip.Writer
	deciso  bool
	scritto bool
}

func (g *gzipWriter) decidi(status int) {
	if g.deciso {
		return
	}
	g.deciso = true
	h := g.ResponseWriter.Header()
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified ||
		h.Get("Content-Encoding") != "" || !comprimibile(h.Get("Content-Type")) || h.Get("Content-Range") != "" {
		return
	}
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	z := gzipPool.Get().(*gzip.Writer)
	z.Reset(g.ResponseWriter)
	g.z = z
}

func (g *gzipWriter) WriteHeader(status int) {
	g.decidi(status)
	g.ResponseWriter.WriteHeader(status)
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.deciso {
		if g.ResponseWriter.Header().Get("Content-Type") == "" {
			g.ResponseWriter.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	g.scritto = true
	if g.z != nil {
		return g.z.Write(b)
	}
	return g.ResponseWriter.Write(b)
}

// Flush sends what is compressed so far (progress pages, long exports).
func (g *gzipWriter) Flush() {
	if g.z != nil {
		_ = g.z.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack is not offered through compression.
func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, http.ErrNotSupported
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) chiudi() {
	if g.z != nil {
		_ = g.z.Close()
		g.z.Reset(nil)
		gzipPool.Put(g.z)
		g.z = nil
	}
}
