package analisi_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The days from the first assignment to the first finalised analisi
// preliminare, and the analisi's columns of the dataset, on real data.
func TestIndicatoriEDatasetAnalisi(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	ps := fx.Demo()
	cm := ps["casemanager"]
	svc := analisi.NewService(pool, registro.NewService(pool, registro.ChiaveDiProva()), fx.Casi)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	// scheda: version v finalised at the time given (Rome), with its esito
	// and members' percorsi.
	scheda := func(caso uuid.UUID, v int, finalizzata, esito string, percorsi ...string) {
		t.Helper()
		comp := "["
		for k, p := range percorsi {
			if k > 0 {
				comp += ","
			}
			comp += fmt.Sprintf(`{"cognome":"Segreto","percorso":%q,"uscito":%t}`, p, k == 3)
		}
		comp += "]"
		exec(`INSERT INTO scheda (caso_id, tipo, versione, stato, contenuto, esito, finalizzata_il)
			VALUES ($1, 'analisi_preliminare', $2, 'definitiva', jsonb_build_object('componenti', $3::jsonb, 'motivazione', 'testo libero'), $4,
			        ($5::timestamp) AT TIME ZONE 'Europe/Rome')`, caso, v, comp, esito, finalizzata)
	}
	var casi []uuid.UUID
	caso := func(assegnato string) uuid.UUID {
		t.Helper()
		c := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Neri", fmt.Sprint("Ada", len(casi)), "F", 1980)}})
		exec(`UPDATE caso_assegnazione SET dal = ($2::date + time '00:30') AT TIME ZONE 'Europe/Rome' WHERE caso_id = $1`, c.ID, assegnato)
		casi = append(casi, c.ID)
		return c.ID
	}
	// Six cases assigned on 01/03, finalised 10, 20, 30, 40, 50, 60 days
	// later; the first reopened and finalised again in May (its first
	// finalisation counts), its esito changed to C.
	for k, d := range []string{"2026-03-11 09:00", "2026-03-21 23:30", "2026-03-31 10:00", "2026-04-10 10:00", "2026-04-20 10:00", "2026-04-30 10:00"} {
		id := caso("2026-03-01")
		scheda(id, 1, d, "B", "1", "4")
		if k == 0 {
			scheda(id, 2, "2026-05-20 10:00", "C", "4", "1", "2")
		}
	}
	fuori := caso("2026-03-01") // finalised in February: before the period
	scheda(fuori, 1, "2026-02-20 10:00", "A")
	caso("2026-03-01") // never finalised
	exec(`INSERT INTO scheda (caso_id, tipo, versione, contenuto) VALUES ($1, 'analisi_preliminare', 1, '{}')`, casi[len(casi)-1])

	f := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2026-03-01"), Al: fixtures.Data("2026-04-30"), Oggi: fixtures.Data("2026-10-20")}
	ii, err := svc.Indicatori(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 1 || ii[0].Codice != report.CodiceTempi || ii[0].Misura != report.MisuraGiorni ||
		!reflect.DeepEqual(ii[0].Righe, []string{"Analisi preliminare definitiva"}) {
		t.Fatalf("indicatori: %+v", ii)
	}
	if want := [][]int{{6, 30, 60}}; !reflect.DeepEqual(ii[0].Valori, want) {
		t.Errorf("valori %v, want %v", ii[0].Valori, want)
	}
	f.Dal = fixtures.Data("2026-04-01") // three cases: shown as "<5", the days hidden
	if ii, err = svc.Indicatori(ctx, f); err != nil || ii[0].Valori[0][0] != 3 {
		t.Fatalf("da aprile: %v %v", ii, err)
	}
	if tb := report.NuovaTabella(ii[0]); tb.Celle[0][0].Testo() != "<5" || tb.Celle[0][1].Testo() != "<5 casi" {
		t.Errorf("da aprile: %q %q", tb.Celle[0][0].Testo(), tb.Celle[0][1].Testo())
	}

	// The dataset: codes and dates only.
	if got := svc.ColonneDataset(); !reflect.DeepEqual(got, []string{"analisi_definitiva_il", "analisi_esito", "analisi_percorsi"}) {
		t.Errorf("colonne: %q", got)
	}
	ids := []string{casi[0].String(), casi[1].String(), fuori.String(), casi[len(casi)-1].String(), uuid.NewString()}
	v, err := svc.ValoriDataset(ctx, f, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		casi[0].String(): {"11/03/2026", "C", "1|2|4"},
		casi[1].String(): {"21/03/2026", "B", "1|4"},
		fuori.String():   {"20/02/2026", "A", ""},
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("dataset %v, want %v", v, want)
	}
	// Another ambito's filter reads nothing.
	f.AmbitoID += 1000
	if v, err := svc.ValoriDataset(ctx, f, ids); err != nil || len(v) != 0 {
		t.Errorf("altro ambito: %v %v", v, err)
	}
}
