package controlli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// inserisci writes request n for comune (of ambito) unless its id_richiesta
// is already taken: then it returns the existing request's id and false.
// The request is linked to the case of its id_domanda in the ambito, when
// Cartella has it (also later: a request imported again is linked if its
// case has arrived since).
func (s *Service) inserisci(ctx context.Context, tx pgx.Tx, n NuovaRichiesta, comune, ambito int64, origine string,
	importazione *int64, operatore *uuid.UUID) (uuid.UUID, bool, error) {
	caso, err := s.casi.CasoPerDomanda(ctx, tx, n.IDDomanda, ambito)
	if err != nil {
		return uuid.Nil, false, err
	}
	var casoID *uuid.UUID
	if caso != uuid.Nil {
		casoID = &caso
	}
	now := s.now()
	var id uuid.UUID
	err = tx.QueryRow(ctx, `INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id, codice_fiscale,
			cognome, nome, data_nascita, id_domanda, caso_id, data_richiesta, data_riferimento, scadenza, nota_inps,
			origine, importazione_id, created_by, created_at, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $17, $18)
		ON CONFLICT (id_richiesta) DO NOTHING RETURNING id`,
		n.IDRichiesta, string(n.Tipo), ambito, comune, n.CodiceFiscale, n.Cognome, n.Nome, n.DataNascita, n.IDDomanda,
		casoID, n.DataRichiesta, n.DataRiferimento, n.Scadenza(), n.Nota, origine, importazione, operatore, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = tx.QueryRow(ctx, `SELECT id FROM controllo_richiesta WHERE id_richiesta = $1`, n.IDRichiesta).Scan(&id)
		if err != nil {
			return uuid.Nil, false, fmt.Errorf("controlli: richiesta %s: %w", n.IDRichiesta, err)
		}
		// A request that arrived before its domanda is linked to the case
		// when the same request comes again and the case is there by now.
		if casoID != nil {
			if _, err := tx.Exec(ctx, `UPDATE controllo_richiesta SET caso_id = $2 WHERE id = $1 AND caso_id IS NULL AND id_domanda = $3`,
				id, *casoID, n.IDDomanda); err != nil {
				return uuid.Nil, false, fmt.Errorf("controlli: richiesta %s: link to the case: %w", n.IDRichiesta, err)
			}
		}
		return id, false, nil
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("controlli: inserisci richiesta: %w", err)
	}
	return id, true, nil
}

// differenze lists, in the file's field names, what request id holds
// differently from n (asked to comune): none means the same request.
func differenze(ctx context.Context, q database.Querier, id uuid.UUID, n NuovaRichiesta, comune int64) ([]string, error) {
	var (
		e           NuovaRichiesta
		tipo        string
		comuneID    int64
		dataNascita *time.Time
	)
	if err := q.QueryRow(ctx, `SELECT tipo, comune_id, codice_fiscale, cognome, nome, data_nascita, id_domanda,
			data_richiesta, data_riferimento, nota_inps FROM controllo_richiesta WHERE id = $1`, id).
		Scan(&tipo, &comuneID, &e.CodiceFiscale, &e.Cognome, &e.Nome, &dataNascita, &e.IDDomanda,
			&e.DataRichiesta, &e.DataRiferimento, &e.Nota); err != nil {
		return nil, fmt.Errorf("controlli: richiesta %s: %w", id, err)
	}
	var d []string
	diff := func(campo string, uguale bool) {
		if !uguale {
			d = append(d, campo)
		}
	}
	diff("tipo", tipo == string(n.Tipo))
	diff("comune", comuneID == comune)
	diff("codice_fiscale", e.CodiceFiscale == n.CodiceFiscale)
	diff("cognome", e.Cognome == n.Cognome)
	diff("nome", e.Nome == n.Nome)
	diff("data_nascita", (dataNascita == nil) == (n.DataNascita == nil) &&
		(dataNascita == nil || dataNascita.Equal(*n.DataNascita)))
	diff("id_domanda", e.IDDomanda == n.IDDomanda)
	diff("data_richiesta", e.DataRichiesta.Equal(n.DataRichiesta))
	diff("data_riferimento", e.DataRiferimento.Equal(n.DataRiferimento))
	diff("nota", e.Nota == n.Nota)
	return d, nil
}

// comuneImport is a comune a line may name.
type comuneImport struct {
	id, ambito int64
}

// comuniImport returns the comuni of the installation (those of an ambito)
// by ISTAT code; only comune solo when not nil.
func comuniImport(ctx context.Context, q database.Querier, solo *int64) (map[string]comuneImport, error) {
	rows, err := q.Query(ctx, `SELECT codice_istat, id, ambito_id FROM comune
		WHERE ambito_id IS NOT NULL AND ($1::bigint IS NULL OR id = $1)`, solo)
	if err != nil {
		return nil, fmt.Errorf("controlli: comuni: %w", err)
	}
	out := map[string]comuneImport{}
	for rows.Next() {
		var (
			k string
			c comuneImport
		)
		if err := rows.Scan(&k, &c.id, &c.ambito); err != nil {
			rows.Close()
			return nil, err
		}
		out[k] = c
	}
	rows.Close()
	return out, rows.Err()
}

// nuovaImportazione records the start of an import; its hash and counts are
// written by chiudiImportazione.
func nuovaImportazione(ctx context.Context, q database.Querier, comune *int64, operatore *uuid.UUID, nome string, now time.Time) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO controllo_importazione (comune_id, operatore, file_nome, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, comune, operatore, nome, make([]byte, 32), now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("controlli: nuova importazione: %w", err)
	}
	return id, nil
}

// conta adds the line riga applied with esito ("inserita" or "invariata")
// to import id, in tx, the transaction that applies it.
func conta(ctx context.Context, tx pgx.Tx, id int64, riga int, esito string) error {
	col := "inserite"
	if esito == "invariata" {
		col = "invariate"
	}
	if _, err := tx.Exec(ctx, `UPDATE controllo_importazione SET `+col+` = `+col+` + 1, righe = GREATEST(righe, $2) WHERE id = $1`, id, riga); err != nil {
		return fmt.Errorf("controlli: conta: %w", err)
	}
	return nil
}

func chiudiImportazione(ctx context.Context, q database.Querier, imp Importazione) error {
	scarti, err := json.Marshal(imp.Scarti)
	if err != nil {
		return err
	}
	if imp.Scarti == nil {
		scarti = []byte("[]")
	}
	_, err = q.Exec(ctx, `UPDATE controllo_importazione SET sha256 = $2, righe = $3, inserite = $4, invariate = $5,
		scartate = $6, scarti = $7 WHERE id = $1`, imp.ID, imp.SHA256, imp.Righe, imp.Inserite, imp.Invariate, imp.Scartate, scarti)
	if err != nil {
		return fmt.Errorf("controlli: chiudi importazione: %w", err)
	}
	return nil
}

const colonneImportazione = `i.id, i.comune_id, coalesce(c.denominazione, ''), coalesce(o.nome || ' ' || o.cognome, ''),
	i.file_nome, i.sha256, i.righe, i.inserite, i.invariate, i.scartate, i.created_at`

func scanImportazione(row pgx.Row, imp *Importazione) error {
	return row.Scan(&imp.ID, &imp.ComuneID, &imp.Comune, &imp.Operatore, &imp.FileNome, &imp.SHA256,
		&imp.Righe, &imp.Inserite, &imp.Invariate, &imp.Scartate, &imp.CreataIl)
}

// importazioniDi lists page pagina of comune's imports, newest first.
func importazioniDi(ctx context.Context, q database.Querier, comune int64, pagina int) ([]Importazione, bool, error) {
	rows, err := q.Query(ctx, `SELECT `+colonneImportazione+` FROM controllo_importazione i
		LEFT JOIN comune c ON c.id = i.comune_id LEFT JOIN operatore o ON o.id = i.operatore
		WHERE i.comune_id = $1 ORDER BY i.id DESC`+database.Pagina(pagina, perPaginaImportazioni), comune)
	if err != nil {
		return nil, false, fmt.Errorf("controlli: importazioni: %w", err)
	}
	defer rows.Close()
	var out []Importazione
	for rows.Next() {
		var imp Importazione
		if err := scanImportazione(rows, &imp); err != nil {
			return nil, false, err
		}
		out = append(out, imp)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	out, altre := database.Taglia(out, perPaginaImportazioni)
	return out, altre, nil
}

// importazione reads import id of comune with its report.
func importazione(ctx context.Context, q database.Querier, comune, id int64) (Importazione, error) {
	var (
		imp    Importazione
		scarti []byte
	)
	err := q.QueryRow(ctx, `SELECT `+colonneImportazione+`, i.scarti FROM controllo_importazione i
		LEFT JOIN comune c ON c.id = i.comune_id LEFT JOIN operatore o ON o.id = i.operatore
		WHERE i.id = $1 AND i.comune_id = $2`, id, comune).
		Scan(&imp.ID, &imp.ComuneID, &imp.Comune, &imp.Operatore, &imp.FileNome, &imp.SHA256,
			&imp.Righe, &imp.Inserite, &imp.Invariate, &imp.Scartate, &imp.CreataIl, &scarti)
	if errors.Is(err, pgx.ErrNoRows) {
		return Importazione{}, ErrImportazione
	}
	if err != nil {
		return Importazione{}, fmt.Errorf("controlli: importazione %d: %w", id, err)
	}
	if err := json.Unmarshal(scarti, &imp.Scarti); err != nil {
		return Importazione{}, fmt.Errorf("controlli: importazione %d: scarti: %w", id, err)
	}
	return imp, nil
}
