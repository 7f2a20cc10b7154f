package registro

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Chiave is the secret the register is signed with (ADR 0023). The
// database never holds it: it comes from a file named by the
// configuration (REGISTRO_CHIAVE_FILE), so that whoever holds the
// application's database role — or the database itself — cannot forge a
// record or rewrite a lotto without being detected.
type Chiave struct {
	k []byte
}

// LunghezzaChiave is the size of a key written by GeneraChiave; a key
// file holds it as hex.
const LunghezzaChiave = 32

// ErrChiave: the key is missing or unusable.
var ErrChiave = errors.New("registro: chiave del registro mancante o non valida")

// NuovaChiave wraps k (at least LunghezzaChiave bytes).
func NuovaChiave(k []byte) (Chiave, error) {
	if len(k) < LunghezzaChiave {
		return Chiave{}, fmt.Errorf("%w: servono almeno %d byte, ne ha %d", ErrChiave, LunghezzaChiave, len(k))
	}
	return Chiave{k: append([]byte(nil), k...)}, nil
}

// LeggiChiave reads the key file at path: hex, at least 64 digits,
// surrounding white space ignored.
func LeggiChiave(path string) (Chiave, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Chiave{}, fmt.Errorf("%w: %v", ErrChiave, err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return Chiave{}, fmt.Errorf("%w: il file %s deve contenere la chiave in esadecimale (cartella audit chiave FILE la genera)", ErrChiave, path)
	}
	return NuovaChiave(k)
}

// GeneraChiave writes a new random key to path, readable by its owner
// only. It never overwrites a file: a lost key makes the register's past
// unverifiable.
func GeneraChiave(path string) error {
	k := make([]byte, LunghezzaChiave)
	if _, err := rand.Read(k); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("registro: chiave: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Valida reports whether c holds a key.
func (c Chiave) Valida() bool { return len(c.k) >= LunghezzaChiave }

// Impronta identifies the key without revealing it: it is written with
// every lotto, so that verify can tell a lotto sealed with another key
// from a forged one.
func (c Chiave) Impronta() string {
	m := hmac.New(sha256.New, c.k)
	m.Write([]byte("cartella/registro/impronta-della-chiave"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// firmaVoce is HMAC-SHA256 over every field of v and its nonce, each
// length-prefixed so that no two different records encode alike.
func (c Chiave) firmaVoce(v Voce) []byte {
	m := hmac.New(sha256.New, c.k)
	m.Write([]byte("cartella/registro/voce/v2"))
	campi(m, v)
	field(m, string(v.Nonce))
	return m.Sum(nil)
}

// firmaLotto chains a lotto to the one before: HMAC over the previous
// hash, the lotto's number and horizon, and each sealed record's id and
// signature, in order. A lotto sealed since migration 000031 (it notes its
// cluster) is signed over its cluster and ripartenza too (v2): turning a
// lotto into a ripartenza, or one back, breaks its signature.
func (c Chiave) firmaLotto(l Lotto, firme [][]byte) []byte {
	m := hmac.New(sha256.New, c.k)
	var n [8]byte
	if l.Sistema == nil && l.Ripartenza == nil {
		m.Write([]byte("cartella/registro/lotto/v1"))
		m.Write(l.HashPrec)
	} else {
		m.Write([]byte("cartella/registro/lotto/v2"))
		m.Write(l.HashPrec)
		opt := func(p *int64) {
			if p == nil {
				m.Write([]byte{0})
				return
			}
			m.Write([]byte{1})
			binary.BigEndian.PutUint64(n[:], uint64(*p))
			m.Write(n[:])
		}
		opt(l.Sistema)
		opt(l.Ripartenza)
	}
	for _, x := range []uint64{uint64(l.Numero), l.Orizzonte, uint64(len(l.Voci))} {
		binary.BigEndian.PutUint64(n[:], x)
		m.Write(n[:])
	}
	for i, id := range l.Voci {
		binary.BigEndian.PutUint64(n[:], uint64(id))
		m.Write(n[:])
		field(m, string(firme[i]))
	}
	return m.Sum(nil)
}

// firmaTesto signs a line of a checkpoint file.
func (c Chiave) firmaTesto(s string) string {
	m := hmac.New(sha256.New, c.k)
	m.Write([]byte("cartella/registro/punto-di-controllo/v1"))
	m.Write([]byte(s))
	return hex.EncodeToString(m.Sum(nil))
}

type scrittore interface{ Write([]byte) (int, error) }

func field(h scrittore, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}

// campi writes the fields of a record, in a fixed order.
func campi(h scrittore, v Voce) {
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
	field(h, strconv.FormatInt(v.RegistratoIl.UnixMicro(), 10))
	field(h, op)
	field(h, v.Ruolo)
	field(h, opt(v.AmbitoID))
	field(h, opt(v.ComuneID))
	field(h, v.Azione)
	field(h, v.OggettoTipo)
	field(h, v.OggettoID)
	field(h, v.CasoID)
	field(h, v.Esito)
	field(h, v.RequestID)
	field(h, v.Indirizzo)
	field(h, v.Dettaglio)
}

// ChiaveDiProva is a fixed key for the tests. Nothing in the product uses
// it: serve and the commands read REGISTRO_CHIAVE_FILE, the demo creates
// its own random key.
func ChiaveDiProva() Chiave {
	k, _ := NuovaChiave([]byte("cartella: chiave di prova del registro, mai in produzione"))
	return k
}
