// Package httpx holds the HTTP plumbing every module shares: request ids,
// the access log, panic recovery, security headers, page rendering and the
// one place where errors become status codes and Italian error pages.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/web/ui"
)

// Error kinds every module's sentinel errors wrap, so that Error maps them
// to a status in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrBadInput  = errors.New("bad input")
	// ErrReadOnly: the record may be read but no longer changed (a closed
	// case, whose content waits for a reopening).
	ErrReadOnly = errors.New("read only")
)

// FieldErrors are a form's Italian messages by field name: what a
// validation returns and a page shows next to each field. As an error it
// is ErrBadInput, so one that reaches Responder.Error is a 400, never a 500.
type FieldErrors map[string]string

func (e FieldErrors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "invalid fields: " + strings.Join(keys, ", ")
}

// Unwrap makes FieldErrors an ErrBadInput.
func (e FieldErrors) Unwrap() error { return ErrBadInput }

type ridKey struct{}

// RequestID gives every request a random id, returned in X-Request-Id,
// written in every log line and shown on error pages. An incoming header is
// not trusted: a client could forge one to confuse the logs.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ridKey{}, id)))
	})
}

// RequestIDFrom returns the request's id.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(ridKey{}).(string)
	return id
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// AccessLog writes one JSON line per request. It logs the route pattern
// (/casi/{id}), never the raw path or the query string: those may carry a
// codice fiscale or a name typed in a search box.
func AccessLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			route := "unmatched"
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				route = rc.RoutePattern()
			}
			if strings.HasPrefix(r.URL.Path, "/static/") {
				route = "/static/*"
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", RequestIDFrom(r.Context())),
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)))
		})
	}
}

// SecurityHeaders sets the headers of every response. formActions lists
// extra origins forms may lead to (the OpenID Provider, reached by redirect
// after the logout form).
func SecurityHeaders(https bool, formActions ...string) func(http.Handler) http.Handler {
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self' data:", // Bootstrap Italia's CSS embeds one icon font
		"connect-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
		"form-action " + strings.TrimSpace("'self' "+strings.Join(formActions, " ")),
	}, "; ")
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
			// Nothing is cached unless its handler says otherwise (the
			// content-hashed static assets): pages, CSV, PDF, iCal and JSON
			// downloads may carry personal data.
			h.Set("Cache-Control", "no-store")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Responder renders pages and errors. Shell describes the request for the
// layout (operator, navigation, DEMO marker).
type Responder struct {
	Log   *slog.Logger
	Shell func(r *http.Request) ui.Shell
}

// Render writes a page. Pages carry personal data: nobody may cache them.
func (rs *Responder) Render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		rs.Log.ErrorContext(r.Context(), "render", "request_id", RequestIDFrom(r.Context()), "error", err)
	}
}

// Error maps err to a status and renders the Italian error page. The error
// text goes to the log only.
func (rs *Responder) Error(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrRipetuta) {
		rs.Log.InfoContext(r.Context(), "repeated request not carried out again", "request_id", RequestIDFrom(r.Context()))
		ripetuta(w, r)
		return
	}
	status, title, msg := http.StatusInternalServerError, "Si è verificato un errore",
		"Non è stato possibile completare la richiesta. Riprova tra qualche minuto; se il problema persiste, comunica all'assistenza l'identificativo della richiesta."
	switch {
	case errors.Is(err, ErrNotFound):
		status, title, msg = http.StatusNotFound, "Pagina non trovata", "La pagina richiesta non esiste o non è più disponibile."
	case errors.Is(err, ErrForbidden):
		status, title, msg = http.StatusForbidden, "Accesso non consentito", "Il tuo ruolo non consente di accedere a questa pagina. L'accesso negato è stato registrato."
	case errors.Is(err, ErrConflict):
		status, title, msg = http.StatusConflict, "Modifica in conflitto", "Nel frattempo un altro operatore ha modificato questi dati. Ricarica la pagina per vedere la versione aggiornata."
	case errors.Is(err, ErrReadOnly):
		status, title, msg = http.StatusConflict, "Caso chiuso", "Il caso è chiuso: i suoi dati si possono consultare ma non modificare. Per modificarli il case manager deve prima riaprirlo."
	case errors.Is(err, ErrBadInput):
		status, title, msg = http.StatusBadRequest, "Richiesta non valida", "La richiesta contiene dati non validi."
	}
	level := slog.LevelWarn
	if status == http.StatusInternalServerError {
		level = slog.LevelError
	}
	rs.Log.Log(r.Context(), level, "request failed", "request_id", RequestIDFrom(r.Context()),
		"status", status, "error", err)
	rs.Render(w, r, status, ui.ErrorPage(rs.Shell(r), status, title, msg))
}

// NotFound is the router's 404 handler.
func (rs *Responder) NotFound(w http.ResponseWriter, r *http.Request) { rs.Error(w, r, ErrNotFound) }

// MethodNotAllowed is the router's 405 handler.
func (rs *Responder) MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	rs.Render(w, r, http.StatusMethodNotAllowed, ui.ErrorPage(rs.Shell(r), http.StatusMethodNotAllowed,
		"Operazione non consentita", "Questa pagina non accetta questo tipo di richiesta."))
}

// Recover turns a panic into a logged error and the 500 page.
func (rs *Responder) Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				rs.Log.ErrorContext(r.Context(), "panic", "request_id", RequestIDFrom(r.Context()),
					"panic", v, "stack", string(debug.Stack()))
				rs.Error(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// Redirect sends a 303 See Other (after a POST, the browser GETs the target).
func Redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// SafeReturn accepts only local paths as post-login destinations, so that
// a crafted link cannot send the operator to another site after signing
// in: a path starting with a single "/", with no control character (a
// browser drops tabs and newlines, so "/\t/evil.example" would become the
// scheme-relative "//evil.example"), no backslash (read as "/"), valid
// UTF-8, and no scheme or host once parsed. Anything else is "/".
func SafeReturn(p string) string {
	if p == "" || len(p) > 2048 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) || unicode.IsSpace(r) {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return p
}

// Confermato reports whether the form was sent from a confirmation page
// (ui.ConfermaPage): the actions that cannot be undone ask first.
func Confermato(r *http.Request) bool { return r.PostFormValue("conferma") == "1" }
