package registro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
)

// Idempotency keys of the forms that create records (docs/adr/0012).
//
// A write recorded through RecordTx with a key (the form's hidden field
// "idempotenza", carried by the Voce from FromRequest) consumes the key in
// the write's own transaction: the row (operatore, percorso, chiave) is
// inserted by the first audit record of the request, further records of
// the same request find it theirs and go on, and a row left by another
// request — committed, or committing meanwhile: the insert waits for it —
// aborts the write with ErrRipetuta. A crash before the commit loses the
// write and the key together; after it, both are there.

// ErrRipetuta: the key was consumed by an earlier request; nothing written.
var ErrRipetuta = fmt.Errorf("registro: %w", httpx.ErrRipetuta)

// ConservazioneChiavi is how long a consumed key is kept: a repeat later
// than this is a new request (PurgaChiavi).
const ConservazioneChiavi = 7 * 24 * time.Hour

// consuma consumes v's key, if v is a write of a request that carried one.
func consuma(ctx context.Context, tx pgx.Tx, v Voce) error {
	q := v.richiesta
	if q == nil || v.Azione != Scrittura || v.Esito != Consentito || v.OperatoreID == nil {
		return nil
	}
	var dest string
	err := tx.QueryRow(ctx, `
		INSERT INTO richiesta_idempotente (operatore_id, percorso, chiave, richiesta)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (operatore_id, percorso, chiave) DO UPDATE SET richiesta = EXCLUDED.richiesta
			WHERE richiesta_idempotente.richiesta = EXCLUDED.richiesta
		RETURNING destinazione`, *v.OperatoreID, q.Percorso, q.Chiave, q.ID).Scan(&dest)
	if err == nil {
		q.Consuma()
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("registro: idempotency key: %w", err)
	}
	// Consumed by another request: where did its answer lead?
	if err := tx.QueryRow(ctx, `SELECT destinazione FROM richiesta_idempotente
		WHERE operatore_id = $1 AND percorso = $2 AND chiave = $3`, *v.OperatoreID, q.Percorso, q.Chiave).Scan(&dest); err != nil {
		return fmt.Errorf("registro: idempotency key: %w", err)
	}
	q.Ripetuta(dest)
	return ErrRipetuta
}

// Idempotenza reads the idempotency key of a POST — the form field
// "idempotenza" of a url-encoded form, or the query parameter of the same
// name (multipart forms carry it in their action, so that the body is left
// to the handler that streams it) — and carries it in the request's
// context. When the request consumed the key and was answered with a
// redirect, the target is kept with the key: a repeat is sent there too.
func (s *Service) Idempotenza(log *slog.Logger, rs *httpx.Responder) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return s.idempotenza(log, rs, next) }
}

func (s *Service) idempotenza(log *slog.Logger, rs *httpx.Responder, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		chiave := r.URL.Query().Get("idempotenza")
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); chiave == "" && ct == "application/x-www-form-urlencoded" {
			chiave = r.PostFormValue("idempotenza")
		}
		if !httpx.ChiaveValida(chiave) {
			next.ServeHTTP(w, r)
			return
		}
		q := &httpx.Richiesta{Chiave: chiave, Percorso: r.URL.Path, ID: httpx.RequestIDFrom(r.Context())}
		// A repeat of a request that committed is answered at once, before
		// the handler validates anything (a second "apri un caso" would
		// otherwise be told that its domanda is already there); a repeat
		// racing the first is caught by the write's transaction instead.
		if p, ok := authz.PrincipalFrom(r.Context()); ok {
			var dest string
			err := s.pool.QueryRow(r.Context(), `SELECT destinazione FROM richiesta_idempotente
				WHERE operatore_id = $1 AND percorso = $2 AND chiave = $3`, p.OperatoreID, q.Percorso, q.Chiave).Scan(&dest)
			switch {
			case err == nil:
				q.Ripetuta(dest)
				rs.Error(w, r.WithContext(httpx.WithRichiesta(r.Context(), q)), ErrRipetuta)
				return
			case !errors.Is(err, pgx.ErrNoRows):
				rs.Error(w, r, fmt.Errorf("registro: idempotency key: %w", err))
				return
			}
		}
		lw := &locationWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r.WithContext(httpx.WithRichiesta(r.Context(), q)))
		if !q.Consumata() || lw.status < 300 || lw.status > 399 {
			return
		}
		loc := w.Header().Get("Location")
		if loc == "" || httpx.SafeReturn(loc) != loc {
			return
		}
		// The answer is gone already: a failure here only costs a repeat
		// its precise destination (it falls back to the form's page).
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		if _, err := s.pool.Exec(ctx, `UPDATE richiesta_idempotente SET destinazione = $1
			WHERE percorso = $2 AND chiave = $3 AND richiesta = $4`, loc, q.Percorso, q.Chiave, q.ID); err != nil {
			log.WarnContext(r.Context(), "idempotency key: destination not kept", "request_id", q.ID, "error", err)
		}
	})
}

// PurgaChiavi removes the keys older than ConservazioneChiavi.
func (s *Service) PurgaChiavi(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM richiesta_idempotente WHERE registrata_il < $1`, s.now().Add(-ConservazioneChiavi))
	if err != nil {
		return 0, fmt.Errorf("registro: purge idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}

// locationWriter remembers the status of the answer.
type locationWriter struct {
	http.ResponseWriter
	status int
}

func (w *locationWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *locationWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *locationWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
