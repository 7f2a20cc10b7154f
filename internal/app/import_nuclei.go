package app

import (
	"context"
	"errors"
	"io"
)

// runImportNuclei is written by the nuclei import (internal/nucleo); this
// placeholder keeps the build whole until it lands.
func runImportNuclei(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, _, _, _, _ = ctx, args, getenv, stdout, stderr
	return errors.New("cartella import nuclei: not available yet")
}
