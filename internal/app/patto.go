package app

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/patto"
)

// MembriEquipe gives the patto the members of a case's équipe, as the
// équipe module keeps them (the patto reads no table of the équipe).
func MembriEquipe(es *equipe.Service) patto.MembriEquipe {
	return func(ctx context.Context, q database.Querier, casoID uuid.UUID, giorno time.Time) ([]patto.MembroCorrente, error) {
		ms, err := es.Correnti(ctx, q, casoID, giorno)
		if err != nil {
			return nil, err
		}
		out := make([]patto.MembroCorrente, len(ms))
		for i, m := range ms {
			out[i] = patto.MembroCorrente{FamiliareReferente: m.Ruolo == equipe.FamiliareReferente,
				MembroEquipe: patto.MembroEquipe{ID: m.ID.String(), Nome: m.Nome, Cognome: m.Cognome, Funzione: m.Funzione, Ente: m.Ente}}
			if m.PersonaID != nil {
				out[i].PersonaID = m.PersonaID.String()
			}
		}
		return out, nil
	}
}
