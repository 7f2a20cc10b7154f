package patto

import (
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
	"github.com/cartella/cartella/internal/stampa"
	"github.com/cartella/cartella/web/ui"
)

// Handler serves the patto of a case.
type Handler struct {
	svc *Service
	rs  *httpx.Responder
	// The pages every versioned scheda has (Mostra, Salva, Inizia,
	// Finalizza, Riapri, Stampa; Versioni, Versione, Confronto), listed in
	// internal/app/routes.go.
	schede.Flusso[Scheda, Contenuto]
	schede.Pagine[Scheda, Confronto]
	ente Ente
}

// Ente gives the printed patto the ente's data (accesso.Service): the
// ambito's name, privacy notice and logo, the case manager's contacts.
type Ente interface {
	CartaDi(ctx context.Context, ambitoID int64, caseManager *uuid.UUID) (accesso.Carta, error)
}

// ConEnte sets where the printed patto takes the ente's data from.
func (h *Handler) ConEnte(e Ente) { h.ente = e }

// carta is the ente's data for the printed patto of case c.
func (h *Handler) carta(ctx context.Context, c casi.Caso) (accesso.Carta, error) {
	if h.ente == nil {
		return accesso.Carta{Informativa: accesso.InformativaPredefinita}, nil
	}
	return h.ente.CartaDi(ctx, c.AmbitoID, c.CaseManagerID)
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs, Flusso: schede.Flusso[Scheda, Contenuto]{RS: rs, Errori: svc.m.Errori, NonAttivabile: ErrNonAttivabile, Base: Base,
		Svc: schede.Servizio[Scheda, Contenuto]{Corrente: svc.Corrente, Leggi: svc.Leggi, Inizia: svc.Inizia,
			Salva: svc.Salva, Riapri: svc.Rivedi},
		Messaggi: map[string]string{
			"iniziato": "Patto iniziato: gli obiettivi partono dalle priorità del quadro di analisi; completali con i risultati attesi.",
			"salvata":  "Bozza salvata.",
			"sottoscritto": "Sottoscrizione registrata: questa versione del patto non si modifica più. " +
				"I sostegni partono come «proposti»: aggiornane l'attuazione qui sotto.",
			"rivisto":  "Revisione avviata: è una nuova versione in bozza; la versione sottoscritta resta consultabile.",
			"sostegno": "Attuazione del sostegno aggiornata.",
			"aggiungi": "Bozza salvata: compila la nuova riga.",
		},
		Esiti: schede.Esiti{Inizia: "iniziato", Riapri: "rivisto"},
		Avvisi: schede.Avvisi{
			NonIniziabile:   "Il caso è chiuso: il patto non si può iniziare.",
			NonAttivabile:   "Il patto si costruisce quando la valutazione è conclusa e il caso è in progettazione.",
			NonModificabile: "Il caso è chiuso: il patto non si modifica.",
			NonRiapribile:   "Il caso è chiuso: il patto non si rivede.",
			Finalizzata:     "Nel frattempo il patto è stato sottoscritto: le modifiche non sono state salvate. Una versione sottoscritta non cambia più: se serve, avvia una revisione.",
			Riaperta:        "Nel frattempo la revisione del patto è già stata avviata da un altro operatore: ecco la bozza.",
		},
		Limiti: Limiti,
		Modulo: func(f url.Values) (func(*Contenuto), httpx.FieldErrors) {
			m := DaModulo(f)
			return m.Applica, m.Errori
		},
		Aggiungi: func(f url.Values) string {
			if vai := f.Get("aggiungi"); sezioniModulo[vai] {
				return vai
			}
			return ""
		},
		Leggibili: func(sc Scheda, d []schede.Differenza, form Contenuto) []schede.Differenza {
			return Leggibili(sc.Riferimenti, d, prima(sc), form)
		},
		Valore: func(sc Scheda, p, v string, form Contenuto) string {
			return Valore(sc.Riferimenti, p, v, prima(sc), form)
		},
		Viste: schede.Viste[Scheda, Contenuto]{Pagina: func(s ui.Shell, sc Scheda, c schede.Compilazione[Contenuto]) templ.Component {
			return paginaPatto(s, nuovaPagina(sc, c))
		}},
	},
		Pagine: schede.Pagine[Scheda, Confronto]{RS: rs, NonTrovata: ErrNonTrovata,
			Corrente: svc.Corrente, Leggi: svc.Leggi, Confronta: svc.Confronta,
			VistaVersioni: paginaVersioni, VistaVersione: paginaVersione, VistaConfronto: paginaConfronto},
	}
}

// prima is the content of the version shown (the draft before the typing).
func prima(sc Scheda) Contenuto {
	c, _, _ := sc.Mostrata()
	return c
}

// Base is the path of a case's patto (the case page links to it).
func Base(casoID uuid.UUID) string { return "/casi/" + casoID.String() + "/patto" }

func casoID(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	return id, err == nil
}

// Pagina is what the main page shows: the scheda, its form, and the forms
// of the signature and of the progress of the sostegni.
type Pagina struct {
	Scheda
	schede.Compilazione[Contenuto]
	Frequenza string // the frequency as typed, when it could not be read
	Firma     Firma  // the signing form
	// The progress forms of the sostegni, as typed (by sostegno ID), and
	// their errors.
	Attuazione       map[string]AttuazioneInput
	ErroriAttuazione httpx.FieldErrors
}

// nuovaPagina is the page of the shared workflow: the signing form with
// the signatories pre-ticked, the frequency kept as typed when it could
// not be read.
func nuovaPagina(sc Scheda, c schede.Compilazione[Contenuto]) Pagina {
	pg := Pagina{Scheda: sc, Compilazione: c, Firma: FirmaPredefinita(c.Form)}
	if c.Errori["frequenza"] != "" && c.Inviato != nil {
		pg.Frequenza = strings.TrimSpace(c.Inviato.Get("frequenza"))
	}
	return pg
}

// render shows the main page with the forms of pg (the signature, the
// progress of the sostegni) as typed.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, pg Pagina) {
	sc, ok := h.Flusso.Carica(w, r, &pg.Compilazione, nil)
	if !ok {
		return
	}
	pg.Scheda = sc
	if pg.Firma.Firmatari == nil && pg.Firma.Modalita == "" && pg.Firma.Data == "" {
		pg.Firma = FirmaPredefinita(pg.Form)
	}
	h.rs.Render(w, r, status, paginaPatto(h.rs.Shell(r), pg))
}

func avviso(a string) Pagina { return Pagina{Compilazione: schede.Compilazione[Contenuto]{Avviso: a}} }

// sezioni the "add another" buttons lead back to.
var sezioniModulo = map[string]bool{"obiettivi": true, "sostegni": true, "impegni": true}

// maxFirma bounds the signing form: the scan and a few fields.
const maxFirma = MaxScansione + 1<<20

func (h *Handler) Sottoscrivi(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, ErrNonTrovata)
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
		pg := Pagina{Firma: Firma{Firmatari: []string{}}}
		pg.Errori = httpx.FieldErrors{"scansione": "La scansione supera i 10 MB: riducila (ad esempio in bianco e nero) e caricala di nuovo."}
		h.render(w, r, http.StatusRequestEntityTooLarge, pg)
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
	rev := schede.Revisione(r.FormValue("revisione"))
	_, errs, err := h.svc.Sottoscrivi(r.Context(), authz.PrincipalOf(r), id, rev, in, registro.VoceOf(r))
	var c *schede.Conflitto
	shown := in
	shown.File = nil
	switch {
	case errors.As(err, &c):
		h.Flusso.Conflitto(w, r, c, nil)
	case errors.Is(err, ErrNessunaBozza):
		h.render(w, r, http.StatusConflict, avviso("Questa versione del patto è già sottoscritta: non si può sottoscrivere di nuovo né modificare. Se serve, avvia una revisione."))
	case errors.Is(err, ErrChiuso):
		h.render(w, r, http.StatusConflict, avviso("Il caso è chiuso: il patto non si sottoscrive."))
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		if in.File != nil && errs["scansione"] == "" {
			errs["scansione"] = "Il modulo non è stato salvato: seleziona di nuovo il file della scansione."
		}
		pg := Pagina{Firma: shown}
		pg.Errori, pg.Revisione = errs, rev
		h.render(w, r, http.StatusUnprocessableEntity, pg)
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

func (h *Handler) Sostegno(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	if !ok {
		h.rs.Error(w, r, ErrNonTrovata)
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
	errs, err := h.svc.AggiornaSostegno(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	typed := map[string]AttuazioneInput{sid: in}
	var c *ConflittoAttuazione
	switch {
	case errors.As(err, &c):
		in.Versione = strconv.Itoa(c.Attuale.Versione)
		typed[sid] = in
		msg := "Nel frattempo " + c.Attuale.AggiornataDa + " ha aggiornato questo sostegno: ora è «" + c.Attuale.Stato.Label() + "»"
		if c.Attuale.Motivo != "" {
			msg += " (" + c.Attuale.Motivo + ")"
		}
		msg += ". Il tuo aggiornamento non è stato salvato: i valori che hai scritto sono nel modulo; controllali e salva di nuovo."
		pg := avviso(msg)
		pg.Attuazione = typed
		h.render(w, r, http.StatusConflict, pg)
	case errors.Is(err, ErrNonFirmato):
		h.rs.Error(w, r, ErrNonTrovata)
	case errors.Is(err, ErrChiuso):
		pg := avviso("Il caso è chiuso: l'attuazione dei sostegni non si aggiorna.")
		pg.Attuazione = typed
		h.render(w, r, http.StatusConflict, pg)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.render(w, r, http.StatusUnprocessableEntity, Pagina{ErroriAttuazione: errs, Attuazione: typed})
	default:
		httpx.Redirect(w, r, Base(id)+"?esito=sostegno#attuazione")
	}
}

func (h *Handler) Scansione(w http.ResponseWriter, r *http.Request) {
	id, ok := casoID(r)
	n := schede.Numero(chi.URLParam(r, "n"))
	if !ok || n == 0 {
		h.rs.Error(w, r, ErrNonTrovata)
		return
	}
	f, err := h.svc.Scansione(r.Context(), authz.PrincipalOf(r), id, n, registro.VoceOf(r))
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
		h.rs.Error(w, r, ErrNonTrovata)
		return Scheda{}, false
	}
	n := 0
	if q := r.URL.Query().Get("versione"); q != "" {
		if n = schede.Numero(q); n == 0 {
			h.rs.Error(w, r, ErrNonTrovata)
			return Scheda{}, false
		}
	}
	sc, err := h.svc.Esporta(r.Context(), authz.PrincipalOf(r), id, n, formato, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return Scheda{}, false
	}
	return sc, true
}

func (h *Handler) Stampa(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.esportata(w, r, "stampa")
	if !ok {
		return
	}
	carta, err := h.carta(r.Context(), sc.Caso)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	s := h.rs.Shell(r)
	s.Nav = nil // a print view: no navigation
	perLaFirma := r.URL.Query().Get("copia") == "firma"
	h.rs.Render(w, r, http.StatusOK, paginaStampa(s, sc, PerLaFamiglia(sc.Caso, *sc.Versione, sc.Riferimenti, sc.Oggi, carta, perLaFirma)))
}

func (h *Handler) PDF(w http.ResponseWriter, r *http.Request) {
	sc, ok := h.esportata(w, r, "pdf")
	if !ok {
		return
	}
	carta, err := h.carta(r.Context(), sc.Caso)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	perLaFirma := r.URL.Query().Get("copia") == "firma"
	creato := sc.Versione.AggiornataIl
	b, err := stampa.PDF(PerLaFamiglia(sc.Caso, *sc.Versione, sc.Riferimenti, sc.Oggi, carta, perLaFirma).PDF(creato))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	nome := "patto-" + sc.Caso.Codice() + "-v" + strconv.Itoa(sc.Versione.Numero)
	if perLaFirma && !sc.Versione.Definitiva() {
		nome += "-da-firmare"
	}
	w.Header().Set("Content-Disposition", `inline; filename="`+nome+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// InScadenza lists the case manager's cases whose patto has ended or is
// about to.
func (h *Handler) InScadenza(w http.ResponseWriter, r *http.Request) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	l, err := h.svc.InScadenza(r.Context(), authz.PrincipalOf(r), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, listaInScadenza(h.rs.Shell(r), l))
}
