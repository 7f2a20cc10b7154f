package presentazioni

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
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// Service is the module's use cases.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	casi *casi.Service
	now  func() time.Time
}

// NewService returns the service; case scope and deadlines go through cs,
// every access and write to reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// inizioADI is the earliest date accepted: the Assegno di inclusione exists
// from 1 January 2024 (DL 48/2023 art. 1).
var inizioADI = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// AccodaSituazione queues what the deadlines need of this module's
// records (casi.FonteSituazione): the registrations, the periods of the
// benefit and each member's CPI convocation with its outcome, four
// statements.
func (s *Service) AccodaSituazione(b *pgx.Batch, casoID uuid.UUID, sit *scadenze.Situazione) func() error {
	var (
		regs []Registrazione
		ben  Beneficio
		cpi  = map[uuid.UUID]ConvocazioneCPI{}
	)
	accodaRegistrazioni(b, casoID, &regs)
	accodaBeneficio(b, casoID, &ben)
	accodaConvocazioniCPI(b, casoID, cpi)
	return func() error {
		sit.Presentazioni = sit.Presentazioni[:0]
		for _, r := range regs {
			sit.Presentazioni = append(sit.Presentazioni, r.presentazione())
		}
		sit.Beneficio = ben.regole()
		for i := range sit.Membri {
			id, err := uuid.Parse(sit.Membri[i].PersonaID)
			if x, ok := cpi[id]; err == nil && ok {
				sit.Membri[i].ConvocatoCPI = &x.ConvocatoIl
				sit.Membri[i].EsitoCPI = x.Esito
			}
		}
		return nil
	}
}

// SituazioniCasi is AccodaSituazione for a batch of cases (the daily
// refresh), in four queries.
func (s *Service) SituazioniCasi(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error {
	if err := situazioni(ctx, q, ids, sit); err != nil {
		return fmt.Errorf("presentazioni: situazioni: %w", err)
	}
	return nil
}

// AccodaSezione gives the module's section of the case page
// (casi.FonteSezione): how many registrations, and the day of the latest.
func (s *Service) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var (
		n      int
		ultima *time.Time
	)
	accodaContaRegistrazioni(b, c.ID, &n, &ultima)
	return func() (casi.Sezione, error) {
		testo := casi.Quanti(n, "registrazione", "registrazioni")
		if ultima != nil {
			testo += ", l'ultima del " + calendario.Data(*ultima)
		}
		return casi.Sezione{Titolo: "Presentazioni, periodi del beneficio e CPI", Href: "/casi/" + c.ID.String() + "/presentazioni", Testo: testo}, nil
	}
}

// validaRegistrazione checks the form; oggi bounds the dates.
func validaRegistrazione(in NuovaRegistrazione, oggi time.Time) (Registrazione, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	x := Registrazione{Evento: scadenze.EventoPresentazione(in.Evento), Luogo: scadenze.Luogo(in.Luogo),
		Motivo: strings.TrimSpace(in.Motivo)}
	if !valido(Eventi, in.Evento) {
		errs["evento"] = "Scegli che cosa registri: incontro, presentazione spontanea o giustificato motivo."
	}
	if !valido(Luoghi, in.Luogo) {
		errs["luogo"] = "Scegli dove si è presentato il nucleo."
	}
	giust := x.Evento == scadenze.GiustificatoMotivoReg
	d, ok := calendario.ParseData(in.Data)
	switch {
	case strings.TrimSpace(in.Data) == "" && giust:
		errs["data"] = "Indica da quando vale il giustificato motivo."
	case strings.TrimSpace(in.Data) == "":
		errs["data"] = "Indica il giorno della presentazione."
	case !ok:
		errs["data"] = calendario.DataNonValida
	case d.Before(inizioADI):
		errs["data"] = "La data è precedente all'Assegno di inclusione (1° gennaio 2024): controllala."
	case !giust && d.After(oggi):
		errs["data"] = "La presentazione non può essere in una data futura."
	case giust && d.After(oggi.AddDate(1, 0, 0)):
		errs["data"] = "La data di inizio è oltre un anno da oggi: controllala."
	}
	x.Data = d
	if strings.TrimSpace(in.Al) != "" {
		al, ok := calendario.ParseData(in.Al)
		switch {
		case !giust:
			errs["al"] = "La fine del periodo si indica solo per un giustificato motivo."
		case !ok:
			errs["al"] = calendario.DataNonValida
		case errs["data"] == "" && al.Before(d):
			errs["al"] = "La fine del periodo non può precedere l'inizio."
		default:
			x.Al = &al
		}
	}
	max := LimitiRegistrazione.Max("motivo")
	switch {
	case giust && x.Motivo == "":
		errs["motivo"] = "Indica il giustificato motivo."
	case utf8.RuneCountInString(x.Motivo) > max:
		errs["motivo"] = fmt.Sprintf("Il motivo può avere al massimo %d caratteri.", max)
	}
	if len(errs) > 0 {
		return x, errs
	}
	return x, nil
}

// Case manager's side.

// Componente is a member as the page shows it, with their CPI convocation.
type Componente struct {
	PersonaID  uuid.UUID
	Nome       string // "Cognome Nome"
	InviatoCPI *time.Time
	CPI        *ConvocazioneCPI
	Timer      *scadenze.TimerCPI
}

// Scheda is what /casi/{id}/presentazioni shows.
type Scheda struct {
	Caso          casi.Caso
	Oggi          time.Time
	Scadenze      scadenze.Scadenze
	Registrazioni []Registrazione
	Beneficio     Beneficio
	Periodi       []scadenze.PeriodoBeneficio
	Componenti    []Componente
}

// Scheda returns the case's registrations, periods and CPI convocations for
// p (the case manager), recording the read; a case p may not reach is
// ErrNotFound, and the refusal is recorded too.
func (s *Service) Scheda(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	v.OggettoTipo = "presentazioni"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Scheda{}, err
	}
	sc := Scheda{Caso: c, Oggi: s.oggi()}
	if sc.Registrazioni, err = registrazioni(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("presentazioni: scheda: %w", err)
	}
	if sc.Beneficio, err = beneficio(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("presentazioni: scheda: beneficio: %w", err)
	}
	sc.Periodi = scadenze.Periodi(sc.Beneficio.regole())
	if sc.Scadenze, err = s.casi.Scadenze(ctx, s.pool, casoID, s.now()); err != nil {
		return Scheda{}, fmt.Errorf("presentazioni: scheda: scadenze: %w", err)
	}
	membri, err := s.casi.Componenti(ctx, s.pool, c.NucleoID)
	if err != nil {
		return Scheda{}, err
	}
	cpi, err := convocazioniCPI(ctx, s.pool, casoID)
	if err != nil {
		return Scheda{}, fmt.Errorf("presentazioni: scheda: cpi: %w", err)
	}
	for _, m := range membri {
		x := Componente{PersonaID: m.PersonaID, Nome: m.Cognome + " " + m.Nome, InviatoCPI: m.InviatoCPI}
		if k, ok := cpi[m.PersonaID]; ok {
			x.CPI = &k
		}
		for i := range sc.Scadenze.CPI {
			if sc.Scadenze.CPI[i].PersonaID == m.PersonaID.String() {
				x.Timer = &sc.Scadenze.CPI[i]
			}
		}
		sc.Componenti = append(sc.Componenti, x)
	}
	return sc, nil
}

// scrivi runs fn in a write on the case's content by p (casi.ScriviContenuto),
// then recomputes the case's deadlines in the same transaction.
func (s *Service) scrivi(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce, oggetto string,
	fn func(tx pgx.Tx, c casi.Caso) (string, error)) error {
	v.OggettoTipo = oggetto
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		id, err := fn(tx, c)
		if err != nil {
			return err
		}
		w.OggettoTipo, w.OggettoID = oggetto, id
		return s.casi.Aggiorna(ctx, tx, casoID)
	})
}

// Registra records a registration by the case manager.
func (s *Service) Registra(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovaRegistrazione, v registro.Voce) error {
	return s.scrivi(ctx, p, casoID, v, "presentazione", func(tx pgx.Tx, c casi.Caso) (string, error) {
		x, errs := validaRegistrazione(in, s.oggi())
		if errs != nil {
			return "", errs
		}
		id, err := insertRegistrazione(ctx, tx, casoID, x, p.OperatoreID, string(p.Ruolo), s.now())
		if err != nil {
			return "", fmt.Errorf("presentazioni: registra: %w", err)
		}
		return id.String(), nil
	})
}

// parseMese reads a month as "aaaa-mm" (an input of type month), "mm/aaaa"
// or any date of it; it returns its first day.
func parseMese(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse("2006-01", v); err == nil {
		return t, true
	}
	if t, err := time.Parse("01/2006", v); err == nil {
		return t, true
	}
	if d, ok := calendario.ParseData(v); ok {
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC), true
	}
	return time.Time{}, false
}

// ImpostaPrimoMese records the first month paid of the benefit; versione is
// the one the form was shown with (ErrConflict when someone changed it).
func (s *Service) ImpostaPrimoMese(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovoPrimoMese, v registro.Voce) error {
	return s.scrivi(ctx, p, casoID, v, "beneficio", func(tx pgx.Tx, c casi.Caso) (string, error) {
		m, ok := parseMese(in.PrimoMese)
		switch {
		case strings.TrimSpace(in.PrimoMese) == "":
			return "", httpx.FieldErrors{"primo_mese": "Indica il primo mese pagato (mm/aaaa)."}
		case !ok:
			return "", httpx.FieldErrors{"primo_mese": "Scrivi il mese come mm/aaaa, per esempio 03/2025."}
		case m.Before(inizioADI) || m.After(s.oggi().AddDate(0, 2, 0)):
			return "", httpx.FieldErrors{"primo_mese": "Il mese è fuori dall'intervallo ammesso: controllalo."}
		}
		ver, _ := strconv.Atoi(in.Versione)
		ok, err := setPrimoMese(ctx, tx, casoID, m, ver, p.OperatoreID)
		if err != nil {
			return "", fmt.Errorf("presentazioni: primo mese: %w", err)
		}
		if !ok {
			return "", ErrConflict
		}
		return casoID.String(), nil
	})
}

// Rinnova records a renewal of the benefit with its new PAD: a new 120-day
// term starts from it (scadenze.Calcola).
func (s *Service) Rinnova(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovoRinnovo, v registro.Voce) error {
	return s.scrivi(ctx, p, casoID, v, "rinnovo", func(tx pgx.Tx, c casi.Caso) (string, error) {
		b, err := beneficio(ctx, tx, casoID)
		if err != nil {
			return "", fmt.Errorf("presentazioni: rinnovo: %w", err)
		}
		errs := httpx.FieldErrors{}
		pad, ok := calendario.ParseData(in.DataPAD)
		ps := scadenze.Periodi(b.regole())
		switch {
		case b.PrimoMese == nil:
			errs["data_pad"] = "Registra prima il primo mese pagato: il rinnovo segue il primo periodo."
		case strings.TrimSpace(in.DataPAD) == "":
			errs["data_pad"] = "Indica la data di sottoscrizione del nuovo PAD."
		case !ok:
			errs["data_pad"] = calendario.DataNonValida
		case pad.After(s.oggi()):
			errs["data_pad"] = "Il nuovo PAD non può essere sottoscritto in una data futura."
		case pad.Before(ultimoMese(ps[len(ps)-1])):
			// The renewal follows the period: its PAD is signed from the
			// period's last month on.
			errs["data_pad"] = "Il nuovo PAD si sottoscrive dall'ultimo mese del periodo in corso (" +
				calendario.Data(ultimoMese(ps[len(ps)-1])) + ") in poi."
		}
		var primo *time.Time
		if strings.TrimSpace(in.PrimoMese) != "" {
			m, ok := parseMese(in.PrimoMese)
			if !ok {
				errs["rinnovo_primo_mese"] = "Scrivi il mese come mm/aaaa, per esempio 03/2026."
			}
			primo = &m
		}
		if len(errs) > 0 {
			return "", errs
		}
		id, ok, err := insertRinnovo(ctx, tx, casoID, pad, primo, p.OperatoreID)
		if err != nil {
			return "", fmt.Errorf("presentazioni: rinnovo: %w", err)
		}
		if !ok {
			return "", httpx.FieldErrors{"data_pad": "Un rinnovo con questo PAD è già registrato."}
		}
		return id.String(), nil
	})
}

// ultimoMese is the first day of the last month of period p.
func ultimoMese(p scadenze.PeriodoBeneficio) time.Time {
	return time.Date(p.Al.Year(), p.Al.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// RegistraCPI records the CPI's convocation of a member sent there and its
// outcome; versione as shown (ErrConflict when someone changed it).
func (s *Service) RegistraCPI(ctx context.Context, p authz.Principal, casoID, personaID uuid.UUID, in NuovaConvocazioneCPI, v registro.Voce) error {
	return s.scrivi(ctx, p, casoID, v, "convocazione_cpi", func(tx pgx.Tx, c casi.Caso) (string, error) {
		membri, err := s.casi.Componenti(ctx, tx, c.NucleoID)
		if err != nil {
			return "", err
		}
		var inviato *time.Time
		found := false
		for _, m := range membri {
			if m.PersonaID == personaID {
				found, inviato = true, m.InviatoCPI
			}
		}
		if !found {
			return "", ErrNotFound
		}
		errs := httpx.FieldErrors{}
		d, ok := calendario.ParseData(in.ConvocatoIl)
		switch {
		case inviato == nil:
			errs["convocato_il"] = "Il componente non risulta inviato al Centro per l'impiego."
		case strings.TrimSpace(in.ConvocatoIl) == "":
			errs["convocato_il"] = "Indica il giorno della convocazione al CPI."
		case !ok:
			errs["convocato_il"] = calendario.DataNonValida
		case d.Before(*inviato):
			errs["convocato_il"] = "La convocazione non può precedere l'invio al CPI (" + calendario.Data(*inviato) + ")."
		case d.After(s.oggi().AddDate(1, 0, 0)):
			errs["convocato_il"] = "La data è oltre un anno da oggi: controllala."
		}
		if in.Esito != "" && !valido(EsitiCPI, in.Esito) {
			errs["esito"] = "Scegli l'esito della convocazione."
		}
		if in.Esito != "" && errs["convocato_il"] == "" && d.After(s.oggi()) {
			errs["esito"] = "L'esito si registra dal giorno della convocazione."
		}
		if len(errs) > 0 {
			return "", errs
		}
		ver, _ := strconv.Atoi(in.Versione)
		ok, err = setConvocazioneCPI(ctx, tx, casoID, ConvocazioneCPI{PersonaID: personaID, ConvocatoIl: d,
			Esito: scadenze.EsitoCPI(in.Esito), Versione: ver}, &p.OperatoreID)
		if err != nil {
			return "", fmt.Errorf("presentazioni: cpi: %w", err)
		}
		if !ok {
			return "", ErrConflict
		}
		return personaID.String(), nil
	})
}

// The operatore presentazioni's side.

// Sportello is what the operatore presentazioni sees of a nucleo: the name,
// the case number, the counters and the cut-off, nothing else.
type Sportello struct {
	CasoID      uuid.UUID
	Codice      string
	Richiedente string
	Comune      string
	T120, T90   scadenze.Timer
	Taglio      scadenze.Taglio
	Oggi        time.Time
}

// Riga is a nucleo of the operatore presentazioni's list: name, number and
// the two counters as the case's derived columns hold them.
type Riga struct {
	CasoID                uuid.UUID
	Codice, Richiedente   string
	T120Stato, T90Stato   scadenze.Stato
	T120Scadenza, T90Scad *time.Time
}

// Elenco is the operatore presentazioni's desk: the cut-off and the open ADI
// cases of their comune with a term overdue or in scadenza.
type Elenco struct {
	Righe  []Riga
	Altri  bool // more than casi.MaxInScadenzaComune
	Taglio scadenze.Taglio
}

// ElencoSportello lists for p (an operatore presentazioni) the nuclei of
// their comune with a term overdue or in scadenza; the read is recorded
// (the count only).
func (s *Service) ElencoSportello(ctx context.Context, p authz.Principal, v registro.Voce) (Elenco, error) {
	e := Elenco{Taglio: scadenze.TaglioAl(s.now())}
	comune, ok := sportelloDi(p)
	if !ok {
		return e, ErrNotFound
	}
	cs, altri, err := s.casi.InScadenzaComune(ctx, comune)
	if err != nil {
		return e, err
	}
	e.Altri = altri
	for _, c := range cs {
		e.Righe = append(e.Righe, Riga{CasoID: c.ID, Codice: c.Codice(), Richiedente: c.Richiedente,
			T120Stato: scadenze.Stato(c.T120Stato), T90Stato: scadenze.Stato(c.T90Stato), T120Scadenza: c.T120Scadenza, T90Scad: c.T90Scadenza})
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "elenco_presentazioni", registro.Consentito
	v.Dettaglio = fmt.Sprintf("%d nuclei", len(e.Righe))
	return e, s.reg.Record(ctx, v)
}

// sportelloDi is p's comune when p is an operatore presentazioni.
func sportelloDi(p authz.Principal) (int64, bool) {
	if p.Ruolo != authz.OperatorePresentazioni || p.ComuneID == nil {
		return 0, false
	}
	return *p.ComuneID, true
}

// Cerca finds, among the open ADI cases of p's comune, the nucleo the person
// with codice fiscale cf belongs to; the search is recorded (without the
// codice fiscale). A malformed code is a field error; none found ErrNotFound.
func (s *Service) Cerca(ctx context.Context, p authz.Principal, cf string, v registro.Voce) (uuid.UUID, error) {
	comune, ok := sportelloDi(p)
	if !ok {
		v.Azione, v.Esito, v.Dettaglio, v.OggettoTipo = registro.Negato, registro.Rifiutato, registro.Lettura, "presentazioni_ricerca"
		if err := s.reg.Record(ctx, v); err != nil {
			return uuid.Nil, err
		}
		return uuid.Nil, ErrNotFound
	}
	cf = codicefiscale.Normalize(cf)
	if cf == "" {
		return uuid.Nil, httpx.FieldErrors{"cf": "Scrivi il codice fiscale di un componente del nucleo."}
	}
	if err := codicefiscale.Validate(cf); err != nil {
		return uuid.Nil, httpx.FieldErrors{"cf": "Il codice fiscale non è valido: controllalo (16 caratteri)."}
	}
	c, err := s.casi.CasoPerCodiceFiscale(ctx, s.pool, cf, comune)
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "presentazioni_ricerca", registro.Consentito
	v.Dettaglio = "trovato"
	if errors.Is(err, casi.ErrNotFound) {
		v.Dettaglio = "nessun nucleo"
	} else if err != nil {
		return uuid.Nil, err
	} else {
		v.CasoID, v.OggettoID = c.ID.String(), c.ID.String()
	}
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return uuid.Nil, rerr
	}
	if err != nil {
		return uuid.Nil, httpx.FieldErrors{"cf": "Nessun nucleo con Assegno di inclusione in carico al comune per questo codice fiscale."}
	}
	return c.ID, nil
}

// coperto reports whether case c is at p's desk: open, ADI, in p's comune.
func coperto(c casi.Caso, comune int64) bool {
	return c.ComuneID == comune && c.Aperto() && c.Misura == casi.ADI
}

// rifiuta records a refused access of the operatore presentazioni to a case.
func (s *Service) rifiuta(ctx context.Context, v registro.Voce, casoID uuid.UUID, azione string) error {
	v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, azione
	v.OggettoTipo, v.OggettoID, v.CasoID = "presentazioni", casoID.String(), casoID.String()
	if err := s.reg.Record(ctx, v); err != nil {
		return err
	}
	return ErrNotFound
}

// Nucleo returns what p's desk shows of case casoID, recording the read; a
// case outside p's comune (or closed, or not ADI) is ErrNotFound, recorded.
func (s *Service) Nucleo(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Sportello, error) {
	comune, ok := sportelloDi(p)
	if !ok {
		return Sportello{}, s.rifiuta(ctx, v, casoID, registro.Lettura)
	}
	c, err := s.casi.Get(ctx, s.pool, casoID)
	if errors.Is(err, casi.ErrNotFound) || err == nil && !coperto(c, comune) {
		return Sportello{}, s.rifiuta(ctx, v, casoID, registro.Lettura)
	}
	if err != nil {
		return Sportello{}, err
	}
	sc, err := s.casi.Scadenze(ctx, s.pool, casoID, s.now())
	if err != nil {
		return Sportello{}, err
	}
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, "presentazioni", registro.Consentito
	v.OggettoID, v.CasoID = casoID.String(), casoID.String()
	if err := s.reg.Record(ctx, v); err != nil {
		return Sportello{}, err
	}
	return Sportello{CasoID: c.ID, Codice: c.Codice(), Richiedente: c.Richiedente, Comune: c.Comune,
		T120: sc.T120, T90: sc.T90, Taglio: scadenze.TaglioAl(s.now()), Oggi: s.oggi()}, nil
}

// RegistraSportello records a registration by the operatore presentazioni on
// case casoID of their comune: the case is locked, the registration written,
// the deadlines recomputed and the write recorded in one transaction.
func (s *Service) RegistraSportello(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovaRegistrazione, v registro.Voce) error {
	comune, ok := sportelloDi(p)
	if !ok {
		return s.rifiuta(ctx, v, casoID, registro.Scrittura)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.casi.Blocca(ctx, tx, casoID)
		if err != nil {
			return err
		}
		if !coperto(c, comune) {
			return ErrNotFound
		}
		x, errs := validaRegistrazione(in, s.oggi())
		if errs != nil {
			return errs
		}
		id, err := insertRegistrazione(ctx, tx, casoID, x, p.OperatoreID, string(p.Ruolo), s.now())
		if err != nil {
			return fmt.Errorf("presentazioni: registra: %w", err)
		}
		if err := s.casi.Aggiorna(ctx, tx, casoID); err != nil {
			return err
		}
		w := v
		w.Azione, w.Esito, w.OggettoTipo, w.OggettoID, w.CasoID = registro.Scrittura, registro.Consentito,
			"presentazione", id.String(), casoID.String()
		return s.reg.RecordTx(ctx, tx, w)
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, casi.ErrNotFound) {
		return s.rifiuta(ctx, v, casoID, registro.Scrittura)
	}
	return err
}
