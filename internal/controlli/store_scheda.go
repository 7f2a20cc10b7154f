package controlli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
)

// The SQL of one request's page (scheda.go, catena.go, esito.go, nucleo.go).

const colonneRichiesta = `r.id, r.id_richiesta, r.tipo, r.ambito_id, r.comune_id, c.denominazione, r.codice_fiscale,
	r.cognome, r.nome, r.data_nascita, r.id_domanda, r.caso_id, r.data_richiesta, r.data_riferimento, r.scadenza,
	r.nota_inps, r.stato, r.assegnatario, coalesce(o.nome || ' ' || o.cognome, ''), r.assegnata_il, r.origine,
	r.campione_id, r.note_lavoro, r.versione, r.created_at`

// richiesta reads request id; lock takes its row for update (a write).
func richiesta(ctx context.Context, q database.Querier, id uuid.UUID, lock bool) (Richiesta, error) {
	sql := `SELECT ` + colonneRichiesta + ` FROM controllo_richiesta r JOIN comune c ON c.id = r.comune_id
		LEFT JOIN operatore o ON o.id = r.assegnatario WHERE r.id = $1`
	if lock {
		sql += ` FOR UPDATE OF r`
	}
	var r Richiesta
	err := q.QueryRow(ctx, sql, id).Scan(&r.ID, &r.IDRichiesta, &r.Tipo, &r.AmbitoID, &r.ComuneID, &r.Comune, &r.CodiceFiscale,
		&r.Cognome, &r.Nome, &r.DataNascita, &r.IDDomanda, &r.CasoID, &r.DataRichiesta, &r.DataRiferimento, &r.Scadenza,
		&r.NotaINPS, &r.Stato, &r.AssegnatarioID, &r.Assegnatario, &r.AssegnataIl, &r.Origine,
		&r.CampioneID, &r.NoteLavoro, &r.Versione, &r.CreataIl)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("controlli: richiesta: %w", err)
	}
	return r, nil
}

// tappe reads the backward chain of request id, in order.
func tappe(ctx context.Context, q database.Querier, id uuid.UUID) ([]Tappa, error) {
	rows, err := q.Query(ctx, `SELECT t.id, t.n, t.da_comune_id, dc.denominazione, t.comune_id, c.denominazione,
			o.nome || ' ' || o.cognome, t.inoltrata_il, t.nota_inoltro, t.assegnatario, coalesce(a.nome || ' ' || a.cognome, ''),
			coalesce(t.esito, ''), coalesce(ch.nome || ' ' || ch.cognome, ''), t.chiusa_il, t.nota_chiusura
		FROM controllo_tappa t JOIN comune dc ON dc.id = t.da_comune_id JOIN comune c ON c.id = t.comune_id
		JOIN operatore o ON o.id = t.inoltrata_da LEFT JOIN operatore a ON a.id = t.assegnatario
		LEFT JOIN operatore ch ON ch.id = t.chiusa_da
		WHERE t.richiesta_id = $1 ORDER BY t.n`, id)
	if err != nil {
		return nil, fmt.Errorf("controlli: tappe: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Tappa, error) {
		var t Tappa
		err := row.Scan(&t.ID, &t.N, &t.DaComuneID, &t.DaComune, &t.ComuneID, &t.Comune, &t.InoltrataDa, &t.InoltrataIl,
			&t.NotaInoltro, &t.AssegnatarioID, &t.Assegnatario, &t.Esito, &t.ChiusaDa, &t.ChiusaIl, &t.NotaChiusura)
		return t, err
	})
}

// periodi reads the residence periods of request id (of comune solo when
// not 0), oldest first.
func periodi(ctx context.Context, q database.Querier, id uuid.UUID, solo int64) ([]Periodo, error) {
	rows, err := q.Query(ctx, `SELECT p.id, p.comune_id, p.comune_istat, p.comune_nome, p.iscrizione, p.cancellazione, p.fonte,
			o.nome || ' ' || o.cognome, p.registrato_il
		FROM controllo_periodo p JOIN operatore o ON o.id = p.registrato_da
		WHERE p.richiesta_id = $1 AND ($2 = 0 OR p.comune_id = $2) ORDER BY p.iscrizione, p.id`, id, solo)
	if err != nil {
		return nil, fmt.Errorf("controlli: periodi: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Periodo, error) {
		var p Periodo
		err := row.Scan(&p.ID, &p.ComuneID, &p.ComuneIstat, &p.ComuneNome, &p.Iscrizione, &p.Cancellazione, &p.Fonte, &p.RegistratoDa, &p.RegistratoIl)
		return p, err
	})
}

// assenze reads the absences of request id (of comune solo when not 0).
func assenze(ctx context.Context, q database.Querier, id uuid.UUID, solo int64) ([]Assenza, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.comune_id, a.dal, a.al, a.motivi_salute, a.nota, o.nome || ' ' || o.cognome, a.registrato_il
		FROM controllo_assenza a JOIN operatore o ON o.id = a.registrato_da
		WHERE a.richiesta_id = $1 AND ($2 = 0 OR a.comune_id = $2) ORDER BY a.dal, a.id`, id, solo)
	if err != nil {
		return nil, fmt.Errorf("controlli: assenze: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Assenza, error) {
		var a Assenza
		err := row.Scan(&a.ID, &a.ComuneID, &a.Dal, &a.Al, &a.MotiviSalute, &a.Nota, &a.RegistratoDa, &a.RegistratoIl)
		return a, err
	})
}

// documenti reads the documents seen for request id (of comune solo when not 0).
func documenti(ctx context.Context, q database.Querier, id uuid.UUID, solo int64) ([]Documento, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.comune_id, d.tipo, d.estremi, d.data_documento, d.nota, o.nome || ' ' || o.cognome, d.registrato_il
		FROM controllo_documento d JOIN operatore o ON o.id = d.registrato_da
		WHERE d.richiesta_id = $1 AND ($2 = 0 OR d.comune_id = $2) ORDER BY d.id`, id, solo)
	if err != nil {
		return nil, fmt.Errorf("controlli: documenti: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Documento, error) {
		var d Documento
		err := row.Scan(&d.ID, &d.ComuneID, &d.Tipo, &d.Estremi, &d.DataDocumento, &d.Nota, &d.RegistratoDa, &d.RegistratoIl)
		return d, err
	})
}

// esiti reads the esiti of request id, newest first.
func esiti(ctx context.Context, q database.Querier, id uuid.UUID) ([]EsitoFinale, error) {
	rows, err := q.Query(ctx, `SELECT e.id, e.richiesta_id, e.esito, e.motivazione, e.data_esito, e.entro_termine,
			o.nome || ' ' || o.cognome, e.finalizzato_il, e.rettifica_di, e.segnalazione_id, e.invio_id, e.inviato_il
		FROM controllo_esito e JOIN operatore o ON o.id = e.finalizzato_da
		WHERE e.richiesta_id = $1 ORDER BY e.id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("controlli: esiti: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (EsitoFinale, error) {
		var e EsitoFinale
		err := row.Scan(&e.ID, &e.RichiestaID, &e.Esito, &e.Motivazione, &e.DataEsito, &e.EntroTermine, &e.FinalizzatoDa,
			&e.FinalizzatoIl, &e.RettificaDi, &e.SegnalazioneID, &e.InvioID, &e.InviatoIl)
		return e, err
	})
}

// tocca bumps the request's versione after a write by operatore.
func tocca(ctx context.Context, tx pgx.Tx, id uuid.UUID, operatore uuid.UUID, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE controllo_richiesta SET versione = versione + 1, updated_by = $2, updated_at = $3 WHERE id = $1`,
		id, operatore, now)
	return err
}

func inserisciPeriodo(ctx context.Context, tx pgx.Tx, id uuid.UUID, comune int64, p Periodo, operatore uuid.UUID, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO controllo_periodo (richiesta_id, comune_id, comune_istat, comune_nome, iscrizione,
			cancellazione, fonte, registrato_da, registrato_il) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, comune, p.ComuneIstat, p.ComuneNome, p.Iscrizione, p.Cancellazione, p.Fonte, operatore, now)
	return err
}

func inserisciAssenza(ctx context.Context, tx pgx.Tx, id uuid.UUID, comune int64, a Assenza, operatore uuid.UUID, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO controllo_assenza (richiesta_id, comune_id, dal, al, motivi_salute, nota, registrato_da, registrato_il)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, comune, a.Dal, a.Al, a.MotiviSalute, a.Nota, operatore, now)
	return err
}

func inserisciDocumento(ctx context.Context, tx pgx.Tx, id uuid.UUID, comune int64, d Documento, operatore uuid.UUID, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO controllo_documento (richiesta_id, comune_id, tipo, estremi, data_documento, nota, registrato_da, registrato_il)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, comune, d.Tipo, d.Estremi, d.DataDocumento, d.Nota, operatore, now)
	return err
}

// tabelleVoci are the tables of what a comune records, by the form's name.
var tabelleVoci = map[string]string{"periodi": "controllo_periodo", "assenze": "controllo_assenza", "documenti": "controllo_documento"}

// elimina removes record n of kind (periodi, assenze, documenti) of request
// id recorded by comune; it reports whether there was one.
func elimina(ctx context.Context, tx pgx.Tx, tipo string, id uuid.UUID, n int64, comune int64) (bool, error) {
	t, ok := tabelleVoci[tipo]
	if !ok {
		return false, nil
	}
	tag, err := tx.Exec(ctx, `DELETE FROM `+t+` WHERE id = $1 AND richiesta_id = $2 AND comune_id = $3`, n, id, comune)
	return tag.RowsAffected() == 1, err
}

// comuneInstallazione finds a comune of the installation by ISTAT code or
// by name (case-insensitive, exact).
func comuneInstallazione(ctx context.Context, q database.Querier, chiave string) (int64, string, string, error) {
	var id int64
	var istat, nome string
	err := q.QueryRow(ctx, `SELECT id, codice_istat, denominazione FROM comune
		WHERE codice_istat = $1 OR lower(denominazione) = lower($1) ORDER BY id LIMIT 1`, chiave).Scan(&id, &istat, &nome)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", "", nil
	}
	return id, istat, nome, err
}

// comuneDi reads the ISTAT code and name of comune id.
func comuneDi(ctx context.Context, q database.Querier, id int64) (string, string, error) {
	var istat, nome string
	err := q.QueryRow(ctx, `SELECT codice_istat, denominazione FROM comune WHERE id = $1`, id).Scan(&istat, &nome)
	return istat, nome, err
}

// nuovaTappa forwards request id to comune: step n.
func nuovaTappa(ctx context.Context, tx pgx.Tx, id uuid.UUID, n int, da, a int64, operatore uuid.UUID, nota string, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO controllo_tappa (richiesta_id, n, da_comune_id, comune_id, inoltrata_da, inoltrata_il, nota_inoltro)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, n, da, a, operatore, now, nota)
	return err
}

// chiudiTappa closes step tappa with esito.
func chiudiTappa(ctx context.Context, tx pgx.Tx, tappa int64, esito string, operatore uuid.UUID, nota string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE controllo_tappa SET esito = $2, chiusa_da = $3, chiusa_il = $4, nota_chiusura = $5 WHERE id = $1`,
		tappa, esito, operatore, now, nota)
	return err
}

func impostaStato(ctx context.Context, tx pgx.Tx, id uuid.UUID, st Stato) error {
	_, err := tx.Exec(ctx, `UPDATE controllo_richiesta SET stato = $2 WHERE id = $1`, id, st)
	return err
}

// inserisciEsito writes a finalised esito and returns its id.
func inserisciEsito(ctx context.Context, tx pgx.Tx, e EsitoFinale, valutazione []byte, operatore uuid.UUID, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO controllo_esito (richiesta_id, esito, motivazione, valutazione, data_esito, entro_termine,
			finalizzato_da, finalizzato_il, rettifica_di, segnalazione_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.RichiestaID, e.Esito, e.Motivazione, valutazione, e.DataEsito, e.EntroTermine, operatore, now, e.RettificaDi, e.SegnalazioneID).Scan(&id)
	return id, err
}
