package prestazioni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/pdnd"
	"github.com/cartella/cartella/internal/registro"
)

// The e-service "Consultazione Flussi SIUSS – WaaS" that INPS polls through
// PDND, exactly as INPS's docs/specs/inps-waas/api-comuni.yaml (v2.0.1)
// describes it, mounted at /waas/v1:
//
//   - GET /flussi?since=&limit= — the ente's flows written after since
//     (Unix milliseconds, compared with ts_flusso at millisecond precision:
//     every ts_flusso is a whole millisecond, migration 000027), at most
//     limit (default 10, at most 100), by ts_flusso, each flow's XML in
//     base64; an empty list when nothing is newer. A flow served is marked
//     offerto.
//   - POST /esiti — INPS's outcome of each flow: OK stores
//     id_acquisizione_siuss (acquisito); DATI_NON_TROVATI,
//     RICHIESTA_INVALIDA and ERRORE_GENERICO store INPS's description
//     (scartato), which the case manager reads on the case's prestazioni.
//     204 when received; an outcome of a flow the ente does not have is
//     ignored (sending it again would not help).
//   - GET /status — problem+json, 200 when the service can answer.
//
// Every call carries a PDND voucher (internal/pdnd) and is recorded in the
// registro with the consumer, refused ones too. Errors are problem+json
// (RFC 7807, the yaml's Problem); 401 and 403 say nothing more.

// TipoPSPSASINA is the tipo of the flows Cartella writes.
const TipoPSPSASINA = "PS_PSA_SINA"

// The codice_esito INPS sends.
const (
	EsitoOK                = "OK"
	EsitoDatiNonTrovati    = "DATI_NON_TROVATI"
	EsitoRichiestaInvalida = "RICHIESTA_INVALIDA"
	EsitoErroreGenerico    = "ERRORE_GENERICO"
)

// The limits of GET /flussi (api-comuni.yaml).
const (
	LimitDefault = 10
	LimitMax     = 100
	// EsitiMax is the most outcomes one POST /esiti may carry (maxItems).
	EsitiMax = 100
)

// FlussoOfferto is a flow as GET /flussi serves it.
type FlussoOfferto struct {
	id       int64
	IDFlusso string
	TS       time.Time
	XML      []byte
}

// Esito is INPS's outcome of one flow (EsitoFlusso).
type Esito struct {
	IDFlusso       string
	Tipo           string
	TSFlusso       time.Time
	TSAcquisizione time.Time
	Codice         string
	Descrizione    string
	IDAcquisizione string
}

// ruoloFruitore is how the registro names the e-service's caller.
const ruoloFruitore = "fruitore_pdnd"

func voceWaaS(v registro.Voce, consumer string, e Ente, ok bool) registro.Voce {
	v.Ruolo, v.OggettoTipo = ruoloFruitore, "waas_siuss"
	if ok {
		amb := e.AmbitoID
		v.AmbitoID, v.OggettoID = &amb, e.CodiceEnte
	}
	if consumer == "" {
		consumer = "sconosciuto"
	}
	v.Dettaglio = "fruitore " + consumer + ": " + v.Dettaglio
	return v
}

// OffriFlussi returns, for consumer, at most limit flows of the ente
// codiceEnte written after since, marks them offered and records the call.
// An ente not configured has no flows.
func (s *Service) OffriFlussi(ctx context.Context, codiceEnte, consumer string, since time.Time, limit int, v registro.Voce) (Ente, []FlussoOfferto, error) {
	var (
		e  Ente
		ok bool
		fl []FlussoOfferto
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if e, ok, err = enteWaaS(ctx, tx, codiceEnte); err != nil {
			return err
		}
		if ok && limit > 0 {
			if fl, err = flussiDopo(ctx, tx, e.AmbitoID, since, limit); err != nil {
				return err
			}
		}
		ids, nomi := make([]int64, len(fl)), make([]string, len(fl))
		for i, f := range fl {
			ids[i], nomi[i] = f.id, f.IDFlusso
		}
		if len(ids) > 0 {
			if err := segnaOfferti(ctx, tx, ids, s.now()); err != nil {
				return err
			}
		}
		v.Azione, v.Esito = registro.Lettura, registro.Consentito
		v.Dettaglio = fmt.Sprintf("GET /flussi since=%d limit=%d: %d flussi %s", since.UnixMilli(), limit, len(fl), strings.Join(nomi, " "))
		return s.reg.RecordTx(ctx, tx, voceWaaS(v, consumer, e, ok))
	})
	if err != nil {
		return Ente{}, nil, fmt.Errorf("prestazioni: flussi: %w", err)
	}
	return e, fl, nil
}

// RegistraEsiti stores INPS's outcomes for the ente codiceEnte and records
// the call; it returns how many flows they changed.
func (s *Service) RegistraEsiti(ctx context.Context, codiceEnte, consumer string, es []Esito, v registro.Voce) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		e, ok, err := enteWaaS(ctx, tx, codiceEnte)
		if err != nil {
			return err
		}
		conteggio := map[string]int{}
		for _, x := range es {
			if !ok {
				break
			}
			cambiato, err := salvaEsito(ctx, tx, e.AmbitoID, x, s.now())
			if err != nil {
				return err
			}
			if cambiato {
				n++
				conteggio[x.Codice]++
			}
		}
		v.Azione, v.Esito = registro.Scrittura, registro.Consentito
		v.Dettaglio = fmt.Sprintf("POST /esiti: %d esiti, %d flussi aggiornati (OK %d, DATI_NON_TROVATI %d, RICHIESTA_INVALIDA %d, ERRORE_GENERICO %d)",
			len(es), n, conteggio[EsitoOK], conteggio[EsitoDatiNonTrovati], conteggio[EsitoRichiestaInvalida], conteggio[EsitoErroreGenerico])
		return s.reg.RecordTx(ctx, tx, voceWaaS(v, consumer, e, ok))
	})
	if err != nil {
		return 0, fmt.Errorf("prestazioni: esiti: %w", err)
	}
	return n, nil
}

// StatoWaaS records a GET /status of consumer and reports whether the
// service can answer: the database reached and the ente configured.
func (s *Service) StatoWaaS(ctx context.Context, codiceEnte, consumer string, v registro.Voce) bool {
	e, ok, err := enteWaaS(ctx, s.pool, codiceEnte)
	if err != nil {
		return false
	}
	v.Azione, v.Esito, v.Dettaglio = registro.Lettura, registro.Consentito, "GET /status"
	if err := s.reg.Record(ctx, voceWaaS(v, consumer, e, ok)); err != nil {
		return false
	}
	return ok
}

// RifiutoWaaS records a call refused (no voucher, an invalid one, another
// consumer).
func (s *Service) RifiutoWaaS(ctx context.Context, codiceEnte, consumer string, v registro.Voce) error {
	e, ok, err := enteWaaS(ctx, s.pool, codiceEnte)
	if err != nil {
		return err
	}
	v.Azione, v.Esito = registro.Negato, registro.Rifiutato
	return s.reg.Record(ctx, voceWaaS(v, consumer, e, ok))
}

// Verificatore checks a PDND voucher (*pdnd.Verifier).
type Verificatore interface {
	Verify(ctx context.Context, token string) (pdnd.Voucher, error)
}

// WaaS is the e-service's handler, for the one ente whose code in INPS's
// access system is CodiceEnte.
type WaaS struct {
	svc        *Service
	ver        Verificatore
	codiceEnte string
	log        func(ctx context.Context, msg string, args ...any)
}

// NewWaaS returns the e-service of ente codiceEnte, its vouchers checked by
// ver; logf logs what cannot be answered.
func NewWaaS(svc *Service, ver Verificatore, codiceEnte string, logf func(ctx context.Context, msg string, args ...any)) *WaaS {
	return &WaaS{svc: svc, ver: ver, codiceEnte: codiceEnte, log: logf}
}

type ctxFruitore struct{}

// NonTrovato answers a path of the e-service that does not exist (404,
// problem+json).
func (h *WaaS) NonTrovato(w http.ResponseWriter, _ *http.Request) {
	problema(w, http.StatusNotFound, "Not Found", "")
}

// MetodoNonAmmesso answers a method the e-service does not have (405,
// problem+json).
func (h *WaaS) MetodoNonAmmesso(w http.ResponseWriter, _ *http.Request) {
	problema(w, http.StatusMethodNotAllowed, "Method Not Allowed", "")
}

// Voucher lets through only a call with a valid voucher of the configured
// consumer; every refusal is recorded. Every route of the e-service is
// behind it (internal/app/routes.go).
func (h *WaaS) Voucher(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := pdnd.Bearer(r)
		var (
			vc  pdnd.Voucher
			err = pdnd.ErrVoucher
		)
		if tok != "" {
			vc, err = h.ver.Verify(r.Context(), tok)
		}
		if err != nil {
			status, titolo, motivo := http.StatusUnauthorized, "Unauthorized", "voucher assente o non valido"
			if errors.Is(err, pdnd.ErrFruitore) {
				status, titolo, motivo = http.StatusForbidden, "Forbidden", "fruitore non autorizzato"
			} else if !errors.Is(err, pdnd.ErrVoucher) {
				h.log(r.Context(), "waas: voucher not checked", "error", err)
			}
			v := registro.VoceOf(r)
			v.Dettaglio = r.Method + " " + r.URL.Path + " rifiutata: " + motivo
			if err := h.svc.RifiutoWaaS(r.Context(), h.codiceEnte, vc.Consumer, v); err != nil {
				h.log(r.Context(), "waas: registro", "error", err)
			}
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", "Bearer")
			}
			problema(w, status, titolo, "")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxFruitore{}, vc.Consumer)))
	})
}

func fruitore(r *http.Request) string { s, _ := r.Context().Value(ctxFruitore{}).(string); return s }

var reIntero = regexp.MustCompile(`^[0-9]{1,21}$`)

// maxSince is the last millisecond of year 9999: a since beyond it has
// nothing newer.
var maxSince = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC).UnixMilli()

// ParametriFlussi reads since and limit of GET /flussi as the yaml types
// them (since: integer ≥ 0, required; limit: integer 0–100, default 10):
// the problem's detail when they are not.
func ParametriFlussi(q map[string][]string) (since int64, limit int, futuro bool, detail string) {
	ss, ok := q["since"]
	if !ok || len(ss) == 0 {
		return 0, 0, false, "Il parametro since è obbligatorio (timestamp Unix in millisecondi, 0 alla prima acquisizione)."
	}
	if !reIntero.MatchString(ss[0]) {
		return 0, 0, false, "Il parametro since deve essere un intero non negativo (timestamp Unix in millisecondi)."
	}
	n, err := strconv.ParseInt(ss[0], 10, 64)
	if err != nil || n > maxSince {
		futuro = true // a valid integer (up to 1e20) beyond any flow
	}
	limit = LimitDefault
	if ls, ok := q["limit"]; ok && len(ls) > 0 {
		l, err := strconv.Atoi(ls[0])
		if !reIntero.MatchString(ls[0]) || err != nil || l > LimitMax {
			return 0, 0, false, fmt.Sprintf("Il parametro limit deve essere un intero tra 0 e %d.", LimitMax)
		}
		limit = l
	}
	return n, limit, futuro, ""
}

type flussoJSON struct {
	CodiceEnte        string `json:"codice_ente"`
	DenominazioneEnte string `json:"denominazione_ente"`
	IDFlusso          string `json:"id_flusso"`
	TSFlusso          string `json:"ts_flusso"`
	Tipo              string `json:"tipo"`
	Flusso            []byte `json:"flusso"`
}

// FormatoTS is how ts_flusso is written: RFC 3339 in UTC with exactly
// three decimals, so that INPS reads back the millisecond it sends as since.
const FormatoTS = "2006-01-02T15:04:05.000Z07:00"

// Flussi is GET /waas/v1/flussi.
func (h *WaaS) Flussi(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		// HEAD (the router answers it with GET's handler) would mark flows
		// offered that nobody received: api-comuni.yaml has only GET.
		w.Header().Set("Allow", http.MethodGet)
		problema(w, http.StatusMethodNotAllowed, "Method Not Allowed", "")
		return
	}
	since, limit, futuro, detail := ParametriFlussi(r.URL.Query())
	if detail != "" {
		problema(w, http.StatusBadRequest, "Bad Request", detail)
		return
	}
	if futuro {
		limit = 0
	}
	e, fl, err := h.svc.OffriFlussi(r.Context(), h.codiceEnte, fruitore(r), time.UnixMilli(since).UTC(), limit, registro.VoceOf(r))
	if err != nil {
		h.log(r.Context(), "waas: flussi", "error", err)
		problema(w, http.StatusInternalServerError, "Internal Server Error", "")
		return
	}
	out := struct {
		Elenco []flussoJSON `json:"elenco_flussi"`
	}{Elenco: make([]flussoJSON, 0, len(fl))}
	for _, f := range fl {
		out.Elenco = append(out.Elenco, flussoJSON{CodiceEnte: e.Belfiore, DenominazioneEnte: e.Denominazione, IDFlusso: f.IDFlusso,
			TSFlusso: f.TS.UTC().Format(FormatoTS), Tipo: TipoPSPSASINA, Flusso: f.XML})
	}
	scriviJSON(w, http.StatusOK, "application/json", out)
}

type esitoJSON struct {
	IDFlusso       *string `json:"id_flusso"`
	Tipo           *string `json:"tipo"`
	TSFlusso       *string `json:"ts_flusso"`
	TSAcquisizione *string `json:"ts_acquisizione"`
	CodiceEsito    *string `json:"codice_esito"`
	Descrizione    *string `json:"descrizione_esito"`
	IDAcquisizione *string `json:"id_acquisizione_siuss"`
}

// LeggiEsiti decodes the body of POST /esiti (ElencoEsiti) as the yaml
// types it: the problem's detail when it is not.
func LeggiEsiti(b []byte) ([]Esito, string) {
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return nil, "Il corpo non è JSON in UTF-8."
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(b, &in); err != nil || in == nil {
		return nil, "Il corpo deve essere un oggetto JSON ElencoEsiti."
	}
	for k := range in {
		if k != "elenco_esiti" {
			return nil, "Proprietà non prevista: " + k + "."
		}
	}
	var xs []esitoJSON
	if raw, ok := in["elenco_esiti"]; ok {
		if err := json.Unmarshal(raw, &xs); err != nil {
			return nil, "elenco_esiti deve essere un elenco di EsitoFlusso."
		}
	}
	if len(xs) > EsitiMax {
		return nil, fmt.Sprintf("Al massimo %d esiti per richiesta.", EsitiMax)
	}
	out := make([]Esito, 0, len(xs))
	for i, x := range xs {
		pos := fmt.Sprintf("elenco_esiti[%d]", i)
		if x.IDFlusso == nil || x.Tipo == nil || x.TSFlusso == nil || x.TSAcquisizione == nil || x.CodiceEsito == nil {
			return nil, pos + ": id_flusso, tipo, ts_flusso, ts_acquisizione e codice_esito sono obbligatori."
		}
		tf, err1 := time.Parse(time.RFC3339Nano, *x.TSFlusso)
		ta, err2 := time.Parse(time.RFC3339Nano, *x.TSAcquisizione)
		if err1 != nil || err2 != nil {
			return nil, pos + ": ts_flusso e ts_acquisizione sono date-time RFC 3339."
		}
		switch *x.CodiceEsito {
		case EsitoOK, EsitoDatiNonTrovati, EsitoRichiestaInvalida, EsitoErroreGenerico:
		default:
			return nil, pos + ": codice_esito non previsto."
		}
		for _, v := range []*string{x.IDFlusso, x.Tipo, x.Descrizione, x.IDAcquisizione} {
			// "\u0000" is JSON, but no text PostgreSQL stores.
			if v != nil && strings.ContainsRune(*v, 0) {
				return nil, pos + ": contiene il carattere nullo."
			}
		}
		e := Esito{IDFlusso: *x.IDFlusso, Tipo: *x.Tipo, TSFlusso: tf, TSAcquisizione: ta, Codice: *x.CodiceEsito}
		if x.Descrizione != nil {
			e.Descrizione = tagliaRune(*x.Descrizione, 4000)
		}
		if x.IDAcquisizione != nil {
			e.IDAcquisizione = tagliaRune(*x.IDAcquisizione, 100)
		}
		out = append(out, e)
	}
	return out, ""
}

func tagliaRune(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Esiti is POST /waas/v1/esiti.
func (h *WaaS) Esiti(w http.ResponseWriter, r *http.Request) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		problema(w, http.StatusUnsupportedMediaType, "Unsupported Media Type", "Il corpo deve essere application/json.")
		return
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 1<<20)); err != nil {
		problema(w, http.StatusRequestEntityTooLarge, "Content Too Large", "Il corpo supera 1 MiB.")
		return
	}
	es, detail := LeggiEsiti(buf.Bytes())
	if detail != "" {
		problema(w, http.StatusBadRequest, "Bad Request", detail)
		return
	}
	if _, err := h.svc.RegistraEsiti(r.Context(), h.codiceEnte, fruitore(r), es, registro.VoceOf(r)); err != nil {
		h.log(r.Context(), "waas: esiti", "error", err)
		problema(w, http.StatusInternalServerError, "Internal Server Error", "")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// Status is GET /waas/v1/status.
func (h *WaaS) Status(w http.ResponseWriter, r *http.Request) {
	if !h.svc.StatoWaaS(r.Context(), h.codiceEnte, fruitore(r), registro.VoceOf(r)) {
		problema(w, http.StatusServiceUnavailable, "Service Unavailable", "Il servizio non è disponibile.")
		return
	}
	problema(w, http.StatusOK, "OK", "Il servizio funziona correttamente.")
}

type problemJSON struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// problema writes a problem+json (the yaml's Problem).
func problema(w http.ResponseWriter, status int, titolo, detail string) {
	scriviJSON(w, status, "application/problem+json", problemJSON{Type: "about:blank", Title: titolo, Status: status, Detail: detail})
}

func scriviJSON(w http.ResponseWriter, status int, ct string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, ct = http.StatusInternalServerError, "application/problem+json"
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
