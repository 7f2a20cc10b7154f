package casi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Transfer of a case to another comune or ambito (the nucleo moved): the
// coordinatore PaIS of the case's scope sends it on; the case keeps its
// state, diary, meetings and history, loses its case manager and waits on
// the receiving coordinatore's board as "da assegnare". Anagrafica only: the
// coordinatore never reads the case content here either.

// ComuneDestinazione is a comune a case may be transferred to: one that
// belongs to an ambito territoriale.
type ComuneDestinazione struct {
	ID            int64
	CodiceISTAT   string
	Denominazione string
	Provincia     string
	AmbitoID      int64
	Ambito        string
}

// Label is "Zola Predosa (BO) · 037062 · Ambito Territoriale Demo".
func (c ComuneDestinazione) Label() string {
	return c.Denominazione + " (" + c.Provincia + ") · " + c.CodiceISTAT + " · " + c.Ambito
}

// MaxComuniTrovati is how many comuni CercaComuni returns at most.
const MaxComuniTrovati = 20

var (
	reISTAT     = regexp.MustCompile(`^[0-9]{6}$`)
	reProvincia = regexp.MustCompile(`^(.*\S)\s*\(([A-Za-z]{2})\)$`)
)

// CercaComuni resolves what the user typed as destination: a 6-digit ISTAT
// code, or a denominazione, optionally followed by the provincia in
// brackets ("Zola Predosa (BO)"). An exact name wins over partial ones;
// otherwise every comune whose name contains the text, up to
// MaxComuniTrovati+1 (more than MaxComuniTrovati: the text is too vague).
// Only comuni of an ambito are returned.
func (s *Service) CercaComuni(ctx context.Context, testo string) ([]ComuneDestinazione, error) {
	testo = strings.Join(strings.Fields(testo), " ")
	if testo == "" {
		return nil, nil
	}
	type cond struct {
		where string
		args  []any
	}
	var conds []cond
	if reISTAT.MatchString(testo) {
		conds = append(conds, cond{"co.codice_istat = $1", []any{testo}})
	} else {
		nome, prov := strings.ToLower(testo), ""
		if m := reProvincia.FindStringSubmatch(testo); m != nil {
			nome, prov = strings.ToLower(m[1]), strings.ToUpper(m[2])
		}
		provSQL, extra := "", []any{}
		if prov != "" {
			provSQL, extra = " AND co.provincia = $2", []any{prov}
		}
		like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(nome)
		conds = append(conds,
			cond{"lower(co.denominazione) = $1" + provSQL, append([]any{nome}, extra...)},
			cond{"lower(co.denominazione) LIKE '%' || $1 || '%'" + provSQL, append([]any{like}, extra...)})
	}
	for _, q := range conds {
		rows, err := s.pool.Query(ctx, `SELECT co.id, co.codice_istat, co.denominazione, co.provincia, a.id, a.denominazione
			FROM comune co JOIN ambito a ON a.id = co.ambito_id
			WHERE `+q.where+` ORDER BY co.denominazione, co.provincia LIMIT `+strconv.Itoa(MaxComuniTrovati+1), q.args...)
		if err != nil {
			return nil, fmt.Errorf("casi: cerca comuni: %w", err)
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ComuneDestinazione, error) {
			var c ComuneDestinazione
			err := r.Scan(&c.ID, &c.CodiceISTAT, &c.Denominazione, &c.Provincia, &c.AmbitoID, &c.Ambito)
			return c, err
		})
		if err != nil {
			return nil, fmt.Errorf("casi: cerca comuni: %w", err)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, nil
}

// Trasferito is the outcome of a transfer.
type Trasferito struct {
	Codice  string
	Da, A   string // "Comune (Ambito)"
	InScope bool   // the coordinatore still covers the case (same ambito)
}

// Texts of the transfer form.
const (
	msgComuneVuoto        = "Indica il comune di destinazione: il codice ISTAT o il nome."
	msgNessunComune       = "Nessun comune con questo nome o codice ISTAT"
	msgPiuComuni          = "Più comuni corrispondono: scegli quello giusto"
	msgTroppiComuni       = "Troppi comuni corrispondono: scrivi il nome per intero o il codice ISTAT."
	msgMotivoVuoto        = "Scrivi il motivo del trasferimento."
	msgMotivoLungo        = "Il motivo supera i 2.000 caratteri."
	avvisoChiusoTrasf     = "Il caso è chiuso: non può essere trasferito."
	avvisoTrasferimentoCM = "Il caso perde il case manager attuale e resta da assegnare nella bacheca del coordinatore che lo riceve."
)

func motivoTrasferimentoErr(motivo string) string {
	switch m := strings.TrimSpace(motivo); {
	case m == "":
		return msgMotivoVuoto
	case utf8.RuneCountInString(m) > maxNota:
		return msgMotivoLungo
	}
	return ""
}

// Trasferisci moves the case to comune comuneDestID (and its ambito) for
// motivo: only a coordinatore PaIS whose scope covers the case (else
// ErrNotFound, the refusal recorded). The case must be open (ErrChiuso) and
// still at versione (ErrConflict). It loses its case manager (the open
// assignment period is closed), keeps its state (but 'assegnato', nothing
// done yet, goes back to 'ricevuto'), its diary, meetings and history; the
// event 'trasferito' goes in the history and the write in the registro.
// Invalid input is a FieldErrors (keys "comune", "motivo").
func (s *Service) Trasferisci(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, comuneDestID int64, motivo string, v registro.Voce) (Trasferito, error) {
	var out Trasferito
	if !coordinatore(p) {
		return out, s.negatoTrasferimento(ctx, ErrNotFound, id, v)
	}
	motivo = strings.TrimSpace(motivo)
	errs := FieldErrors{}
	if m := motivoTrasferimentoErr(motivo); m != "" {
		errs["motivo"] = m
	}
	if comuneDestID == 0 {
		errs["comune"] = msgComuneVuoto
	}
	if len(errs) > 0 {
		return out, errs
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := load(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case !p.Covers(c.AmbitoID, &c.ComuneID):
			return ErrNotFound
		case !c.Aperto():
			return ErrChiuso
		case c.Versione != versione:
			return ErrConflict
		}
		out.Codice = c.Codice()
		var ambitoDa string
		if err := tx.QueryRow(ctx, `SELECT denominazione FROM ambito WHERE id = $1`, c.AmbitoID).Scan(&ambitoDa); err != nil {
			return fmt.Errorf("casi: trasferisci: ambito: %w", err)
		}
		var dest ComuneDestinazione
		err = tx.QueryRow(ctx, `SELECT co.id, co.codice_istat, co.denominazione, co.provincia, a.id, a.denominazione
			FROM comune co JOIN ambito a ON a.id = co.ambito_id WHERE co.id = $1`, comuneDestID).
			Scan(&dest.ID, &dest.CodiceISTAT, &dest.Denominazione, &dest.Provincia, &dest.AmbitoID, &dest.Ambito)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return FieldErrors{"comune": "Il comune scelto non esiste o non appartiene a un ambito territoriale: non può ricevere casi."}
		case err != nil:
			return fmt.Errorf("casi: trasferisci: comune: %w", err)
		case dest.ID == c.ComuneID:
			return FieldErrors{"comune": "Il caso è già del comune di " + c.Comune + ": scegli un altro comune."}
		}
		out.Da = c.Comune + " (" + ambitoDa + ")"
		out.A = dest.Denominazione + " (" + dest.Ambito + ")"
		out.InScope = p.Covers(dest.AmbitoID, &dest.ID)
		stato := c.Stato
		if stato == Assegnato {
			stato = Ricevuto
		}
		if _, err := tx.Exec(ctx, `UPDATE caso SET comune_id = $2, ambito_id = $3, case_manager_id = NULL, assegnato_il = NULL,
			stato = $4, trasferito_il = now(), versione = versione + 1, updated_at = now() WHERE id = $1`,
			id, dest.ID, dest.AmbitoID, string(stato)); err != nil {
			return fmt.Errorf("casi: trasferisci: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE caso_assegnazione SET al = now() WHERE caso_id = $1 AND al IS NULL`, id); err != nil {
			return fmt.Errorf("casi: trasferisci: assegnazione: %w", err)
		}
		op := p.OperatoreID
		if err := Storico(ctx, tx, id, &op, "trasferito", out.Da, out.A, motivo); err != nil {
			return err
		}
		if stato != c.Stato {
			if err := Storico(ctx, tx, id, &op, "stato", string(c.Stato), string(stato), "Trasferimento: il caso è da assegnare a un case manager del nuovo comune"); err != nil {
				return err
			}
		}
		// The deadlines do not depend on the comune: nothing to recompute.
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.CasoID, rv.Esito = registro.Scrittura, "trasferimento", id.String(), id.String(), registro.Consentito
		rv.Dettaglio = "da " + out.Da + " a " + out.A
		return s.reg.RecordTx(ctx, tx, rv)
	})
	return out, s.negatoTrasferimento(ctx, err, id, v)
}

// negatoTrasferimento records, when err says the case is not p's, the
// refused transfer, and returns err.
func (s *Service) negatoTrasferimento(ctx context.Context, err error, id uuid.UUID, v registro.Voce) error {
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito, v.Dettaglio = registro.Negato, "trasferimento", id.String(), id.String(), registro.Rifiutato, registro.Scrittura
	if rerr := s.reg.Record(ctx, v); rerr != nil {
		return rerr
	}
	return err
}

// DaTrasferire is what the transfer form shows of the case: its header
// (anagrafica) and the ambito it is in.
type DaTrasferire struct {
	Caso   Caso
	Ambito string
}

// CasoDaTrasferire returns a case of p's scope for the transfer form,
// recorded as a read of its anagrafica (a refusal too).
func (s *Service) CasoDaTrasferire(ctx context.Context, p authz.Principal, id uuid.UUID, v registro.Voce) (DaTrasferire, error) {
	var d DaTrasferire
	c, err := load(ctx, s.pool, id, false)
	if err == nil && (!coordinatore(p) || !p.Covers(c.AmbitoID, &c.ComuneID)) {
		err = ErrNotFound
	}
	v.OggettoTipo, v.OggettoID, v.CasoID, v.Dettaglio = "assegnazioni", id.String(), id.String(), "anagrafica (trasferimento)"
	if errors.Is(err, ErrNotFound) {
		v.Azione, v.Esito = registro.Negato, registro.Rifiutato
		if rerr := s.reg.Record(ctx, v); rerr != nil {
			return d, rerr
		}
		return d, err
	} else if err != nil {
		return d, err
	}
	d.Caso = c
	if err := s.pool.QueryRow(ctx, `SELECT denominazione FROM ambito WHERE id = $1`, c.AmbitoID).Scan(&d.Ambito); err != nil {
		return d, fmt.Errorf("casi: caso da trasferire: %w", err)
	}
	v.Azione, v.Esito = registro.Lettura, registro.Consentito
	return d, s.reg.Record(ctx, v)
}

// Handlers.

// TrasferimentoRoutes mounts /assegnazioni/{id}/trasferisci.
func (h *BoardHandler) TrasferimentoRoutes(r chi.Router) {
	r.With(h.guard.Require(authz.Assegnazioni, authz.Read)).Get("/assegnazioni/{id}/trasferisci", h.trasferimento)
	r.With(h.guard.Require(authz.Assegnazioni, authz.Write)).Post("/assegnazioni/{id}/trasferisci", h.trasferisci)
}

// trasferimentoForm is the form as typed.
type trasferimentoForm struct {
	Comune   string // ISTAT code or name as typed
	ComuneID int64  // the choice among several comuni
	Motivo   string
	Versione int
	Scelte   []ComuneDestinazione // comuni matching Comune, to choose from
}

func (h *BoardHandler) renderTrasferimento(w http.ResponseWriter, r *http.Request, status int, in trasferimentoForm, errs FieldErrors, avviso string) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	p, _ := authz.PrincipalFrom(r.Context())
	d, err := h.svc.CasoDaTrasferire(r.Context(), p, id, registro.FromRequest(r, registro.Voce{}))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if status == http.StatusOK && avviso == "" && !d.Caso.Aperto() {
		avviso = avvisoChiusoTrasf
	}
	// The form carries the version just read: after a conflict the user
	// sees the case as it is now and may confirm again.
	in.Versione = d.Caso.Versione
	h.rs.Render(w, r, status, trasferimentoPage(h.rs.Shell(r), d, in, errs, avviso))
}

func (h *BoardHandler) trasferimento(w http.ResponseWriter, r *http.Request) {
	h.renderTrasferimento(w, r, http.StatusOK, trasferimentoForm{}, nil, "")
}

func (h *BoardHandler) trasferisci(w http.ResponseWriter, r *http.Request) {
	id, ok := pathCaso(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	in := trasferimentoForm{Comune: strings.TrimSpace(r.PostFormValue("comune")), Motivo: r.PostFormValue("motivo")}
	in.Versione, _ = strconv.Atoi(r.PostFormValue("versione"))
	in.ComuneID, _ = strconv.ParseInt(r.PostFormValue("comune_id"), 10, 64)

	// The destination typed, resolved here (no JavaScript): one comune, or
	// a choice among several.
	errs := FieldErrors{}
	var dest int64
	trovati, err := h.svc.CercaComuni(r.Context(), in.Comune)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	for _, c := range trovati {
		if c.ID == in.ComuneID {
			dest = c.ID
		}
	}
	switch {
	case dest != 0:
	case in.Comune == "":
		errs["comune"] = msgComuneVuoto
	case len(trovati) == 0:
		errs["comune"] = msgNessunComune
	case len(trovati) == 1:
		dest = trovati[0].ID
	case len(trovati) > MaxComuniTrovati:
		errs["comune"] = msgTroppiComuni
	default:
		errs["comune"] = msgPiuComuni
		in.Scelte = trovati
	}
	if len(errs) > 0 {
		if m := motivoTrasferimentoErr(in.Motivo); m != "" {
			errs["motivo"] = m
		}
		h.renderTrasferimento(w, r, http.StatusUnprocessableEntity, in, errs, "")
		return
	}
	p, _ := authz.PrincipalFrom(r.Context())
	t, err := h.svc.Trasferisci(r.Context(), p, id, in.Versione, dest, in.Motivo, registro.FromRequest(r, registro.Voce{}))
	var fe FieldErrors
	switch {
	case errors.As(err, &fe):
		h.renderTrasferimento(w, r, http.StatusUnprocessableEntity, in, fe, "")
	case errors.Is(err, ErrConflict):
		h.renderTrasferimento(w, r, http.StatusConflict, in, nil, avvisoConflitto)
	case errors.Is(err, ErrChiuso):
		h.renderTrasferimento(w, r, http.StatusConflict, in, nil, avvisoChiusoTrasf)
	case err != nil:
		h.rs.Error(w, r, err)
	case t.InScope:
		httpx.Redirect(w, r, "/assegnazioni/"+id.String()+"?esito=trasferito")
	default:
		httpx.Redirect(w, r, "/assegnazioni?esito=trasferito")
	}
}
