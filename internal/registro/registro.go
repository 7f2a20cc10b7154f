// Package registro keeps the registro degli accessi: who read or wrote which
// personal data, who changed an accreditation, who signed in, out, or was
// refused — the traceability the national guidelines on the cartella
// sociale informatizzata (DM 31/2026) and the Garante require (domain.md §14).
//
// The table is append-only (database triggers refuse UPDATE, DELETE and
// TRUNCATE for every role; the application's role may only INSERT). Each
// record is signed with a key the database does not hold, appended without
// any lock, and sealed in order by one sealer into lotti chained to each
// other (ADR 0023), so that Verify detects a record altered, removed,
// forged or inserted out of order, even by whoever holds the application's
// database role. Records hold metadata only, never the content of a case.
package registro

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
)

// Azioni recorded.
const (
	Login        = "login"
	LoginNegato  = "login_negato"
	Logout       = "logout"
	Lettura      = "lettura"
	Scrittura    = "scrittura"
	Esportazione = "esportazione"
	Negato       = "accesso_negato"
)

// Esiti.
const (
	Consentito = "consentito"
	Rifiutato  = "negato"
)

// Voce is one record of the register.
type Voce struct {
	ID           int64
	RegistratoIl time.Time
	OperatoreID  *uuid.UUID
	Ruolo        string
	AmbitoID     *int64
	ComuneID     *int64
	Azione       string
	OggettoTipo  string
	OggettoID    string
	CasoID       string
	Esito        string
	RequestID    string
	Indirizzo    string
	Dettaglio    string
	// Nonce and Mac sign the record (Chiave.firmaVoce); Xid is the
	// transaction that wrote it, set by the database. HashPrec and Hash
	// are the SHA-256 chain of the records written before ADR 0023.
	Nonce    []byte
	Mac      []byte
	Xid      *int64
	HashPrec []byte
	Hash     []byte

	// richiesta is the idempotency key of the form the request carried
	// (FromRequest): a write recorded with it consumes it (ADR 0012).
	richiesta *httpx.Richiesta
}

// Service writes, reads and verifies the register.
type Service struct {
	pool   *pgxpool.Pool
	chiave Chiave
	now    func() time.Time
	// finto, in the tests only, stands in for a restore into a new
	// cluster: when it returns a system identifier other than 0, that is
	// the cluster's, and the transaction ids the sealer and verify see are
	// moved by spostamento (the records' ones the test moves itself).
	finto func() (sistema, spostamento int64)
	// gruppo writes the records of reads together (gruppo.go).
	gruppo gruppo
}

// NewService returns the service over pool, signing with chiave.
func NewService(pool *pgxpool.Pool, chiave Chiave) *Service {
	return &Service{pool: pool, chiave: chiave, now: time.Now}
}

// FromRequest fills in who (the principal acting), from where and which
// request: the fields every record of a web request shares.
func FromRequest(r *http.Request, v Voce) Voce {
	if p, ok := authz.PrincipalFrom(r.Context()); ok {
		id := p.OperatoreID
		v.OperatoreID, v.Ruolo, v.AmbitoID, v.ComuneID = &id, string(p.Ruolo), p.AmbitoID, p.ComuneID
	}
	v.RequestID = httpx.RequestIDFrom(r.Context())
	v.richiesta = httpx.RichiestaFrom(r.Context())
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		v.Indirizzo = host
	} else {
		v.Indirizzo = r.RemoteAddr
	}
	if v.Esito == "" {
		v.Esito = Consentito
	}
	return v
}

// VoceOf is FromRequest with nothing else filled in: the record a handler
// hands its service, which adds the action and the object.
func VoceOf(r *http.Request) Voce { return FromRequest(r, Voce{}) }

// Record appends v and returns once it is committed. A record that consumes
// an idempotency key does so in one transaction with it; any other is
// written with the records other requests are writing meanwhile, in one
// statement and one commit (gruppo.go).
func (s *Service) Record(ctx context.Context, v Voce) error {
	if v.richiesta != nil && v.Azione == Scrittura {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.RecordTx(ctx, tx, v) })
	}
	if err := s.prepara(&v, s.now()); err != nil {
		return err
	}
	return s.accoda(ctx, v)
}

// RecordTx appends v inside the caller's transaction, so that a write to
// personal data and its record commit or roll back together. No lock is
// taken: the order of the register is fixed later by the sealer (Sigilla).
func (s *Service) RecordTx(ctx context.Context, tx pgx.Tx, v Voce) error {
	if err := s.prepara(&v, s.now()); err != nil {
		return err
	}
	if err := consuma(ctx, tx, v); err != nil {
		return err
	}
	if err := insert(ctx, tx, v); err != nil {
		return fmt.Errorf("registro: insert: %w", err)
	}
	return nil
}

// prepara checks v and signs it at now.
func (s *Service) prepara(v *Voce, now time.Time) error {
	if v.Azione == "" || (v.Esito != Consentito && v.Esito != Rifiutato) {
		return fmt.Errorf("registro: record without azione or esito: %q %q", v.Azione, v.Esito)
	}
	if !s.chiave.Valida() {
		return ErrChiave
	}
	// PostgreSQL keeps microseconds: sign exactly what is stored.
	v.RegistratoIl = now.UTC().Truncate(time.Microsecond)
	v.Nonce = make([]byte, 16)
	if _, err := rand.Read(v.Nonce); err != nil {
		return err
	}
	v.Mac = s.chiave.firmaVoce(*v)
	return nil
}

// RecordBatch appends vs, in order, inside the caller's transaction with a
// single COPY: for imports that write thousands of cases, one record each.
func (s *Service) RecordBatch(ctx context.Context, tx pgx.Tx, vs []Voce) error {
	if len(vs) == 0 {
		return nil
	}
	now := s.now()
	rows := make([][]any, len(vs))
	for i := range vs {
		v := vs[i]
		if err := s.prepara(&v, now); err != nil {
			return err
		}
		rows[i] = argomentiInsert(v)
	}
	for _, v := range vs {
		if v.richiesta != nil && v.Azione == Scrittura {
			if err := consuma(ctx, tx, v); err != nil {
				return err
			}
			break
		}
	}
	if err := copyVoci(ctx, tx, rows); err != nil {
		return fmt.Errorf("registro: copy: %w", err)
	}
	return nil
}

// zero is the hash_prec of the first lotto (and of the first record of the
// SHA-256 chain kept before ADR 0023).
var zero = make([]byte, sha256.Size)

// digest is the SHA-256 of a record written before ADR 0023: over the
// previous hash and every field.
func (v Voce) digest() []byte {
	h := sha256.New()
	h.Write(v.HashPrec)
	campi(h, v)
	return h.Sum(nil)
}
