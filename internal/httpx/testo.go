package httpx

import (
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
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

// ripulisci is s without the NUL character, each byte that is not UTF-8
// shown as U+FFFD.
func ripulisci(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// campiInviati are the values of a form, by name, the ones carrying
// characters that cannot be stored cleaned and marked.
func campiInviati(vs url.Values) []ui.CampoInviato {
	var out []ui.CampoInviato
	for _, k := range slices.Sorted(maps.Keys(vs)) {
		for _, v := range vs[k] {
			out = append(out, ui.CampoInviato{Nome: ripulisci(k), Valore: ripulisci(v), Ripulito: !testoValido(k) || !testoValido(v)})
		}
	}
	return out
}

// TestoValido refuses a request whose path, query or url-encoded form
// carries the NUL character or bytes that are not UTF-8, which the
// database would refuse after the handler had started its work (a text
// pasted from elsewhere may bring them). A form gets 422 and the page
// TestoDaCorreggere: its fields shown again without those characters,
// each with its message, the rest kept, to send again to the same
// address; a path or a query gets a 400 page in Italian. Nothing reaches
// a handler. Multipart forms (uploads) are checked by their handlers,
// which read them.
func (rs *Responder) TestoValido(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The path too: an id with a NUL in it reached queries (the
		// idempotency key is stored with the path) as a 500.
		ok := testoValido(r.URL.Path)
		if q, err := url.ParseQuery(r.URL.RawQuery); err != nil || !valoriValidi(q) {
			ok = false
		}
		shell := func() ui.Shell {
			if rs.Shell == nil {
				return ui.Shell{}
			}
			return rs.Shell(r)
		}
		if ok && (r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch) {
			if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
				switch err := r.ParseForm(); {
				case err != nil:
					ok = false
				case !valoriValidi(r.PostForm) && !r.PostForm.Has("password"):
					// (a password is never written back into a page: the
					// login form gets the 400 below)
					// Cross-origin requests were refused before this
					// middleware: the page goes back to its own user.
					rs.Render(w, r, http.StatusUnprocessableEntity, ui.TestoDaCorreggere(shell(), r.URL.RequestURI(), campiInviati(r.PostForm)))
					return
				}
			}
		}
		if !ok {
			s := shell()
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
