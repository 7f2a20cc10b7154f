package accesso

import (
	"context"
	"fmt"
)

// EnteScelta is an ente of the rete dei servizi as the accreditation form
// offers it: an operatore_ente is accredited for one of them.
type EnteScelta struct {
	ID            int64
	Denominazione string
	Tipo          string // its Italian label, e.g. "Servizio sanitario"
}

// Enti is the narrow view of the rete dei servizi accesso needs: the active
// enti of an ambito (the choice for an operatore_ente) and the name of one
// ente (the scope label). accesso never reads rete's tables; internal/rete
// implements it and the composition root wires it (SetEnti).
type Enti interface {
	// Elenco lists the active enti of the ambito, by name.
	Elenco(ctx context.Context, ambitoID int64) ([]EnteScelta, error)
	// Nome is the ente's denominazione (httpx.ErrNotFound wrapped when unknown).
	Nome(ctx context.Context, id int64) (string, error)
}

// SetEnti wires the enti of the rete dei servizi. Without it no
// operatore_ente can be accredited and their scope reads "Ente n. ID".
func (s *Service) SetEnti(e Enti) { s.enti = e }

// EntiAmbito lists the active enti of the principal's ambito (for the
// accreditation forms); none when the rete is not wired.
func (s *Service) EntiAmbito(ctx context.Context, ambitoID int64) ([]EnteScelta, error) {
	if s.enti == nil {
		return nil, nil
	}
	out, err := s.enti.Elenco(ctx, ambitoID)
	if err != nil {
		return nil, fmt.Errorf("accesso: enti of ambito %d: %w", ambitoID, err)
	}
	return out, nil
}

// nomiEnti fills EnteNome of the assignments scoped to an ente.
func (s *Service) nomiEnti(ctx context.Context, as []Assegnazione) error {
	for i := range as {
		if err := s.nomeEnte(ctx, &as[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) nomeEnte(ctx context.Context, a *Assegnazione) error {
	if a.EnteID == nil || s.enti == nil || a.EnteNome != "" {
		return nil
	}
	n, err := s.enti.Nome(ctx, *a.EnteID)
	if err != nil {
		return fmt.Errorf("accesso: ente %d: %w", *a.EnteID, err)
	}
	a.EnteNome = n
	return nil
}
