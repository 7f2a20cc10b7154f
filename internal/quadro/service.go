package quadro

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
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
	m    schede.Modulo[casi.Caso, Contenuto, Riferimenti, Scheda]
}

// NewService returns the service; case scope and reads go through cs,
// every write to reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	s := &Service{pool: pool, reg: reg, casi: cs, now: time.Now}
	s.m = schede.Modulo[casi.Caso, Contenuto, Riferimenti, Scheda]{Casi: cs, Pool: pool, Tipo: Tipo, Oggetto: OggettoTipo,
		Errori: schede.Errori{NonTrovata: ErrNonTrovata, Chiuso: ErrChiuso, NessunaBozza: ErrNessunaBozza, BozzaEsistente: ErrBozzaEsistente},
		Riferimenti: func(ctx context.Context, q schede.Querier) (Riferimenti, error) {
			return CaricaRiferimenti(ctx, q, s.oggi())
		},
		Etichetta: func(rif Riferimenti, c Contenuto) func(string) string { return Etichettatore(rif, c) },
		Scheda:    s.scheda,
	}
	return s
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
	c, err := schede.Decodifica[Contenuto](v)
	return Versione{Versione: v, Contenuto: c}, err
}

// Corrente returns the newest version for p (none: Versione is nil),
// recording the read; a case p may not reach is casi.ErrNotFound (recorded).
func (s *Service) Corrente(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	return s.m.Corrente(ctx, p, casoID, v)
}

// Leggi returns version numero for p, recording the read.
func (s *Service) Leggi(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (Scheda, error) {
	return s.m.Leggi(ctx, p, casoID, numero, v)
}

func (s *Service) scheda(ctx context.Context, c casi.Caso, vs []schede.Versione, numero int) (Scheda, error) {
	sc := Scheda{Caso: c, Versioni: vs, Oggi: s.oggi()}
	var err error
	if sc.Riferimenti, err = CaricaRiferimenti(ctx, s.pool, sc.Oggi); err != nil {
		return Scheda{}, err
	}
	if sc.Versione, err = schede.Scegli(vs, numero, decodifica, ErrNonTrovata); err != nil {
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
	sc, err := s.m.Corrente(ctx, p, casoID, v)
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

// Apri starts the case's quadro: version 1, a draft with the members of
// the nucleo. The case must have reached it (ErrNonAttivato); when it has
// a quadro already, that is returned unchanged.
func (s *Service) Apri(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (schede.Versione, error) {
	return s.m.Inizia(ctx, p, casoID, v, "quadro di analisi già iniziato",
		func(ctx context.Context, tx pgx.Tx, c casi.Caso) (Contenuto, string, error) {
			var cont Contenuto
			if !attivabile(c.Stato) {
				return cont, "", ErrNonAttivato
			}
			var err error
			cont.Persone, err = membri(ctx, tx, c.NucleoID)
			return cont, "bozza iniziata (versione 1)", err
		})
}

// Salva writes what was typed (modifica) into the draft, loaded at
// revisione: when someone saved since, nothing is written and the error is
// a *schede.Conflitto with their changes. Nothing is required in a draft.
func (s *Service) Salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, error) {
	ver, _, err := s.salva(ctx, p, casoID, revisione, modifica, v)
	return ver, err
}

func (s *Service) salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Salva(ctx, p, casoID, revisione, modifica, v, schede.Passi[casi.Caso, Contenuto, Riferimenti]{})
}

// Valida checks a content before it is finalised.
func Valida(c Contenuto, rif Riferimenti, oggi time.Time) httpx.FieldErrors {
	errs := httpx.FieldErrors{}
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
func (s *Service) Finalizza(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Finalizza(ctx, p, casoID, revisione, modifica, v, schede.Passi[casi.Caso, Contenuto, Riferimenti]{
		Controlla: func(_ context.Context, _ pgx.Tx, _ casi.Caso, cont *Contenuto, rif Riferimenti) (httpx.FieldErrors, error) {
			return Valida(*cont, rif, s.oggi()), nil
		},
		Dopo: func(ctx context.Context, tx pgx.Tx, c casi.Caso, ver schede.Versione, cont Contenuto, rif Riferimenti) (string, error) {
			op := p.OperatoreID
			nota := fmt.Sprintf("Quadro di analisi, versione %d, finalizzato: %d dimensioni prioritarie", ver.Numero, len(priorita(cont, rif)))
			if c.Stato != casi.QdAInCorso {
				return "", casi.Storico(ctx, tx, c.ID, &op, "quadro_analisi", "", "", nota)
			}
			if _, err := tx.Exec(ctx, `UPDATE caso SET stato = 'progettazione', versione = versione + 1, updated_at = now() WHERE id = $1`, c.ID); err != nil {
				return "", fmt.Errorf("quadro: stato del caso: %w", err)
			}
			return "", casi.Storico(ctx, tx, c.ID, &op, "stato", string(c.Stato), string(casi.Progettazione), nota)
		},
	})
}

// Riapri creates the next version, a draft copied from the last finalised
// one with the members brought up to date; motivo is required.
func (s *Service) Riapri(ctx context.Context, p authz.Principal, casoID uuid.UUID, motivo string, v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Riapri(ctx, p, casoID, motivo, v, schede.Riapertura[casi.Caso, Contenuto]{
		Mancante: "Indica il motivo della riapertura.",
		Riallinea: func(ctx context.Context, tx pgx.Tx, c casi.Caso, cont *Contenuto) (bool, error) {
			attuali, err := membri(ctx, tx, c.NucleoID)
			if err != nil {
				return false, err
			}
			var cambiato bool
			*cont, cambiato = allinea(*cont, attuali)
			return cambiato, nil
		},
		Dopo: func(ctx context.Context, tx pgx.Tx, c casi.Caso, ver schede.Versione, motivo string) (string, error) {
			op := p.OperatoreID
			return fmt.Sprintf("riaperto: versione %d", ver.Numero), casi.Storico(ctx, tx, c.ID, &op, "quadro_analisi", "", "",
				fmt.Sprintf("Quadro di analisi riaperto: versione %d in bozza. Motivo: %s", ver.Numero, motivo))
		},
	})
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
