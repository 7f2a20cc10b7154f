package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/cartella/cartella/internal/demo"
)

// The demo's prestazioni (issue 18): an ADI case and an SFL case with a
// prestazione each, an ADI case with a SINA assessment corrected (C + I);
// five flows ready for INPS, each valid against INPS's schema.
func TestPrestazioniDemo(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is not installed: run `make xmllint` (ADR 0020)")
	}
	a := startApp(t)
	ctx := context.Background()
	if err := caricaDemo(ctx, a.d, demo.NucleiPredefiniti, slog.New(slog.NewJSONHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	var misure, sina, tipi string
	if err := a.d.pool.QueryRow(ctx, `
		SELECT string_agg(DISTINCT d.misura, ','), count(*) FILTER (WHERE p.sina_mobilita <> '')::text,
		       (SELECT string_agg(tipo_operazione, '' ORDER BY id) FROM prestazione_flusso WHERE stato = 'pronto')
		FROM prestazione p JOIN caso c ON c.id = p.caso_id JOIN domanda d ON d.id = c.domanda_id`).Scan(&misure, &sina, &tipi); err != nil {
		t.Fatal(err)
	}
	if misure != "ADI,SFL" || sina != "1" || tipi != "IIICI" {
		t.Fatalf("demo prestazioni: measures %q, with SINA %s, flows %q", misure, sina, tipi)
	}
	rows, err := a.d.pool.Query(ctx, `SELECT xml FROM prestazione_flusso`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x []byte
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join("..", "..", "docs", "specs", "inps-waas", "PS_PSA_SINA201812.xsd"), "-")
		cmd.Stdin = bytes.NewReader(x)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("demo flow not valid: %v\n%s\n%s", err, out, x)
		}
	}
}
