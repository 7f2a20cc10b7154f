package quadro

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
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// OggettoTipo is the registro's name for the quadro di analisi.
const OggettoTipo = "quadro_analisi"

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

// Scheda is what the pages show: the case, the version asked for (nil: none
// yet), the reference lists and the versions.
type Scheda struct {
	Caso        casi.Caso
	Versione    *Versione
	Versioni    []schede.Versione // newest first
	Riferimenti Riferimenti
	Oggi        time.Time
}

// Bozza reports whether the version shown is a draft.
func (sc Scheda) Bozza() bool { return sc.Versione != nil && !sc.Versione.Definitiva() }

// Attivabile reports whether the quadro can be started: the analisi
// preliminare ended with esito C (the case is "QdA in corso") or the case
// went on from there.
func (sc Scheda) Attivabile() bool { return attivabile(sc.Caso.Stato) }

func attivabile(s casi.Stato) bool {
	switch s {
	case casi.QdAInCorso, casi.Progettazione, casi.PattoSottoscritto, casi.Monitoraggio:
		return true
	}
	return false
}

func decodifica(v schede.Versione) (Versione, error) {
	out := Versione{Versione: v}
	if len(v.Contenuto) > 0 {
		if err := json.Unmarshal(v.Contenuto, &out.Contenuto); err != nil {
			return out, fmt.Errorf("quadro: contenuto della versione %d: %w", v.Numero, err)
		}
	}
	return out, nil
}

// Corrente returns the newest version for p (none: Versione is nil),
// recording the read; a case p may not reach is casi.ErrNotFound (recorded).
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
		v.Dettaglio = strings.TrimPrefix(v.Dettaglio+fmt.Sprintf(", versione %d", numero), ", ")
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
	Scheda
	Prima, Dopo Versione
	Differenze  []schede.Differenza // labelled, values as shown
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
	d, err := schede.Differenze(out.Prima.Versione.Contenuto, out.Dopo.Versione.Contenuto, Etichettatore(sc.Riferimenti, out.Prima.Contenuto, out.Dopo.Contenuto))
	if err != nil {
		return Confronto{}, err
	}
	out.Differenze = Leggibili(sc.Riferimenti, d)
	return out, nil
}

// write runs fn in a transaction on the case locked for p (closed cases
// are read-only) and records the write; a case p may not reach is
// casi.ErrNotFound, and the refusal is recorded.
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
	switch {
	case errors.Is(err, schede.ErrNessunaBozza):
		err = ErrNessunaBozza
	case errors.Is(err, schede.ErrBozzaEsistente), errors.Is(err, schede.ErrNonDefinitiva):
		err = ErrBozzaEsistente
	case errors.Is(err, schede.ErrNonTrovata):
		err = ErrNonTrovata
	}
	return out, err
}

// Apri starts the case's quadro: version 1, a draft with the members of
// the nucleo. The case must have reached it (ErrNonAttivato); when it has
// a quadro already, that is returned unchanged.
func (s *Service) Apri(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (schede.Versione, error) {
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (schede.Versione, string, error) {
		if ver, err := schede.Ultima(ctx, tx, casoID, Tipo); err == nil {
			return ver, "quadro di analisi già iniziato", nil
		} else if !errors.Is(err, schede.ErrNonTrovata) {
			return ver, "", err
		}
		if !attivabile(c.Stato) {
			return schede.Versione{}, "", ErrNonAttivato
		}
		var cont Contenuto
		var err error
		if cont.Persone, err = membri(ctx, tx, c.NucleoID); err != nil {
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

// Salva writes what was typed (modifica) into the draft, loaded at
// revisione: when someone saved since, nothing is written and the error is
// a *schede.Conflitto with their changes. Nothing is required in a draft.
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

// FieldErrors are the Italian messages of the fields that stop a
// finalisation, by field name.
type FieldErrors map[string]string

func (e FieldErrors) Error() string { return "quadro: il quadro contiene errori" }

// Valida checks a content before it is finalised.
func Valida(c Contenuto, rif Riferimenti, oggi time.Time) FieldErrors {
	errs := FieldErrors{}
	n := 0
	check := func(campo, chi string, d Dimensione, v Valutazione) {
		if !v.Priorita {
			return
		}
		n++
		if v.Bisogno == "" {
			errs[campo+"-bisogno"] = chi + d.Etichetta + ": è prioritaria, indica il livello di bisogno."
		}
	}
	for _, d := range rif.Famiglia(c) {
		check(campoFamiglia(d.Codice), "", d, c.Famiglia[d.Codice])
	}
	for _, p := range c.Persone {
		if p.Uscito {
			continue
		}
		for _, d := range rif.DellaPersona(p, oggi) {
			check(campoPersona(p.PersonaID, d.Codice), p.Nominativo()+" — ", d, p.Dimensioni[d.Codice])
		}
	}
	if n == 0 {
		errs["priorita"] = "Indica almeno una dimensione prioritaria: sono il punto di partenza degli obiettivi del patto."
	}
	if strings.TrimSpace(c.Sintesi) == "" {
		errs["sintesi"] = "Scrivi la sintesi del quadro di analisi."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Finalizza validates the draft with what was typed (modifica, as in Salva)
// and freezes it. Errors in the content are returned field by field and
// nothing is written; a stale revisione is a *schede.Conflitto. A case "QdA
// in corso" moves to "progettazione" (domain.md §2.3).
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
		ver, err := schede.Finalizza(ctx, tx, casoID, Tipo, revisione, raw, "", p.OperatoreID, Etichettatore(rif, cont))
		if err != nil {
			return ver, "", err
		}
		op := p.OperatoreID
		nota := fmt.Sprintf("Quadro di analisi, versione %d, finalizzato: %d dimensioni prioritarie", ver.Numero, len(priorita(cont, rif)))
		if c.Stato == casi.QdAInCorso {
			if _, err := tx.Exec(ctx, `UPDATE caso SET stato = 'progettazione', versione = versione + 1, updated_at = now() WHERE id = $1`, c.ID); err != nil {
				return ver, "", fmt.Errorf("quadro: stato del caso: %w", err)
			}
			if err := casi.Storico(ctx, tx, c.ID, &op, "stato", string(c.Stato), string(casi.Progettazione), nota); err != nil {
				return ver, "", err
			}
		} else if err := casi.Storico(ctx, tx, c.ID, &op, "quadro_analisi", "", "", nota); err != nil {
			return ver, "", err
		}
		return ver, fmt.Sprintf("versione %d finalizzata", ver.Numero), nil
	})
	if len(errs) > 0 {
		return ver, errs, nil
	}
	return ver, nil, err
}

// Riapri creates the next version, a draft copied from the last finalised
// one with the members brought up to date; motivo is required.
func (s *Service) Riapri(ctx context.Context, p authz.Principal, casoID uuid.UUID, motivo string, v registro.Voce) (schede.Versione, FieldErrors, error) {
	if motivo = strings.TrimSpace(motivo); motivo == "" {
		return schede.Versione{}, FieldErrors{"motivo": "Indica il motivo della riapertura."}, nil
	} else if len([]rune(motivo)) > 2000 {
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
		if err := casi.Storico(ctx, tx, casoID, &op, "quadro_analisi", "", "",
			fmt.Sprintf("Quadro di analisi riaperto: versione %d in bozza. Motivo: %s", ver.Numero, motivo)); err != nil {
			return ver, "", err
		}
		return ver, fmt.Sprintf("riaperto: versione %d", ver.Numero), nil
	})
	return ver, nil, err
}

// Priorita returns the priority dimensions of the newest finalised version
// of the case's quadro (none: an empty list): the starting objectives of
// the patto. It checks nothing and records nothing: the caller has done
// casi.Access or casi.Lock for the case.
func (s *Service) Priorita(ctx context.Context, casoID uuid.UUID) ([]Priorita, error) {
	sv, err := schede.UltimaDefinitiva(ctx, s.pool, casoID, Tipo)
	if errors.Is(err, schede.ErrNonTrovata) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	ver, err := decodifica(sv)
	if err != nil {
		return nil, err
	}
	rif, err := CaricaRiferimenti(ctx, s.pool, s.oggi())
	if err != nil {
		return nil, err
	}
	return priorita(ver.Contenuto, rif), nil
}
