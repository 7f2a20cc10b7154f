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
	casi *casi.Service
	m    schede.Modulo[casi.Caso, Contenuto, Riferimenti, Scheda]
}

// NewService returns the service; case scope, reads and the registro go
// through cs (reg is kept in the signature of every module's service).
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, casi: cs, m: schede.Modulo[casi.Caso, Contenuto, Riferimenti, Scheda]{Casi: cs, Pool: pool,
		Tipo: Tipo, Oggetto: OggettoTipo, Errori: errori, Riferimenti: CaricaRiferimenti, Etichetta: Etichettatore, Leggibili: Leggibili,
		Vista: func(_ context.Context, sc schede.Scheda[casi.Caso, Contenuto, Riferimenti]) (Scheda, error) {
			return Scheda{sc}, nil
		}}}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.m.Ora = now }

func (s *Service) oggi() time.Time { return s.m.Oggi() }

// Scheda is what the pages show: the case, the version asked for (nil: none
// yet), the reference lists and the versions.
type Scheda struct {
	schede.Scheda[casi.Caso, Contenuto, Riferimenti]
}

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

// Confronto is the difference between two versions.
type Confronto = schede.Confronto[Scheda, Contenuto]

// Corrente returns the newest version for p (none: Versione is nil),
// recording the read; a case p may not reach is casi.ErrNotFound (recorded).
func (s *Service) Corrente(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	return s.m.Corrente(ctx, p, casoID, v)
}

// Leggi returns version numero for p, recording the read.
func (s *Service) Leggi(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (Scheda, error) {
	return s.m.Leggi(ctx, p, casoID, numero, v)
}

// Confronta returns what changed from version a to version b for p,
// recording the read.
func (s *Service) Confronta(ctx context.Context, p authz.Principal, casoID uuid.UUID, a, b int, v registro.Voce) (Confronto, error) {
	return s.m.Confronta(ctx, p, casoID, a, b, v)
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
			cont.Persone, err = s.membri(ctx, tx, c.NucleoID)
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
			if err := inProgettazione(ctx, tx, c.ID); err != nil {
				return "", err
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
			attuali, err := s.membri(ctx, tx, c.NucleoID)
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
	ver, err := schede.Leggila[Contenuto](sv)
	if err != nil {
		return nil, err
	}
	rif, err := CaricaRiferimenti(ctx, s.pool, s.oggi())
	if err != nil {
		return nil, err
	}
	return priorita(ver.Contenuto, rif), nil
}
