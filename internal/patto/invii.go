package patto

import (
	"context"

	"github.com/google/uuid"
)

// InvioSostegno is the newest invio of a sostegno to a service of the
// network (internal/rete): what the patto's page shows next to it.
type InvioSostegno struct {
	Codice   string // e.g. "R-000012"
	Servizio string // "service (ente)"
	Stato    string // its state's label
	Esito    string // once concluded: the outcome the ente recorded ("Percorso completato: …"); else ""
	Href     string // the invio's page
}

// FonteInvii gives the newest invio of each sostegno of a case, by
// sostegno ID (internal/rete implements it; internal/app wires it). The
// caller has checked the access to the case.
type FonteInvii interface {
	InviiDeiSostegni(ctx context.Context, casoID uuid.UUID) (map[string]InvioSostegno, error)
}

// ConInvii sets where the sostegni's invii come from (nil: none shown).
func (s *Service) ConInvii(f FonteInvii) { s.invii = f }

// inviiDeiSostegni reads the invii of the case's sostegni, none without a source.
func (s *Service) inviiDeiSostegni(ctx context.Context, casoID uuid.UUID) (map[string]InvioSostegno, error) {
	if s.invii == nil {
		return nil, nil
	}
	return s.invii.InviiDeiSostegni(ctx, casoID)
}
