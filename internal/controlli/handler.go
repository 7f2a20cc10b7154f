package controlli

import (
	"github.com/cartella/cartella/internal/httpx"
)

// Handler serves the controlli pages; the routes are in internal/app.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}
