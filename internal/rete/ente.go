package rete

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Role codes of the network.
const (
	ruoloGestore     = authz.GestoreRete
	ruoloCoordinator = authz.CoordinatorePaIS
)

// Ente is an ente of the network and the comuni it serves.
type Ente struct {
	ID                                                                             int64
	AmbitoID                                                                       int64
	Denominazione, Tipo, CodiceFiscale, Indirizzo, Telefono, Email, PEC, Referente string
	Attivo                                                                         bool
	Versione                                                                       int
	Comuni                                                                         []int64
	NomiComuni                                                                     []string
}

// TipoLabel is the kind's Italian label.
func (e Ente) TipoLabel() string { return etichetta(TipiEnte, e.Tipo) }

// EnteInput is the ente form as typed.
type EnteInput struct {
	Denominazione, Tipo, CodiceFiscale, Indirizzo, Telefono, Email, PEC, Referente string
	Comuni                                                                         []string
	Versione                                                                       string
}

// InputDaEnte fills the form from a saved ente.
func InputDaEnte(e Ente) EnteInput {
	in := EnteInput{Denominazione: e.Denominazione, Tipo: e.Tipo, CodiceFiscale: e.CodiceFiscale, Indirizzo: e.Indirizzo,
		Telefono: e.Telefono, Email: e.Email, PEC: e.PEC, Referente: e.Referente, Versione: strconv.Itoa(e.Versione)}
	for _, c := range e.Comuni {
		in.Comuni = append(in.Comuni, strconv.FormatInt(c, 10))
	}
	return in
}

var (
	cfEnte  = regexp.MustCompile(`^([0-9]{11}|[A-Z0-9]{16})$`)
	unaMail = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// ids parses the chosen ids, keeping only those among ammessi.
func ids(vs []string, ammessi []int64) ([]int64, bool) {
	var out []int64
	ok := true
	for _, v := range vs {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.Contains(ammessi, n) {
			ok = false
			continue
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, ok
}

func (in *EnteInput) valida(comuni []Comune) ([]int64, httpx.FieldErrors) {
	fe := httpx.FieldErrors{}
	in.Denominazione = strings.TrimSpace(in.Denominazione)
	in.CodiceFiscale = strings.ToUpper(strings.TrimSpace(in.CodiceFiscale))
	in.Email, in.PEC = strings.TrimSpace(in.Email), strings.TrimSpace(in.PEC)
	switch {
	case in.Denominazione == "":
		fe["denominazione"] = "Scrivi la denominazione dell'ente."
	case len([]rune(in.Denominazione)) > 200:
		fe["denominazione"] = "La denominazione può avere al massimo 200 caratteri."
	}
	if !valido(TipiEnte, in.Tipo) {
		fe["tipo"] = "Scegli il tipo di ente."
	}
	if in.CodiceFiscale != "" && !cfEnte.MatchString(in.CodiceFiscale) {
		fe["codice_fiscale"] = "Il codice fiscale dell'ente ha 11 cifre (o 16 caratteri): controllalo."
	}
	if in.Email != "" && !unaMail.MatchString(in.Email) {
		fe["email"] = "L'indirizzo e-mail non è valido: controllalo (es. info@ente.it)."
	}
	if in.PEC != "" && !unaMail.MatchString(in.PEC) {
		fe["pec"] = "L'indirizzo PEC non è valido: controllalo."
	}
	ammessi := make([]int64, len(comuni))
	for i, c := range comuni {
		ammessi[i] = c.ID
	}
	scelti, ok := ids(in.Comuni, ammessi)
	switch {
	case !ok:
		fe["comuni"] = "Scegli solo comuni dell'ambito."
	case len(scelti) == 0:
		fe["comuni"] = "Scegli almeno un comune servito dall'ente."
	}
	lunghezze(fe, "denominazione", in.Denominazione, "codice_fiscale", in.CodiceFiscale, "indirizzo", in.Indirizzo,
		"telefono", in.Telefono, "email", in.Email, "pec", in.PEC, "referente", in.Referente)
	if len(fe) > 0 {
		return nil, fe
	}
	return scelti, nil
}

// versione reads the form's versione (0 when missing: always a conflict).
func versione(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ambito returns the ambito whose network p manages or reads (the gestore
// and the coordinatore PaIS of an ambito); scrive asks for the gestore.
// Otherwise the refusal is recorded and the answer is ErrNotFound.
func (s *Service) ambito(ctx context.Context, p authz.Principal, scrive bool, v registro.Voce) (int64, error) {
	ok := p.AmbitoID != nil && (p.Ruolo == ruoloGestore || (!scrive && p.Ruolo == ruoloCoordinator))
	if ok {
		return *p.AmbitoID, nil
	}
	return 0, s.negato(ctx, v)
}

// negato records a refused access and returns ErrNotFound.
func (s *Service) negato(ctx context.Context, v registro.Voce) error {
	v.Esito, v.Dettaglio = registro.Rifiutato, v.Azione
	if v.Dettaglio == "" {
		v.Dettaglio = registro.Lettura
	}
	v.Azione = registro.Negato
	if err := s.reg.Record(ctx, v); err != nil {
		return err
	}
	return ErrNotFound
}

// scrittura records, in tx, the write v describes.
func (s *Service) scrittura(ctx context.Context, tx pgx.Tx, v registro.Voce, tipo string, id int64, dettaglio string) error {
	v.Azione, v.Esito, v.OggettoTipo, v.OggettoID, v.Dettaglio = registro.Scrittura, registro.Consentito, tipo, strconv.FormatInt(id, 10), dettaglio
	return s.reg.RecordTx(ctx, tx, v)
}

// Enti is the gestore's page of the network: the enti of the ambito.
type Enti struct {
	Enti   []Ente
	Scrive bool
	Comuni []Comune
}

// Enti lists the enti of p's ambito.
func (s *Service) Enti(ctx context.Context, p authz.Principal, v registro.Voce) (Enti, error) {
	v.OggettoTipo = oggettoEnte
	amb, err := s.ambito(ctx, p, false, v)
	if err != nil {
		return Enti{}, err
	}
	es, err := elencoEnti(ctx, s.pool, amb, false)
	return Enti{Enti: es, Scrive: p.Ruolo == ruoloGestore}, err
}

// ModuloEnte is what the ente form needs: the ambito's comuni, and the ente
// when editing.
type ModuloEnte struct {
	Ente   *Ente
	Comuni []Comune
	Scrive bool
}

// Ente returns ente id of p's ambito for its page (ModuloEnte with the
// ente), or with id 0 an empty form.
func (s *Service) Ente(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (ModuloEnte, error) {
	v.OggettoTipo, v.OggettoID = oggettoEnte, strconv.FormatInt(id, 10)
	amb, err := s.ambito(ctx, p, id == 0, v)
	if err != nil {
		return ModuloEnte{}, err
	}
	m := ModuloEnte{Scrive: p.Ruolo == ruoloGestore}
	if m.Comuni, err = comuniAmbito(ctx, s.pool, amb); err != nil {
		return m, err
	}
	if id == 0 {
		return m, nil
	}
	e, err := caricaEnte(ctx, s.pool, id)
	if err == nil && e.AmbitoID != amb {
		err = s.negato(ctx, v)
	}
	if err != nil {
		return ModuloEnte{}, err
	}
	m.Ente = &e
	return m, nil
}

// CreaEnte adds an ente to p's ambito.
func (s *Service) CreaEnte(ctx context.Context, p authz.Principal, in EnteInput, v registro.Voce) (int64, error) {
	v.OggettoTipo, v.Azione = oggettoEnte, registro.Scrittura
	amb, err := s.ambito(ctx, p, true, v)
	if err != nil {
		return 0, err
	}
	comuni, err := comuniAmbito(ctx, s.pool, amb)
	if err != nil {
		return 0, err
	}
	scelti, fe := in.valida(comuni)
	if fe != nil {
		return 0, fe
	}
	var id int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO rete_ente (ambito_id, denominazione, tipo, codice_fiscale, indirizzo, telefono, email, pec, referente)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, amb, in.Denominazione, in.Tipo, in.CodiceFiscale,
			strings.TrimSpace(in.Indirizzo), strings.TrimSpace(in.Telefono), in.Email, in.PEC, strings.TrimSpace(in.Referente)).Scan(&id)
		if err != nil {
			return err
		}
		if err := scriviComuniEnte(ctx, tx, id, scelti); err != nil {
			return err
		}
		return s.scrittura(ctx, tx, v, oggettoEnte, id, "nuovo ente")
	})
	if unico(err) {
		return 0, httpx.FieldErrors{"denominazione": "Nell'ambito c'è già un ente con questa denominazione."}
	}
	return id, err
}

// AggiornaEnte saves the ente form over version in.Versione: if someone
// saved it meanwhile the answer is ErrConflict and nothing is saved.
func (s *Service) AggiornaEnte(ctx context.Context, p authz.Principal, id int64, in EnteInput, v registro.Voce) error {
	v.OggettoTipo, v.OggettoID, v.Azione = oggettoEnte, strconv.FormatInt(id, 10), registro.Scrittura
	amb, err := s.ambito(ctx, p, true, v)
	if err != nil {
		return err
	}
	comuni, err := comuniAmbito(ctx, s.pool, amb)
	if err != nil {
		return err
	}
	scelti, fe := in.valida(comuni)
	if fe != nil {
		return fe
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.versioneEnte(ctx, tx, amb, id, versione(in.Versione)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rete_ente SET denominazione = $2, tipo = $3, codice_fiscale = $4, indirizzo = $5,
			telefono = $6, email = $7, pec = $8, referente = $9, versione = versione + 1, updated_at = now() WHERE id = $1`,
			id, in.Denominazione, in.Tipo, in.CodiceFiscale, strings.TrimSpace(in.Indirizzo), strings.TrimSpace(in.Telefono),
			in.Email, in.PEC, strings.TrimSpace(in.Referente)); err != nil {
			return err
		}
		if err := scriviComuniEnte(ctx, tx, id, scelti); err != nil {
			return err
		}
		return s.scrittura(ctx, tx, v, oggettoEnte, id, "modifica")
	})
	if errors.Is(err, ErrNotFound) {
		return s.negato(ctx, v)
	}
	if unico(err) {
		return httpx.FieldErrors{"denominazione": "Nell'ambito c'è già un ente con questa denominazione."}
	}
	return err
}

// versioneEnte locks ente id of ambito amb and checks its version.
func (s *Service) versioneEnte(ctx context.Context, tx pgx.Tx, amb, id int64, ver int) error {
	var a int64
	var attuale int
	err := tx.QueryRow(ctx, `SELECT ambito_id, versione FROM rete_ente WHERE id = $1 FOR UPDATE`, id).Scan(&a, &attuale)
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

// StatoEnte deactivates (attivo false) or reactivates ente id. A
// deactivated ente's services leave the case managers' map; nothing is
// deleted (the invii keep referring to it).
func (s *Service) StatoEnte(ctx context.Context, p authz.Principal, id int64, attivo bool, ver string, v registro.Voce) error {
	v.OggettoTipo, v.OggettoID, v.Azione = oggettoEnte, strconv.FormatInt(id, 10), registro.Scrittura
	amb, err := s.ambito(ctx, p, true, v)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.versioneEnte(ctx, tx, amb, id, versione(ver)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rete_ente SET attivo = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, id, attivo); err != nil {
			return err
		}
		d := "disattivato"
		if attivo {
			d = "riattivato"
		}
		return s.scrittura(ctx, tx, v, oggettoEnte, id, d)
	})
	if errors.Is(err, ErrNotFound) {
		return s.negato(ctx, v)
	}
	return err
}

// --- handlers ---

// numero reads the {n} of the URL.
func numero(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(chi.URLParam(r, "n"), 10, 64)
	if err != nil || n <= 0 {
		return 0, ErrNotFound
	}
	return n, nil
}

func leggiEnte(r *http.Request) EnteInput {
	_ = r.ParseForm()
	return EnteInput{Denominazione: r.FormValue("denominazione"), Tipo: r.FormValue("tipo"), CodiceFiscale: r.FormValue("codice_fiscale"),
		Indirizzo: r.FormValue("indirizzo"), Telefono: r.FormValue("telefono"), Email: r.FormValue("email"), PEC: r.FormValue("pec"),
		Referente: r.FormValue("referente"), Comuni: r.Form["comuni"], Versione: r.FormValue("versione")}
}

// Rete is /rete: the enti of the ambito for the gestore and the
// coordinatore; a case manager goes to the map.
func (h *Handler) Rete(w http.ResponseWriter, r *http.Request) {
	p := authz.PrincipalOf(r)
	if p.Ruolo != ruoloGestore && p.Ruolo != ruoloCoordinator {
		httpx.Redirect(w, r, "/rete/mappa")
		return
	}
	e, err := h.svc.Enti(r.Context(), p, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, entiPage(h.rs.Shell(r), e, r.URL.Query().Get("esito")))
}

// NuovoEnte is the empty ente form.
func (h *Handler) NuovoEnte(w http.ResponseWriter, r *http.Request) {
	h.renderEnte(w, r, http.StatusOK, 0, EnteInput{}, nil, "", "")
}

func (h *Handler) renderEnte(w http.ResponseWriter, r *http.Request, status int, id int64, in EnteInput, errs httpx.FieldErrors, avviso, esito string) {
	m, err := h.svc.Ente(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if m.Ente != nil && (status == http.StatusOK || in.Tipo == "") {
		in = InputDaEnte(*m.Ente)
	}
	if m.Ente != nil && avviso != "" {
		in.Versione = strconv.Itoa(m.Ente.Versione) // saving again overwrites, knowingly
	}
	h.rs.Render(w, r, status, entePage(h.rs.Shell(r), m, in, errs, avviso, esito))
}

// CreaEnte saves a new ente.
func (h *Handler) CreaEnte(w http.ResponseWriter, r *http.Request) {
	in := leggiEnte(r)
	id, err := h.svc.CreaEnte(r.Context(), authz.PrincipalOf(r), in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/rete/enti/"+strconv.FormatInt(id, 10)+"?esito=creato")
	case errors.As(err, &fe):
		h.renderEnte(w, r, http.StatusUnprocessableEntity, 0, in, fe, "", "")
	default:
		h.rs.Error(w, r, err)
	}
}

// SchedaEnte is an ente's page with its form.
func (h *Handler) SchedaEnte(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.renderEnte(w, r, http.StatusOK, id, EnteInput{}, nil, "", r.URL.Query().Get("esito"))
}

// AggiornaEnte saves the ente form.
func (h *Handler) AggiornaEnte(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := leggiEnte(r)
	err = h.svc.AggiornaEnte(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.dopoEnte(w, r, id, in, err, "salvato")
}

func (h *Handler) dopoEnte(w http.ResponseWriter, r *http.Request, id int64, in EnteInput, err error, esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/rete/enti/"+strconv.FormatInt(id, 10)+"?esito="+esito)
	case errors.As(err, &fe):
		h.renderEnte(w, r, http.StatusUnprocessableEntity, id, in, fe, "", "")
	case errors.Is(err, ErrConflict):
		h.renderEnte(w, r, http.StatusConflict, id, in, nil, avvisoConflitto, "")
	default:
		h.rs.Error(w, r, err)
	}
}

const avvisoConflitto = "Nel frattempo qualcun altro ha modificato questi dati: le tue modifiche non sono state salvate. " +
	"Qui sotto trovi quello che avevi scritto; salvando di nuovo sostituirai la versione dell'altro."

// StatoEnte deactivates or reactivates an ente.
func (h *Handler) StatoEnte(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	attivo := r.FormValue("attivo") == "true"
	err = h.svc.StatoEnte(r.Context(), authz.PrincipalOf(r), id, attivo, r.FormValue("versione"), registro.VoceOf(r))
	esito := "disattivato"
	if attivo {
		esito = "riattivato"
	}
	if errors.Is(err, ErrConflict) {
		h.renderEnte(w, r, http.StatusConflict, id, EnteInput{}, nil, "Nel frattempo qualcun altro ha modificato l'ente: controlla i dati aggiornati e ripeti l'operazione.", "")
		return
	}
	h.dopoEnte(w, r, id, EnteInput{}, err, esito)
}
