package analisi

import (
	"strings"
	"testing"
	"time"
)

// A minor in the scala di equivalenza needs no percorso to finalise, and
// cannot be sent to the CPI; an adult still needs a percorso (issue 21,
// point 5: the form asked percorso and CPI of a 7-year-old).
func TestValidaMinori(t *testing.T) {
	oggi := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	bambino := Componente{PersonaID: "b", Cognome: "Rossi", Nome: "Luca", DataNascita: "2019-05-01", InScala: true}
	adulto := Componente{PersonaID: "a", Cognome: "Rossi", Nome: "Maria", DataNascita: "1985-04-12", InScala: true}
	errs := Valida(Contenuto{Componenti: []Componente{bambino, adulto}}, Riferimenti{}, oggi)
	if _, ok := errs[campoComp("b", "percorso")]; ok {
		t.Errorf("a percorso asked of a 7-year-old: %v", errs)
	}
	if _, ok := errs[campoComp("a", "percorso")]; !ok {
		t.Errorf("no percorso asked of the adult: %v", errs)
	}
	bambino.InvioCPI = true
	errs = Valida(Contenuto{Componenti: []Componente{bambino}}, Riferimenti{}, oggi)
	if msg := errs[campoComp("b", "invio_cpi")]; !strings.Contains(msg, "minorenne") {
		t.Errorf("a minor sent to the CPI: %v", errs)
	}
	if !bambino.Minore(oggi) || adulto.Minore(oggi) || (Componente{}).Minore(oggi) {
		t.Error("Minore")
	}
}
