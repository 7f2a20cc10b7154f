package casi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// The opening form takes the place of birth and the citizenship by name
// (issue 21, point 6): what was typed is resolved to the codice catastale
// and the ISO-3 code; an ambiguous or unknown name, or a place that is not
// the one in the codice fiscale, is answered next to its field in Italian.
func TestAperturaLuoghiPerNome(t *testing.T) {
	t.Parallel()
	luoghi, err := accesso.CaricaLuoghi()
	if err != nil {
		t.Fatal(err)
	}
	svc := casi.NewService(nil, nil)
	svc.SetLuoghi(luoghi)
	svc.SetClock(func() time.Time { return time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC) })
	comune := &casi.ComuneApertura{ID: 1, Nome: "Casalecchio di Reno", Istat: "037011", Selezionabile: true}
	nascita := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	apertura := func(luogo, cittadinanza, catastaleCF string) casi.Apertura {
		in := casi.NuovaApertura(2)
		in.Misura, in.IDDomanda, in.DataDomanda, in.DataPAD = "ADI", "INPS-MAN-9", "2026-10-01", "2026-11-01"
		in.ComuneID, in.Indirizzo = "1", "Via Porrettana 1"
		in.Componenti[0] = casi.ComponenteApertura{
			CodiceFiscale: codicefiscale.Compute("Rossi", "Mario", nascita, "M", catastaleCF), Cognome: "Rossi", Nome: "Mario", Sesso: "M",
			DataNascita: "1980-01-01", LuogoNascita: luogo, Cittadinanza: cittadinanza, Relazione: "richiedente", InScala: true,
		}
		return in
	}
	for _, c := range []struct {
		nome, luogo, cittadinanza, cf string
		wantLuogo, wantCitt           string // stored codes, when no error
		errLuogo, errCitt             string // messages expected (parts)
	}{
		{"by name", "Bologna", "Italia", "A944", "A944", "ITA", "", ""},
		{"lower case", "bologna", "italia", "A944", "A944", "ITA", "", ""},
		{"with the sigla", "Bologna (BO)", "ITA", "A944", "A944", "ITA", "", ""},
		{"the code itself", "A944", "Italia", "A944", "A944", "ITA", "", ""},
		{"from the codice fiscale", "", "Italia", "H501", "H501", "ITA", "", ""},
		{"foreign-born", "Marocco", "Marocco", "Z330", "Z330", "MAR", "", ""},
		{"ambiguous", "Castro", "Italia", "M261", "", "", "«Castro» è il nome di più luoghi; scrivi quale: Castro (BG), Castro (LE).", ""},
		{"ambiguous resolved", "Castro (LE)", "Italia", "M261", "M261", "ITA", "", ""},
		{"unknown", "Atlantide", "Italia", "A944", "", "", "«Atlantide» non è un comune italiano né uno stato estero", ""},
		{"unknown nation", "Bologna", "Atlantide", "A944", "", "", "", "Componente 1, cittadinanza: «Atlantide» non è uno stato"},
		{"Milano with a CF of Roma", "Milano", "Italia", "H501", "", "", "Componente 1, luogo di nascita: Milano (MI), codice F205 non corrisponde al codice fiscale, che indica Roma (RM), codice H501", ""},
		{"Marocco with a CF of Bologna", "Marocco", "Marocco", "A944", "", "", "Marocco, codice Z330 non corrisponde al codice fiscale, che indica Bologna (BO)", ""},
	} {
		t.Run(c.nome, func(t *testing.T) {
			nu, errs := svc.ControllaApertura(apertura(c.luogo, c.cittadinanza, c.cf), comune)
			if c.errLuogo == "" && c.errCitt == "" {
				if len(errs) > 0 {
					t.Fatalf("errors: %v", errs)
				}
				k := nu.Componenti[0]
				if k.LuogoNascita != c.wantLuogo || k.Cittadinanza != c.wantCitt {
					t.Errorf("stored %s %s, want %s %s", k.LuogoNascita, k.Cittadinanza, c.wantLuogo, c.wantCitt)
				}
				return
			}
			if !strings.Contains(errs["c0_luogo_nascita"], c.errLuogo) || !strings.Contains(errs["c0_cittadinanza"], c.errCitt) {
				t.Errorf("errors: %q", errs)
			}
			if c.errLuogo != "" && errs["c0_codice_fiscale"] != "" {
				t.Errorf("a second message on the codice fiscale: %q", errs["c0_codice_fiscale"])
			}
		})
	}
	// A text longer than any name: its length is the message.
	if _, errs := svc.ControllaApertura(apertura(strings.Repeat("Bologna ", 20), strings.Repeat("x", 81), "A944"), comune); !strings.HasPrefix(errs["c0_luogo_nascita"], "Al massimo 80 caratteri") ||
		!strings.HasPrefix(errs["c0_cittadinanza"], "Al massimo 80 caratteri") {
		t.Errorf("too long: %q", errs)
	}
	// Omocodia: the digits of the place written as letters still say H501.
	in := apertura("Roma", "Italia", "H501")
	first15 := in.Componenti[0].CodiceFiscale[:11] + "H5LM" // H501, the 0 and the 1 as L and M
	in.Componenti[0].CodiceFiscale = first15 + string(codicefiscale.CheckChar(first15))
	if nu, errs := svc.ControllaApertura(in, comune); len(errs) > 0 || nu.Componenti[0].LuogoNascita != "H501" {
		t.Errorf("omocodia, Roma: %v %+v", errs, nu.Componenti)
	}
	in.Componenti[0].LuogoNascita = "Milano"
	if _, errs := svc.ControllaApertura(in, comune); !strings.Contains(errs["c0_luogo_nascita"], "che indica Roma (RM)") {
		t.Errorf("omocodia, Milano: %v", errs)
	}
}
