package monitoraggio

import (
	"context"

	"github.com/google/uuid"
)

// InvioRete is an invio of a member of the case to a service of the
// network (internal/rete) as a monitoring meeting reviews it: where it
// stands and, once the ente has answered or concluded, with what outcome.
type InvioRete struct {
	Codice     string // e.g. "R-000012"
	Componente string // "Cognome Nome"
	Servizio   string // "service (ente)"
	Stato      string // its state's label
	Esito      string // the refusal's reason, or the conclusion; "" while open
	Ritardo    bool   // the ente's answer is overdue against the protocol
	Href       string // the invio's page
}

// FonteInvii gives the invii of a case, newest first (internal/rete
// implements it; internal/app wires it). The caller has checked the access
// to the case.
type FonteInvii interface {
	InviiDelCaso(ctx context.Context, casoID uuid.UUID) ([]InvioRete, error)
}

// ConInvii sets where the case's invii come from (nil: none shown).
func (s *Service) ConInvii(f FonteInvii) { s.invii = f }
