package segnalazioni

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/registro"
)

// The export for INPS: docs/formats/segnalazioni.md is the specification
// of the file RigaINPS writes; keep the two in step.

// VersioneTracciato is the version of the export's format.
const VersioneTracciato = 1

// RigaINPS is one line of the export file: one segnalazione.
type RigaINPS struct {
	VersioneTracciato    int            `json:"versione_tracciato"`
	IDInvio              int64          `json:"id_invio"`
	IDSegnalazione       string         `json:"id_segnalazione"`
	Numero               string         `json:"numero"`
	IDRettificata        *string        `json:"id_rettificata"`
	IDDomanda            string         `json:"id_domanda"`
	Misura               string         `json:"misura"`
	CodiceFiscale        string         `json:"codice_fiscale"`
	CodiceEvento         string         `json:"codice_evento"`
	RiferimentoNormativo string         `json:"riferimento_normativo"`
	Effetto              string         `json:"effetto"`
	DataEvento           string         `json:"data_evento"`
	DataAccertamento     string         `json:"data_accertamento"`
	ComuneISTAT          string         `json:"comune_istat"`
	Ambito               string         `json:"ambito"`
	Descrizione          string         `json:"descrizione"`
	Impegno              string         `json:"impegno"`
	Allegati             []AllegatoINPS `json:"allegati"`
	ApprovataDa          string         `json:"approvata_da"` // codice fiscale of the coordinatore
	ApprovataIl          string         `json:"approvata_il"` // RFC 3339, UTC
}

// AllegatoINPS describes an attachment in the export (not its content).
type AllegatoINPS struct {
	Nome       string `json:"nome"`
	Mime       string `json:"mime"`
	Dimensione int    `json:"dimensione"`
	SHA256     string `json:"sha256"`
}

// Invio is an export batch.
type Invio struct {
	ID        int64
	CreatoDa  string
	CreatoIl  time.Time
	NomeFile  string
	SHA256    []byte
	Numero    int
	Comune    string // "" for a batch of the whole ambito
	Contenuto []byte // only when downloaded
}

// SHA256Hex is the file's digest in hexadecimal.
func (i Invio) SHA256Hex() string { return hex.EncodeToString(i.SHA256) }

// Invii is the export page: how many wait, and the batches of p's scope.
type Invii struct {
	DaInviare int
	Scartate  int // refused by INPS, not rectified yet
	Invii     []Invio
}

// scopeInvioSQL restricts i (segnalazione_invio) to p's scope: an ambito
// coordinatore sees every batch of the ambito, a comune one only those of
// the comune.
func scopeInvioSQL(p authz.Principal, args []any) (string, []any) {
	args = append(args, *p.AmbitoID)
	w := fmt.Sprintf("i.ambito_id = $%d", len(args))
	if p.ComuneID != nil {
		args = append(args, *p.ComuneID)
		w += fmt.Sprintf(" AND i.comune_id = $%d", len(args))
	}
	return w, args
}

// Invii returns the export batches of p's scope, newest first (the last
// 100), and the number of approved segnalazioni waiting; recorded.
func (s *Service) Invii(ctx context.Context, p authz.Principal, v registro.Voce) (Invii, error) {
	var out Invii
	if !coordinatore(p) {
		return out, ErrNotFound
	}
	var err error
	if out.DaInviare, err = daInviare(ctx, s.pool, p); err != nil {
		return out, err
	}
	if out.Scartate, err = scartate(ctx, s.pool, p); err != nil {
		return out, err
	}
	where, args := scopeInvioSQL(p, nil)
	rows, err := s.pool.Query(ctx, `SELECT i.id, o.nome || ' ' || o.cognome, i.created_at, i.nome_file, i.sha256, i.numero,
			COALESCE(co.denominazione, '')
		FROM segnalazione_invio i JOIN operatore o ON o.id = i.created_by LEFT JOIN comune co ON co.id = i.comune_id
		WHERE `+where+` ORDER BY i.id DESC LIMIT 100`, args...)
	if err != nil {
		return out, fmt.Errorf("segnalazioni: invii: %w", err)
	}
	out.Invii, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Invio, error) {
		var i Invio
		err := r.Scan(&i.ID, &i.CreatoDa, &i.CreatoIl, &i.NomeFile, &i.SHA256, &i.Numero, &i.Comune)
		return i, err
	})
	if err != nil {
		return out, fmt.Errorf("segnalazioni: invii: %w", err)
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "segnalazione_invio", registro.Consentito
	v.Dettaglio = fmt.Sprintf("%d invii", len(out.Invii))
	return out, s.reg.Record(ctx, v)
}

// Esporta creates an export batch of every approved segnalazione of p's
// scope not yet sent: the file (docs/formats/segnalazioni.md) is stored
// with its SHA-256, the segnalazioni become inviata with the batch's id,
// and the segnalazioni they rectify become rettificata. Everything in one
// transaction, recorded. ErrNienteDaInviare when none waits.
func (s *Service) Esporta(ctx context.Context, p authz.Principal, v registro.Voce) (Invio, error) {
	var inv Invio
	if !coordinatore(p) {
		return inv, ErrNotFound
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		where, args := scopeSQL(p, "s", nil)
		// FOR UPDATE: a concurrent export waits, then skips what this one sent.
		rows, err := tx.Query(ctx, `
			SELECT s.id, s.caso_id, s.numero, s.rettifica_di, COALESCE(d.id_domanda, ''), d.misura, pe.codice_fiscale,
			       t.codice, t.riferimento_normativo, t.effetto, s.data_evento, s.data_accertamento, co.codice_istat, a.codice,
			       s.descrizione, s.impegno_testo, oa.codice_fiscale, s.approvata_il
			FROM segnalazione s
			JOIN caso ca ON ca.id = s.caso_id
			JOIN domanda d ON d.id = ca.domanda_id
			JOIN persona pe ON pe.id = s.persona_id
			JOIN segnalazione_tipo t ON t.id = s.tipo_id
			JOIN comune co ON co.id = s.comune_id
			JOIN ambito a ON a.id = s.ambito_id
			JOIN operatore oa ON oa.id = s.approvata_da
			WHERE `+where+` AND s.stato = 'approvata'
			ORDER BY s.numero
			FOR UPDATE OF s`, args...)
		if err != nil {
			return fmt.Errorf("segnalazioni: esporta: %w", err)
		}
		type voce struct {
			id, caso uuid.UUID
			numero   int
			rett     *uuid.UUID
			riga     RigaINPS
		}
		var voci []voce
		var ambito string
		for rows.Next() {
			var x voce
			var de, da time.Time
			var approvata time.Time
			r := &x.riga
			if err := rows.Scan(&x.id, &x.caso, &x.numero, &x.rett, &r.IDDomanda, &r.Misura, &r.CodiceFiscale,
				&r.CodiceEvento, &r.RiferimentoNormativo, &r.Effetto, &de, &da, &r.ComuneISTAT, &r.Ambito,
				&r.Descrizione, &r.Impegno, &r.ApprovataDa, &approvata); err != nil {
				rows.Close()
				return fmt.Errorf("segnalazioni: esporta: %w", err)
			}
			r.VersioneTracciato, r.IDSegnalazione, r.Numero = VersioneTracciato, x.id.String(), Codice(x.numero)
			if x.rett != nil {
				id := x.rett.String()
				r.IDRettificata = &id
			}
			r.DataEvento, r.DataAccertamento = de.Format(time.DateOnly), da.Format(time.DateOnly)
			r.ApprovataIl = approvata.UTC().Format(time.RFC3339)
			r.Allegati = []AllegatoINPS{}
			ambito = r.Ambito
			voci = append(voci, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("segnalazioni: esporta: %w", err)
		}
		if len(voci) == 0 {
			return ErrNienteDaInviare
		}
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('segnalazione_invio', 'id'))`).Scan(&inv.ID); err != nil {
			return fmt.Errorf("segnalazioni: esporta: %w", err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf) // one object per line, "\n"-terminated
		enc.SetEscapeHTML(false)
		for i := range voci {
			r := &voci[i].riga
			r.IDInvio = inv.ID
			if err := allegatiINPS(ctx, tx, voci[i].id, r); err != nil {
				return err
			}
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("segnalazioni: esporta: %w", err)
			}
		}
		now := s.now()
		sum := sha256.Sum256(buf.Bytes())
		inv.Contenuto, inv.SHA256, inv.Numero, inv.CreatoIl = buf.Bytes(), sum[:], len(voci), now
		inv.NomeFile = fmt.Sprintf("segnalazioni-%s-%06d.jsonl", ambito, inv.ID)
		if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_invio (id, ambito_id, comune_id, created_by, created_at, nome_file, contenuto, sha256, numero)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, inv.ID, *p.AmbitoID, p.ComuneID, p.OperatoreID, now, inv.NomeFile,
			inv.Contenuto, inv.SHA256, inv.Numero); err != nil {
			return fmt.Errorf("segnalazioni: esporta: %w", err)
		}
		nota := fmt.Sprintf("Invio n. %d", inv.ID)
		for _, x := range voci {
			if _, err := tx.Exec(ctx, `UPDATE segnalazione SET stato = 'inviata', invio_id = $2, inviata_il = $3,
				versione = versione + 1, updated_at = $3 WHERE id = $1`, x.id, inv.ID, now); err != nil {
				return fmt.Errorf("segnalazioni: esporta: %w", err)
			}
			if err := s.passaggio(ctx, tx, x.id, x.caso, x.numero, Approvata, Inviata, p.OperatoreID, nota); err != nil {
				return err
			}
			if x.rett != nil {
				var n int
				err := tx.QueryRow(ctx, `UPDATE segnalazione SET stato = 'rettificata', versione = versione + 1, updated_at = $2
					WHERE id = $1 AND stato = 'inviata' RETURNING numero`, *x.rett, now).Scan(&n)
				if err == nil {
					err = s.passaggio(ctx, tx, *x.rett, x.caso, n, Inviata, Rettificata, p.OperatoreID,
						"Rettificata da "+Codice(x.numero)+" ("+nota+")")
				}
				if err != nil && !errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("segnalazioni: rettificata: %w", err)
				}
			}
			rv := v
			rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.CasoID, rv.Esito = registro.Scrittura, oggettoTipo, x.id.String(), x.caso.String(), registro.Consentito
			rv.Dettaglio = nota
			if err := s.reg.RecordTx(ctx, tx, rv); err != nil {
				return err
			}
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Esportazione, "segnalazione_invio", fmt.Sprint(inv.ID), registro.Consentito
		rv.Dettaglio = fmt.Sprintf("%d segnalazioni", inv.Numero)
		return s.reg.RecordTx(ctx, tx, rv)
	})
	return inv, err
}

func allegatiINPS(ctx context.Context, tx pgx.Tx, id uuid.UUID, r *RigaINPS) error {
	rows, err := tx.Query(ctx, `SELECT nome, mime, dimensione, sha256 FROM segnalazione_allegato
		WHERE segnalazione_id = $1 ORDER BY caricato_il, nome`, id)
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	as, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AllegatoINPS, error) {
		var a AllegatoINPS
		var sum []byte
		err := r.Scan(&a.Nome, &a.Mime, &a.Dimensione, &sum)
		a.SHA256 = hex.EncodeToString(sum)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	r.Allegati = append(r.Allegati, as...)
	return nil
}

// FileInvio returns export batch id of p's scope with its file, exactly as
// it was written; the download is recorded.
func (s *Service) FileInvio(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Invio, error) {
	var i Invio
	if !coordinatore(p) {
		return i, ErrNotFound
	}
	where, args := scopeInvioSQL(p, []any{id})
	err := s.pool.QueryRow(ctx, `SELECT i.id, o.nome || ' ' || o.cognome, i.created_at, i.nome_file, i.sha256, i.numero, i.contenuto
		FROM segnalazione_invio i JOIN operatore o ON o.id = i.created_by WHERE i.id = $1 AND `+where, args...).
		Scan(&i.ID, &i.CreatoDa, &i.CreatoIl, &i.NomeFile, &i.SHA256, &i.Numero, &i.Contenuto)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	} else if err != nil {
		return i, fmt.Errorf("segnalazioni: file: %w", err)
	}
	if rerr := s.recordCoord(ctx, v, registro.Esportazione, "segnalazione_invio", fmt.Sprint(id), uuid.Nil, err); rerr != nil {
		return i, rerr
	}
	return i, err
}
