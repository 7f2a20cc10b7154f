package casi

import (
	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
)

// AzioniRoutes mounts the manual opening (case managers and coordinatori:
// apertura / write), and the case manager's writes on a case and its
// history (casi / read, write; row scope in Access and Lock).
func (h *Handler) AzioniRoutes(r chi.Router) {
	apertura := h.guard.Require(authz.Apertura, authz.Write)
	read := h.guard.Require(authz.Casi, authz.Read)
	write := h.guard.Require(authz.Casi, authz.Write)
	r.With(apertura).Get("/casi/nuovo", h.nuovo)
	r.With(apertura).Post("/casi", h.apri)
	r.With(read).Get("/casi/{id}/storico", h.storico)
	r.With(read).Get("/casi/{id}/chiudi", h.chiusura)
	r.With(write).Post("/casi/{id}/chiudi", h.chiudi)
	r.With(read).Get("/casi/{id}/riapri", h.riapertura)
	r.With(write).Post("/casi/{id}/riapri", h.riapri)
	r.With(read).Get("/casi/{id}/componenti/{persona}", h.componente)
	r.With(write).Post("/casi/{id}/componenti/{persona}", h.aggiornaComponente)
}

// esitoScheda is the message the case page shows after a write that
// redirected to it (?esito=…).
func esitoScheda(e string) string {
	switch e {
	case "aperto":
		return "Caso aperto e assegnato a te."
	case "chiuso":
		return "Caso chiuso."
	case "riaperto":
		return "Caso riaperto."
	case "componente":
		return "Condizioni del componente salvate; le scadenze sono state ricalcolate."
	}
	return ""
}
