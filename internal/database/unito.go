package database

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// InviaUnito sends the queries queued on b as one statement and hands each
// callback its own rows, as SendBatch would: every query becomes a column
// `ARRAY(SELECT x FROM (query) x)` of one SELECT, its parameters renumbered
// after the previous ones', and the records of each column are scanned by
// the same pgx types the query's own result would have used (PostgreSQL
// sends a record's fields in binary with their types).
//
// A batch of SendBatch is one round trip but one statement per query, and
// each statement costs PostgreSQL its own bind, executor start and end: a
// page that reads the small sections of a dozen modules spent more on
// those than on the reads. One statement has them once, and its prepared
// plan is cached as the queries' were.
//
// Only for reads: every queued query must be a SELECT (or WITH … SELECT)
// that can stand as a subquery, with a Query or QueryRow callback (an Exec
// callback, or none, is refused before anything is sent). A query's ORDER
// BY is kept (a sorted subquery is not flattened). The whole runs in one
// implicit transaction, as a batch does.
func InviaUnito(ctx context.Context, q Querier, b *pgx.Batch) error {
	n := len(b.QueuedQueries)
	if n == 0 {
		return nil
	}
	var sql strings.Builder
	sql.WriteString("SELECT ")
	var args []any
	for i, qq := range b.QueuedQueries {
		if qq.Fn == nil {
			return fmt.Errorf("database: invia unito: query %d has no callback", i+1)
		}
		if i > 0 {
			sql.WriteString(",\n")
		}
		corpo, err := rinumera(qq.SQL, len(args))
		if err != nil {
			return fmt.Errorf("database: invia unito: query %d: %w", i+1, err)
		}
		fmt.Fprintf(&sql, "ARRAY(SELECT x FROM (%s) x)", corpo)
		args = append(args, qq.Arguments...)
	}
	rows, err := q.Query(ctx, sql.String(), args...)
	if err != nil {
		return fmt.Errorf("database: invia unito: %w", err)
	}
	if !rows.Next() {
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("database: invia unito: %w", err)
		}
		return errors.New("database: invia unito: no row")
	}
	raw := rows.RawValues()
	colonne := make([][]record, n)
	for i := range n {
		if i >= len(raw) {
			rows.Close()
			return fmt.Errorf("database: invia unito: %d columns, want %d", len(raw), n)
		}
		// RawValues point into the connection's buffer, reused once the
		// rows are closed and the connection goes back to the pool: the
		// records keep a copy.
		if colonne[i], err = leggiRecords(bytes.Clone(raw[i])); err != nil {
			rows.Close()
			return fmt.Errorf("database: invia unito: query %d: %w", i+1, err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("database: invia unito: %w", err)
	}
	m := mappe.Get().(*pgtype.Map)
	defer mappe.Put(m)
	for i, qq := range b.QueuedQueries {
		if err := qq.Fn(&risultati{m: m, recs: colonne[i]}); err != nil {
			return err
		}
	}
	return nil
}

// mappe are the type maps the records are scanned with (a Map caches its
// scan plans and is not safe for concurrent use).
var mappe = sync.Pool{New: func() any { return pgtype.NewMap() }}

// campo is one field of a record: its type and its binary value (nil: NULL).
type campo struct {
	oid  uint32
	dato []byte
}

type record []campo

// leggiRecords decodes a record[] in PostgreSQL's binary format.
func leggiRecords(src []byte) ([]record, error) {
	if src == nil {
		return nil, nil
	}
	r := lettore{b: src}
	ndim := r.int32()
	r.int32() // has nulls
	r.int32() // element type: record
	if ndim == 0 {
		return nil, r.err
	}
	if ndim != 1 {
		return nil, fmt.Errorf("array of %d dimensions", ndim)
	}
	lung := r.int32()
	r.int32() // lower bound
	out := make([]record, 0, max(lung, 0))
	for range lung {
		l := r.int32()
		if l < 0 {
			return nil, errors.New("NULL row")
		}
		e := lettore{b: r.next(int(l))}
		nc := e.int32()
		rec := make(record, 0, max(nc, 0))
		for range nc {
			oid := uint32(e.int32())
			fl := e.int32()
			var d []byte
			if fl >= 0 {
				d = e.next(int(fl))
			}
			rec = append(rec, campo{oid: oid, dato: d})
		}
		if e.err != nil {
			return nil, e.err
		}
		out = append(out, rec)
	}
	return out, r.err
}

type lettore struct {
	b   []byte
	err error
}

func (l *lettore) next(n int) []byte {
	if l.err != nil || n < 0 || len(l.b) < n {
		if l.err == nil {
			l.err = errors.New("record truncated")
		}
		return nil
	}
	out := l.b[:n:n]
	l.b = l.b[n:]
	return out
}

func (l *lettore) int32() int32 {
	b := l.next(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

// risultati are one query's records as pgx.BatchResults.
type risultati struct {
	m    *pgtype.Map
	recs []record
}

func (r *risultati) Exec() (pgconn.CommandTag, error) {
	return pgconn.CommandTag{}, errors.New("database: invia unito: Exec is not supported")
}

func (r *risultati) Query() (pgx.Rows, error) {
	return &righe{m: r.m, recs: r.recs, i: -1}, nil
}

func (r *risultati) QueryRow() pgx.Row {
	return &riga{righe{m: r.m, recs: r.recs, i: -1}}
}

func (r *risultati) Close() error { return nil }
func (r *risultati) Tx() pgx.Tx   { return nil }

// righe serves one query's records as pgx.Rows.
type righe struct {
	m      *pgtype.Map
	recs   []record
	i      int
	err    error
	chiusa bool
}

func (r *righe) Close()     { r.chiusa = true }
func (r *righe) Err() error { return r.err }
func (r *righe) CommandTag() pgconn.CommandTag {
	return pgconn.NewCommandTag("SELECT " + strconv.Itoa(len(r.recs)))
}
func (r *righe) Conn() *pgx.Conn                              { return nil }
func (r *righe) TypeMap() *pgtype.Map                         { return r.m }
func (r *righe) FieldDescriptions() []pgconn.FieldDescription { return r.campi() }

func (r *righe) campi() []pgconn.FieldDescription {
	if r.i < 0 || r.i >= len(r.recs) {
		return nil
	}
	fd := make([]pgconn.FieldDescription, len(r.recs[r.i]))
	for j, c := range r.recs[r.i] {
		fd[j] = pgconn.FieldDescription{Name: "f" + strconv.Itoa(j+1), DataTypeOID: c.oid, Format: pgtype.BinaryFormatCode}
	}
	return fd
}

func (r *righe) Next() bool {
	if r.chiusa || r.err != nil {
		return false
	}
	r.i++
	if r.i >= len(r.recs) {
		r.chiusa = true
		return false
	}
	return true
}

func (r *righe) Scan(dest ...any) error {
	if r.i < 0 || r.i >= len(r.recs) {
		return errors.New("database: invia unito: Scan without a row")
	}
	rec := r.recs[r.i]
	if len(dest) != len(rec) {
		r.err = fmt.Errorf("number of field descriptions must equal number of destinations, got %d and %d", len(rec), len(dest))
		return r.err
	}
	for j, d := range dest {
		if d == nil {
			continue
		}
		if err := r.m.Scan(rec[j].oid, pgtype.BinaryFormatCode, rec[j].dato, d); err != nil {
			r.err = pgx.ScanArgError{ColumnIndex: j, Err: err}
			return r.err
		}
	}
	return nil
}

func (r *righe) Values() ([]any, error) {
	if r.i < 0 || r.i >= len(r.recs) {
		return nil, errors.New("database: invia unito: Values without a row")
	}
	rec := r.recs[r.i]
	out := make([]any, len(rec))
	for j, c := range rec {
		if c.dato == nil {
			continue
		}
		t, ok := r.m.TypeForOID(c.oid)
		if !ok {
			out[j] = c.dato
			continue
		}
		v, err := t.Codec.DecodeValue(r.m, c.oid, pgtype.BinaryFormatCode, c.dato)
		if err != nil {
			return nil, err
		}
		out[j] = v
	}
	return out, nil
}

func (r *righe) RawValues() [][]byte {
	if r.i < 0 || r.i >= len(r.recs) {
		return nil
	}
	out := make([][]byte, len(r.recs[r.i]))
	for j, c := range r.recs[r.i] {
		out[j] = c.dato
	}
	return out
}

// riga is QueryRow's: the first record, or pgx.ErrNoRows.
type riga struct{ r righe }

func (r *riga) Scan(dest ...any) error {
	if !r.r.Next() {
		return pgx.ErrNoRows
	}
	return r.r.Scan(dest...)
}

// rinumera adds off to every parameter $N of sql, outside quoted strings,
// quoted identifiers, dollar-quoted strings and comments.
func rinumera(sql string, off int) (string, error) {
	if off == 0 {
		return sql, nil
	}
	var out strings.Builder
	out.Grow(len(sql) + 16)
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(sql) {
				return "", errors.New("unterminated quote")
			}
			out.WriteString(sql[i : j+1])
			i = j + 1
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			out.WriteString(sql[i : i+j])
			i += j
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return "", errors.New("unterminated comment")
			}
			out.WriteString(sql[i : i+2+j+2])
			i += 2 + j + 2
		case c == '$':
			j := i + 1
			for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			if j > i+1 {
				n, err := strconv.Atoi(sql[i+1 : j])
				if err != nil {
					return "", err
				}
				out.WriteString("$" + strconv.Itoa(n+off))
				i = j
				continue
			}
			// A dollar-quoted string: $tag$ … $tag$.
			k := strings.IndexByte(sql[i+1:], '$')
			if k < 0 {
				return "", errors.New("stray $")
			}
			tag := sql[i : i+1+k+1]
			end := strings.Index(sql[i+len(tag):], tag)
			if end < 0 {
				return "", errors.New("unterminated dollar quote")
			}
			stop := i + len(tag) + end + len(tag)
			out.WriteString(sql[i:stop])
			i = stop
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.String(), nil
}
