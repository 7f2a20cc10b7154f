package app

import (
	"io"
	"mime"
	"net/http"
	"time"
)

// tempi are the server's time limits (docs/operations.md, "Timeouts").
// There is no global ReadTimeout or WriteTimeout: each request gets its
// own deadlines from limiti, so that an upload of 200 MB over a slow line
// (2 Mbit/s: some 14 minutes) goes through while a client that stops
// sending is still cut.
type tempi struct {
	intestazioni time.Duration // to read the request line and headers (ReadHeaderTimeout)
	inattivo     time.Duration // keep-alive connection waiting for its next request (IdleTimeout)
	lettura      time.Duration // to read the body of an ordinary request
	scrittura    time.Duration // to write an ordinary response
	// An upload (a multipart/form-data POST): the read deadline moves on
	// by progresso each time bytes arrive, so a stalled client is cut
	// progresso after its last byte; caricamento caps the whole upload,
	// and its response may be written until caricamento + scrittura.
	progresso   time.Duration
	caricamento time.Duration
}

// tempiProduzione are the limits in production.
var tempiProduzione = tempi{
	intestazioni: 10 * time.Second,
	inattivo:     120 * time.Second,
	lettura:      60 * time.Second,
	scrittura:    120 * time.Second,
	progresso:    60 * time.Second,
	caricamento:  30 * time.Minute,
}

// server sets the connection-wide limits of hs.
func (t tempi) server(hs *http.Server) {
	hs.ReadHeaderTimeout = t.intestazioni
	hs.IdleTimeout = t.inattivo
	hs.ReadTimeout, hs.WriteTimeout = 0, 0 // per request: limiti
}

// caricamento reports whether r uploads a file.
func caricamento(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// limiti sets the read and write deadlines of each request: the first
// middleware, on the server's own ResponseWriter. The deadline of an
// upload only moves on while the handler reads its body, that is after
// the sign-in and the authorisation checks: a client that is refused, or
// not signed in, gets the ordinary limit.
func (t tempi) limiti(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		now := time.Now()
		if caricamento(r) {
			fine := now.Add(t.caricamento)
			_ = rc.SetReadDeadline(now.Add(min(t.progresso, t.caricamento)))
			_ = rc.SetWriteDeadline(fine.Add(t.scrittura))
			r.Body = &corpoSorvegliato{ReadCloser: r.Body, rc: rc, passo: t.progresso, fine: fine}
		} else {
			_ = rc.SetReadDeadline(now.Add(t.lettura))
			_ = rc.SetWriteDeadline(now.Add(t.scrittura))
		}
		next.ServeHTTP(w, r)
	})
}

// corpoSorvegliato is an upload's body: every read that brings bytes moves
// the connection's read deadline to passo from now, never past fine.
type corpoSorvegliato struct {
	io.ReadCloser
	rc     *http.ResponseController
	passo  time.Duration
	fine   time.Time
	spinto time.Time // when the deadline was last moved
}

func (c *corpoSorvegliato) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if err == io.EOF {
		// Read whole: the handler may work on it (a synchronous import)
		// until the upload's cap, its context not cancelled by the deadline.
		_ = c.rc.SetReadDeadline(c.fine)
		return n, err
	}
	// Moved at most every 100 ms: reads come every few kilobytes.
	if now := time.Now(); n > 0 && now.Sub(c.spinto) >= 100*time.Millisecond {
		c.spinto = now
		d := now.Add(c.passo)
		if d.After(c.fine) {
			d = c.fine
		}
		_ = c.rc.SetReadDeadline(d)
	}
	return n, err
}
