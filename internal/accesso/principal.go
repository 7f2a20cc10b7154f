package accesso

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
)

// Principals returns one authz.Principal per role the operator holds today
// (ErrNotAccredited when none): the operator then acts in one of them.
func (s *Service) Principals(ctx context.Context, id uuid.UUID) ([]authz.Principal, error) {
	acc, err := s.Active(ctx, id)
	if err != nil {
		return nil, err
	}
	return acc.principals(), nil
}

// PrincipalsByCF is Principals for the codice fiscale of a login.
func (s *Service) PrincipalsByCF(ctx context.Context, cf string) ([]authz.Principal, error) {
	acc, err := s.ActiveByCF(ctx, cf)
	if err != nil {
		return nil, err
	}
	return acc.principals(), nil
}

func (a Accreditamento) principals() []authz.Principal {
	out := make([]authz.Principal, 0, len(a.Ruoli))
	for _, r := range a.Ruoli {
		out = append(out, authz.Principal{
			OperatoreID:   a.Operatore.ID,
			CodiceFiscale: a.Operatore.CodiceFiscale,
			Nome:          a.Operatore.Nome,
			Cognome:       a.Operatore.Cognome,
			RuoloID:       r.ID,
			Ruolo:         r.Ruolo,
			RuoloLabel:    r.Ruolo.Label(),
			Ambito:        r.Ambito(),
			Domain:        r.Domain(),
			AmbitoID:      r.AmbitoID,
			ComuneID:      r.ComuneID,
			EnteID:        r.EnteID,
			AltriRuoli:    len(a.Ruoli) > 1,
		})
	}
	return out
}

// Bindings returns every role binding in force today for active operators,
// as casbin loads them.
func (s *Service) Bindings(ctx context.Context) ([]authz.Binding, error) {
	rows, err := s.st.bindings(ctx, s.pool, s.today())
	if err != nil {
		return nil, fmt.Errorf("accesso: bindings: %w", err)
	}
	out := make([]authz.Binding, len(rows))
	for i, r := range rows {
		out[i] = authz.Binding{OperatoreID: r.operatoreID, Ruolo: string(r.a.Ruolo), Domain: r.a.Domain()}
	}
	return out, nil
}
