package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

// NucleiPredefiniti is how many synthetic households `cartella demo` loads
// at its first start.
const NucleiPredefiniti = 300

// Assegnati are how many demo cases start assigned to each demo case
// manager (the rest wait for the coordinatore).
const Assegnati = 40

// LoadNuclei generates n synthetic households (internal/flusso, fixed
// seed, PADs in the 150 days before now) in the demo comuni and loads them
// as cases, unless the demo ambito already has cases. Some of Casalecchio's
// go to `casemanager`, some of Zola Predosa's to `casemanager2`. It uses
// COPY, so that n = 200,000 loads in seconds; progress(done) is called
// every 10,000 households. It returns how many households it loaded.
func LoadNuclei(ctx context.Context, pool *pgxpool.Pool, reg *registro.Service, n int, now time.Time, progress func(int)) (int, error) {
	var ambitoID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM ambito WHERE codice = $1`, AmbitoCodice).Scan(&ambitoID); err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	var esistenti int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM caso WHERE ambito_id = $1`, ambitoID).Scan(&esistenti); err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	if esistenti > 0 || n <= 0 {
		return 0, nil
	}
	comuni := map[string]int64{}
	rows, err := pool.Query(ctx, `SELECT codice_istat, id FROM comune WHERE ambito_id = $1`, ambitoID)
	if err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	for rows.Next() {
		var istat string
		var id int64
		if err := rows.Scan(&istat, &id); err != nil {
			return 0, err
		}
		comuni[istat] = id
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	cm := map[string]uuid.UUID{}
	for i, username := range []string{"casemanager", "casemanager2"} {
		a, _ := AccountByUsername(username)
		var id uuid.UUID
		if err := pool.QueryRow(ctx, `SELECT id FROM operatore WHERE codice_fiscale = $1`, a.CodiceFiscale()).Scan(&id); err != nil {
			return 0, fmt.Errorf("demo: nuclei: %s: %w", username, err)
		}
		cm[Comuni[i].CodiceISTAT] = id
	}

	oggi := casi.Oggi(now)
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(flusso.Genera(pw, n, flusso.Opzioni{Seme: 2026, Oggi: oggi,
			Comuni: []string{Comuni[0].CodiceISTAT, Comuni[1].CodiceISTAT, Comuni[2].CodiceISTAT}}))
	}()
	var b casi.Batch
	assegnati := map[string]int{}
	loaded := 0
	flush := func() error {
		if b.Len() > 0 {
			if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return b.Copy(ctx, tx) }); err != nil {
				return fmt.Errorf("demo: nuclei: %w", err)
			}
		}
		b = casi.Batch{}
		return nil
	}
	p := flusso.Parser{Oggi: oggi}
	_, err = p.Parse(pr, func(nu flusso.Nucleo) error {
		comuneID, ok := comuni[nu.ComuneResidenza]
		if !ok {
			return flusso.Scarta("comune non appartenente all'ambito")
		}
		var cmID *uuid.UUID
		if id, ok := cm[nu.ComuneResidenza]; ok && assegnati[nu.ComuneResidenza] < Assegnati {
			assegnati[nu.ComuneResidenza]++
			cmID = &id
		}
		b.Add(nu, ambitoID, comuneID, cmID, now, nil, nil, 0)
		loaded++
		if loaded%2000 == 0 {
			if err := flush(); err != nil {
				return err
			}
		}
		if progress != nil && loaded%10000 == 0 {
			progress(loaded)
		}
		return nil
	})
	pr.Close()
	if err != nil {
		return 0, fmt.Errorf("demo: nuclei: %w", err)
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := reg.Record(ctx, registro.Voce{Azione: registro.Scrittura, OggettoTipo: "dati_demo", AmbitoID: &ambitoID,
		Dettaglio: fmt.Sprintf("caricati %d nuclei dimostrativi", loaded), Esito: registro.Consentito, Indirizzo: "demo"}); err != nil {
		return 0, err
	}
	return loaded, nil
}
