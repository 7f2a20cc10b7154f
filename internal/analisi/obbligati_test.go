package analisi

import (
	"testing"
	"time"

	"github.com/cartella/cartella/internal/scadenze"
)

// The finalised analisi's percorsi and dated reasons reach the rules: a
// member exempted by a dated reason is not tenuto agli obblighi within its
// dates, and bound again after; a dated disabilità replaces the undated flag.
func TestApplicaObbligati(t *testing.T) {
	const a, b = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
	cont := Contenuto{Componenti: []Componente{
		{PersonaID: a, Percorso: "4", Motivi: []Motivo{{Codice: "cura_minore_3", Dal: "2025-01-10", Al: "2026-03-31"}}},
		{PersonaID: b, Percorso: "1", Motivi: []Motivo{{Codice: "disabilita", Dal: "2025-01-10", Al: "2025-12-31"},
			{Codice: "occupato", Dal: ""}}}, // no start: not applied
	}}
	rif := Riferimenti{Motivi: Lista{{Codice: "cura_minore_3"}, {Codice: "disabilita", EsoneroT90: true}, {Codice: "occupato"}}}
	nato := time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)
	sit := scadenze.Situazione{Membri: []scadenze.Membro{
		{PersonaID: a, DataNascita: nato}, {PersonaID: b, DataNascita: nato, Disabilita: true}, {PersonaID: "non-un-uuid"}}}
	applicaObbligati(cont, rif, &sit)
	ma, mb := sit.Membri[0], sit.Membri[1]
	if ma.Percorso != "4" || len(ma.Motivi) != 1 || ma.Motivi[0].Al == nil || ma.Motivi[0].EsoneroT90 {
		t.Errorf("member a = %+v", ma)
	}
	if mb.Disabilita || len(mb.Motivi) != 1 || !mb.Motivi[0].EsoneroT90 {
		t.Errorf("member b = %+v", mb)
	}
	for _, tc := range []struct {
		m      scadenze.Membro
		giorno time.Time
		tenuto bool
	}{
		{ma, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), false},
		{ma, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), true},
		{mb, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{mb, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		if got, _ := scadenze.TenutoAgliObblighi(tc.m, tc.giorno); got != tc.tenuto {
			t.Errorf("%s on %s: tenuto = %v, want %v", tc.m.PersonaID, tc.giorno.Format(time.DateOnly), got, tc.tenuto)
		}
	}
}
