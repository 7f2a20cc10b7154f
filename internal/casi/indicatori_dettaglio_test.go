package casi_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The coordinatore's drill-down on real data: each cell lists exactly the
// cases it counts, anagrafica only, by number in pages; another comune's
// and another ambito's cases never appear; an unknown cell is ErrCella;
// every read is in the registro.
func TestDettaglioCasi(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, calendario.Roma)
	fx.Casi.SetClock(func() time.Time { return now })
	cm, cm2 := people["casemanager"], people["casemanager2"]
	var nostri []fixtures.Caso
	for i := range 7 {
		nostri = append(nostri, fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto(fmt.Sprintf("Nostro%c", 'a'+i), "Anna", "F", 1970+i)}}))
	}
	fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Misura: casi.SFL, Membri: []fixtures.Membro{fixtures.Adulto("Sfl", "Carla", "F", 1990)}})
	// Another comune of the ambito, and another ambito.
	fx.Caso(fixtures.NuovoCaso{CaseManager: cm2, Membri: []fixtures.Membro{fixtures.Adulto("Altrocomune", "Bruno", "M", 1975)}})
	amb, cc := fx.Ambito("ATS-ALTRO", "Altro ambito", accesso.Comune{CodiceISTAT: "099001", CodiceCatastale: "Z901", Denominazione: "Altrove"})
	fuori := fx.CaseManager(amb.ID, cc[0].ID, "Ugo", "Esterno")
	fx.Caso(fixtures.NuovoCaso{CaseManager: fuori, Membri: []fixtures.Membro{fixtures.Adulto("Altroambito", "Dino", "M", 1972)}})
	now = time.Date(2026, 6, 20, 9, 0, 0, 0, calendario.Roma)
	for _, x := range nostri[:2] {
		c, err := fx.Casi.Caso(ctx, x.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fe, err := fx.Casi.Chiudi(ctx, cm, x.ID, casi.Chiusura{Motivo: "Rinuncia", Data: "2026-06-15", Versione: c.Versione}, registro.Voce{}); err != nil || fe != nil {
			t.Fatalf("chiudi: %v %v", fe, err)
		}
	}

	f := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2026-01-01"), Al: fixtures.Data("2026-06-30"),
		Oggi: fixtures.Data("2026-06-20"), Tetto: 40, Nominativi: true}
	comune := *cm.ComuneID
	f.ComuneID = &comune
	elenco := func(f report.Filtro, s report.Selezione, dopo int64, n int) []report.CasoAnagrafica {
		t.Helper()
		_, out, err := fx.Casi.DettaglioCasi(ctx, f, s, dopo, n, registro.Voce{Indirizzo: "test"})
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		for _, x := range out {
			if strings.HasPrefix(x.Richiedente, "Altroambito") || (f.ComuneID != nil && *f.ComuneID == comune && strings.HasPrefix(x.Richiedente, "Altrocomune")) {
				t.Errorf("%+v: a case outside the scope: %+v", s, x)
			}
		}
		return out
	}
	cognomi := func(xx []report.CasoAnagrafica) string {
		var s []string
		for _, x := range xx {
			s = append(s, strings.Fields(x.Richiedente)[0])
		}
		return strings.Join(s, " ")
	}
	for _, x := range []struct {
		sel  report.Selezione
		want string
	}{
		{report.Selezione{Indicatore: "casi-stato-misura", Riga: "assegnato", Colonna: string(casi.ADI)}, "Nostroc Nostrod Nostroe Nostrof Nostrog"},
		{report.Selezione{Indicatore: "casi-stato-misura", Riga: "chiuso", Colonna: string(casi.ADI)}, "Nostroa Nostrob"},
		{report.Selezione{Indicatore: "casi-stato-misura", Riga: "assegnato", Colonna: string(casi.SFL)}, "Sfl"},
		{report.Selezione{Indicatore: "casi-andamento", Riga: "2026-03", Colonna: "nuovi"}, "Nostroa Nostrob Nostroc Nostrod Nostroe Nostrof Nostrog Sfl"},
		{report.Selezione{Indicatore: "casi-andamento", Riga: "2026-06", Colonna: "chiusi"}, "Nostroa Nostrob"},
		{report.Selezione{Indicatore: "casi-comune", Riga: strconv.FormatInt(comune, 10), Colonna: "in_carico"}, "Nostroc Nostrod Nostroe Nostrof Nostrog Sfl"},
		{report.Selezione{Indicatore: "casi-comune", Riga: strconv.FormatInt(cc[0].ID, 10), Colonna: "nuovi"}, ""},
		{report.Selezione{Indicatore: "casi-chiusi-motivo", Riga: "Rinuncia"}, "Nostroa Nostrob"},
		{report.Selezione{Indicatore: "casi-chiusi-motivo", Riga: "altro"}, ""},
		{report.Selezione{Indicatore: "carico-case-manager", Riga: cm.OperatoreID.String()}, "Nostroc Nostrod Nostroe Nostrof Nostrog Sfl"},
		{report.Selezione{Indicatore: "carico-case-manager", Riga: fuori.OperatoreID.String()}, ""},
	} {
		if got := cognomi(elenco(f, x.sel, 0, 50)); got != x.want {
			t.Errorf("%+v: %q, want %q", x.sel, got, x.want)
		}
	}
	// The anagrafica of a row.
	out := elenco(f, report.Selezione{Indicatore: "casi-stato-misura", Riga: "chiuso", Colonna: string(casi.ADI)}, 0, 50)
	if x := out[0]; x.ID != nostri[0].ID.String() || x.Codice == "" || x.CodiceFiscale == "" || x.Stato != casi.Chiuso.Label() ||
		x.CaseManager != cm.Cognome+" "+cm.Nome || x.Comune == "" {
		t.Errorf("anagrafica: %+v", x)
	}
	// Pages by number: 3, then the rest after the third.
	sel := report.Selezione{Indicatore: "casi-andamento", Riga: "2026-03", Colonna: "nuovi"}
	p1 := elenco(f, sel, 0, 3)
	p2 := elenco(f, sel, p1[2].Numero, 50)
	if cognomi(p1) != "Nostroa Nostrob Nostroc" || cognomi(p2) != "Nostrod Nostroe Nostrof Nostrog Sfl" {
		t.Errorf("pages: %q | %q", cognomi(p1), cognomi(p2))
	}
	// The comune coordinatore of another comune: none of these cases.
	altro := *cm2.ComuneID
	g := f
	g.ComuneID = &altro
	if got := cognomi(elenco(g, report.Selezione{Indicatore: "casi-comune", Riga: strconv.FormatInt(comune, 10), Colonna: "nuovi"}, 0, 50)); got != "" {
		t.Errorf("another comune's scope: %q", got)
	}
	if got := cognomi(elenco(g, report.Selezione{Indicatore: "casi-andamento", Riga: "2026-03", Colonna: "nuovi"}, 0, 50)); got != "Altrocomune" {
		t.Errorf("the other comune's own: %q", got)
	}
	// The whole ambito: the other comune's case too, never the other ambito's.
	g.ComuneID = nil
	if got := cognomi(elenco(g, report.Selezione{Indicatore: "casi-stato-misura", Riga: "assegnato", Colonna: string(casi.ADI)}, 0, 50)); got != "Nostroc Nostrod Nostroe Nostrof Nostrog Altrocomune" {
		t.Errorf("the whole ambito: %q", got)
	}
	// Unknown cells; the caseload by name only for the coordinatore.
	ats := f
	ats.Nominativi = false
	for _, x := range []struct {
		f report.Filtro
		s report.Selezione
	}{
		{f, report.Selezione{Indicatore: "casi-stato-misura", Riga: "boh", Colonna: string(casi.ADI)}},
		{f, report.Selezione{Indicatore: "casi-andamento", Riga: "2025-12", Colonna: "nuovi"}},
		{f, report.Selezione{Indicatore: "casi-comune", Riga: "1", Colonna: "tutti"}},
		{f, report.Selezione{Indicatore: "casi-chiusi-motivo", Riga: "Stanchezza"}},
		{f, report.Selezione{Indicatore: "primo-incontro-120", Riga: "x"}},
		{ats, report.Selezione{Indicatore: "carico-case-manager", Riga: cm.OperatoreID.String()}},
	} {
		if _, _, err := fx.Casi.DettaglioCasi(ctx, x.f, x.s, 0, 50, registro.Voce{}); !errors.Is(err, report.ErrCella) {
			t.Errorf("%+v: %v, want ErrCella", x.s, err)
		}
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'elenco_casi_cruscotto'`).Scan(&n); err != nil || n != 17 {
		t.Errorf("reads recorded: %d %v, want 17", n, err)
	}
}
