package patto

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
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/equipe"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/quadro"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// OggettoTipo is the registro's name for the patto: every read, write and
// export of it is recorded with this oggetto.
const OggettoTipo = "patto"

// Errors.
var (
	ErrNonTrovata     = fmt.Errorf("patto: non trovato: %w", httpx.ErrNotFound)
	ErrChiuso         = fmt.Errorf("patto: il caso è chiuso: %w", httpx.ErrReadOnly)
	ErrNessunaBozza   = fmt.Errorf("patto: nessuna bozza: %w", httpx.ErrConflict)
	ErrBozzaEsistente = fmt.Errorf("patto: esiste già una bozza: %w", httpx.ErrConflict)
	// ErrNonAttivabile: the case has not reached the progettazione.
	ErrNonAttivabile = errors.New("patto: il caso non è in progettazione")
	// ErrNonFirmato: the case has no signed patto.
	ErrNonFirmato = errors.New("patto: nessuna versione sottoscritta")
)

var errori = schede.Errori{NonTrovata: ErrNonTrovata, Chiuso: ErrChiuso, NessunaBozza: ErrNessunaBozza, BozzaEsistente: ErrBozzaEsistente}

// MembroCorrente is a member of the case's équipe as the patto needs it.
type MembroCorrente struct {
	MembroEquipe
	// FamiliareReferente: the member is the nucleo's familiare referente,
	// the person PersonaID, not an operator.
	FamiliareReferente bool
	PersonaID          string
}

// Service is the module's use cases.
type Service struct {
	pool   *pgxpool.Pool
	reg    *registro.Service
	casi   *casi.Service
	quadro *quadro.Service
	equipe *equipe.Service
	invii  FonteInvii // the sostegni's invii to the network, if wired
	// the sostegni recorded as prestazioni sociali, if wired
	prestazioni FontePrestazioni
	m           schede.Modulo[casi.Caso, Contenuto, Riferimenti, Scheda]
}

// NewService returns the service; case scope and reads go through cs, every
// write to reg; the starting objectives come from qs's priorities, the
// members of the équipe from equipe.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, qs *quadro.Service, es *equipe.Service) *Service {
	s := &Service{pool: pool, reg: reg, casi: cs, quadro: qs, equipe: es}
	s.m = schede.Modulo[casi.Caso, Contenuto, Riferimenti, Scheda]{Casi: cs, Pool: pool, Tipo: Tipo, Oggetto: OggettoTipo,
		Errori: errori, Riferimenti: CaricaRiferimenti, Etichetta: Etichettatore, Leggibili: Leggibili,
		Aggiorna: s.aggiornaPersone, Vista: s.vista}
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.m.Ora = now }

func (s *Service) oggi() time.Time { return s.m.Oggi() }

// Versione is a version of the patto with its content decoded. A
// definitiva version is a signed one.
type Versione = schede.Letta[Contenuto]

// Scheda is what the pages show: the case, the version asked for (nil:
// none yet), the newest signed version and the progress of its sostegni,
// the reference lists and the versions.
type Scheda struct {
	schede.Scheda[casi.Caso, Contenuto, Riferimenti]
	Firmata    *Versione                // the newest signed version, if any
	Attuazione map[string]Attuazione    // by sostegno ID
	Dimensioni map[string]string        // labels of the quadro's dimensions, by codice
	Invii      map[string]InvioSostegno // the newest invio to the network, by sostegno ID
	// Prestazioni are the live prestazioni the sostegni are, by sostegno
	// ID; NuovaPrestazione the page where a sostegno is recorded as one
	// (nil when the module is not wired: no link).
	Prestazioni      map[string]PrestazioneSostegno
	NuovaPrestazione func(sostegnoID string) string
}

// Dimensione is the label of a dimension of the quadro (the code when
// unknown).
func (sc Scheda) Dimensione(codice string) string {
	if l, ok := sc.Dimensioni[codice]; ok {
		return l
	}
	return codice
}

// Attivabile reports whether the patto can be started: the case is in
// progettazione or went on from there.
func (sc Scheda) Attivabile() bool { return attivabile(sc.Caso.Stato) }

func attivabile(s casi.Stato) bool {
	switch s {
	case casi.Progettazione, casi.PattoSottoscritto, casi.Monitoraggio:
		return true
	}
	return false
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

// Confronto is the difference between two versions.
type Confronto = schede.Confronto[Scheda, Contenuto]

// Confronta returns what changed from version a to version b for p,
// recording the read.
func (s *Service) Confronta(ctx context.Context, p authz.Principal, casoID uuid.UUID, a, b int, v registro.Voce) (Confronto, error) {
	return s.m.Confronta(ctx, p, casoID, a, b, v)
}

// vista adds to what Modulo read the labels of the quadro's dimensions,
// the newest signed version (the one in force) and its progress.
func (s *Service) vista(ctx context.Context, base schede.Scheda[casi.Caso, Contenuto, Riferimenti]) (Scheda, error) {
	sc := Scheda{Scheda: base}
	qr, err := quadro.CaricaRiferimenti(ctx, s.pool, sc.Oggi)
	if err != nil {
		return Scheda{}, err
	}
	sc.Dimensioni = map[string]string{}
	for _, d := range qr.Dimensioni {
		sc.Dimensioni[d.Codice] = d.Etichetta
	}
	for _, x := range sc.Versioni {
		if x.Definitiva() {
			f, err := schede.Leggila[Contenuto](x)
			if err != nil {
				return Scheda{}, err
			}
			sc.Firmata = &f
			break
		}
	}
	if sc.Attuazione, err = attuazioni(ctx, s.pool, sc.Caso.ID); err != nil {
		return Scheda{}, err
	}
	if sc.Firmata != nil {
		if sc.Invii, err = s.inviiDeiSostegni(ctx, sc.Caso.ID); err != nil {
			return Scheda{}, err
		}
		if f := s.prestazioni; f != nil {
			if sc.Prestazioni, err = f.PrestazioniDeiSostegni(ctx, sc.Caso.ID); err != nil {
				return Scheda{}, err
			}
			caso := sc.Caso.ID
			sc.NuovaPrestazione = func(id string) string { return f.HrefNuovaPrestazione(caso, id) }
		}
	}
	return sc, nil
}

// Persone are the people of the patto as the case has them now: the
// members of the nucleo, the case manager, the current members of the
// équipe and its familiare referente (persona_id, "" when none).
func (s *Service) persone(ctx context.Context, q database.Querier, c casi.Caso) (comp []Componente, eq []MembroEquipe, familiare string, err error) {
	ms, err := s.casi.Componenti(ctx, q, c.NucleoID)
	if err != nil {
		return nil, nil, "", fmt.Errorf("patto: componenti: %w", err)
	}
	comp = make([]Componente, 0, len(ms))
	for _, m := range ms {
		comp = append(comp, Componente{PersonaID: m.PersonaID.String(), CodiceFiscale: m.CodiceFiscale, Cognome: m.Cognome,
			Nome: m.Nome, DataNascita: m.DataNascita.Format(time.DateOnly), Relazione: m.Relazione})
	}
	membri, err := s.membriEquipe(ctx, q, c.ID, s.oggi())
	if err != nil {
		return nil, nil, "", fmt.Errorf("patto: équipe: %w", err)
	}
	for _, x := range membri {
		if x.FamiliareReferente {
			if familiare == "" {
				familiare = x.PersonaID
			}
			continue
		}
		eq = append(eq, x.MembroEquipe)
	}
	return comp, eq, familiare, nil
}

// aggiornaPersone brings the people of a draft up to date with the case.
func (s *Service) aggiornaPersone(ctx context.Context, q pgx.Tx, c casi.Caso, cont *Contenuto) error {
	comp, eq, _, err := s.persone(ctx, q, c)
	if err != nil {
		return err
	}
	cont.Componenti, cont.Equipe, cont.CaseManager = comp, eq, c.CaseManager
	return nil
}

// MonitoraggioPredefinito is the monitoring method a new patto starts with.
const MonitoraggioPredefinito = "Incontri periodici con il case manager per verificare insieme i risultati raggiunti e il rispetto degli impegni; " +
	"il patto si rivede quando la situazione della famiglia cambia o un obiettivo non è più adatto."

// Inizia starts the case's patto: version 1, a draft with the people of
// the case and one objective per priority of the quadro di analisi (none
// when the analisi preliminare led here without a quadro). The case must be
// in progettazione or later (ErrNonAttivabile); when the patto exists
// already, it is left unchanged.
func (s *Service) Inizia(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (schede.Versione, error) {
	return s.m.Inizia(ctx, p, casoID, v, "patto già iniziato", func(ctx context.Context, tx pgx.Tx, c casi.Caso) (Contenuto, string, error) {
		var cont Contenuto
		if !attivabile(c.Stato) {
			return cont, "", ErrNonAttivabile
		}
		comp, eq, familiare, err := s.persone(ctx, tx, c)
		if err != nil {
			return cont, "", err
		}
		cont.Componenti, cont.Equipe, cont.CaseManager, cont.FamiliareResponsabile = comp, eq, c.CaseManager, familiare
		pr, err := s.quadro.Priorita(ctx, casoID)
		if err != nil {
			return cont, "", err
		}
		for _, x := range pr {
			cont.Obiettivi = append(cont.Obiettivi, Obiettivo{ID: uuid.NewString(), Titolo: x.Etichetta,
				Descrizione: descrizionePriorita(x), Dimensione: x.Dimensione, PersonaID: x.PersonaID})
		}
		cont.Monitoraggio = MonitoraggioPredefinito
		cont.FrequenzaIncontri = 90
		cont.Dal = calendario.ISO(s.oggi())
		return cont, fmt.Sprintf("bozza iniziata (versione 1, %d obiettivi dal quadro di analisi)", len(pr)), nil
	})
}

func descrizionePriorita(x quadro.Priorita) string {
	var parti []string
	if x.Bisogno != "" {
		parti = append(parti, "Dal quadro di analisi: bisogno "+strings.ToLower(x.Bisogno)+".")
	}
	if x.Risorse != "" {
		parti = append(parti, "Risorse: "+x.Risorse+".")
	}
	if x.Note != "" {
		parti = append(parti, x.Note)
	}
	return strings.Join(parti, " ")
}

// Salva writes what was typed (modifica) into the draft, loaded at
// revisione: when someone saved since, nothing is written and the error is
// a *schede.Conflitto with their changes. A draft may be incomplete, but
// what is written must be well formed (dates, the frequency of the
// meetings): otherwise the errors, field by field, and nothing is written.
func (s *Service) Salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Salva(ctx, p, casoID, revisione, modifica, v, schede.Passi[casi.Caso, Contenuto, Riferimenti]{
		Controlla: func(_ context.Context, _ pgx.Tx, _ casi.Caso, cont *Contenuto, _ Riferimenti) (httpx.FieldErrors, error) {
			return Formati(*cont), nil
		},
	})
}

// Rivedi creates the next version, a draft copied from the newest signed
// one (the IDs of objectives, results, sostegni and impegni are kept), with
// its reason; motivo is required. The signed version stays as it is.
func (s *Service) Rivedi(ctx context.Context, p authz.Principal, casoID uuid.UUID, motivo string, v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	return s.m.Riapri(ctx, p, casoID, motivo, v, schede.Riapertura[casi.Caso, Contenuto]{
		Mancante: "Indica il motivo della revisione del patto.",
		// The signature belongs to the signed version: the revision starts
		// unsigned, with the people of the case as they are now.
		Riallinea: func(ctx context.Context, tx pgx.Tx, c casi.Caso, cont *Contenuto) (bool, error) {
			cont.Sottoscrizione = nil
			return true, s.aggiornaPersone(ctx, tx, c, cont)
		},
		Dopo: func(ctx context.Context, tx pgx.Tx, c casi.Caso, ver schede.Versione, motivo string) (string, error) {
			op := p.OperatoreID
			return fmt.Sprintf("revisione: versione %d", ver.Numero), casi.Storico(ctx, tx, c.ID, &op, "patto", "", "",
				fmt.Sprintf("Revisione del patto: versione %d in bozza. Motivo: %s", ver.Numero, motivo))
		},
	})
}

// Firmato returns the content and the version number of the newest signed
// patto of the case; ErrNonFirmato when none is signed. It checks nothing
// and records nothing: the caller has done casi.Access or casi.Lock for
// the case.
func (s *Service) Firmato(ctx context.Context, casoID uuid.UUID) (Contenuto, int, error) {
	return s.firmatoTx(ctx, s.pool, casoID)
}

// Esporta returns version numero (0: the newest) for p to print or export,
// recording an export (dettaglio the format).
func (s *Service) Esporta(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, formato string, v registro.Voce) (Scheda, error) {
	v.Azione, v.Dettaglio = registro.Esportazione, formato
	sc, err := s.m.Carica(ctx, p, casoID, numero, v)
	if err == nil && sc.Versione == nil {
		err = ErrNonTrovata
	}
	return sc, err
}

// Nazionale is what the national e-services' records are made of: the
// newest signed version of the case's patto, the progress of its sostegni
// and the catalogue.
type Nazionale struct {
	Caso        casi.Caso
	Versione    Versione
	Attuazione  map[string]Attuazione
	Riferimenti Riferimenti
}

// PerServiziNazionali returns the newest signed version for p, recording
// an export (dettaglio formato); ErrNonFirmato when none is signed.
func (s *Service) PerServiziNazionali(ctx context.Context, p authz.Principal, casoID uuid.UUID, formato string, v registro.Voce) (Nazionale, error) {
	v.Azione, v.Dettaglio = registro.Esportazione, formato
	sc, err := s.m.Corrente(ctx, p, casoID, v)
	if err != nil {
		return Nazionale{}, err
	}
	if sc.Firmata == nil {
		return Nazionale{}, ErrNonFirmato
	}
	return Nazionale{Caso: sc.Caso, Versione: *sc.Firmata, Attuazione: sc.Attuazione, Riferimenti: sc.Riferimenti}, nil
}
