package quadro

import "github.com/cartella/cartella/internal/schede"

// Sezione is the quadro di analisi's card on the case page: the newest
// version, whether it is definitive and its esito.
func (s *Service) Sezione() schede.Sezione {
	return schede.Sezione{Tipo: Tipo, Titolo: "Quadro di analisi", Percorso: "quadro-di-analisi",
		Nessuna: "Non ancora iniziato", Definitiva: "definitiva", ConEsito: true}
}
