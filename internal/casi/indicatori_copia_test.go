package casi_test

import (
	"context"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/registro"
)

// caso_indicatori, the indicators' narrow copy of the cases (migration
// 000030), stays the same as caso joined to domanda through every write:
// cases opened by the bulk path, closed, reopened, transferred, moved to
// another state by a module, a domanda's measure and PAD changed by the
// import, many cases updated at once, a case deleted.
func TestCopiaIndicatoriAllineata(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	fx := fixtures.New(t, pool)
	ps := fx.Demo()
	cm, coord := ps["casemanager"], ps["coordinatore"]
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, calendario.Roma)
	fx.Casi.SetClock(func() time.Time { return now })
	allineata := func(quando string) {
		t.Helper()
		var diversi, copie, casiN int
		if err := pool.QueryRow(ctx, `
			WITH atteso AS (
				SELECT c.id, c.ambito_id, c.comune_id, c.stato, d.misura, c.aperto_il, c.chiuso_il, c.motivo_chiusura, d.data_pad
				FROM caso c JOIN domanda d ON d.id = c.domanda_id),
			copia AS (
				SELECT caso_id, ambito_id, comune_id, stato, misura, aperto_il, chiuso_il, motivo_chiusura, data_pad FROM caso_indicatori)
			SELECT (SELECT count(*) FROM ((SELECT * FROM atteso EXCEPT SELECT * FROM copia) UNION ALL (SELECT * FROM copia EXCEPT SELECT * FROM atteso)) x),
			       (SELECT count(*) FROM caso_indicatori), (SELECT count(*) FROM caso)`).Scan(&diversi, &copie, &casiN); err != nil {
			t.Fatal(err)
		}
		if diversi != 0 || copie != casiN {
			t.Fatalf("%s: %d righe diverse, %d copie di %d casi", quando, diversi, copie, casiN)
		}
	}

	a := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Bianchi", "Anna", "F", 1980)}})
	b := fx.Caso(fixtures.NuovoCaso{Misura: casi.SFL, AmbitoID: *cm.AmbitoID, ComuneID: *cm.ComuneID, Membri: []fixtures.Membro{fixtures.Adulto("Verdi", "Bruno", "M", 1975)}})
	c := fx.Caso(fixtures.NuovoCaso{CaseManager: cm, Membri: []fixtures.Membro{fixtures.Adulto("Neri", "Carla", "F", 1990)}})
	allineata("aperti")

	now = time.Date(2026, 6, 20, 9, 0, 0, 0, calendario.Roma)
	ca, err := fx.Casi.Caso(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fe, err := fx.Casi.Chiudi(ctx, cm, a.ID, casi.Chiusura{Motivo: "Rinuncia", Data: "2026-06-15", Versione: ca.Versione}, registro.Voce{}); err != nil || fe != nil {
		t.Fatalf("chiudi: %v %v", fe, err)
	}
	allineata("chiuso")
	if ca, err = fx.Casi.Caso(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if fe, err := fx.Casi.Riapri(ctx, cm, a.ID, casi.Riapertura{Motivo: "Ripensamento", Versione: ca.Versione}, registro.Voce{}); err != nil || fe != nil {
		t.Fatalf("riapri: %v %v", fe, err)
	}
	allineata("riaperto")

	var altro int64
	if err := pool.QueryRow(ctx, `SELECT id FROM comune WHERE ambito_id = $1 AND id <> $2 ORDER BY id LIMIT 1`, *cm.AmbitoID, *cm.ComuneID).Scan(&altro); err != nil {
		t.Fatal(err)
	}
	cb, err := fx.Casi.Caso(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.Casi.Trasferisci(ctx, coord, casi.Trasferimento{CasoID: b.ID, Versione: cb.Versione, ComuneID: altro, AmbitoID: *cm.AmbitoID,
		Da: "da", A: "a", Motivo: "Cambio di residenza"}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	allineata("trasferito")

	// A module moves the case's state as incontri, analisi, patto do; a
	// write that touches neither state nor dates leaves the copy alone.
	if _, err := pool.Exec(ctx, `UPDATE caso SET stato = 'in_valutazione', versione = versione + 1 WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE caso SET versione = versione + 1, urgenza = current_date WHERE id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	allineata("stato cambiato")

	// The import changes a domanda's measure and PAD.
	if _, err := pool.Exec(ctx, `UPDATE domanda SET misura = 'SFL', data_pad = data_pad + 3 FROM caso c WHERE c.domanda_id = domanda.id AND c.id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	allineata("domanda cambiata")

	// Many cases at once, as the performance test spreads them.
	if _, err := pool.Exec(ctx, `UPDATE caso SET aperto_il = aperto_il - (numero % 7)::int`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE caso SET stato_prima_chiusura = stato, stato = 'chiuso', chiuso_il = aperto_il + 30, motivo_chiusura = 'Decadenza' WHERE stato <> 'chiuso' AND numero % 2 = 0`); err != nil {
		t.Fatal(err)
	}
	allineata("aggiornati insieme")

	d := fx.Caso(fixtures.NuovoCaso{AmbitoID: *cm.AmbitoID, ComuneID: *cm.ComuneID, Membri: []fixtures.Membro{fixtures.Adulto("Gialli", "Dario", "M", 1970)}})
	allineata("un altro")
	if _, err := pool.Exec(ctx, `DELETE FROM caso WHERE id = $1`, d.ID); err != nil {
		t.Fatal(err)
	}
	allineata("cancellato")
}
