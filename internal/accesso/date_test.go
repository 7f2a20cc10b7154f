package accesso_test

import (
	"context"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/registro"
)

// The dates an amministratore types accept gg/mm/aaaa as well as the date
// input's aaaa-mm-gg: the birth date, the start of a role, its end, the day
// of a suspension, and the start of an amministratore di ambito.
func TestDateGgMmAaaa(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	ok := registro.Voce{Esito: registro.Consentito}
	// The role starts a month ago, typed gg/mm/aaaa.
	inizio := time.Now().AddDate(0, -1, 0)
	inizio = time.Date(inizio.Year(), inizio.Month(), inizio.Day(), 0, 0, 0, 0, time.UTC)

	an := anagrafica("Esposito", "Marta", nascita, "F")
	an.DataNascita = "17/05/1988"
	id, err := f.svc.AccreditOperatore(ctx, f.admin, an, accesso.NuovoRuolo{
		Ruolo: string(authz.CaseManager), ComuneID: f.comune(2), Fondo: accesso.Fondi[0], Dal: inizio.Format("02/01/2006")}, ok)
	if err != nil {
		t.Fatalf("gg/mm/aaaa refused: %v", err)
	}
	sc, err := f.svc.SchedaOperatore(ctx, f.admin, id, ok)
	if err != nil {
		t.Fatal(err)
	}
	if d := sc.Operatore.DataNascita; d == nil || !d.Equal(nascita) {
		t.Errorf("birth date saved as %v", d)
	}
	if len(sc.Ruoli) != 1 || !sc.Ruoli[0].Dal.Equal(inizio) {
		t.Fatalf("role saved as %+v", sc.Ruoli)
	}

	ieri := time.Now().AddDate(0, 0, -1).Format("02/01/2006")
	if err := f.svc.EndRuolo(ctx, f.admin, id, sc.Versione, sc.Ruoli[0].ID, ieri, "Trasferita", ok); err != nil {
		t.Fatalf("end of role typed gg/mm/aaaa refused: %v", err)
	}
	sc, _ = f.svc.SchedaOperatore(ctx, f.admin, id, ok)
	if err := f.svc.ChangeStato(ctx, f.admin, id, sc.Versione, accesso.Sospendi, ieri, "Congedo", ok); err != nil {
		t.Fatalf("suspension typed gg/mm/aaaa refused: %v", err)
	}

	p := f.ministero(t)
	amb := f.newAmbito(t, p, "ATS-BO")
	if _, err := f.svc.AccreditAmministratore(ctx, p, amb, anagrafica("Bianchi", "Laura", nascita, "F"), "1/2/2026", ok); err != nil {
		t.Fatalf("amministratore from 1/2/2026 refused: %v", err)
	}
}
