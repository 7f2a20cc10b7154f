package casi

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// CasoPerCodiceFiscale returns the open Assegno di inclusione case, in comune
// comuneID, of the nucleo the person with codice fiscale cf belongs to now:
// the narrow lookup of the operatore presentazioni (internal/presentazioni),
// who then shows the header's name and number and nothing else of the case.
// ErrNotFound when there is none. The caller records the search.
func (s *Service) CasoPerCodiceFiscale(ctx context.Context, q database.Querier, cf string, comuneID int64) (Caso, error) {
	c, err := casoPerCodiceFiscale(ctx, q, cf, comuneID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Caso{}, ErrNotFound
	}
	if err != nil {
		return Caso{}, fmt.Errorf("casi: caso per codice fiscale: %w", err)
	}
	return c, nil
}

// Blocca returns case id locked for update inside tx with no scope check: for
// a module that makes its own (the operatore presentazioni's comune) and
// records its write in the same tx.
func (s *Service) Blocca(ctx context.Context, tx pgx.Tx, id uuid.UUID) (Caso, error) {
	return load(ctx, tx, id, true)
}

// MaxInScadenzaComune is how many cases InScadenzaComune returns at most.
const MaxInScadenzaComune = 100

// InScadenzaComune lists the open ADI cases of comune comuneID whose T120 or
// T90 is overdue or in scadenza, the earliest due first, at most
// MaxInScadenzaComune (and whether there were more): the operatore
// presentazioni's list, which shows their header's name, number and
// deadline columns only. The caller records the read.
func (s *Service) InScadenzaComune(ctx context.Context, comuneID int64) ([]Caso, bool, error) {
	cs, err := inScadenzaComune(ctx, s.pool, comuneID, MaxInScadenzaComune+1)
	if err != nil {
		return nil, false, fmt.Errorf("casi: in scadenza nel comune: %w", err)
	}
	if len(cs) > MaxInScadenzaComune {
		return cs[:MaxInScadenzaComune], true, nil
	}
	return cs, false, nil
}

// CasoApertoPerDomanda returns the open case of the domanda idDomanda
// (INPS's id), in any ambito: the lookup of the CPI outcomes file
// (internal/presentazioni, `cartella import cpi`). ErrNotFound when none.
func (s *Service) CasoApertoPerDomanda(ctx context.Context, q database.Querier, idDomanda string) (Caso, error) {
	c, err := casoApertoPerDomanda(ctx, q, idDomanda)
	if errors.Is(err, pgx.ErrNoRows) {
		return Caso{}, ErrNotFound
	}
	if err != nil {
		return Caso{}, fmt.Errorf("casi: caso per domanda: %w", err)
	}
	return c, nil
}
