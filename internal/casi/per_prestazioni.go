package casi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// BeneficiarioSIUSS is what a PS-PSA-SINA flow to SIUSS says of a person of a
// case (internal/prestazioni): the anagrafica as the case records it and the
// comune of the case as the person's residence.
type BeneficiarioSIUSS struct {
	PersonaID     uuid.UUID
	CodiceFiscale string
	Cognome, Nome string
	Sesso         string // M or F
	DataNascita   time.Time
	LuogoNascita  string // codice catastale, "" when not recorded
	Cittadinanza  string // ISO 3166-1 alpha-3, "" when not recorded
	ComuneISTAT   string // the comune of the case
	Regione       string // its regione, by name
}

// BeneficiarioDelCaso returns person personaID as a member of case c's
// nucleo now; ErrNotFound when the person is not a current member. The
// caller has checked the operator's access to c and records it.
func (s *Service) BeneficiarioDelCaso(ctx context.Context, q database.Querier, c Caso, personaID uuid.UUID) (BeneficiarioSIUSS, error) {
	b, err := beneficiario(ctx, q, c.NucleoID, c.ComuneID, personaID)
	if errors.Is(err, pgx.ErrNoRows) {
		return BeneficiarioSIUSS{}, ErrNotFound
	}
	if err != nil {
		return BeneficiarioSIUSS{}, fmt.Errorf("casi: beneficiario: %w", err)
	}
	return b, nil
}
