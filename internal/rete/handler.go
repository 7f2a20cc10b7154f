package rete

import "github.com/cartella/cartella/internal/httpx"

// Handler serves the pages of the network; the routes are in internal/app.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs}
}
