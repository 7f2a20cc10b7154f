package rete

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/patto"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// Servizio is an entry of the mappa delle risorse.
type Servizio struct {
	ID                                     int64
	EnteID                                 int64
	Ente                                   string
	EnteAttivo                             bool
	AmbitoID                               int64
	Denominazione, Descrizione, Area       string
	SostegnoCodice                         string
	Destinatari, CriteriAccesso            string
	ModalitaAccesso, Contatti              string
	Capacita                               *int
	PeriodoCapacita                        string
	ValidoDal                              time.Time
	ValidoAl                               *time.Time
	Attivo                                 bool
	Versione                               int
	Comuni                                 []int64 // none: every comune of the ente
	NomiComuni                             []string
	EnteIndirizzo, EnteTelefono, EnteEmail string
}

// AreaLabel is the area's Italian label.
func (s Servizio) AreaLabel() string { return etichetta(Aree, s.Area) }

// Valido reports whether the service is offered on day.
func (s Servizio) Valido(day time.Time) bool {
	return s.Attivo && s.EnteAttivo && !s.ValidoDal.After(day) && (s.ValidoAl == nil || !s.ValidoAl.Before(day))
}

// CapacitaTesto is "12 al mese", or "non limitata".
func (s Servizio) CapacitaTesto() string {
	if s.Capacita == nil {
		return "non limitata"
	}
	return strconv.Itoa(*s.Capacita) + " " + etichetta(Periodi, s.PeriodoCapacita)
}

// ServizioInput is the service form as typed.
type ServizioInput struct {
	Ente, Denominazione, Descrizione, Area, SostegnoCodice   string
	Destinatari, CriteriAccesso, ModalitaAccesso, Contatti   string
	Capacita, PeriodoCapacita, ValidoDal, ValidoAl, Versione string
	Comuni                                                   []string
}

// InputDaServizio fills the form from a saved service.
func InputDaServizio(s Servizio) ServizioInput {
	in := ServizioInput{Ente: strconv.FormatInt(s.EnteID, 10), Denominazione: s.Denominazione, Descrizione: s.Descrizione,
		Area: s.Area, SostegnoCodice: s.SostegnoCodice, Destinatari: s.Destinatari, CriteriAccesso: s.CriteriAccesso,
		ModalitaAccesso: s.ModalitaAccesso, Contatti: s.Contatti, PeriodoCapacita: s.PeriodoCapacita,
		ValidoDal: calendario.ISO(s.ValidoDal), Versione: strconv.Itoa(s.Versione)}
	if s.Capacita != nil {
		in.Capacita = strconv.Itoa(*s.Capacita)
	}
	if s.ValidoAl != nil {
		in.ValidoAl = calendario.ISO(*s.ValidoAl)
	}
	for _, c := range s.Comuni {
		in.Comuni = append(in.Comuni, strconv.FormatInt(c, 10))
	}
	return in
}

// servizioValido is a checked service form.
type servizioValido struct {
	ente     Ente
	capacita *int
	dal      time.Time
	al       *time.Time
	comuni   []int64
}

// data parses a date typed in the form (aaaa-mm-gg).
func data(s string) (time.Time, bool) {
	return calendario.ParseData(s)
}

func (in *ServizioInput) valida(enti []Ente, rif patto.Riferimenti, nuovo bool, oggi time.Time) (servizioValido, httpx.FieldErrors) {
	fe := httpx.FieldErrors{}
	var sv servizioValido
	in.Denominazione = strings.TrimSpace(in.Denominazione)
	trovato := false
	for _, e := range enti {
		if strconv.FormatInt(e.ID, 10) == in.Ente && (e.Attivo || !nuovo) {
			sv.ente, trovato = e, true
		}
	}
	if !trovato {
		fe["ente"] = "Scegli l'ente che offre il servizio, tra gli enti attivi della rete."
	}
	switch {
	case in.Denominazione == "":
		fe["denominazione"] = "Scrivi il nome del servizio."
	case len([]rune(in.Denominazione)) > 200:
		fe["denominazione"] = "Il nome del servizio può avere al massimo 200 caratteri."
	}
	if !valido(Aree, in.Area) {
		fe["area"] = "Scegli l'area del servizio."
	}
	if in.SostegnoCodice != "" {
		if t, ok := rif.Sostegno(in.SostegnoCodice); !ok || !t.Valido {
			fe["sostegno_codice"] = "Scegli un sostegno del catalogo del patto, oppure nessuno."
		}
	}
	if c := strings.TrimSpace(in.Capacita); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			fe["capacita"] = "Scrivi il numero di posti con sole cifre (0 o più), oppure lascia vuoto se non è limitato."
		} else {
			sv.capacita = &n
		}
	}
	if in.PeriodoCapacita == "" {
		in.PeriodoCapacita = "mese"
	}
	if !valido(Periodi, in.PeriodoCapacita) {
		fe["periodo_capacita"] = "Scegli il periodo a cui si riferiscono i posti."
	}
	if strings.TrimSpace(in.ValidoDal) == "" {
		sv.dal = oggi
	} else if d, ok := data(in.ValidoDal); ok {
		sv.dal = d
	} else {
		fe["valido_dal"] = "Scrivi la data nel formato gg/mm/aaaa."
	}
	if strings.TrimSpace(in.ValidoAl) != "" {
		if d, ok := data(in.ValidoAl); !ok {
			fe["valido_al"] = "Scrivi la data nel formato gg/mm/aaaa."
		} else if _, e := fe["valido_dal"]; !e && d.Before(sv.dal) {
			fe["valido_al"] = "La fine della validità non può precedere l'inizio."
		} else {
			sv.al = &d
		}
	}
	if trovato {
		scelti, ok := ids(in.Comuni, sv.ente.Comuni)
		if !ok {
			fe["comuni"] = "Scegli solo comuni serviti dall'ente (o nessuno: tutti i comuni dell'ente)."
		}
		sv.comuni = scelti
	}
	lunghezze(fe, "denominazione", in.Denominazione, "descrizione", in.Descrizione, "destinatari", in.Destinatari,
		"criteri_accesso", in.CriteriAccesso, "modalita_accesso", in.ModalitaAccesso, "contatti", in.Contatti, "capacita", in.Capacita)
	if len(fe) > 0 {
		return sv, fe
	}
	return sv, nil
}

// FiltroServizi filters the gestore's list of services.
type FiltroServizi struct {
	EnteID int64
	Area   string
	Testo  string
	Pagina int
}

// righeServizi is the page size of the list of services.
const righeServizi = 50

// Servizi is the gestore's list of the services of the map.
type Servizi struct {
	Servizi []Servizio
	Enti    []Ente
	Filtro  FiltroServizi
	Altre   bool
	Scrive  bool
	Oggi    time.Time
}

// Servizi lists the services of p's ambito.
func (s *Service) Servizi(ctx context.Context, p authz.Principal, f FiltroServizi, v registro.Voce) (Servizi, error) {
	v.OggettoTipo = oggettoServizio
	amb, err := s.ambito(ctx, p, false, v)
	if err != nil {
		return Servizi{}, err
	}
	out := Servizi{Filtro: f, Scrive: p.Ruolo == ruoloGestore, Oggi: s.oggi()}
	if out.Enti, err = elencoEnti(ctx, s.pool, amb, false); err != nil {
		return out, err
	}
	ss, err := elencoServizi(ctx, s.pool, amb, f, righeServizi)
	out.Servizi, out.Altre = database.Taglia(ss, righeServizi)
	return out, err
}

// ModuloServizio is what the service form needs.
type ModuloServizio struct {
	Servizio *Servizio
	Enti     []Ente
	Sostegni []patto.TipoSostegno
	Comuni   []Comune
	Scrive   bool
	Oggi     time.Time
}

// Servizio returns service id of p's ambito with what its form needs (id
// 0: the empty form).
func (s *Service) Servizio(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (ModuloServizio, error) {
	v.OggettoTipo, v.OggettoID = oggettoServizio, strconv.FormatInt(id, 10)
	amb, err := s.ambito(ctx, p, id == 0, v)
	if err != nil {
		return ModuloServizio{}, err
	}
	m := ModuloServizio{Scrive: p.Ruolo == ruoloGestore, Oggi: s.oggi()}
	if id != 0 {
		sv, err := caricaServizio(ctx, s.pool, id)
		if err == nil && sv.AmbitoID != amb {
			err = s.negato(ctx, v)
		}
		if err != nil {
			return m, err
		}
		m.Servizio = &sv
	}
	if m.Enti, err = elencoEnti(ctx, s.pool, amb, false); err != nil {
		return m, err
	}
	if m.Comuni, err = comuniAmbito(ctx, s.pool, amb); err != nil {
		return m, err
	}
	rif, err := patto.CaricaRiferimenti(ctx, s.pool, m.Oggi)
	for _, t := range rif.Sostegni {
		if t.Valido {
			m.Sostegni = append(m.Sostegni, t)
		}
	}
	return m, err
}

// salvaServizio checks in and writes it: a new service (id 0) or over
// version in.Versione.
func (s *Service) salvaServizio(ctx context.Context, p authz.Principal, id int64, in ServizioInput, v registro.Voce) (int64, error) {
	v.OggettoTipo, v.Azione = oggettoServizio, registro.Scrittura
	if id != 0 {
		v.OggettoID = strconv.FormatInt(id, 10)
	}
	amb, err := s.ambito(ctx, p, true, v)
	if err != nil {
		return 0, err
	}
	enti, err := elencoEnti(ctx, s.pool, amb, false)
	if err != nil {
		return 0, err
	}
	oggi := s.oggi()
	rif, err := patto.CaricaRiferimenti(ctx, s.pool, oggi)
	if err != nil {
		return 0, err
	}
	sv, fe := in.valida(enti, rif, id == 0, oggi)
	if fe != nil {
		return 0, fe
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		args := []any{sv.ente.ID, in.Denominazione, strings.TrimSpace(in.Descrizione), in.Area, in.SostegnoCodice,
			strings.TrimSpace(in.Destinatari), strings.TrimSpace(in.CriteriAccesso), strings.TrimSpace(in.ModalitaAccesso),
			strings.TrimSpace(in.Contatti), sv.capacita, in.PeriodoCapacita, sv.dal, sv.al}
		dettaglio := "modifica"
		if id == 0 {
			dettaglio = "nuovo servizio"
			if err := tx.QueryRow(ctx, `INSERT INTO rete_servizio (ente_id, denominazione, descrizione, area, sostegno_codice,
				destinatari, criteri_accesso, modalita_accesso, contatti, capacita, periodo_capacita, valido_dal, valido_al)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`, args...).Scan(&id); err != nil {
				return err
			}
		} else {
			if err := versioneServizio(ctx, tx, amb, id, versione(in.Versione)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE rete_servizio SET ente_id = $1, denominazione = $2, descrizione = $3, area = $4,
				sostegno_codice = $5, destinatari = $6, criteri_accesso = $7, modalita_accesso = $8, contatti = $9, capacita = $10,
				periodo_capacita = $11, valido_dal = $12, valido_al = $13, versione = versione + 1, updated_at = now() WHERE id = $14`,
				append(args, id)...); err != nil {
				return err
			}
		}
		if err := scriviComuniServizio(ctx, tx, id, sv.comuni); err != nil {
			return err
		}
		return s.scrittura(ctx, tx, v, oggettoServizio, id, dettaglio)
	})
	if errors.Is(err, ErrNotFound) {
		return 0, s.negato(ctx, v)
	}
	return id, err
}

// CreaServizio adds a service to the map.
func (s *Service) CreaServizio(ctx context.Context, p authz.Principal, in ServizioInput, v registro.Voce) (int64, error) {
	return s.salvaServizio(ctx, p, 0, in, v)
}

// AggiornaServizio saves the service form over version in.Versione
// (ErrConflict if someone saved it meanwhile).
func (s *Service) AggiornaServizio(ctx context.Context, p authz.Principal, id int64, in ServizioInput, v registro.Voce) error {
	_, err := s.salvaServizio(ctx, p, id, in, v)
	return err
}

func versioneServizio(ctx context.Context, tx pgx.Tx, amb, id int64, ver int) error {
	var a int64
	var attuale int
	err := tx.QueryRow(ctx, `SELECT e.ambito_id, s.versione FROM rete_servizio s JOIN rete_ente e ON e.id = s.ente_id
		WHERE s.id = $1 FOR UPDATE OF s`, id).Scan(&a, &attuale)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || (err == nil && a != amb):
		return ErrNotFound
	case err != nil:
		return err
	case attuale != ver:
		return ErrConflict
	}
	return nil
}

// StatoServizio deactivates or reactivates service id.
func (s *Service) StatoServizio(ctx context.Context, p authz.Principal, id int64, attivo bool, ver string, v registro.Voce) error {
	v.OggettoTipo, v.OggettoID, v.Azione = oggettoServizio, strconv.FormatInt(id, 10), registro.Scrittura
	amb, err := s.ambito(ctx, p, true, v)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := versioneServizio(ctx, tx, amb, id, versione(ver)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rete_servizio SET attivo = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, id, attivo); err != nil {
			return err
		}
		d := "disattivato"
		if attivo {
			d = "riattivato"
		}
		return s.scrittura(ctx, tx, v, oggettoServizio, id, d)
	})
	if errors.Is(err, ErrNotFound) {
		return s.negato(ctx, v)
	}
	return err
}

// --- handlers ---

func leggiServizio(r *http.Request) ServizioInput {
	_ = r.ParseForm()
	f := r.FormValue
	return ServizioInput{Ente: f("ente"), Denominazione: f("denominazione"), Descrizione: f("descrizione"), Area: f("area"),
		SostegnoCodice: f("sostegno_codice"), Destinatari: f("destinatari"), CriteriAccesso: f("criteri_accesso"),
		ModalitaAccesso: f("modalita_accesso"), Contatti: f("contatti"), Capacita: f("capacita"),
		PeriodoCapacita: f("periodo_capacita"), ValidoDal: f("valido_dal"), ValidoAl: f("valido_al"),
		Versione: f("versione"), Comuni: r.Form["comuni"]}
}

// ElencoServizi is /rete/servizi.
func (h *Handler) ElencoServizi(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := FiltroServizi{Area: q.Get("area"), Testo: q.Get("q")}
	f.EnteID = httpx.ID(q.Get("ente"))
	f.Pagina, _ = strconv.Atoi(q.Get("pagina"))
	f.Pagina = max(f.Pagina, 1)
	sv, err := h.svc.Servizi(r.Context(), authz.PrincipalOf(r), f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	base := url.Values{}
	if f.EnteID != 0 {
		base.Set("ente", strconv.FormatInt(f.EnteID, 10))
	}
	if f.Area != "" {
		base.Set("area", f.Area)
	}
	if f.Testo != "" {
		base.Set("q", f.Testo)
	}
	pg := ui.Pager{Page: f.Pagina, HasNext: sv.Altre, BaseURL: "/rete/servizi?" + base.Encode(), PageSize: righeServizi}
	h.rs.Render(w, r, http.StatusOK, serviziPage(h.rs.Shell(r), sv, pg, q.Get("esito")))
}

// NuovoServizio is the empty service form (?ente= preselects the ente).
func (h *Handler) NuovoServizio(w http.ResponseWriter, r *http.Request) {
	h.renderServizio(w, r, http.StatusOK, 0, &ServizioInput{Ente: r.URL.Query().Get("ente")}, nil, "", "")
}

func (h *Handler) renderServizio(w http.ResponseWriter, r *http.Request, status int, id int64, in *ServizioInput, errs httpx.FieldErrors, avviso, esito string) {
	m, err := h.svc.Servizio(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	var form ServizioInput
	switch {
	case in != nil:
		form = *in
		if m.Servizio != nil && avviso != "" {
			form.Versione = strconv.Itoa(m.Servizio.Versione)
		}
	case m.Servizio != nil:
		form = InputDaServizio(*m.Servizio)
	}
	h.rs.Render(w, r, status, servizioPage(h.rs.Shell(r), m, form, errs, avviso, esito))
}

// CreaServizio saves a new service.
func (h *Handler) CreaServizio(w http.ResponseWriter, r *http.Request) {
	in := leggiServizio(r)
	id, err := h.svc.CreaServizio(r.Context(), authz.PrincipalOf(r), in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/rete/servizi/"+strconv.FormatInt(id, 10)+"?esito=creato")
	case errors.As(err, &fe):
		h.renderServizio(w, r, http.StatusUnprocessableEntity, 0, &in, fe, "", "")
	default:
		h.rs.Error(w, r, err)
	}
}

// SchedaServizio is a service's page with its form.
func (h *Handler) SchedaServizio(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.renderServizio(w, r, http.StatusOK, id, nil, nil, "", r.URL.Query().Get("esito"))
}

// AggiornaServizio saves the service form.
func (h *Handler) AggiornaServizio(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := leggiServizio(r)
	err = h.svc.AggiornaServizio(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.dopoServizio(w, r, id, &in, err, "salvato")
}

func (h *Handler) dopoServizio(w http.ResponseWriter, r *http.Request, id int64, in *ServizioInput, err error, esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/rete/servizi/"+strconv.FormatInt(id, 10)+"?esito="+esito)
	case errors.As(err, &fe):
		h.renderServizio(w, r, http.StatusUnprocessableEntity, id, in, fe, "", "")
	case errors.Is(err, ErrConflict) && in == nil:
		h.renderServizio(w, r, http.StatusConflict, id, nil, nil, "Nel frattempo qualcun altro ha modificato il servizio: controlla i dati aggiornati e ripeti l'operazione.", "")
	case errors.Is(err, ErrConflict):
		h.renderServizio(w, r, http.StatusConflict, id, in, nil, avvisoConflitto, "")
	default:
		h.rs.Error(w, r, err)
	}
}

// StatoServizio deactivates or reactivates a service.
func (h *Handler) StatoServizio(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	attivo := r.FormValue("attivo") == "true"
	err = h.svc.StatoServizio(r.Context(), authz.PrincipalOf(r), id, attivo, r.FormValue("versione"), registro.VoceOf(r))
	esito := "disattivato"
	if attivo {
		esito = "riattivato"
	}
	h.dopoServizio(w, r, id, nil, err, esito)
}
