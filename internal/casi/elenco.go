package casi

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// DimensionePagina is how many cases a page of /casi lists.
const DimensionePagina = 50

// FiltroElenco selects the case manager's cases.
type FiltroElenco struct {
	Q      string // codice fiscale, or part of cognome/nome
	Chiusi bool   // the closed cases instead of the open ones
	Dopo   string // keyset cursor of the next page ("" for the first)
}

// cursore is the position after the last row of a page: (urgenza, numero),
// with urgenza NULL sorting last.
type cursore struct {
	urgenza *time.Time
	numero  int64
}

func (c cursore) String() string {
	u := "-"
	if c.urgenza != nil {
		u = c.urgenza.Format("2006-01-02")
	}
	return base64.RawURLEncoding.EncodeToString([]byte(u + "|" + strconv.FormatInt(c.numero, 10)))
}

func parseCursore(s string) (cursore, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursore{}, false
	}
	u, n, ok := strings.Cut(string(b), "|")
	num, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil {
		return cursore{}, false
	}
	c := cursore{numero: num}
	if u != "-" {
		d, err := time.Parse("2006-01-02", u)
		if err != nil {
			return cursore{}, false
		}
		c.urgenza = &d
	}
	return c, true
}

// dopoSQL is the keyset condition for the rows after cursor s in the order
// (urgenza ASC NULLS LAST, numero), appending its arguments.
func dopoSQL(s string, args []any) (string, []any, bool) {
	cur, ok := parseCursore(s)
	if !ok {
		return "", args, false
	}
	if cur.urgenza != nil {
		args = append(args, *cur.urgenza, cur.numero)
		return fmt.Sprintf("(c.urgenza > $%d OR (c.urgenza = $%d AND c.numero > $%d) OR c.urgenza IS NULL)",
			len(args)-1, len(args)-1, len(args)), args, true
	}
	args = append(args, cur.numero)
	return fmt.Sprintf("(c.urgenza IS NULL AND c.numero > $%d)", len(args)), args, true
}

// Elenco is a page of /casi.
type Elenco struct {
	Casi     []Caso
	Prossima string // cursor of the next page; "" on the last
	Oggi     time.Time
}

// ElencoCaseManager lists p's own cases, overdue first: ordered by the
// earliest pending deadline, then by number, one keyset page at a time.
// The list view is recorded in the registro (no personal data in it).
func (s *Service) ElencoCaseManager(ctx context.Context, p authz.Principal, f FiltroElenco, v registro.Voce) (Elenco, error) {
	e := Elenco{Oggi: s.Oggi()}
	if !MayReadContent(p) || p.ComuneID == nil {
		return e, ErrNotFound
	}
	args := []any{p.OperatoreID, *p.ComuneID}
	where := []string{"c.case_manager_id = $1", "c.comune_id = $2"}
	if f.Chiusi {
		where = append(where, "c.stato = 'chiuso'")
	} else {
		where = append(where, "c.stato <> 'chiuso'")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		cf := codicefiscale.Normalize(q)
		args = append(args, cf, "%"+strings.ToLower(q)+"%")
		where = append(where, fmt.Sprintf(`EXISTS (SELECT 1 FROM nucleo_componente nc JOIN persona pe ON pe.id = nc.persona_id
			WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			  AND (pe.codice_fiscale = $%d OR lower(pe.cognome || ' ' || pe.nome) LIKE $%d OR lower(pe.nome || ' ' || pe.cognome) LIKE $%d))`,
			len(args)-1, len(args), len(args)))
	}
	if f.Dopo != "" {
		cond, a, ok := dopoSQL(f.Dopo, args)
		if !ok {
			return e, ErrNotFound
		}
		where, args = append(where, cond), a
	}
	sql := header + " WHERE " + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY c.urgenza ASC NULLS LAST, c.numero LIMIT %d", DimensionePagina+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return e, fmt.Errorf("casi: elenco: %w", err)
	}
	e.Casi, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Caso, error) { return ScanHeader(r) })
	if err != nil {
		return e, fmt.Errorf("casi: elenco: %w", err)
	}
	if len(e.Casi) > DimensionePagina {
		e.Casi = e.Casi[:DimensionePagina]
		last := e.Casi[len(e.Casi)-1]
		e.Prossima = cursore{urgenza: last.Urgenza, numero: last.Numero}.String()
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "elenco_casi", registro.Consentito
	v.Dettaglio = fmt.Sprintf("%d casi", len(e.Casi))
	if f.Q != "" {
		v.Dettaglio += ", ricerca"
	}
	return e, s.reg.Record(ctx, v)
}

// Componente is a current or past member of the case's nucleo.
type Componente struct {
	PersonaID       uuid.UUID
	CodiceFiscale   string
	Cognome, Nome   string
	Sesso           string
	DataNascita     time.Time
	Relazione       string
	InScala         bool
	Disabilita      bool
	Svantaggio      bool
	VittimaViolenza bool
	InviatoCPI      *time.Time
	Dal             time.Time
	Al              *time.Time
}

// Eta is the member's age in whole years at the day oggi.
func (c Componente) Eta(oggi time.Time) int {
	b := c.DataNascita
	y := oggi.Year() - b.Year()
	if oggi.Month() < b.Month() || oggi.Month() == b.Month() && oggi.Day() < b.Day() {
		y--
	}
	return y
}

// Scheda is everything /casi/{id} shows.
type Scheda struct {
	Caso     Caso
	Scadenze scadenze.Scadenze
	Membri   []Componente // current
	Usciti   []Componente // members who left, or earlier rows of a member
	Storico  []EventoStorico
	Oggi     time.Time
	// Sezioni are the parts of the case the modules own (incontri, diario,
	// analisi, ...), in the order the composition root lists them.
	Sezioni []Sezione
}

// EventoStorico is one event of the case's history.
type EventoStorico struct {
	Quando              time.Time
	Operatore           string
	Evento, Da, A, Nota string
}

// Scheda returns the case page for p (the case manager of the case); the
// read is recorded, and a case p may not reach is ErrNotFound (recorded too).
func (s *Service) Scheda(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Scheda, error) {
	c, err := s.Access(ctx, p, id, v)
	if err != nil {
		return Scheda{}, err
	}
	sc := Scheda{Caso: c, Oggi: s.Oggi()}
	if sc.Scadenze, err = s.Scadenze(ctx, s.pool, id, s.now()); err != nil {
		return Scheda{}, err
	}
	rows, err := s.pool.Query(ctx, colonneComponente+` WHERE nc.nucleo_id = $1
		ORDER BY nc.al IS NOT NULL, nc.relazione <> 'richiedente', p.data_nascita, nc.id`, c.NucleoID)
	if err != nil {
		return Scheda{}, fmt.Errorf("casi: scheda: membri: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) { return scanComponente(r) })
	if err != nil {
		return Scheda{}, fmt.Errorf("casi: scheda: membri: %w", err)
	}
	for _, m := range all {
		if m.Al == nil {
			sc.Membri = append(sc.Membri, m)
		} else {
			sc.Usciti = append(sc.Usciti, m)
		}
	}
	rows, err = s.pool.Query(ctx, `
		SELECT s.quando, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), s.evento, s.da, s.a, s.nota
		FROM caso_storico s LEFT JOIN operatore o ON o.id = s.operatore_id
		WHERE s.caso_id = $1 ORDER BY s.id DESC LIMIT 100`, id)
	if err != nil {
		return Scheda{}, fmt.Errorf("casi: scheda: storico: %w", err)
	}
	sc.Storico, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (EventoStorico, error) {
		var e EventoStorico
		err := r.Scan(&e.Quando, &e.Operatore, &e.Evento, &e.Da, &e.A, &e.Nota)
		return e, err
	})
	if err != nil {
		return Scheda{}, fmt.Errorf("casi: scheda: storico: %w", err)
	}
	if sc.Sezioni, err = s.sezioniCaso(ctx, c); err != nil {
		return Scheda{}, err
	}
	return sc, nil
}
