package patto_test

import (
	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/fsl"
	"github.com/cartella/cartella/internal/patto"
)

// rotte mounts the patto's and fsl's rows of internal/app/routes.go (same
// paths and guards) for the tests that drive the handlers over HTTP.
func rotte(r chi.Router, h *patto.Handler, f *fsl.Handler, g *authz.Guard) {
	read, write := g.Require(authz.Casi, authz.Read), g.Require(authz.Casi, authz.Write)
	r.With(read).Get("/casi/patti", h.InScadenza)
	r.With(read).Get("/casi/{id}/patto", h.Mostra)
	r.With(write).Post("/casi/{id}/patto", h.Salva)
	r.With(write).Post("/casi/{id}/patto/inizia", h.Inizia)
	r.With(write).Post("/casi/{id}/patto/sottoscrivi", h.Sottoscrivi)
	r.With(write).Post("/casi/{id}/patto/rivedi", h.Riapri)
	r.With(write).Post("/casi/{id}/patto/sostegni/{sostegno}", h.Sostegno)
	r.With(read).Get("/casi/{id}/patto/versioni", h.Versioni)
	r.With(read).Get("/casi/{id}/patto/versioni/{n}", h.Versione)
	r.With(read).Get("/casi/{id}/patto/versioni/{n}/confronto", h.Confronto)
	r.With(read).Get("/casi/{id}/patto/versioni/{n}/scansione", h.Scansione)
	r.With(read).Get("/casi/{id}/patto/stampa", h.Stampa)
	r.With(read).Get("/casi/{id}/patto/patto.pdf", h.PDF)
	r.With(read).Get("/casi/{id}/patto/fsl.json", f.Tracciati)
}
