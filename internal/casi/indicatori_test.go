package casi_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The cases' indicators of the cruscotto, on real data: opened in March
// and May, one closed in June; the period April–June.
func TestIndicatoriCasi(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, calendario.Roma)
	fx.Casi.SetClock(func() time.Time { return now })
	cm := people["casemanager"]
	a := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Bianchi", "Anna", "F", 1980)}})
	fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Bruno", "M", 1975)}})
	fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Misura: casi.SFL, Membri: []fixtures.Membro{fixtures.Adulto("Neri", "Carla", "F", 1990)}})
	now = time.Date(2026, 5, 5, 9, 0, 0, 0, calendario.Roma)
	fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Gialli", "Dario", "M", 1970)}})
	now = time.Date(2026, 6, 20, 9, 0, 0, 0, calendario.Roma)
	c, err := fx.Casi.Caso(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fe, err := fx.Casi.Chiudi(ctx, cm, a.ID, casi.Chiusura{Motivo: "Rinuncia", Data: "2026-06-15", Versione: c.Versione}, registro.Voce{}); err != nil || fe != nil {
		t.Fatalf("chiudi: %v %v", fe, err)
	}

	f := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2026-04-01"), Al: fixtures.Data("2026-06-30"),
		Oggi: fixtures.Data("2026-06-20"), Tetto: 2}
	ii, err := fx.Casi.Indicatori(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]report.Indicatore{}
	for _, i := range ii {
		per[i.Codice] = i
	}
	controlla := func(codice string, righe []string, valori [][]int) {
		t.Helper()
		i, ok := per[codice]
		if !ok {
			t.Fatalf("%s: assente", codice)
		}
		if !reflect.DeepEqual(i.Righe, righe) || !reflect.DeepEqual(i.Valori, valori) {
			t.Errorf("%s: righe %q valori %v, want %q %v", codice, i.Righe, i.Valori, righe, valori)
		}
	}
	// Open on some day of the period: the four, by today's state.
	controlla("casi-stato-misura", []string{"Assegnato", "Chiuso"}, [][]int{{2, 1}, {1, 0}})
	if got := per["casi-stato-misura"].Colonne; !reflect.DeepEqual(got, []string{casi.ADI.Label(), casi.SFL.Label()}) {
		t.Errorf("colonne %q", got)
	}
	controlla("casi-andamento", []string{"aprile 2026", "maggio 2026", "giugno 2026"}, [][]int{{0, 0}, {1, 0}, {0, 1}})
	var comune string
	if err := pool.QueryRow(ctx, `SELECT denominazione FROM comune WHERE id = $1`, *cm.ComuneID).Scan(&comune); err != nil {
		t.Fatal(err)
	}
	controlla("casi-comune", []string{comune}, [][]int{{1, 1, 3}})
	controlla("casi-chiusi-motivo", []string{"Rinuncia"}, [][]int{{1}})

	// The caseload: today's open cases, the operatore ATS sees no name.
	car := per["carico-case-manager"]
	if car.Tetto != 2 || !car.Nuclei || len(car.Righe) == 0 || car.Righe[0] != "Case manager 1" || car.Valori[0][0] != 3 {
		t.Errorf("carico: %+v", car)
	}
	for _, r := range car.Righe {
		if !strings.HasPrefix(r, "Case manager ") {
			t.Errorf("carico: un nome per l'operatore ATS: %q", r)
		}
	}
	f.Nominativi = true
	ii, err = fx.Casi.Indicatori(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if r := ii[len(ii)-1].Righe[0]; r != cm.Cognome+" "+cm.Nome {
		t.Errorf("carico per il coordinatore: %q, want %s %s", r, cm.Cognome, cm.Nome)
	}

	// Another comune of the ambito: nothing.
	var altro int64
	if err := pool.QueryRow(ctx, `SELECT id FROM comune WHERE ambito_id = $1 AND id <> $2 LIMIT 1`, *cm.AmbitoID, *cm.ComuneID).Scan(&altro); err != nil {
		t.Fatal(err)
	}
	f.ComuneID = &altro
	ii, err = fx.Casi.Indicatori(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ii[:2] {
		for _, r := range i.Valori {
			for _, v := range r {
				if v != 0 {
					t.Errorf("%s in un altro comune: %v", i.Codice, i.Valori)
				}
			}
		}
	}
}

// The transfers of the period per comune: to and from another ambito, to
// and from another comune of the ambito, as the history names them.
func TestIndicatoriTrasferimenti(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	ps := fx.Demo()
	cm, coord := ps["casemanager"], ps["coordinatore"]
	var demoNome string
	if err := pool.QueryRow(ctx, `SELECT denominazione FROM ambito WHERE id = $1`, *cm.AmbitoID).Scan(&demoNome); err != nil {
		t.Fatal(err)
	}
	amb, cc := fx.Ambito("ATS-BO-T", "Ambito Territoriale Città di Bologna", demo.Bologna)
	bo, boNome, boComune := amb.ID, amb.Denominazione, cc[0].ID
	casa, zola := *cm.ComuneID, *ps["casemanager2"].ComuneID
	nomi := map[int64]string{}
	for _, id := range []int64{casa, zola, boComune} {
		var n string
		if err := pool.QueryRow(ctx, `SELECT denominazione FROM comune WHERE id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		nomi[id] = n
	}
	ambiti := map[int64]int64{casa: *cm.AmbitoID, zola: *cm.AmbitoID, boComune: bo}
	nomiAmbiti := map[int64]string{*cm.AmbitoID: demoNome, bo: boNome}
	coordBo := fx.Coordinatore(bo, "Rita", "Bolognesi")
	n := 0
	trasferisci := func(p authz.Principal, da, a int64) uuid.UUID {
		t.Helper()
		n++
		c := fx.Caso(fixtures.NuovoCaso{AmbitoID: ambiti[da], ComuneID: da, Membri: []fixtures.Membro{fixtures.Adulto("Neri", fmt.Sprint("Ada", n), "F", 1980)}})
		if err := fx.Casi.Trasferisci(ctx, p, casi.Trasferimento{CasoID: c.ID, Versione: c.Versione, ComuneID: a, AmbitoID: ambiti[a],
			Da: casi.EtichettaTrasferimento(nomi[da], nomiAmbiti[ambiti[da]]), A: casi.EtichettaTrasferimento(nomi[a], nomiAmbiti[ambiti[a]]),
			Motivo: "Cambio di residenza"}, registro.Voce{}); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	trasferisci(coord, casa, boComune)
	trasferisci(coord, casa, zola)
	trasferisci(coordBo, boComune, casa)
	vecchio := trasferisci(coord, zola, boComune)
	if _, err := pool.Exec(ctx, `UPDATE caso_storico SET quando = now() - interval '40 days' WHERE caso_id = $1 AND evento = 'trasferito'`, vecchio); err != nil {
		t.Fatal(err)
	}
	oggi := calendario.Giorno(time.Now())
	f := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: oggi.AddDate(0, 0, -10), Al: oggi, Oggi: oggi}
	trasferiti := func() report.Indicatore {
		t.Helper()
		ii, err := fx.Casi.Indicatori(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range ii {
			if i.Codice == "casi-trasferiti" {
				return i
			}
		}
		t.Fatal("casi-trasferiti assente")
		return report.Indicatore{}
	}
	i := trasferiti()
	if want := [][]int{{1, 1, 0, 1}, {0, 0, 1, 0}}; !reflect.DeepEqual(i.Righe, []string{nomi[casa], nomi[zola]}) || !reflect.DeepEqual(i.Valori, want) ||
		!i.Nuclei || !i.SenzaTotaleRiga {
		t.Errorf("%q %v, want %v", i.Righe, i.Valori, want)
	}
	f.Dal = oggi.AddDate(0, 0, -60) // the older transfer, from Zola to Bologna
	if i := trasferiti(); !reflect.DeepEqual(i.Valori, [][]int{{1, 1, 0, 1}, {0, 1, 1, 0}}) {
		t.Errorf("60 giorni: %v", i.Valori)
	}
	f.ComuneID = &zola
	if i := trasferiti(); !reflect.DeepEqual(i.Righe, []string{nomi[zola]}) || !reflect.DeepEqual(i.Valori, [][]int{{0, 1, 1, 0}}) {
		t.Errorf("Zola: %q %v", i.Righe, i.Valori)
	}
	// Bologna's side: one received from, one sent to another ambito.
	f.AmbitoID, f.ComuneID = bo, nil
	if i := trasferiti(); !reflect.DeepEqual(i.Valori, [][]int{{2, 1, 0, 0}}) {
		t.Errorf("Bologna: %v", i.Valori)
	}
}
