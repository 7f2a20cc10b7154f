package analisi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// OggettoTipo is the registro's name for the analisi preliminare.
const OggettoTipo = "analisi_preliminare"

// Service is the module's use cases.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	casi *casi.Service
	now  func() time.Time
}

// NewService returns the service; case scope and reads go through cs,
// every write to reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// Scheda is what the pages of the analisi show: the case, the version asked
// for (nil: the case has none yet), the reference lists and the versions.
type Scheda struct {
	Caso        casi.Caso
	Versione    *Versione
	Versioni    []schede.Versione // newest first
	Riferimenti Riferimenti
	Oggi        time.Time
}

// Bozza reports whether the version shown is a draft.
func (sc Scheda) Bozza() bool { return sc.Versione != nil && !sc.Versione.Definitiva() }

func decodifica(v schede.Versione) (Versione, error) {
	out := Versione{Versione: v}
	if len(v.Contenuto) > 0 {
		if err := json.Unmarshal(v.Contenuto, &out.Contenuto); err != nil {
			return out, fmt.Errorf("analisi: contenuto della versione %d: %w", v.Numero, err)
		}
	}
	return out, nil
}

// Corrente returns the newest version of the case's analisi for p (none:
// Scheda.Versione is nil), recording the read. A case p may not reach is
// casi.ErrNotFound, and the refusal is recorded.
func (s *Service) Corrente(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	return s.scheda(ctx, p, casoID, 0, v)
}

// Leggi returns version numero for p, recording the read.
func (s *Service) Leggi(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (Scheda, error) {
	if numero < 1 {
		return Scheda{}, ErrNonTrovata
	}
	return s.scheda(ctx, p, casoID, numero, v)
}

func (s *Service) scheda(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (Scheda, error) {
	v.OggettoTipo = OggettoTipo
	if numero > 0 {
		d := fmt.Sprintf("versione %d", numero)
		if v.Dettaglio != "" {
			d = v.Dettaglio + ", " + d
		}
		v.Dettaglio = d
	}
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Scheda{}, err
	}
	sc := Scheda{Caso: c, Oggi: s.oggi()}
	if sc.Riferimenti, err = CaricaRiferimenti(ctx, s.pool, sc.Oggi); err != nil {
		return Scheda{}, err
	}
	if sc.Versioni, err = schede.Elenco(ctx, s.pool, casoID, Tipo); err != nil {
		return Scheda{}, err
	}
	if sc.Versione, err = schede.Scegli(sc.Versioni, numero, decodifica, ErrNonTrovata); err != nil {
		return Scheda{}, err
	}
	return sc, nil
}

// Confronto is the difference between two versions.
type Confronto struct {
	Scheda     // Versione is the newer of the two
	Prima      Versione
	Dopo       Versione
	Differenze []schede.Differenza // labelled, values as shown
}

// Confronta returns what changed from version a to version b for p,
// recording the read.
func (s *Service) Confronta(ctx context.Context, p authz.Principal, casoID uuid.UUID, a, b int, v registro.Voce) (Confronto, error) {
	v.Dettaglio = fmt.Sprintf("confronto delle versioni %d e %d", a, b)
	sc, err := s.scheda(ctx, p, casoID, 0, v)
	if err != nil {
		return Confronto{}, err
	}
	out := Confronto{Scheda: sc}
	if out.Prima, out.Dopo, err = schede.Coppia(sc.Versioni, a, b, decodifica, ErrNonTrovata); err != nil {
		return Confronto{}, err
	}
	et := Etichettatore(sc.Riferimenti, out.Prima.Contenuto, out.Dopo.Contenuto)
	d, err := schede.Differenze(out.Prima.Versione.Contenuto, out.Dopo.Versione.Contenuto, et)
	if err != nil {
		return Confronto{}, err
	}
	out.Differenze = Leggibili(sc.Riferimenti, d)
	return out, nil
}

// write runs fn in a transaction on the case locked for p (closed cases
// are read-only), then records the write in the registro; a case p may not
// reach is casi.ErrNotFound, and the refusal is recorded.
func (s *Service) write(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c casi.Caso) (schede.Versione, string, error)) (schede.Versione, error) {
	var out schede.Versione
	v.OggettoTipo = OggettoTipo
	err := s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) (err error) {
		if out, w.Dettaglio, err = fn(tx, c); err != nil {
			return err
		}
		w.OggettoID = out.ID.String()
		return nil
	})
	return out, mapErr(err)
}

func mapErr(err error) error {
	switch {
	case errors.Is(err, schede.ErrNessunaBozza):
		return ErrNessunaBozza
	case errors.Is(err, schede.ErrBozzaEsistente), errors.Is(err, schede.ErrNonDefinitiva):
		return ErrBozzaEsistente
	case errors.Is(err, schede.ErrNonTrovata):
		return ErrNonTrovata
	}
	return err
}

// Apri starts the case's analisi preliminare: version 1, a draft pre-filled
// from what the case already knows (members, measure, contacts). When the
// case has one already, it is returned unchanged.
func (s *Service) Apri(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (schede.Versione, error) {
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (schede.Versione, string, error) {
		if ver, err := schede.Ultima(ctx, tx, casoID, Tipo); err == nil {
			return ver, "analisi preliminare già iniziata", nil
		} else if !errors.Is(err, schede.ErrNonTrovata) {
			return ver, "", err
		}
		cont, err := precompila(ctx, tx, c)
		if err != nil {
			return schede.Versione{}, "", err
		}
		raw, err := json.Marshal(cont)
		if err != nil {
			return schede.Versione{}, "", err
		}
		ver, err := schede.NuovaBozza(ctx, tx, casoID, Tipo, raw, p.OperatoreID)
		return ver, "bozza iniziata (versione 1)", err
	})
}

// Salva writes the draft: modifica applies what was typed to the draft as
// it is now. revisione is the one the form was loaded at: when someone
// saved since, nothing is written and the error is a *schede.Conflitto
// with their changes. Nothing is required in a draft.
func (s *Service) Salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, error) {
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (schede.Versione, string, error) {
		cont, raw, rif, err := s.applica(ctx, tx, casoID, modifica)
		if err != nil {
			return schede.Versione{}, "", err
		}
		ver, err := schede.Salva(ctx, tx, casoID, Tipo, revisione, raw, p.OperatoreID, Etichettatore(rif, cont))
		return ver, fmt.Sprintf("bozza salvata (versione %d)", ver.Numero), err
	})
}

// applica loads the draft and applies modifica to it.
func (s *Service) applica(ctx context.Context, tx pgx.Tx, casoID uuid.UUID, modifica func(*Contenuto)) (Contenuto, []byte, Riferimenti, error) {
	rif, err := CaricaRiferimenti(ctx, tx, s.oggi())
	if err != nil {
		return Contenuto{}, nil, rif, err
	}
	cur, err := schede.Ultima(ctx, tx, casoID, Tipo)
	if err != nil {
		return Contenuto{}, nil, rif, err
	}
	if cur.Definitiva() {
		return Contenuto{}, nil, rif, ErrNessunaBozza
	}
	ver, err := decodifica(cur)
	if err != nil {
		return Contenuto{}, nil, rif, err
	}
	cont := ver.Contenuto
	if modifica != nil {
		modifica(&cont)
	}
	raw, err := json.Marshal(cont)
	return cont, raw, rif, err
}

// Finalizza validates the draft with what was typed (modifica, as in
// Salva) and freezes it. A content that cannot be finalised returns the
// Italian message of each field and writes nothing; a stale revisione is a
// *schede.Conflitto. Finalising moves the case per its esito (the
// analisi_esito row's stato_caso, domain.md §2.3) when it has not reached
// the patto yet, records the invio al CPI of the members marked for it on
// the nucleo (the deadlines follow), and writes the case's history.
func (s *Service) Finalizza(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, FieldErrors, error) {
	var errs FieldErrors
	ver, err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (schede.Versione, string, error) {
		cont, raw, rif, err := s.applica(ctx, tx, casoID, modifica)
		if err != nil {
			return schede.Versione{}, "", err
		}
		if errs = Valida(cont, rif, s.oggi()); len(errs) > 0 {
			return schede.Versione{}, "", errs
		}
		ver, err := schede.Finalizza(ctx, tx, casoID, Tipo, revisione, raw, cont.Esito, p.OperatoreID, Etichettatore(rif, cont))
		if err != nil {
			return ver, "", err
		}
		if err := s.conseguenze(ctx, tx, p, c, ver, cont, rif); err != nil {
			return ver, "", err
		}
		return ver, fmt.Sprintf("versione %d finalizzata con esito %s", ver.Numero, cont.Esito), nil
	})
	if len(errs) > 0 {
		return ver, errs, nil
	}
	return ver, nil, err
}

// statiMobili are the states the esito moves a case from: before the patto.
// Once the patto is signed (or the case is suspended) a new version of the
// analisi is recorded without moving the case back.
var statiMobili = map[casi.Stato]bool{
	casi.Ricevuto: true, casi.Assegnato: true, casi.Convocato: true, casi.InValutazione: true,
	casi.QdAInCorso: true, casi.Progettazione: true,
}

// conseguenze applies a finalised version to the case.
func (s *Service) conseguenze(ctx context.Context, tx pgx.Tx, p authz.Principal, c casi.Caso, ver schede.Versione, cont Contenuto, rif Riferimenti) error {
	op := p.OperatoreID
	cambiato := false
	nota := fmt.Sprintf("Analisi preliminare, versione %d, finalizzata con esito %s", ver.Numero, cont.Esito)
	esito, _ := rif.Esiti.Get(cont.Esito)
	if a := casi.Stato(esito.StatoCaso); a != "" && a != c.Stato && statiMobili[c.Stato] {
		if _, err := tx.Exec(ctx, `UPDATE caso SET stato = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, c.ID, string(a)); err != nil {
			return fmt.Errorf("analisi: stato del caso: %w", err)
		}
		if err := casi.Storico(ctx, tx, c.ID, &op, "stato", string(c.Stato), string(a), nota); err != nil {
			return err
		}
		cambiato = true
	} else if err := casi.Storico(ctx, tx, c.ID, &op, "analisi_preliminare", "", "", nota); err != nil {
		return err
	}
	for _, m := range cont.Componenti {
		if !m.InvioCPI || m.Uscito {
			continue
		}
		pid, ok := uuidOf(m.PersonaID)
		if !ok {
			continue
		}
		d, _ := parseData(m.DataInvioCPI)
		tag, err := tx.Exec(ctx, `UPDATE nucleo_componente SET inviato_cpi_il = $3
			WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL AND inviato_cpi_il IS DISTINCT FROM $3`, c.NucleoID, pid, d)
		if err != nil {
			return fmt.Errorf("analisi: invio al CPI: %w", err)
		}
		if tag.RowsAffected() == 0 {
			continue
		}
		if err := casi.Storico(ctx, tx, c.ID, &op, "componente", "", "",
			m.Nominativo()+": inviato al CPI il "+d.Format("02/01/2006")+" (analisi preliminare)"); err != nil {
			return err
		}
		if !cambiato {
			if _, err := tx.Exec(ctx, `UPDATE caso SET versione = versione + 1, updated_at = now() WHERE id = $1`, c.ID); err != nil {
				return fmt.Errorf("analisi: caso: %w", err)
			}
			cambiato = true
		}
	}
	return s.casi.Aggiorna(ctx, tx, c.ID)
}

// Riapri creates the next version, a draft copied from the last finalised
// one (the members joined or left since are brought up to date); motivo is
// required.
func (s *Service) Riapri(ctx context.Context, p authz.Principal, casoID uuid.UUID, motivo string, v registro.Voce) (schede.Versione, FieldErrors, error) {
	if motivo = strings.TrimSpace(motivo); motivo == "" {
		return schede.Versione{}, FieldErrors{"motivo": "Indica il motivo della riapertura."}, nil
	}
	if len([]rune(motivo)) > 2000 {
		return schede.Versione{}, FieldErrors{"motivo": "Il motivo non può superare i 2000 caratteri."}, nil
	}
	ver, err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (schede.Versione, string, error) {
		ver, err := schede.Riapri(ctx, tx, casoID, Tipo, motivo, p.OperatoreID)
		if err != nil {
			return ver, "", err
		}
		dec, err := decodifica(ver)
		if err != nil {
			return ver, "", err
		}
		attuali, err := membri(ctx, tx, c.NucleoID)
		if err != nil {
			return ver, "", err
		}
		if cont, ok := allinea(dec.Contenuto, attuali); ok {
			raw, err := json.Marshal(cont)
			if err != nil {
				return ver, "", err
			}
			if ver, err = schede.Salva(ctx, tx, casoID, Tipo, ver.Revisione, raw, p.OperatoreID, nil); err != nil {
				return ver, "", err
			}
		}
		op := p.OperatoreID
		if err := casi.Storico(ctx, tx, casoID, &op, "analisi_preliminare", "", "",
			fmt.Sprintf("Analisi preliminare riaperta: versione %d in bozza. Motivo: %s", ver.Numero, motivo)); err != nil {
			return ver, "", err
		}
		return ver, fmt.Sprintf("riaperta: versione %d", ver.Numero), nil
	})
	return ver, nil, err
}

// SezioniEstratto renders each section of the newest version of the case's
// analisi preliminare (the draft, if there is one) as plain text, for the
// équipe's extract. It checks nothing and records nothing: the caller has
// done casi.Access or casi.Lock for the case. A case with no analisi is
// ErrNonTrovata.
func (s *Service) SezioniEstratto(ctx context.Context, casoID uuid.UUID) ([]Sezione, error) {
	return sezioniEstratto(ctx, s.pool, casoID, s.oggi())
}

func sezioniEstratto(ctx context.Context, q database.Querier, casoID uuid.UUID, oggi time.Time) ([]Sezione, error) {
	sv, err := schede.Ultima(ctx, q, casoID, Tipo)
	if err != nil {
		return nil, mapErr(err)
	}
	ver, err := decodifica(sv)
	if err != nil {
		return nil, err
	}
	rif, err := CaricaRiferimenti(ctx, q, oggi)
	if err != nil {
		return nil, err
	}
	return Testo(ver.Contenuto, rif, oggi), nil
}
