package patto_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The patto's indicators and dataset columns on real data, the period
// April–June 2026: the first signatures and the revisions, the patti in
// force on 30/06 and those ending by 29/08, the sostegni started in the
// period, the days from assignment to the first signature.
func TestIndicatoriEDatasetPatto(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	ps := fx.Demo()
	svc := patto.NewService(pool, registro.NewService(pool, registro.ChiaveDiProva()), fx.Casi, nil, nil)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	caso := func(cm string) uuid.UUID {
		t.Helper()
		n++
		c := fx.Caso(fixtures.NuovoCaso{CaseManager: ps[cm], Membri: []fixtures.Membro{fixtures.Adulto("Neri", fmt.Sprint("Ada", n), "F", 1980)}})
		exec(`UPDATE caso_assegnazione SET dal = '2026-04-01 10:00+02' WHERE caso_id = $1`, c.ID)
		return c.ID
	}
	type sostegno struct {
		ID   string `json:"id"`
		Tipo string `json:"tipo"`
	}
	versione := func(id uuid.UUID, v int, firmato, dal, al string, ss ...sostegno) {
		t.Helper()
		cont, err := json.Marshal(map[string]any{"dal": dal, "al": al, "sostegni": ss, "note": "testo libero",
			"sottoscrizione": map[string]any{"data": firmato, "modalita": "fea", "firmatari": []any{}}})
		if err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO scheda (caso_id, tipo, versione, stato, contenuto, finalizzata_il) VALUES ($1, 'patto', $2, 'definitiva', $3, now())`, id, v, cont)
	}
	attuazione := func(id uuid.UUID, s sostegno, stato string, avvio any) {
		t.Helper()
		motivo := ""
		if stato == "non_attivato" {
			motivo = "rinuncia"
		}
		fine := any(nil)
		if stato == "concluso" {
			fine = "2026-05-20"
		}
		exec(`INSERT INTO patto_sostegno_attuazione (caso_id, sostegno_id, stato, motivo, avvio_effettivo, fine_effettiva) VALUES ($1, $2, $3, $4, $5, $6)`,
			id, s.ID, stato, motivo, avvio, fine)
	}
	s := func(tipo string) sostegno { return sostegno{uuid.NewString(), tipo} }

	// Casalecchio di Reno.
	c1 := caso("casemanager") // signed in March, revised in May: ends 15/08
	a, b := s("socio_educativo"), s("tirocinio_inclusione")
	versione(c1, 1, "2026-03-10", "2026-03-10", "2026-12-31", a)
	versione(c1, 2, "2026-05-10", "2026-05-10", "2026-08-15", a, b)
	attuazione(c1, a, "attivato", "2026-05-15")
	attuazione(c1, b, "in_corso", "2026-03-20") // started before the period
	c2 := caso("casemanager")                   // 14 days
	cc, d, e := s("socio_educativo"), s("politiche_lavoro"), s("genitorialita")
	versione(c2, 1, "2026-04-15", "2026-04-15", "2027-04-14", cc, d, e)
	attuazione(c2, cc, "concluso", "2026-04-20")
	attuazione(c2, d, "non_attivato", nil)
	attuazione(c2, e, "proposto", nil)
	c3 := caso("casemanager") // 30 days; ended 15/06
	versione(c3, 1, "2026-05-01", "2026-05-01", "2026-06-15")
	c4 := caso("casemanager") // 61 days; the case closed 20/06
	versione(c4, 1, "2026-06-01", "2026-06-01", "2027-06-01")
	exec(`UPDATE caso SET stato = 'chiuso', chiuso_il = '2026-06-20', motivo_chiusura = 'Rinuncia' WHERE id = $1`, c4)
	c5 := caso("casemanager") // signed after the period
	versione(c5, 1, "2026-07-05", "2026-07-05", "2027-07-04", s("altro"))
	// Zola Predosa: 19 days, ends 31/07.
	c6 := caso("casemanager2")
	f6 := s("tirocinio_inclusione")
	versione(c6, 1, "2026-04-20", "2026-04-20", "2026-07-31", f6)
	attuazione(c6, f6, "attivato", "2026-06-01")
	caso("casemanager") // no patto

	f := report.Filtro{AmbitoID: *ps["casemanager"].AmbitoID, Dal: fixtures.Data("2026-04-01"), Al: fixtures.Data("2026-06-30"), Oggi: fixtures.Data("2026-07-10")}
	ii, err := svc.Indicatori(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(ii) != 3 || ii[0].Codice != report.CodiceTempi || ii[1].Codice != "patti" || ii[2].Codice != "sostegni-attivati" {
		t.Fatalf("indicatori: %+v", ii)
	}
	controlla := func(i report.Indicatore, righe []string, valori [][]int) {
		t.Helper()
		if !reflect.DeepEqual(i.Righe, righe) || !reflect.DeepEqual(i.Valori, valori) {
			t.Errorf("%s: %q %v, want %q %v", i.Codice, i.Righe, i.Valori, righe, valori)
		}
	}
	controlla(ii[0], []string{"Patto sottoscritto"}, [][]int{{4, 19, 61}})
	controlla(ii[1], []string{"Casalecchio di Reno", "Zola Predosa"}, [][]int{{3, 1, 2, 1}, {1, 0, 1, 1}})
	controlla(ii[2], []string{"Sostegno socio-educativo domiciliare o territoriale (socio_educativo)",
		"Tirocinio finalizzato all'inclusione sociale, all'autonomia e alla riabilitazione (tirocinio_inclusione)"}, [][]int{{2}, {1}})
	// On the page: every count under 5, the four patti's days hidden.
	if tb := report.NuovaTabella(ii[0]); tb.Celle[0][0].Testo() != "<5" || tb.Celle[0][2].Testo() != "<5 casi" {
		t.Errorf("tempi: %q", tb.Celle[0][2].Testo())
	}
	if tb := report.NuovaTabella(ii[1]); tb.Celle[0][0].Testo() != "<5" || tb.Celle[1][1].Testo() != "0" {
		t.Errorf("patti: %+v", tb.Celle)
	}
	// One comune.
	zola := *ps["casemanager2"].ComuneID
	f.ComuneID = &zola
	if ii, err = svc.Indicatori(ctx, f); err != nil {
		t.Fatal(err)
	}
	controlla(ii[1], []string{"Zola Predosa"}, [][]int{{1, 0, 1, 1}})
	controlla(ii[2], []string{"Tirocinio finalizzato all'inclusione sociale, all'autonomia e alla riabilitazione (tirocinio_inclusione)"}, [][]int{{1}})
	f.ComuneID = nil

	// The dataset.
	if got := svc.ColonneDataset(); !reflect.DeepEqual(got, []string{"patto_sottoscritto_il", "patto_fine", "patto_sostegni"}) {
		t.Errorf("colonne: %q", got)
	}
	v, err := svc.ValoriDataset(ctx, f, []string{c1.String(), c3.String(), c6.String(), uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		c1.String(): {"10/03/2026", "15/08/2026", "socio_educativo|tirocinio_inclusione"},
		c3.String(): {"01/05/2026", "15/06/2026", ""},
		c6.String(): {"20/04/2026", "31/07/2026", "tirocinio_inclusione"},
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("dataset %v, want %v", v, want)
	}
}
