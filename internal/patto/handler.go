package patto

import (
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/internal/stampa"
)

// Handler serves the patto of a case.
type Handler struct {
	svc   *Service
	rs    *httpx.Responder
	guard *authz.Guard
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder, guard *authz.Guard) *Handler {
	return &Handler{svc: svc, rs: rs, guard: guard}
}

// Base is the path of a case's patto (the case page links to it).
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/patto" }

// Routes mounts the pages; every route declares its permission (the row
// scope, only the assigned case manager, is the service's).
func (h *Handler) Routes(r chi.Router) {
	read := h.guard.Require(authz.Casi, authz.Read)
	write := h.guard.Require(authz.Casi, authz.Write)
	const base = "/casi/{id}/patto"
	r.With(read).Get("/casi/patti", h.inScadenza)
	r.With(read).Get(base, h.pagina)
	r.With(write).Post(base, h.salva)
	r.With(write).Post(base+"/inizia", h.inizia)
	r.With(write).Post(base+"/sottoscrivi", h.sottoscrivi)
	r.With(write).Post(base+"/rivedi", h.rivedi)
	r.With(write).Post(base+"/sostegni/{sostegno}", h.sostegno)
	schede.Pagine[Scheda, Confronto]{RS: h.rs, NonTrovata: ErrNonTrovata,
		Corrente: h.svc.Corrente, Leggi: h.svc.Leggi, Confronta: h.svc.Confronta,
		Versioni: paginaVersioni, Versione: paginaVersione, Confronto: paginaConfronto}.Routes(r, base, read)
	r.With(read).Get(base+"/versioni/{n}/scansione", h.scansione)
	r.With(read).Get(base+"/stampa", h.stampa)
	r.With(read).Get(base+"/patto.pdf", h.pdf)
}

func principal(r *http.Request) authz.Principal {
	p, _ := authz.PrincipalFrom(r.Context())
	return p
}

func audit(r *http.Request) registro.Voce { return registro.FromRequest(r, registro.Voce{}) }

func casoID(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	return id, err == nil
}

// Pagina is what the main page shows.
type Pagina struct {
	Scheda
	Form      Contenuto // what the form shows: the draft, or what was typed
	Frequenza string    // the frequency as typed, when it could not be read
	Revisione int
	Errori    FieldErrors
	Conflitto *VistaConflitto
	Messaggio string // outcome of the last write
	Avviso    string // a write that could not be done
	Motivo    string // the revision form
	Firma     Firma  // the signing form
	// The progress forms of the sostegni, as typed (by sostegno ID), and
	// their errors.
	Attuazione       map[string]AttuazioneInput
	ErroriAttuazione FieldErrors
}

// VistaConflitto is the box shown when someone saved the draft meanwhile.
type VistaConflitto struct {
	Da    string
	Righe []RigaConflitto
}

// RigaConflitto is one field the other person changed: the value before,
// theirs, and what the user typed.
type RigaConflitto struct {
	Campo, Prima, Loro, Tuo string
}

var messaggi = map[string]string{
	"iniziato": "Patto iniziato: gli obiettivi partono dalle priorità del quadro di analisi; completali con i risultati attesi.",
	"salvata":  "Bozza salvata.",
	"sottoscritto": "Sottoscrizione registrata: questa versione del patto non si modifica più. " +
		"I sostegni partono come «proposti»: aggiornane l'attuazione qui sotto.",
	"rivisto":  "Revisione avviata: è una nuova versione in bozza; la versione sottoscritta resta consultabile.",
	"sostegno": "Attuazione del sostegno aggiornata.",
	"aggiungi": "Bozza salvata: compila la nuova riga.",
}

func (h *Handler) pagina(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, Pagina{Messaggio: messaggi[r.URL.Query().Get("esito")]}, nil)
}

// render shows the current version; typed (not nil) is applied to the
// draft so that what the user typed is kept.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, pg Pagina, typed *Modulo) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	sc, err := h.svc.Corrente(r.Context(), principal(r), id, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pg.Scheda = sc
	if sc.Versione != nil {
		pg.Form = sc.Versione.Contenuto
		if pg.Revisione == 0 { // a refused write keeps the revisione the form was loaded at
			pg.Revisione = sc.Versione.Revisione
		}
		if typed != nil && sc.Bozza() {
			typed.Applica(&pg.Form)
			if typed.Errori["frequenza"] != "" {
				pg.Frequenza = typed.Frequenza
			}
		}
	}
	if pg.Firma.Firmatari == nil && pg.Firma.Modalita == "" && pg.Firma.Data == "" {
		pg.Firma = FirmaPredefinita(pg.Form)
	}
	h.rs.Render(w, r, status, paginaPatto(h.rs.Shell(r), pg))
}

func (h *Handler) inizia(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	_, err := h.svc.Inizia(r.Context(), principal(r), id, audit(r))
	switch {
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il patto non si può iniziare."}, nil)
	case errors.Is(err, ErrNonAttivabile):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il patto si costruisce quando la valutazione è conclusa e il caso è in progettazione."}, nil)
	case err != nil:
		h.rs.Error(w, r, err)
	default:
		httpx.Redirect(w, r, Base(id)+"?esito=iniziato")
	}
}

// sezioni the "add another" buttons lead back to.
var sezioniModulo = map[string]bool{"obiettivi": true, "sostegni": true, "impegni": true}

// salva saves the draft with what the form sends.
func (h *Handler) salva(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	rev, _ := strconv.Atoi(r.PostForm.Get("revisione"))
	m := DaModulo(r.PostForm)
	if len(m.Errori) > 0 {
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{Errori: m.Errori, Revisione: rev}, &m)
		return
	}
	_, errs, err := h.svc.Salva(r.Context(), principal(r), id, rev, m.Applica, audit(r))
	var c *schede.Conflitto
	switch {
	case errors.As(err, &c):
		h.renderConflitto(w, r, c, &m)
	case errors.Is(err, ErrNessunaBozza):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Nel frattempo il patto è stato sottoscritto: le modifiche non sono state salvate. Una versione sottoscritta non cambia più: se serve, avvia una revisione."}, nil)
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il patto non si modifica.", Revisione: rev}, &m)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{Errori: errs, Revisione: rev}, &m)
	default:
		if vai := r.PostForm.Get("aggiungi"); sezioniModulo[vai] {
			httpx.Redirect(w, r, Base(id)+"?esito=aggiungi#"+vai)
			return
		}
		httpx.Redirect(w, r, Base(id)+"?esito=salvata")
	}
}

// renderConflitto shows the form with what the user typed (if anything), at
// the draft's current revisione (saving again overwrites the other's
// changes knowingly), and the box of what the other person changed.
func (h *Handler) renderConflitto(w http.ResponseWriter, r *http.Request, c *schede.Conflitto, typed *Modulo) {
	id, _ := casoID(r)
	sc, err := h.svc.Corrente(r.Context(), principal(r), id, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pg := Pagina{Scheda: sc, Revisione: c.Attuale.Revisione}
	if sc.Versione != nil {
		pg.Form = sc.Versione.Contenuto
		pg.Revisione = sc.Versione.Revisione
	}
	if typed != nil {
		typed.Applica(&pg.Form)
	}
	pg.Firma = FirmaPredefinita(pg.Form)
	mio, _ := json.Marshal(pg.Form)
	tutti, _ := schede.Differenze([]byte("{}"), mio, nil)
	tuoi := map[string]string{}
	for _, d := range tutti {
		tuoi[d.Percorso] = d.Dopo
	}
	rif := sc.Riferimenti
	var prima Contenuto
	if sc.Versione != nil {
		prima = sc.Versione.Contenuto
	}
	vc := &VistaConflitto{Da: c.Da}
	for _, d := range Leggibili(rif, c.Cambiate, prima, pg.Form) {
		vc.Righe = append(vc.Righe, RigaConflitto{Campo: d.Campo, Prima: d.Prima, Loro: d.Dopo, Tuo: Valore(rif, d.Percorso, tuoi[d.Percorso], prima, pg.Form)})
	}
	pg.Conflitto = vc
	h.rs.Render(w, r, http.StatusConflict, paginaPatto(h.rs.Shell(r), pg))
}

// maxFirma bounds the signing form: the scan and a few fields.
const maxFirma = MaxScansione + 1<<20

func (h *Handler) sottoscrivi(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFirma)
	err := r.ParseMultipartForm(2 << 20)
	defer func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}()
	var mbe *http.MaxBytesError
	in := Firma{}
	switch {
	case errors.As(err, &mbe):
		h.render(w, r, http.StatusRequestEntityTooLarge, Pagina{Errori: FieldErrors{"scansione": "La scansione supera i 10 MB: riducila (ad esempio in bianco e nero) e caricala di nuovo."},
			Firma: Firma{Firmatari: []string{}}}, nil)
		return
	case errors.Is(err, http.ErrNotMultipart):
		if err := r.ParseForm(); err != nil {
			h.rs.Error(w, r, httpx.ErrBadInput)
			return
		}
	case err != nil:
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	in.Data, in.Modalita, in.Nota = r.FormValue("firma-data"), r.FormValue("modalita"), strings.TrimSpace(r.FormValue("firma-nota"))
	in.Firmatari = r.Form["firmatario"]
	if in.Firmatari == nil {
		in.Firmatari = []string{}
	}
	if r.MultipartForm != nil {
		if fhs := r.MultipartForm.File["scansione"]; len(fhs) > 0 {
			f, err := leggiFile(fhs[0])
			if err != nil {
				h.rs.Error(w, r, httpx.ErrBadInput)
				return
			}
			in.File = &f
		}
	}
	rev, _ := strconv.Atoi(r.FormValue("revisione"))
	_, errs, err := h.svc.Sottoscrivi(r.Context(), principal(r), id, rev, in, audit(r))
	var c *schede.Conflitto
	shown := in
	shown.File = nil
	switch {
	case errors.As(err, &c):
		h.renderConflitto(w, r, c, nil)
	case errors.Is(err, ErrNessunaBozza):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Questa versione del patto è già sottoscritta: non si può sottoscrivere di nuovo né modificare. Se serve, avvia una revisione."}, nil)
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il patto non si sottoscrive."}, nil)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		if in.File != nil && errs["scansione"] == "" {
			errs["scansione"] = "Il modulo non è stato salvato: seleziona di nuovo il file della scansione."
		}
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{Errori: errs, Firma: shown, Revisione: rev}, nil)
	default:
		httpx.Redirect(w, r, Base(id)+"?esito=sottoscritto")
	}
}

func leggiFile(fh *multipart.FileHeader) (File, error) {
	f, err := fh.Open()
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxScansione+1)) // one byte more: "too large"
	return File{Nome: fh.Filename, Dati: b}, err
}

func (h *Handler) rivedi(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	motivo := r.PostFormValue("motivo")
	_, errs, err := h.svc.Rivedi(r.Context(), principal(r), id, motivo, audit(r))
	switch {
	case errors.Is(err, ErrBozzaEsistente):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Nel frattempo la revisione del patto è già stata avviata da un altro operatore: ecco la bozza."}, nil)
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: il patto non si rivede.", Motivo: motivo}, nil)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{Errori: errs, Motivo: motivo}, nil)
	default:
		httpx.Redirect(w, r, Base(id)+"?esito=rivisto")
	}
}

func (h *Handler) sostegno(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, httpx.ErrBadInput)
		return
	}
	sid := chi.URLParam(r, "sostegno")
	if _, err := uuid.Parse(sid); err != nil {
		h.rs.Error(w, r, ErrNonTrovata)
		return
	}
	in := AttuazioneInput{SostegnoID: sid, Stato: r.PostForm.Get(Campo(sid, "stato")), Motivo: r.PostForm.Get(Campo(sid, "motivo")),
		AvvioEffettivo: r.PostForm.Get(Campo(sid, "avvio")), FineEffettiva: r.PostForm.Get(Campo(sid, "fine")),
		Versione: r.PostForm.Get(Campo(sid, "versione"))}
	errs, err := h.svc.AggiornaSostegno(r.Context(), principal(r), id, in, audit(r))
	typed := map[string]AttuazioneInput{sid: in}
	var c *ConflittoAttuazione
	switch {
	case errors.As(err, &c):
		in.Versione = strconv.Itoa(c.Attuale.Versione)
		typed[sid] = in
		avviso := "Nel frattempo " + c.Attuale.AggiornataDa + " ha aggiornato questo sostegno: ora è «" + c.Attuale.Stato.Label() + "»"
		if c.Attuale.Motivo != "" {
			avviso += " (" + c.Attuale.Motivo + ")"
		}
		avviso += ". Il tuo aggiornamento non è stato salvato: i valori che hai scritto sono nel modulo; controllali e salva di nuovo."
		h.render(w, r, http.StatusConflict, Pagina{Avviso: avviso, Attuazione: typed}, nil)
	case errors.Is(err, ErrNonFirmato):
		h.rs.Error(w, r, ErrNonTrovata)
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, Pagina{Avviso: "Il caso è chiuso: l'attuazione dei sostegni non si aggiorna.", Attuazione: typed}, nil)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{ErroriAttuazione: errs, Attuazione: typed}, nil)
	default:
		httpx.Redirect(w, r, Base(id)+"?esito=sostegno#attuazione")
	}
}

func (h *Handler) scansione(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	n := schede.Numero(chi.URLParam(r, "n"))
	if !ok || n == 0 {
		h.rs.Error(w, r, ErrNonTrovata)
		return
	}
	f, err := h.svc.Scansione(r.Context(), principal(r), id, n, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.Mime)
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(f.Nome, `"`, "")+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Dati)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(f.Dati)
}

// esportata is the version asked for by ?versione= (none: the newest), for
// p to print, recorded as an export in formato.
func (h *Handler) esportata(w http.ResponseWriter, r *http.Request, formato string) (Scheda, bool) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, casi.ErrNotFound)
		return Scheda{}, false
	}
	n := 0
	if q := r.URL.Query().Get("versione"); q != "" {
		if n = schede.Numero(q); n == 0 {
			h.rs.Error(w, r, ErrNonTrovata)
			return Scheda{}, false
		}
	}
	sc, err := h.svc.Esporta(r.Context(), principal(r), id, n, formato, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return Scheda{}, false
	}
	return sc, true
}

func (h *Handler) stampa(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.esportata(w, r, "stampa")
	if !ok {
		return
	}
	s := h.rs.Shell(r)
	s.Nav = nil // a print view: no navigation
	h.rs.Render(w, r, http.StatusOK, paginaStampa(s, sc, PerLaFamiglia(sc.Caso, *sc.Versione, sc.Riferimenti, sc.Oggi)))
}

func (h *Handler) pdf(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.esportata(w, r, "pdf")
	if !ok {
		return
	}
	creato := sc.Versione.AggiornataIl
	b, err := stampa.PDF(PerLaFamiglia(sc.Caso, *sc.Versione, sc.Riferimenti, sc.Oggi).PDF(creato))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="patto-`+sc.Caso.Codice()+"-v"+strconv.Itoa(sc.Versione.Numero)+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// inScadenza lists the case manager's cases whose patto has ended or is
// about to.
func (h *Handler) inScadenza(w http.ResponseWriter, r *http.Request) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	l, err := h.svc.InScadenza(r.Context(), principal(r), pagina, audit(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, listaInScadenza(h.rs.Shell(r), l))
}
