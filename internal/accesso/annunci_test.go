package accesso_test

import (
	"context"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
)

// A change of accreditation is announced on CanaleAccreditamenti to every
// listener (the other instances); a listener whose connection is cut
// connects again, reloads once for what it may have missed, and hears the
// next announcement.
func TestAscoltaAnnunciERiconnessione(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := dbtest.New(t)
	svc := accesso.NewService(pool)
	ps, err := demo.Principals(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	admin := ps["amministratore"]
	comuni, err := svc.ComuniAmbito(ctx, admin)
	if err != nil || len(comuni) == 0 {
		t.Fatalf("comuni: %v, %v", comuni, err)
	}
	segnali, errori := make(chan struct{}, 16), make(chan error, 16)
	go svc.Ascolta(ctx, 50*time.Millisecond, func(context.Context) { segnali <- struct{}{} }, func(err error) { errori <- err })
	attendi := func(cosa string) {
		t.Helper()
		select {
		case <-segnali:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no reload in 5 s", cosa)
		}
	}
	accredita := func(nome string) {
		t.Helper()
		a := demo.Account{Nome: nome, Cognome: "Annunciata", Genere: "F", Nascita: time.Date(1988, 2, 3, 0, 0, 0, 0, time.UTC)}
		if _, err := svc.Accredit(ctx, accesso.Operatore{CodiceFiscale: a.CodiceFiscale(), Nome: nome, Cognome: a.Cognome, Genere: "F",
			ComuneNascita: "Bologna", DataNascita: &a.Nascita, Email: "annunci@ambito-demo.example", Telefono: "051 000 0000", AmbitoID: admin.AmbitoID},
			[]accesso.Assegnazione{{Ruolo: authz.CaseManager, AmbitoID: admin.AmbitoID, ComuneID: &comuni[0].ID, Fondo: "Fondo Povertà"}}); err != nil {
			t.Fatal(err)
		}
	}
	attendi("listening")
	accredita("Prima")
	attendi("first accreditation")

	// The listening connection is cut (a restart of PostgreSQL, a proxy).
	var n int
	if err := dbtest.Proprietario(t, pool).QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN '||$1::text`, accesso.CanaleAccreditamenti).Scan(&n); err != nil || n != 1 {
		t.Fatalf("listening connections cut: %d, %v", n, err)
	}
	select {
	case <-errori:
	case <-time.After(5 * time.Second):
		t.Fatal("the cut connection was not reported")
	}
	attendi("reconnected")
	accredita("Seconda")
	attendi("accreditation after the reconnection")
}
