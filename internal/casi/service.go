package casi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
)

// Service is the case module's use cases.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	now  func() time.Time
}

// NewService returns the service; every access goes to reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service) *Service {
	return &Service{pool: pool, reg: reg, now: time.Now}
}

// SetClock replaces the clock (tests and the demo loader).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Now is the service's clock: the time the import engine stamps the
// households it writes with (SetClock moves both).
func (s *Service) Now() time.Time { return s.now() }

// Oggi is today's date in Europe/Rome, at midnight UTC: the civil date the
// deadlines are counted on.
func (s *Service) Oggi() time.Time { return Oggi(s.now()) }

// rome is calendario.Roma, by the name elenco.templ and riepilogo.go use.
var rome = calendario.Roma

// Oggi is the civil date of t in Europe/Rome, at midnight UTC.
func Oggi(t time.Time) time.Time { return calendario.Giorno(t) }

// MayReadContent reports whether p's role may read case content at all: only
// the case manager (domain.md §1.2); the row check is Access's.
func MayReadContent(p authz.Principal) bool { return p.Ruolo == authz.CaseManager }

// ConCasiPropri reports whether p acts as a case manager of a comune: the
// role with cases of its own, the open ones assigned to the operator in
// that comune (the /casi list, the home's counts, the cross-case lists).
func ConCasiPropri(p authz.Principal) bool { return MayReadContent(p) && p.ComuneID != nil }

// covers is the row-level rule for case content: the case manager assigned
// to the case, acting in a role whose scope includes the case's comune.
func covers(p authz.Principal, c Caso) bool {
	return MayReadContent(p) && c.CaseManagerID != nil && *c.CaseManagerID == p.OperatoreID &&
		p.Covers(c.AmbitoID, &c.ComuneID)
}

// Access returns the case for p to read its content, and records the access
// v describes (its Azione defaults to a read; OggettoTipo says which part of
// the case, e.g. "diario"). A case p may not reach is ErrNotFound, and the
// refusal is recorded too.
func (s *Service) Access(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (Caso, error) {
	c, err := load(ctx, s.pool, id, false)
	if v.Azione == "" {
		v.Azione = registro.Lettura
	}
	if v.OggettoTipo == "" {
		v.OggettoTipo = "caso"
	}
	if v.OggettoID == "" {
		v.OggettoID = id.String()
	}
	v.CasoID = id.String()
	if err == nil && !covers(p, c) {
		err = ErrNotFound
	}
	if errors.Is(err, ErrNotFound) {
		v.Esito, v.Dettaglio = registro.Rifiutato, v.Azione
		v.Azione = registro.Negato
	} else if err != nil {
		return Caso{}, err
	} else {
		v.Esito = registro.Consentito
	}
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return Caso{}, rerr
	}
	return c, err
}

// Lock returns the case locked for update inside tx, for p to write its
// content. The caller records the write with RecordTx in the same tx.
func (s *Service) Lock(ctx context.Context, tx pgx.Tx, p authz.Principal, id uuid.UUID) (Caso, error) {
	c, err := load(ctx, tx, id, true)
	if err != nil {
		return Caso{}, err
	}
	if !covers(p, c) {
		return Caso{}, ErrNotFound
	}
	return c, nil
}

// ScriviContenuto is a write on the content of case id by p, as every module
// writes: fn runs in a transaction on the case locked for p (Lock); on a
// closed case it does not run and the result is chiuso, the module's own
// error. The write is recorded in the registro in the same transaction,
// from v as fn completes it (the oggetto written, a detail). A case p may
// not reach is ErrNotFound, and the refusal is recorded (v's oggetto tipo,
// the case as oggetto).
func (s *Service) ScriviContenuto(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce, chiuso error,
	fn func(tx pgx.Tx, c Caso, w *registro.Voce) error) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.Lock(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !c.Aperto() {
			return chiuso
		}
		w := v
		if err := fn(tx, c, &w); err != nil {
			return err
		}
		w.Azione, w.Esito, w.CasoID = registro.Scrittura, registro.Consentito, id.String()
		return s.reg.RecordTx(ctx, tx, w)
	})
	if errors.Is(err, ErrNotFound) {
		v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, registro.Scrittura
		v.CasoID, v.OggettoID = id.String(), id.String()
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return rerr
		}
	}
	return err
}

// Get returns the case header with no scope check: for modules that have
// made their own (the coordinatore board checks Covers on anagrafica).
func (s *Service) Get(ctx context.Context, q database.Querier, id uuid.UUID) (Caso, error) {
	return load(ctx, q, id, false)
}

const header = `
	SELECT c.id, c.numero, c.domanda_id, c.nucleo_id, c.ambito_id, c.comune_id, co.denominazione,
	       c.case_manager_id, COALESCE(o.nome || ' ' || o.cognome, ''), c.assegnato_il, c.stato, c.origine, c.aperto_il,
	       d.misura, COALESCE(d.id_domanda, ''), d.data_domanda, d.data_pad, d.data_decorrenza, d.data_trasmissione,
	       d.stato_erogazione,
	       COALESCE(r.cognome || ' ' || r.nome, ''), COALESCE(r.codice_fiscale, ''),
	       c.t120_scadenza, c.t120_stato, c.t90_scadenza, c.t90_stato, c.urgenza, c.prossimo_appuntamento,
	       COALESCE(c.motivo_chiusura, ''), c.chiuso_il, c.versione
	FROM caso c
	JOIN comune co ON co.id = c.comune_id
	JOIN domanda d ON d.id = c.domanda_id
	LEFT JOIN operatore o ON o.id = c.case_manager_id
	LEFT JOIN LATERAL (
		SELECT p.cognome, p.nome, p.codice_fiscale
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', nc.id
		LIMIT 1) r ON true`

// ScanHeader scans a row selected with the columns of Header.
func ScanHeader(row pgx.Row) (Caso, error) {
	var c Caso
	var stato, misura string
	err := row.Scan(&c.ID, &c.Numero, &c.DomandaID, &c.NucleoID, &c.AmbitoID, &c.ComuneID, &c.Comune,
		&c.CaseManagerID, &c.CaseManager, &c.AssegnatoIl, &stato, &c.Origine, &c.ApertoIl,
		&misura, &c.IDDomanda, &c.DataDomanda, &c.DataPAD, &c.DataDecorrenza, &c.DataTrasmissione,
		&c.StatoErogazione, &c.Richiedente, &c.RichiedenteCF,
		&c.T120Scadenza, &c.T120Stato, &c.T90Scadenza, &c.T90Stato, &c.Urgenza, &c.ProssimoAppuntamento,
		&c.MotivoChiusura, &c.ChiusoIl, &c.Versione)
	c.Stato, c.Misura = Stato(stato), Misura(misura)
	return c, err
}

// Header is the SELECT … FROM … of a case header, for other modules' lists
// (add WHERE / ORDER BY / LIMIT); scan rows with ScanHeader.
func Header() string { return header }

func load(ctx context.Context, q database.Querier, id uuid.UUID, forUpdate bool) (Caso, error) {
	sql := header + ` WHERE c.id = $1`
	if forUpdate {
		sql += ` FOR UPDATE OF c`
	}
	c, err := ScanHeader(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Caso{}, ErrNotFound
	}
	if err != nil {
		return Caso{}, fmt.Errorf("casi: load: %w", err)
	}
	return c, nil
}

// Storico appends an event to the case's history inside tx.
func Storico(ctx context.Context, q database.Querier, casoID uuid.UUID, operatore *uuid.UUID, evento, da, a, nota string) error {
	_, err := q.Exec(ctx, `INSERT INTO caso_storico (caso_id, operatore_id, evento, da, a, nota) VALUES ($1, $2, $3, $4, $5, $6)`,
		casoID, operatore, evento, da, a, nota)
	if err != nil {
		return fmt.Errorf("casi: storico: %w", err)
	}
	return nil
}

// PortaInStato sets the workflow state of case id, as the workflow modules
// do when their step moves it (the demo loader, the tests); the case
// manager it needs past "ricevuto" must be assigned already.
func (s *Service) PortaInStato(ctx context.Context, id uuid.UUID, stato Stato) error {
	tag, err := s.pool.Exec(ctx, `UPDATE caso SET stato = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, id, string(stato))
	if err != nil {
		return fmt.Errorf("casi: porta in stato %s: %w", stato, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}
