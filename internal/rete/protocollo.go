package rete

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Protocollo is a protocollo d'intesa of the ambito.
type Protocollo struct {
	ID                     int64
	AmbitoID               int64
	Titolo                 string
	DataStipula, ValidoDal time.Time
	ValidoAl               *time.Time
	Procedura, Priorita    string
	GiorniRispostaCM       int
	GiorniRispostaPersona  int
	PeriodoRendicontazione string
	MotiviRifiuto          []string
	DocumentoNome          string
	DocumentoSHA256        []byte
	Versione               int
	Enti                   []int64
	NomiEnti               []string
	Servizi                []ServizioProtocollo
}

// ServizioProtocollo is a service a protocol covers, with the capacity agreed.
type ServizioProtocollo struct {
	ServizioID int64
	Servizio   string
	Ente       string
	Capacita   *int
}

// SHA256 is the hex digest of the signed document ("" without one).
func (p Protocollo) SHA256() string { return hex.EncodeToString(p.DocumentoSHA256) }

// ProceduraLabel is the procedure's label.
func (p Protocollo) ProceduraLabel() string { return etichetta(Procedure, p.Procedura) }

// PeriodoLabel is the reporting period's label.
func (p Protocollo) PeriodoLabel() string {
	return etichetta(PeriodiRendicontazione, p.PeriodoRendicontazione)
}

// ProtocolloInput is the protocol form as typed.
type ProtocolloInput struct {
	Titolo, DataStipula, ValidoDal, ValidoAl, Procedura, Priorita string
	GiorniRispostaCM, GiorniRispostaPersona, Periodo              string
	MotiviRifiuto                                                 string // one per line
	Enti, Servizi                                                 []string
	Capacita                                                      map[string]string // by service id
	Versione                                                      string
}

// InputDaProtocollo fills the form from a saved protocol.
func InputDaProtocollo(p Protocollo) ProtocolloInput {
	in := ProtocolloInput{Titolo: p.Titolo, DataStipula: calendario.ISO(p.DataStipula), ValidoDal: calendario.ISO(p.ValidoDal),
		Procedura: p.Procedura, Priorita: p.Priorita, GiorniRispostaCM: strconv.Itoa(p.GiorniRispostaCM),
		GiorniRispostaPersona: strconv.Itoa(p.GiorniRispostaPersona), Periodo: p.PeriodoRendicontazione,
		MotiviRifiuto: strings.Join(p.MotiviRifiuto, "\n"), Capacita: map[string]string{}, Versione: strconv.Itoa(p.Versione)}
	if p.ValidoAl != nil {
		in.ValidoAl = calendario.ISO(*p.ValidoAl)
	}
	for _, e := range p.Enti {
		in.Enti = append(in.Enti, strconv.FormatInt(e, 10))
	}
	for _, s := range p.Servizi {
		k := strconv.FormatInt(s.ServizioID, 10)
		in.Servizi = append(in.Servizi, k)
		if s.Capacita != nil {
			in.Capacita[k] = strconv.Itoa(*s.Capacita)
		}
	}
	return in
}

type protocolloValido struct {
	stipula, dal time.Time
	al           *time.Time
	gcm, gp      int
	motivi       []string
	enti         []int64
	servizi      []ServizioProtocollo
}

func giorni(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= 1 && n <= 365
}

func (in *ProtocolloInput) valida(enti []Ente, servizi []Servizio) (protocolloValido, httpx.FieldErrors) {
	fe := httpx.FieldErrors{}
	var pv protocolloValido
	in.Titolo = strings.TrimSpace(in.Titolo)
	switch {
	case in.Titolo == "":
		fe["titolo"] = "Scrivi il titolo del protocollo."
	case len([]rune(in.Titolo)) > 300:
		fe["titolo"] = "Il titolo può avere al massimo 300 caratteri."
	}
	var ok bool
	if pv.stipula, ok = data(in.DataStipula); !ok {
		fe["data_stipula"] = "Scrivi la data di stipula nel formato gg/mm/aaaa."
	}
	if pv.dal, ok = data(in.ValidoDal); !ok {
		fe["valido_dal"] = "Scrivi la data di inizio validità nel formato gg/mm/aaaa."
	}
	if strings.TrimSpace(in.ValidoAl) != "" {
		if d, ok := data(in.ValidoAl); !ok {
			fe["valido_al"] = "Scrivi la data di fine validità nel formato gg/mm/aaaa."
		} else if _, e := fe["valido_dal"]; !e && d.Before(pv.dal) {
			fe["valido_al"] = "La fine della validità non può precedere l'inizio."
		} else {
			pv.al = &d
		}
	}
	if !valido(Procedure, in.Procedura) {
		fe["procedura"] = "Scegli la procedura di presa in carico."
	} else if in.Procedura == "priorita" && strings.TrimSpace(in.Priorita) == "" {
		fe["priorita"] = "Descrivi le priorità concordate."
	}
	if pv.gcm, ok = giorni(in.GiorniRispostaCM); !ok {
		fe["giorni_risposta_cm"] = "Scrivi in quanti giorni l'ente risponde al case manager (da 1 a 365)."
	}
	if pv.gp, ok = giorni(in.GiorniRispostaPersona); !ok {
		fe["giorni_risposta_persona"] = "Scrivi in quanti giorni l'ente risponde alla persona (da 1 a 365)."
	}
	if !valido(PeriodiRendicontazione, in.Periodo) {
		fe["periodo_rendicontazione"] = "Scegli ogni quanto l'ente rendiconta."
	}
	for _, m := range strings.Split(in.MotiviRifiuto, "\n") {
		if m = strings.TrimSpace(m); m != "" && !slices.Contains(pv.motivi, m) {
			pv.motivi = append(pv.motivi, m)
		}
	}
	if len(pv.motivi) == 0 {
		fe["motivi_rifiuto"] = "Scrivi almeno un motivo di rifiuto concordato, uno per riga."
	}
	ammessi := make([]int64, len(enti))
	for i, e := range enti {
		ammessi[i] = e.ID
	}
	var okEnti bool
	pv.enti, okEnti = ids(in.Enti, ammessi)
	switch {
	case !okEnti:
		fe["enti"] = "Scegli solo enti della rete dell'ambito."
	case len(pv.enti) == 0:
		fe["enti"] = "Scegli almeno un ente firmatario."
	}
	for _, k := range in.Servizi {
		n, _ := strconv.ParseInt(k, 10, 64)
		i := slices.IndexFunc(servizi, func(s Servizio) bool { return s.ID == n })
		if i < 0 || !slices.Contains(pv.enti, servizi[i].EnteID) {
			fe["servizi"] = "Scegli solo servizi degli enti firmatari."
			continue
		}
		sp := ServizioProtocollo{ServizioID: n}
		if c := strings.TrimSpace(in.Capacita[k]); c != "" {
			v, err := strconv.Atoi(c)
			if err != nil || v < 0 {
				fe["capacita_"+k] = "Scrivi i posti concordati con sole cifre, oppure lascia vuoto."
				continue
			}
			sp.Capacita = &v
		}
		pv.servizi = append(pv.servizi, sp)
	}
	lunghezze(fe, "titolo", in.Titolo, "priorita", in.Priorita, "giorni_risposta_cm", in.GiorniRispostaCM,
		"giorni_risposta_persona", in.GiorniRispostaPersona, "motivi_rifiuto", in.MotiviRifiuto)
	if len(fe) > 0 {
		return pv, fe
	}
	return pv, nil
}

// Protocolli lists the protocols of p's ambito.
func (s *Service) Protocolli(ctx context.Context, p authz.Principal, v registro.Voce) ([]Protocollo, bool, error) {
	v.OggettoTipo = oggettoProtocollo
	amb, err := s.ambito(ctx, p, false, v)
	if err != nil {
		return nil, false, err
	}
	ps, err := elencoProtocolli(ctx, s.pool, amb)
	return ps, p.Ruolo == ruoloGestore, err
}

// ModuloProtocollo is what the protocol page needs.
type ModuloProtocollo struct {
	Protocollo *Protocollo
	Enti       []Ente
	Servizi    []Servizio
	Scrive     bool
}

// Protocollo returns protocol id of p's ambito (0: the empty form).
func (s *Service) Protocollo(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (ModuloProtocollo, error) {
	v.OggettoTipo, v.OggettoID = oggettoProtocollo, strconv.FormatInt(id, 10)
	amb, err := s.ambito(ctx, p, id == 0, v)
	if err != nil {
		return ModuloProtocollo{}, err
	}
	m := ModuloProtocollo{Scrive: p.Ruolo == ruoloGestore}
	if id != 0 {
		pr, err := caricaProtocollo(ctx, s.pool, id)
		if err == nil && pr.AmbitoID != amb {
			err = s.negato(ctx, v)
		}
		if err != nil {
			return m, err
		}
		m.Protocollo = &pr
	}
	if m.Enti, err = elencoEnti(ctx, s.pool, amb, false); err != nil {
		return m, err
	}
	m.Servizi, err = elencoServizi(ctx, s.pool, amb, FiltroServizi{Pagina: 1}, 10000)
	return m, err
}

// SalvaProtocollo creates (id 0) or updates over in.Versione a protocol.
func (s *Service) SalvaProtocollo(ctx context.Context, p authz.Principal, id int64, in ProtocolloInput, v registro.Voce) (int64, error) {
	v.OggettoTipo, v.Azione = oggettoProtocollo, registro.Scrittura
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
	servizi, err := elencoServizi(ctx, s.pool, amb, FiltroServizi{Pagina: 1}, 10000)
	if err != nil {
		return 0, err
	}
	pv, fe := in.valida(enti, servizi)
	if fe != nil {
		return 0, fe
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		args := []any{amb, in.Titolo, pv.stipula, pv.dal, pv.al, in.Procedura, strings.TrimSpace(in.Priorita), pv.gcm, pv.gp, in.Periodo, pv.motivi}
		dettaglio := "modifica"
		if id == 0 {
			dettaglio = "nuovo protocollo"
			if err := tx.QueryRow(ctx, `INSERT INTO rete_protocollo (ambito_id, titolo, data_stipula, valido_dal, valido_al, procedura,
				priorita, giorni_risposta_cm, giorni_risposta_persona, periodo_rendicontazione, motivi_rifiuto)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, args...).Scan(&id); err != nil {
				return err
			}
		} else {
			if err := versioneProtocollo(ctx, tx, amb, id, versione(in.Versione)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE rete_protocollo SET titolo = $2, data_stipula = $3, valido_dal = $4, valido_al = $5,
				procedura = $6, priorita = $7, giorni_risposta_cm = $8, giorni_risposta_persona = $9, periodo_rendicontazione = $10,
				motivi_rifiuto = $11, versione = versione + 1, updated_at = now() WHERE id = $12`, append(args, id)...); err != nil {
				return err
			}
		}
		if err := scriviPartiProtocollo(ctx, tx, id, pv.enti, pv.servizi); err != nil {
			return err
		}
		return s.scrittura(ctx, tx, v, oggettoProtocollo, id, dettaglio)
	})
	if errors.Is(err, ErrNotFound) {
		return 0, s.negato(ctx, v)
	}
	return id, err
}

func versioneProtocollo(ctx context.Context, tx pgx.Tx, amb, id int64, ver int) error {
	var a int64
	var attuale int
	err := tx.QueryRow(ctx, `SELECT ambito_id, versione FROM rete_protocollo WHERE id = $1 FOR UPDATE`, id).Scan(&a, &attuale)
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

// MaxDocumento bounds the signed protocol's PDF.
const MaxDocumento = 10 << 20

// CaricaDocumento keeps the signed protocol (a PDF) and its SHA-256,
// replacing the previous one; returns the hex digest.
func (s *Service) CaricaDocumento(ctx context.Context, p authz.Principal, id int64, nome string, dati []byte, ver string, v registro.Voce) (string, error) {
	v.OggettoTipo, v.OggettoID, v.Azione = oggettoProtocollo, strconv.FormatInt(id, 10), registro.Scrittura
	amb, err := s.ambito(ctx, p, true, v)
	if err != nil {
		return "", err
	}
	switch {
	case len(dati) == 0:
		return "", httpx.FieldErrors{"documento": "Scegli il file PDF del protocollo firmato."}
	case len(dati) > MaxDocumento:
		return "", httpx.FieldErrors{"documento": "Il file supera 10 MB: caricane una versione più leggera."}
	case !bytes.HasPrefix(dati, []byte("%PDF-")):
		return "", httpx.FieldErrors{"documento": "Il file non è un PDF: carica il protocollo firmato in formato PDF."}
	}
	nome = filepath.Base(strings.ReplaceAll(nome, `\`, "/"))
	if nome == "" || nome == "." || nome == "/" {
		nome = "protocollo.pdf"
	}
	h := sha256.Sum256(dati)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := versioneProtocollo(ctx, tx, amb, id, versione(ver)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rete_protocollo SET documento = $2, documento_sha256 = $3, documento_nome = $4,
			versione = versione + 1, updated_at = now() WHERE id = $1`, id, dati, h[:], nome); err != nil {
			return err
		}
		return s.scrittura(ctx, tx, v, oggettoProtocollo, id, "documento firmato caricato, SHA-256 "+hex.EncodeToString(h[:]))
	})
	if errors.Is(err, ErrNotFound) {
		return "", s.negato(ctx, v)
	}
	return hex.EncodeToString(h[:]), err
}

// Documento returns the signed protocol's file as uploaded; the read is
// recorded.
func (s *Service) Documento(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (string, []byte, error) {
	v.OggettoTipo, v.OggettoID = oggettoProtocollo, strconv.FormatInt(id, 10)
	amb, err := s.ambito(ctx, p, false, v)
	if err != nil {
		return "", nil, err
	}
	var a int64
	var nome string
	var dati []byte
	err = s.pool.QueryRow(ctx, `SELECT ambito_id, documento_nome, documento FROM rete_protocollo WHERE id = $1`, id).Scan(&a, &nome, &dati)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (a != amb || dati == nil)) {
		return "", nil, s.negato(ctx, v)
	}
	if err != nil {
		return "", nil, err
	}
	v.Azione, v.Esito, v.Dettaglio = registro.Lettura, registro.Consentito, "documento firmato"
	return nome, dati, s.reg.Record(ctx, v)
}

// --- handlers ---

func leggiProtocollo(r *http.Request) ProtocolloInput {
	_ = r.ParseForm()
	f := r.FormValue
	in := ProtocolloInput{Titolo: f("titolo"), DataStipula: f("data_stipula"), ValidoDal: f("valido_dal"), ValidoAl: f("valido_al"),
		Procedura: f("procedura"), Priorita: f("priorita"), GiorniRispostaCM: f("giorni_risposta_cm"),
		GiorniRispostaPersona: f("giorni_risposta_persona"), Periodo: f("periodo_rendicontazione"),
		MotiviRifiuto: f("motivi_rifiuto"), Enti: r.Form["enti"], Servizi: r.Form["servizi"], Capacita: map[string]string{},
		Versione: f("versione")}
	for k, vs := range r.Form {
		if id, ok := strings.CutPrefix(k, "capacita_"); ok && len(vs) > 0 {
			in.Capacita[id] = vs[0]
		}
	}
	return in
}

// ElencoProtocolli is /rete/protocolli.
func (h *Handler) ElencoProtocolli(w http.ResponseWriter, r *http.Request) {
	ps, scrive, err := h.svc.Protocolli(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, protocolliPage(h.rs.Shell(r), ps, scrive, r.URL.Query().Get("esito")))
}

// NuovoProtocollo is the empty protocol form.
func (h *Handler) NuovoProtocollo(w http.ResponseWriter, r *http.Request) {
	h.renderProtocollo(w, r, http.StatusOK, 0, &ProtocolloInput{Capacita: map[string]string{}}, nil, "", "")
}

func (h *Handler) renderProtocollo(w http.ResponseWriter, r *http.Request, status int, id int64, in *ProtocolloInput, errs httpx.FieldErrors, avviso, esito string) {
	m, err := h.svc.Protocollo(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	var form ProtocolloInput
	switch {
	case in != nil:
		form = *in
		if m.Protocollo != nil && avviso != "" {
			form.Versione = strconv.Itoa(m.Protocollo.Versione)
		}
	case m.Protocollo != nil:
		form = InputDaProtocollo(*m.Protocollo)
	}
	h.rs.Render(w, r, status, protocolloPage(h.rs.Shell(r), m, form, errs, avviso, esito))
}

// CreaProtocollo saves a new protocol.
func (h *Handler) CreaProtocollo(w http.ResponseWriter, r *http.Request) {
	in := leggiProtocollo(r)
	id, err := h.svc.SalvaProtocollo(r.Context(), authz.PrincipalOf(r), 0, in, registro.VoceOf(r))
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/rete/protocolli/"+strconv.FormatInt(id, 10)+"?esito=creato")
	case errors.As(err, &fe):
		h.renderProtocollo(w, r, http.StatusUnprocessableEntity, 0, &in, fe, "", "")
	default:
		h.rs.Error(w, r, err)
	}
}

// SchedaProtocollo is a protocol's page.
func (h *Handler) SchedaProtocollo(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.renderProtocollo(w, r, http.StatusOK, id, nil, nil, "", r.URL.Query().Get("esito"))
}

// AggiornaProtocollo saves the protocol form.
func (h *Handler) AggiornaProtocollo(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	in := leggiProtocollo(r)
	_, err = h.svc.SalvaProtocollo(r.Context(), authz.PrincipalOf(r), id, in, registro.VoceOf(r))
	h.dopoProtocollo(w, r, id, &in, err, "salvato")
}

func (h *Handler) dopoProtocollo(w http.ResponseWriter, r *http.Request, id int64, in *ProtocolloInput, err error, esito string) {
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		httpx.Redirect(w, r, "/rete/protocolli/"+strconv.FormatInt(id, 10)+"?esito="+url.QueryEscape(esito))
	case errors.As(err, &fe):
		h.renderProtocollo(w, r, http.StatusUnprocessableEntity, id, in, fe, "", "")
	case errors.Is(err, ErrConflict) && in == nil:
		h.renderProtocollo(w, r, http.StatusConflict, id, nil, nil, "Nel frattempo qualcun altro ha modificato il protocollo: controlla i dati aggiornati e ripeti l'operazione.", "")
	case errors.Is(err, ErrConflict):
		h.renderProtocollo(w, r, http.StatusConflict, id, in, nil, avvisoConflitto, "")
	default:
		h.rs.Error(w, r, err)
	}
}

// CaricaDocumento receives the signed PDF.
func (h *Handler) CaricaDocumento(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxDocumento+1<<20)
	var nome string
	var dati []byte
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		h.dopoProtocollo(w, r, id, nil, httpx.FieldErrors{"documento": "Il caricamento non è riuscito (al massimo 10 MB): riprova."}, "")
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	if f, fh, err := r.FormFile("documento"); err == nil {
		nome = fh.Filename
		dati, err = io.ReadAll(io.LimitReader(f, MaxDocumento+1))
		_ = f.Close()
		if err != nil {
			h.dopoProtocollo(w, r, id, nil, httpx.FieldErrors{"documento": "Il caricamento non è riuscito: riprova."}, "")
			return
		}
	}
	_, err = h.svc.CaricaDocumento(r.Context(), authz.PrincipalOf(r), id, nome, dati, r.FormValue("versione"), registro.VoceOf(r))
	h.dopoProtocollo(w, r, id, nil, err, "documento")
}

// ScaricaDocumento sends the signed PDF byte for byte.
func (h *Handler) ScaricaDocumento(w http.ResponseWriter, r *http.Request) {
	id, err := numero(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	nome, dati, err := h.svc.Documento(r.Context(), authz.PrincipalOf(r), id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(nome, `"`, "")+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(dati)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(dati)
}
