// Command cartella is the whole Cartella service in one binary: `cartella
// demo`, `cartella serve` and `cartella migrate` (see README.md).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/cartella/cartella/internal/app"
)

func main() {
	if err := app.Run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cartella:", err)
		os.Exit(1)
	}
}
