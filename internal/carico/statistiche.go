package carico

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Statistiche is what pg_stat_statements says of the run's database: the
// time of every statement (the database's own work, lock waits included,
// not the network or the application), the share of it spent in
// pg_advisory_xact_lock, and the statements per request.
type Statistiche struct {
	Chiamate         int64        `json:"chiamate"`
	TempoMs          float64      `json:"tempo_ms"`
	ChiamateAdvisory int64        `json:"chiamate_advisory_lock"`
	TempoAdvisoryMs  float64      `json:"tempo_advisory_lock_ms"`
	QuotaAdvisory    float64      `json:"quota_advisory_lock"` // TempoAdvisoryMs / TempoMs
	PerRichiesta     float64      `json:"istruzioni_per_richiesta,omitempty"`
	Principali       []Istruzione `json:"principali"`
}

// Istruzione is one normalised statement of pg_stat_statements.
type Istruzione struct {
	Testo    string  `json:"testo"`
	Chiamate int64   `json:"chiamate"`
	TempoMs  float64 `json:"tempo_ms"`
	Quota    float64 `json:"quota"`
}

// Sonda reads pg_stat_statements of one database.
type Sonda struct {
	conn *pgx.Conn
}

// ErrNoStatStatements: the server was not started with the library.
var ErrNoStatStatements = errors.New("pg_stat_statements non disponibile: il server non lo carica " +
	"(shared_preload_libraries; la demo lo carica quando PostgreSQL lo ha, il pacchetto Debian postgresql lo ha)")

// IndirizzoDemo turns the data directory of the demo's private cluster
// (var/pgdata) into the URL of its database "cartella": the port is on
// the fourth line of postmaster.pid. Anything else is returned as it is.
func IndirizzoDemo(s string) (string, error) {
	b, err := os.ReadFile(filepath.Join(s, "postmaster.pid"))
	if err != nil {
		if fi, serr := os.Stat(s); serr == nil && fi.IsDir() {
			return "", fmt.Errorf("%s: nessun postmaster.pid (la demo è avviata?)", s)
		}
		return s, nil
	}
	righe := strings.Split(string(b), "\n")
	if len(righe) < 4 {
		return "", fmt.Errorf("%s/postmaster.pid: troppo corto", s)
	}
	port, err := strconv.Atoi(strings.TrimSpace(righe[3]))
	if err != nil {
		return "", fmt.Errorf("%s/postmaster.pid: porta %q", s, righe[3])
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/cartella?sslmode=disable", port), nil
}

// ApriSonda connects to the database and makes sure the extension is
// there (CREATE EXTENSION needs a superuser the first time; the demo's
// cluster user is one). ErrNoStatStatements when the server lacks it.
func ApriSonda(ctx context.Context, dsn string) (*Sonda, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	var caricata bool
	if err := conn.QueryRow(ctx, `SELECT 'pg_stat_statements' = ANY(string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))`).Scan(&caricata); err != nil {
		conn.Close(ctx)
		return nil, err
	}
	if !caricata {
		conn.Close(ctx)
		return nil, ErrNoStatStatements
	}
	if _, err := conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("CREATE EXTENSION pg_stat_statements: %w", err)
	}
	return &Sonda{conn: conn}, nil
}

// Chiudi closes the connection.
func (s *Sonda) Chiudi(ctx context.Context) { s.conn.Close(ctx) }

// Azzera resets the statistics (of the whole server).
func (s *Sonda) Azzera(ctx context.Context) error {
	_, err := s.conn.Exec(ctx, `SELECT pg_stat_statements_reset()`)
	return err
}

// Leggi returns the statistics of this database since the last Azzera,
// without the probe's own statements, with the first n statements by time;
// richieste (if > 0) gives the statements per request.
func (s *Sonda) Leggi(ctx context.Context, n, richieste int) (Statistiche, error) {
	rows, err := s.conn.Query(ctx, `SELECT query, calls, total_exec_time FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT LIKE '%pg_stat_statements%'
		ORDER BY total_exec_time DESC`)
	if err != nil {
		return Statistiche{}, err
	}
	var st Statistiche
	var tutte []Istruzione
	for rows.Next() {
		var i Istruzione
		if err := rows.Scan(&i.Testo, &i.Chiamate, &i.TempoMs); err != nil {
			return Statistiche{}, err
		}
		st.Chiamate += i.Chiamate
		st.TempoMs += i.TempoMs
		if strings.Contains(i.Testo, "pg_advisory_xact_lock") {
			st.ChiamateAdvisory += i.Chiamate
			st.TempoAdvisoryMs += i.TempoMs
		}
		tutte = append(tutte, i)
	}
	if err := rows.Err(); err != nil {
		return Statistiche{}, err
	}
	if st.TempoMs > 0 {
		st.QuotaAdvisory = st.TempoAdvisoryMs / st.TempoMs
		for i := range tutte {
			tutte[i].Quota = tutte[i].TempoMs / st.TempoMs
		}
	}
	if richieste > 0 {
		st.PerRichiesta = float64(st.Chiamate) / float64(richieste)
	}
	for _, i := range tutte[:min(n, len(tutte))] {
		i.Testo = compatta(i.Testo, 160)
		st.Principali = append(st.Principali, i)
	}
	return st, nil
}

// perIstruzione is the calls of each statement of this database since
// Azzera, by queryid.
func (s *Sonda) perIstruzione(ctx context.Context) (map[int64]int64, error) {
	rows, err := s.conn.Query(ctx, `SELECT coalesce(queryid, 0), sum(calls)::bigint FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT LIKE '%pg_stat_statements%'
		GROUP BY 1`)
	if err != nil {
		return nil, err
	}
	m := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		m[id] = n
	}
	return m, rows.Err()
}

// finestra resets the statistics, runs f (or waits d when f is nil) and
// returns the calls by statement and how long it took.
func (s *Sonda) finestra(ctx context.Context, d time.Duration, f func() error) (map[int64]int64, time.Duration, error) {
	if err := s.Azzera(ctx); err != nil {
		return nil, 0, err
	}
	t0 := time.Now()
	if f != nil {
		if err := f(); err != nil {
			return nil, 0, err
		}
	} else {
		select {
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		case <-time.After(d):
		}
	}
	d = time.Since(t0)
	m, err := s.perIstruzione(ctx)
	return m, d, err
}

// compatta puts a statement on one line, at most n characters.
func compatta(q string, n int) string {
	q = strings.Join(strings.Fields(q), " ")
	if r := []rune(q); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return q
}

// PerPagina is the statements one request of a page runs.
type PerPagina struct {
	Pagina     string  `json:"pagina"`
	Richieste  int     `json:"richieste"`
	Istruzioni float64 `json:"istruzioni_per_richiesta"`
	Fondo      float64 `json:"fondo_per_richiesta"` // statements of the server's own jobs in the same time, subtracted
}

// IstruzioniPerPagina sends each page of the mix n times, one after the
// other, as client 0, and counts the statements pg_stat_statements saw
// for them. The server's own jobs (the deadline refresh, the cruscotto's
// prepared pages, the outbox) share the statistics: an idle interval as
// long as the page's is measured before and after it, and each statement
// counts only the calls beyond the larger of the two (Fondo: what was
// taken away). A job that runs only while the page is measured still
// counts: repeat the measure if a figure looks odd.
func IstruzioniPerPagina(ctx context.Context, s *Sonda, b *Bersaglio, n int) ([]PerPagina, error) {
	var out []PerPagina
	for pg, v := range b.mix {
		// One request first, so that caches and prepared statements are warm.
		if e := b.Fai(ctx, 0, pg); !e.ok() {
			return nil, fmt.Errorf("%s: %s", v.Nome, e.chiave())
		}
		pagina, durata, err := s.finestra(ctx, 0, func() error {
			for range n {
				if e := b.Fai(ctx, 0, pg); !e.ok() {
					return fmt.Errorf("%s: %s", v.Nome, e.chiave())
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		prima, _, err := s.finestra(ctx, durata, nil)
		if err != nil {
			return nil, err
		}
		dopo, _, err := s.finestra(ctx, durata, nil)
		if err != nil {
			return nil, err
		}
		var tot, fondo int64
		for id, c := range pagina {
			f := min(max(prima[id], dopo[id]), c)
			tot += c - f
			fondo += f
		}
		out = append(out, PerPagina{Pagina: v.Nome, Richieste: n,
			Istruzioni: float64(tot) / float64(n), Fondo: float64(fondo) / float64(n)})
	}
	return out, nil
}
