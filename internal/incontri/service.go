package incontri

import (
	"context"
	"crypto/rand"
	"encoding/base64"
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
	// fonti keep appointments besides the convocazioni (ConAppuntamenti).
	fonti []FonteAppuntamenti
}

// NewService returns the service; case scope and reads go through cs,
// every access and write to reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// Scheda is everything the meetings page of a case shows.
type Scheda struct {
	Caso         casi.Caso
	Oggi         time.Time
	Componenti   []Componente
	Convocazioni []Convocazione
	Incontri     []Incontro
	Giustificati []Giustificato
	Scadenze     scadenze.Scadenze // T120 and T90 at the time of the page
}

// Scheda returns the case's convocazioni, incontri and giustificati motivi
// for p, recording the read (oggetto "incontri"); a case p may not reach is
// ErrNotFound, and the refusal is recorded too.
func (s *Service) Scheda(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	v.OggettoTipo = "incontri"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Scheda{}, err
	}
	sc := Scheda{Caso: c, Oggi: s.oggi()}
	if sc.Componenti, err = Componenti(ctx, s.pool, c.NucleoID); err != nil {
		return Scheda{}, fmt.Errorf("incontri: componenti: %w", err)
	}
	if sc.Convocazioni, err = convocazioni(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("incontri: convocazioni: %w", err)
	}
	if sc.Incontri, err = incontriCaso(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("incontri: incontri: %w", err)
	}
	if sc.Giustificati, err = giustificati(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("incontri: giustificati: %w", err)
	}
	if sc.Scadenze, err = s.casi.Scadenze(ctx, s.pool, casoID, s.now()); err != nil {
		return Scheda{}, fmt.Errorf("incontri: scadenze: %w", err)
	}
	return sc, nil
}

// change is one write to a case's meetings: what it wrote, for the
// registro, and the state the case moves to, if any.
type change struct {
	oggettoTipo string
	oggettoID   string
	stato       casi.Stato
	nota        string
}

// write runs fn inside a transaction on the case locked for p: closed
// cases are read-only; the write is recorded in the registro, the
// deadlines recomputed (casi.Service.Aggiorna, at the service's clock) and
// a state change written to the case's history, all in the same
// transaction. A case p may not reach is ErrNotFound, and the refusal is
// recorded.
func (s *Service) write(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c casi.Caso) (change, error)) error {
	if v.OggettoTipo == "" {
		v.OggettoTipo = "incontri" // what a refusal names
	}
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) error {
		ch, err := fn(tx, c)
		if err != nil {
			return err
		}
		w.OggettoTipo, w.OggettoID = ch.oggettoTipo, ch.oggettoID
		if err := s.casi.Aggiorna(ctx, tx, casoID); err != nil {
			return err
		}
		if ch.stato != "" && ch.stato != c.Stato {
			if err := setStato(ctx, tx, casoID, string(ch.stato)); err != nil {
				return fmt.Errorf("incontri: stato: %w", err)
			}
			op := p.OperatoreID
			if err := casi.Storico(ctx, tx, casoID, &op, "stato", string(c.Stato), string(ch.stato), ch.nota); err != nil {
				return err
			}
		}
		return nil
	})
}

func tooLong(v string, n int) bool { return utf8.RuneCountInString(v) > n }

// LeggiPresenze reads the presence typed for each of membri (the form's
// presenza_<persona> and motivo_<persona>): presente, assente, or assente
// for a giustificato motivo, which must then be given. The errors go into
// errs under those names; presenti counts the members present.
func LeggiPresenze(membri []Componente, in map[uuid.UUID]PresenzaInput, errs map[string]string) (out []Presenza, presenti int) {
	if len(membri) == 0 {
		errs["presenze"] = "Il nucleo non ha componenti attuali: aggiorna la composizione prima di registrare un incontro."
	}
	for _, m := range membri {
		pi := in[m.PersonaID]
		key := m.PersonaID.String()
		pr := Presenza{PersonaID: m.PersonaID, Motivo: strings.TrimSpace(pi.Motivo)}
		switch pi.Stato {
		case "presente":
			pr.Presente, pr.Motivo = true, ""
			presenti++
		case "assente":
			pr.Motivo = ""
		case "giustificato":
			pr.Giustificato = true
			switch {
			case pr.Motivo == "":
				errs["motivo_"+key] = "Indica il giustificato motivo dell'assenza di " + m.Nome + "."
			case tooLong(pr.Motivo, LimitiIncontro.Max("motivo_*")):
				errs["motivo_"+key] = fmt.Sprintf("Il motivo può avere al massimo %d caratteri.", LimitiIncontro.Max("motivo_*"))
			}
		default:
			errs["presenza_"+key] = "Indica se " + m.Nome + " era presente."
		}
		out = append(out, pr)
	}
	return out, presenti
}

// NuovaConvocazione is the convocazione form as typed.
type NuovaConvocazione struct {
	Tipo, Data, Ora, Durata, Luogo, Canale, InviataIl, Note string
	// Pregressa: the operator is registering a convocazione for a meeting
	// already past (sent before Cartella was in use, or recorded late).
	Pregressa bool
}

// EsitoConvocazione tells the handler what happened.
type EsitoConvocazione struct {
	ID uuid.UUID
	// FuoriOrario: the meeting falls outside every office slot of the
	// case's comune (a warning: it is saved all the same).
	FuoriOrario bool
}

func (s *Service) validaConvocazione(in NuovaConvocazione) (Convocazione, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	c := Convocazione{Tipo: in.Tipo, Canale: in.Canale, Luogo: strings.TrimSpace(in.Luogo), Note: strings.TrimSpace(in.Note)}
	if label(TipiConvocazione, in.Tipo) == in.Tipo {
		errs["tipo"] = "Scegli il tipo di incontro."
	}
	if label(Canali, in.Canale) == in.Canale {
		errs["canale"] = "Scegli il canale con cui la convocazione è stata inviata."
	}
	switch {
	case c.Luogo == "":
		errs["luogo"] = "Indica il luogo dell'incontro."
	case tooLong(c.Luogo, LimitiConvocazione.Max("luogo")):
		errs["luogo"] = fmt.Sprintf("Il luogo può avere al massimo %d caratteri.", LimitiConvocazione.Max("luogo"))
	}
	if tooLong(c.Note, LimitiConvocazione.Max("note")) {
		errs["note"] = fmt.Sprintf("Le note possono avere al massimo %d caratteri.", LimitiConvocazione.Max("note"))
	}
	d, err := strconv.Atoi(strings.TrimSpace(in.Durata))
	if err != nil || d < 5 || d > 600 {
		errs["durata"] = "Indica la durata in minuti, tra 5 e 600."
	}
	c.DurataMinuti = d
	oggi := s.oggi()
	inviata, okInviata := calendario.ParseData(in.InviataIl)
	switch {
	case strings.TrimSpace(in.InviataIl) == "":
		errs["inviata_il"] = "Indica la data di invio della convocazione."
	case !okInviata:
		errs["inviata_il"] = calendario.DataNonValida
	case inviata.After(oggi):
		errs["inviata_il"] = "La data di invio non può essere futura: registra la convocazione quando la invii."
	case inviata.Year() < 2019:
		errs["inviata_il"] = "La data di invio è troppo lontana nel passato: controllala."
	}
	c.InviataIl = inviata
	inizio, msgData, msgOra, ok := calendario.Incontro(in.Data, in.Ora)
	if msgData != "" {
		errs["data"] = msgData
	}
	if msgOra != "" {
		errs["ora"] = msgOra
	}
	if ok {
		giorno := calendario.Giorno(inizio)
		c.Inizio = inizio
		switch {
		case okInviata && giorno.Before(inviata):
			errs["data"] = "L'incontro non può precedere l'invio della convocazione."
		case c.Inizio.Before(s.now()) && !in.Pregressa:
			errs["data"] = "La data e l'ora dell'incontro sono già passate. Se stai registrando una convocazione già inviata per un incontro passato, spunta «Convocazione per un incontro già passato»."
		case giorno.After(oggi.AddDate(1, 0, 0)):
			errs["data"] = "L'incontro è a più di un anno da oggi: controlla la data."
		}
	}
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// Convoca records a convocazione of the case's nucleo by p, who will meet
// it. The first convocazione of an assigned case moves it to "convocato"
// (domain.md §2.3).
func (s *Service) Convoca(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovaConvocazione, v registro.Voce) (EsitoConvocazione, error) {
	var out EsitoConvocazione
	v.OggettoTipo = "convocazione"
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (change, error) {
		cv, errs := s.validaConvocazione(in)
		if errs != nil {
			return change{}, errs
		}
		cv.CasoID = casoID
		op := p.OperatoreID
		cv.OperatoreID = &op
		id, err := insertConvocazione(ctx, tx, cv, p.OperatoreID)
		if err != nil {
			return change{}, fmt.Errorf("incontri: convoca: %w", err)
		}
		out.ID = id
		sl, err := slots(ctx, tx, []int64{c.ComuneID})
		if err != nil {
			return change{}, fmt.Errorf("incontri: disponibilità: %w", err)
		}
		out.FuoriOrario = fuoriOrario(cv, sl)
		ch := change{oggettoTipo: "convocazione", oggettoID: id.String()}
		if c.Stato == casi.Assegnato {
			ch.stato, ch.nota = casi.Convocato, "Convocazione registrata ("+TipoLabel(cv.Tipo)+")"
		}
		return ch, nil
	})
	return out, err
}

// fuoriOrario reports whether the meeting falls outside every office slot
// of its day; a comune with no slots recorded never warns.
func fuoriOrario(c Convocazione, sl []Slot) bool {
	if len(sl) == 0 {
		return false
	}
	in := c.Inizio.In(calendario.Roma)
	fine := c.Fine().In(calendario.Roma)
	giorno := isoWeekday(in)
	da := in.Format("15:04")
	a := fine.Format("15:04")
	if fine.YearDay() != in.YearDay() {
		return true
	}
	for _, s := range sl {
		if s.Giorno == giorno && s.Dalle <= da && a <= s.Alle {
			return false
		}
	}
	return true
}

func isoWeekday(t time.Time) int {
	wd := int(t.Weekday())
	if wd == 0 {
		return 7
	}
	return wd
}

// NuovoEsito is the delivery-outcome form of a convocazione.
type NuovoEsito struct {
	Esito     string
	Annullata bool
	Versione  string
}

// AggiornaEsito records the delivery outcome of a convocazione, or its
// cancellation. Versione is the one the form was shown with: if someone
// changed the convocazione since, ErrConflict and nothing is written.
func (s *Service) AggiornaEsito(ctx context.Context, p authz.Principal, casoID, convID uuid.UUID, in NuovoEsito, v registro.Voce) error {
	v.OggettoTipo = "convocazione"
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, _ casi.Caso) (change, error) {
		errs := httpx.FieldErrors{}
		if label(EsitiConsegna, in.Esito) == in.Esito {
			errs["esito"] = "Scegli l'esito della consegna."
		}
		ver, err := strconv.Atoi(in.Versione)
		if err != nil {
			return change{}, ErrConflict
		}
		if len(errs) > 0 {
			return change{}, errs
		}
		if err := updateEsito(ctx, tx, casoID, convID, ver, in.Esito, in.Annullata); err != nil {
			if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
				return change{}, err
			}
			return change{}, fmt.Errorf("incontri: esito: %w", err)
		}
		return change{oggettoTipo: "convocazione", oggettoID: convID.String()}, nil
	})
}

// PresenzaInput is one member's presence as typed: presente, assente or
// giustificato (with its motivo).
type PresenzaInput struct{ Stato, Motivo string }

// NuovoIncontro is the form registering a meeting.
type NuovoIncontro struct {
	Tipo, Data, Luogo, ConvocazioneID, Note string
	Presenze                                map[uuid.UUID]PresenzaInput
}

// RegistraIncontro records a meeting held with the nucleo and the presence
// of each current member. A meeting in the future is refused. The first
// meeting with at least one member present moves an assigned or convened
// case to "in_valutazione" (domain.md §2.3).
func (s *Service) RegistraIncontro(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovoIncontro, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	v.OggettoTipo = "incontro"
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (change, error) {
		membri, err := Componenti(ctx, tx, c.NucleoID)
		if err != nil {
			return change{}, fmt.Errorf("incontri: componenti: %w", err)
		}
		in2 := Incontro{Tipo: in.Tipo, Luogo: strings.TrimSpace(in.Luogo), Note: strings.TrimSpace(in.Note)}
		errs := httpx.FieldErrors{}
		if label(TipiIncontro, in.Tipo) == in.Tipo {
			errs["tipo"] = "Scegli il tipo di incontro."
		}
		d, ok := calendario.ParseData(in.Data)
		switch {
		case strings.TrimSpace(in.Data) == "":
			errs["data"] = "Indica la data dell'incontro."
		case !ok:
			errs["data"] = calendario.DataNonValida
		case d.After(s.oggi()):
			errs["data"] = "La data dell'incontro non può essere futura: registra l'incontro dopo che si è svolto."
		case d.Year() < 2019:
			errs["data"] = "La data dell'incontro è troppo lontana nel passato: controllala."
		}
		in2.Data = d
		if strings.TrimSpace(in.ConvocazioneID) != "" {
			cid, err := uuid.Parse(in.ConvocazioneID)
			var cv Convocazione
			if err == nil {
				cv, err = convocazioneOf(ctx, tx, casoID, cid)
			}
			switch {
			case errors.Is(err, ErrNotFound) || (err != nil && cid == uuid.Nil):
				errs["convocazione_id"] = "La convocazione scelta non è di questo caso."
			case err != nil:
				return change{}, fmt.Errorf("incontri: convocazione: %w", err)
			case cv.Annullata:
				errs["convocazione_id"] = "La convocazione scelta è annullata."
			default:
				in2.ConvocazioneID = &cid
				if in2.Luogo == "" {
					in2.Luogo = cv.Luogo
				}
			}
		}
		if tooLong(in2.Luogo, LimitiIncontro.Max("luogo")) {
			errs["luogo"] = fmt.Sprintf("Il luogo può avere al massimo %d caratteri.", LimitiIncontro.Max("luogo"))
		}
		if tooLong(in2.Note, LimitiIncontro.Max("note")) {
			errs["note"] = fmt.Sprintf("Le note possono avere al massimo %d caratteri.", LimitiIncontro.Max("note"))
		}
		var presenti int
		in2.Presenze, presenti = LeggiPresenze(membri, in.Presenze, errs)
		if len(errs) > 0 {
			return change{}, errs
		}
		if id, err = insertIncontro(ctx, tx, casoID, in2, p.OperatoreID); err != nil {
			return change{}, fmt.Errorf("incontri: registra: %w", err)
		}
		ch := change{oggettoTipo: "incontro", oggettoID: id.String()}
		if presenti > 0 && (c.Stato == casi.Assegnato || c.Stato == casi.Convocato) {
			ch.stato, ch.nota = casi.InValutazione, "Primo incontro registrato il "+calendario.Data(d)
		}
		return ch, nil
	})
	return id, err
}

// NuovoGiustificato is the giustificato motivo form.
type NuovoGiustificato struct{ PersonaID, Motivo, Dal, Al, Documento string }

// Giustifica records a giustificato motivo of a member for a period (al
// empty: open-ended): it suspends the terms for that member.
func (s *Service) Giustifica(ctx context.Context, p authz.Principal, casoID uuid.UUID, in NuovoGiustificato, v registro.Voce) error {
	v.OggettoTipo = "giustificato_motivo"
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (change, error) {
		membri, err := Componenti(ctx, tx, c.NucleoID)
		if err != nil {
			return change{}, fmt.Errorf("incontri: componenti: %w", err)
		}
		errs := httpx.FieldErrors{}
		g := Giustificato{Motivo: strings.TrimSpace(in.Motivo), Documento: strings.TrimSpace(in.Documento)}
		pid, err := uuid.Parse(in.PersonaID)
		found := false
		for _, m := range membri {
			found = found || (err == nil && m.PersonaID == pid)
		}
		if !found {
			errs["persona_id"] = "Scegli il componente del nucleo."
		}
		g.PersonaID = pid
		switch {
		case g.Motivo == "":
			errs["motivo"] = "Indica il giustificato motivo."
		case tooLong(g.Motivo, LimitiGiustificazione.Max("motivo")):
			errs["motivo"] = fmt.Sprintf("Il motivo può avere al massimo %d caratteri.", LimitiGiustificazione.Max("motivo"))
		}
		if tooLong(g.Documento, LimitiGiustificazione.Max("documento")) {
			errs["documento"] = fmt.Sprintf("Il riferimento al documento può avere al massimo %d caratteri.", LimitiGiustificazione.Max("documento"))
		}
		dal, ok := calendario.ParseData(in.Dal)
		switch {
		case strings.TrimSpace(in.Dal) == "":
			errs["dal"] = "Indica da quando vale il giustificato motivo."
		case !ok:
			errs["dal"] = calendario.DataNonValida
		case dal.Year() < 2019 || dal.After(s.oggi().AddDate(1, 0, 0)):
			errs["dal"] = "La data di inizio è fuori dall'intervallo ammesso: controllala."
		}
		g.Dal = dal
		if strings.TrimSpace(in.Al) != "" {
			al, ok := calendario.ParseData(in.Al)
			switch {
			case !ok:
				errs["al"] = calendario.DataNonValida
			case errs["dal"] == "" && al.Before(dal):
				errs["al"] = "La fine del periodo non può precedere l'inizio."
			default:
				g.Al = &al
			}
		}
		if len(errs) > 0 {
			return change{}, errs
		}
		id, err := insertGiustificato(ctx, tx, casoID, g, p.OperatoreID)
		if err != nil {
			return change{}, fmt.Errorf("incontri: giustifica: %w", err)
		}
		return change{oggettoTipo: "giustificato_motivo", oggettoID: id.String()}, nil
	})
}

// Agenda.

// Appuntamento is a convocazione in the operator's week.
type Appuntamento struct {
	ConvocazioneID uuid.UUID // or the monitoring meeting's id
	Href           string    // the page of the appointment
	CasoID         uuid.UUID
	Codice         string // "C-000123"
	Richiedente    string // only while the case is the operator's
	Tipo           string
	Inizio, Fine   time.Time // in Europe/Rome
	DurataMinuti   int
	Luogo          string
}

// vista is the appointment as the agenda shows it, in Rome's time.
func (a appuntamento) vista() Appuntamento {
	return Appuntamento{
		ConvocazioneID: a.ID, CasoID: a.CasoID, Href: a.href(), Codice: casi.Caso{Numero: a.Numero}.Codice(),
		Richiedente: a.Richiedente, Tipo: a.Tipo, Inizio: a.Inizio.In(calendario.Roma), Fine: a.Fine().In(calendario.Roma),
		DurataMinuti: a.DurataMinuti, Luogo: a.Luogo,
	}
}

// Giorno of the week view.
type Giorno struct {
	Data          time.Time // civil date, midnight UTC
	Oggi          bool
	Appuntamenti  []Appuntamento
	Disponibilita []Slot
}

// Settimana is the week view of the agenda.
type Settimana struct {
	Codice       string // ISO week, "2026-W48"
	Lunedi       time.Time
	Domenica     time.Time
	Giorni       []Giorno
	Prec, Succ   string
	Corrente     string
	Appuntamenti bool // the role has appointments of its own (case manager)
	Comuni       []Comune
	// The case manager's appointments before today never registered (the
	// oldest MaxDaRegistrare), and how many they are.
	DaRegistrare       []Appuntamento
	TotaleDaRegistrare int
}

// MaxDaRegistrare is how many unregistered appointments the agenda lists.
const MaxDaRegistrare = 20

// ParseSettimana reads an ISO week "2026-W48" and returns its Monday (civil
// date, midnight UTC).
func ParseSettimana(v string) (time.Time, bool) {
	y, w, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(v)), "-W")
	if !ok {
		return time.Time{}, false
	}
	anno, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(w)
	if err1 != nil || err2 != nil || anno < 2000 || anno > 2100 || num < 1 || num > 53 {
		return time.Time{}, false
	}
	// 4 January is always in week 1.
	jan4 := time.Date(anno, 1, 4, 0, 0, 0, 0, time.UTC)
	lunedi := jan4.AddDate(0, 0, -(isoWeekday(jan4)-1)+(num-1)*7)
	if ay, aw := lunedi.ISOWeek(); ay != anno || aw != num {
		return time.Time{}, false // week 53 of a year that has 52
	}
	return lunedi, true
}

// CodiceSettimana is the ISO week of a date, "2026-W48".
func CodiceSettimana(d time.Time) string {
	y, w := d.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

func (s *Service) scope(ctx context.Context, p authz.Principal) ([]Comune, []int64, error) {
	if p.AmbitoID == nil {
		return nil, nil, nil
	}
	cs, err := comuniScope(ctx, s.pool, *p.AmbitoID, p.ComuneID)
	if err != nil {
		return nil, nil, fmt.Errorf("incontri: comuni: %w", err)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return cs, ids, nil
}

// Agenda returns the week (an ISO week; empty or invalid: the current
// one) of p: their own non-cancelled convocazioni when p is a case manager
// (the coordinatore has none), and the office availability of the comuni of
// p's scope. Showing a case manager their appointments is a read of their
// cases' anagrafica, and is recorded.
func (s *Service) Agenda(ctx context.Context, p authz.Principal, settimana string, v registro.Voce) (Settimana, error) {
	oggi := s.oggi()
	lunedi, ok := ParseSettimana(settimana)
	if !ok {
		lunedi = oggi.AddDate(0, 0, -(isoWeekday(oggi) - 1))
	}
	w := Settimana{Codice: CodiceSettimana(lunedi), Lunedi: lunedi, Domenica: lunedi.AddDate(0, 0, 6),
		Prec: CodiceSettimana(lunedi.AddDate(0, 0, -7)), Succ: CodiceSettimana(lunedi.AddDate(0, 0, 7)),
		Corrente: CodiceSettimana(oggi), Appuntamenti: casi.MayReadContent(p)}
	for i := range 7 {
		d := lunedi.AddDate(0, 0, i)
		w.Giorni = append(w.Giorni, Giorno{Data: d, Oggi: d.Equal(oggi)})
	}
	comuni, ids, err := s.scope(ctx, p)
	if err != nil {
		return Settimana{}, err
	}
	w.Comuni = comuni
	sl, err := slots(ctx, s.pool, ids)
	if err != nil {
		return Settimana{}, fmt.Errorf("incontri: disponibilità: %w", err)
	}
	for _, x := range sl {
		w.Giorni[x.Giorno-1].Disponibilita = append(w.Giorni[x.Giorno-1].Disponibilita, x)
	}
	if !w.Appuntamenti {
		return w, nil
	}
	// The week's bounds are Rome's midnights: with a DST change the week
	// is 167 or 169 hours long.
	dal := time.Date(lunedi.Year(), lunedi.Month(), lunedi.Day(), 0, 0, 0, 0, calendario.Roma)
	al := time.Date(lunedi.Year(), lunedi.Month(), lunedi.Day()+7, 0, 0, 0, 0, calendario.Roma)
	as, err := s.appuntamenti(ctx, s.pool, p.OperatoreID, dal, al, false)
	if err != nil {
		return Settimana{}, fmt.Errorf("incontri: agenda: %w", err)
	}
	for _, a := range as {
		in := a.Inizio.In(calendario.Roma)
		g := time.Date(in.Year(), in.Month(), in.Day(), 0, 0, 0, 0, time.UTC)
		i := int(g.Sub(lunedi).Hours() / 24)
		if i < 0 || i > 6 {
			continue
		}
		w.Giorni[i].Appuntamenti = append(w.Giorni[i].Appuntamenti, a.vista())
	}
	oggiRoma := time.Date(oggi.Year(), oggi.Month(), oggi.Day(), 0, 0, 0, 0, calendario.Roma)
	dr, n, err := s.daRegistrare(ctx, s.pool, p.OperatoreID, oggiRoma, MaxDaRegistrare)
	if err != nil {
		return Settimana{}, fmt.Errorf("incontri: da registrare: %w", err)
	}
	w.TotaleDaRegistrare = n
	for _, a := range dr {
		w.DaRegistrare = append(w.DaRegistrare, a.vista())
	}
	v.Azione, v.Esito, v.OggettoTipo, v.OggettoID = registro.Lettura, registro.Consentito, "agenda", w.Codice
	if err := s.reg.Record(ctx, v); err != nil {
		return Settimana{}, err
	}
	return w, nil
}

// ContaDaRegistrare counts p's appointments before today never
// registered (see Settimana.DaRegistrare), for the home page: a count, no
// case is read. ok is false for a role without appointments of its own.
func (s *Service) ContaDaRegistrare(ctx context.Context, p authz.Principal) (n int, ok bool, err error) {
	if !casi.MayReadContent(p) {
		return 0, false, nil
	}
	oggi := s.oggi()
	_, n, err = s.daRegistrare(ctx, s.pool, p.OperatoreID, time.Date(oggi.Year(), oggi.Month(), oggi.Day(), 0, 0, 0, 0, calendario.Roma), 0)
	if err != nil {
		return 0, false, fmt.Errorf("incontri: da registrare: %w", err)
	}
	return n, true, nil
}

// Disponibilita returns the comuni of p's scope and their office slots.
func (s *Service) Disponibilita(ctx context.Context, p authz.Principal) ([]Comune, []Slot, error) {
	comuni, ids, err := s.scope(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	sl, err := slots(ctx, s.pool, ids)
	if err != nil {
		return nil, nil, fmt.Errorf("incontri: disponibilità: %w", err)
	}
	return comuni, sl, nil
}

// NuovoSlot is the office-slot form.
type NuovoSlot struct{ ComuneID, Ufficio, Giorno, Dalle, Alle string }

// AggiungiSlot adds a weekly office slot to a comune of p's scope. Slots
// of the same office on the same day may not overlap.
func (s *Service) AggiungiSlot(ctx context.Context, p authz.Principal, in NuovoSlot, v registro.Voce) error {
	comuni, ids, err := s.scope(ctx, p)
	if err != nil {
		return err
	}
	errs := httpx.FieldErrors{}
	sl := Slot{Ufficio: strings.TrimSpace(in.Ufficio)}
	cid, _ := strconv.ParseInt(in.ComuneID, 10, 64)
	for _, c := range comuni {
		if c.ID == cid {
			sl.ComuneID = cid
		}
	}
	if sl.ComuneID == 0 {
		errs["comune_id"] = "Scegli un comune del tuo ambito di competenza."
	}
	switch {
	case sl.Ufficio == "":
		errs["ufficio"] = "Indica l'ufficio (per esempio: Servizio sociale, via Roma 1)."
	case tooLong(sl.Ufficio, LimitiAgenda.Max("ufficio")):
		errs["ufficio"] = fmt.Sprintf("L'ufficio può avere al massimo %d caratteri.", LimitiAgenda.Max("ufficio"))
	}
	sl.Giorno, _ = strconv.Atoi(in.Giorno)
	if sl.Giorno < 1 || sl.Giorno > 7 {
		errs["giorno"] = "Scegli il giorno della settimana."
	}
	h1, m1, ok1 := calendario.ParseOra(in.Dalle)
	h2, m2, ok2 := calendario.ParseOra(in.Alle)
	if !ok1 {
		errs["dalle"] = "Ora non valida: usa il formato hh:mm, per esempio 09:00."
	}
	if !ok2 {
		errs["alle"] = "Ora non valida: usa il formato hh:mm, per esempio 12:30."
	}
	sl.Dalle, sl.Alle = fmt.Sprintf("%02d:%02d", h1, m1), fmt.Sprintf("%02d:%02d", h2, m2)
	if ok1 && ok2 && sl.Alle <= sl.Dalle {
		errs["alle"] = "L'orario di chiusura deve seguire quello di apertura."
	}
	if len(errs) == 0 {
		esistenti, err := slots(ctx, s.pool, ids)
		if err != nil {
			return fmt.Errorf("incontri: disponibilità: %w", err)
		}
		for _, e := range esistenti {
			if e.ComuneID == sl.ComuneID && strings.EqualFold(e.Ufficio, sl.Ufficio) && e.Giorno == sl.Giorno &&
				e.Dalle < sl.Alle && sl.Dalle < e.Alle {
				errs["dalle"] = fmt.Sprintf("Si sovrappone alla fascia %s–%s dello stesso ufficio.", e.Dalle, e.Alle)
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		id, err := insertSlot(ctx, tx, sl)
		if err != nil {
			return fmt.Errorf("incontri: slot: %w", err)
		}
		v.Azione, v.Esito, v.OggettoTipo, v.OggettoID = registro.Scrittura, registro.Consentito, "disponibilita_ufficio", strconv.FormatInt(id, 10)
		return s.reg.RecordTx(ctx, tx, v)
	})
}

// EliminaSlot deletes an office slot of a comune of p's scope (ErrNotFound
// otherwise).
func (s *Service) EliminaSlot(ctx context.Context, p authz.Principal, id int64, v registro.Voce) error {
	_, ids, err := s.scope(ctx, p)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := deleteSlot(ctx, tx, id, ids); err != nil {
			if errors.Is(err, ErrNotFound) {
				return err
			}
			return fmt.Errorf("incontri: elimina slot: %w", err)
		}
		v.Azione, v.Esito, v.OggettoTipo, v.OggettoID = registro.Scrittura, registro.Consentito, "disponibilita_ufficio", strconv.FormatInt(id, 10)
		v.Dettaglio = "eliminata"
		return s.reg.RecordTx(ctx, tx, v)
	})
}

// Calendar feed.

// Calendario returns when p's feed link was generated (nil: never).
func (s *Service) Calendario(ctx context.Context, p authz.Principal) (*time.Time, error) {
	t, err := calendarioCreato(ctx, s.pool, p.OperatoreID)
	if err != nil {
		return nil, fmt.Errorf("incontri: calendario: %w", err)
	}
	return t, nil
}

// NuovoCalendario generates p's secret feed token (32 random bytes,
// base64url) and returns it: it is shown once; only its SHA-256 is kept,
// and the previous token stops working.
func (s *Service) NuovoCalendario(ctx context.Context, p authz.Principal, v registro.Voce) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("incontri: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := upsertToken(ctx, tx, p.OperatoreID, token); err != nil {
			return fmt.Errorf("incontri: token: %w", err)
		}
		v.Azione, v.Esito, v.OggettoTipo, v.OggettoID = registro.Scrittura, registro.Consentito, "calendario", p.OperatoreID.String()
		v.Dettaglio = "nuovo collegamento"
		return s.reg.RecordTx(ctx, tx, v)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FeedWindow is how far back and ahead the feed reaches.
const FeedWindow = 90 * 24 * time.Hour

// Evento is a convocazione as the feed publishes it: no names, no codice
// fiscale, only the case code, the type, the place and the time.
type Evento struct {
	Convocazione
	Codice string
	Href   string // the appointment's page, under the application's URL
}

// Feed returns the convocazioni (cancelled ones too) of the operator whose
// token this is, from 90 days ago to 90 days ahead, and records the read.
// An unknown token, or one of an operator who is no longer active or no
// longer holds a role with an agenda, is ErrNotFound.
func (s *Service) Feed(ctx context.Context, token string, v registro.Voce) ([]Evento, error) {
	if len(token) != 43 {
		return nil, ErrNotFound
	}
	op, ambito, err := tokenOperatore(ctx, s.pool, token, s.oggi())
	if err != nil {
		return nil, err
	}
	now := s.now()
	as, err := s.appuntamenti(ctx, s.pool, op, now.Add(-FeedWindow), now.Add(FeedWindow), true)
	if err != nil {
		return nil, fmt.Errorf("incontri: feed: %w", err)
	}
	// The feed leaves the operator's hands (a phone, a shared calendar):
	// only the appointments of the cases the operator still holds.
	propri, err := casiDellOperatore(ctx, s.pool, op)
	if err != nil {
		return nil, fmt.Errorf("incontri: feed: %w", err)
	}
	out := make([]Evento, 0, len(as))
	for _, a := range as {
		if propri[a.Convocazione.CasoID] {
			out = append(out, Evento{Convocazione: a.Convocazione, Codice: casi.Caso{Numero: a.Numero}.Codice(), Href: a.href()})
		}
	}
	// No session: the record names the token's operator and their ambito, so
	// that the amministratore di ambito finds it in the register.
	v.OperatoreID, v.AmbitoID = &op, ambito
	v.Azione, v.Esito, v.OggettoTipo, v.OggettoID = registro.Lettura, registro.Consentito, "calendario", op.String()
	if err := s.reg.Record(ctx, v); err != nil {
		return nil, err
	}
	return out, nil
}
