package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/analisi"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/controlli"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/presentazioni"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
	"github.com/jackc/pgx/v5/pgxpool"
)

// runImport dispatches `cartella import comuni|nuclei|sostegni …`.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		return errors.New("usage: cartella import comuni [FILE] | cartella import nuclei [--ambito CODICE] FILE | cartella import sostegni FILE [--prova] | cartella import controlli FILE | cartella import cpi FILE | cartella import prestazioni FILE")
	}
	switch args[0] {
	case "comuni":
		return runImportComuni(ctx, args[1:], getenv, stdout)
	case "nuclei":
		return runImportNuclei(ctx, args[1:], getenv, stdout, stderr)
	case "sostegni":
		return runImportSostegni(ctx, args[1:], getenv, stdout)
	case "controlli":
		return runImportControlli(ctx, args[1:], getenv, stdout)
	case "cpi":
		return runImportCPI(ctx, args[1:], getenv, stdout)
	case "prestazioni":
		return runImportPrestazioni(ctx, args[1:], getenv, stdout)
	}
	return fmt.Errorf("unknown import %q: use comuni, nuclei, sostegni, controlli, cpi or prestazioni", args[0])
}

// runImportComuni loads the ISTAT list of comuni (the CSV ISTAT publishes:
// "Elenco-comuni-italiani.csv"; without a file, the one shipped with the
// binary). Every rejected line is printed with its
// reason; the good ones are inserted or updated, and importing the same list
// again changes nothing. The import is recorded in the registro.
func runImportComuni(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 {
		return errors.New("usage: cartella import comuni [FILE]")
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella import comuni`")
	}
	var (
		comuni []accesso.Comune
		scarti []accesso.RigaScartata
	)
	if len(args) == 0 {
		// Without a file: the list shipped with the binary
		// (docs/formats/luoghi.md).
		l, err := accesso.CaricaLuoghi()
		if err != nil {
			return err
		}
		comuni = l.Comuni()
	} else {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		if comuni, scarti, err = accesso.ParseComuniISTAT(f); err != nil {
			return err
		}
	}
	for _, s := range scarti {
		fmt.Fprintf(stdout, "riga %d scartata: %s\n", s.Riga, s.Motivo)
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := checkSchema(ctx, dsn, getenv); err != nil {
		return err
	}
	res, err := accesso.NewService(pool).ImportComuni(ctx, comuni)
	if err != nil {
		return err
	}
	det := fmt.Sprintf("comuni ISTAT: %d inseriti, %d aggiornati, %d invariati, %d righe scartate",
		res.Inseriti, res.Aggiornati, res.Invariati, len(scarti))
	if err := registroCLI(pool, getenv).Record(ctx, registro.Voce{
		Azione: registro.Scrittura, OggettoTipo: "comuni", Dettaglio: det, Esito: registro.Consentito, Indirizzo: "riga di comando",
	}); err != nil {
		return err
	}
	fmt.Fprintln(stdout, det)
	return nil
}

// runImportSostegni loads the catalogue of sostegni of the patto
// (patto_sostegno_tipo) from a CSV file (docs/formats/sostegni.md): the
// official nomenclatore codes, new voci, changed labels. It prints what
// happens to each codice and every rejected line with its reason; if any
// line is rejected nothing is loaded. With --prova it only prints what
// would happen. A load is recorded in the registro.
func runImportSostegni(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	const uso = "usage: cartella import sostegni FILE [--prova]"
	var (
		file  string
		prova bool
	)
	// --prova may come after FILE, where package flag stops reading.
	for _, a := range args {
		switch {
		case a == "--prova" || a == "-prova":
			prova = true
		case strings.HasPrefix(a, "-") || file != "":
			return errors.New(uso)
		default:
			file = a
		}
	}
	if file == "" {
		return errors.New(uso)
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is required by `cartella import sostegni`")
	}
	if err := checkSchema(ctx, dsn, getenv); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	cat, err := patto.ParseCatalogo(f)
	if err != nil {
		return err
	}
	pool, err := database.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer pool.Close()
	var res patto.RisultatoCatalogo
	if prova {
		res, err = patto.ProvaCatalogo(ctx, pool, cat, time.Now())
	} else {
		res, err = patto.ImportaCatalogo(ctx, pool, registroCLI(pool, getenv), cat, time.Now(),
			registro.Voce{Indirizzo: "riga di comando"})
	}
	if err != nil && !errors.Is(err, patto.ErrRigheScartate) {
		return err
	}
	// A real import that failed wrote nothing: its plan is not printed, so
	// that no line reads as done.
	if prova || err == nil {
		for _, v := range res.Voci {
			fmt.Fprintln(stdout, v)
		}
	}
	for _, s := range res.Scartate {
		fmt.Fprintf(stdout, "riga %d scartata: %s\n", s.Riga, s.Motivo)
	}
	scartate := fmt.Sprintf("%d righe scartate", len(res.Scartate))
	if len(res.Scartate) == 1 {
		scartate = "1 riga scartata"
	}
	switch {
	case err != nil && prova:
		return fmt.Errorf("%s: il file non sarebbe caricato", scartate)
	case err != nil:
		return fmt.Errorf("%s: nessuna voce del catalogo dei sostegni è stata caricata", scartate)
	case prova:
		fmt.Fprintln(stdout, res.Riepilogo()+" (prova: nulla è stato scritto)")
	default:
		fmt.Fprintln(stdout, res.Riepilogo())
	}
	return nil
}

// runImportPrestazioni loads the catalogue of INPS prestazioni
// (prestazione_catalogo) from a CSV file (docs/formats/prestazioni.md): all
// or nothing, every rejected line printed with its reason; loading the same
// file again changes nothing. The load is recorded in the registro.
func runImportPrestazioni(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	f, pool, chiudi, err := apriImportFile(ctx, "prestazioni", args, getenv)
	if err != nil {
		return err
	}
	defer chiudi()
	cat, err := prestazioni.ParseCatalogo(f)
	if err != nil {
		return err
	}
	res, err := prestazioni.ImportaCatalogo(ctx, pool, registroCLI(pool, getenv), cat, registro.Voce{Indirizzo: "riga di comando"})
	for _, s := range res.Scartate {
		fmt.Fprintf(stdout, "riga %d scartata: %s\n", s.Riga, s.Motivo)
	}
	switch {
	case errors.Is(err, prestazioni.ErrRigheScartate) && len(res.Scartate) == 1:
		return errors.New("1 riga scartata: nessuna prestazione del catalogo è stata caricata")
	case errors.Is(err, prestazioni.ErrRigheScartate):
		return fmt.Errorf("%d righe scartate: nessuna prestazione del catalogo è stata caricata", len(res.Scartate))
	case err != nil:
		return err
	}
	fmt.Fprintln(stdout, res.Riepilogo())
	return nil
}

// runImportControlli imports INPS's requests of verification
// (docs/formats/controlli.md) for any comune of the installation:
// `cartella import controlli FILE`. It prints the summary and every
// rejected line with its number and reasons; it exits 0 when the file was
// read whole, rejected lines or not. Importing the same file again changes
// nothing.
func runImportControlli(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	f, pool, chiudi, err := apriImportFile(ctx, "controlli", args, getenv)
	if err != nil {
		return err
	}
	defer chiudi()
	reg := registroCLI(pool, getenv)
	cs := casi.NewService(pool, reg)
	svc := controlli.NewService(pool, reg, cs, segnalazioni.NewService(pool, reg, cs))
	imp, err := svc.Importa(ctx, nil, filepath.Base(args[0]), f, registro.Voce{Indirizzo: "riga di comando"})
	if imp.ID != 0 {
		fmt.Fprintf(stdout, "importazione %d: %s\n", imp.ID, imp.Riepilogo())
		for _, s := range imp.Scarti {
			id := ""
			if s.IDRichiesta != "" {
				id = " (" + s.IDRichiesta + ")"
			}
			fmt.Fprintf(stdout, "riga %d%s: %s\n", s.Riga, id, s.Motivo())
		}
	}
	return err
}

// runImportCPI records the CPI's convocations of the members sent there,
// with their outcome (docs/formats/cpi.md): `cartella import cpi FILE`. It
// prints the summary and every rejected line with its number and reason;
// importing the same file again changes nothing.
func runImportCPI(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	f, pool, chiudi, err := apriImportFile(ctx, "cpi", args, getenv)
	if err != nil {
		return err
	}
	defer chiudi()
	reg := registroCLI(pool, getenv)
	cs := casi.NewService(pool, reg)
	ps := presentazioni.NewService(pool, reg, cs)
	collegaScadenze(cs, incontri.NewService(pool, reg, cs), monitoraggio.NewService(pool, reg, cs), ps, analisi.NewService(pool, reg, cs))
	e, err := ps.ImportaCPI(ctx, f, registro.Voce{Indirizzo: "riga di comando"})
	fmt.Fprintln(stdout, e.Riepilogo())
	for _, s := range e.Scarti {
		fmt.Fprintf(stdout, "riga %d: %s\n", s.Riga, s.Motivo)
	}
	return err
}

// apriImportFile checks the arguments of `cartella import <cosa> FILE`, the
// database and its schema, and opens the file and a pool; chiudi closes both.
func apriImportFile(ctx context.Context, cosa string, args []string, getenv func(string) string) (f *os.File, pool *pgxpool.Pool, chiudi func(), err error) {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return nil, nil, nil, fmt.Errorf("usage: cartella import %s FILE", cosa)
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return nil, nil, nil, fmt.Errorf("DATABASE_URL is required by `cartella import %s`", cosa)
	}
	if err := checkSchema(ctx, dsn, getenv); err != nil {
		return nil, nil, nil, err
	}
	if f, err = os.Open(args[0]); err != nil {
		return nil, nil, nil, err
	}
	if pool, err = database.Open(ctx, dsn); err != nil {
		f.Close()
		return nil, nil, nil, err
	}
	return f, pool, func() { pool.Close(); f.Close() }, nil
}
