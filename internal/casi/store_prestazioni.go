package casi

import (
	"context"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// beneficiario reads a current member of nucleo nucleoID with the comune of
// the case (BeneficiarioDelCaso).
func beneficiario(ctx context.Context, q database.Querier, nucleoID uuid.UUID, comuneID int64, personaID uuid.UUID) (BeneficiarioSIUSS, error) {
	var b BeneficiarioSIUSS
	err := q.QueryRow(ctx, `
		SELECT p.id, p.codice_fiscale, p.cognome, p.nome, p.sesso, p.data_nascita, p.luogo_nascita, p.cittadinanza,
		       co.codice_istat, co.regione
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id, comune co
		WHERE nc.nucleo_id = $1 AND nc.persona_id = $2 AND nc.al IS NULL AND co.id = $3`,
		nucleoID, personaID, comuneID).Scan(&b.PersonaID, &b.CodiceFiscale, &b.Cognome, &b.Nome, &b.Sesso, &b.DataNascita,
		&b.LuogoNascita, &b.Cittadinanza, &b.ComuneISTAT, &b.Regione)
	return b, err
}
