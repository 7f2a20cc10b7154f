package controlli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
)

// rigaPopolazione is a nucleo of a sample's population as written.
type rigaPopolazione struct {
	Posto
	CasoID      uuid.UUID
	Estratto    bool
	RichiestaID *uuid.UUID
	Nuova       bool
}

func inserisciCampione(ctx context.Context, tx pgx.Tx, comune int64, data time.Time, seme string, centesimi, n, k int,
	op uuid.UUID, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO controllo_campione (comune_id, data_riferimento, seme, metodo, percentuale, popolazione, estratti, estratto_da, estratto_il)
		VALUES ($1, $2, $3, $4, $5::numeric / 100, $6, $7, $8, $9) RETURNING id`,
		comune, data, seme, MetodoCampione, centesimi, n, k, op, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("controlli: campione: insert: %w", err)
	}
	return id, nil
}

// richiesteAperte maps the id_domanda among ids that already have an open
// request of type composizione_nucleo in the comune to that request.
func richiesteAperte(ctx context.Context, tx pgx.Tx, comune int64, ids []string) (map[string]uuid.UUID, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT ON (id_domanda) id_domanda, id FROM controllo_richiesta
		WHERE comune_id = $1 AND tipo = 'composizione_nucleo' AND stato <> 'conclusa' AND id_domanda = ANY($2)
		ORDER BY id_domanda, created_at`, comune, ids)
	if err != nil {
		return nil, fmt.Errorf("controlli: campione: aperte: %w", err)
	}
	out := map[string]uuid.UUID{}
	for rows.Next() {
		var d string
		var id uuid.UUID
		if err := rows.Scan(&d, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("controlli: campione: aperte: %w", err)
		}
		out[d] = id
	}
	return out, rows.Err()
}

// IDRichiestaCampione is the id of the request created for the nucleo at
// posizione of sample campione.
func IDRichiestaCampione(campione int64, posizione int) string {
	return "CAMPIONE-" + strconv.FormatInt(campione, 10) + "-" + strconv.Itoa(posizione)
}

func inserisciRichiestaCampione(ctx context.Context, tx pgx.Tx, campione int64, posizione int, comune int64, b casi.Beneficiario,
	data, oggi time.Time, op uuid.UUID, now time.Time) (uuid.UUID, error) {
	var id uuid.UUID
	err := tx.QueryRow(ctx, `INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id, codice_fiscale, cognome, nome,
			data_nascita, id_domanda, caso_id, data_richiesta, data_riferimento, scadenza, origine, campione_id,
			created_by, created_at, updated_by, updated_at)
		VALUES ($1, 'composizione_nucleo', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10::date + $12::int, 'campione', $13, $14, $15, $14, $15)
		RETURNING id`,
		IDRichiestaCampione(campione, posizione), b.AmbitoID, comune, b.CodiceFiscale, b.Cognome, b.Nome, b.DataNascita,
		b.IDDomanda, b.CasoID, oggi, data, Termine, campione, op, now).Scan(&id)
	if err != nil {
		return uuid.Nil, fmt.Errorf("controlli: campione: richiesta: %w", err)
	}
	return id, nil
}

func inserisciPopolazione(ctx context.Context, tx pgx.Tx, campione int64, righe []rigaPopolazione) error {
	rows := make([][]any, len(righe))
	for i, r := range righe {
		rows[i] = []any{campione, r.Posizione, r.IDDomanda, r.Chiave, r.CasoID, r.Estratto, r.RichiestaID, r.Nuova}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"controllo_campione_nucleo"},
		[]string{"campione_id", "posizione", "id_domanda", "chiave", "caso_id", "estratto", "richiesta_id", "nuova"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("controlli: campione: popolazione: %w", err)
	}
	return nil
}

const colsCampione = `cc.id, cc.comune_id, co.denominazione, cc.data_riferimento, cc.seme, cc.metodo,
	(cc.percentuale * 100)::int, cc.popolazione, cc.estratti, o.nome || ' ' || o.cognome, cc.estratto_il,
	(SELECT count(*) FROM controllo_campione_nucleo n WHERE n.campione_id = cc.id AND n.nuova)
	FROM controllo_campione cc JOIN comune co ON co.id = cc.comune_id JOIN operatore o ON o.id = cc.estratto_da`

func scanCampione(row pgx.Row) (Campione, error) {
	var c Campione
	err := row.Scan(&c.ID, &c.ComuneID, &c.Comune, &c.DataRiferimento, &c.Seme, &c.Metodo, &c.Centesimi,
		&c.Popolazione, &c.Estratti, &c.EstrattoDa, &c.EstrattoIl, &c.NuoveRichieste)
	return c, err
}

func campioni(ctx context.Context, q database.Querier, comune int64, pagina int) ([]Campione, error) {
	rows, err := q.Query(ctx, `SELECT `+colsCampione+` WHERE cc.comune_id = $1 ORDER BY cc.id DESC`+
		database.Pagina(pagina, DimensioneCampione), comune)
	if err != nil {
		return nil, fmt.Errorf("controlli: campioni: %w", err)
	}
	defer rows.Close()
	var out []Campione
	for rows.Next() {
		c, err := scanCampione(rows)
		if err != nil {
			return nil, fmt.Errorf("controlli: campioni: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// campione reads sample id of comune; another comune's is not found.
func campione(ctx context.Context, q database.Querier, comune, id int64) (Campione, error) {
	c, err := scanCampione(q.QueryRow(ctx, `SELECT `+colsCampione+` WHERE cc.id = $1 AND cc.comune_id = $2`, id, comune))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrCampioneNotFound
	}
	if err != nil {
		return c, fmt.Errorf("controlli: campione: %w", err)
	}
	return c, nil
}

// estratti reads page pagina of the drawn nuclei of sample id, in the
// order of the draw; the person only with persona (the coordinatore).
func estratti(ctx context.Context, q database.Querier, id int64, pagina int, persona bool) ([]Estratto, error) {
	rows, err := q.Query(ctx, `SELECT n.posizione, n.id_domanda, n.chiave, n.richiesta_id, n.nuova,
			COALESCE(r.id_richiesta, ''), COALESCE(r.stato, ''), COALESCE(r.cognome || ' ' || r.nome, ''), COALESCE(r.codice_fiscale, '')
		FROM controllo_campione_nucleo n LEFT JOIN controllo_richiesta r ON r.id = n.richiesta_id
		WHERE n.campione_id = $1 AND n.estratto ORDER BY n.posizione`+database.Pagina(pagina, DimensioneCampione), id)
	if err != nil {
		return nil, fmt.Errorf("controlli: campione: estratti: %w", err)
	}
	defer rows.Close()
	var out []Estratto
	for rows.Next() {
		var e Estratto
		var st string
		if err := rows.Scan(&e.Posizione, &e.IDDomanda, &e.Chiave, &e.RichiestaID, &e.Nuova, &e.IDRichiesta, &st,
			&e.Nominativo, &e.CodiceFiscale); err != nil {
			return nil, fmt.Errorf("controlli: campione: estratti: %w", err)
		}
		e.Stato = Stato(st)
		if !persona {
			e.Nominativo, e.CodiceFiscale = "", ""
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// popolazione reads the population of sample id: id_domanda → drawn.
func popolazione(ctx context.Context, q database.Querier, id int64) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT id_domanda, estratto FROM controllo_campione_nucleo WHERE campione_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("controlli: campione: popolazione: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var d string
		var e bool
		if err := rows.Scan(&d, &e); err != nil {
			return nil, fmt.Errorf("controlli: campione: popolazione: %w", err)
		}
		out[d] = e
	}
	return out, rows.Err()
}
