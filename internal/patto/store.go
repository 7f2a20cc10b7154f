package patto

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Every SQL statement of the module. It writes its own tables
// (patto_sostegno_tipo, patto_sostegno_attuazione, patto_scansione) and the
// case's state; it reads the schede of the patto and, for the list of the
// patti in scadenza, the nucleo's applicant.

func attuazioni(ctx context.Context, q database.Querier, casoID uuid.UUID) (map[string]Attuazione, error) {
	rows, err := q.Query(ctx, `
		SELECT a.sostegno_id, a.stato, a.motivo, a.avvio_effettivo, a.fine_effettiva, a.versione,
		       COALESCE(o.nome || ' ' || o.cognome, ''), a.updated_at
		FROM patto_sostegno_attuazione a LEFT JOIN operatore o ON o.id = a.updated_by
		WHERE a.caso_id = $1`, casoID)
	if err != nil {
		return nil, fmt.Errorf("patto: attuazione: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attuazione, error) {
		var a Attuazione
		var stato string
		err := r.Scan(&a.SostegnoID, &stato, &a.Motivo, &a.AvvioEffettivo, &a.FineEffettiva, &a.Versione, &a.AggiornataDa, &a.AggiornataIl)
		a.Stato = StatoSostegno(stato)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("patto: attuazione: %w", err)
	}
	out := make(map[string]Attuazione, len(list))
	for _, a := range list {
		out[a.SostegnoID] = a
	}
	return out, nil
}

// CaricaRiferimenti reads the reference lists as valid on day.
func CaricaRiferimenti(ctx context.Context, q database.Querier, day time.Time) (Riferimenti, error) {
	var r Riferimenti
	type ordinato[T any] struct {
		v      T
		ordine int
	}
	rows, err := q.Query(ctx, `
		SELECT DISTINCT ON (codice) codice, etichetta, descrizione, macrolivello, nomenclatore_codice, nomenclatore_versione,
		       tirocinio, `+valido+`, ordine
		FROM patto_sostegno_tipo
		ORDER BY codice, (`+valido+`) DESC, valido_dal DESC`, day)
	if err != nil {
		return r, fmt.Errorf("patto: catalogo dei sostegni: %w", err)
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ordinato[TipoSostegno], error) {
		var o ordinato[TipoSostegno]
		t := &o.v
		err := row.Scan(&t.Codice, &t.Etichetta, &t.Descrizione, &t.Macrolivello, &t.NomenclatoreCodice, &t.NomenclatoreVersione,
			&t.Tirocinio, &t.Valido, &o.ordine)
		return o, err
	})
	if err != nil {
		return r, fmt.Errorf("patto: catalogo dei sostegni: %w", err)
	}
	slices.SortStableFunc(ts, func(a, b ordinato[TipoSostegno]) int {
		return cmp.Or(cmp.Compare(a.ordine, b.ordine), strings.Compare(a.v.Codice, b.v.Codice))
	})
	for _, t := range ts {
		r.Sostegni = append(r.Sostegni, t.v)
	}
	rows, err = q.Query(ctx, `
		SELECT DISTINCT ON (codice) codice, etichetta, descrizione, `+valido+`, ordine
		FROM patto_impegno_area
		ORDER BY codice, (`+valido+`) DESC, valido_dal DESC`, day)
	if err != nil {
		return r, fmt.Errorf("patto: aree degli impegni: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ordinato[AreaImpegno], error) {
		var o ordinato[AreaImpegno]
		err := row.Scan(&o.v.Codice, &o.v.Etichetta, &o.v.Descrizione, &o.v.Valida, &o.ordine)
		return o, err
	})
	if err != nil {
		return r, fmt.Errorf("patto: aree degli impegni: %w", err)
	}
	slices.SortStableFunc(as, func(a, b ordinato[AreaImpegno]) int {
		return cmp.Or(cmp.Compare(a.ordine, b.ordine), strings.Compare(a.v.Codice, b.v.Codice))
	})
	for _, a := range as {
		r.Aree = append(r.Aree, a.v)
	}
	return r, nil
}

// leggiStorie reads every row of the catalogue, by codice from the oldest,
// and the highest ordine.
func leggiStorie(ctx context.Context, q database.Querier) (map[string][]rigaSostegno, int, error) {
	rows, err := q.Query(ctx, `
		SELECT id, codice, etichetta, descrizione, macrolivello, nomenclatore_codice, nomenclatore_versione,
		       tirocinio, ordine, attivo, valido_dal, valido_al
		FROM patto_sostegno_tipo
		ORDER BY codice, valido_dal`)
	if err != nil {
		return nil, 0, fmt.Errorf("patto: catalogo dei sostegni: %w", err)
	}
	righe, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (rigaSostegno, error) {
		var r rigaSostegno
		err := row.Scan(&r.id, &r.codice, &r.val.etichetta, &r.val.descrizione, &r.val.macrolivello,
			&r.val.nomenclatoreCodice, &r.val.nomenclatoreVersione, &r.val.tirocinio, &r.val.ordine, &r.val.attivo, &r.dal, &r.al)
		return r, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("patto: catalogo dei sostegni: %w", err)
	}
	storie := map[string][]rigaSostegno{}
	maxOrdine := 0
	for _, r := range righe {
		storie[r.codice] = append(storie[r.codice], r)
		maxOrdine = max(maxOrdine, r.val.ordine)
	}
	return storie, maxOrdine, nil
}

// scriviPasso closes the row in force, when there is one to close, and
// inserts the new row.
func scriviPasso(ctx context.Context, q database.Querier, p passoCatalogo) error {
	if p.chiudi != 0 {
		if _, err := q.Exec(ctx, `UPDATE patto_sostegno_tipo SET valido_al = $2 WHERE id = $1`, p.chiudi, p.chiudiAl); err != nil {
			return fmt.Errorf("chiusura di %s: %w", p.codice, err)
		}
	}
	_, err := q.Exec(ctx, `
		INSERT INTO patto_sostegno_tipo (codice, etichetta, descrizione, macrolivello, nomenclatore_codice, nomenclatore_versione,
			tirocinio, ordine, attivo, valido_dal)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.codice, p.val.etichetta, p.val.descrizione, p.val.macrolivello, p.val.nomenclatoreCodice, p.val.nomenclatoreVersione,
		p.val.tirocinio, p.val.ordine, p.val.attivo, p.dal)
	if err != nil {
		return fmt.Errorf("inserimento di %s: %w", p.codice, err)
	}
	return nil
}

// inScadenzaSQL selects the open cases of case manager $1 in comune $2
// whose newest signed patto ends on or before $3; s is that version.
const inScadenzaSQL = `
	FROM caso c
	JOIN LATERAL (
		SELECT versione, contenuto->>'al' AS al FROM scheda
		WHERE caso_id = c.id AND tipo = 'patto' AND stato = 'definitiva'
		ORDER BY versione DESC LIMIT 1) s ON true
	WHERE c.case_manager_id = $1 AND c.comune_id = $2 AND c.stato <> 'chiuso'
	  AND s.al ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' AND s.al::date <= $3`

func contaInScadenza(ctx context.Context, q database.Querier, p authz.Principal, limite time.Time) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) `+inScadenzaSQL, p.OperatoreID, *p.ComuneID, limite).Scan(&n); err != nil {
		return 0, fmt.Errorf("patto: patti in scadenza: %w", err)
	}
	return n, nil
}

// bloccaCatalogo locks the catalogue of the sostegni until commit.
func bloccaCatalogo(ctx context.Context, q database.Querier) error {
	_, err := q.Exec(ctx, `LOCK TABLE patto_sostegno_tipo IN SHARE ROW EXCLUSIVE MODE`)
	return err
}

// scriviAttuazione records the progress of sostegno sostegnoID, which must
// still be at versione (false: it moved on, nothing is written).
func scriviAttuazione(ctx context.Context, q database.Querier, casoID uuid.UUID, sostegnoID string, versione int, stato StatoSostegno,
	motivo string, avvio, fine *time.Time, op uuid.UUID) (bool, error) {
	tag, err := q.Exec(ctx, `
		UPDATE patto_sostegno_attuazione SET stato = $4, motivo = $5, avvio_effettivo = $6, fine_effettiva = $7,
		       versione = versione + 1, updated_by = $8, updated_at = now()
		WHERE caso_id = $1 AND sostegno_id = $2 AND versione = $3`,
		casoID, sostegnoID, versione, string(stato), motivo, avvio, fine, op)
	if err != nil {
		return false, fmt.Errorf("patto: attuazione: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// salvaScansione stores the signed scan of version numero as id.
func salvaScansione(ctx context.Context, q database.Querier, id, casoID uuid.UUID, numero int, scan File, op uuid.UUID) error {
	sum := sha256.Sum256(scan.Dati)
	if _, err := q.Exec(ctx, `INSERT INTO patto_scansione (id, caso_id, versione, nome, mime, dimensione, contenuto, sha256, caricata_da)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id, casoID, numero, scan.Nome, scan.Mime, len(scan.Dati), scan.Dati,
		hex.EncodeToString(sum[:]), op); err != nil {
		return fmt.Errorf("patto: scansione: %w", err)
	}
	return nil
}

// avviaAttuazione starts the progress of sostegno sostegnoID (once).
func avviaAttuazione(ctx context.Context, q database.Querier, casoID uuid.UUID, sostegnoID string, op uuid.UUID) error {
	if _, err := q.Exec(ctx, `INSERT INTO patto_sostegno_attuazione (caso_id, sostegno_id, updated_by) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, casoID, sostegnoID, op); err != nil {
		return fmt.Errorf("patto: attuazione: %w", err)
	}
	return nil
}

// pattoSottoscritto moves the case to patto_sottoscritto, bumping its
// version.
func pattoSottoscritto(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	if _, err := q.Exec(ctx, `UPDATE caso SET stato = 'patto_sottoscritto', versione = versione + 1, updated_at = now() WHERE id = $1`, casoID); err != nil {
		return fmt.Errorf("patto: stato del caso: %w", err)
	}
	return nil
}

// leggiScansione is the signed scan of version numero (ErrNonTrovata: none).
func leggiScansione(ctx context.Context, q database.Querier, casoID uuid.UUID, numero int) (File, error) {
	var f File
	err := q.QueryRow(ctx, `SELECT nome, mime, contenuto FROM patto_scansione WHERE caso_id = $1 AND versione = $2`,
		casoID, numero).Scan(&f.Nome, &f.Mime, &f.Dati)
	if errors.Is(err, pgx.ErrNoRows) {
		return File{}, ErrNonTrovata
	}
	if err != nil {
		return File{}, fmt.Errorf("patto: scansione: %w", err)
	}
	return f, nil
}

// inScadenza is page pagina of the patti in scadenza of p by limite (one
// row more than a page when there are more), their end as seen on oggi.
func inScadenza(ctx context.Context, q database.Querier, p authz.Principal, limite, oggi time.Time, pagina int) ([]PattoInScadenza, error) {
	rows, err := q.Query(ctx, `
		SELECT c.id, c.numero, s.versione, s.al::date,
		       COALESCE((SELECT p.cognome || ' ' || p.nome
		                 FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		                 WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		                 ORDER BY nc.relazione <> 'richiedente', nc.id LIMIT 1), ''),
		       EXISTS (SELECT 1 FROM scheda b WHERE b.caso_id = c.id AND b.tipo = 'patto' AND b.stato = 'bozza')
		`+inScadenzaSQL+`
		ORDER BY s.al::date, c.numero
		`+database.Pagina(pagina, DimensionePagina),
		p.OperatoreID, *p.ComuneID, limite)
	if err != nil {
		return nil, fmt.Errorf("patto: patti in scadenza: %w", err)
	}
	righe, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PattoInScadenza, error) {
		var x PattoInScadenza
		var numero int64
		var al time.Time
		err := r.Scan(&x.CasoID, &numero, &x.Versione, &al, &x.Richiedente, &x.Revisione)
		x.Codice = casi.Caso{Numero: numero}.Codice()
		x.Scadenza = ScadenzaDi(Contenuto{Al: al.Format(time.DateOnly)}, oggi)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("patto: patti in scadenza: %w", err)
	}
	return righe, nil
}
