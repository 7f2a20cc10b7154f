package database_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/dbtest"
)

// riga holds what the callbacks of the test batch read: every common type
// (NULL or not), a list in its query's order, an empty list, a QueryRow
// without rows, parameters of several queries (one in a string literal and
// a comment, which are not parameters).
type lettura struct {
	ID         uuid.UUID
	Testo      string
	Nullo      *string
	Data       time.Time
	DataNulla  *time.Time
	Istante    time.Time
	Vero       bool
	Intero     int64
	Piccolo    int32
	Numeri     []int64
	JSON       map[string]any
	Byte       []byte
	Decimale   pgtype.Numeric
	Lista      []int
	Vuota      []string
	NessunaErr error
	Conteggio  int64
	Letterale  string
	Valori     []any
}

func accoda(b *pgx.Batch, out *lettura, id uuid.UUID, giorno time.Time) {
	b.Queue(`SELECT $1::uuid, $2::text, NULL::text, $3::date, NULL::date, $4::timestamptz, true, 9007199254740993::bigint,
		7::int, ARRAY[3, 1, 2]::bigint[], '{"a": [1, "x"]}'::jsonb, '\x00ff'::bytea, 12.50::numeric`,
		id, "àèì 'quoted' $1", giorno, giorno.Add(90*time.Minute)).QueryRow(func(r pgx.Row) error {
		return r.Scan(&out.ID, &out.Testo, &out.Nullo, &out.Data, &out.DataNulla, &out.Istante, &out.Vero, &out.Intero,
			&out.Piccolo, &out.Numeri, &out.JSON, &out.Byte, &out.Decimale)
	})
	// Ordered, with a parameter: 5, 4, 3, 2, 1.
	b.Queue(`SELECT g FROM generate_series(1, $1::int) g ORDER BY g DESC`, 5).Query(func(rows pgx.Rows) error {
		var err error
		out.Lista, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	b.Queue(`SELECT 'x' WHERE $1::int < 0`, 1).Query(func(rows pgx.Rows) error {
		var err error
		out.Vuota, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	b.Queue(`SELECT 1 WHERE false`).QueryRow(func(r pgx.Row) error {
		var x int
		out.NessunaErr = r.Scan(&x)
		return nil
	})
	b.Queue(`SELECT count(*) FROM generate_series(1, $1::int) -- $2 is not a parameter
		/* nor $3 */ WHERE $2::int > 0`, 10, 1).QueryRow(func(r pgx.Row) error { return r.Scan(&out.Conteggio) })
	b.Queue(`SELECT '$1 ''$2''' || $$ $3 $$ || $1::text`, "!").QueryRow(func(r pgx.Row) error { return r.Scan(&out.Letterale) })
	b.Queue(`SELECT 1::int, 'v'::text, NULL::int`).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				return err
			}
			out.Valori = v
		}
		return rows.Err()
	})
}

// InviaUnito gives every callback what SendBatch gives it.
func TestInviaUnitoComeSendBatch(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	id := uuid.New()
	giorno := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)

	var atteso, unito lettura
	b := &pgx.Batch{}
	accoda(b, &atteso, id, giorno)
	if err := pool.SendBatch(ctx, b).Close(); err != nil {
		t.Fatal(err)
	}
	b = &pgx.Batch{}
	accoda(b, &unito, id, giorno)
	if err := database.InviaUnito(ctx, pool, b); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(atteso.NessunaErr, pgx.ErrNoRows) || !errors.Is(unito.NessunaErr, pgx.ErrNoRows) {
		t.Errorf("QueryRow without rows: SendBatch %v, InviaUnito %v; want pgx.ErrNoRows", atteso.NessunaErr, unito.NessunaErr)
	}
	atteso.NessunaErr, unito.NessunaErr = nil, nil
	if !reflect.DeepEqual(atteso, unito) {
		t.Errorf("InviaUnito read\n%+v\nSendBatch read\n%+v", unito, atteso)
	}
	if atteso.Testo != "àèì 'quoted' $1" || atteso.Conteggio != 10 || atteso.Letterale != "$1 '$2' $3 !" ||
		!reflect.DeepEqual(atteso.Lista, []int{5, 4, 3, 2, 1}) {
		t.Errorf("the batch itself read %+v", atteso)
	}
}

// A callback's error stops the others and is returned; a query PostgreSQL
// refuses fails the whole; an Exec callback is refused.
func TestInviaUnitoErrori(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	mio := errors.New("callback")
	dopo := false
	b := &pgx.Batch{}
	b.Queue(`SELECT 1`).QueryRow(func(pgx.Row) error { return mio })
	b.Queue(`SELECT 2`).QueryRow(func(pgx.Row) error { dopo = true; return nil })
	if err := database.InviaUnito(ctx, pool, b); !errors.Is(err, mio) || dopo {
		t.Errorf("callback error: %v (later callback run: %v)", err, dopo)
	}
	b = &pgx.Batch{}
	b.Queue(`SELECT 1/0`).QueryRow(func(r pgx.Row) error { var x int; return r.Scan(&x) })
	if err := database.InviaUnito(ctx, pool, b); err == nil {
		t.Error("division by zero: no error")
	}
	b = &pgx.Batch{}
	b.Queue(`SELECT 1`)
	if err := database.InviaUnito(ctx, pool, b); err == nil {
		t.Error("a query without callback was sent")
	}
	if err := database.InviaUnito(ctx, pool, &pgx.Batch{}); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// Many pages at once on few connections: each reads its own values, even
// when its connection serves another query before its callbacks run.
func TestInviaUnitoConcorrente(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				voce := fmt.Sprintf("%d-%d", g, i)
				var testo string
				var numeri []int
				b := &pgx.Batch{}
				b.Queue(`SELECT repeat($1::text, 300)`, voce).QueryRow(func(r pgx.Row) error { return r.Scan(&testo) })
				b.Queue(`SELECT g FROM generate_series($1::int, $1::int + 50) g ORDER BY g`, g*1000+i).Query(func(rows pgx.Rows) error {
					var err error
					numeri, err = pgx.CollectRows(rows, pgx.RowTo[int])
					return err
				})
				if err := database.InviaUnito(ctx, pool, b); err != nil {
					errs <- err
					return
				}
				if testo != strings.Repeat(voce, 300) || len(numeri) != 51 || numeri[0] != g*1000+i || numeri[50] != g*1000+i+50 {
					errs <- fmt.Errorf("%s: read %.40q… and %d numbers from %v", voce, testo, len(numeri), numeri[:min(len(numeri), 1)])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
