package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
)

// Idempotency of the forms that create records (docs/adr/0012): such a form
// carries a hidden field "idempotenza", a random key drawn when the form is
// rendered (ui.Idempotenza). The write that the form asks for consumes the
// key in its own transaction (the registro does it with the write's audit
// record), so that the same form sent again — a browser or a user retrying
// a request whose answer never arrived — writes nothing a second time and
// gets ErrRipetuta instead.

// ErrRipetuta: the request repeats one already carried out (same key, same
// operator, same form): nothing was written again. Responder.Error answers
// it with a 303 to the page the first request led to, with a notice.
var ErrRipetuta = errors.New("repeated request")

// AvvisoRipetuta is the notice the page shows after a repeated request.
const AvvisoRipetuta = "Questa operazione era già stata registrata: non è stata ripetuta."

// Richiesta is the idempotency key of one request, carried in its context
// from the middleware that reads it to the registro that consumes it.
type Richiesta struct {
	Chiave   string // the form's key
	Percorso string // the path the form was posted to
	ID       string // the request's id: which request consumed the key

	mu           sync.Mutex
	consumata    bool
	destinazione string
}

// Consuma notes that the key was consumed by this request's write.
func (q *Richiesta) Consuma() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.consumata = true
}

// Consumata tells whether this request's write consumed the key.
func (q *Richiesta) Consumata() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.consumata
}

// Ripetuta notes that the key had been consumed by an earlier request,
// whose answer led to dest ("" when unknown).
func (q *Richiesta) Ripetuta(dest string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.destinazione = dest
}

func (q *Richiesta) dest() string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.destinazione
}

type richiestaKey struct{}

// WithRichiesta returns ctx carrying q.
func WithRichiesta(ctx context.Context, q *Richiesta) context.Context {
	return context.WithValue(ctx, richiestaKey{}, q)
}

// RichiestaFrom returns the request's idempotency key, nil when the form
// carried none.
func RichiestaFrom(ctx context.Context) *Richiesta {
	q, _ := ctx.Value(richiestaKey{}).(*Richiesta)
	return q
}

// ChiaveValida accepts the keys ui.Idempotenza draws (and any short token of
// letters, digits, '-' and '_'); anything else is ignored, as if absent.
func ChiaveValida(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ripetuta answers a repeated request: back to where the first answer led
// (else the page the form was on, else the home), with the notice.
func ripetuta(w http.ResponseWriter, r *http.Request) {
	dest := ""
	if q := RichiestaFrom(r.Context()); q != nil {
		dest = q.dest()
	}
	if dest == "" {
		if ref, err := url.Parse(r.Referer()); err == nil && (ref.Host == "" || ref.Host == r.Host) {
			dest = ref.RequestURI()
		}
	}
	dest = SafeReturn(dest)
	u, err := url.Parse(dest)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	qs := u.Query()
	qs.Set("ripetuta", "1")
	u.RawQuery = qs.Encode()
	Redirect(w, r, u.String())
}
