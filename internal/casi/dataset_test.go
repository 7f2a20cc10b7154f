package casi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// The base of the pseudonymised dataset, through a real export: its
// columns and values, the cases of the period only, no name, codice
// fiscale or case number anywhere in the file, a pseudonymous id stable
// across exports and different in another ambito.
func TestDatasetCasi(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	people := fx.Demo()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, calendario.Roma)
	fx.Casi.SetClock(func() time.Time { return now })
	cm := people["casemanager"]
	a := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Bianchi", "Anna", "F", 1980),
		fixtures.Minore("Bianchi", "Luca", "M", 2015)}})
	b := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Misura: casi.SFL, Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Bruno", "M", 1955)}})
	now = time.Date(2026, 6, 20, 9, 0, 0, 0, calendario.Roma)
	c, err := fx.Casi.Caso(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fe, err := fx.Casi.Chiudi(ctx, cm, a.ID, casi.Chiusura{Motivo: "Rinuncia", Data: "2026-06-15", Versione: c.Versione}, registro.Voce{}); err != nil || fe != nil {
		t.Fatalf("chiudi: %v %v", fe, err)
	}
	// Another ambito, its own case and operatore ATS.
	altro, comuni := fx.Ambito("ATS-ALTRO", "Ambito altro", accesso.Comune{CodiceISTAT: "099001", CodiceCatastale: "Z901", Denominazione: "Altrove"})
	cm2 := fx.CaseManager(altro.ID, comuni[0].ID, "Carla", "Altri")
	fx.Caso(fixtures.NuovoCaso{CaseManager: cm2, Membri: []fixtures.Membro{fixtures.Adulto("Neri", "Nadia", "F", 1999)}})
	ats2 := fx.Operatore("Olga", "Altra", accesso.Assegnazione{Ruolo: authz.OperatoreATS, AmbitoID: &altro.ID})

	comuniDi := func(ctx context.Context, ambito int64) ([]report.Comune, error) { return nil, nil }
	esp := report.NewEsportatore(pool, fx.Registro, report.NewService(comuniDi), fx.Casi, nil, nil)
	esporta := func(p authz.Principal, dal, al string) [][]string {
		t.Helper()
		id, err := esp.Richiedi(ctx, p, report.RichiestaEsportazione{Richiesta: report.Richiesta{Dal: dal, Al: al}, Tipo: report.Dataset, Formato: report.CSV}, registro.Voce{Indirizzo: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := esp.EseguiUna(ctx); !ok || err != nil {
			t.Fatalf("esegui: %v %v", ok, err)
		}
		var buf bytes.Buffer
		if err := esp.Scarica(ctx, p, id, registro.Voce{Indirizzo: "test"}, func(report.Esportazione) io.Writer { return &buf }); err != nil {
			t.Fatal(err)
		}
		for _, vietato := range []string{"Bianchi", "Anna", "Verdi", "Neri", a.ID.String(), b.ID.String(), cm.Nome, cm.Cognome, "Via "} {
			if vietato != "" && strings.Contains(buf.String(), vietato) {
				t.Errorf("the dataset contains %q", vietato)
			}
		}
		for _, cf := range []string{"BNCNNA80", "VRDBRN55"} {
			if strings.Contains(buf.String(), cf) {
				t.Errorf("the dataset contains a codice fiscale %q", cf)
			}
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
		r.Comma = ';'
		rr, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rr
	}
	ats := people["operatoreats"]
	rr := esporta(ats, "2026-01-01", "2026-06-30")
	want := "id_pseudonimo;comune;fascia_eta;sesso;misura;stato;aperto_il;assegnato_il;chiuso_il;motivo_chiusura"
	if strings.Join(rr[0], ";") != want || len(rr) != 3 {
		t.Fatalf("dataset %q", rr)
	}
	per := map[string][]string{}
	for _, r := range rr[1:] {
		if len(r[0]) < 16 {
			t.Errorf("pseudonym %q too short", r[0])
		}
		per[r[4]] = r
	}
	adi, sfl := per["ADI"], per["SFL"]
	if adi == nil || sfl == nil {
		t.Fatalf("dataset %q", rr)
	}
	if got := strings.Join(adi[2:], ";"); got != "30-49;F;ADI;chiuso;10/03/2026;10/03/2026;15/06/2026;Rinuncia" {
		t.Errorf("ADI row %q", got)
	}
	if got := strings.Join(sfl[2:], ";"); got != "65+;M;SFL;assegnato;10/03/2026;10/03/2026;;" {
		t.Errorf("SFL row %q", got)
	}
	// A second export: the same pseudonyms. A period after the closing:
	// only the open case.
	rr2 := esporta(ats, "2026-06-16", "2026-06-30")
	if len(rr2) != 2 || rr2[1][0] != sfl[0] {
		t.Errorf("second export %q, want the SFL case as %s", rr2, sfl[0])
	}
	// The other ambito: its own case only, under its own key.
	rr3 := esporta(ats2, "2026-01-01", "2026-06-30")
	if len(rr3) != 2 || rr3[1][1] != "Altrove" || rr3[1][0] == adi[0] || rr3[1][0] == sfl[0] {
		t.Errorf("other ambito %q", rr3)
	}
	var chiavi int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT chiave) FROM esportazione_chiave`).Scan(&chiavi); err != nil || chiavi != 2 {
		t.Errorf("%d keys, want one per ambito: %v", chiavi, err)
	}
	if report.Pseudonimo([]byte("k1"), a.ID.String()) == report.Pseudonimo([]byte("k2"), a.ID.String()) {
		t.Error("the pseudonym does not depend on the key")
	}
}
