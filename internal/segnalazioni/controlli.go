package segnalazioni

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Segnalazioni drafted by the controlli anagrafici (domain.md §9.2): a
// controllo ex post finalised negatively, a discrepancy of a verifica del
// nucleo. They are written in the transaction of the controllo that causes
// them, already in approvazione, with origine "controlli": the coordinatore
// controlli of the comune approves or refuses them (domain.md §1.2), not the
// coordinatore PaIS.

// ErrNonComponente: the person of the controllo is not a member of the
// case's nucleo.
var ErrNonComponente = errors.New("segnalazioni: the person is not a member of the case's nucleo")

// Tipi of event of the controlli (migration 000017).
const (
	TipoPerditaResidenza  = "perdita_residenza"
	TipoDiscrepanzaNucleo = "discrepanza_nucleo"
)

// DaControlli is what a controllo gives for its segnalazione.
type DaControlli struct {
	CasoID           uuid.UUID // the case of the domanda (its ambito and comune number and route the segnalazione)
	CodiceFiscale    string    // the member concerned, a member of the case's nucleo
	Tipo             string    // TipoPerditaResidenza or TipoDiscrepanzaNucleo
	DataEvento       time.Time
	DataAccertamento time.Time
	Descrizione      string
	Operatore        uuid.UUID // the responsabile who finalised the controllo
}

// CreaDaControlli writes, in tx, the segnalazione of a controllo, in
// approvazione; it returns its id and number. The member must belong to the
// case's nucleo (by codice fiscale).
func (s *Service) CreaDaControlli(ctx context.Context, tx pgx.Tx, in DaControlli) (uuid.UUID, int, error) {
	c, err := s.casi.Caso(ctx, in.CasoID)
	if err != nil {
		return uuid.Nil, 0, fmt.Errorf("segnalazioni: da controlli: %w", err)
	}
	membri, err := s.casi.Componenti(ctx, tx, c.NucleoID)
	if err != nil {
		return uuid.Nil, 0, err
	}
	persona := uuid.Nil
	for _, m := range membri {
		if m.CodiceFiscale == in.CodiceFiscale {
			persona = m.PersonaID
		}
	}
	if persona == uuid.Nil {
		return uuid.Nil, 0, fmt.Errorf("segnalazioni: da controlli: %w", ErrNonComponente)
	}
	ambito, comune := c.AmbitoID, c.ComuneID
	var tipo int64
	if err := tx.QueryRow(ctx, `SELECT id FROM segnalazione_tipo WHERE codice = $1 AND attivo
			ORDER BY valido_dal DESC LIMIT 1`, in.Tipo).Scan(&tipo); err != nil {
		return uuid.Nil, 0, fmt.Errorf("segnalazioni: da controlli: tipo %s: %w", in.Tipo, err)
	}
	n, err := numero(ctx, tx, ambito)
	if err != nil {
		return uuid.Nil, 0, err
	}
	now := s.now()
	descr := in.Descrizione
	if len([]rune(descr)) > 4000 {
		descr = string([]rune(descr)[:4000])
	}
	var id uuid.UUID
	if err := tx.QueryRow(ctx, `INSERT INTO segnalazione (caso_id, ambito_id, comune_id, numero, tipo_id, persona_id,
				data_evento, data_accertamento, descrizione, origine, stato, in_approvazione_dal,
				created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'controlli', 'in_approvazione', $11, $10, $11, $10, $11) RETURNING id`,
		in.CasoID, ambito, comune, n, tipo, persona, in.DataEvento, in.DataAccertamento, descr, in.Operatore, now).Scan(&id); err != nil {
		return uuid.Nil, 0, fmt.Errorf("segnalazioni: da controlli: %w", err)
	}
	if err := s.passaggio(ctx, tx, id, in.CasoID, n, "", InApprovazione, in.Operatore, "redatta dai controlli anagrafici"); err != nil {
		return uuid.Nil, 0, err
	}
	return id, n, nil
}
