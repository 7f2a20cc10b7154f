package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// runSistema accredits an amministratore di sistema from the command line:
// the first operator of an empty installation, who then creates the ambiti
// and their amministratori in the application. Whoever runs it already
// holds the database credentials; the accreditation is recorded in the
// registro as done from the command line.
func runSistema(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const use = "usage: cartella amministratore-sistema CODICE_FISCALE NOME COGNOME"
	if len(args) != 3 {
		return errors.New(use)
	}
	cf := codicefiscale.Normalize(args[0])
	if err := codicefiscale.Validate(cf); err != nil {
		return fmt.Errorf("codice fiscale %s non valido: %w", cf, err)
	}
	nome, cognome := strings.TrimSpace(args[1]), strings.TrimSpace(args[2])
	if nome == "" || cognome == "" {
		return errors.New(use)
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella amministratore-sistema`")
	}
	if err := checkSchema(ctx, dsn, getenv); err != nil {
		return err
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	acc := accesso.NewService(pool)
	if _, err := acc.ActiveByCF(ctx, cf); err == nil {
		return fmt.Errorf("il codice fiscale %s è già accreditato: nessuna modifica", cf)
	} else if !errors.Is(err, accesso.ErrNotAccredited) {
		return err
	}
	op, err := acc.Accredit(ctx, accesso.Operatore{CodiceFiscale: cf, Nome: nome, Cognome: cognome},
		[]accesso.Assegnazione{{Ruolo: authz.AmministratoreSistema}})
	if err != nil {
		return err
	}
	id := op.ID
	if err := registroCLI(pool, getenv).Record(ctx, registro.Voce{
		Azione: registro.Scrittura, OggettoTipo: "operatore", OggettoID: id.String(), OperatoreID: &id,
		Dettaglio: "accreditato come amministratore di sistema dalla riga di comando", Esito: registro.Consentito,
		Indirizzo: "riga di comando",
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s %s accreditato come amministratore di sistema: può accedere e creare gli ambiti (/admin/ambiti)\n", nome, cognome)
	return nil
}
