package controlli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The export of the esiti for INPS (domain.md §9.2): the coordinatore
// controlli puts every finalised esito of the requests asked to their
// comune, not yet sent, in a batch: a JSON Lines file
// (docs/formats/controlli-esiti.md is its specification: keep RigaEsito
// and it in step), stored with its SHA-256 to be downloaded again byte for
// byte. Each esito goes in exactly one batch, even when two exports run at
// once (the rows are locked; the second export skips what the first took).

// VersioneTracciatoEsiti is the version of the file's format.
const VersioneTracciatoEsiti = 1

// DimensionePaginaInvii is the rows of a page of batches.
const DimensionePaginaInvii = 25

// oggettoInvio is the registro's name of a batch.
const oggettoInvio = "controllo_invio"

// ErrNessunEsito: no finalised esito waits for a batch.
var ErrNessunEsito = fmt.Errorf("controlli: no esito to export: %w", httpx.ErrConflict)

// RigaEsito is one line of the file: one finalised esito.
type RigaEsito struct {
	VersioneTracciato int    `json:"versione_tracciato"`
	IDInvio           int64  `json:"id_invio"`
	IDEsito           int64  `json:"id_esito"`
	IDRichiesta       string `json:"id_richiesta"`
	Tipo              string `json:"tipo"`
	ComuneISTAT       string `json:"comune_istat"`
	CodiceFiscale     string `json:"codice_fiscale"`
	IDDomanda         string `json:"id_domanda"`
	DataRichiesta     string `json:"data_richiesta"`
	DataRiferimento   string `json:"data_riferimento"`
	Scadenza          string `json:"scadenza"`
	Esito             string `json:"esito"`
	Motivazione       string `json:"motivazione"`
	DataEsito         string `json:"data_esito"`
	EntroTermine      bool   `json:"entro_termine"`
	GiorniImpiegati   int    `json:"giorni_impiegati"`
	Rettifica         bool   `json:"rettifica"`
	RettificaDi       *int64 `json:"rettifica_di"`
	FinalizzatoDa     string `json:"finalizzato_da"` // codice fiscale of the responsabile
	FinalizzatoIl     string `json:"finalizzato_il"` // RFC 3339, UTC
}

// InvioEsiti is a batch of esiti.
type InvioEsiti struct {
	ID           int64
	CreatoDaID   uuid.UUID
	CreatoDa     string
	CreatoIl     time.Time
	NomeFile     string
	SHA256       []byte
	Numero       int
	OltreTermine int    // esiti given after the term
	Rettifiche   int    // rectifications among them
	Contenuto    []byte // only when downloaded or just created
}

// SHA256Hex is the file's digest in hexadecimal.
func (i InvioEsiti) SHA256Hex() string { return hex.EncodeToString(i.SHA256) }

// EntroTermine is the number of esiti given within the term.
func (i InvioEsiti) EntroTermine() int { return i.Numero - i.OltreTermine }

// PaginaInvii is the export page: what waits, and a page of the batches.
type PaginaInvii struct {
	DaInviare    int
	OltreTermine int // of DaInviare, given after the term
	Invii        []InvioEsiti
	Pagina       int
	AltrePagine  bool
}

// rifiuto records a refused access of p (wrong role, or a batch out of scope).
func (s *Service) rifiuto(ctx context.Context, v registro.Voce, oggettoID, cosa string) error {
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito, v.Dettaglio = registro.Negato, oggettoInvio, oggettoID, registro.Rifiutato, cosa
	return s.reg.Record(ctx, v)
}

// InviiEsiti returns what waits for a batch and page pagina (from 1) of
// the batches of p's comune, newest first; recorded.
func (s *Service) InviiEsiti(ctx context.Context, p authz.Principal, pagina int, v registro.Voce) (PaginaInvii, error) {
	out := PaginaInvii{Pagina: max(pagina, 1)}
	if !coordinatore(p) {
		if err := s.rifiuto(ctx, v, "", "invii degli esiti"); err != nil {
			return out, err
		}
		return out, ErrNotFound
	}
	var err error
	if out.DaInviare, out.OltreTermine, err = contaDaInviare(ctx, s.pool, *p.ComuneID); err != nil {
		return out, fmt.Errorf("controlli: invii: %w", err)
	}
	if out.Invii, err = inviiEsiti(ctx, s.pool, *p.ComuneID, out.Pagina); err != nil {
		return out, fmt.Errorf("controlli: invii: %w", err)
	}
	out.Invii, out.AltrePagine = database.Taglia(out.Invii, DimensionePaginaInvii)
	v.Azione, v.OggettoTipo, v.Esito = registro.Lettura, oggettoInvio, registro.Consentito
	v.Dettaglio = fmt.Sprintf("invii degli esiti: %d in attesa, %d invii in pagina", out.DaInviare, len(out.Invii))
	return out, s.reg.Record(ctx, v)
}

// EsportaEsiti creates a batch of every finalised esito of the requests
// asked to p's comune not yet sent: the file is stored with its SHA-256,
// the esiti carry the batch's id. One transaction, recorded (each request,
// and the batch). ErrNessunEsito when none waits.
func (s *Service) EsportaEsiti(ctx context.Context, p authz.Principal, v registro.Voce) (InvioEsiti, error) {
	var inv InvioEsiti
	if !coordinatore(p) {
		if err := s.rifiuto(ctx, v, "", "esportazione degli esiti"); err != nil {
			return inv, err
		}
		return inv, ErrNotFound
	}
	comune := *p.ComuneID
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		voci, err := esitiDaEsportare(ctx, tx, comune)
		if err != nil {
			return fmt.Errorf("controlli: esporta: %w", err)
		}
		if len(voci) == 0 {
			return ErrNessunEsito
		}
		if inv.ID, err = nuovoInvioEsiti(ctx, tx); err != nil {
			return fmt.Errorf("controlli: esporta: %w", err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf) // one object per line, "\n"-terminated
		enc.SetEscapeHTML(false)
		ids := make([]int64, len(voci))
		for i := range voci {
			r := &voci[i].riga
			r.VersioneTracciato, r.IDInvio = VersioneTracciatoEsiti, inv.ID
			ids[i] = r.IDEsito
			if !r.EntroTermine {
				inv.OltreTermine++
			}
			if r.Rettifica {
				inv.Rettifiche++
			}
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("controlli: esporta: %w", err)
			}
		}
		now := s.now()
		sum := sha256.Sum256(buf.Bytes())
		inv.Contenuto, inv.SHA256, inv.Numero, inv.CreatoIl, inv.CreatoDaID = buf.Bytes(), sum[:], len(voci), now, p.OperatoreID
		inv.CreatoDa = p.NomeCompleto()
		inv.NomeFile = fmt.Sprintf("esiti-controlli-%s-%06d.jsonl", voci[0].riga.ComuneISTAT, inv.ID)
		if err := inserisciInvioEsiti(ctx, tx, inv, comune); err != nil {
			return fmt.Errorf("controlli: esporta: %w", err)
		}
		n, err := segnaEsitiInviati(ctx, tx, ids, inv.ID, now)
		if err != nil {
			return fmt.Errorf("controlli: esporta: %w", err)
		}
		if n != int64(len(ids)) { // cannot happen: the rows are locked
			return fmt.Errorf("controlli: esporta: %d esiti marked of %d", n, len(ids))
		}
		nota := fmt.Sprintf("Esito %%d nell'invio n. %d", inv.ID)
		for _, x := range voci {
			rv := v
			rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Esportazione, oggettoTipo, x.richiesta, registro.Consentito
			rv.Dettaglio = fmt.Sprintf(nota, x.riga.IDEsito)
			if err := s.reg.RecordTx(ctx, tx, rv); err != nil {
				return err
			}
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Esportazione, oggettoInvio, strconv.FormatInt(inv.ID, 10), registro.Consentito
		rv.Dettaglio = fmt.Sprintf("%d esiti", inv.Numero)
		return s.reg.RecordTx(ctx, tx, rv)
	})
	return inv, err
}

// FileInvioEsiti returns batch id of p's comune with its file exactly as
// it was written; the download (or its refusal) is recorded.
func (s *Service) FileInvioEsiti(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (InvioEsiti, error) {
	var i InvioEsiti
	oid := strconv.FormatInt(id, 10)
	if !coordinatore(p) {
		if err := s.rifiuto(ctx, v, oid, "file dell'invio"); err != nil {
			return i, err
		}
		return i, ErrNotFound
	}
	err := fileInvioEsiti(ctx, s.pool, *p.ComuneID, id, &i)
	if errors.Is(err, pgx.ErrNoRows) {
		if rerr := s.rifiuto(ctx, v, oid, "file dell'invio"); rerr != nil {
			return i, rerr
		}
		return i, ErrNotFound
	}
	if err != nil {
		return i, fmt.Errorf("controlli: file: %w", err)
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito, v.Dettaglio = registro.Esportazione, oggettoInvio, oid, registro.Consentito, i.NomeFile
	return i, s.reg.Record(ctx, v)
}

// InviiEsiti serves GET /controlli/invii.
func (h *Handler) InviiEsiti(w http.ResponseWriter, r *http.Request) {
	h.renderInviiEsiti(w, r, http.StatusOK, r.URL.Query().Get("esito"))
}

func (h *Handler) renderInviiEsiti(w http.ResponseWriter, r *http.Request, status int, esito string) {
	pagina, _ := strconv.Atoi(r.URL.Query().Get("pagina"))
	pi, err := h.svc.InviiEsiti(r.Context(), authz.PrincipalOf(r), pagina, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if _, err := strconv.ParseInt(esito, 10, 64); err != nil && esito != "vuoto" {
		esito = ""
	}
	h.rs.Render(w, r, status, inviiEsitiPage(h.rs.Shell(r), pi, esito))
}

// EsportaEsiti serves POST /controlli/invii.
func (h *Handler) EsportaEsiti(w http.ResponseWriter, r *http.Request) {
	inv, err := h.svc.EsportaEsiti(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/controlli/invii?esito="+strconv.FormatInt(inv.ID, 10))
	case errors.Is(err, ErrNessunEsito):
		h.renderInviiEsiti(w, r, http.StatusConflict, "vuoto")
	default:
		h.rs.Error(w, r, err)
	}
}

// FileEsiti serves GET /controlli/invii/{invio}/file: the batch's file,
// byte for byte, its SHA-256 in a header.
func (h *Handler) FileEsiti(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "invio"), 10, 64)
	if err != nil || id <= 0 {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	inv, err := h.svc.FileInvioEsiti(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl")
	w.Header().Set("Content-Disposition", `attachment; filename*=UTF-8''`+url.PathEscape(inv.NomeFile))
	w.Header().Set("Content-Length", strconv.Itoa(len(inv.Contenuto)))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Checksum-Sha256", inv.SHA256Hex())
	_, _ = w.Write(inv.Contenuto)
}
