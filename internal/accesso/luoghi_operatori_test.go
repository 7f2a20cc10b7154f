package accesso

import (
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/httpx"
)

// The operator's comune of birth is resolved by name and checked against
// the codice fiscale, like the place of birth of apri un caso.
func TestAnagraficaComuneDiNascita(t *testing.T) {
	l, err := CaricaLuoghi()
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{luoghi: l}
	cf := codicefiscale.Compute("Galli", "Elena", time.Date(1991, 3, 8, 0, 0, 0, 0, time.UTC), "F", "H501")
	an := Anagrafica{CodiceFiscale: cf, Nome: "Elena", Cognome: "Galli", DataNascita: "1991-03-08", Genere: "F", Email: "elena.galli@comune.example.it"}
	for _, c := range []struct{ typed, stored, err string }{
		{"roma", "Roma (RM)", ""},
		{"Roma (RM)", "Roma (RM)", ""},
		{"H501", "Roma (RM)", ""},
		{"Milano", "", "Milano (MI) non corrisponde al codice fiscale, che indica Roma (RM) (codice H501)"},
		{"Samone", "", "«Samone» è il nome di più luoghi; scrivi quale: Samone (TN), Samone (TO)."},
		{"Atlantide", "", "«Atlantide» non è un comune italiano né uno stato estero dell'elenco ISTAT"},
	} {
		errs := httpx.FieldErrors{}
		in := an
		in.ComuneNascita = c.typed
		out, _ := s.validaAnagrafica(in, errs)
		if c.err == "" && (len(errs) > 0 || out.ComuneNascita != c.stored) {
			t.Errorf("%q: %q %v", c.typed, out.ComuneNascita, errs)
		}
		if c.err != "" && !strings.Contains(errs["comune_nascita"], c.err) {
			t.Errorf("%q: %v, want %q", c.typed, errs, c.err)
		}
	}
}
