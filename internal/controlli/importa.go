package controlli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The import of INPS's requests of verification (docs/formats/controlli.md):
// JSON Lines, one request per line, each applied all or nothing in its own
// transaction; every rejected line reported with its number and all its
// reasons; idempotent by id_richiesta (the same content again is
// "invariata", a different content under the same id is rejected). From
// the command line (`cartella import controlli FILE`: any comune of the
// installation) or uploaded by the coordinatore controlli (their comune's
// lines only). Each import is kept with its report (controllo_importazione).

// Limits of the file.
const (
	VersioneTracciato     = 1
	MaxRigaImport         = 64 << 10 // bytes of a line, without its terminator
	MaxUploadImport       = 8 << 20  // bytes of an uploaded file
	perPaginaImportazioni = 25
	oggettoImportazione   = "controllo_importazione"
)

// ErrImportazione: no such import of the principal's comune.
var ErrImportazione = fmt.Errorf("controlli: importazione: %w", httpx.ErrNotFound)

// Scarto is a rejected line: its number, its id_richiesta when it could be
// read, every reason in Italian. It holds no personal data.
type Scarto struct {
	Riga        int      `json:"riga"`
	IDRichiesta string   `json:"id_richiesta,omitempty"`
	Motivi      []string `json:"motivi"`
}

// Motivo is the reasons joined by "; ".
func (s Scarto) Motivo() string { return strings.Join(s.Motivi, "; ") }

// Importazione is an import and its report.
type Importazione struct {
	ID        int64
	ComuneID  *int64 // nil: command line
	Comune    string
	Operatore string // "Nome Cognome"; "" from the command line
	FileNome  string
	SHA256    []byte
	Righe     int
	Inserite  int
	Invariate int
	Scartate  int
	Scarti    []Scarto
	CreataIl  time.Time
}

// Conclusa reports whether the whole file was read: an import that did
// not reach its end (the process died, the upload broke) keeps the
// all-zero SHA-256 it starts with, and counts the requests it committed.
func (i Importazione) Conclusa() bool { return !bytes.Equal(i.SHA256, make([]byte, len(i.SHA256))) }

// Riepilogo is the import in one sentence.
func (i Importazione) Riepilogo() string {
	return fmt.Sprintf("%d righe: %d richieste inserite, %d invariate, %d righe scartate", i.Righe, i.Inserite, i.Invariate, i.Scartate)
}

// schemaRiga are the fields of a line; all but versione_tracciato are text.
var schemaRiga = map[string]bool{
	"versione_tracciato": true, "id_richiesta": true, "tipo": true, "comune": true, "codice_fiscale": true,
	"cognome": true, "nome": true, "data_nascita": true, "id_domanda": true, "data_richiesta": true,
	"data_riferimento": true, "nota": true,
}

// rigaLetta is one line decoded and checked.
type rigaLetta struct {
	n      NuovaRichiesta
	comune string // ISTAT code as written
	id     string // id_richiesta as written (trimmed), "" when unreadable
	motivi []string
}

// leggiRiga decodes and checks one non-empty line.
func leggiRiga(line []byte, oggi time.Time) rigaLetta {
	if !utf8.Valid(line) {
		return rigaLetta{motivi: []string{"la riga non è testo UTF-8 valido"}}
	}
	if bytes.TrimSpace(line)[0] != '{' {
		return rigaLetta{motivi: []string{"la riga non è un oggetto JSON"}}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var m map[string]any
	err := dec.Decode(&m)
	var syn *json.SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &syn):
		return rigaLetta{motivi: []string{fmt.Sprintf("JSON non valido al carattere %d", syn.Offset)}}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return rigaLetta{motivi: []string{"JSON incompleto: la riga finisce prima della chiusura dell'oggetto"}}
	default:
		return rigaLetta{motivi: []string{"JSON non leggibile"}}
	}
	var l rigaLetta
	if len(bytes.TrimSpace(line[dec.InputOffset():])) > 0 {
		l.motivi = append(l.motivi, "testo dopo la chiusura dell'oggetto JSON")
	}
	for _, k := range flusso.ChiaviRipetute(line) {
		l.motivi = append(l.motivi, "campo "+k+" ripetuto: ogni campo compare una volta sola")
	}
	chiavi := make([]string, 0, len(m))
	for k := range m {
		chiavi = append(chiavi, k)
	}
	sort.Strings(chiavi)
	testi := map[string]string{}
	rotti := map[string]bool{}
	for _, k := range chiavi {
		if !schemaRiga[k] {
			l.motivi = append(l.motivi, fmt.Sprintf("campo sconosciuto %q", flusso.Breve(k)))
			continue
		}
		switch v := m[k].(type) {
		case nil:
		case string:
			if k == "versione_tracciato" {
				l.motivi = append(l.motivi, "campo versione_tracciato: atteso un numero intero")
				rotti[k] = true
			}
			testi[k] = v
		case json.Number:
			if k != "versione_tracciato" {
				l.motivi = append(l.motivi, fmt.Sprintf("campo %s: atteso un testo", k))
				rotti[k] = true
			}
		default:
			atteso := "un testo"
			if k == "versione_tracciato" {
				atteso = "un numero intero"
			}
			l.motivi = append(l.motivi, fmt.Sprintf("campo %s: atteso %s", k, atteso))
			rotti[k] = true
		}
	}
	switch v, _ := m["versione_tracciato"].(json.Number); {
	case rotti["versione_tracciato"]:
	case m["versione_tracciato"] == nil:
		l.motivi = append(l.motivi, "campo versione_tracciato mancante")
	case string(v) != strconv.Itoa(VersioneTracciato):
		l.motivi = append(l.motivi, fmt.Sprintf("versione_tracciato %s non supportata (attesa %d)", flusso.Breve(string(v)), VersioneTracciato))
	}
	l.comune = strings.TrimSpace(testi["comune"])
	c := Campi{
		IDRichiesta: testi["id_richiesta"], Tipo: testi["tipo"], CodiceFiscale: testi["codice_fiscale"],
		Cognome: testi["cognome"], Nome: testi["nome"], DataNascita: testi["data_nascita"], IDDomanda: testi["id_domanda"],
		DataRichiesta: testi["data_richiesta"], DataRiferimento: testi["data_riferimento"], Nota: testi["nota"],
	}
	n, errs := controlla(c, oggi, dataISO)
	l.n = n
	if flusso.IDValido(n.IDRichiesta) {
		l.id = n.IDRichiesta
	}
	motivo := func(e errore) {
		if rotti[e.campo] {
			return // already reported as the wrong JSON type
		}
		if e.testo == mancante {
			l.motivi = append(l.motivi, "campo "+e.campo+" mancante")
		} else {
			l.motivi = append(l.motivi, e.campo+": "+e.testo)
		}
	}
	// The comune right after the tipo, as in the format's table.
	for _, e := range errs {
		if e.campo == "id_richiesta" || e.campo == "tipo" {
			motivo(e)
		}
	}
	switch {
	case rotti["comune"]:
	case l.comune == "":
		l.motivi = append(l.motivi, "campo comune mancante")
	case !flusso.Cifre(l.comune, 6):
		l.motivi = append(l.motivi, fmt.Sprintf("comune non valido: %q (atteso il codice ISTAT di 6 cifre)", flusso.Breve(l.comune)))
		l.comune = ""
	}
	for _, e := range errs {
		if e.campo != "id_richiesta" && e.campo != "tipo" {
			motivo(e)
		}
	}
	return l
}

// dataISO reads a date of the file: AAAA-MM-GG, two-digit month and day,
// a day that exists.
func dataISO(s string) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !flusso.Cifre(s[:4], 4) || !flusso.Cifre(s[5:7], 2) || !flusso.Cifre(s[8:], 2) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// Importa reads the file r (named nome) and applies its lines. p is the
// coordinatore controlli who uploaded it (only lines of their comune are
// accepted), or nil from the command line (any comune of an ambito of the
// installation). The import and its report are kept; each request written
// and the import itself are recorded in the registro. The error is non-nil
// only when the file cannot be read or the database fails: the lines
// applied until then stay applied, and the report kept covers them.
func (s *Service) Importa(ctx context.Context, p *authz.Principal, nome string, r io.Reader, v registro.Voce) (Importazione, error) {
	var (
		solo      *int64
		operatore *uuid.UUID
	)
	if p != nil {
		if !coordinatore(*p) {
			if err := s.negato(ctx, v, registro.Scrittura, oggettoImportazione, ""); err != nil {
				return Importazione{}, err
			}
			return Importazione{}, ErrFuoriAmbito
		}
		solo, operatore = p.ComuneID, &p.OperatoreID
	}
	comuni, err := comuniImport(ctx, s.pool, solo)
	if err != nil {
		return Importazione{}, err
	}
	nome = nomeFile(nome)
	imp := Importazione{ComuneID: solo, FileNome: nome}
	if imp.ID, err = nuovaImportazione(ctx, s.pool, solo, operatore, nome, s.now()); err != nil {
		return imp, err
	}
	oggi := s.oggi()
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(r, h), MaxRigaImport+2)
	ids := map[string]int{}
	prima := true
	scarta := func(riga int, id string, motivi ...string) {
		imp.Scarti = append(imp.Scarti, Scarto{Riga: riga, IDRichiesta: id, Motivi: motivi})
	}
	var errLettura error
	for {
		line, err := br.ReadSlice('\n')
		troppoLunga := false
		if errors.Is(err, bufio.ErrBufferFull) {
			troppoLunga = true
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			line = nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			errLettura = fmt.Errorf("controlli: lettura alla riga %d: %w", imp.Righe+1, err)
			break
		}
		if len(line) == 0 && !troppoLunga {
			break
		}
		imp.Righe++
		riga := imp.Righe
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if prima {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
			prima = false
		}
		switch {
		case troppoLunga || len(line) > MaxRigaImport:
			scarta(riga, "", fmt.Sprintf("riga troppo lunga: oltre %d byte", MaxRigaImport))
		case len(bytes.TrimSpace(line)) == 0:
		default:
			l := leggiRiga(line, oggi)
			if l.id != "" {
				if pr, ok := ids[l.id]; ok {
					l.motivi = append(l.motivi, fmt.Sprintf("id_richiesta ripetuto: già alla riga %d", pr))
				} else {
					ids[l.id] = riga
				}
			}
			c, ok := comuni[l.comune]
			if l.comune != "" && !ok {
				if p != nil {
					l.motivi = append(l.motivi, fmt.Sprintf("comune %s: non è il comune per cui operi", l.comune))
				} else {
					l.motivi = append(l.motivi, fmt.Sprintf("comune %s: non è un comune di un ambito di questa installazione", l.comune))
				}
			}
			if len(l.motivi) > 0 {
				scarta(riga, l.id, l.motivi...)
				break
			}
			esito, motivo, err := s.applica(ctx, imp.ID, riga, l.n, c, operatore, v)
			if err != nil {
				errLettura = err
				break
			}
			switch esito {
			case "inserita":
				imp.Inserite++
			case "invariata":
				imp.Invariate++
			default:
				scarta(riga, l.id, motivo)
			}
		}
		if errLettura != nil || err != nil { // io.EOF after a last line without terminator
			break
		}
	}
	imp.Scartate = len(imp.Scarti)
	imp.SHA256 = h.Sum(nil)
	if errLettura != nil {
		imp.SHA256 = make([]byte, 32) // the file was not read whole
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := chiudiImportazione(ctx, tx, imp); err != nil {
			return err
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Scrittura, oggettoImportazione, strconv.FormatInt(imp.ID, 10), registro.Consentito
		rv.ComuneID = solo
		rv.Dettaglio = "importazione delle richieste di verifica: " + imp.Riepilogo()
		if errLettura != nil {
			rv.Dettaglio += " (interrotta)"
		}
		return s.reg.RecordTx(ctx, tx, rv)
	})
	if errLettura != nil {
		return imp, errLettura
	}
	return imp, err
}

// applica writes one checked line in its own transaction: "inserita", or
// "invariata" (the same id_richiesta with the same content), or
// "scartata" with the reason. The import's counter goes in the same
// transaction: if the process dies half-way (kill -9), the import's row
// counts exactly the requests committed.
func (s *Service) applica(ctx context.Context, impID int64, riga int, n NuovaRichiesta, c comuneImport,
	operatore *uuid.UUID, v registro.Voce) (string, string, error) {
	var esito, motivo string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		id, nuova, err := s.inserisci(ctx, tx, n, c.id, c.ambito, "importazione", &impID, operatore)
		if err != nil {
			return err
		}
		if !nuova {
			d, err := differenze(ctx, tx, id, n, c.id)
			if err != nil {
				return err
			}
			if len(d) > 0 {
				esito, motivo = "scartata", "id_richiesta già presente con contenuto diverso (campi diversi: "+strings.Join(d, ", ")+
					"): una richiesta già ricevuta non si modifica con un nuovo file"
				return nil
			}
			esito = "invariata"
			return conta(ctx, tx, impID, riga, esito)
		}
		esito = "inserita"
		if err := conta(ctx, tx, impID, riga, esito); err != nil {
			return err
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Scrittura, oggettoTipo, id.String(), registro.Consentito
		rv.ComuneID = &c.id
		rv.Dettaglio = fmt.Sprintf("richiesta importata (importazione %d, riga %d)", impID, riga)
		return s.reg.RecordTx(ctx, tx, rv)
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "23") {
		// A line the checks let through but the table refuses: rejected, not fatal.
		return "scartata", "rifiutata dal database (vincolo " + pe.ConstraintName + ")", nil
	}
	return esito, motivo, err
}

// nomeFile keeps the base name of an uploaded file, at most 200 characters.
func nomeFile(s string) string {
	s = filepath.Base(strings.ReplaceAll(strings.TrimSpace(s), "\\", "/"))
	if s == "." || s == "/" || s == "" {
		s = "file senza nome"
	}
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	return s
}

// Importazioni is page pagina of the imports of p's comune (coordinatore
// controlli), newest first.
func (s *Service) Importazioni(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) ([]Importazione, bool, error) {
	if !coordinatore(p) {
		if err := s.negato(ctx, v, registro.Lettura, oggettoImportazione, ""); err != nil {
			return nil, false, err
		}
		return nil, false, ErrFuoriAmbito
	}
	imps, altre, err := importazioniDi(ctx, s.pool, *p.ComuneID, pagina)
	if err != nil {
		return nil, false, err
	}
	v.Azione, v.OggettoTipo, v.Esito, v.Dettaglio = registro.Lettura, oggettoImportazione, registro.Consentito, "elenco delle importazioni"
	return imps, altre, s.reg.Record(ctx, v)
}

// Importazione returns import id of p's comune with its report.
func (s *Service) Importazione(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Importazione, error) {
	if !coordinatore(p) {
		if err := s.negato(ctx, v, registro.Lettura, oggettoImportazione, strconv.FormatInt(id, 10)); err != nil {
			return Importazione{}, err
		}
		return Importazione{}, ErrFuoriAmbito
	}
	imp, err := importazione(ctx, s.pool, *p.ComuneID, id)
	if errors.Is(err, ErrImportazione) {
		if rerr := s.negato(ctx, v, registro.Lettura, oggettoImportazione, strconv.FormatInt(id, 10)); rerr != nil {
			return imp, rerr
		}
	}
	if err != nil {
		return imp, err
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = registro.Lettura, oggettoImportazione, strconv.FormatInt(id, 10), registro.Consentito
	return imp, s.reg.Record(ctx, v)
}

// Importazioni shows the upload form and the history of the comune's imports.
func (h *Handler) Importazioni(w http.ResponseWriter, r *http.Request) {
	h.importazioni(w, r, http.StatusOK, "")
}

func (h *Handler) importazioni(w http.ResponseWriter, r *http.Request, status int, errore string) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	pagina = max(pagina, 1)
	imps, altre, err := h.svc.Importazioni(r.Context(), authz.PrincipalOf(r), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, status, importazioniPage(h.rs.Shell(r), imps, pagina, altre, errore))
}

// Importa reads the uploaded file, imports it and shows its report.
func (h *Handler) Importa(w http.ResponseWriter, r *http.Request) {
	p := authz.PrincipalOf(r)
	if !coordinatore(p) {
		_, err := h.svc.Importa(r.Context(), &p, "", strings.NewReader(""), registro.VoceOf(r))
		h.rs.Error(w, r, err)
		return
	}
	const margine = 64 << 10
	troppo := fmt.Sprintf("Il file supera il limite di %d MB: dividilo in più file (ogni riga è una richiesta a sé) e caricali uno alla volta.", MaxUploadImport>>20)
	if r.ContentLength > MaxUploadImport+margine {
		h.importazioni(w, r, http.StatusRequestEntityTooLarge, troppo)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadImport+margine)
	nome, dati, err := leggiUpload(r)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || errors.Is(err, errUploadGrande):
		h.importazioni(w, r, http.StatusRequestEntityTooLarge, troppo)
		return
	case errors.Is(err, errUploadAssente):
		h.importazioni(w, r, http.StatusUnprocessableEntity, "Scegli il file delle richieste di verifica da importare.")
		return
	case err != nil:
		h.importazioni(w, r, http.StatusBadRequest, "Il caricamento del file non è riuscito: riprova.")
		return
	case len(dati) == 0:
		h.importazioni(w, r, http.StatusUnprocessableEntity, "Il file scelto è vuoto: verifica di aver scelto il file giusto.")
		return
	}
	imp, err := h.svc.Importa(r.Context(), &p, nome, bytes.NewReader(dati), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	httpx.Redirect(w, r, "/controlli/importazioni/"+strconv.FormatInt(imp.ID, 10))
}

var (
	errUploadAssente = errors.New("controlli: no file in the form")
	errUploadGrande  = errors.New("controlli: file too large")
)

// leggiUpload reads the form's "file" part, at most MaxUploadImport bytes.
func leggiUpload(r *http.Request) (string, []byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, errUploadAssente
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return "", nil, errUploadAssente
		}
		if err != nil {
			return "", nil, err
		}
		if part.FormName() != "file" {
			continue
		}
		return leggiParte(part)
	}
}

func leggiParte(part *multipart.Part) (string, []byte, error) {
	defer part.Close()
	if part.FileName() == "" {
		return "", nil, errUploadAssente
	}
	dati, err := io.ReadAll(io.LimitReader(part, MaxUploadImport+1))
	if err != nil {
		return "", nil, err
	}
	if len(dati) > MaxUploadImport {
		return "", nil, errUploadGrande
	}
	return part.FileName(), dati, nil
}

// Importazione shows one import's report.
func (h *Handler) Importazione(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "n"), 10, 64)
	if err != nil {
		h.rs.Error(w, r, ErrImportazione)
		return
	}
	imp, err := h.svc.Importazione(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, importazionePage(h.rs.Shell(r), imp))
}
