package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// runImport dispatches `cartella import comuni|nuclei …`.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		return errors.New("usage: cartella import comuni FILE | cartella import nuclei [--ambito CODICE] FILE")
	}
	switch args[0] {
	case "comuni":
		return runImportComuni(ctx, args[1:], getenv, stdout)
	case "nuclei":
		return runImportNuclei(ctx, args[1:], getenv, stdout, stderr)
	}
	return fmt.Errorf("unknown import %q: use comuni or nuclei", args[0])
}

// runImportComuni loads the ISTAT list of comuni (the CSV ISTAT publishes:
// "Elenco-comuni-italiani.csv"). Every rejected line is printed with its
// reason; the good ones are inserted or updated, and importing the same list
// again changes nothing. The import is recorded in the registro.
func runImportComuni(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: cartella import comuni FILE")
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella import comuni`")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	comuni, scarti, err := accesso.ParseComuniISTAT(f)
	if err != nil {
		return err
	}
	for _, s := range scarti {
		fmt.Fprintf(stdout, "riga %d scartata: %s\n", s.Riga, s.Motivo)
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := checkSchema(dsn); err != nil {
		return err
	}
	res, err := accesso.NewService(pool).ImportComuni(ctx, comuni)
	if err != nil {
		return err
	}
	det := fmt.Sprintf("comuni ISTAT: %d inseriti, %d aggiornati, %d invariati, %d righe scartate",
		res.Inseriti, res.Aggiornati, res.Invariati, len(scarti))
	if err := registro.NewService(pool).Record(ctx, registro.Voce{
		Azione: registro.Scrittura, OggettoTipo: "comuni", Dettaglio: det, Esito: registro.Consentito, Indirizzo: "riga di comando",
	}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, det)
	return nil
}
