package casi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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

// The conditions of a member that the case manager records (they are not in
// the flow) and that move the T90 (domain.md §2.2): vittima di violenza di
// genere (exempt), sent to the Centro per l'impiego (follows the CPI).

// Condizioni is the form as typed.
type Condizioni struct {
	VittimaViolenza bool
	InviatoCPIIl    string // YYYY-MM-DD, empty: not sent
	Versione        int    // caso.versione the form was loaded at
}

// SchedaComponente is a current member of a case, for the form.
type SchedaComponente struct {
	Caso       Caso
	Componente Componente
	Oggi       time.Time
}

// Membro returns the current member personaID of the case for p (the read
// is recorded); a member not in the nucleo now is ErrNotFound.
func (s *Service) Membro(ctx context.Context, p authz.Principal, id, personaID uuid.UUID, v registro.Voce) (SchedaComponente, error) {
	v.OggettoTipo, v.OggettoID = "componente", personaID.String()
	c, err := s.Access(ctx, p, id, v)
	if err != nil {
		return SchedaComponente{}, err
	}
	m, err := membro(ctx, s.pool, c.NucleoID, personaID, false)
	return SchedaComponente{Caso: c, Componente: m, Oggi: s.Oggi()}, err
}

// Componenti are the current members of the nucleo, read through q (the
// caller's transaction or pool): the applicant first, then by birth date.
// The modules that snapshot the nucleo (analisi, quadro, patto) read it
// here.
func (s *Service) Componenti(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Componente, error) {
	out, err := componentiCorrenti(ctx, q, nucleoID)
	if err != nil {
		return nil, fmt.Errorf("casi: componenti: %w", err)
	}
	return out, nil
}

func siNo(b bool) string {
	if b {
		return "sì"
	}
	return "no"
}

// AggiornaCondizioni records the member's conditions: in the transaction,
// the case's version is checked and bumped (a stale one is ErrConflict),
// the change goes to the history and the registro, and the deadlines are
// recomputed. A closed case is ErrChiuso.
func (s *Service) AggiornaCondizioni(ctx context.Context, p authz.Principal, id, personaID uuid.UUID, in Condizioni, v registro.Voce) (httpx.FieldErrors, error) {
	var cpi *time.Time
	if d := strings.TrimSpace(in.InviatoCPIIl); d != "" {
		t, ok := calendario.ParseData(d)
		switch {
		case !ok:
			return httpx.FieldErrors{"inviato_cpi_il": "Data di invio al CPI non valida."}, nil
		case t.After(s.Oggi()):
			return httpx.FieldErrors{"inviato_cpi_il": "La data di invio al CPI non può essere futura."}, nil
		}
		cpi = &t
	}
	errs := httpx.FieldErrors{}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.Lock(ctx, tx, p, id)
		switch {
		case err != nil:
			return err
		case c.Versione != in.Versione:
			return ErrConflict
		case !c.Aperto():
			return ErrChiuso
		}
		m, err := membro(ctx, tx, c.NucleoID, personaID, true)
		if err != nil {
			return err
		}
		if cpi != nil && cpi.Before(m.DataNascita) {
			errs["inviato_cpi_il"] = "La data di invio al CPI precede la nascita del componente."
			return errs
		}
		var cambi []string
		if m.VittimaViolenza != in.VittimaViolenza {
			cambi = append(cambi, "vittima di violenza di genere: "+siNo(m.VittimaViolenza)+" → "+siNo(in.VittimaViolenza))
		}
		if !sameDay(m.InviatoCPI, cpi) {
			cambi = append(cambi, "inviato al CPI: "+data(m.InviatoCPI)+" → "+data(cpi))
		}
		if len(cambi) == 0 {
			return nil
		}
		if err := updateCondizioni(ctx, tx, c.NucleoID, personaID, in.VittimaViolenza, cpi); err != nil {
			return err
		}
		if err := nuovaVersione(ctx, tx, id); err != nil {
			return err
		}
		op := p.OperatoreID
		if err := Storico(ctx, tx, id, &op, "componente", "", "", m.Cognome+" "+m.Nome+": "+strings.Join(cambi, "; ")); err != nil {
			return err
		}
		if err := s.Aggiorna(ctx, tx, id); err != nil {
			return err
		}
		v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, "componente", personaID.String(), id.String(), registro.Consentito
		v.Dettaglio = "condizioni del componente"
		return s.reg.RecordTx(ctx, tx, v)
	})
	var fe httpx.FieldErrors
	if errors.As(err, &fe) {
		return fe, nil
	}
	return nil, s.negato(ctx, err, id, v)
}

func sameDay(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

// Handlers.

func (h *Handler) renderComponente(w http.ResponseWriter, r *http.Request, status int, in *Condizioni, errs httpx.FieldErrors, avviso string) {
	id, ok := pathCaso(r)
	pid, err := uuid.Parse(chi.URLParam(r, "persona"))
	if !ok || err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	p := authz.PrincipalOf(r)
	sc, err := h.svc.Membro(r.Context(), p, id, pid, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	form := Condizioni{VittimaViolenza: sc.Componente.VittimaViolenza}
	if sc.Componente.InviatoCPI != nil {
		form.InviatoCPIIl = sc.Componente.InviatoCPI.Format("2006-01-02")
	}
	if in != nil { // what was typed is kept
		form.VittimaViolenza, form.InviatoCPIIl = in.VittimaViolenza, in.InviatoCPIIl
	}
	form.Versione = sc.Caso.Versione
	h.rs.Render(w, r, status, componentePage(h.rs.Shell(r), sc, form, errs, avviso))
}

func (h *Handler) Componente(w http.ResponseWriter, r *http.Request) {
	h.renderComponente(w, r, http.StatusOK, nil, nil, "")
}

func (h *Handler) AggiornaComponente(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	pid, err := uuid.Parse(chi.URLParam(r, "persona"))
	if !ok || err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	ver, _ := strconv.Atoi(r.PostFormValue("versione"))
	in := Condizioni{VittimaViolenza: r.PostFormValue("vittima_violenza") == "1", InviatoCPIIl: r.PostFormValue("inviato_cpi_il"), Versione: ver}
	p := authz.PrincipalOf(r)
	errs, err := h.svc.AggiornaCondizioni(r.Context(), p, id, pid, in, registro.VoceOf(r))
	switch {
	case errors.Is(err, ErrConflict):
		h.renderComponente(w, r, http.StatusConflict, &in, nil, AvvisoConflitto)
	case errors.Is(err, ErrChiuso):
		h.renderComponente(w, r, http.StatusConflict, &in, nil, "Il caso è chiuso: le condizioni dei componenti non si modificano. Riapri il caso, se serve.")
	case err != nil:
		h.rs.Error(w, r, err)
	case len(errs) > 0:
		h.renderComponente(w, r, http.StatusUnprocessableEntity, &in, errs, "")
	default:
		httpx.Redirect(w, r, "/casi/"+id.String()+"?esito=componente#h-membri")
	}
}
