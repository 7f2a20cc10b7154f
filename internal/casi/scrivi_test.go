package casi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/registro"
)

// ScriviContenuto is how every module writes a case's content: the
// assigned case manager writes and the write is in the registro with the
// oggetto the module names; another case manager is refused, and the
// refusal is recorded; a closed case is read-only, with the module's error;
// a failed write leaves neither the change nor a registro row.
func TestScriviContenuto(t *testing.T) {
	t.Parallel()
	f := elencoSetup(t)
	ctx := context.Background()
	id := f.caso(t, 1, "Bianchi", "Laura", casalecchio, "casemanager", f.now.AddDate(0, 0, -30))
	errModulo := errors.New("modulo: il caso è chiuso")
	conta := func(sql string) int {
		t.Helper()
		var n int
		if err := f.pool.QueryRow(ctx, sql, id.String()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	scrivi := func(username, nota string, fallisce bool) error {
		v := registro.Voce{OggettoTipo: "prova"}
		return f.svc.ScriviContenuto(ctx, f.people[username], id, v, errModulo, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
			if _, err := tx.Exec(ctx, `UPDATE caso SET motivo_chiusura = 'scritto dal modulo' WHERE id = $1`, c.ID); err != nil {
				return err
			}
			if fallisce {
				return errors.New("il modulo rifiuta")
			}
			w.OggettoID, w.Dettaglio = "oggetto-1", nota
			return nil
		})
	}

	if err := scrivi("casemanager", "prima scrittura", true); err == nil || conta(`SELECT count(*) FROM caso WHERE id = $1 AND motivo_chiusura = 'scritto dal modulo'`) != 0 ||
		conta(`SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'prova'`) != 0 {
		t.Fatalf("a failed write left traces (err %v)", err)
	}
	if err := scrivi("casemanager", "prima scrittura", false); err != nil {
		t.Fatal(err)
	}
	if conta(`SELECT count(*) FROM caso WHERE id = $1 AND motivo_chiusura = 'scritto dal modulo'`) != 1 ||
		conta(`SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'scrittura' AND oggetto_tipo = 'prova'
			AND oggetto_id = 'oggetto-1' AND dettaglio = 'prima scrittura'`) != 1 {
		t.Error("the write or its registro row is missing")
	}
	if err := scrivi("casemanager2", "", false); !errors.Is(err, casi.ErrNotFound) {
		t.Errorf("casemanager2: %v, want ErrNotFound", err)
	}
	if conta(`SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'accesso_negato' AND oggetto_tipo = 'prova'`) != 1 {
		t.Error("the refusal is not recorded")
	}
	if _, err := f.pool.Exec(ctx, `UPDATE caso SET stato = 'chiuso', chiuso_il = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := scrivi("casemanager", "dopo la chiusura", false); !errors.Is(err, errModulo) {
		t.Errorf("closed case: %v, want the module's error", err)
	}
}
