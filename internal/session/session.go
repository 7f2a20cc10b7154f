// Package session keeps operators' sessions in PostgreSQL, so they survive a
// restart and are shared by several instances behind a load balancer.
//
// The cookie holds 32 random bytes; the table holds only their SHA-256. A
// session ends after 30 minutes without requests (idle timeout) or 8 hours
// after login (absolute timeout), whichever comes first, and at logout.
// OpenID Connect logins in progress (state, nonce, PKCE verifier) are kept
// server-side too, under a separate short-lived cookie.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNoLogin means the login cookie is missing, unknown or expired.
var ErrNoLogin = errors.New("session: no login in progress")

// loginTTL bounds how long a user may take at the identity provider.
const loginTTL = 10 * time.Minute

// touchEvery throttles last_seen updates: idle expiry is exact to a minute
// without a write on every request.
const touchEvery = time.Minute

// Session is an authenticated operator's session.
type Session struct {
	OperatoreID uuid.UUID
	RuoloID     *int64 // the role the operator acts in; nil until chosen
	IDToken     string // kept for the provider's logout (id_token_hint)
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time // absolute expiry
	// Accanto is the value of the manager's Accanto query for the session's
	// operator (nil when it found no row); Letto says whether it ran.
	Accanto []byte
	Letto   bool
	hash    []byte
}

// Accanto is a query about the session's operator, on another module's
// tables, that Load runs in the same statement as the session's own, so
// that a request reads its session, its operator and their roles in one
// round trip (issue 19). The module that owns those tables writes it (the
// accreditation: the operator and the roles in force today) and reads its
// value back; the session package only joins it.
type Accanto struct {
	// SQL returns a query of at most one row and one column about the
	// operator whose id is the SQL expression operatore. Its parameters
	// are named (@name), never starting with "sessione_".
	SQL func(operatore string) string
	// Args returns its parameters, at each Load.
	Args func() pgx.NamedArgs
}

// Login is an OpenID Connect authorization request in progress.
type Login struct {
	State, Nonce, Verifier, ReturnTo string
}

// Manager issues, loads and ends sessions.
type Manager struct {
	pool     *pgxpool.Pool
	idle     time.Duration
	absolute time.Duration
	secure   bool
	now      func() time.Time
	accanto  *Accanto
}

// NewManager returns a manager. secure sets the Secure cookie attribute and
// the __Host- prefix (BASE_URL is https).
func NewManager(pool *pgxpool.Pool, idle, absolute time.Duration, secure bool) *Manager {
	return &Manager{pool: pool, idle: idle, absolute: absolute, secure: secure, now: time.Now}
}

// ConAccanto makes Load run a with the session's lookup (Session.Accanto).
func (m *Manager) ConAccanto(a Accanto) { m.accanto = &a }

// SetClock replaces the clock (tests of the timeouts).
func (m *Manager) SetClock(now func() time.Time) { m.now = now }

// CookieName is the session cookie's name.
func (m *Manager) CookieName() string {
	if m.secure {
		return "__Host-cartella_sessione"
	}
	return "cartella_sessione"
}

func (m *Manager) loginCookieName() string {
	if m.secure {
		return "__Host-cartella_login"
	}
	return "cartella_login"
}

func newToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashToken(tok)
}

func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

func (m *Manager) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: m.secure, SameSite: http.SameSiteLaxMode,
	})
}

// Create starts a new session for the operator with a fresh token (never
// reusing one from before the login, against session fixation) and sets the
// cookie. The cookie has no Max-Age: it goes when the browser closes.
func (m *Manager) Create(ctx context.Context, w http.ResponseWriter, opID uuid.UUID, ruoloID *int64, idToken string) error {
	tok, h := newToken()
	now := m.now()
	_, err := m.pool.Exec(ctx, `
		INSERT INTO sessione (token_hash, operatore_id, ruolo_id, id_token, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $5, $6)`, h, opID, ruoloID, idToken, now, now.Add(m.absolute))
	if err != nil {
		return fmt.Errorf("session: create: %w", err)
	}
	m.setCookie(w, m.CookieName(), tok, 0)
	return nil
}

// RevocaPrecedente ends the session the browser held before a new login
// (its cookie), so that signing in again never leaves the old session
// valid; none: nothing to do.
func (m *Manager) RevocaPrecedente(ctx context.Context, r *http.Request) error {
	c, err := r.Cookie(m.CookieName())
	if err != nil || c.Value == "" {
		return nil
	}
	if _, err := m.pool.Exec(ctx, `DELETE FROM sessione WHERE token_hash = $1`, hashToken(c.Value)); err != nil {
		return fmt.Errorf("session: revoke the previous session: %w", err)
	}
	return nil
}

// Load returns the request's session, if it has a live one, with its
// Accanto. It is one statement: the lookup; the deletion of an expired
// session; the write of last_seen_at when due, at most every touchEvery but
// never so rarely that a short idle timeout (SESSION_IDLE_TIMEOUT=1m) would
// end a session in use; and the Accanto query, for a live session only.
func (m *Manager) Load(ctx context.Context, r *http.Request) (Session, bool, error) {
	c, err := r.Cookie(m.CookieName())
	if err != nil || c.Value == "" {
		return Session{}, false, nil
	}
	now := m.now()
	args := pgx.NamedArgs{
		"sessione_token": hashToken(c.Value),
		"sessione_ora":   now,
		// Alive while now < last_seen_at + idle and now < expires_at.
		"sessione_inattiva": now.Add(-m.idle),
		// last_seen_at is written when now - last_seen_at >= the interval.
		"sessione_tocca": now.Add(-min(touchEvery, m.idle/4)),
	}
	accanto := "NULL::jsonb"
	if m.accanto != nil {
		accanto = "(" + m.accanto.SQL("s.operatore_id") + ")"
		for k, v := range m.accanto.Args() {
			args[k] = v
		}
	}
	var (
		s             Session
		viva, toccata bool
	)
	err = m.pool.QueryRow(ctx, `
		WITH s AS (
			SELECT token_hash, operatore_id, ruolo_id, id_token, created_at, last_seen_at, expires_at,
			       expires_at > @sessione_ora AND last_seen_at > @sessione_inattiva AS viva
			FROM sessione WHERE token_hash = @sessione_token
		), scaduta AS (
			DELETE FROM sessione x USING s WHERE x.token_hash = s.token_hash AND NOT s.viva
		), toccata AS (
			UPDATE sessione x SET last_seen_at = @sessione_ora FROM s
			WHERE x.token_hash = s.token_hash AND s.viva AND s.last_seen_at <= @sessione_tocca
			RETURNING 1
		)
		SELECT s.operatore_id, s.ruolo_id, s.id_token, s.created_at, s.last_seen_at, s.expires_at, s.viva,
		       EXISTS (SELECT FROM toccata),
		       CASE WHEN s.viva THEN `+accanto+` END
		FROM s`, args).
		Scan(&s.OperatoreID, &s.RuoloID, &s.IDToken, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &viva, &toccata, &s.Accanto)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("session: load: %w", err)
	}
	if !viva {
		return Session{}, false, nil
	}
	if toccata {
		s.LastSeenAt = now
	}
	s.hash, s.Letto = hashToken(c.Value), m.accanto != nil
	return s, true, nil
}

// IdleExpiry is when the session ends if no further request arrives.
func (m *Manager) IdleExpiry(s Session) time.Time {
	t := s.LastSeenAt.Add(m.idle)
	if s.ExpiresAt.Before(t) {
		return s.ExpiresAt
	}
	return t
}

// SetRuolo records the role the operator acts in.
func (m *Manager) SetRuolo(ctx context.Context, s Session, ruoloID int64) error {
	_, err := m.pool.Exec(ctx, `UPDATE sessione SET ruolo_id = $2 WHERE token_hash = $1`, s.hash, ruoloID)
	if err != nil {
		return fmt.Errorf("session: set ruolo: %w", err)
	}
	return nil
}

// Destroy ends the request's session (if any) and clears the cookie.
func (m *Manager) Destroy(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	m.setCookie(w, m.CookieName(), "", -1)
	c, err := r.Cookie(m.CookieName())
	if err != nil {
		return nil
	}
	if _, err := m.pool.Exec(ctx, `DELETE FROM sessione WHERE token_hash = $1`, hashToken(c.Value)); err != nil {
		return fmt.Errorf("session: destroy: %w", err)
	}
	return nil
}

// DestroyOperatore ends every session of an operator (suspension, revocation).
func (m *Manager) DestroyOperatore(ctx context.Context, opID uuid.UUID) error {
	_, err := m.pool.Exec(ctx, `DELETE FROM sessione WHERE operatore_id = $1`, opID)
	return err
}

// StartLogin stores an authorization request in progress and sets its cookie.
func (m *Manager) StartLogin(ctx context.Context, w http.ResponseWriter, l Login) error {
	tok, h := newToken()
	_, err := m.pool.Exec(ctx, `
		INSERT INTO sessione_login (token_hash, state, nonce, verifier, return_to, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, h, l.State, l.Nonce, l.Verifier, l.ReturnTo, m.now().Add(loginTTL))
	if err != nil {
		return fmt.Errorf("session: start login: %w", err)
	}
	m.setCookie(w, m.loginCookieName(), tok, int(loginTTL.Seconds()))
	return nil
}

// FinishLogin returns and deletes the request's login in progress: each
// state can be used once.
func (m *Manager) FinishLogin(ctx context.Context, w http.ResponseWriter, r *http.Request) (Login, error) {
	c, err := r.Cookie(m.loginCookieName())
	if err != nil || c.Value == "" {
		return Login{}, ErrNoLogin
	}
	m.setCookie(w, m.loginCookieName(), "", -1)
	var l Login
	var exp time.Time
	err = m.pool.QueryRow(ctx, `
		DELETE FROM sessione_login WHERE token_hash = $1
		RETURNING state, nonce, verifier, return_to, expires_at`, hashToken(c.Value)).
		Scan(&l.State, &l.Nonce, &l.Verifier, &l.ReturnTo, &exp)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !m.now().Before(exp)) {
		return Login{}, ErrNoLogin
	}
	if err != nil {
		return Login{}, fmt.Errorf("session: finish login: %w", err)
	}
	return l, nil
}

// Cleanup deletes expired sessions and logins; `cartella serve` runs it
// every few minutes.
func (m *Manager) Cleanup(ctx context.Context) (int64, error) {
	now := m.now()
	t1, err := m.pool.Exec(ctx, `DELETE FROM sessione WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-m.idle))
	if err != nil {
		return 0, fmt.Errorf("session: cleanup: %w", err)
	}
	t2, err := m.pool.Exec(ctx, `DELETE FROM sessione_login WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("session: cleanup: %w", err)
	}
	return t1.RowsAffected() + t2.RowsAffected(), nil
}

type ctxKey struct{}

// WithSession stores s in ctx (by the auth middleware).
func WithSession(ctx context.Context, s Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the session stored by WithSession.
func FromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}
