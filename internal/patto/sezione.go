package patto

import "github.com/cartella/cartella/internal/schede"

// Sezione is the patto's card on the case page: the newest version and
// whether it is signed (a finalised patto is a signed one).
func (s *Service) Sezione() schede.Sezione {
	return schede.Sezione{Tipo: Tipo, Titolo: "Patto per l'inclusione sociale", Percorso: "patto",
		Nessuna: "Non ancora iniziato", Definitiva: "sottoscritta"}
}
