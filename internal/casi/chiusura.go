package casi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Closing a case with its motivo (domain.md §2.3) and reopening it where it
// was; both are events of the case's history, under optimistic locking on
// caso.versione, recorded in the registro.

// ErrGiaAperto: the case was reopened meanwhile.
var ErrGiaAperto = fmt.Errorf("casi: already open: %w", httpx.ErrConflict)

// Chiusura is the closing form as typed.
type Chiusura struct {
	Motivo, Data, Nota string
	Versione           int
}

// Riapertura is the reopening form as typed.
type Riapertura struct {
	Motivo   string
	Versione int
}

const maxNota = 2000

// Chiudi closes the case: state chiuso with its motivo and date, the state
// it was in kept for a reopening. A stale Versione is ErrConflict; a closed
// case is ErrChiuso.
func (s *Service) Chiudi(ctx context.Context, p authz.Principal, id uuid.UUID, in Chiusura, v registro.Voce) (httpx.FieldErrors, error) {
	errs := httpx.FieldErrors{}
	if !contains(MotiviChiusura, in.Motivo) {
		errs["motivo"] = "Scegli il motivo della chiusura."
	}
	data, ok := calendario.ParseData(in.Data)
	switch {
	case !ok:
		errs["data"] = "Indica la data di chiusura."
	case data.After(s.Oggi()):
		errs["data"] = "La data di chiusura non può essere futura."
	}
	nota := strings.TrimSpace(in.Nota)
	if utf8.RuneCountInString(nota) > maxNota {
		errs["nota"] = "La nota supera i 2.000 caratteri."
	}
	if len(errs) > 0 {
		return errs, nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.Lock(ctx, tx, p, id)
		switch {
		case err != nil:
			return err
		case c.Versione != in.Versione:
			return ErrConflict
		case !c.Aperto():
			return ErrChiuso
		case data.Before(c.ApertoIl):
			errs["data"] = "La data di chiusura non può precedere l'apertura del caso (" + c.ApertoIl.Format("02/01/2006") + ")."
			return errs
		}
		if err := chiudiCaso(ctx, tx, id, in.Motivo, data); err != nil {
			return err
		}
		op := p.OperatoreID
		testo := in.Motivo + " dal " + data.Format("02/01/2006")
		if nota != "" {
			testo += ": " + nota
		}
		if err := Storico(ctx, tx, id, &op, "chiuso", string(c.Stato), string(Chiuso), testo); err != nil {
			return err
		}
		v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, "caso", id.String(), id.String(), registro.Consentito
		v.Dettaglio = "chiusura: " + in.Motivo
		return s.reg.RecordTx(ctx, tx, v)
	})
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		return fe, nil
	}
	return nil, s.negato(ctx, err, id, v)
}

// Riapri reopens a closed case in the state it was closed in, with the
// reason; its deadlines are refreshed. A stale Versione is ErrConflict; an
// open case is ErrGiaAperto; another open case of the same domanda is a
// field error.
func (s *Service) Riapri(ctx context.Context, p authz.Principal, id uuid.UUID, in Riapertura, v registro.Voce) (httpx.FieldErrors, error) {
	motivo := strings.TrimSpace(in.Motivo)
	switch {
	case motivo == "":
		return httpx.FieldErrors{"motivo": "Scrivi perché il caso viene riaperto."}, nil
	case utf8.RuneCountInString(motivo) > maxNota:
		return httpx.FieldErrors{"motivo": "Il motivo supera i 2.000 caratteri."}, nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.Lock(ctx, tx, p, id)
		switch {
		case err != nil:
			return err
		case c.Versione != in.Versione:
			return ErrConflict
		case c.Aperto():
			return ErrGiaAperto
		}
		prima, err := riapriCaso(ctx, tx, id)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return httpx.FieldErrors{"motivo": "Per la stessa domanda c'è già un altro caso aperto: questo caso non può essere riaperto."}
		}
		if err != nil {
			return err
		}
		op := p.OperatoreID
		if err := Storico(ctx, tx, id, &op, "riaperto", string(Chiuso), prima, motivo); err != nil {
			return err
		}
		if err := s.Aggiorna(ctx, tx, id); err != nil {
			return err
		}
		v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, "caso", id.String(), id.String(), registro.Consentito
		v.Dettaglio = "riapertura"
		return s.reg.RecordTx(ctx, tx, v)
	})
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		return fe, nil
	}
	return nil, s.negato(ctx, err, id, v)
}

// negato records, when err says the case is not p's, the refused write,
// and returns err.
func (s *Service) negato(ctx context.Context, err error, id uuid.UUID, v registro.Voce) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito, v.Dettaglio = registro.Negato, "caso", id.String(), id.String(), registro.Rifiutato, registro.Scrittura
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return rerr
	}
	return err
}

// Handlers.

func pathCaso(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	return id, err == nil
}

// renderChiusura shows the closing (chiudi) or reopening form of the case,
// reading it through Access (recorded).
func (h *Handler) renderChiusura(w http.ResponseWriter, r *http.Request, status int, chiudi bool, in Chiusura, errs httpx.FieldErrors, avviso string) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	p := authz.PrincipalOf(r)
	c, err := h.svc.Access(r.Context(), p, id, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if status == http.StatusOK && avviso == "" {
		switch {
		case chiudi && !c.Aperto():
			avviso = "Il caso è già chiuso."
		case !chiudi && c.Aperto():
			avviso = "Il caso è aperto."
		}
	}
	// The form always carries the version just read: after a conflict the
	// user sees the case as it is now and may confirm again.
	in.Versione = c.Versione
	if in.Data == "" && chiudi {
		in.Data = h.svc.Oggi().Format("2006-01-02")
	}
	h.rs.Render(w, r, status, chiusuraPage(h.rs.Shell(r), c, chiudi, in, errs, avviso))
}

func (h *Handler) Chiusura(w http.ResponseWriter, r *http.Request) {
	h.renderChiusura(w, r, http.StatusOK, true, Chiusura{}, nil, "")
}

func (h *Handler) Riapertura(w http.ResponseWriter, r *http.Request) {
	h.renderChiusura(w, r, http.StatusOK, false, Chiusura{}, nil, "")
}

// AvvisoConflitto is what a form says when the case changed since it was
// read: the form is shown again, with what was typed, on the case as it is.
const AvvisoConflitto = "Il caso è stato modificato da un altro operatore dopo che hai aperto questa pagina: controlla i dati attuali qui sotto e, se è ancora il caso, conferma di nuovo. Quello che avevi scritto è stato mantenuto."

func (h *Handler) Chiudi(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	ver, _ := strconv.Atoi(r.PostFormValue("versione"))
	in := Chiusura{Motivo: r.PostFormValue("motivo"), Data: r.PostFormValue("data"), Nota: r.PostFormValue("nota"), Versione: ver}
	p := authz.PrincipalOf(r)
	errs, err := h.svc.Chiudi(r.Context(), p, id, in, registro.VoceOf(r))
	switch {
	case errors.Is(err, ErrConflict):
		h.renderChiusura(w, r, http.StatusConflict, true, in, nil, AvvisoConflitto)
	case errors.Is(err, ErrChiuso):
		h.renderChiusura(w, r, http.StatusConflict, true, in, nil, "Il caso è già stato chiuso da un altro operatore.")
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.renderChiusura(w, r, http.StatusUnprocessableEntity, true, in, errs, "")
	default:
		httpx.Redirect(w, r, "/casi/"+id.String()+"?esito=chiuso")
	}
}

func (h *Handler) Riapri(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	ver, _ := strconv.Atoi(r.PostFormValue("versione"))
	in := Riapertura{Motivo: r.PostFormValue("motivo"), Versione: ver}
	p := authz.PrincipalOf(r)
	errs, err := h.svc.Riapri(r.Context(), p, id, in, registro.VoceOf(r))
	form := Chiusura{Nota: in.Motivo}
	switch {
	case errors.Is(err, ErrGiaAperto):
		h.renderChiusura(w, r, http.StatusConflict, false, form, nil, "Il caso è già stato riaperto da un altro operatore.")
	case errors.Is(err, ErrConflict):
		h.renderChiusura(w, r, http.StatusConflict, false, form, nil, AvvisoConflitto)
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		if m, ok := errs["motivo"]; ok {
			errs = httpx.FieldErrors{"nota": m}
		}
		h.renderChiusura(w, r, http.StatusUnprocessableEntity, false, form, errs, "")
	default:
		httpx.Redirect(w, r, "/casi/"+id.String()+"?esito=riaperto")
	}
}
