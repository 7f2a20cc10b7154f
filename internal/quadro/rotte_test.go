package quadro_test

import (
	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/quadro"
)

// rotte mounts the quadro rows of internal/app/routes.go (same paths and
// guards) for the tests that drive the handler over HTTP.
func rotte(r chi.Router, h *quadro.Handler, g *authz.Guard) {
	read, write := g.Require(authz.Casi, authz.Read), g.Require(authz.Casi, authz.Write)
	r.With(read).Get("/casi/{id}/quadro-di-analisi", h.Mostra)
	r.With(write).Post("/casi/{id}/quadro-di-analisi", h.Salva)
	r.With(write).Post("/casi/{id}/quadro-di-analisi/inizia", h.Inizia)
	r.With(write).Post("/casi/{id}/quadro-di-analisi/finalizza", h.Finalizza)
	r.With(write).Post("/casi/{id}/quadro-di-analisi/riapri", h.Riapri)
	r.With(read).Get("/casi/{id}/quadro-di-analisi/stampa", h.Stampa)
	r.With(read).Get("/casi/{id}/quadro-di-analisi/versioni", h.Versioni)
	r.With(read).Get("/casi/{id}/quadro-di-analisi/versioni/{n}", h.Versione)
	r.With(read).Get("/casi/{id}/quadro-di-analisi/versioni/{n}/confronto", h.Confronto)
}
