package patto

import (
	"context"

	"github.com/google/uuid"
)

// PrestazioneSostegno is the live prestazione sociale erogata a sostegno
// is (internal/prestazioni: a sostegno that is a prestazione is recorded
// once, issue 18): what the patto's page shows next to it.
type PrestazioneSostegno struct {
	Codice        string // INPS's code, e.g. "A1.09"
	Denominazione string
	Href          string // the prestazione's page
}

// FontePrestazioni gives the live prestazione of each sostegno of a case
// linked to one, by sostegno ID, and where a sostegno is recorded as a
// prestazione (internal/prestazioni implements it; internal/app wires
// it). The caller has checked the access to the case.
type FontePrestazioni interface {
	PrestazioniDeiSostegni(ctx context.Context, casoID uuid.UUID) (map[string]PrestazioneSostegno, error)
	HrefNuovaPrestazione(casoID uuid.UUID, sostegnoID string) string
}

// ConPrestazioni sets where the sostegni's prestazioni come from (nil:
// none shown, no link to record one).
func (s *Service) ConPrestazioni(f FontePrestazioni) { s.prestazioni = f }
