package monitoraggio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
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
	"github.com/cartella/cartella/internal/incontri"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
	"github.com/cartella/cartella/internal/schede"
)

// Service is the package's use cases.
type Service struct {
	pool  *pgxpool.Pool
	reg   *registro.Service
	casi  *casi.Service
	invii FonteInvii // nil: no invii shown
	now   func() time.Time
}

// NewService returns the service: case scope and deadlines through cs,
// every read and write recorded in reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// Patto is a signed version of the case's patto.
type Patto struct {
	ID        uuid.UUID // the scheda row
	Versione  int
	FirmatoIl *time.Time
	Contenuto patto.Contenuto
}

func daVersione(v schede.Versione) (Patto, error) {
	p := Patto{ID: v.ID, Versione: v.Numero, FirmatoIl: v.FinalizzataIl}
	if err := json.Unmarshal(v.Contenuto, &p.Contenuto); err != nil {
		return Patto{}, fmt.Errorf("monitoraggio: patto versione %d: %w", v.Numero, err)
	}
	// FirmatoIl is the day the patto was signed (the date typed in the
	// sottoscrizione form), not the moment the signature was registered.
	if s := p.Contenuto.Sottoscrizione; s != nil {
		if giorno, ok := calendario.ParseData(s.Data); ok {
			p.FirmatoIl = &giorno
		}
	}
	return p, nil
}

// firmato is the newest signed patto of the case (what patto.Service.Firmato
// returns); ErrSenzaPatto when none is signed.
func firmato(ctx context.Context, q schede.Querier, casoID uuid.UUID) (Patto, error) {
	v, err := schede.UltimaDefinitiva(ctx, q, casoID, schede.Patto)
	if errors.Is(err, schede.ErrNonTrovata) {
		return Patto{}, ErrSenzaPatto
	}
	if err != nil {
		return Patto{}, fmt.Errorf("monitoraggio: patto: %w", err)
	}
	return daVersione(v)
}

// versionePatto is the signed version numero of the case's patto.
func versionePatto(ctx context.Context, q schede.Querier, casoID uuid.UUID, numero int) (Patto, error) {
	v, err := schede.Leggi(ctx, q, casoID, schede.Patto, numero)
	if err != nil {
		return Patto{}, fmt.Errorf("monitoraggio: patto versione %d: %w", numero, err)
	}
	return daVersione(v)
}

// Frequenza is the number of days within which the next meeting should be
// held: the patto's frequency, at most the 90 days of the presentazione
// periodica.
func (p Patto) Frequenza() int {
	if f := p.Contenuto.FrequenzaIncontri; f > 0 && f < scadenze.GiorniT90 {
		return f
	}
	return scadenze.GiorniT90
}

// Pagina is what the monitoring page of a case shows.
type Pagina struct {
	Caso     casi.Caso
	Oggi     time.Time
	Scadenze scadenze.Scadenze
	Patto    *Patto // nil: no signed patto yet
	Incontri []Incontro
	Prossimo *Incontro // the soonest planned meeting
	Ultimo   *Incontro // the latest held one
}

// Pagina returns the case's monitoring meetings for p, recording the read;
// a case p may not reach is ErrNotFound, the refusal recorded.
func (s *Service) Pagina(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Pagina, error) {
	v.OggettoTipo = OggettoTipo
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Pagina{}, err
	}
	pg := Pagina{Caso: c, Oggi: s.oggi()}
	switch pt, err := firmato(ctx, s.pool, casoID); {
	case err == nil:
		pg.Patto = &pt
	case !errors.Is(err, ErrSenzaPatto):
		return Pagina{}, err
	}
	if pg.Incontri, err = elenco(ctx, s.pool, casoID); err != nil {
		return Pagina{}, fmt.Errorf("monitoraggio: elenco: %w", err)
	}
	for i, in := range pg.Incontri {
		if in.Stato == Pianificato && pg.Prossimo == nil {
			pg.Prossimo = &pg.Incontri[i]
		}
		if in.Stato == Svolto && (pg.Ultimo == nil || in.Data.After(pg.Ultimo.Data)) {
			pg.Ultimo = &pg.Incontri[i]
		}
	}
	if pg.Scadenze, err = s.casi.Scadenze(ctx, s.pool, casoID, s.now()); err != nil {
		return Pagina{}, fmt.Errorf("monitoraggio: scadenze: %w", err)
	}
	return pg, nil
}

// Gruppo is an objective of the patto with its member, for the planning
// form: its risultati attesi are the checkboxes.
type Gruppo struct {
	Obiettivo patto.Obiettivo
	Persona   string // the member's name; "Nucleo familiare" for the nucleo
}

// ImpegnoPatto is an impegno of the patto with its obliged member's name.
type ImpegnoPatto struct {
	patto.Impegno
	Obbligato string
}

// Modulo is what the planning form shows.
type Modulo struct {
	Caso    casi.Caso
	Oggi    time.Time
	Patto   *Patto // nil: no signed patto, planning refused
	Gruppi  []Gruppo
	Impegni []ImpegnoPatto
}

// Modulo returns the planning form's content for p, recording the read.
func (s *Service) Modulo(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Modulo, error) {
	v.OggettoTipo = OggettoTipo
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Modulo{}, err
	}
	m := Modulo{Caso: c, Oggi: s.oggi()}
	pt, err := firmato(ctx, s.pool, casoID)
	if errors.Is(err, ErrSenzaPatto) {
		return m, nil
	} else if err != nil {
		return Modulo{}, err
	}
	m.Patto = &pt
	nn, err := nomi(ctx, s.pool, c.NucleoID)
	if err != nil {
		return Modulo{}, fmt.Errorf("monitoraggio: nomi: %w", err)
	}
	for _, o := range pt.Contenuto.Obiettivi {
		if len(o.Risultati) > 0 {
			m.Gruppi = append(m.Gruppi, Gruppo{Obiettivo: o, Persona: nomePersona(pt.Contenuto, nn, o.PersonaID)})
		}
	}
	for _, i := range pt.Contenuto.Impegni {
		m.Impegni = append(m.Impegni, ImpegnoPatto{Impegno: i, Obbligato: nomePersona(pt.Contenuto, nn, i.PersonaID)})
	}
	return m, nil
}

// nomePersona names a member: from the nucleo as recorded, else from the
// patto's snapshot; "" is the nucleo.
func nomePersona(c patto.Contenuto, nn map[string]string, id string) string {
	if id == "" {
		return "Nucleo familiare"
	}
	if n, ok := nn[id]; ok {
		return n
	}
	if m, ok := c.Componente(id); ok {
		return strings.TrimSpace(m.Cognome + " " + m.Nome)
	}
	return "Componente non più nel nucleo"
}

// write runs fn inside a transaction on the case locked for p: closed
// cases are read-only; the write is recorded in the registro (oggetto
// "monitoraggio", the meeting fn returns) in the same transaction. A case p
// may not reach is ErrNotFound, and the refusal is recorded.
func (s *Service) write(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c casi.Caso) (oggettoID, dettaglio string, err error)) error {
	v.OggettoTipo = OggettoTipo
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) (err error) {
		if w.OggettoID, w.Dettaglio, err = fn(tx, c); err != nil {
			return err
		}
		// A planned meeting is the case's next appointment (the board, the
		// home's count of today's appointments).
		return s.casi.Aggiorna(ctx, tx, casoID)
	})
}

func tooLong(v string, n int) bool { return utf8.RuneCountInString(v) > n }

// parseOra reads a time of day typed in a form as hh:mm.
func parseOra(v string) (string, bool) {
	h, m, ok := calendario.ParseOra(v)
	return fmt.Sprintf("%02d:%02d", h, m), ok
}

// Pianificazione is the planning form as typed: the risultati and impegni
// to assess are the patto's IDs.
type Pianificazione struct {
	Data, Ora, Durata, Luogo, Note string
	Risultati, Impegni             []string
}

// Pianifica plans a monitoring meeting of the case's signed patto. Without
// a signed patto it is ErrSenzaPatto; a form with errors is httpx.FieldErrors.
func (s *Service) Pianifica(ctx context.Context, p authz.Principal, casoID uuid.UUID, in Pianificazione, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, string, error) {
		pt, err := firmato(ctx, tx, casoID)
		if err != nil {
			return "", "", err
		}
		m, errs := s.validaPianificazione(pt, in)
		if errs != nil {
			return "", "", errs
		}
		m.CasoID = casoID
		if id, err = inserisci(ctx, tx, m, p.OperatoreID); err != nil {
			return "", "", fmt.Errorf("monitoraggio: pianifica: %w", err)
		}
		return id.String(), "pianificato", nil
	})
	return id, err
}

func (s *Service) validaPianificazione(pt Patto, in Pianificazione) (Incontro, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	m := Incontro{PattoID: pt.ID, PattoVersione: pt.Versione, Luogo: strings.TrimSpace(in.Luogo), Note: strings.TrimSpace(in.Note)}
	oggi := s.oggi()
	d, ok := calendario.ParseData(in.Data)
	switch {
	case strings.TrimSpace(in.Data) == "":
		errs["data"] = "Indica la data dell'incontro."
	case !ok:
		errs["data"] = calendario.DataNonValida
	case d.Before(oggi):
		errs["data"] = "La data dell'incontro è già passata: pianifica un incontro da oggi in poi."
	case d.After(oggi.AddDate(1, 0, 0)):
		errs["data"] = "L'incontro è a più di un anno da oggi: controlla la data."
	}
	m.Data = d
	ora, ok := parseOra(in.Ora)
	switch {
	case strings.TrimSpace(in.Ora) == "":
		errs["ora"] = "Indica l'ora dell'incontro."
	case !ok:
		errs["ora"] = calendario.OraNonValida
	}
	m.Ora = ora
	durata, err := strconv.Atoi(strings.TrimSpace(in.Durata))
	if err != nil || durata < 5 || durata > 600 {
		errs["durata"] = "Indica la durata in minuti, tra 5 e 600."
	}
	m.DurataMinuti = durata
	switch {
	case m.Luogo == "":
		errs["luogo"] = "Indica il luogo dell'incontro."
	case tooLong(m.Luogo, LimitiPianifica.Max("luogo")):
		errs["luogo"] = fmt.Sprintf("Il luogo può avere al massimo %d caratteri.", LimitiPianifica.Max("luogo"))
	}
	if tooLong(m.Note, LimitiPianifica.Max("note")) {
		errs["note"] = fmt.Sprintf("L'ordine del giorno può avere al massimo %d caratteri.", LimitiPianifica.Max("note"))
	}
	visti := map[string]bool{}
	for _, rid := range in.Risultati {
		o, _, ok := pt.Contenuto.Risultato(rid)
		if !ok {
			errs["risultati"] = "Un risultato scelto non è nel patto sottoscritto: ricarica la pagina e scegli di nuovo."
			continue
		}
		if visti[rid] {
			continue
		}
		visti[rid] = true
		var pid *uuid.UUID
		if x, err := uuid.Parse(o.PersonaID); err == nil {
			pid = &x
		}
		m.Risultati = append(m.Risultati, VoceRisultato{RisultatoID: rid, PersonaID: pid})
	}
	for _, iid := range in.Impegni {
		if _, ok := pt.Contenuto.Impegno(iid); !ok {
			errs["impegni"] = "Un impegno scelto non è nel patto sottoscritto: ricarica la pagina e scegli di nuovo."
			continue
		}
		if visti[iid] {
			continue
		}
		visti[iid] = true
		m.Impegni = append(m.Impegni, VoceImpegno{ImpegnoID: iid})
	}
	if len(m.Risultati)+len(m.Impegni) == 0 && errs["risultati"] == "" && errs["impegni"] == "" {
		errs["risultati"] = "Scegli almeno un risultato atteso o un impegno da valutare durante l'incontro."
	}
	if len(errs) > 0 {
		return m, errs
	}
	return m, nil
}

// RisultatoVista is a risultato of a meeting as the patto describes it.
type RisultatoVista struct {
	VoceRisultato
	Obiettivo   string // the objective's title
	Descrizione string
	Entro       string // yyyy-mm-dd
	Persona     string // the member of the objective, or "Nucleo familiare"
	Trovato     bool   // false: not in the patto's version (should not happen)
}

// ImpegnoVista is an impegno of a meeting as the patto describes it.
type ImpegnoVista struct {
	VoceImpegno
	Descrizione string
	Area        string
	Obbligato   string
	PersonaID   string // the obliged member
	Frequenza   string
	Scadenza    string
	Trovato     bool
}

// Dettaglio is what a meeting's page shows.
type Dettaglio struct {
	Caso       casi.Caso
	Oggi       time.Time
	Incontro   Incontro
	Patto      Patto // the version the meeting refers to
	Risultati  []RisultatoVista
	Impegni    []ImpegnoVista
	Componenti []Componente // current members: the presences to record
	Presenze   []Presenza   // of a held meeting
	Avvisi     []string     // about the next meeting of a held one
	Invii      []InvioRete  // the case's invii to the network, to review with the family
}

// Limite is the day by which the meeting after this one should be held
// (the patto's frequency, at most 90 days).
func (d Dettaglio) Limite() time.Time {
	return d.Incontro.Data.AddDate(0, 0, d.Patto.Frequenza())
}

// NuovaSegnalazione is the address of a new segnalazione for the first
// impegno assessed as not respected, filled in with its type, the impegno,
// its obliged member and the meeting's date as the day it was ascertained;
// "" when every impegno was respected or justified.
func (d Dettaglio) NuovaSegnalazione() string {
	for _, i := range d.Impegni {
		if i.Valutazione != "non_rispettato" {
			continue
		}
		q := url.Values{"tipo": {"impegni_non_rispettati"}, "data_accertamento": {calendario.ISO(d.Incontro.Data)}}
		if i.Trovato {
			q.Set("impegno_id", i.ImpegnoID)
			q.Set("persona_id", i.PersonaID)
		}
		return "/casi/" + d.Caso.ID.String() + "/segnalazioni/nuova?" + q.Encode()
	}
	return ""
}

// Incontro returns a meeting of the case for p, recording the read.
func (s *Service) Incontro(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, v registro.Voce) (Dettaglio, error) {
	v.OggettoTipo, v.OggettoID = OggettoTipo, id.String()
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Dettaglio{}, err
	}
	in, err := leggi(ctx, s.pool, casoID, id, false)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Dettaglio{}, err
		}
		return Dettaglio{}, fmt.Errorf("monitoraggio: incontro: %w", err)
	}
	d := Dettaglio{Caso: c, Oggi: s.oggi(), Incontro: in}
	if d.Patto, err = versionePatto(ctx, s.pool, casoID, in.PattoVersione); err != nil {
		return Dettaglio{}, err
	}
	nn, err := nomi(ctx, s.pool, c.NucleoID)
	if err != nil {
		return Dettaglio{}, fmt.Errorf("monitoraggio: nomi: %w", err)
	}
	d.Risultati, d.Impegni = viste(d.Patto.Contenuto, nn, in)
	if s.invii != nil {
		if d.Invii, err = s.invii.InviiDelCaso(ctx, casoID); err != nil {
			return Dettaglio{}, fmt.Errorf("monitoraggio: invii: %w", err)
		}
	}
	switch in.Stato {
	case Pianificato:
		if d.Componenti, err = incontri.Componenti(ctx, s.pool, c.NucleoID); err != nil {
			return Dettaglio{}, fmt.Errorf("monitoraggio: componenti: %w", err)
		}
	case Svolto:
		if d.Presenze, err = presenze(ctx, s.pool, *in.IncontroID); err != nil {
			return Dettaglio{}, fmt.Errorf("monitoraggio: presenze: %w", err)
		}
		d.Avvisi = Avvisi(in, d.Patto.Frequenza())
	}
	return d, nil
}

// Verbale is Incontro for the print view, recorded as an export.
func (s *Service) Verbale(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, v registro.Voce) (Dettaglio, error) {
	v.Azione, v.Dettaglio = registro.Esportazione, "verbale"
	d, err := s.Incontro(ctx, p, casoID, id, v)
	if err == nil && d.Incontro.Stato != Svolto {
		return Dettaglio{}, ErrNotFound // only a held meeting has a verbale
	}
	return d, err
}

func viste(c patto.Contenuto, nn map[string]string, in Incontro) ([]RisultatoVista, []ImpegnoVista) {
	var rs []RisultatoVista
	for _, r := range in.Risultati {
		x := RisultatoVista{VoceRisultato: r, Persona: "Nucleo familiare"}
		if o, rr, ok := c.Risultato(r.RisultatoID); ok {
			x.Obiettivo, x.Descrizione, x.Entro, x.Trovato = o.Titolo, rr.Descrizione, rr.Entro, true
			x.Persona = nomePersona(c, nn, o.PersonaID)
		} else {
			x.Descrizione = "Risultato non presente nella versione del patto"
		}
		rs = append(rs, x)
	}
	var is []ImpegnoVista
	for _, i := range in.Impegni {
		x := ImpegnoVista{VoceImpegno: i}
		if pi, ok := c.Impegno(i.ImpegnoID); ok {
			x.Descrizione, x.Area, x.Frequenza, x.Scadenza, x.Trovato = pi.Descrizione, pi.Area, pi.Frequenza, pi.Scadenza, true
			x.Obbligato, x.PersonaID = nomePersona(c, nn, pi.PersonaID), pi.PersonaID
		} else {
			x.Descrizione = "Impegno non presente nella versione del patto"
		}
		is = append(is, x)
	}
	return rs, is
}

// Avvisi are the warnings about the next meeting of a held one: none
// stated, or later than the patto's frequency or the 90 days of the
// presentazione periodica. They do not block the save.
func Avvisi(in Incontro, frequenza int) []string {
	t90 := in.Data.AddDate(0, 0, scadenze.GiorniT90)
	if in.ProssimoIncontro == nil {
		return []string{"Non è stato indicato il prossimo incontro: la presentazione periodica va registrata entro il " +
			calendario.Data(t90) + "."}
	}
	var out []string
	p := *in.ProssimoIncontro
	if frequenza < scadenze.GiorniT90 && p.After(in.Data.AddDate(0, 0, frequenza)) {
		out = append(out, fmt.Sprintf("Il prossimo incontro è oltre la frequenza prevista dal patto (ogni %d giorni, cioè entro il %s).",
			frequenza, calendario.Data(in.Data.AddDate(0, 0, frequenza))))
	}
	if p.After(t90) {
		out = append(out, "Il prossimo incontro è oltre i 90 giorni: la presentazione periodica va registrata entro il "+
			calendario.Data(t90)+", altrimenti la prestazione rischia la sospensione.")
	}
	return out
}

// Voto is the assessment of a risultato or an impegno as typed.
type Voto struct{ Valutazione, Nota string }

// Registrazione is the assessment form of a held meeting as typed.
type Registrazione struct {
	Versione  string
	Data      string // the day it was held
	Presenze  map[uuid.UUID]incontri.PresenzaInput
	Risultati map[string]Voto // by risultato ID
	Impegni   map[string]Voto // by impegno ID
	Note      string
	// Partecipanti: the operators and others present besides the case
	// manager and the members, as the verbale names them (optional).
	Partecipanti string
	Prossimo     string // the next meeting's date, optional
}

// Esito of a recorded meeting.
type Esito struct {
	IncontroID uuid.UUID  // the incontro registered
	ProssimoID *uuid.UUID // the next meeting planned, if stated
}

// Registra records the assessment of a planned meeting, which becomes
// svolto; in the same transaction it registers the incontro of tipo
// monitoraggio with the presences (internal/incontri) and recomputes the
// case's deadlines (the T90 restarts when a member was present); the first
// meeting with a member present moves a case from patto_sottoscritto to
// monitoraggio; the next meeting, if stated, is planned with the same items
// on the newest signed patto. A stale versione is ErrConflict.
func (s *Service) Registra(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, in Registrazione, v registro.Voce) (Esito, error) {
	var out Esito
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, string, error) {
		m, err := leggi(ctx, tx, casoID, id, true)
		if err != nil {
			return "", "", err
		}
		ver, err := strconv.Atoi(in.Versione)
		if err != nil || ver != m.Versione || m.Stato != Pianificato {
			return "", "", ErrConflict
		}
		membri, err := incontri.Componenti(ctx, tx, c.NucleoID)
		if err != nil {
			return "", "", fmt.Errorf("monitoraggio: componenti: %w", err)
		}
		errs := httpx.FieldErrors{}
		oggi := s.oggi()
		d, ok := calendario.ParseData(in.Data)
		switch {
		case strings.TrimSpace(in.Data) == "":
			errs["data"] = "Indica la data in cui si è svolto l'incontro."
		case !ok:
			errs["data"] = calendario.DataNonValida
		case d.After(oggi):
			errs["data"] = "La data dell'incontro non può essere futura: registra la valutazione dopo che l'incontro si è svolto."
		case d.Year() < 2019:
			errs["data"] = "La data dell'incontro è troppo lontana nel passato: controllala."
		}
		inc := incontri.Incontro{Tipo: "monitoraggio", Data: d, Luogo: m.Luogo,
			Note: fmt.Sprintf("Incontro di monitoraggio del patto per l'inclusione sociale (versione %d).", m.PattoVersione)}
		var presenti int
		inc.Presenze, presenti = incontri.LeggiPresenze(membri, in.Presenze, errs)
		for i, r := range m.Risultati {
			vt := in.Risultati[r.RisultatoID]
			m.Risultati[i].Valutazione, m.Risultati[i].Nota = vt.Valutazione, strings.TrimSpace(vt.Nota)
			if !valido(ValutazioniRisultato, vt.Valutazione) {
				errs["val_r_"+r.RisultatoID] = "Indica la valutazione del risultato."
			}
			if tooLong(m.Risultati[i].Nota, LimitiRegistra.Max("nota_r_*")) {
				errs["nota_r_"+r.RisultatoID] = fmt.Sprintf("La nota può avere al massimo %d caratteri.", LimitiRegistra.Max("nota_r_*"))
			}
		}
		for i, x := range m.Impegni {
			vt := in.Impegni[x.ImpegnoID]
			m.Impegni[i].Valutazione, m.Impegni[i].Nota = vt.Valutazione, strings.TrimSpace(vt.Nota)
			switch {
			case !valido(ValutazioniImpegno, vt.Valutazione):
				errs["val_i_"+x.ImpegnoID] = "Indica se l'impegno è stato rispettato."
			case vt.Valutazione == "giustificato" && m.Impegni[i].Nota == "":
				errs["nota_i_"+x.ImpegnoID] = "Indica nella nota il giustificato motivo del mancato rispetto."
			}
			if tooLong(m.Impegni[i].Nota, LimitiRegistra.Max("nota_i_*")) {
				errs["nota_i_"+x.ImpegnoID] = fmt.Sprintf("La nota può avere al massimo %d caratteri.", LimitiRegistra.Max("nota_i_*"))
			}
		}
		m.Note = strings.TrimSpace(in.Note)
		if tooLong(m.Note, LimitiRegistra.Max("note")) {
			errs["note"] = fmt.Sprintf("Le note possono avere al massimo %d caratteri.", LimitiRegistra.Max("note"))
		}
		m.Partecipanti = strings.TrimSpace(in.Partecipanti)
		if tooLong(m.Partecipanti, LimitiRegistra.Max("partecipanti")) {
			errs["partecipanti"] = fmt.Sprintf("L'elenco degli altri partecipanti può avere al massimo %d caratteri.", LimitiRegistra.Max("partecipanti"))
		}
		if strings.TrimSpace(in.Prossimo) != "" {
			pd, ok := calendario.ParseData(in.Prossimo)
			switch {
			case !ok:
				errs["prossimo"] = calendario.DataNonValida
			case errs["data"] == "" && !pd.After(d):
				errs["prossimo"] = "Il prossimo incontro deve essere successivo a questo."
			case pd.Before(oggi):
				errs["prossimo"] = "La data del prossimo incontro è già passata: indica una data da oggi in poi."
			case errs["data"] == "" && pd.After(d.AddDate(1, 0, 0)):
				errs["prossimo"] = "Il prossimo incontro è a più di un anno da questo: controlla la data."
			default:
				m.ProssimoIncontro = &pd
			}
		}
		if len(errs) > 0 {
			return "", "", errs
		}
		incID, err := incontri.RegistraTx(ctx, tx, casoID, inc, p.OperatoreID)
		if err != nil {
			return "", "", err
		}
		out.IncontroID = incID
		m.Data, m.IncontroID = d, &incID
		if err := svolto(ctx, tx, m, ver, p.OperatoreID); err != nil {
			if errors.Is(err, ErrConflict) {
				return "", "", err
			}
			return "", "", fmt.Errorf("monitoraggio: registra: %w", err)
		}
		if err := s.casi.Aggiorna(ctx, tx, casoID); err != nil {
			return "", "", err
		}
		if presenti > 0 && c.Stato == casi.PattoSottoscritto {
			if err := setStato(ctx, tx, casoID, string(casi.Monitoraggio)); err != nil {
				return "", "", fmt.Errorf("monitoraggio: stato: %w", err)
			}
			op := p.OperatoreID
			if err := casi.Storico(ctx, tx, casoID, &op, "stato", string(c.Stato), string(casi.Monitoraggio),
				"Primo incontro di monitoraggio del patto registrato il "+calendario.Data(d)); err != nil {
				return "", "", err
			}
		}
		if m.ProssimoIncontro != nil {
			nid, err := s.pianificaProssimo(ctx, tx, m, p.OperatoreID)
			if err != nil {
				return "", "", err
			}
			out.ProssimoID = &nid
		}
		return id.String(), "registrato; incontro " + incID.String(), nil
	})
	return out, err
}

// pianificaProssimo plans the meeting after m on the date m states, at the
// same time, length and place, with the items of m still in the newest
// signed patto.
func (s *Service) pianificaProssimo(ctx context.Context, tx pgx.Tx, m Incontro, by uuid.UUID) (uuid.UUID, error) {
	pt, err := firmato(ctx, tx, m.CasoID)
	if err != nil {
		return uuid.Nil, err
	}
	prec := m.ID
	n := Incontro{CasoID: m.CasoID, PattoID: pt.ID, PattoVersione: pt.Versione, Data: *m.ProssimoIncontro, Ora: m.Ora,
		DurataMinuti: m.DurataMinuti, Luogo: m.Luogo, PrecedenteID: &prec}
	for _, r := range m.Risultati {
		if o, _, ok := pt.Contenuto.Risultato(r.RisultatoID); ok {
			var pid *uuid.UUID
			if x, err := uuid.Parse(o.PersonaID); err == nil {
				pid = &x
			}
			n.Risultati = append(n.Risultati, VoceRisultato{RisultatoID: r.RisultatoID, PersonaID: pid})
		}
	}
	for _, i := range m.Impegni {
		if _, ok := pt.Contenuto.Impegno(i.ImpegnoID); ok {
			n.Impegni = append(n.Impegni, VoceImpegno{ImpegnoID: i.ImpegnoID})
		}
	}
	id, err := inserisci(ctx, tx, n, by)
	if err != nil {
		return uuid.Nil, fmt.Errorf("monitoraggio: prossimo incontro: %w", err)
	}
	return id, nil
}

// Annulla cancels a planned meeting, with the reason; a stale versione is
// ErrConflict.
func (s *Service) Annulla(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, versione, motivo string, v registro.Voce) error {
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, string, error) {
		m, err := leggi(ctx, tx, casoID, id, true)
		if err != nil {
			return "", "", err
		}
		ver, err := strconv.Atoi(versione)
		if err != nil || ver != m.Versione || m.Stato != Pianificato {
			return "", "", ErrConflict
		}
		motivo = strings.TrimSpace(motivo)
		switch {
		case motivo == "":
			return "", "", httpx.FieldErrors{"motivo": "Indica il motivo dell'annullamento."}
		case tooLong(motivo, LimitiAnnulla.Max("motivo")):
			return "", "", httpx.FieldErrors{"motivo": fmt.Sprintf("Il motivo può avere al massimo %d caratteri.", LimitiAnnulla.Max("motivo"))}
		}
		if err := annulla(ctx, tx, casoID, id, ver, motivo, p.OperatoreID); err != nil {
			if errors.Is(err, ErrConflict) {
				return "", "", err
			}
			return "", "", fmt.Errorf("monitoraggio: annulla: %w", err)
		}
		return id.String(), "annullato", nil
	})
}
