package accesso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/stampa"
)

// InformativaPredefinita is the privacy notice printed on the patto when
// the ambito has not written its own (GDPR art. 13).
const InformativaPredefinita = `Informativa sul trattamento dei dati personali (art. 13 del Regolamento (UE) 2016/679, GDPR). ` +
	`I dati personali del nucleo familiare, compresi quelli relativi alla salute, sono trattati dal Comune e dall'Ambito territoriale sociale, ` +
	`titolari del trattamento, per la valutazione multidimensionale del bisogno, la definizione e il monitoraggio del Patto per l'inclusione sociale ` +
	`e gli adempimenti previsti dal decreto-legge 4 maggio 2023, n. 48 (Assegno di inclusione), in esecuzione di compiti di interesse pubblico ` +
	`(art. 6, par. 1, lett. e, e art. 9, par. 2, lett. g, GDPR). I dati sono trattati da personale autorizzato, anche con strumenti informatici, ` +
	`comunicati solo agli enti coinvolti nel patto e alle piattaforme nazionali previste dalla legge (SIISL, GePI, INPS), e conservati per il tempo ` +
	`necessario alle finalità indicate e agli obblighi di legge. Potete chiedere l'accesso ai vostri dati, la loro rettifica, la limitazione del ` +
	`trattamento e opporvi, rivolgendovi al Comune o al Responsabile della protezione dei dati (RPD) dell'ente; potete proporre reclamo al ` +
	`Garante per la protezione dei dati personali (www.garanteprivacy.it).`

// MaxLogo is the largest logo accepted (the column's check says the same).
const MaxLogo = 512 << 10

// The caseload cap of the cruscotto (issue 17): the open cases a case
// manager may hold before the cruscotto lists them as over it; the
// column's check says the same bounds.
const (
	TettoPredefinito = 40 // OpenSPP's maximum
	TettoMin         = 1
	TettoMax         = 500
)

// Impostazioni are the settings of an ambito its amministratore edits: the
// privacy notice and the logo of the printed documents, the caseload cap
// of the cruscotto.
type Impostazioni struct {
	AmbitoID      int64
	Denominazione string
	Informativa   string // as saved; "" prints InformativaPredefinita
	LogoMime      string // "" when there is no logo
	LogoByte      int
	TettoCasi     int
}

// ModuloImpostazioni is what the settings form sends.
type ModuloImpostazioni struct {
	Informativa string
	Logo        []byte // nil: keep the current one
	RimuoviLogo bool
	Tetto       *string // the caseload cap as typed; nil: keep the current one
}

// Contatti are an operator's office contacts as a family reads them.
type Contatti struct {
	Nome, CodiceFiscale, Telefono, Email, Orari string
}

// Carta is what the printed documents of a case take from accesso: the
// ambito's name, privacy notice and logo, and the case manager's contacts.
type Carta struct {
	Ambito      string
	Informativa string // never empty: the ambito's or InformativaPredefinita
	Logo        []byte
	Contatti    Contatti
}

// Impostazioni returns the settings of the principal's ambito.
func (s *Service) Impostazioni(ctx context.Context, p authz.Principal) (Impostazioni, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return Impostazioni{}, err
	}
	var im Impostazioni
	err = s.pool.QueryRow(ctx, `
		SELECT id, denominazione, informativa_privacy, COALESCE(logo_mime, ''), COALESCE(octet_length(logo), 0), tetto_casi
		FROM ambito WHERE id = $1`, amb).Scan(&im.AmbitoID, &im.Denominazione, &im.Informativa, &im.LogoMime, &im.LogoByte, &im.TettoCasi)
	if errors.Is(err, pgx.ErrNoRows) {
		return Impostazioni{}, ErrAmbitoNotFound
	}
	return im, err
}

// TettoCasi is the caseload cap of ambito amb (for the cruscotto, through
// the composition root).
func (s *Service) TettoCasi(ctx context.Context, amb int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT tetto_casi FROM ambito WHERE id = $1`, amb).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrAmbitoNotFound
	}
	return n, err
}

// leggiTetto parses the caseload cap as typed; the message is the field's.
func leggiTetto(v string) (int, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, "Indica il tetto di casi aperti per case manager, da 1 a 500."
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, "Scrivi il tetto come numero intero di casi, da 1 a 500 (ad esempio 40)."
	}
	if n < TettoMin || n > TettoMax {
		return 0, "Il tetto deve essere tra 1 e 500 casi aperti."
	}
	return n, ""
}

// SalvaImpostazioni saves the settings of the principal's ambito, recorded
// in the registro; the messages of a refused form are by field.
func (s *Service) SalvaImpostazioni(ctx context.Context, p authz.Principal, in ModuloImpostazioni, audit registro.Voce) error {
	amb, err := ambitoOf(p)
	if err != nil {
		return err
	}
	errs := httpx.FieldErrors{}
	in.Informativa = strings.TrimSpace(strings.ReplaceAll(in.Informativa, "\r\n", "\n"))
	if in.Informativa == strings.TrimSpace(InformativaPredefinita) {
		in.Informativa = ""
	}
	lunghezze(errs, "informativa_privacy", in.Informativa)
	mime := ""
	if in.Logo != nil {
		switch {
		case len(in.Logo) == 0:
			in.Logo = nil
		case len(in.Logo) > MaxLogo:
			errs["logo"] = "Il logo supera i 512 KB: riducilo e caricalo di nuovo."
		default:
			if mime = stampa.MimeLogo(in.Logo); mime == "" {
				errs["logo"] = "Il logo deve essere un'immagine PNG o JPEG."
			} else if _, err := stampa.PDF(stampa.Documento{Titolo: "Prova", Intestazione: stampa.Intestazione{Logo: in.Logo}}); err != nil {
				errs["logo"] = "Non riusciamo a leggere questa immagine: salvala di nuovo come PNG o JPEG e caricala."
			}
		}
	}
	tetto := 0
	if in.Tetto != nil {
		var msg string
		if tetto, msg = leggiTetto(*in.Tetto); msg != "" {
			errs["tetto_casi"] = msg
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var prima int
		if err := tx.QueryRow(ctx, `SELECT tetto_casi FROM ambito WHERE id = $1 FOR UPDATE`, amb).Scan(&prima); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE ambito SET informativa_privacy = $2 WHERE id = $1`, amb, in.Informativa); err != nil {
			return err
		}
		dettaglio := "impostazioni dell'ambito"
		if in.Tetto != nil && tetto != prima {
			if _, err := tx.Exec(ctx, `UPDATE ambito SET tetto_casi = $2 WHERE id = $1`, amb, tetto); err != nil {
				return err
			}
			dettaglio += fmt.Sprintf(", tetto dei casi da %d a %d", prima, tetto)
		}
		if in.Logo != nil {
			dettaglio += ", logo caricato"
		} else if in.RimuoviLogo {
			dettaglio += ", logo rimosso"
		}
		if s.audit != nil {
			audit.Azione, audit.OggettoTipo, audit.OggettoID, audit.Dettaglio = registro.Scrittura, "ambito", strconv.FormatInt(amb, 10), dettaglio
			if err := s.audit.RecordTx(ctx, tx, audit); err != nil {
				return err
			}
		}
		switch {
		case in.Logo != nil:
			if _, err := tx.Exec(ctx, `UPDATE ambito SET logo = $2, logo_mime = $3 WHERE id = $1`, amb, in.Logo, mime); err != nil {
				return err
			}
		case in.RimuoviLogo:
			if _, err := tx.Exec(ctx, `UPDATE ambito SET logo = NULL, logo_mime = NULL WHERE id = $1`, amb); err != nil {
				return err
			}
		}
		return nil
	})
}

// Logo is the logo of the principal's ambito (nil when there is none).
func (s *Service) Logo(ctx context.Context, p authz.Principal) ([]byte, string, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return nil, "", err
	}
	var logo []byte
	var mime string
	err = s.pool.QueryRow(ctx, `SELECT logo, COALESCE(logo_mime, '') FROM ambito WHERE id = $1`, amb).Scan(&logo, &mime)
	return logo, mime, err
}

// CartaDi returns what the printed documents of a case of ambito amb need;
// operatore is the case manager (nil: no contacts).
func (s *Service) CartaDi(ctx context.Context, amb int64, operatore *uuid.UUID) (Carta, error) {
	var c Carta
	err := s.pool.QueryRow(ctx, `SELECT denominazione, informativa_privacy, logo FROM ambito WHERE id = $1`, amb).
		Scan(&c.Ambito, &c.Informativa, &c.Logo)
	if err != nil {
		return Carta{}, err
	}
	if strings.TrimSpace(c.Informativa) == "" {
		c.Informativa = InformativaPredefinita
	}
	if operatore != nil {
		err := s.pool.QueryRow(ctx, `
			SELECT nome || ' ' || cognome, codice_fiscale, telefono_ufficio, email_ufficio, orari_ufficio FROM operatore WHERE id = $1`, *operatore).
			Scan(&c.Contatti.Nome, &c.Contatti.CodiceFiscale, &c.Contatti.Telefono, &c.Contatti.Email, &c.Contatti.Orari)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Carta{}, err
		}
	}
	return c, nil
}

// ImpostazioniHandler serves the amministratore di ambito's settings page.
type ImpostazioniHandler struct {
	svc *Service
	rs  *httpx.Responder
}

// NewImpostazioniHandler returns the handler.
func NewImpostazioniHandler(svc *Service, rs *httpx.Responder) *ImpostazioniHandler {
	return &ImpostazioniHandler{svc: svc, rs: rs}
}

func (h *ImpostazioniHandler) Mostra(w http.ResponseWriter, r *http.Request) {
	im, err := h.svc.Impostazioni(r.Context(), authz.PrincipalOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	testo := im.Informativa
	if testo == "" {
		testo = InformativaPredefinita
	}
	h.rs.Render(w, r, http.StatusOK, impostazioniPage(h.rs.Shell(r), im, testo, strconv.Itoa(im.TettoCasi), nil, r.URL.Query().Get("esito") == "salvate"))
}

func (h *ImpostazioniHandler) Salva(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxLogo+64<<10)
	err := r.ParseMultipartForm(1 << 20)
	defer func() {
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	}()
	p := authz.PrincipalOf(r)
	in := ModuloImpostazioni{}
	var errs httpx.FieldErrors
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		errs = httpx.FieldErrors{"logo": "Il logo supera i 512 KB: riducilo e caricalo di nuovo."}
	case errors.Is(err, http.ErrNotMultipart):
		if err := r.ParseForm(); err != nil {
			h.rs.Error(w, r, httpx.ErrBadInput)
			return
		}
	case err != nil:
		// A form the browser could not have sent (a malformed part): nothing
		// of it can be read, the page says to send it again.
		errs = httpx.FieldErrors{"logo": "Il caricamento non è riuscito: scegli di nuovo il file e salva."}
	}
	in.Informativa = r.FormValue("informativa_privacy")
	in.RimuoviLogo = r.FormValue("rimuovi_logo") == "1"
	tetto, conTetto := "", false
	if r.MultipartForm != nil {
		if v, ok := r.MultipartForm.Value["tetto_casi"]; ok && len(v) > 0 {
			tetto, conTetto = v[0], true
		}
	} else if v, ok := r.PostForm["tetto_casi"]; ok && len(v) > 0 {
		tetto, conTetto = v[0], true
	}
	if conTetto {
		in.Tetto = &tetto
	}
	if errs == nil && r.MultipartForm != nil {
		if fh := r.MultipartForm.File["logo"]; len(fh) > 0 && fh[0].Size > 0 {
			f, err := fh[0].Open()
			if err != nil {
				h.rs.Error(w, r, httpx.ErrBadInput)
				return
			}
			in.Logo, err = io.ReadAll(io.LimitReader(f, MaxLogo+1))
			_ = f.Close()
			if err != nil {
				h.rs.Error(w, r, httpx.ErrBadInput)
				return
			}
		}
	}
	if errs == nil {
		err = h.svc.SalvaImpostazioni(r.Context(), p, in, registro.VoceOf(r))
		if err == nil {
			httpx.Redirect(w, r, "/admin/ambito?esito=salvate")
			return
		}
		if !errors.As(err, &errs) {
			h.rs.Error(w, r, err)
			return
		}
	}
	im, err := h.svc.Impostazioni(r.Context(), p)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if !conTetto {
		tetto = strconv.Itoa(im.TettoCasi)
	}
	h.rs.Render(w, r, http.StatusUnprocessableEntity, impostazioniPage(h.rs.Shell(r), im, in.Informativa, tetto, errs, false))
}

// Logo shows the ambito's logo on the settings page.
func (h *ImpostazioniHandler) Logo(w http.ResponseWriter, r *http.Request) {
	b, mime, err := h.svc.Logo(r.Context(), authz.PrincipalOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if len(b) == 0 {
		h.rs.Error(w, r, httpx.ErrNotFound)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// Scopo is the role and scope of an operator's role (ComuneID nil: the
// whole ambito).
type Scopo struct {
	Ruolo    string
	AmbitoID int64
	ComuneID *int64
}

// ScopiAttivi lists once each scope in which some operator holds one of
// ruoli today (the roles valid today: dal ≤ today ≤ al).
func (s *Service) ScopiAttivi(ctx context.Context, ruoli ...string) ([]Scopo, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ruolo, ambito_id, comune_id FROM operatore_ruolo
		WHERE ruolo = ANY($1) AND ambito_id IS NOT NULL AND dal <= current_date AND (al IS NULL OR al >= current_date)
		ORDER BY ambito_id, ruolo, comune_id NULLS FIRST`, ruoli)
	if err != nil {
		return nil, fmt.Errorf("accesso: scopi: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scopo, error) {
		var x Scopo
		err := r.Scan(&x.Ruolo, &x.AmbitoID, &x.ComuneID)
		return x, err
	})
}
