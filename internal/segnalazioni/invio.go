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
	if out.Invii, err = invii(ctx, s.pool, p); err != nil {
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
		voci, ambito, err := daEsportare(ctx, tx, p)
		if err != nil {
			return fmt.Errorf("segnalazioni: esporta: %w", err)
		}
		if len(voci) == 0 {
			return ErrNienteDaInviare
		}
		if inv.ID, err = nuovoInvio(ctx, tx); err != nil {
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
		if err := insertInvio(ctx, tx, inv, p, now); err != nil {
			return fmt.Errorf("segnalazioni: esporta: %w", err)
		}
		nota := fmt.Sprintf("Invio n. %d", inv.ID)
		for _, x := range voci {
			if err := segnaInviata(ctx, tx, x.id, inv.ID, now); err != nil {
				return fmt.Errorf("segnalazioni: esporta: %w", err)
			}
			if err := s.passaggio(ctx, tx, x.id, x.caso, x.numero, Approvata, Inviata, p.OperatoreID, nota); err != nil {
				return err
			}
			if x.rett != nil {
				n, err := segnaRettificata(ctx, tx, *x.rett, now)
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

// FileInvio returns export batch id of p's scope with its file, exactly as
// it was written; the download is recorded.
func (s *Service) FileInvio(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Invio, error) {
	var i Invio
	if !coordinatore(p) {
		return i, ErrNotFound
	}
	err := fileInvio(ctx, s.pool, p, id, &i)
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
