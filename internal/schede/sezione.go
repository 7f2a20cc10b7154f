package schede

import (
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
)

// Sezione is the case-page section of a versioned scheda
// (casi.FonteSezione): where its newest version stands. The composition
// root declares one per tipo (analisi preliminare, quadro di analisi,
// patto).
type Sezione struct {
	Tipo     Tipo
	Titolo   string // "Analisi preliminare"
	Percorso string // the scheda's page under the case: "analisi-preliminare"
	Nessuna  string // while there is no version: "Non ancora iniziata"
	// Definitiva says a finalised version ("definitiva", or "sottoscritta"
	// for the patto); ConEsito adds its esito to it.
	Definitiva string
	ConEsito   bool
}

// AccodaSezione says where the scheda of c stands.
func (s Sezione) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var (
		v       Versione
		trovata bool
	)
	accodaUltimoStato(b, c.ID, s.Tipo, &v, &trovata)
	return func() (casi.Sezione, error) {
		return casi.Sezione{Titolo: s.Titolo, Href: "/casi/" + c.ID.String() + "/" + s.Percorso, Testo: s.testo(v, trovata)}, nil
	}
}

// testo says where version v stands (trovata false: there is none).
func (s Sezione) testo(v Versione, trovata bool) string {
	if !trovata {
		return s.Nessuna
	}
	t := "Versione " + strconv.Itoa(v.Numero)
	if !v.Definitiva() {
		return t + " in bozza"
	}
	t += " " + s.Definitiva
	if s.ConEsito && v.Esito != "" {
		t += ", esito " + v.Esito
	}
	return t
}
