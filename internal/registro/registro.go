// Package registro keeps the registro degli accessi: who read or wrote which
// personal data, who changed an accreditation, who signed in, out, or was
// refused — the traceability the national guidelines on the cartella
// sociale informatizzata (DM 31/2026) and the Garante require (domain.md §14).
//
// The table is append-only (database triggers refuse UPDATE, DELETE and
// TRUNCATE for every role) and each record is chained to the previous one by
// a SHA-256 hash, so that Verify detects a record altered or removed by
// someone who bypassed the triggers. Records hold metadata only, never the
// content of a case.
package registro

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"strconv"
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
	HashPrec     []byte
	Hash         []byte

	// richiesta is the idempotency key of the form the request carried
	// (FromRequest): a write recorded with it consumes it (ADR 0012).
	richiesta *httpx.Richiesta
}

// Service writes, reads and verifies the register.
type Service struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewService returns the service over pool.
func NewService(pool *pgxpool.Pool) *Service { return &Service{pool: pool, now: time.Now} }

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

// chainLock serialises appends so that each record is chained to the one
// committed just before it.
const chainLock = 7417002

// Record appends v in its own transaction.
func (s *Service) Record(ctx context.Context, v Voce) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.RecordTx(ctx, tx, v) })
}

// RecordTx appends v inside the caller's transaction, so that a write to
// personal data and its record commit or roll back together.
func (s *Service) RecordTx(ctx context.Context, tx pgx.Tx, v Voce) error {
	if v.Azione == "" || (v.Esito != Consentito && v.Esito != Rifiutato) {
		return fmt.Errorf("registro: record without azione or esito: %q %q", v.Azione, v.Esito)
	}
	if err := consuma(ctx, tx, v); err != nil {
		return err
	}
	if err := lockChain(ctx, tx); err != nil {
		return fmt.Errorf("registro: lock: %w", err)
	}
	prev, err := lastHash(ctx, tx)
	if err != nil {
		return err
	}
	// PostgreSQL keeps microseconds: hash exactly what is stored.
	v.RegistratoIl = s.now().UTC().Truncate(time.Microsecond)
	v.HashPrec = prev
	v.Hash = v.digest()
	if err := insert(ctx, tx, v); err != nil {
		return fmt.Errorf("registro: insert: %w", err)
	}
	return nil
}

// RecordBatch appends vs, in order, inside the caller's transaction with a
// single COPY: for imports that write thousands of cases, one record each.
func (s *Service) RecordBatch(ctx context.Context, tx pgx.Tx, vs []Voce) error {
	if len(vs) == 0 {
		return nil
	}
	for _, v := range vs {
		if v.Azione == "" || (v.Esito != Consentito && v.Esito != Rifiutato) {
			return fmt.Errorf("registro: record without azione or esito: %q %q", v.Azione, v.Esito)
		}
	}
	for _, v := range vs {
		if v.richiesta != nil && v.Azione == Scrittura {
			if err := consuma(ctx, tx, v); err != nil {
				return err
			}
			break
		}
	}
	if err := lockChain(ctx, tx); err != nil {
		return fmt.Errorf("registro: lock: %w", err)
	}
	prev, err := lastHash(ctx, tx)
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	rows := make([][]any, len(vs))
	for i, v := range vs {
		v.RegistratoIl, v.HashPrec = now, prev
		v.Hash = v.digest()
		prev = v.Hash
		rows[i] = []any{v.RegistratoIl, v.OperatoreID, v.Ruolo, v.AmbitoID, v.ComuneID, v.Azione, v.OggettoTipo,
			v.OggettoID, v.CasoID, v.Esito, v.RequestID, v.Indirizzo, v.Dettaglio, v.HashPrec, v.Hash}
	}
	if err := copyVoci(ctx, tx, rows); err != nil {
		return fmt.Errorf("registro: copy: %w", err)
	}
	return nil
}

// zero is the hash_prec of the first record.
var zero = make([]byte, sha256.Size)

// digest is SHA-256 over the previous hash and every field, each
// length-prefixed so that no two different records encode alike.
func (v Voce) digest() []byte {
	h := sha256.New()
	h.Write(v.HashPrec)
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	op := ""
	if v.OperatoreID != nil {
		op = v.OperatoreID.String()
	}
	field(strconv.FormatInt(v.RegistratoIl.UnixMicro(), 10))
	field(op)
	field(v.Ruolo)
	field(opt(v.AmbitoID))
	field(opt(v.ComuneID))
	field(v.Azione)
	field(v.OggettoTipo)
	field(v.OggettoID)
	field(v.CasoID)
	field(v.Esito)
	field(v.RequestID)
	field(v.Indirizzo)
	field(v.Dettaglio)
	return h.Sum(nil)
}

// Problem is a record that breaks the chain.
type Problem struct {
	ID     int64
	Reason string
}

// Report is the outcome of Verify.
type Report struct {
	Records  int64
	LastHash []byte
	Problems []Problem
}

// Verify walks the whole register in order and checks every hash and every
// link. A modified record fails its own hash; a removed record breaks the
// link of the one after it. (Removing the newest records leaves a shorter
// chain that is still consistent: compare Report.LastHash with one noted
// earlier — docs/operations.md.)
func (s *Service) Verify(ctx context.Context) (Report, error) {
	var rep Report
	prev := zero
	err := scanAll(ctx, s.pool, func(v Voce) error {
		rep.Records++
		if !bytes.Equal(v.HashPrec, prev) {
			rep.Problems = append(rep.Problems, Problem{v.ID, "collegamento interrotto: manca o è stata alterata la registrazione precedente"})
		}
		if !bytes.Equal(v.digest(), v.Hash) {
			rep.Problems = append(rep.Problems, Problem{v.ID, "contenuto alterato: l'impronta non corrisponde"})
		}
		prev = v.Hash
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	if rep.Records > 0 {
		rep.LastHash = prev
	}
	return rep, nil
}
