package schede

import "testing"

// The case page's card of a versioned scheda says where its newest version
// stands: none, a draft, finalised (with its esito where the scheda has
// one), or signed for the patto.
func TestTestoSezione(t *testing.T) {
	analisi := Sezione{Nessuna: "Non ancora iniziata", Definitiva: "definitiva", ConEsito: true}
	patto := Sezione{Nessuna: "Non ancora iniziato", Definitiva: "sottoscritta"}
	for _, c := range []struct {
		s       Sezione
		v       Versione
		trovata bool
		want    string
	}{
		{analisi, Versione{}, false, "Non ancora iniziata"},
		{analisi, Versione{Numero: 2, Stato: Bozza}, true, "Versione 2 in bozza"},
		{analisi, Versione{Numero: 1, Stato: Definitiva, Esito: "complessa"}, true, "Versione 1 definitiva, esito complessa"},
		{analisi, Versione{Numero: 1, Stato: Definitiva}, true, "Versione 1 definitiva"},
		{patto, Versione{}, false, "Non ancora iniziato"},
		{patto, Versione{Numero: 3, Stato: Definitiva, Esito: "x"}, true, "Versione 3 sottoscritta"},
		{patto, Versione{Numero: 1, Stato: Bozza}, true, "Versione 1 in bozza"},
	} {
		if got := c.s.testo(c.v, c.trovata); got != c.want {
			t.Errorf("%+v: %q, want %q", c.v, got, c.want)
		}
	}
}
