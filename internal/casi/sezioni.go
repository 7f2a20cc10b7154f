package casi

import (
	"context"
	"fmt"
	"strconv"
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
// operator may read: Scheda has checked and recorded the access. The
// composition root lists the sources in the order the page shows them.
type FonteSezione interface {
	SezioneCaso(ctx context.Context, c Caso) (Sezione, error)
}

// ConSezioni sets the sections of the case page, in the order shown.
func (s *Service) ConSezioni(fonti ...FonteSezione) *Service {
	s.sezioni = fonti
	return s
}

// sezioniCaso asks every source for its section of c.
func (s *Service) sezioniCaso(ctx context.Context, c Caso) ([]Sezione, error) {
	out := make([]Sezione, 0, len(s.sezioni))
	for _, f := range s.sezioni {
		x, err := f.SezioneCaso(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("casi: scheda: sezione: %w", err)
		}
		out = append(out, x)
	}
	return out, nil
}

// SezioneDiario is the diario sociale's section of the case page.
func (s *Service) SezioneDiario() FonteSezione { return sezioneDiario{s} }

type sezioneDiario struct{ s *Service }

func (d sezioneDiario) SezioneCaso(ctx context.Context, c Caso) (Sezione, error) {
	n, err := contaNote(ctx, d.s.pool, c.ID)
	if err != nil {
		return Sezione{}, fmt.Errorf("diario: %w", err)
	}
	return Sezione{Titolo: "Diario sociale", Href: "/casi/" + c.ID.String() + "/diario", Testo: testoDiario(n)}, nil
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
