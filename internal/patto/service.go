package patto

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
	ErrChiuso         = errors.New("patto: il caso è chiuso")
	ErrNessunaBozza   = errors.New("patto: nessuna bozza")
	ErrBozzaEsistente = errors.New("patto: esiste già una bozza")
	// ErrNonAttivabile: the case has not reached the progettazione.
	ErrNonAttivabile = errors.New("patto: il caso non è in progettazione")
	// ErrNonFirmato: the case has no signed patto.
	ErrNonFirmato = errors.New("patto: nessuna versione sottoscritta")
)

// FieldErrors are the Italian messages of the fields that stop a write, by
// field name.
type FieldErrors map[string]string

func (e FieldErrors) Error() string { return "patto: il patto contiene errori" }

// Service is the module's use cases.
type Service struct {
	pool   *pgxpool.Pool
	reg    *registro.Service
	casi   *casi.Service
	quadro *quadro.Service
	now    func() time.Time
}

// NewService returns the service; case scope and reads go through cs, every
// write to reg; the starting objectives come from qs's priorities.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, qs *quadro.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, quadro: qs, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// Versione is a version of the patto with its content decoded. A
// definitiva version is a signed one.
type Versione struct {
	schede.Versione
	Contenuto Contenuto
}

// Firmata reports whether the version is signed.
func (v Versione) Firmata() bool { return v.Definitiva() }

func decodifica(v schede.Versione) (Versione, error) {
	out := Versione{Versione: v}
	if len(v.Contenuto) > 0 {
		if err := json.Unmarshal(v.Contenuto, &out.Contenuto); err != nil {
			return out, fmt.Errorf("patto: contenuto della versione %d: %w", v.Numero, err)
		}
	}
	return out, nil
}

// Scheda is what the pages show: the case, the version asked for (nil:
// none yet), the newest signed version and the progress of its sostegni,
// the reference lists and the versions.
type Scheda struct {
	Caso        casi.Caso
	Versione    *Versione
	Firmata     *Versione             // the newest signed version, if any
	Attuazione  map[string]Attuazione // by sostegno ID
	Versioni    []schede.Versione     // newest first
	Riferimenti Riferimenti
	Dimensioni  map[string]string // labels of the quadro's dimensions, by codice
	Oggi        time.Time
}

// Dimensione is the label of a dimension of the quadro (the code when
// unknown).
func (sc Scheda) Dimensione(codice string) string {
	if l, ok := sc.Dimensioni[codice]; ok {
		return l
	}
	return codice
}

// Bozza reports whether the version shown is a draft.
func (sc Scheda) Bozza() bool { return sc.Versione != nil && !sc.Versione.Definitiva() }

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
	qr, err := quadro.CaricaRiferimenti(ctx, s.pool, sc.Oggi)
	if err != nil {
		return Scheda{}, err
	}
	sc.Dimensioni = map[string]string{}
	for _, d := range qr.Dimensioni {
		sc.Dimensioni[d.Codice] = d.Etichetta
	}
	if sc.Versione, err = schede.Scegli(sc.Versioni, numero, decodifica, ErrNonTrovata); err != nil {
		return Scheda{}, err
	}
	// The newest signed version: the one in force.
	for _, x := range sc.Versioni {
		if x.Definitiva() {
			f, err := decodifica(x)
			if err != nil {
				return Scheda{}, err
			}
			sc.Firmata = &f
			break
		}
	}
	if sc.Attuazione, err = attuazioni(ctx, s.pool, casoID); err != nil {
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
	out.Differenze = Leggibili(sc.Riferimenti, d, out.Prima.Contenuto, out.Dopo.Contenuto)
	return out, nil
}

// write runs fn in a transaction on the case locked for p (closed cases
// are read-only) and records the write; a case p may not reach is
// casi.ErrNotFound, and the refusal is recorded.
func (s *Service) write(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c casi.Caso) (oggettoID, dettaglio string, err error)) error {
	v.OggettoTipo = OggettoTipo
	err := s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) (err error) {
		w.OggettoID, w.Dettaglio, err = fn(tx, c)
		return err
	})
	switch {
	case errors.Is(err, schede.ErrNessunaBozza):
		err = ErrNessunaBozza
	case errors.Is(err, schede.ErrBozzaEsistente), errors.Is(err, schede.ErrNonDefinitiva):
		err = ErrBozzaEsistente
	case errors.Is(err, schede.ErrNonTrovata):
		err = ErrNonTrovata
	}
	return err
}

// Persone are the people of the patto as the case has them now: the
// members of the nucleo, the case manager, the current members of the
// équipe and its familiare referente (persona_id, "" when none).
func (s *Service) persone(ctx context.Context, q database.Querier, c casi.Caso) (comp []Componente, eq []MembroEquipe, familiare string, err error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.codice_fiscale, p.cognome, p.nome, p.data_nascita, nc.relazione
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', p.data_nascita, nc.id`, c.NucleoID)
	if err != nil {
		return nil, nil, "", fmt.Errorf("patto: componenti: %w", err)
	}
	comp, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var m Componente
		var id uuid.UUID
		var nascita time.Time
		err := r.Scan(&id, &m.CodiceFiscale, &m.Cognome, &m.Nome, &nascita, &m.Relazione)
		m.PersonaID, m.DataNascita = id.String(), nascita.Format(time.DateOnly)
		return m, err
	})
	if err != nil {
		return nil, nil, "", fmt.Errorf("patto: componenti: %w", err)
	}
	oggi := s.oggi()
	rows, err = q.Query(ctx, `
		SELECT id, ruolo, COALESCE(persona_id::text, ''), nome, cognome, funzione, ente
		FROM equipe_membro
		WHERE caso_id = $1 AND dal <= $2 AND (al IS NULL OR al >= $2)
		ORDER BY dal, cognome, nome, id`, c.ID, oggi)
	if err != nil {
		return nil, nil, "", fmt.Errorf("patto: équipe: %w", err)
	}
	type riga struct {
		MembroEquipe
		ruolo, persona string
	}
	righe, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (riga, error) {
		var x riga
		var id uuid.UUID
		err := r.Scan(&id, &x.ruolo, &x.persona, &x.Nome, &x.Cognome, &x.Funzione, &x.Ente)
		x.ID = id.String()
		return x, err
	})
	if err != nil {
		return nil, nil, "", fmt.Errorf("patto: équipe: %w", err)
	}
	for _, x := range righe {
		if x.ruolo == "familiare_referente" {
			if familiare == "" {
				familiare = x.persona
			}
			continue
		}
		eq = append(eq, x.MembroEquipe)
	}
	return comp, eq, familiare, nil
}

// aggiornaPersone brings the people of a draft up to date with the case.
func (s *Service) aggiornaPersone(ctx context.Context, q database.Querier, c casi.Caso, cont *Contenuto) error {
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
	var out schede.Versione
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, string, error) {
		if ver, err := schede.Ultima(ctx, tx, casoID, Tipo); err == nil {
			out = ver
			return ver.ID.String(), "patto già iniziato", nil
		} else if !errors.Is(err, schede.ErrNonTrovata) {
			return "", "", err
		}
		if !attivabile(c.Stato) {
			return "", "", ErrNonAttivabile
		}
		var cont Contenuto
		comp, eq, familiare, err := s.persone(ctx, tx, c)
		if err != nil {
			return "", "", err
		}
		cont.Componenti, cont.Equipe, cont.CaseManager, cont.FamiliareResponsabile = comp, eq, c.CaseManager, familiare
		pr, err := s.quadro.Priorita(ctx, casoID)
		if err != nil {
			return "", "", err
		}
		for _, x := range pr {
			cont.Obiettivi = append(cont.Obiettivi, Obiettivo{ID: uuid.NewString(), Titolo: x.Etichetta,
				Descrizione: descrizionePriorita(x), Dimensione: x.Dimensione, PersonaID: x.PersonaID})
		}
		cont.Monitoraggio = MonitoraggioPredefinito
		cont.FrequenzaIncontri = 90
		cont.Dal = s.oggi().Format(time.DateOnly)
		raw, err := json.Marshal(cont)
		if err != nil {
			return "", "", err
		}
		ver, err := schede.NuovaBozza(ctx, tx, casoID, Tipo, raw, p.OperatoreID)
		out = ver
		return ver.ID.String(), fmt.Sprintf("bozza iniziata (versione 1, %d obiettivi dal quadro di analisi)", len(pr)), err
	})
	return out, err
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

// applica loads the draft, applies modifica and brings its people up to
// date.
func (s *Service) applica(ctx context.Context, tx pgx.Tx, c casi.Caso, modifica func(*Contenuto)) (Contenuto, Riferimenti, error) {
	rif, err := CaricaRiferimenti(ctx, tx, s.oggi())
	if err != nil {
		return Contenuto{}, rif, err
	}
	cur, err := schede.Ultima(ctx, tx, c.ID, Tipo)
	if err != nil {
		return Contenuto{}, rif, err
	}
	if cur.Definitiva() {
		return Contenuto{}, rif, ErrNessunaBozza
	}
	ver, err := decodifica(cur)
	if err != nil {
		return Contenuto{}, rif, err
	}
	cont := ver.Contenuto
	if modifica != nil {
		modifica(&cont)
	}
	if err := s.aggiornaPersone(ctx, tx, c, &cont); err != nil {
		return cont, rif, err
	}
	return cont, rif, nil
}

// Salva writes what was typed (modifica) into the draft, loaded at
// revisione: when someone saved since, nothing is written and the error is
// a *schede.Conflitto with their changes. A draft may be incomplete, but
// what is written must be well formed (dates, the frequency of the
// meetings): otherwise the errors, field by field, and nothing is written.
func (s *Service) Salva(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, modifica func(*Contenuto), v registro.Voce) (schede.Versione, FieldErrors, error) {
	var out schede.Versione
	var errs FieldErrors
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, string, error) {
		cont, rif, err := s.applica(ctx, tx, c, modifica)
		if err != nil {
			return "", "", err
		}
		if errs = Formati(cont); len(errs) > 0 {
			return "", "", errs
		}
		raw, err := json.Marshal(cont)
		if err != nil {
			return "", "", err
		}
		ver, err := schede.Salva(ctx, tx, casoID, Tipo, revisione, raw, p.OperatoreID, Etichettatore(rif, cont))
		out = ver
		return ver.ID.String(), fmt.Sprintf("bozza salvata (versione %d)", ver.Numero), err
	})
	if len(errs) > 0 {
		return out, errs, nil
	}
	return out, nil, err
}

// Riferimenti returns the reference lists valid today (for forms built
// outside a Scheda).
func (s *Service) Riferimenti(ctx context.Context) (Riferimenti, error) {
	return CaricaRiferimenti(ctx, s.pool, s.oggi())
}

// Rivedi creates the next version, a draft copied from the newest signed
// one (the IDs of objectives, results, sostegni and impegni are kept), with
// its reason; motivo is required. The signed version stays as it is.
func (s *Service) Rivedi(ctx context.Context, p authz.Principal, casoID uuid.UUID, motivo string, v registro.Voce) (schede.Versione, FieldErrors, error) {
	if motivo = strings.TrimSpace(motivo); motivo == "" {
		return schede.Versione{}, FieldErrors{"motivo": "Indica il motivo della revisione del patto."}, nil
	} else if len([]rune(motivo)) > 2000 {
		return schede.Versione{}, FieldErrors{"motivo": "Il motivo non può superare i 2000 caratteri."}, nil
	}
	var out schede.Versione
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, string, error) {
		ver, err := schede.Riapri(ctx, tx, casoID, Tipo, motivo, p.OperatoreID)
		if err != nil {
			return "", "", err
		}
		// The signature belongs to the signed version: the revision starts
		// unsigned, with the people of the case as they are now.
		dec, err := decodifica(ver)
		if err != nil {
			return "", "", err
		}
		cont := dec.Contenuto
		cont.Sottoscrizione = nil
		if err := s.aggiornaPersone(ctx, tx, c, &cont); err != nil {
			return "", "", err
		}
		raw, err := json.Marshal(cont)
		if err != nil {
			return "", "", err
		}
		if ver, err = schede.Salva(ctx, tx, casoID, Tipo, ver.Revisione, raw, p.OperatoreID, nil); err != nil {
			return "", "", err
		}
		out = ver
		op := p.OperatoreID
		if err := casi.Storico(ctx, tx, casoID, &op, "patto", "", "",
			fmt.Sprintf("Revisione del patto: versione %d in bozza. Motivo: %s", ver.Numero, motivo)); err != nil {
			return "", "", err
		}
		return ver.ID.String(), fmt.Sprintf("revisione: versione %d", ver.Numero), nil
	})
	return out, nil, err
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
	sc, err := s.scheda(ctx, p, casoID, numero, v)
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
	sc, err := s.scheda(ctx, p, casoID, 0, v)
	if err != nil {
		return Nazionale{}, err
	}
	if sc.Firmata == nil {
		return Nazionale{}, ErrNonFirmato
	}
	return Nazionale{Caso: sc.Caso, Versione: *sc.Firmata, Attuazione: sc.Attuazione, Riferimenti: sc.Riferimenti}, nil
}
