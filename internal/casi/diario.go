package casi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
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

// Diario sociale: dated notes on a case by category, with their author.
// Notes are never edited in place (a trigger refuses it): a correction is a
// new note that references the one it corrects. sanitaria and giudiziaria
// notes are for the assigned case manager only.

// Categorie of a note.
var Categorie = []string{"ordinaria", "sanitaria", "giudiziaria"}

// Nota is a note of the diary.
type Nota struct {
	ID            uuid.UUID
	DataEvento    time.Time
	Categoria     string
	Testo         string
	Autore        string
	ScrittaIl     time.Time
	RettificaDi   *uuid.UUID
	RettificataDa *uuid.UUID // the note that corrects this one, if any
}

// Paragrafi splits the text into paragraphs for display.
func (n Nota) Paragrafi() []string {
	return strings.Split(strings.ReplaceAll(n.Testo, "\r\n", "\n"), "\n")
}

// VedeNota decides whether p may read a note of category cat on case c:
// ordinaria notes to whoever may read the case's content; sanitaria and
// giudiziaria only to the case manager the case is assigned to. Today only
// that case manager reads content at all; the rule is explicit so that it
// holds when other roles (équipe, supervision) come to read cases.
func VedeNota(p authz.Principal, c Caso, cat string) bool {
	assegnato := p.Ruolo == authz.CaseManager && c.CaseManagerID != nil && *c.CaseManagerID == p.OperatoreID
	if cat == "ordinaria" {
		return assegnato || MayReadContent(p)
	}
	return assegnato
}

// Diario is the diary page of a case.
type Diario struct {
	Caso     Caso
	Note     []Nota
	Nascoste int // notes p may not read
	Filtro   string
}

// Diario returns the notes of the case that p may read, newest first;
// the read is recorded.
func (s *Service) Diario(ctx context.Context, p authz.Principal, id uuid.UUID, categoria string, v registro.Voce) (Diario, error) {
	v.OggettoTipo = "diario"
	c, err := s.Access(ctx, p, id, v)
	if err != nil {
		return Diario{}, err
	}
	d := Diario{Caso: c, Filtro: categoria}
	note, err := noteDiario(ctx, s.pool, id, categoria)
	if err != nil {
		return Diario{}, fmt.Errorf("casi: diario: %w", err)
	}
	for _, n := range note {
		if VedeNota(p, c, n.Categoria) {
			d.Note = append(d.Note, n)
		} else {
			d.Nascoste++
		}
	}
	return d, nil
}

// NuovaNota is a note as typed in the form.
type NuovaNota struct {
	DataEvento, Categoria, Testo string
	RettificaDi                  string
}

// ErrNotaGiaRettificata: the note was corrected meanwhile by someone else.
var ErrNotaGiaRettificata = fmt.Errorf("casi: note already corrected: %w", httpx.ErrConflict)

// Scrivi adds a note (or a correction of RettificaDi) to the case; the
// write is recorded in the registro without the text.
func (s *Service) Scrivi(ctx context.Context, p authz.Principal, id uuid.UUID, in NuovaNota, v registro.Voce) (httpx.FieldErrors, error) {
	errs := httpx.FieldErrors{}
	d, ok := calendario.ParseData(in.DataEvento)
	switch {
	case !ok:
		errs["data_evento"] = "Indica la data dell'evento (gg/mm/aaaa)."
	case d.After(s.Oggi()):
		errs["data_evento"] = "La data dell'evento non può essere futura."
	}
	if !contains(Categorie, in.Categoria) {
		errs["categoria"] = "Scegli la categoria della nota."
	}
	testo := strings.TrimSpace(in.Testo)
	switch {
	case testo == "":
		errs["testo"] = "Scrivi il testo della nota."
	case utf8.RuneCountInString(testo) > Limiti.Max("testo"):
		errs["testo"] = "La nota supera i 20.000 caratteri: dividila in più note."
	}
	var rettifica *uuid.UUID
	if in.RettificaDi != "" {
		r, err := uuid.Parse(in.RettificaDi)
		if err != nil {
			return nil, ErrNotFound
		}
		rettifica = &r
	}
	if len(errs) > 0 {
		return errs, nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.Lock(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if rettifica != nil {
			cat, corretta, err := notaDaRettificare(ctx, tx, *rettifica, id)
			if errors.Is(err, pgx.ErrNoRows) || err == nil && !VedeNota(p, c, cat) {
				return ErrNotFound
			}
			if err != nil {
				return err
			}
			if corretta {
				return ErrNotaGiaRettificata
			}
		}
		nid, err := insertNota(ctx, tx, id, d, in.Categoria, testo, p.OperatoreID, rettifica)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return ErrNotaGiaRettificata
		}
		if err != nil {
			return err
		}
		v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito = registro.Scrittura, "diario", nid.String(), id.String(), registro.Consentito
		v.Dettaglio = "nota " + in.Categoria
		if rettifica != nil {
			v.Dettaglio = "rettifica, nota " + in.Categoria
		}
		return s.reg.RecordTx(ctx, tx, v)
	})
	return nil, err
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (h *Handler) diarioPage(w http.ResponseWriter, r *http.Request, status int, in NuovaNota, errs httpx.FieldErrors, msg string) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	p := authz.PrincipalOf(r)
	d, err := h.svc.Diario(r.Context(), p, id, r.URL.Query().Get("categoria"), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if in.DataEvento == "" {
		in.DataEvento = h.svc.Oggi().Format("2006-01-02")
	}
	if in.Categoria == "" {
		in.Categoria = "ordinaria"
	}
	var corr *Nota
	if rid := r.URL.Query().Get("rettifica"); rid != "" && in.RettificaDi == "" {
		in.RettificaDi = rid
	}
	for i := range d.Note {
		if d.Note[i].ID.String() == in.RettificaDi {
			corr = &d.Note[i]
			if in.Testo == "" {
				in.Testo, in.Categoria = corr.Testo, corr.Categoria
			}
		}
	}
	h.rs.Render(w, r, status, diarioPage(h.rs.Shell(r), d, in, errs, corr, msg))
}

func (h *Handler) Diario(w http.ResponseWriter, r *http.Request) {
	msg := ""
	if r.URL.Query().Get("salvata") == "1" {
		msg = "Nota salvata."
	}
	h.diarioPage(w, r, http.StatusOK, NuovaNota{}, nil, msg)
}

func (h *Handler) ScriviNota(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	in := NuovaNota{DataEvento: r.PostFormValue("data_evento"), Categoria: r.PostFormValue("categoria"),
		Testo: r.PostFormValue("testo"), RettificaDi: r.PostFormValue("rettifica_di")}
	p := authz.PrincipalOf(r)
	errs, err := h.svc.Scrivi(r.Context(), p, id, in, registro.VoceOf(r))
	switch {
	case errors.Is(err, ErrNotaGiaRettificata):
		h.diarioPage(w, r, http.StatusConflict, in, httpx.FieldErrors{"testo": "Nel frattempo questa nota è già stata rettificata da un altro operatore: il tuo testo non è stato salvato. Rettifica, se serve, la nota più recente."}, "")
		return
	case err != nil:
		h.rs.Error(w, r, err)
		return
	case len(errs) > 0:
		h.diarioPage(w, r, http.StatusUnprocessableEntity, in, errs, "")
		return
	}
	httpx.Redirect(w, r, "/casi/"+id.String()+"/diario?salvata=1")
}

func itoa(n int) string { return fmt.Sprint(n) }
