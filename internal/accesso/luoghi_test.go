package accesso_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
)

// The lists shipped with the binary are read whole: the ISTAT comuni with
// their codes and siglas, the foreign states with their Z codes and ISO-3.
func TestCaricaLuoghi(t *testing.T) {
	l, err := accesso.CaricaLuoghi()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(l.Comuni()); n < 7800 || n > 8100 {
		t.Errorf("%d comuni, want the ~7,900 of the ISTAT list", n)
	}
	if n := len(l.Stati()); n < 190 {
		t.Errorf("%d foreign states", n)
	}
	if c, ok := l.ComuneDaISTAT("037006"); !ok || c.CodiceCatastale != "A944" || c.Provincia != "BO" || c.Regione != "Emilia-Romagna" {
		t.Errorf("Bologna: %+v %v", c, ok)
	}
	if c, ok := l.ComuneDaISTAT("001001"); !ok || c.Denominazione != "Agliè" {
		t.Errorf("Agliè (Windows-1252 decoded): %+v", c)
	}
	// The file shipped is read whole: no line rejected.
	raw, err := os.ReadFile("dati/comuni-istat.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if comuni, scarti, err := accesso.ParseComuniISTAT(zr); err != nil || len(scarti) > 0 || len(comuni) != len(l.Comuni()) {
		t.Errorf("shipped file: %d comuni, rejected %+v, %v", len(comuni), scarti, err)
	}
	for _, cat := range []string{"H501", "F205", "Z330", "Z129", "Z100"} {
		if _, ok := l.Luogo(cat); !ok {
			t.Errorf("%s missing", cat)
		}
	}
}

// What the user may type as a place of birth, and what it resolves to.
func TestRisolviLuogo(t *testing.T) {
	l, err := accesso.CaricaLuoghi()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		testo, want string // want: the codice catastale, or "" (unknown)
		scelte      []string
	}{
		{"Bologna", "A944", nil},
		{"bologna", "A944", nil},
		{"  BOLOGNA ", "A944", nil},
		{"Bologna (BO)", "A944", nil},
		{"bologna(bo)", "A944", nil},
		{"A944", "A944", nil},
		{"a944", "A944", nil},
		{"Milano", "F205", nil},
		{"Roma", "H501", nil},
		{"Forli", "D704", nil},                // typed without the accent
		{"Sant’Agata Bolognese", "I191", nil}, // typographic apostrophe
		{"Paternò", "G371", nil},              // the accent tells it from Paterno (PZ)
		{"Marocco", "Z330", nil},
		{"romania", "Z129", nil},
		{"Z100", "Z100", nil},
		{"Castro (LE)", "M261", nil},
		{"Palau (SS)", "G258", nil},
		{"Palau (stato estero)", "Z734", nil},
		{"Castro", "", []string{"Castro (BG)", "Castro (LE)"}},
		{"Livo", "", []string{"Livo (CO)", "Livo (TN)"}},
		{"Peglio", "", []string{"Peglio (CO)", "Peglio (PU)"}},
		{"Samone", "", []string{"Samone (TN)", "Samone (TO)"}},
		{"San Teodoro", "", []string{"San Teodoro (ME)", "San Teodoro (SS)"}},
		{"Paterno", "", []string{"Paterno (PZ)", "Paternò (CT)"}},
		{"Palau", "", []string{"Palau (stato estero)", "Palau (SS)"}},
		{"Castro (MI)", "", nil},
		{"Atlantide", "", nil},
		{"A000", "", nil},
		{"", "", nil},
	} {
		r := l.RisolviLuogo(c.testo)
		var scelte []string
		for _, s := range r.Scelte {
			scelte = append(scelte, s.Scelta())
		}
		if r.Trovato != (c.want != "") || r.Luogo.Catastale != c.want || strings.Join(scelte, "|") != strings.Join(c.scelte, "|") {
			t.Errorf("RisolviLuogo(%q) = %+v %q, want %q %q", c.testo, r.Luogo, scelte, c.want, c.scelte)
		}
		// Each choice offered resolves to that place alone.
		for _, s := range r.Scelte {
			if again := l.RisolviLuogo(s.Scelta()); !again.Trovato || again.Luogo != s {
				t.Errorf("choice %q does not resolve to itself: %+v", s.Scelta(), again)
			}
		}
	}
	if got := l.EtichettaLuogo("H501"); got != "Roma (RM)" {
		t.Errorf("EtichettaLuogo(H501) = %q", got)
	}
	if got := l.EtichettaLuogo("Z330"); got != "Marocco" {
		t.Errorf("EtichettaLuogo(Z330) = %q", got)
	}
}

// Citizenships by name or code; stored as ISO 3166-1 alpha-3.
func TestRisolviCittadinanza(t *testing.T) {
	l, err := accesso.CaricaLuoghi()
	if err != nil {
		t.Fatal(err)
	}
	for testo, want := range map[string]string{
		"Italia": "ITA", "italiana": "ITA", "ITA": "ITA", "Marocco": "MAR", "mar": "MAR", "Romania": "ROU",
		"Ucraina": "UKR", "apolide": "XXA", "Stati Uniti d'America": "USA", "Perù": "PER", "peru": "PER",
	} {
		if ci, ok := l.RisolviCittadinanza(testo); !ok || ci.ISO3 != want {
			t.Errorf("RisolviCittadinanza(%q) = %+v %v, want %s", testo, ci, ok, want)
		}
	}
	for _, testo := range []string{"", "Atlantide", "ZZZ"} {
		if ci, ok := l.RisolviCittadinanza(testo); ok {
			t.Errorf("RisolviCittadinanza(%q) = %+v", testo, ci)
		}
	}
	if got := l.NomeCittadinanza("MAR"); got != "Marocco" {
		t.Errorf("NomeCittadinanza(MAR) = %q", got)
	}
	if got := l.NomeCittadinanza("ITA"); got != "Italia" {
		t.Errorf("NomeCittadinanza(ITA) = %q", got)
	}
	if got := l.NomeCittadinanza("QQQ"); got != "QQQ" {
		t.Errorf("NomeCittadinanza(QQQ) = %q", got)
	}
}

// ISTAT's own file of foreign states (its 15 columns, Windows-1252, "n.d."
// where a territory has no code) reads like the extract shipped.
func TestParseStatiEsteri(t *testing.T) {
	istat := "Stato(S)/Territorio(T);Codice Continente;Denominazione Continente (IT);Codice Area;Denominazione Area (IT);Codice ISTAT;Denominazione IT;Denominazione EN;Codice MIN;Codice AT;Codice UNSD_M49;Codice ISO 3166 alpha2;Codice ISO 3166 alpha3;Codice ISTAT_Stato Padre;Codice ISO alpha3_Stato Padre\r\n" +
		"S;1;Europa;11;Unione europea;215;Francia;France;215;Z110;250;FR;FRA;;\r\n" +
		"S;2;Africa;21;Africa settentrionale;436;Marocco;Morocco;436;Z330;504;MA;MAR;;\r\n" +
		"T;5;Oceania;51;Australia e Nuova Zelanda;999;Isole Heard;Heard Island;999;n.d.;334;HM;HMD;;\r\n" +
		"S;3;America;34;America centro meridionale;615;Per\xf9;Peru;615;Z611;604;PE;PER;;\r\n"
	stati, err := accesso.ParseStatiEsteri(strings.NewReader(istat))
	if err != nil {
		t.Fatal(err)
	}
	want := []accesso.Stato{{"Francia", "Z110", "FRA"}, {"Marocco", "Z330", "MAR"}, {"Perù", "Z611", "PER"}}
	if len(stati) != len(want) {
		t.Fatalf("%+v", stati)
	}
	for i := range want {
		if stati[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, stati[i], want[i])
		}
	}
	if _, err := accesso.ParseStatiEsteri(strings.NewReader("Nome;Codice\nFrancia;Z110\n")); !errors.Is(err, accesso.ErrElencoStatiNonValido) {
		t.Errorf("missing columns: %v", err)
	}
}
