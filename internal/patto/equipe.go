package patto

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/equipe"
)

// membriEquipe are the members of the case's équipe on day giorno, as the
// équipe module keeps them, read through q (the caller's transaction, the
// case locked): the patto names its équipe, it reads none of its tables.
func (s *Service) membriEquipe(ctx context.Context, q database.Querier, casoID uuid.UUID, giorno time.Time) ([]MembroCorrente, error) {
	ms, err := s.equipe.Correnti(ctx, q, casoID, giorno)
	if err != nil {
		return nil, err
	}
	out := make([]MembroCorrente, len(ms))
	for i, m := range ms {
		out[i] = MembroCorrente{FamiliareReferente: m.Ruolo == equipe.FamiliareReferente,
			MembroEquipe: MembroEquipe{ID: m.ID.String(), Nome: m.Nome, Cognome: m.Cognome, Funzione: m.Funzione, Ente: m.Ente}}
		if m.PersonaID != nil {
			out[i].PersonaID = m.PersonaID.String()
		}
	}
	return out, nil
}
