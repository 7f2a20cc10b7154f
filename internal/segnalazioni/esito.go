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
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The outcome INPS returns for a sent segnalazione (domain.md §8.3,
// esito_inps; migration 000015): the coordinatore PaIS records it from the
// export batch's page or the segnalazione's page. A scartata one says why,
// and the case manager corrects it with a rectification. A recorded esito
// may be corrected: under optimistic locking, and every esito is also a row
// of the segnalazione's history, so nothing is silently overwritten.

// The values of an esito.
const (
	EsitoAcquisita = "acquisita"
	EsitoScartata  = "scartata"
)

// Esito is the outcome INPS returned for a sent segnalazione.
type Esito struct {
	Valore string     // "" (none yet), EsitoAcquisita or EsitoScartata
	Nota   string     // the reason INPS gave for a scarto (required), or a note
	Il     *time.Time // the day of the outcome
	Da     string     // who recorded it
}

// Registrato reports whether an esito has been recorded.
func (e Esito) Registrato() bool { return e.Valore != "" }

// Scartata reports whether INPS refused the segnalazione.
func (e Esito) Scartata() bool { return e.Valore == EsitoScartata }

// Label is the esito in Italian.
func (e Esito) Label() string { return esitoLabel(e.Valore) }

func esitoLabel(v string) string {
	switch v {
	case EsitoAcquisita:
		return "Acquisita da INPS"
	case EsitoScartata:
		return "Scartata da INPS"
	case "":
		return "In attesa di esito"
	}
	return v
}

// Kind is the colour of the esito's badge.
func (e Esito) Kind() string {
	switch e.Valore {
	case EsitoAcquisita:
		return "success"
	case EsitoScartata:
		return "danger"
	}
	return "secondary"
}

// AccettaEsito reports whether an esito may be recorded in state s: only
// for a segnalazione INPS received (inviata, or rettificata since).
func (s Stato) AccettaEsito() bool { return s == Inviata || s == Rettificata }

// EsitoInput is the esito form as typed.
type EsitoInput struct {
	Esito    string // acquisita | scartata
	Motivo   string // the reason of the scarto, or a note
	Data     string // yyyy-mm-dd; empty is today
	Versione string // the segnalazione's versione the page showed
}

// FromEsito is the form for correcting the esito e of a segnalazione at
// versione ver (today's date when none is recorded).
func FromEsito(e Esito, ver int, oggi time.Time) EsitoInput {
	in := EsitoInput{Esito: e.Valore, Motivo: e.Nota, Data: calendario.ISO(oggi), Versione: strconv.Itoa(ver)}
	if e.Il != nil {
		in.Data = calendario.ISO(*e.Il)
	}
	return in
}

// RegistraEsito records (or corrects) the esito INPS returned for
// segnalazione id, sent and in p's scope: acquisita, or scartata with the
// reason (required); the day is not in the future nor before the send. A
// stale versione is ErrConflict and nothing is written; a segnalazione
// not inviata or rettificata is ErrStato; errors of the form are
// httpx.FieldErrors. It returns the export batch the segnalazione went in (also
// with an error, when known). The esito, a row of the history and the
// write in the registro go in one transaction.
func (s *Service) RegistraEsito(ctx context.Context, p authz.Principal, id uuid.UUID, in EsitoInput, v registro.Voce) (int64, error) {
	if !coordinatore(p) {
		return 0, ErrNotFound
	}
	var invio int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var casoID uuid.UUID
		var ambito, comune int64
		var numero, ver int
		var st, valore, nota string
		var invioID *int64
		var inviata *time.Time
		var il *time.Time
		err := perEsito(ctx, tx, id, origineDi(p)).Scan(&casoID, &ambito, &comune, &numero, &st, &ver, &invioID, &inviata, &valore, &nota, &il)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && !p.Covers(ambito, &comune)) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("segnalazioni: esito: %w", err)
		}
		if invioID != nil {
			invio = *invioID
		}
		if strconv.Itoa(ver) != strings.TrimSpace(in.Versione) {
			return ErrConflict
		}
		stato := Stato(st)
		if !stato.AccettaEsito() || inviata == nil {
			return ErrStato
		}
		nuovo, fe := s.validaEsito(in, casi.Oggi(*inviata))
		if fe != nil {
			return fe
		}
		prima := Esito{Valore: valore, Nota: nota, Il: il}
		if prima.Valore == nuovo.Valore && prima.Nota == nuovo.Nota && il != nil && il.Equal(*nuovo.Il) {
			return httpx.FieldErrors{"esito": "Questo esito è già registrato, con lo stesso motivo e la stessa data: non c'è nulla da correggere."}
		}
		now := s.now()
		if err := registraEsito(ctx, tx, id, nuovo, p.OperatoreID, now); err != nil {
			return fmt.Errorf("segnalazioni: esito: %w", err)
		}
		storia := notaEsito(prima, nuovo)
		if err := passaggioEsito(ctx, tx, id, st, p.OperatoreID, now, storia); err != nil {
			return fmt.Errorf("segnalazioni: esito: %w", err)
		}
		if err := casi.Storico(ctx, tx, casoID, &p.OperatoreID, "segnalazione", stato.Label(),
			"Esito INPS: "+nuovo.Valore, Codice(numero)); err != nil {
			return err
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.CasoID, rv.Esito = registro.Scrittura, oggettoTipo, id.String(), casoID.String(), registro.Consentito
		rv.Dettaglio = "esito INPS: " + nuovo.Valore
		if prima.Registrato() {
			rv.Dettaglio = "correzione dell'esito INPS: " + prima.Valore + " → " + nuovo.Valore
		}
		return s.reg.RecordTx(ctx, tx, rv)
	})
	if errors.Is(err, ErrNotFound) {
		if rerr := s.recordCoord(ctx, v, registro.Scrittura, oggettoTipo, id.String(), uuid.Nil, err); rerr != nil {
			return 0, rerr
		}
	}
	return invio, err
}

// validaEsito checks the esito form of a segnalazione sent on day inviata.
func (s *Service) validaEsito(in EsitoInput, inviata time.Time) (Esito, httpx.FieldErrors) {
	fe := httpx.FieldErrors{}
	e := Esito{Valore: strings.TrimSpace(in.Esito), Nota: strings.TrimSpace(strings.ReplaceAll(in.Motivo, "\r\n", "\n"))}
	switch e.Valore {
	case EsitoAcquisita, EsitoScartata:
	case "":
		fe["esito"] = "Scegli l'esito comunicato da INPS: acquisita o scartata."
	default:
		fe["esito"] = "L'esito può essere soltanto «acquisita» o «scartata»."
	}
	switch {
	case e.Valore == EsitoScartata && e.Nota == "":
		fe["motivo_scarto"] = "Indica il motivo dello scarto comunicato da INPS: il case manager lo vedrà per correggere la segnalazione con una rettifica."
	case utf8.RuneCountInString(e.Nota) > MaxMotivo:
		fe["motivo_scarto"] = fmt.Sprintf("Il testo supera i %d caratteri: riassumilo.", MaxMotivo)
	}
	oggi := s.oggi()
	d, ok := calendario.ParseData(in.Data)
	switch {
	case strings.TrimSpace(in.Data) == "":
		d = oggi
	case !ok:
		fe["data_esito"] = "La data dell'esito non è valida: usa il formato gg/mm/aaaa."
	case d.After(oggi):
		fe["data_esito"] = "La data dell'esito non può essere futura."
	case d.Before(inviata):
		fe["data_esito"] = "La data dell'esito non può precedere l'invio a INPS, del " + calendario.Data(inviata) + "."
	}
	e.Il = &d
	if len(fe) > 0 {
		return e, fe
	}
	return e, nil
}

// notaEsito is the history's note of an esito recorded over prima.
func notaEsito(prima, nuovo Esito) string {
	n := "Esito INPS: " + nuovo.Valore + ", comunicato il " + calendario.Data(*nuovo.Il)
	if prima.Registrato() {
		was := prima.Valore
		if prima.Il != nil {
			was += " del " + calendario.Data(*prima.Il)
		}
		n = "Esito INPS corretto (prima: " + was + "). " + n
	}
	if nuovo.Nota != "" {
		n += " — " + nuovo.Nota
	}
	return n
}

// RigaInvio is a sent segnalazione as the batch page and the list of the
// scartate show it: no member's name, no content (docs/roles.md).
type RigaInvio struct {
	ID             uuid.UUID
	Numero         int
	Versione       int
	Stato          Stato
	Caso           string // C-000123
	Comune         string
	Tipo           string
	Effetto        Effetto
	DataEvento     time.Time
	RettificaDiNum int // the segnalazione it rectifies; 0 when it is not a rectification
	InvioID        int64
	InviataIl      time.Time
	Esito          Esito
}

// Codice is the segnalazione's number as quoted.
func (r RigaInvio) Codice() string { return Codice(r.Numero) }

// PaginaInvio is an export batch's page: its header and a page of the
// segnalazioni it carried, with their esito.
type PaginaInvio struct {
	Invio       Invio
	Righe       []RigaInvio
	Pagina      int
	AltrePagine bool
	Oggi        time.Time
	// The esiti of the whole batch (in scope): how many INPS acquired,
	// refused, and how many still wait.
	Acquisite, Scartate, InAttesa int
}

// Invio returns export batch id of p's scope with page pagina (from 1) of
// the segnalazioni it carried, by number; another scope's batch is
// ErrNotFound. The read (or its refusal) is recorded.
func (s *Service) Invio(ctx context.Context, p authz.Principal, id int64, pagina int, v registro.Voce) (PaginaInvio, error) {
	out := PaginaInvio{Pagina: max(pagina, 1), Oggi: s.oggi()}
	if !coordinatore(p) {
		return out, ErrNotFound
	}
	err := invioDi(ctx, s.pool, p, id, &out.Invio)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	} else if err != nil {
		return out, fmt.Errorf("segnalazioni: invio: %w", err)
	}
	if err == nil {
		out.Righe, err = righeDellInvio(ctx, s.pool, p, id, out.Pagina)
		if err != nil {
			return out, fmt.Errorf("segnalazioni: invio: %w", err)
		}
		out.Righe, out.AltrePagine = database.Taglia(out.Righe, DimensionePagina)
		if err := contaEsitiInvio(ctx, s.pool, p, id, &out); err != nil {
			return out, fmt.Errorf("segnalazioni: invio: %w", err)
		}
		v.Dettaglio = fmt.Sprintf("invio: %d segnalazioni, pagina %d", len(out.Righe), out.Pagina)
	}
	if rerr := s.recordCoord(ctx, v, registro.Lettura, "segnalazione_invio", fmt.Sprint(id), uuid.Nil, err); rerr != nil {
		return out, rerr
	}
	return out, err
}

// Scartate is a page of the segnalazioni INPS refused and not yet rectified.
type Scartate struct {
	Righe       []RigaInvio
	Pagina      int
	AltrePagine bool
	DaInviare   int
	Totale      int
}

// Scartate returns page pagina (from 1) of the segnalazioni of p's scope
// that INPS refused and that have no rectification yet, the oldest esito
// first; the read is recorded.
func (s *Service) Scartate(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (Scartate, error) {
	out := Scartate{Pagina: max(pagina, 1)}
	if !coordinatore(p) {
		return out, ErrNotFound
	}
	var err error
	out.Righe, err = righeScartate(ctx, s.pool, p, out.Pagina)
	if err != nil {
		return out, fmt.Errorf("segnalazioni: scartate: %w", err)
	}
	out.Righe, out.AltrePagine = database.Taglia(out.Righe, DimensionePagina)
	if out.Totale, err = scartate(ctx, s.pool, p); err != nil {
		return out, err
	}
	if out.DaInviare, err = daInviare(ctx, s.pool, p); err != nil {
		return out, err
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoTipo, registro.Consentito
	v.Dettaglio = fmt.Sprintf("scartate da INPS: %d segnalazioni", len(out.Righe))
	return out, s.reg.Record(ctx, v)
}
