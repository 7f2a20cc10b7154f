package casi

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// Sezione is a card of the case page: a part of the case that a module
// owns, where it stands and the page that holds it. The module contributes
// it through a FonteSezione, so that casi neither reads the module's tables
// nor knows its URLs.
type Sezione struct {
	Titolo string
	Testo  string // where it stands: "3 incontri registrati"
	// Stato is an optional badge after the text ("" for none), of the kind
	// StatoTipo (a ui.Badge kind: "success", "warning", ...).
	Stato, StatoTipo string
	Href             string // the section's page; "" while it is not available
}

// FonteSezione contributes one section of the case page. c is a case the
// operator may read: Scheda has checked the access. The composition root
// lists the sources in the order the page shows them.
//
// A source queues on b the queries that read its section (with their
// callbacks, pgx.QueuedQuery) and returns the function that makes the
// section once b has been sent: casi sends the queries of every section
// and of the deadlines as one statement (database.InviaUnito, so they must
// be plain SELECTs; docs/architecture.md, "Statements per request").
type FonteSezione interface {
	AccodaSezione(b *pgx.Batch, c Caso) func() (Sezione, error)
}

// ConSezioni sets the sections of the case page, in the order shown.
func (s *Service) ConSezioni(fonti ...FonteSezione) *Service {
	s.sezioni = fonti
	return s
}

// accodaSezioni queues on b the queries of every section of c and returns
// the function that makes them, in order, once b has been sent.
func (s *Service) accodaSezioni(b *pgx.Batch, c Caso) func() ([]Sezione, error) {
	fini := make([]func() (Sezione, error), len(s.sezioni))
	for i, f := range s.sezioni {
		fini[i] = f.AccodaSezione(b, c)
	}
	return func() ([]Sezione, error) {
		out := make([]Sezione, 0, len(fini))
		for _, fine := range fini {
			x, err := fine()
			if err != nil {
				return nil, fmt.Errorf("casi: scheda: sezione: %w", err)
			}
			out = append(out, x)
		}
		return out, nil
	}
}

// LeggiSezione reads the section that f gives of c, on its own batch
// through q: for a module's tests, and wherever one section is shown alone.
func LeggiSezione(ctx context.Context, q database.Querier, f FonteSezione, c Caso) (Sezione, error) {
	b := &pgx.Batch{}
	fine := f.AccodaSezione(b, c)
	if b.Len() > 0 {
		if err := q.SendBatch(ctx, b).Close(); err != nil {
			return Sezione{}, err
		}
	}
	return fine()
}

// SezioneDiario is the diario sociale's section of the case page.
func (s *Service) SezioneDiario() FonteSezione { return sezioneDiario{} }

type sezioneDiario struct{}

func (sezioneDiario) AccodaSezione(b *pgx.Batch, c Caso) func() (Sezione, error) {
	var n int
	accodaContaNote(b, c.ID, &n)
	return func() (Sezione, error) {
		return Sezione{Titolo: "Diario sociale", Href: "/casi/" + c.ID.String() + "/diario", Testo: testoDiario(n)}, nil
	}
}

// testoDiario counts the notes of the diary.
func testoDiario(n int) string { return Quanti(n, "nota", "note") }

// Quanti is n with its noun: "1 nota", "3 note" (the sections' texts).
func Quanti(n int, uno, molti string) string {
	if n == 1 {
		return "1 " + uno
	}
	return strconv.Itoa(n) + " " + molti
}
