package analisi

import "github.com/cartella/cartella/internal/schede"

// Sezione is the analisi preliminare's card on the case page: the newest
// version, whether it is definitive and its esito.
func (s *Service) Sezione() schede.Sezione {
	return schede.Sezione{Tipo: Tipo, Titolo: "Analisi preliminare", Percorso: "analisi-preliminare",
		Nessuna: "Non ancora iniziata", Definitiva: "definitiva", ConEsito: true}
}
