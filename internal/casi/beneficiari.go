package casi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// Beneficiario is a beneficiary nucleo of a comune at a date, as the sample
// of the verifiche del nucleo (internal/controlli, docs/formats/campione.md)
// needs it: the domanda, its case, and the richiedente, who becomes the
// person of the request of verification. Nothing of the case's content.
type Beneficiario struct {
	IDDomanda     string
	CasoID        uuid.UUID
	AmbitoID      int64
	CodiceFiscale string // the richiedente's
	Cognome, Nome string
	DataNascita   time.Time
}

// MisureNucleo are the measures granted to a nucleo, whose amount depends
// on its composition: the population of the verifiche del nucleo. SFL is
// an individual measure and is not in it.
var MisureNucleo = []string{string(ADI), string(RdC)}

// StatiBeneficio are the states of a domanda whose nucleo receives (or is
// about to receive) the benefit.
var StatiBeneficio = []string{"accolta", "in_erogazione"}

// Beneficiari returns the beneficiary nuclei of comune comuneID at day al,
// one per id_domanda, ordered by id_domanda: domande of a measure of
// MisureNucleo whose stato_erogazione is in StatiBeneficio, with a case of
// the comune open on that day (opened on or before it, not closed before
// it; of several, the last opened). Cartella keeps no history of
// stato_erogazione: the state is the one last received from INPS.
func (s *Service) Beneficiari(ctx context.Context, q database.Querier, comuneID int64, al time.Time) ([]Beneficiario, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT ON (d.id_domanda) d.id_domanda, c.id, c.ambito_id, p.codice_fiscale, p.cognome, p.nome, p.data_nascita
		FROM caso c
		JOIN domanda d ON d.id = c.domanda_id
		JOIN LATERAL (
			SELECT pe.codice_fiscale, pe.cognome, pe.nome, pe.data_nascita
			FROM nucleo_componente nc JOIN persona pe ON pe.id = nc.persona_id
			WHERE nc.nucleo_id = c.nucleo_id
			ORDER BY nc.relazione <> 'richiedente', (nc.dal <= $2 AND (nc.al IS NULL OR nc.al >= $2)) DESC, nc.al DESC NULLS FIRST, nc.id
			LIMIT 1) p ON true
		WHERE c.comune_id = $1 AND d.id_domanda IS NOT NULL
		  AND d.misura = ANY($3) AND d.stato_erogazione = ANY($4)
		  AND c.aperto_il <= $2 AND (c.chiuso_il IS NULL OR c.chiuso_il >= $2)
		ORDER BY d.id_domanda, c.aperto_il DESC, c.numero DESC`,
		comuneID, al, MisureNucleo, StatiBeneficio)
	if err != nil {
		return nil, fmt.Errorf("casi: beneficiari: %w", err)
	}
	defer rows.Close()
	var out []Beneficiario
	for rows.Next() {
		var b Beneficiario
		if err := rows.Scan(&b.IDDomanda, &b.CasoID, &b.AmbitoID, &b.CodiceFiscale, &b.Cognome, &b.Nome, &b.DataNascita); err != nil {
			return nil, fmt.Errorf("casi: beneficiari: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("casi: beneficiari: %w", err)
	}
	return out, nil
}
