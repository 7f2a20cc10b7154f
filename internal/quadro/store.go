package quadro

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// Every SQL statement of the module. It reads its reference tables
// (quadro_dimensione, quadro_scala) and moves the case; the nucleo's
// current members come from casi.

// CaricaRiferimenti reads the reference lists valid on day (with the rows
// no longer valid, marked, so that old versions keep their labels).
func CaricaRiferimenti(ctx context.Context, q database.Querier, day time.Time) (Riferimenti, error) {
	var r Riferimenti
	rows, err := q.Query(ctx, `
		SELECT DISTINCT ON (codice) codice, etichetta, descrizione, livello = 'persona', solo_minori, COALESCE(eta_minima, 0),
		       attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1), ordine
		FROM quadro_dimensione
		ORDER BY codice, (attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)) DESC, valido_dal DESC`, day)
	if err != nil {
		return r, fmt.Errorf("quadro: dimensioni: %w", err)
	}
	type ordinata struct {
		Dimensione
		ordine int
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ordinata, error) {
		var d ordinata
		err := row.Scan(&d.Codice, &d.Etichetta, &d.Descrizione, &d.Persona, &d.SoloMinori, &d.EtaMinima, &d.Valida, &d.ordine)
		return d, err
	})
	if err != nil {
		return r, fmt.Errorf("quadro: dimensioni: %w", err)
	}
	slices.SortStableFunc(ds, func(a, b ordinata) int {
		return cmp.Or(cmp.Compare(a.ordine, b.ordine), strings.Compare(a.Codice, b.Codice))
	})
	for _, d := range ds {
		r.Dimensioni = append(r.Dimensioni, d.Dimensione)
	}
	rows, err = q.Query(ctx, `
		SELECT DISTINCT ON (scala, codice) scala, codice, etichetta,
		       attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1), ordine
		FROM quadro_scala
		ORDER BY scala, codice, (attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)) DESC, valido_dal DESC`, day)
	if err != nil {
		return r, fmt.Errorf("quadro: scale: %w", err)
	}
	type voce struct {
		Voce
		scala  string
		ordine int
	}
	vs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (voce, error) {
		var v voce
		err := row.Scan(&v.scala, &v.Codice, &v.Etichetta, &v.Valida, &v.ordine)
		return v, err
	})
	if err != nil {
		return r, fmt.Errorf("quadro: scale: %w", err)
	}
	slices.SortStableFunc(vs, func(a, b voce) int { return cmp.Compare(a.ordine, b.ordine) })
	for _, v := range vs {
		switch v.scala {
		case "bisogno":
			r.Bisogno = append(r.Bisogno, v.Voce)
		case "risorse":
			r.Risorse = append(r.Risorse, v.Voce)
		case "fonte":
			r.Fonte = append(r.Fonte, v.Voce)
		}
	}
	return r, nil
}

// membri are the current members of the nucleo: applicant first, then by
// birth date.
func (s *Service) membri(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Persona, error) {
	ms, err := s.casi.Componenti(ctx, q, nucleoID)
	if err != nil {
		return nil, fmt.Errorf("quadro: membri: %w", err)
	}
	out := make([]Persona, len(ms))
	for i, m := range ms {
		out[i] = Persona{PersonaID: m.PersonaID.String(), Cognome: m.Cognome, Nome: m.Nome,
			DataNascita: m.DataNascita.Format(time.DateOnly), Relazione: m.Relazione}
	}
	return out, nil
}

// inProgettazione moves the case to progettazione, bumping its version.
func inProgettazione(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	if _, err := q.Exec(ctx, `UPDATE caso SET stato = 'progettazione', versione = versione + 1, updated_at = now() WHERE id = $1`, casoID); err != nil {
		return fmt.Errorf("quadro: stato del caso: %w", err)
	}
	return nil
}
