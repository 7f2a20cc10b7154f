package incontri_test

import (
	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/incontri"
)

// rotte mounts the guarded incontri and agenda rows of
// internal/app/routes.go (same paths and guards) for the tests that drive
// the handler over HTTP.
func rotte(r chi.Router, h *incontri.Handler, g *authz.Guard) {
	casiR, casiW := g.Require(authz.Casi, authz.Read), g.Require(authz.Casi, authz.Write)
	r.With(casiR).Get("/casi/{id}/incontri", h.Pagina)
	r.With(casiW).Post("/casi/{id}/convocazioni", h.Convoca)
	r.With(casiW).Post("/casi/{id}/convocazioni/{conv}/esito", h.Esito)
	r.With(casiW).Post("/casi/{id}/incontri", h.Registra)
	r.With(casiW).Post("/casi/{id}/giustificati", h.Giustifica)
	agR, agW := g.Require(authz.Agenda, authz.Read), g.Require(authz.Agenda, authz.Write)
	r.With(agR).Get("/agenda", h.Agenda)
	r.With(agW).Get("/agenda/disponibilita", h.Disponibilita)
	r.With(agW).Post("/agenda/disponibilita", h.AggiungiSlot)
	r.With(agW).Post("/agenda/disponibilita/{id}/elimina", h.EliminaSlot)
	r.With(agR).Get("/agenda/calendario", h.Calendario)
	r.With(agR).Post("/agenda/calendario", h.NuovoCalendario)
}
