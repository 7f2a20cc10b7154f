package analisi_test

import (
	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/authz"
)

// rotte mounts the analisi rows of internal/app/routes.go (same paths and
// guards) for the tests that drive the handler over HTTP.
func rotte(r chi.Router, h *analisi.Handler, g *authz.Guard) {
	read, write := g.Require(authz.Casi, authz.Read), g.Require(authz.Casi, authz.Write)
	r.With(read).Get("/casi/{id}/analisi-preliminare", h.Mostra)
	r.With(write).Post("/casi/{id}/analisi-preliminare", h.Salva)
	r.With(write).Post("/casi/{id}/analisi-preliminare/inizia", h.Inizia)
	r.With(write).Post("/casi/{id}/analisi-preliminare/finalizza", h.Finalizza)
	r.With(write).Post("/casi/{id}/analisi-preliminare/riapri", h.Riapri)
	r.With(read).Get("/casi/{id}/analisi-preliminare/stampa", h.Stampa)
	r.With(read).Get("/casi/{id}/analisi-preliminare/versioni", h.Versioni)
	r.With(read).Get("/casi/{id}/analisi-preliminare/versioni/{n}", h.Versione)
	r.With(read).Get("/casi/{id}/analisi-preliminare/versioni/{n}/confronto", h.Confronto)
}
