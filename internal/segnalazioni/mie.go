package segnalazioni

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// The case manager's segnalazioni to act on, across their cases
// (/casi/segnalazioni): the drafts not yet sent to approval, those the
// coordinatore refused (to correct and send again, or cancel) and those
// INPS refused that have no rectification yet. Only the open cases the case
// manager is assigned to, in their comune, as /casi lists them.

// DaRivedere is why a segnalazione waits for its case manager.
type DaRivedere string

const (
	DaCompletare  DaRivedere = "bozza"    // a draft not yet sent to approval
	DaCorreggere  DaRivedere = "respinta" // refused by the coordinatore
	DaRettificare DaRivedere = "scartata" // refused by INPS, no rectification yet
)

// Label says what the case manager is to do.
func (d DaRivedere) Label() string {
	switch d {
	case DaCompletare:
		return "Bozza da completare e inviare in approvazione"
	case DaCorreggere:
		return "Respinta dal coordinatore: correggila e inviala di nuovo, o annullala"
	case DaRettificare:
		return "Scartata da INPS: rettificala"
	}
	return string(d)
}

// RigaMia is a segnalazione in the case manager's list.
type RigaMia struct {
	ID         uuid.UUID
	CasoID     uuid.UUID
	Numero     int
	Caso       string // C-000123
	Tipo       string
	DataEvento time.Time
	Motivo     DaRivedere
	Nota       string    // the coordinatore's reason, or INPS's
	Dal        time.Time // since when it waits (last change)
}

// Codice is the segnalazione's number as quoted.
func (r RigaMia) Codice() string { return Codice(r.Numero) }

// Mie is a page of the case manager's segnalazioni to act on.
type Mie struct {
	Righe       []RigaMia
	Pagina      int
	AltrePagine bool
	Totale      int
}

// RiepilogoCaseManager counts p's segnalazioni to act on, for the home
// page (a count: no segnalazione is read); ok is false for another role.
func (s *Service) RiepilogoCaseManager(ctx context.Context, p authz.Principal) (n int, ok bool, err error) {
	if !casi.ConCasiPropri(p) {
		return 0, false, nil
	}
	n, err = contaDaRivedere(ctx, s.pool, p)
	return n, err == nil, err
}

// DaRivedere returns page pagina (from 1) of p's segnalazioni to act on,
// the longest waiting first; the read is recorded. Another role gets
// ErrNotFound.
func (s *Service) DaRivedere(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (Mie, error) {
	out := Mie{Pagina: max(pagina, 1)}
	if !casi.ConCasiPropri(p) {
		return out, ErrNotFound
	}
	var err error
	if out.Righe, err = daRivedere(ctx, s.pool, p, out.Pagina); err != nil {
		return out, fmt.Errorf("segnalazioni: da rivedere: %w", err)
	}
	out.Righe, out.AltrePagine = database.Taglia(out.Righe, DimensionePagina)
	if out.Totale, err = contaDaRivedere(ctx, s.pool, p); err != nil {
		return out, err
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoTipo, registro.Consentito
	v.Dettaglio = fmt.Sprintf("da rivedere: %d segnalazioni", len(out.Righe))
	return out, s.reg.Record(ctx, v)
}
