package httpx

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cartella/cartella/web/ui"
)

// valoriValidi reports whether every key and value of vs is valid UTF-8
// without the NUL character (PostgreSQL stores neither in text).
func valoriValidi(vs url.Values) bool {
	for k, xs := range vs {
		if !testoValido(k) {
			return false
		}
		for _, x := range xs {
			if !testoValido(x) {
				return false
			}
		}
	}
	return true
}

func testoValido(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// TestoValido refuses, with a 400 page in Italian, a request whose path, query
// or url-encoded form carries the NUL character or bytes that are not
// UTF-8: no browser sends them from Cartella's forms, and the database
// would refuse them after the handler had started its work. Multipart
// forms (uploads) are checked by their handlers, which read them.
func (rs *Responder) TestoValido(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The path too: an id with a NUL in it reached queries (the
		// idempotency key is stored with the path) as a 500.
		ok := testoValido(r.URL.Path)
		if q, err := url.ParseQuery(r.URL.RawQuery); err != nil || !valoriValidi(q) {
			ok = false
		}
		if ok && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
			if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
				if err := r.ParseForm(); err != nil || !valoriValidi(r.PostForm) {
					ok = false
				}
			}
		}
		if !ok {
			var s ui.Shell
			if rs.Shell != nil {
				s = rs.Shell(r)
			}
			rs.Render(w, r, http.StatusBadRequest, ui.ErrorPage(s, http.StatusBadRequest, "Richiesta non valida",
				"La richiesta contiene caratteri non validi (il carattere nullo, o byte che non sono testo UTF-8) e non è stata eseguita. "+
					"Torna alla pagina precedente e scrivi o incolla di nuovo il testo."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ID is the positive id written in s (a query filter, a select of a
// form), or 0 (no filter) when s is not one: empty, not a number, or beyond
// 32 bits. The filters' queries compare the parameter with 0, so
// PostgreSQL types it integer: a larger value (strconv gives MaxInt64 for
// 99999999999999999999) failed the query with a 500.
func ID(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
