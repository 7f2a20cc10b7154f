package equipe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
)

// FonteCaso is the extract made of what the case itself knows: the measure
// and its dates, and the members of the nucleo with age and relationship.
// It is what the équipe sends while the case has no analisi preliminare.
type FonteCaso struct {
	pool *pgxpool.Pool
	casi *casi.Service
}

// NewFonteCaso returns the case-header source.
func NewFonteCaso(pool *pgxpool.Pool, cs *casi.Service) FonteCaso {
	return FonteCaso{pool: pool, casi: cs}
}

// Sezioni returns "Dati del caso" and "Composizione del nucleo".
func (f FonteCaso) Sezioni(ctx context.Context, casoID uuid.UUID) ([]Sezione, error) {
	c, err := f.casi.Get(ctx, f.pool, casoID)
	if err != nil {
		return nil, err
	}
	oggi := f.casi.Oggi()
	var b strings.Builder
	fmt.Fprintf(&b, "Caso: %s, comune di %s\n", c.Codice(), c.Comune)
	fmt.Fprintf(&b, "Misura: %s\n", c.Misura.Label())
	if c.IDDomanda != "" {
		fmt.Fprintf(&b, "Domanda: %s", c.IDDomanda)
		if c.DataDomanda != nil {
			fmt.Fprintf(&b, " del %s", calendario.Data(*c.DataDomanda))
		}
		b.WriteString("\n")
	}
	if c.DataPAD != nil {
		fmt.Fprintf(&b, "Sottoscrizione del PAD: %s\n", calendario.Data(*c.DataPAD))
	}
	fmt.Fprintf(&b, "Stato del caso: %s\n", c.Stato.Label())
	if c.CaseManager != "" {
		fmt.Fprintf(&b, "Case manager: %s\n", c.CaseManager)
	}
	fs, err := familiari(ctx, f.pool, c.NucleoID, oggi)
	if err != nil {
		return nil, fmt.Errorf("equipe: nucleo: %w", err)
	}
	var n strings.Builder
	if len(fs) == 0 {
		n.WriteString("Nessun componente registrato.\n")
	}
	for _, x := range fs {
		fmt.Fprintf(&n, "%s %s, %d anni, %s\n", x.Cognome, x.Nome, x.Eta, strings.ToLower(RelazioneLabel(x.Relazione)))
	}
	return []Sezione{
		{Codice: "caso", Titolo: "Dati del caso", Testo: b.String()},
		{Codice: "nucleo", Titolo: "Composizione del nucleo", Testo: n.String()},
	}, nil
}

// ConRiserva is the source that asks primaria and, when it has nothing for
// the case (an error wrapping httpx.ErrNotFound: no analisi preliminare
// yet), riserva.
func ConRiserva(primaria, riserva FonteEstratto) FonteEstratto {
	return riservaFonte{primaria, riserva}
}

type riservaFonte struct{ p, r FonteEstratto }

func (f riservaFonte) Sezioni(ctx context.Context, casoID uuid.UUID) ([]Sezione, error) {
	s, err := f.p.Sezioni(ctx, casoID)
	if errors.Is(err, httpx.ErrNotFound) {
		return f.r.Sezioni(ctx, casoID)
	}
	return s, err
}

// FonteFunc adapts a function to FonteEstratto (the composition root wraps
// the analisi preliminare's sections with it).
type FonteFunc func(ctx context.Context, casoID uuid.UUID) ([]Sezione, error)

// Sezioni calls f.
func (f FonteFunc) Sezioni(ctx context.Context, casoID uuid.UUID) ([]Sezione, error) {
	return f(ctx, casoID)
}
