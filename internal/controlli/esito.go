package controlli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// The esito (domain.md §9.3): finalised by the responsabile of the comune
// asked, with no step of the chain open; immutable once written (the
// database refuses any change); a rectification is a new esito that
// references the last one. A negative controllo ex post drafts, in the same
// transaction, the segnalazione of the loss of residence: it needs the
// request linked to its case (caso_id), so until the domanda is linked a
// negative ex post esito is refused with a message saying why (the
// responsabile may finalise as non verificabile meanwhile, or ask the
// coordinatore to link it). A verifica del nucleo with discrepancies is
// negativo and drafts one segnalazione per discrepancy.

// MaxMotivazione is the motivazione's length.
const MaxMotivazione = 4000

// MotivazioneProposta is the motivazione the form proposes: the
// evaluation's, for types with periods.
func (sc Scheda) MotivazioneProposta() string {
	if sc.Valutazione != nil {
		return sc.Valutazione.Motivazione
	}
	if sc.Nucleo != nil {
		if n := len(sc.Nucleo.Discrepanze); n > 0 {
			return fmt.Sprintf("La verifica ha accertato %d discrepanze tra la composizione dichiarata e l'anagrafe.", n)
		}
		return "La composizione del nucleo dichiarata corrisponde a quella risultante all'anagrafe."
	}
	return ""
}

// EsitoProposto is the esito the form proposes.
func (sc Scheda) EsitoProposto() string {
	switch {
	case sc.Valutazione != nil && sc.Valutazione.Soddisfatto:
		return string(Positivo)
	case sc.Valutazione != nil && !sc.Valutazione.ServonoPeriodiPrecedenti:
		return string(Negativo)
	case sc.Nucleo != nil && len(sc.Nucleo.Discrepanze) > 0:
		return string(Negativo)
	case sc.Nucleo != nil:
		return string(Positivo)
	}
	return ""
}

// Finalizza writes the esito of request id (or, once concluded, a
// rectification of the last esito).
func (s *Service) Finalizza(ctx context.Context, p authz.Principal, id uuid.UUID, in url.Values, v registro.Voce) error {
	errs := httpx.FieldErrors{}
	esito := Esito(in.Get("esito"))
	valido := false
	for _, e := range Esiti {
		valido = valido || e == esito
	}
	if !valido {
		errs["esito"] = "Scegli l'esito del controllo."
	}
	motivazione := testo(errs, "motivazione", in.Get("motivazione"), MaxMotivazione, true, "Scrivi la motivazione dell'esito: INPS la riceve con l'esito.")
	if len(errs) > 0 {
		return errs
	}
	v.Dettaglio = "esito " + string(esito)
	return s.scrivi(ctx, p, id, in.Get("versione"), v, func(tx pgx.Tx, sc Scheda, a vista) error {
		if !a.completa || !(sc.PuoFinalizzare || sc.PuoRettificare) {
			return ErrStato
		}
		r := sc.Richiesta
		oggi := s.oggi()
		e := EsitoFinale{RichiestaID: id, Esito: esito, Motivazione: motivazione, DataEsito: oggi, EntroTermine: !oggi.After(r.Scadenza)}
		var precedente *EsitoFinale
		if sc.PuoRettificare {
			precedente = sc.Ultimo()
			e.RettificaDi = &precedente.ID
			v.Dettaglio = "rettifica: " + v.Dettaglio
		}
		var snapshot []byte
		if sc.Valutazione != nil {
			b, err := json.Marshal(sc.Valutazione)
			if err != nil {
				return err
			}
			snapshot = b
		}
		switch {
		case r.Tipo == ResidenzaExPost && esito == Negativo && (precedente == nil || precedente.Esito != Negativo):
			if r.CasoID == nil {
				return httpx.FieldErrors{"esito": "Un controllo ex post negativo redige la segnalazione all'INPS del caso: questa richiesta non è ancora collegata alla domanda in Cartella. Chiedi al coordinatore dei controlli di collegarla, poi finalizza."}
			}
			seg, err := s.segnalaPerdita(ctx, tx, sc, p, motivazione)
			if err != nil {
				return err
			}
			e.SegnalazioneID = &seg
		case r.Tipo == ComposizioneNucleo:
			n := len(sc.Nucleo.Discrepanze)
			if n > 0 && esito != Negativo {
				return httpx.FieldErrors{"esito": "Hai registrato discrepanze: l'esito della verifica è negativo. Elimina le discrepanze registrate per errore prima di scegliere un altro esito."}
			}
			if n == 0 && esito == Negativo {
				return httpx.FieldErrors{"esito": "Per un esito negativo registra prima le discrepanze accertate: ognuna diventa una segnalazione."}
			}
			if n > 0 {
				if r.CasoID == nil {
					return httpx.FieldErrors{"esito": "La verifica non è collegata al caso del nucleo: le segnalazioni non si possono redigere."}
				}
				seg, err := s.segnalaDiscrepanze(ctx, tx, sc, p)
				if err != nil {
					return err
				}
				if seg != nil {
					e.SegnalazioneID = seg
				}
			}
		}
		if _, err := inserisciEsito(ctx, tx, e, snapshot, p.OperatoreID, s.now()); err != nil {
			return fmt.Errorf("controlli: esito: %w", err)
		}
		return impostaStato(ctx, tx, id, Conclusa)
	})
}

// segnalaPerdita drafts the segnalazione of a negative controllo ex post.
func (s *Service) segnalaPerdita(ctx context.Context, tx pgx.Tx, sc Scheda, p authz.Principal, motivazione string) (uuid.UUID, error) {
	r := sc.Richiesta
	evento := r.DataRiferimento
	if v := sc.Valutazione; v != nil && len(v.Interruzioni) > 0 {
		evento = v.Interruzioni[0].Dal
	}
	if oggi := s.oggi(); evento.After(oggi) {
		evento = oggi
	}
	seg, _, err := s.segn.CreaDaControlli(ctx, tx, segnalazioni.DaControlli{CasoID: *r.CasoID, CodiceFiscale: r.CodiceFiscale,
		Tipo: segnalazioni.TipoPerditaResidenza, DataEvento: evento, DataAccertamento: s.oggi(),
		Descrizione: "Controllo anagrafico ex post (richiesta " + r.IDRichiesta + "): " + motivazione, Operatore: p.OperatoreID})
	if errors.Is(err, segnalazioni.ErrNonComponente) {
		return uuid.Nil, httpx.FieldErrors{"esito": "La persona del controllo non risulta tra i componenti del nucleo del caso collegato: la segnalazione non si può redigere. Segnala il problema al coordinatore."}
	}
	return seg, err
}

// Finalizza serves POST /controlli/{id}/esito.
func (h *Handler) Finalizza(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	err = h.svc.Finalizza(r.Context(), authz.PrincipalOf(r), id, r.PostForm, registro.VoceOf(r))
	h.esitoPost(w, r, "esito", "finalizzato", err)
}

// GiorniImpiegati are the days from the request to esito e.
func (r Richiesta) GiorniImpiegati(e EsitoFinale) int {
	return int(e.DataEsito.Sub(r.DataRichiesta).Hours() / 24)
}
