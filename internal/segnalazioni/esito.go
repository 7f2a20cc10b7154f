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
		err := tx.QueryRow(ctx, `SELECT caso_id, ambito_id, comune_id, numero, stato, versione, invio_id, inviata_il,
				esito_inps, esito_inps_nota, esito_inps_il
			FROM segnalazione WHERE id = $1 AND in_approvazione_dal IS NOT NULL FOR UPDATE`, id).
			Scan(&casoID, &ambito, &comune, &numero, &st, &ver, &invioID, &inviata, &valore, &nota, &il)
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
		if _, err := tx.Exec(ctx, `UPDATE segnalazione SET esito_inps = $2, esito_inps_nota = $3, esito_inps_il = $4,
				esito_inps_da = $5, versione = versione + 1, updated_at = $6
			WHERE id = $1`, id, nuovo.Valore, nuovo.Nota, *nuovo.Il, p.OperatoreID, now); err != nil {
			return fmt.Errorf("segnalazioni: esito: %w", err)
		}
		storia := notaEsito(prima, nuovo)
		if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_stato (segnalazione_id, da, a, operatore_id, quando, nota)
			VALUES ($1, $2, $2, $3, $4, $5)`, id, st, p.OperatoreID, now, storia); err != nil {
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

const colonneRiga = `
	SELECT s.id, s.numero, s.versione, s.stato, ca.numero, co.denominazione, t.etichetta, t.effetto, s.data_evento,
	       COALESCE(r.numero, 0), s.invio_id, s.inviata_il, s.esito_inps, s.esito_inps_nota, s.esito_inps_il,
	       COALESCE(oe.nome || ' ' || oe.cognome, '')
	FROM segnalazione s
	JOIN caso ca ON ca.id = s.caso_id
	JOIN comune co ON co.id = s.comune_id
	JOIN segnalazione_tipo t ON t.id = s.tipo_id
	LEFT JOIN segnalazione r ON r.id = s.rettifica_di
	LEFT JOIN operatore oe ON oe.id = s.esito_inps_da`

func righeInvio(ctx context.Context, q database.Querier, sql string, args ...any) ([]RigaInvio, error) {
	rows, err := q.Query(ctx, colonneRiga+sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaInvio, error) {
		var x RigaInvio
		var caso int64
		var st, eff string
		err := r.Scan(&x.ID, &x.Numero, &x.Versione, &st, &caso, &x.Comune, &x.Tipo, &eff, &x.DataEvento,
			&x.RettificaDiNum, &x.InvioID, &x.InviataIl, &x.Esito.Valore, &x.Esito.Nota, &x.Esito.Il, &x.Esito.Da)
		x.Stato, x.Effetto, x.Caso = Stato(st), Effetto(eff), casi.Caso{Numero: caso}.Codice()
		return x, err
	})
}

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
	where, args := scopeInvioSQL(p, []any{id})
	err := s.pool.QueryRow(ctx, `SELECT i.id, o.nome || ' ' || o.cognome, i.created_at, i.nome_file, i.sha256, i.numero,
			COALESCE(co.denominazione, '')
		FROM segnalazione_invio i JOIN operatore o ON o.id = i.created_by LEFT JOIN comune co ON co.id = i.comune_id
		WHERE i.id = $1 AND `+where, args...).
		Scan(&out.Invio.ID, &out.Invio.CreatoDa, &out.Invio.CreatoIl, &out.Invio.NomeFile, &out.Invio.SHA256, &out.Invio.Numero, &out.Invio.Comune)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNotFound
	} else if err != nil {
		return out, fmt.Errorf("segnalazioni: invio: %w", err)
	}
	if err == nil {
		sw, sargs := scopeSQL(p, "s", []any{id})
		out.Righe, err = righeInvio(ctx, s.pool, ` WHERE s.invio_id = $1 AND `+sw+` ORDER BY s.numero
			`+database.Pagina(out.Pagina, DimensionePagina), sargs...)
		if err != nil {
			return out, fmt.Errorf("segnalazioni: invio: %w", err)
		}
		out.Righe, out.AltrePagine = database.Taglia(out.Righe, DimensionePagina)
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE s.esito_inps = 'acquisita'),
				count(*) FILTER (WHERE s.esito_inps = 'scartata'), count(*) FILTER (WHERE s.esito_inps = '')
			FROM segnalazione s WHERE s.invio_id = $1 AND `+sw, sargs...).Scan(&out.Acquisite, &out.Scartate, &out.InAttesa); err != nil {
			return out, fmt.Errorf("segnalazioni: invio: %w", err)
		}
		v.Dettaglio = fmt.Sprintf("invio: %d segnalazioni, pagina %d", len(out.Righe), out.Pagina)
	}
	if rerr := s.recordCoord(ctx, v, registro.Lettura, "segnalazione_invio", fmt.Sprint(id), uuid.Nil, err); rerr != nil {
		return out, rerr
	}
	return out, err
}

// scartateSQL selects the segnalazioni INPS refused that nobody has
// rectified yet: still inviata, and no rectification (not annulled) has
// reached the coordinatore. A rectification still in bozza is the case
// manager's only, so it does not count here.
const scartateSQL = `s.esito_inps = 'scartata' AND s.stato = 'inviata' AND NOT EXISTS (
	SELECT 1 FROM segnalazione x WHERE x.rettifica_di = s.id AND x.stato <> 'annullata' AND x.in_approvazione_dal IS NOT NULL)`

func scartate(ctx context.Context, q database.Querier, p authz.Principal) (int, error) {
	where, args := scopeSQL(p, "s", nil)
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM segnalazione s WHERE `+where+` AND `+scartateSQL, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("segnalazioni: scartate: %w", err)
	}
	return n, nil
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
	where, args := scopeSQL(p, "s", nil)
	var err error
	out.Righe, err = righeInvio(ctx, s.pool, ` WHERE `+where+` AND `+scartateSQL+` ORDER BY s.esito_inps_il, s.numero
		`+database.Pagina(out.Pagina, DimensionePagina), args...)
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
