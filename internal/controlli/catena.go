package controlli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The backward chain (domain.md §9.2): when the periods of the comune asked
// do not cover the requirement, its responsabile forwards the request to the
// comune of previous residence (any comune of the installation); that
// comune's responsabile records its periods and returns them ("restituita"),
// answers that it holds no record ("nessun_record"), or forwards it further
// back (its step closes as "inoltrata"). A return goes back to the comune
// asked, which sums the periods and alone finalises. The term stays the
// first comune's.

// Esiti of a step, in Italian.
func EsitoTappaLabel(e string) string {
	switch e {
	case "restituita":
		return "Periodi restituiti"
	case "nessun_record":
		return "Nessuna residenza registrata"
	case "inoltrata":
		return "Inoltrata al comune precedente"
	}
	return "In corso"
}

// Inoltra forwards request id to the comune named in in["comune"] (ISTAT
// code or name): by the first comune's responsabile (request aperta, no
// open step) or by the responsabile of the open step (which closes as
// "inoltrata").
func (s *Service) Inoltra(ctx context.Context, p authz.Principal, id uuid.UUID, in url.Values, v registro.Voce) error {
	chiave := strings.TrimSpace(in.Get("comune"))
	errs := httpx.FieldErrors{}
	nota := testo(errs, "nota_inoltro", in.Get("nota_inoltro"), MaxTesto, false, "")
	if chiave == "" {
		errs["comune"] = "Indica il comune di precedente residenza: nome o codice ISTAT."
	}
	if len(errs) > 0 {
		return errs
	}
	v.Dettaglio = "inoltro al comune precedente"
	return s.scrivi(ctx, p, id, in.Get("versione"), v, func(tx pgx.Tx, sc Scheda, a vista) error {
		if !sc.PuoInoltrare {
			return ErrStato
		}
		dest, _, nome, err := comuneInstallazione(ctx, tx, chiave)
		if err != nil {
			return fmt.Errorf("controlli: inoltra: %w", err)
		}
		if dest == 0 {
			return httpx.FieldErrors{"comune": "Nessun comune dell'installazione ha questo nome o codice ISTAT: controlla come l'hai scritto."}
		}
		if dest == sc.Richiesta.ComuneID {
			return httpx.FieldErrors{"comune": nome + " è il comune a cui INPS ha chiesto il controllo: scegli il comune di residenza precedente."}
		}
		for _, t := range sc.Tappe {
			if t.ComuneID == dest {
				return httpx.FieldErrors{"comune": nome + " è già nella catena di questa richiesta: scegli un altro comune."}
			}
		}
		now := s.now()
		if !a.completa {
			if err := chiudiTappa(ctx, tx, a.tappa.ID, "inoltrata", p.OperatoreID, nota, now); err != nil {
				return fmt.Errorf("controlli: inoltra: %w", err)
			}
		}
		if err := nuovaTappa(ctx, tx, id, len(sc.Tappe)+1, sc.MioComune, dest, p.OperatoreID, nota, now); err != nil {
			return fmt.Errorf("controlli: inoltra: %w", err)
		}
		return impostaStato(ctx, tx, id, Inoltrata)
	})
}

// Restituisci closes the open step of p's comune: esito "restituita" (its
// periods go back to the comune asked) or "nessun_record"; the request is
// with the comune asked again.
func (s *Service) Restituisci(ctx context.Context, p authz.Principal, id uuid.UUID, in url.Values, v registro.Voce) error {
	esito := in.Get("esito_tappa")
	errs := httpx.FieldErrors{}
	nota := testo(errs, "nota_chiusura", in.Get("nota_chiusura"), MaxTesto, false, "")
	if esito != "restituita" && esito != "nessun_record" {
		errs["esito_tappa"] = "Scegli se restituisci i periodi registrati o se il comune non ha registrazioni della persona."
	}
	if len(errs) > 0 {
		return errs
	}
	v.Dettaglio = "restituzione al comune richiesto"
	return s.scrivi(ctx, p, id, in.Get("versione"), v, func(tx pgx.Tx, sc Scheda, a vista) error {
		if !sc.PuoRestituire {
			return ErrStato
		}
		if esito == "restituita" && len(sc.Periodi) == 0 {
			return httpx.FieldErrors{"esito_tappa": "Non hai registrato periodi di residenza: registrali prima di restituirli, o indica che il comune non ha registrazioni."}
		}
		if err := chiudiTappa(ctx, tx, a.tappa.ID, esito, p.OperatoreID, nota, s.now()); err != nil {
			return fmt.Errorf("controlli: restituisci: %w", err)
		}
		return impostaStato(ctx, tx, id, Aperta)
	})
}

// Inoltra serves POST /controlli/{id}/inoltra.
func (h *Handler) Inoltra(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	err = h.svc.Inoltra(r.Context(), authz.PrincipalOf(r), id, r.PostForm, registro.VoceOf(r))
	h.esitoPost(w, r, "inoltra", "inoltrata", err)
}

// Restituisci serves POST /controlli/{id}/restituisci.
func (h *Handler) Restituisci(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	err = h.svc.Restituisci(r.Context(), authz.PrincipalOf(r), id, r.PostForm, registro.VoceOf(r))
	h.esitoPost(w, r, "restituisci", "restituita", err)
}
