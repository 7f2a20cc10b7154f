package incontri_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The nuclei met within 120 days of the PAD: the cohort is the nuclei whose
// term fell in the period, up to today; met within, after, or not yet.
func TestIndicatoriPrimoIncontro(t *testing.T) {
	t.Parallel()
	f := setup(t) // today 20/10/2026; its own case has its term in the future
	ctx := context.Background()
	cm := f.people["casemanager"]
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	caso := func(pad string) (uuid.UUID, uuid.UUID) {
		d := fixtures.Data(pad)
		c := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, DataPAD: d, DataDomanda: d, Dal: fixtures.Data("2026-01-01"),
			Membri: []fixtures.Membro{fixtures.Adulto("Bianchi", "Anna"+pad, "F", 1980)}})
		return c.ID, c.Persone[0]
	}
	incontro := func(id, persona uuid.UUID, data string) {
		t.Helper()
		if _, err := f.svc.RegistraIncontro(ctx, cm, id, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: data, Luogo: "Ufficio",
			Presenze: map[uuid.UUID]incontri.PresenzaInput{persona: {Stato: "presente"}}}, registro.Voce{}); err != nil {
			t.Fatalf("incontro %s: %v", data, err)
		}
	}
	entro, p1 := caso("2026-05-01") // term 29/08
	incontro(entro, p1, "2026-06-10")
	oltre, p2 := caso("2026-04-01") // term 30/07
	incontro(oltre, p2, "2026-09-01")
	caso("2026-05-15")               // term 12/09, never met
	futuro, p4 := caso("2026-09-01") // term 30/12: after today, not in the cohort
	incontro(futuro, p4, "2026-09-10")
	caso("2026-01-01") // term 01/05: before the period

	var comune string
	if err := f.pool.QueryRow(ctx, `SELECT denominazione FROM comune WHERE id = $1`, *cm.ComuneID).Scan(&comune); err != nil {
		t.Fatal(err)
	}
	flt := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2026-06-01"), Al: fixtures.Data("2026-12-31"), Oggi: fixtures.Data("2026-10-20")}
	ii, err := f.svc.Indicatori(ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 2 || ii[0].Codice != "primo-incontro-120" || !ii[0].Quota || !ii[0].Nuclei || ii[1].Codice != report.CodiceTempi {
		t.Fatalf("indicatori: %+v", ii)
	}
	if !reflect.DeepEqual(ii[0].Righe, []string{comune}) || !reflect.DeepEqual(ii[0].Valori, [][]int{{1, 1, 1}}) {
		t.Errorf("righe %q valori %v, want [%s] [[1 1 1]]", ii[0].Righe, ii[0].Valori, comune)
	}
	// Up to August only the one met late had its term.
	flt.Al = fixtures.Data("2026-08-15")
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || !reflect.DeepEqual(ii[0].Valori, [][]int{{0, 1, 0}}) {
		t.Errorf("fino al 15/08: %v %v", ii[0].Valori, err)
	}
	// Another comune: no row.
	altro := *cm.ComuneID + 1000
	flt.ComuneID = &altro
	if ii, err = f.svc.Indicatori(ctx, flt); err != nil || len(ii[0].Righe) != 0 {
		t.Errorf("altro comune: %v %v", ii[0].Righe, err)
	}
}

// The days from the first assignment to the first meeting held, for the
// cases whose first meeting (a member present) falls in the period.
func TestIndicatoriTempoPrimoIncontro(t *testing.T) {
	t.Parallel()
	f := setup(t) // today 20/10/2026
	ctx := context.Background()
	cm := f.people["casemanager"]
	fx := fixtures.New(t, f.pool)
	fx.Casi = f.casi
	n := 0
	caso := func(assegnato string) (uuid.UUID, uuid.UUID) {
		t.Helper()
		n++
		c := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Verdi", fmt.Sprint("Anna", n), "F", 1980)}})
		// The first assignment at 23:30 UTC: the next day in Rome.
		if _, err := f.pool.Exec(ctx, `UPDATE caso_assegnazione SET dal = (($2::date - 1) + time '23:30') AT TIME ZONE 'UTC' WHERE caso_id = $1`, c.ID, assegnato); err != nil {
			t.Fatal(err)
		}
		return c.ID, c.Persone[0]
	}
	incontro := func(id, persona uuid.UUID, data, stato string) {
		t.Helper()
		if _, err := f.svc.RegistraIncontro(ctx, cm, id, incontri.NuovoIncontro{Tipo: "primo_incontro", Data: data, Luogo: "Ufficio",
			Presenze: map[uuid.UUID]incontri.PresenzaInput{persona: {Stato: stato}}}, registro.Voce{}); err != nil {
			t.Fatalf("incontro %s: %v", data, err)
		}
	}
	// Five cases assigned on 01/06, met 2, 4, 6, 8, 10 days later; the
	// third is met again later and was reassigned (the first assignment
	// counts).
	var primi []uuid.UUID
	for k, d := range []string{"2026-06-03", "2026-06-05", "2026-06-07", "2026-06-09", "2026-06-11"} {
		id, p := caso("2026-06-01")
		primi = append(primi, id)
		incontro(id, p, d, "presente")
		if k == 2 {
			incontro(id, p, "2026-07-01", "presente")
			if _, err := f.pool.Exec(ctx, `INSERT INTO caso_assegnazione (caso_id, case_manager_id, dal) VALUES ($1, $2, '2026-06-20')`, id, cm.OperatoreID); err != nil {
				t.Fatal(err)
			}
		}
	}
	assente, p := caso("2026-06-01") // nobody present on 05/06, met on 30/06 (29 days)
	incontro(assente, p, "2026-06-05", "assente")
	incontro(assente, p, "2026-06-30", "presente")
	id, p := caso("2026-06-01") // first met in May: before the period
	incontro(id, p, "2026-05-20", "presente")
	id, p = caso("2026-06-10") // met before its assignment: left out
	incontro(id, p, "2026-06-09", "presente")

	flt := report.Filtro{AmbitoID: *cm.AmbitoID, Dal: fixtures.Data("2026-06-01"), Al: fixtures.Data("2026-06-29"), Oggi: fixtures.Data("2026-10-20")}
	tempo := func() []int {
		t.Helper()
		ii, err := f.svc.Indicatori(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		if ii[1].Misura != report.MisuraGiorni || !reflect.DeepEqual(ii[1].Righe, []string{"Primo incontro svolto"}) {
			t.Fatalf("tempi: %+v", ii[1])
		}
		return ii[1].Valori[0]
	}
	if got := tempo(); !reflect.DeepEqual(got, []int{5, 6, 10}) {
		t.Errorf("giugno: %v, want 5 cases, median 6, p90 10", got)
	}
	flt.Al = fixtures.Data("2026-06-30") // the sixth case: 29 days
	if got := tempo(); !reflect.DeepEqual(got, []int{6, 6, 29}) {
		t.Errorf("fino al 30/06: %v, want [6 6 29]", got)
	}
	// Fewer than 5: the page shows "<5" and "<5 casi".
	flt.Dal = fixtures.Data("2026-06-08")
	got := tempo()
	tb := report.NuovaTabella(report.Tempi("Primo incontro svolto", got[0], &got[1], &got[2]))
	if got[0] != 3 || tb.Celle[0][0].Testo() != "<5" || tb.Celle[0][1].Testo() != "<5 casi" {
		t.Errorf("dal 08/06: %v %q", got, tb.Celle[0][1].Testo())
	}
	altro := *cm.ComuneID + 1000
	flt.ComuneID = &altro
	if got := tempo(); !reflect.DeepEqual(got, []int{0, 0, 0}) {
		t.Errorf("altro comune: %v", got)
	}

	// The dataset: the day of the first meeting held.
	if got := f.svc.ColonneDataset(); !reflect.DeepEqual(got, []string{"primo_incontro_il"}) {
		t.Errorf("colonne: %q", got)
	}
	mai, _ := caso("2026-06-01") // never met
	v, err := f.svc.ValoriDataset(ctx, flt, []string{primi[0].String(), assente.String(), mai.String()})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]string{primi[0].String(): {"03/06/2026"}, assente.String(): {"30/06/2026"}}; !reflect.DeepEqual(v, want) {
		t.Errorf("dataset %v, want %v", v, want)
	}
	flt.AmbitoID += 1000
	if v, err := f.svc.ValoriDataset(ctx, flt, []string{primi[0].String()}); err != nil || len(v) != 0 {
		t.Errorf("altro ambito: %v %v", v, err)
	}
}
