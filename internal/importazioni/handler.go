package importazioni

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// MaxUpload is the largest file the importazioni page accepts: 200 MB hold
// some 400,000 households, more than the largest Ambito receives.
const MaxUpload = 200 << 20

// Refresh is how often, in seconds, the page of an import in corso reloads
// itself (no JavaScript: a meta refresh).
const Refresh = 2

// Handler serves the importazioni pages to the coordinatore PaIS and the
// operatore ATS, within their ambito.
type Handler struct {
	svc *Service
	rs  *httpx.Responder

	// MaxByte is the upload limit (MaxUpload unless changed, for tests).
	MaxByte int64
	// Dir is where uploads wait for their import: the process's own
	// directory of the Deposito ("" = the system's temporary directory,
	// for tests).
	Dir string
}

// NewHandler returns the handler.
func NewHandler(svc *Service, rs *httpx.Responder) *Handler {
	return &Handler{svc: svc, rs: rs, MaxByte: MaxUpload}
}

// ambito is the principal's ambito: imports are per ambito.
func ambito(r *http.Request) (authz.Principal, int64, error) {
	p := authz.PrincipalOf(r)
	if p.AmbitoID == nil {
		return p, 0, ErrNoAmbito
	}
	return p, *p.AmbitoID, nil
}

func (h *Handler) Elenco(w http.ResponseWriter, r *http.Request) {
	_, amb, err := ambito(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	pagina = max(pagina, 1)
	imps, next, err := h.svc.Elenco(r.Context(), amb, pagina)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, elencoPage(h.rs.Shell(r), imps, pagina, next))
}

func (h *Handler) Nuova(w http.ResponseWriter, r *http.Request) {
	_, amb, err := ambito(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, nuovaPage(h.rs.Shell(r), h.MaxByte, "", h.daRiprendere(r, amb, r.URL.Query().Get("riprendi"))))
}

// daRiprendere is the import of ambito amb named by id (the form's
// riprendi) when it can be taken up by uploading its file again; the zero
// Importazione otherwise (an unknown or another ambito's id is ignored).
func (h *Handler) daRiprendere(r *http.Request, amb int64, id string) Importazione {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return Importazione{}
	}
	imp, err := h.svc.Get(r.Context(), amb, n)
	if err != nil || !imp.Riprendibile() {
		return Importazione{}
	}
	return imp
}

// Carica stores the uploaded file and starts its import in the background,
// then sends the browser to the import's progress page.
func (h *Handler) Carica(w http.ResponseWriter, r *http.Request) {
	_, amb, err := ambito(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	// The interrupted import taken up, in the form's action (?riprendi=N).
	riprendi := r.URL.Query().Get("riprendi")
	pagina := func(status int, msg string) {
		h.rs.Render(w, r, status, nuovaPage(h.rs.Shell(r), h.MaxByte, msg, h.daRiprendere(r, amb, riprendi)))
	}
	troppo := fmt.Sprintf("Il file supera il limite di %s: dividilo in più file (ogni riga è un nucleo a sé) e caricali uno alla volta.", dimensione(h.MaxByte))
	// The form's other bytes (boundaries, headers) are few.
	const margine = 64 << 10
	if r.ContentLength > h.MaxByte+margine {
		pagina(http.StatusRequestEntityTooLarge, troppo)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.MaxByte+margine)
	path, nome, size, err := h.salva(r)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || errors.Is(err, errTroppoGrande):
		pagina(http.StatusRequestEntityTooLarge, troppo)
		return
	case errors.Is(err, errNessunFile):
		pagina(http.StatusUnprocessableEntity, "Scegli il file del flusso dei nuclei da importare.")
		return
	case errors.Is(err, ErrFileVuoto):
		pagina(http.StatusUnprocessableEntity, "Il file scelto è vuoto: verifica di aver scelto il file giusto.")
		return
	case err != nil:
		pagina(http.StatusBadRequest, "Il caricamento del file non è riuscito (la connessione si è interrotta o era troppo lenta): riprova.")
		return
	}
	ripresaDi := h.daRiprendere(r, amb, riprendi).ID
	id, err := h.svc.Avvia(r.Context(), amb, path, nome, size, ripresaDi, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	httpx.Redirect(w, r, "/importazioni/"+strconv.FormatInt(id, 10))
}

var (
	errNessunFile   = errors.New("importazioni: no file in the form")
	errTroppoGrande = errors.New("importazioni: file too large")
)

// salva copies the form's "file" part to a temporary file, streaming: the
// upload is never held in memory.
func (h *Handler) salva(r *http.Request) (path, nome string, size int64, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", "", 0, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", "", 0, errNessunFile
		}
		if err != nil {
			return "", "", 0, err
		}
		if part.FormName() != "file" {
			continue
		}
		nome = nomeFile(part)
		if nome == "" {
			return "", "", 0, errNessunFile
		}
		f, err := os.CreateTemp(h.Dir, PrefissoFile+"*.jsonl")
		if err != nil {
			return "", "", 0, err
		}
		size, err = io.Copy(f, io.LimitReader(part, h.MaxByte+1))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		switch {
		case err != nil:
		case size > h.MaxByte:
			err = errTroppoGrande
		case size == 0:
			err = ErrFileVuoto
		}
		if err != nil {
			_ = os.Remove(f.Name())
			return "", "", 0, err
		}
		return f.Name(), nome, size, nil
	}
}

// nomeFile is the uploaded file's name without any path, kept short.
func nomeFile(part *multipart.Part) string {
	n := strings.TrimSpace(part.FileName())
	n = filepath.Base(strings.ReplaceAll(n, `\`, "/"))
	if n == "." || n == "/" {
		return ""
	}
	if r := []rune(n); len(r) > 200 {
		n = string(r[:200])
	}
	return n
}

func (h *Handler) load(w http.ResponseWriter, r *http.Request) (Importazione, bool) {
	_, amb, err := ambito(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return Importazione{}, false
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return Importazione{}, false
	}
	imp, err := h.svc.Get(r.Context(), amb, id)
	if err != nil {
		h.rs.Error(w, r, err)
		return Importazione{}, false
	}
	return imp, true
}

func (h *Handler) Dettaglio(w http.ResponseWriter, r *http.Request) {
	imp, ok := h.load(w, r)
	if !ok {
		return
	}
	dopo, _ := strconv.Atoi(r.URL.Query().Get("dopo"))
	dopo = max(dopo, 0)
	vm := dettaglioVM{Imp: imp, Dopo: dopo, SoloConteggi: !LeggeScarti(authz.PrincipalOf(r))}
	var altre bool
	if !vm.SoloConteggi {
		var err error
		vm.Scarti, altre, err = h.svc.Scarti(r.Context(), imp.ID, dopo, PageSize, registro.VoceOf(r))
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
	}
	sc := vm.Scarti
	if altre {
		vm.Successive = fmt.Sprintf("/importazioni/%d?dopo=%d#scarti", imp.ID, sc[len(sc)-1].Riga)
	}
	s := h.rs.Shell(r)
	if imp.InCorso() {
		s.Refresh = Refresh
	}
	h.rs.Render(w, r, http.StatusOK, dettaglioPage(s, vm))
}

func (h *Handler) Scarti(w http.ResponseWriter, r *http.Request) {
	imp, ok := h.load(w, r)
	if !ok {
		return
	}
	if !LeggeScarti(authz.PrincipalOf(r)) {
		h.rs.Error(w, r, httpx.ErrForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="importazione-%d-scarti.csv"`, imp.ID))
	if err := h.svc.ScartiCSV(r.Context(), w, imp.ID, registro.VoceOf(r)); err != nil {
		// Headers may be gone already: the log tells, the file is cut short.
		h.rs.Log.ErrorContext(r.Context(), "export rejected lines", "request_id", httpx.RequestIDFrom(r.Context()), "error", err)
	}
}

// dettaglioVM is the progress and report page.
type dettaglioVM struct {
	Imp        Importazione
	Scarti     []Scarto
	Dopo       int    // the report starts after this line
	Successive string // URL of the next rejected lines, "" when none
	// SoloConteggi: the reader sees the counts only, not the rejected
	// lines (the operatore ATS).
	SoloConteggi bool
}

// LeggeScarti reports whether p may read an import's rejected lines, which
// carry the domande's ids and what was wrong with their members' data: the
// coordinatore PaIS, who corrects the file; the operatore ATS sees only
// aggregated figures (domain.md §14, issue 17), so the counts.
func LeggeScarti(p authz.Principal) bool { return p.Ruolo != authz.OperatoreATS }

// numero writes n with the Italian thousands separator: 100.000.
func numero(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func num(n int) string { return numero(int64(n)) }

// dimensione writes a size in bytes for people: 1,5 MB.
func dimensione(b int64) string {
	switch {
	case b >= 1<<20 && b%(1<<20) == 0:
		return strconv.FormatInt(b>>20, 10) + " MB"
	case b >= 1<<20:
		return strings.Replace(strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64), ".", ",", 1) + " MB"
	case b >= 1<<10:
		return strconv.FormatInt(b>>10, 10) + " KB"
	}
	return strconv.FormatInt(b, 10) + " byte"
}
