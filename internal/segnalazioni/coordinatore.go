package segnalazioni

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The coordinatore PaIS's side (domain.md §8.3): the approval queue of
// their scope, the decision on one segnalazione seeing only what the
// decision needs, and the export batches for INPS.

// DimensionePagina is the number of rows of a page of the queue.
const DimensionePagina = 25

// coordinatore reports whether p decides on segnalazioni: the coordinatore
// PaIS (of an ambito or a comune) on the case managers' ones, the
// coordinatore controlli of a comune on those the controlli drafted.
func coordinatore(p authz.Principal) bool {
	switch p.Ruolo {
	case authz.CoordinatorePaIS:
		return p.AmbitoID != nil
	case authz.CoordinatoreControlli:
		return p.AmbitoID != nil && p.ComuneID != nil
	}
	return false
}

// Origini of a segnalazione (column segnalazione.origine, migration 000017).
const (
	OrigineCaso      = "caso"      // drafted by the case manager
	OrigineControlli = "controlli" // drafted by the controlli anagrafici (CreaDaControlli)
)

// origineDi is the origine of the segnalazioni coordinatore p decides on:
// the coordinatore controlli those of the controlli, the coordinatore PaIS
// the others.
func origineDi(p authz.Principal) string {
	if p.Ruolo == authz.CoordinatoreControlli {
		return OrigineControlli
	}
	return OrigineCaso
}

// RigaCoda is a segnalazione waiting for approval, as the queue lists it:
// no member's name, no content.
type RigaCoda struct {
	ID               uuid.UUID
	Numero           int
	Caso             string // C-000123
	Comune           string
	Tipo             string
	Effetto          Effetto
	Rettifica        bool
	DataEvento       time.Time
	CaseManager      string
	InApprovazioneIl time.Time
}

// Coda is a page of the approval queue.
type Coda struct {
	Righe       []RigaCoda
	Pagina      int
	AltrePagine bool
	DaInviare   int    // approved, waiting for an export
	Scartate    int    // refused by INPS, not rectified yet
	Origine     string // of the segnalazioni listed: OrigineCaso or OrigineControlli
}

// Coda returns page pagina (from 1) of the segnalazioni in approvazione in
// p's scope, oldest first; the read is recorded.
func (s *Service) Coda(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (Coda, error) {
	c := Coda{Pagina: max(pagina, 1), Origine: origineDi(p)}
	if !coordinatore(p) {
		return c, ErrNotFound
	}
	var err error
	if c.Righe, err = coda(ctx, s.pool, p, c.Pagina); err != nil {
		return c, fmt.Errorf("segnalazioni: coda: %w", err)
	}
	c.Righe, c.AltrePagine = database.Taglia(c.Righe, DimensionePagina)
	if c.DaInviare, err = daInviare(ctx, s.pool, p); err != nil {
		return c, err
	}
	if c.Scartate, err = scartate(ctx, s.pool, p); err != nil {
		return c, err
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoTipo, registro.Consentito
	v.Dettaglio = fmt.Sprintf("coda di approvazione: %d segnalazioni", len(c.Righe))
	return c, s.reg.Record(ctx, v)
}

// Originale is, for a rectification, the sent segnalazione it rectifies.
type Originale struct {
	Numero           int
	Tipo             string
	DataEvento       time.Time
	DataAccertamento time.Time
	Descrizione      string
	InviataIl        *time.Time
}

// Decisione is ALL the coordinatore sees of a segnalazione (docs/roles.md,
// "What the coordinatore PaIS sees of a segnalazione"): what the decision
// needs and nothing else of the case. Adding a field here widens what the
// coordinatore sees: update docs/roles.md with it.
type Decisione struct {
	ID       uuid.UUID
	Numero   int
	Stato    Stato
	Versione int

	Caso      string // C-000123
	Comune    string
	Misura    casi.Misura
	IDDomanda string

	Componente    string // "Cognome Nome"
	CodiceFiscale string
	DataNascita   time.Time

	Tipo             Tipo
	ImpegnoTesto     string // only the impegno concerned, for a tipo about impegni
	DataEvento       time.Time
	DataAccertamento time.Time
	Descrizione      string
	Allegati         []Allegato
	RettificaDi      *Originale

	CaseManager      string // who drafted it: the case manager, or for origine controlli the responsabile
	Origine          string // OrigineCaso or OrigineControlli
	InApprovazioneIl *time.Time
	MotivoRifiuto    string
	ApprovataDa      string
	ApprovataIl      *time.Time
	InviataIl        *time.Time
	InvioID          *int64
	Esito            Esito // the outcome INPS returned, once sent
	Storia           []Passaggio
}

// Codice is the segnalazione's number as quoted.
func (d Decisione) Codice() string { return Codice(d.Numero) }

// recordCoord records an access of the coordinatore to segnalazione id.
func (s *Service) recordCoord(ctx context.Context, v registro.Voce, azione, oggetto, oggettoID string, casoID uuid.UUID, err error) error {
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = azione, oggetto, oggettoID, registro.Consentito
	if casoID != uuid.Nil {
		v.CasoID = casoID.String()
	}
	if errors.Is(err, ErrNotFound) {
		v.Esito, v.Dettaglio, v.Azione = registro.Rifiutato, azione, registro.Negato
	}
	return s.reg.Record(ctx, v)
}

// Decisione returns what the coordinatore sees of segnalazione id; the read
// (or its refusal) is recorded.
func (s *Service) Decisione(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Decisione, error) {
	if !coordinatore(p) {
		return Decisione{}, ErrNotFound
	}
	d, casoID, err := s.perDecisione(ctx, s.pool, p, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return d, err
	}
	if rerr := s.recordCoord(ctx, v, registro.Lettura, oggettoTipo, id.String(), casoID, err); rerr != nil {
		return d, rerr
	}
	return d, err
}

// AllegatoDecisione returns an attachment of a segnalazione p decides on;
// the download is recorded.
func (s *Service) AllegatoDecisione(ctx context.Context, p authz.Principal, id, allegato uuid.UUID, v registro.Voce) (Allegato, error) {
	if !coordinatore(p) {
		return Allegato{}, ErrNotFound
	}
	_, casoID, err := s.perDecisione(ctx, s.pool, p, id)
	var a Allegato
	if err == nil {
		a, err = leggiAllegato(ctx, s.pool, casoID, id, allegato)
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return a, err
	}
	if rerr := s.recordCoord(ctx, v, registro.Esportazione, oggettoAlleg, allegato.String(), casoID, err); rerr != nil {
		return a, rerr
	}
	return a, err
}

// decidi runs fn on segnalazione id locked for the coordinatore p, after
// checking scope, state (in approvazione) and versione; records the write.
func (s *Service) decidi(ctx context.Context, p authz.Principal, id uuid.UUID, versione string, v registro.Voce,
	fn func(tx pgx.Tx, casoID uuid.UUID, numero int) error) error {
	if !coordinatore(p) {
		return ErrNotFound
	}
	var casoID uuid.UUID
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var ambito, comune int64
		var numero, ver int
		var st string
		err := perDecidere(ctx, tx, id, origineDi(p), &casoID, &ambito, &comune, &numero, &st, &ver)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !p.Covers(ambito, &comune)) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("segnalazioni: decidi: %w", err)
		}
		if strconv.Itoa(ver) != strings.TrimSpace(versione) {
			return ErrConflict
		}
		if Stato(st) != InApprovazione {
			return ErrStato
		}
		if err := fn(tx, casoID, numero); err != nil {
			return err
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.CasoID, rv.Esito = registro.Scrittura, oggettoTipo, id.String(), casoID.String(), registro.Consentito
		return s.reg.RecordTx(ctx, tx, rv)
	})
	if errors.Is(err, ErrNotFound) {
		if rerr := s.recordCoord(ctx, v, registro.Scrittura, oggettoTipo, id.String(), uuid.Nil, err); rerr != nil {
			return rerr
		}
	}
	return err
}

// Approva approves a segnalazione in approvazione: it waits for the next
// export for INPS.
func (s *Service) Approva(ctx context.Context, p authz.Principal, id uuid.UUID, versione string, v registro.Voce) error {
	v.Dettaglio = "approvazione"
	return s.decidi(ctx, p, id, versione, v, func(tx pgx.Tx, casoID uuid.UUID, numero int) error {
		now := s.now()
		if err := approva(ctx, tx, id, p.OperatoreID, now); err != nil {
			return fmt.Errorf("segnalazioni: approva: %w", err)
		}
		return s.passaggio(ctx, tx, id, casoID, numero, InApprovazione, Approvata, p.OperatoreID, "")
	})
}

// Respingi refuses a segnalazione in approvazione with a motivo (required),
// which the case manager sees to correct it.
func (s *Service) Respingi(ctx context.Context, p authz.Principal, id uuid.UUID, versione, motivo string, v registro.Voce) error {
	motivo = strings.TrimSpace(strings.ReplaceAll(motivo, "\r\n", "\n"))
	switch {
	case motivo == "":
		return httpx.FieldErrors{"motivo": "Indica il motivo del rifiuto: il case manager lo vedrà per correggere la segnalazione."}
	case utf8.RuneCountInString(motivo) > MaxMotivo:
		return httpx.FieldErrors{"motivo": fmt.Sprintf("Il motivo supera i %d caratteri: riassumilo.", MaxMotivo)}
	}
	v.Dettaglio = "rifiuto"
	return s.decidi(ctx, p, id, versione, v, func(tx pgx.Tx, casoID uuid.UUID, numero int) error {
		if err := respingi(ctx, tx, id, motivo, s.now()); err != nil {
			return fmt.Errorf("segnalazioni: respingi: %w", err)
		}
		return s.passaggio(ctx, tx, id, casoID, numero, InApprovazione, Respinta, p.OperatoreID, motivo)
	})
}
