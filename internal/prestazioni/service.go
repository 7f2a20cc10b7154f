package prestazioni

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
)

// ErrEnteMancante: the ambito has no ente for SIUSS yet, so no flow can be
// written; nothing is saved.
var ErrEnteMancante = errors.New("prestazioni: l'ente per SIUSS dell'ambito non è configurato")

// Service is the module's use cases.
type Service struct {
	pool  *pgxpool.Pool
	reg   *registro.Service
	casi  *casi.Service
	patto *patto.Service
	val   *Validatore
	now   func() time.Time
}

// NewService returns the service; case scope goes through cs, every access
// and write to reg, every flow through the schema's validator; the sostegni
// a prestazione may be come from ps's signed patto.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, ps *patto.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, patto: ps, val: NuovoValidatore(), now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// AccodaSezione gives the module's section of the case page (casi.FonteSezione).
func (s *Service) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var ps []Prestazione
	accodaPrestazioniDelCaso(b, c.ID, &ps)
	return func() (casi.Sezione, error) { return sezione(c, ps), nil }
}

// sezione is the section of case c with its prestazioni ps.
func sezione(c casi.Caso, ps []Prestazione) casi.Sezione {
	attive, pronti, scartate := 0, 0, 0
	for _, p := range ps {
		if !p.Cancellata() {
			attive++
		}
		for _, f := range p.Flussi {
			if f.Stato == "pronto" {
				pronti++
			}
		}
		// Refused by INPS, and not corrected since: its last flow.
		if n := len(p.Flussi); n > 0 && p.Flussi[n-1].Stato == "scartato" {
			scartate++
		}
	}
	sz := casi.Sezione{Titolo: "Prestazioni sociali erogate (SIUSS)", Href: "/casi/" + c.ID.String() + "/prestazioni",
		Testo: casi.Quanti(attive, "prestazione registrata", "prestazioni registrate")}
	switch {
	case scartate > 0:
		sz.Stato, sz.StatoTipo = casi.Quanti(scartate, "prestazione scartata da INPS", "prestazioni scartate da INPS"), "danger"
	case pronti > 0:
		sz.Stato, sz.StatoTipo = casi.Quanti(pronti, "flusso pronto per INPS", "flussi pronti per INPS"), "info"
	}
	return sz
}

// Scheda is what /casi/{id}/prestazioni shows.
type Scheda struct {
	Caso        casi.Caso
	Oggi        time.Time
	Prestazioni []Prestazione
	Membri      []casi.Componente
	Catalogo    []VoceCatalogo
	Ente        Ente // Versione 0: not configured
	// Sostegni are those of the case's newest signed patto (none when no
	// patto is signed), each with the live prestazione it is linked to.
	Sostegni []SostegnoPatto
}

// Sostegno is the label of sostegno id of the signed patto, and whether
// the patto has it.
func (sc Scheda) Sostegno(id string) (string, bool) {
	for _, x := range sc.Sostegni {
		if x.ID == id {
			return x.Etichetta, true
		}
	}
	return "", false
}

// sostegniPatto are the sostegni of the newest signed patto of case c, in
// the patto's order, labelled, each with the live prestazione linked to it.
func (s *Service) sostegniPatto(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]SostegnoPatto, error) {
	cont, _, err := s.patto.Firmato(ctx, casoID)
	if errors.Is(err, patto.ErrNonFirmato) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(cont.Sostegni) == 0 {
		return nil, nil
	}
	rif, err := patto.CaricaRiferimenti(ctx, q, casi.Oggi(s.now()))
	if err != nil {
		return nil, err
	}
	collegati, err := sostegniCollegati(ctx, q, casoID)
	if err != nil {
		return nil, err
	}
	out := make([]SostegnoPatto, 0, len(cont.Sostegni))
	for _, x := range cont.Sostegni {
		e := rif.EtichettaSostegno(x.Tipo)
		if x.EnteErogatore != "" {
			e += " — " + x.EnteErogatore
		}
		if d := dateSostegno(x.AvvioPrevisto, x.FinePrevista); d != "" {
			e += ", " + d
		}
		out = append(out, SostegnoPatto{ID: x.ID, Etichetta: e, PersonaID: x.PersonaID, Prestazione: collegati[x.ID]})
	}
	return out, nil
}

// dateSostegno are a sostegno's planned dates (yyyy-mm-dd) as the form
// reads them.
func dateSostegno(avvio, fine string) string {
	data := func(s string) string {
		if t, ok := calendario.ParseData(s); ok {
			return calendario.Data(t)
		}
		return s
	}
	switch {
	case avvio != "" && fine != "":
		return "dal " + data(avvio) + " al " + data(fine)
	case avvio != "":
		return "dal " + data(avvio)
	case fine != "":
		return "fino al " + data(fine)
	}
	return ""
}

// Scheda returns the case's prestazioni for p (the case manager), recording
// the read; a case p may not reach is ErrNotFound, recorded too.
func (s *Service) Scheda(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	v.OggettoTipo = "prestazioni"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Scheda{}, err
	}
	sc := Scheda{Caso: c, Oggi: casi.Oggi(s.now())}
	if sc.Prestazioni, err = prestazioniDelCaso(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("prestazioni: scheda: %w", err)
	}
	if sc.Membri, err = s.casi.Componenti(ctx, s.pool, c.NucleoID); err != nil {
		return Scheda{}, err
	}
	if sc.Catalogo, err = catalogo(ctx, s.pool); err != nil {
		return Scheda{}, fmt.Errorf("prestazioni: catalogo: %w", err)
	}
	if sc.Ente, err = ente(ctx, s.pool, c.AmbitoID); err != nil {
		return Scheda{}, fmt.Errorf("prestazioni: ente: %w", err)
	}
	if sc.Sostegni, err = s.sostegniPatto(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("prestazioni: sostegni del patto: %w", err)
	}
	return sc, nil
}

// Trova returns prestazione id of the scheda sc (ErrNotFound when the case
// has none by that id).
func (sc Scheda) Trova(id uuid.UUID) (Prestazione, error) {
	for _, p := range sc.Prestazioni {
		if p.ID == id {
			return p, nil
		}
	}
	return Prestazione{}, ErrNotFound
}

// PrestazioniDeiSostegni are the live prestazioni of case casoID that are
// sostegni of its patto, by sostegno ID (patto.FontePrestazioni: the
// patto's page shows them; its caller has checked the access).
func (s *Service) PrestazioniDeiSostegni(ctx context.Context, casoID uuid.UUID) (map[string]patto.PrestazioneSostegno, error) {
	ps, err := prestazioniDelCaso(ctx, s.pool, casoID)
	if err != nil {
		return nil, fmt.Errorf("prestazioni: dei sostegni: %w", err)
	}
	out := map[string]patto.PrestazioneSostegno{}
	for _, p := range ps {
		if p.SostegnoID != "" && !p.Cancellata() {
			out[p.SostegnoID] = patto.PrestazioneSostegno{Codice: p.Codice, Denominazione: p.Denominazione,
				Href: "/casi/" + casoID.String() + "/prestazioni/" + p.ID.String()}
		}
	}
	return out, nil
}

// HrefNuovaPrestazione is the prestazioni page with the form set on
// sostegno sostegnoID (patto.FontePrestazioni).
func (s *Service) HrefNuovaPrestazione(casoID uuid.UUID, sostegnoID string) string {
	return "/casi/" + casoID.String() + "/prestazioni?sostegno=" + url.QueryEscape(sostegnoID) + "#h-nuova"
}

// Messages of the sostegno_id field.
const (
	msgSostegnoCollegato = "Questo sostegno del patto è già registrato come prestazione: correggi quella, oppure cancellala prima di collegarne un'altra."
	msgSostegnoAssente   = "Questo sostegno non è nel patto firmato del caso: scegline uno dall'elenco."
)

// dati validates m against the case's members, the catalogue and the
// sostegni of the signed patto, in tx; prima is the prestazione being
// corrected (nil for a new one): its own sostegno stays its own, even when a
// later patto no longer has it.
func (s *Service) dati(ctx context.Context, tx pgx.Tx, c casi.Caso, m Modulo, prima *Prestazione) (Dati, error) {
	membri, err := s.casi.Componenti(ctx, tx, c.NucleoID)
	if err != nil {
		return Dati{}, err
	}
	set := map[uuid.UUID]bool{}
	for _, x := range membri {
		set[x.PersonaID] = true
	}
	voci, err := catalogo(ctx, tx)
	if err != nil {
		return Dati{}, fmt.Errorf("prestazioni: catalogo: %w", err)
	}
	cat := map[string]VoceCatalogo{}
	for _, x := range voci {
		cat[x.Codice] = x
	}
	d, errs := ValidaModulo(m, set, cat, casi.Oggi(s.now()))
	d.SostegnoID = strings.TrimSpace(m.SostegnoID)
	proprio := prima != nil && prima.SostegnoID == d.SostegnoID
	if d.SostegnoID != "" && !proprio {
		sos, err := s.sostegniPatto(ctx, tx, c.ID)
		if err != nil {
			return Dati{}, fmt.Errorf("prestazioni: sostegni del patto: %w", err)
		}
		msg := msgSostegnoAssente
		for _, x := range sos {
			if x.ID == d.SostegnoID {
				msg = ""
				if x.Prestazione != uuid.Nil && (prima == nil || x.Prestazione != prima.ID) {
					msg = msgSostegnoCollegato
				}
			}
		}
		if msg != "" {
			if errs == nil {
				errs = httpx.FieldErrors{}
			}
			errs["sostegno_id"] = msg
		}
	}
	if errs != nil {
		return d, errs
	}
	return d, nil
}

// trattino is s, "nessuno" when empty (the registro's detail).
func trattino(s string) string {
	if s == "" {
		return "nessuno"
	}
	return s
}

// collega links prestazione id to d's sostegno; a second live link made at
// the same time is the field's error, as if it had been seen.
func collega(ctx context.Context, tx pgx.Tx, id uuid.UUID, d Dati) error {
	err := collegaSostegno(ctx, tx, id, d.SostegnoID)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "prestazione_sostegno_idx" {
		return httpx.FieldErrors{"sostegno_id": msgSostegnoCollegato}
	}
	if err != nil {
		return fmt.Errorf("prestazioni: sostegno: %w", err)
	}
	return nil
}

// emetti writes the flow of operation op on prestazione prestID (fields d)
// inside tx: the ente's row locked, the next ts_flusso (strictly after the
// ente's last, at millisecond precision) and progressivo, the XML composed
// and validated against the schema, then stored. A flow the schema refuses
// is an *ErroreSchema and the caller's transaction rolls back.
func (s *Service) emetti(ctx context.Context, tx pgx.Tx, c casi.Caso, prestID uuid.UUID, d Dati, op Operazione, operatore uuid.UUID) error {
	e, seq, err := bloccaEnte(ctx, tx, c.AmbitoID)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrEnteMancante
	}
	if err != nil {
		return fmt.Errorf("prestazioni: ente: %w", err)
	}
	b, err := s.casi.BeneficiarioDelCaso(ctx, tx, c, d.PersonaID)
	if err != nil {
		return err
	}
	ts := s.now().UTC().Truncate(time.Millisecond)
	if seq.UltimoTS != nil && !ts.After(*seq.UltimoTS) {
		ts = seq.UltimoTS.UTC().Truncate(time.Millisecond).Add(time.Millisecond)
	}
	giorno, prog := calendario.Giorno(ts), 1
	if seq.Giorno != nil && seq.Giorno.Equal(giorno) {
		prog = seq.Progressivo + 1
	}
	id := IDFlusso(e.CodiceEnte, ts, prog)
	x, err := ComponiFlusso(id, e, b, d, op)
	if err != nil {
		return err
	}
	if err := s.val.Valida(ctx, x); err != nil {
		return err
	}
	if err := avanzaSequenza(ctx, tx, c.AmbitoID, ts, giorno, prog); err != nil {
		return fmt.Errorf("prestazioni: sequenza: %w", err)
	}
	if err := insertFlusso(ctx, tx, c.AmbitoID, prestID, c.ID, id, op, ts, x, operatore); err != nil {
		return fmt.Errorf("prestazioni: flusso: %w", err)
	}
	return nil
}

// Registra records a prestazione on case casoID by p (its case manager) and
// its insertion flow (I), in one transaction with the registro's record.
func (s *Service) Registra(ctx context.Context, p authz.Principal, casoID uuid.UUID, m Modulo, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	v.OggettoTipo = "prestazione"
	err := s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		d, err := s.dati(ctx, tx, c, m, nil)
		if err != nil {
			return err
		}
		if id, err = insertPrestazione(ctx, tx, casoID, d, p.OperatoreID, s.now()); err != nil {
			return fmt.Errorf("prestazioni: registra: %w", err)
		}
		if err := collega(ctx, tx, id, d); err != nil {
			return err
		}
		if err := s.emetti(ctx, tx, c, id, d, Inserimento, p.OperatoreID); err != nil {
			return err
		}
		w.OggettoID, w.Dettaglio = id.String(), "inserimento, flusso I"
		if d.SostegnoID != "" {
			w.Dettaglio += ", sostegno del patto " + d.SostegnoID
		}
		return nil
	})
	return id, err
}

// Correggi rewrites prestazione id with m (m.Versione the one the form was
// shown with: ErrConflict when someone changed it) and writes its
// correction as the specification asks: a C of the prestazione as it was,
// then an I of it as it is now.
func (s *Service) Correggi(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, m Modulo, v registro.Voce) error {
	v.OggettoTipo = "prestazione"
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		prima, err := prestazione(ctx, tx, casoID, id, true)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("prestazioni: correggi: %w", err)
		}
		ver, _ := strconv.Atoi(m.Versione)
		if prima.Cancellata() || ver != prima.Versione {
			return ErrConflict
		}
		d, err := s.dati(ctx, tx, c, m, &prima)
		if err != nil {
			return err
		}
		ok, err := updatePrestazione(ctx, tx, id, ver, d, p.OperatoreID, s.now())
		if err != nil {
			return fmt.Errorf("prestazioni: correggi: %w", err)
		}
		if !ok {
			return ErrConflict
		}
		if err := collega(ctx, tx, id, d); err != nil {
			return err
		}
		if err := s.emetti(ctx, tx, c, id, prima.Dati, Cancellazione, p.OperatoreID); err != nil {
			return err
		}
		if err := s.emetti(ctx, tx, c, id, d, Inserimento, p.OperatoreID); err != nil {
			return err
		}
		w.OggettoID, w.Dettaglio = id.String(), "rettifica, flussi C e I"
		if d.SostegnoID != prima.SostegnoID {
			w.Dettaglio += ", sostegno del patto " + trattino(prima.SostegnoID) + " → " + trattino(d.SostegnoID)
		}
		return nil
	})
}

// Cancella cancels prestazione id (versione as shown) and writes its C flow.
func (s *Service) Cancella(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, versione string, v registro.Voce) error {
	v.OggettoTipo = "prestazione"
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		prima, err := prestazione(ctx, tx, casoID, id, true)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("prestazioni: cancella: %w", err)
		}
		ver, _ := strconv.Atoi(versione)
		if prima.Cancellata() || ver != prima.Versione {
			return ErrConflict
		}
		if ok, err := cancelPrestazione(ctx, tx, id, ver, p.OperatoreID, s.now()); err != nil {
			return fmt.Errorf("prestazioni: cancella: %w", err)
		} else if !ok {
			return ErrConflict
		}
		if err := s.emetti(ctx, tx, c, id, prima.Dati, Cancellazione, p.OperatoreID); err != nil {
			return err
		}
		w.OggettoID, w.Dettaglio = id.String(), "cancellazione, flusso C"
		return nil
	})
}

// FlussoXML returns the XML of flow flussoID of case casoID for p (the case
// manager), recording the read.
func (s *Service) FlussoXML(ctx context.Context, p authz.Principal, casoID uuid.UUID, flussoID int64, v registro.Voce) ([]byte, error) {
	v.OggettoTipo, v.OggettoID = "flusso_siuss", strconv.FormatInt(flussoID, 10)
	if _, err := s.casi.Access(ctx, p, casoID, v); err != nil {
		return nil, err
	}
	b, err := flussoXML(ctx, s.pool, casoID, flussoID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	return b, err
}

// The ente for SIUSS, set by the amministratore di ambito.

// ambitoDi is p's ambito when p administers one.
func ambitoDi(p authz.Principal) (int64, bool) {
	if p.Ruolo != authz.AmministratoreAmbito || p.AmbitoID == nil {
		return 0, false
	}
	return *p.AmbitoID, true
}

// EnteDi returns the ente of p's ambito (Versione 0: not configured yet),
// recording the read.
func (s *Service) EnteDi(ctx context.Context, p authz.Principal, v registro.Voce) (Ente, error) {
	amb, ok := ambitoDi(p)
	v.OggettoTipo = "ente_siuss"
	if !ok {
		v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, registro.Lettura
		if err := s.reg.Record(ctx, v); err != nil {
			return Ente{}, err
		}
		return Ente{}, ErrNotFound
	}
	e, err := ente(ctx, s.pool, amb)
	if err != nil {
		return Ente{}, fmt.Errorf("prestazioni: ente: %w", err)
	}
	v.Azione, v.Esito, v.OggettoID = registro.Lettura, registro.Consentito, strconv.FormatInt(amb, 10)
	return e, s.reg.Record(ctx, v)
}

var (
	reCodiceEnte = regexp.MustCompile(`^[A-Z0-9]{1,30}$`)
	rePIVA       = regexp.MustCompile(`^[0-9]{11}$`)
)

// ValidaEnte checks the ente form against the schema's EnteType.
func ValidaEnte(m ModuloEnte) (Ente, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	e := Ente{CodiceEnte: strings.ToUpper(strings.TrimSpace(m.CodiceEnte)), Belfiore: strings.ToUpper(strings.TrimSpace(m.Belfiore)),
		Denominazione: strings.TrimSpace(m.Denominazione), CFOperatore: strings.ToUpper(strings.TrimSpace(m.CFOperatore))}
	switch {
	case e.CodiceEnte == "":
		errs["codice_ente"] = "Indica il codice dell'ente nel sistema di accesso INPS (di solito il codice Belfiore del comune)."
	case !reCodiceEnte.MatchString(e.CodiceEnte):
		errs["codice_ente"] = "Il codice dell'ente ha da 1 a 30 lettere o cifre, senza spazi."
	}
	if !reBelfiore.MatchString(e.Belfiore) {
		errs["belfiore"] = "Il codice Belfiore (catastale) è una lettera e tre cifre, per esempio A944."
	}
	n := len([]rune(e.Denominazione))
	switch {
	case n == 0:
		errs["denominazione"] = "Indica la denominazione dell'ente, per esempio Comune di Bologna."
	case n > LimitiEnte.Max("denominazione"):
		errs["denominazione"] = fmt.Sprintf("Al massimo %d caratteri (ne hai scritti %d).", LimitiEnte.Max("denominazione"), n)
	case strings.ContainsFunc(e.Denominazione, func(r rune) bool { return r < ' ' }):
		errs["denominazione"] = "Contiene caratteri non ammessi."
	}
	switch {
	case e.CFOperatore == "":
		errs["cf_operatore"] = "Indica il codice fiscale dell'operatore responsabile dei flussi."
	case rePIVA.MatchString(e.CFOperatore):
	case codicefiscale.Validate(e.CFOperatore) != nil:
		errs["cf_operatore"] = "Il codice fiscale non è valido: 16 caratteri per una persona, 11 cifre per un ente."
	}
	if len(errs) > 0 {
		return e, errs
	}
	return e, nil
}

// SalvaEnte sets the ente of p's ambito (m.Versione as shown: ErrConflict
// when someone changed it), recording the write.
func (s *Service) SalvaEnte(ctx context.Context, p authz.Principal, m ModuloEnte, v registro.Voce) error {
	amb, ok := ambitoDi(p)
	v.OggettoTipo = "ente_siuss"
	if !ok {
		v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, registro.Scrittura
		if err := s.reg.Record(ctx, v); err != nil {
			return err
		}
		return ErrNotFound
	}
	e, errs := ValidaEnte(m)
	if errs != nil {
		return errs
	}
	e.AmbitoID = amb
	ver, _ := strconv.Atoi(m.Versione)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		ok, err := salvaEnte(ctx, tx, e, ver, &p.OperatoreID)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "siuss_ente_codice_idx" {
			// The e-service serves an ente by this code (migration 000027).
			return httpx.FieldErrors{"codice_ente": "Questo codice è già dell'ente di un altro ambito: ogni ente ha il suo codice nel sistema di accesso INPS."}
		}
		if err != nil {
			return fmt.Errorf("prestazioni: ente: %w", err)
		}
		if !ok {
			return ErrConflict
		}
		v.Azione, v.Esito, v.OggettoID = registro.Scrittura, registro.Consentito, strconv.FormatInt(amb, 10)
		v.Dettaglio = "ente " + e.CodiceEnte
		return s.reg.RecordTx(ctx, tx, v)
	})
}

// ConfiguraEnte sets the ente of ambito ambitoID with no principal: the demo
// and the tests.
func ConfiguraEnte(ctx context.Context, pool *pgxpool.Pool, e Ente) error {
	cur, err := ente(ctx, pool, e.AmbitoID)
	if err != nil {
		return err
	}
	_, err = salvaEnte(ctx, pool, e, cur.Versione, nil)
	return err
}
