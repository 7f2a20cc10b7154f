package controlli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The sample of the verifiche del nucleo (domain.md §9.2): at least 5 % of
// the comune's beneficiary nuclei (Accordo Conferenza Stato-città del 4
// luglio 2019), drawn by the coordinatore controlli reproducibly. The method
// (docs/formats/campione.md): each id_domanda of the population gets the key
// hex(SHA-256(seme ":" data ":" id_domanda)); the population is sorted by key
// (ties, impossible in practice, by id_domanda); the first
// ceil(percentuale × N / 100) are drawn. The seed, the date, the method and
// the whole population with its keys are recorded, so that anyone can redo
// the draw. Each drawn nucleo becomes a request of verification of type
// composizione_nucleo (origine campione), assigned in the worklist.
//
// Two draws on the same day are allowed and recorded separately, each with
// its own number, seed and requests: nothing is ever deleted or replaced, so
// a redraw cannot hide a first sample (both stay in the list, with who drew
// them and when). A drawn nucleo that already has an open request of type
// composizione_nucleo for the same domanda gets no second one: the sample
// links the open request.

// MetodoCampione names the method of docs/formats/campione.md.
const MetodoCampione = "sha256-v1: ordine crescente di hex(SHA-256(seme \":\" data \":\" id_domanda)), estratti i primi ceil(percentuale × N / 100)"

// PercentualeMinima is the least share of the beneficiary nuclei a sample
// may have, in hundredths of a percent (5 %).
const PercentualeMinima = 500

// oggettoCampione is the registro's name of a sample.
const oggettoCampione = "controllo_campione"

// ErrCampioneNotFound: no such sample, or one of another comune (not told apart).
var ErrCampioneNotFound = fmt.Errorf("controlli: campione: %w", httpx.ErrNotFound)

var semeRe = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// ChiaveCampione is the sort key of id_domanda in a sample drawn with seme
// at data: hex(SHA-256(seme ":" aaaa-mm-gg ":" id_domanda)).
func ChiaveCampione(seme string, data time.Time, idDomanda string) string {
	h := sha256.Sum256([]byte(seme + ":" + data.Format(time.DateOnly) + ":" + idDomanda))
	return hex.EncodeToString(h[:])
}

// QuantiEstratti is how many of n nuclei a sample of centesimi hundredths
// of a percent draws: ceil(centesimi × n / 10000), at least one nucleo of
// a non-empty population (1 of 7 at 5 %).
func QuantiEstratti(centesimi, n int) int {
	return (centesimi*n + 9999) / 10000
}

// Posto is a nucleo of the population in the order of the draw.
type Posto struct {
	Posizione int // from 1
	IDDomanda string
	Chiave    string
}

// OrdinaCampione returns the population ids sorted for the draw (seme, data)
// with their keys and positions; the first QuantiEstratti are the sample.
func OrdinaCampione(seme string, data time.Time, ids []string) []Posto {
	out := make([]Posto, len(ids))
	for i, id := range ids {
		out[i] = Posto{IDDomanda: id, Chiave: ChiaveCampione(seme, data, id)}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Chiave != out[j].Chiave {
			return out[i].Chiave < out[j].Chiave
		}
		return out[i].IDDomanda < out[j].IDDomanda
	})
	for i := range out {
		out[i].Posizione = i + 1
	}
	return out
}

// NuovoSeme is a random seed: 16 bytes in hexadecimal.
func NuovoSeme() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CampioneInput is the form of a new sample, as typed.
type CampioneInput struct {
	Percentuale     string
	DataRiferimento string
	Seme            string
}

// leggiPercentuale reads "5", "5,5", "7.25", "10 %" in hundredths.
func leggiPercentuale(s string) (int, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	s = strings.ReplaceAll(s, ",", ".")
	intera, dec, _ := strings.Cut(s, ".")
	if intera == "" || len(dec) > 2 || len(intera) > 3 {
		return 0, false
	}
	for _, r := range intera + dec {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	for len(dec) < 2 {
		dec += "0"
	}
	n, err := strconv.Atoi(intera + dec)
	return n, err == nil
}

// Percentuale shows hundredths of a percent in Italian: "5", "7,5", "7,25".
func Percentuale(centesimi int) string {
	s := strconv.Itoa(centesimi / 100)
	if d := centesimi % 100; d != 0 {
		s += "," + strings.TrimRight(fmt.Sprintf("%02d", d), "0")
	}
	return s
}

// validaCampione checks the form: the percentage (5–100, two decimals at
// most), the reference date (not future), the seed (optional: random).
func (s *Service) validaCampione(in CampioneInput) (centesimi int, data time.Time, seme string, errs httpx.FieldErrors) {
	errs = httpx.FieldErrors{}
	var ok bool
	switch centesimi, ok = leggiPercentuale(in.Percentuale); {
	case strings.TrimSpace(in.Percentuale) == "":
		errs["percentuale"] = "Indica la percentuale dei nuclei beneficiari da estrarre: almeno 5."
	case !ok:
		errs["percentuale"] = "La percentuale è un numero tra 5 e 100, con al più due decimali (per esempio 5 o 7,5)."
	case centesimi < PercentualeMinima:
		errs["percentuale"] = "La percentuale deve essere almeno del 5 % dei nuclei beneficiari (Accordo Conferenza Stato-città del 4 luglio 2019)."
	case centesimi > 10000:
		errs["percentuale"] = "La percentuale non può superare 100."
	}
	switch data, ok = calendario.ParseData(in.DataRiferimento); {
	case strings.TrimSpace(in.DataRiferimento) == "":
		errs["data_riferimento"] = "Indica la data di riferimento: i nuclei beneficiari a quella data formano la popolazione."
	case !ok:
		errs["data_riferimento"] = "Data di riferimento non valida: usa il formato gg/mm/aaaa."
	case data.After(s.oggi()):
		errs["data_riferimento"] = "La data di riferimento non può essere futura."
	}
	seme = strings.ToLower(strings.TrimSpace(in.Seme))
	switch {
	case seme == "":
		seme = NuovoSeme()
	case !semeRe.MatchString(seme):
		errs["seme"] = "Il seme è fatto di 16–64 cifre esadecimali (0-9, a-f): lascialo vuoto per generarne uno a caso."
	}
	if len(errs) == 0 {
		errs = nil
	}
	return centesimi, data, seme, errs
}

// canCampioni reports whether p reads the samples of a comune: the
// coordinatore controlli and the responsabile controlli of the comune.
func canCampioni(p authz.Principal) bool { return coordinatore(p) || responsabile(p) }

// EstraiCampione draws a sample for p's comune (coordinatore controlli
// only): the population, the draw and a request per drawn nucleo are
// written in one transaction, with their registro records. It returns the
// sample's id; a form error is httpx.FieldErrors.
func (s *Service) EstraiCampione(ctx context.Context, p authz.Principal, in CampioneInput, v registro.Voce) (int64, error) {
	if !coordinatore(p) {
		v.Azione, v.OggettoTipo, v.Esito, v.Dettaglio = registro.Negato, oggettoCampione, registro.Rifiutato, "estrazione di un campione"
		if err := s.reg.Record(ctx, v); err != nil {
			return 0, err
		}
		return 0, ErrCampioneNotFound
	}
	centesimi, data, seme, errs := s.validaCampione(in)
	if errs != nil {
		return 0, errs
	}
	comune := *p.ComuneID
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One draw at a time per comune: the check for open requests below
		// must see the requests of a draw running at the same moment.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7417017, $1::int)`, int32(comune)); err != nil {
			return fmt.Errorf("controlli: campione: lock: %w", err)
		}
		pop, err := s.casi.Beneficiari(ctx, tx, comune, data)
		if err != nil {
			return err
		}
		if len(pop) == 0 {
			return httpx.FieldErrors{"data_riferimento": "Alla data di riferimento il comune non ha nuclei beneficiari (domande ADI o RdC accolte o in erogazione, con un caso aperto): non c'è nulla da estrarre."}
		}
		ids := make([]string, len(pop))
		perID := make(map[string]int, len(pop))
		for i, b := range pop {
			ids[i], perID[b.IDDomanda] = b.IDDomanda, i
		}
		ordine := OrdinaCampione(seme, data, ids)
		k := QuantiEstratti(centesimi, len(pop))
		now := s.now()
		if id, err = inserisciCampione(ctx, tx, comune, data, seme, centesimi, len(pop), k, p.OperatoreID, now); err != nil {
			return err
		}
		estratti := make([]string, k)
		for i := range k {
			estratti[i] = ordine[i].IDDomanda
		}
		aperte, err := richiesteAperte(ctx, tx, comune, estratti)
		if err != nil {
			return err
		}
		oggi := s.oggi()
		righe := make([]rigaPopolazione, len(ordine))
		voci := []registro.Voce{}
		for i, o := range ordine {
			b := pop[perID[o.IDDomanda]]
			r := rigaPopolazione{Posto: o, CasoID: b.CasoID, Estratto: i < k}
			if r.Estratto {
				if rid, ok := aperte[o.IDDomanda]; ok {
					r.RichiestaID = &rid
				} else {
					rid, err := inserisciRichiestaCampione(ctx, tx, id, o.Posizione, comune, b, data, oggi, p.OperatoreID, now)
					if err != nil {
						return err
					}
					r.RichiestaID, r.Nuova = &rid, true
					rv := v
					rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Scrittura, oggettoTipo, rid.String(), registro.Consentito
					rv.Dettaglio = fmt.Sprintf("verifica del nucleo dal campione n. %d", id)
					voci = append(voci, rv)
				}
			}
			righe[i] = r
		}
		if err := inserisciPopolazione(ctx, tx, id, righe); err != nil {
			return err
		}
		cv := v
		cv.Azione, cv.OggettoTipo, cv.OggettoID, cv.Esito = registro.Scrittura, oggettoCampione, strconv.FormatInt(id, 10), registro.Consentito
		cv.Dettaglio = fmt.Sprintf("campione al %s, %s %%: %d nuclei su %d", data.Format(time.DateOnly), Percentuale(centesimi), k, len(pop))
		return s.reg.RecordBatch(ctx, tx, append([]registro.Voce{cv}, voci...))
	})
	return id, err
}

// Campione is a drawn sample.
type Campione struct {
	ID              int64
	ComuneID        int64
	Comune          string
	DataRiferimento time.Time
	Seme            string
	Metodo          string
	Centesimi       int // the percentage in hundredths
	Popolazione     int
	Estratti        int
	EstrattoDa      string
	EstrattoIl      time.Time
	NuoveRichieste  int // requests created by this draw
}

// Percentuale is the sample's percentage in Italian.
func (c Campione) Percentuale() string { return Percentuale(c.Centesimi) }

// ElencoCampioni is a page of the comune's samples.
type ElencoCampioni struct {
	Righe        []Campione
	Pagina       int
	AltrePagine  bool
	Coordinatore bool // may draw
	Oggi         time.Time
}

// Campioni returns page pagina of p's comune's samples, newest first; the
// read is recorded.
func (s *Service) Campioni(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (ElencoCampioni, error) {
	e := ElencoCampioni{Pagina: max(pagina, 1), Coordinatore: coordinatore(p), Oggi: s.oggi()}
	if !canCampioni(p) {
		return e, ErrFuoriAmbito
	}
	var err error
	if e.Righe, err = campioni(ctx, s.pool, *p.ComuneID, e.Pagina); err != nil {
		return e, err
	}
	e.Righe, e.AltrePagine = database.Taglia(e.Righe, DimensioneCampione)
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoCampione, registro.Consentito
	v.Dettaglio = fmt.Sprintf("elenco dei campioni: %d", len(e.Righe))
	return e, s.reg.Record(ctx, v)
}

// DimensioneCampione is the rows of a page of samples or of drawn nuclei.
const DimensioneCampione = 25

// Estratto is a drawn nucleo as the sample's page shows it.
type Estratto struct {
	Posizione     int
	IDDomanda     string
	Chiave        string
	Nominativo    string // coordinatore only
	CodiceFiscale string // coordinatore only
	RichiestaID   *uuid.UUID
	IDRichiesta   string
	Stato         Stato
	Nuova         bool // the request was created by this draw
}

// PaginaCampione is the sample's page.
type PaginaCampione struct {
	Campione
	Righe        []Estratto
	Pagina       int
	AltrePagine  bool
	Coordinatore bool
	// Riverificato: the draw, redone now from the recorded seed, date and
	// population, gives the same nuclei.
	Riverificato bool
}

// DettaglioCampione returns sample id of p's comune with page pagina of
// its drawn nuclei, redoing the draw to check it; another comune's sample
// is ErrCampioneNotFound (the refusal recorded).
func (s *Service) DettaglioCampione(ctx context.Context, p authz.Principal, id int64, pagina int, v registro.Voce) (PaginaCampione, error) {
	pc := PaginaCampione{Pagina: max(pagina, 1), Coordinatore: coordinatore(p)}
	c, err := s.campioneDi(ctx, p, id, v)
	if err != nil {
		return pc, err
	}
	pc.Campione = c
	if pc.Righe, err = estratti(ctx, s.pool, id, pc.Pagina, pc.Coordinatore); err != nil {
		return pc, err
	}
	pc.Righe, pc.AltrePagine = database.Taglia(pc.Righe, DimensioneCampione)
	pop, err := popolazione(ctx, s.pool, id)
	if err != nil {
		return pc, err
	}
	pc.Riverificato = riverifica(c, pop)
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = registro.Lettura, oggettoCampione, strconv.FormatInt(id, 10), registro.Consentito
	return pc, s.reg.Record(ctx, v)
}

// riverifica redoes the draw of c from its population (id_domanda →
// drawn) and reports whether it gives the recorded sample.
func riverifica(c Campione, pop map[string]bool) bool {
	ids := make([]string, 0, len(pop))
	for id := range pop {
		ids = append(ids, id)
	}
	if len(ids) != c.Popolazione {
		return false
	}
	ordine := OrdinaCampione(c.Seme, c.DataRiferimento, ids)
	k := QuantiEstratti(c.Centesimi, len(ids))
	if k != c.Estratti {
		return false
	}
	for i, o := range ordine {
		if pop[o.IDDomanda] != (i < k) {
			return false
		}
	}
	return true
}

// PopolazioneCampione returns the population of sample id as the text file
// docs/formats/campione.md describes (one id_domanda a line, sorted); the
// download is recorded.
func (s *Service) PopolazioneCampione(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Campione, []byte, error) {
	c, err := s.campioneDi(ctx, p, id, v)
	if err != nil {
		return c, nil, err
	}
	pop, err := popolazione(ctx, s.pool, id)
	if err != nil {
		return c, nil, err
	}
	ids := make([]string, 0, len(pop))
	for id := range pop {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(id)
		b.WriteByte('\n')
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = registro.Esportazione, oggettoCampione, strconv.FormatInt(id, 10), registro.Consentito
	v.Dettaglio = "popolazione del campione"
	return c, []byte(b.String()), s.reg.Record(ctx, v)
}

// campioneDi reads sample id if p reaches it (their comune's), recording a refusal.
func (s *Service) campioneDi(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Campione, error) {
	var c Campione
	var err error
	if canCampioni(p) {
		c, err = campione(ctx, s.pool, *p.ComuneID, id)
	} else {
		err = ErrCampioneNotFound
	}
	if errors.Is(err, ErrCampioneNotFound) {
		v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = registro.Negato, oggettoCampione, strconv.FormatInt(id, 10), registro.Rifiutato
		v.Dettaglio = "campione"
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return c, rerr
		}
	}
	return c, err
}

// --- handlers ---

func pagina(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	return max(n, 1)
}

func campioneParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "n"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrCampioneNotFound
	}
	return id, nil
}

// Campioni is GET /controlli/campioni: the comune's samples and, for the
// coordinatore, the form of a new draw.
func (h *Handler) Campioni(w http.ResponseWriter, r *http.Request) {
	h.renderCampioni(w, r, http.StatusOK, CampioneInput{Percentuale: "5"}, nil)
}

func (h *Handler) renderCampioni(w http.ResponseWriter, r *http.Request, status int, in CampioneInput, errs httpx.FieldErrors) {
	e, err := h.svc.Campioni(r.Context(), authz.PrincipalOf(r), pagina(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if in.DataRiferimento == "" && errs == nil {
		in.DataRiferimento = e.Oggi.Format(time.DateOnly)
	}
	h.rs.Render(w, r, status, campioniPage(h.rs.Shell(r), e, in, errs))
}

// Estrai is POST /controlli/campioni: draws a sample (coordinatore).
func (h *Handler) Estrai(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in := CampioneInput{Percentuale: r.PostFormValue("percentuale"), DataRiferimento: r.PostFormValue("data_riferimento"),
		Seme: r.PostFormValue("seme")}
	id, err := h.svc.EstraiCampione(r.Context(), authz.PrincipalOf(r), in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/controlli/campioni/"+strconv.FormatInt(id, 10)+"?esito=estratto")
	case errors.As(err, &fe):
		h.renderCampioni(w, r, http.StatusUnprocessableEntity, in, fe)
	default:
		h.rs.Error(w, r, err)
	}
}

// Campione is GET /controlli/campioni/{n}: the sample, its method and its
// drawn nuclei.
func (h *Handler) Campione(w http.ResponseWriter, r *http.Request) {
	id, err := campioneParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pc, err := h.svc.DettaglioCampione(r.Context(), authz.PrincipalOf(r), id, pagina(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, campionePage(h.rs.Shell(r), pc, r.URL.Query().Get("esito") == "estratto"))
}

// Popolazione is GET /controlli/campioni/{n}/popolazione: the population
// as a text file, to redo the draw.
func (h *Handler) Popolazione(w http.ResponseWriter, r *http.Request) {
	id, err := campioneParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_, b, err := h.svc.PopolazioneCampione(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="campione-%d-popolazione.txt"`, id))
	_, _ = w.Write(b)
}
