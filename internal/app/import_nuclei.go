package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/importazioni"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/presentazioni"
	"github.com/cartella/cartella/internal/registro"
)

// runImportNuclei imports the nuclei flow (docs/formats/nuclei.md) into an
// ambito: `cartella import nuclei --ambito CODICE FILE`. It prints progress
// on stderr, then the summary and every rejected line with its reason. It
// exits 0 when the import completed, rejected lines or not.
func runImportNuclei(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("import nuclei", flag.ContinueOnError)
	fl.SetOutput(stderr)
	codice := fl.String("ambito", "", "codice dell'ambito che importa (obbligatorio)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 || *codice == "" {
		return errors.New("usage: cartella import nuclei --ambito CODICE FILE")
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella import nuclei`")
	}
	if err := checkSchema(ctx, dsn, getenv); err != nil {
		return err
	}
	f, err := os.Open(fl.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	var ambitoID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM ambito WHERE codice = $1`, *codice).Scan(&ambitoID); err != nil {
		return fmt.Errorf("ambito %q non trovato", *codice)
	}
	reg := registroCLI(pool, getenv)
	cs := casi.NewService(pool, reg)
	collegaScadenze(cs, incontri.NewService(pool, reg, cs), monitoraggio.NewService(pool, reg, cs), presentazioni.NewService(pool, reg, cs),
		analisi.NewService(pool, reg, cs))
	svc := importazioni.NewService(ctx, pool, reg, cs, nil)
	id, err := svc.Nuova(ctx, ambitoID, nil, st.Name(), st.Size())
	if err != nil {
		return err
	}
	done, finito := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finito)
		for {
			select {
			case <-done:
				return
			case <-ctxTick(ctx):
				if imp, err := svc.Get(ctx, ambitoID, id); err == nil {
					fmt.Fprintf(stderr, "\rimportazione %d: %d%% (%d righe)", id, imp.Percentuale(), imp.Righe)
				}
			}
		}
	}()
	imp, err := svc.Esegui(ctx, id, f, registro.Voce{Indirizzo: "riga di comando", AmbitoID: &ambitoID})
	close(done)
	<-finito // the progress line is written by that goroutine only
	fmt.Fprintln(stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "importazione %d: %d righe, %d nuclei inseriti, %d aggiornati, %d invariati, %d righe scartate\n",
		imp.ID, imp.Righe, imp.Inseriti, imp.Aggiornati, imp.Invariati, imp.Scartati)
	return svc.OgniScarto(ctx, id, func(s importazioni.Scarto) error {
		_, err := fmt.Fprintf(stdout, "riga %d (%s): %s\n", s.Riga, s.IDDomanda, s.Motivo)
		return err
	})
}

// ctxTick fires after a second, or never once ctx is done.
func ctxTick(ctx context.Context) <-chan time.Time {
	if ctx.Err() != nil {
		return nil
	}
	return time.After(time.Second)
}
