package analisi

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
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// OggettoTipo is the registro's name for the analisi preliminare.
const OggettoTipo = "analisi_preliminare"

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

// Scheda is what the pages of the analisi show: the case, the version asked
// for (nil: the case has none yet), the reference lists and the versions.
type Scheda struct {
	schede.Scheda[casi.Caso, Contenuto, Riferimenti]
}

// Confronto is the difference between two versions.
type Confronto = schede.Confronto[Scheda, Contenuto]

// Corrente returns the newest version of the case's analisi for p (none:
// Scheda.Versione is nil), recording the read. A case p may not reach is
// casi.ErrNotFound, and the refusal is recorded.
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

// Apri starts the case's analisi preliminare: version 1, a draft pre-filled
// from what the case already knows (members, measure, contacts). When the
// case has one already, it is returned unchanged.
func (s *Service) Apri(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (schede.Versione, error) {
	return s.m.Inizia(ctx, p, casoID, v, "analisi preliminare già iniziata",
		func(ctx context.Context, tx pgx.Tx, c casi.Caso) (Contenuto, string, error) {
			cont, err := s.precompila(ctx, tx, c)
			return cont, "bozza iniziata (versione 1)", err
		})
}

// Salva writes the draft: modifica applies what was typed to the draft as
// it is now. revisione is the one the form was loaded at: when someone
// saved since, nothing is written and the error is a *schede.Conflitto
// with their changes. Nothing is required in a draft.
func (s *Service) Salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, error) {
	ver, _, err := s.salva(ctx, p, casoID, revisione, modifica, v)
	return ver, err
}

func (s *Service) salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Salva(ctx, p, casoID, revisione, modifica, v, schede.Passi[casi.Caso, Contenuto, Riferimenti]{})
}

// Finalizza validates the draft with what was typed (modifica, as in
// Salva) and freezes it. A content that cannot be finalised returns the
// Italian message of each field and writes nothing; a stale revisione is a
// *schede.Conflitto. Finalising moves the case per its esito (the
// analisi_esito row's stato_caso, domain.md §2.3) when it has not reached
// the patto yet, records the invio al CPI of the members marked for it on
// the nucleo (the deadlines follow), and writes the case's history.
func (s *Service) Finalizza(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Finalizza(ctx, p, casoID, revisione, modifica, v, schede.Passi[casi.Caso, Contenuto, Riferimenti]{
		Controlla: func(_ context.Context, _ pgx.Tx, _ casi.Caso, cont *Contenuto, rif Riferimenti) (httpx.FieldErrors, error) {
			return Valida(*cont, rif, s.oggi()), nil
		},
		Esito: func(c Contenuto) string { return c.Esito },
		Dopo: func(ctx context.Context, tx pgx.Tx, c casi.Caso, ver schede.Versione, cont Contenuto, rif Riferimenti) (string, error) {
			if err := s.conseguenze(ctx, tx, p, c, ver, cont, rif); err != nil {
				return "", err
			}
			return fmt.Sprintf("versione %d finalizzata con esito %s", ver.Numero, cont.Esito), nil
		},
	})
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
		if err := spostaCaso(ctx, tx, c.ID, a); err != nil {
			return err
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
		d, _ := calendario.ParseData(m.DataInvioCPI)
		inviato, err := inviaCPI(ctx, tx, c.NucleoID, pid, d)
		if err != nil {
			return err
		}
		if !inviato {
			continue
		}
		if err := casi.Storico(ctx, tx, c.ID, &op, "componente", "", "",
			m.Nominativo()+": inviato al CPI il "+calendario.Data(d)+" (analisi preliminare)"); err != nil {
			return err
		}
		if !cambiato {
			if err := toccaCaso(ctx, tx, c.ID); err != nil {
				return err
			}
			cambiato = true
		}
	}
	return s.casi.Aggiorna(ctx, tx, c.ID)
}

// Riapri creates the next version, a draft copied from the last finalised
// one (the members joined or left since are brought up to date); motivo is
// required.
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
			return fmt.Sprintf("riaperta: versione %d", ver.Numero), casi.Storico(ctx, tx, c.ID, &op, "analisi_preliminare", "", "",
				fmt.Sprintf("Analisi preliminare riaperta: versione %d in bozza. Motivo: %s", ver.Numero, motivo))
		},
	})
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
	if errors.Is(err, schede.ErrNonTrovata) {
		return nil, ErrNonTrovata
	} else if err != nil {
		return nil, err
	}
	ver, err := schede.Leggila[Contenuto](sv)
	if err != nil {
		return nil, err
	}
	rif, err := CaricaRiferimenti(ctx, q, oggi)
	if err != nil {
		return nil, err
	}
	return Testo(ver.Contenuto, rif, oggi), nil
}
