package controlli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/segnalazioni"
)

// Verifiche del nucleo (domain.md §9.4): the declared composition of the
// nucleo (the members of the case's nucleo, as the DSU declared them) next
// to what the responsabile finds in the anagrafe, recorded as
// discrepancies; finalising with discrepancies is negativo and drafts one
// segnalazione each (TipoDiscrepanzaNucleo), without them positivo.

// Dichiarato is a declared member: only what the comparison needs (no
// other data of the case).
type Dichiarato struct {
	CodiceFiscale string
	Cognome, Nome string
	DataNascita   time.Time
	Relazione     string
}

// Discrepanza is a difference between the declared nucleo and the anagrafe.
type Discrepanza struct {
	ID             int64
	Tipo           string
	CodiceFiscale  string
	Descrizione    string
	SegnalazioneID *uuid.UUID
	RegistratoDa   string
	RegistratoIl   time.Time
}

// TipiDiscrepanza are the kinds of discrepancy, in Italian.
var TipiDiscrepanza = []struct{ Codice, Label string }{
	{"componente_non_residente", "Componente dichiarato non residente all'indirizzo"},
	{"componente_non_dichiarato", "Persona residente non dichiarata nel nucleo"},
	{"relazione_diversa", "Relazione di parentela diversa"},
	{"dati_anagrafici_diversi", "Dati anagrafici diversi"},
	{"altro", "Altro"},
}

// TipoDiscrepanzaLabel is kind c in Italian.
func TipoDiscrepanzaLabel(c string) string {
	for _, t := range TipiDiscrepanza {
		if t.Codice == c {
			return t.Label
		}
	}
	return c
}

// Nucleo is the comparison of a verifica del nucleo.
type Nucleo struct {
	SenzaCaso   bool // the request is not linked to a case: no declared composition
	Dichiarati  []Dichiarato
	Discrepanze []Discrepanza
}

func (s *Service) nucleo(ctx context.Context, q database.Querier, r Richiesta) (Nucleo, error) {
	var n Nucleo
	var err error
	if n.Discrepanze, err = discrepanze(ctx, q, r.ID); err != nil {
		return n, err
	}
	if r.CasoID == nil {
		n.SenzaCaso = true
		return n, nil
	}
	c, err := s.casi.Caso(ctx, *r.CasoID)
	if err != nil {
		return n, fmt.Errorf("controlli: nucleo: %w", err)
	}
	ms, err := s.casi.Componenti(ctx, q, c.NucleoID)
	if err != nil {
		return n, err
	}
	for _, m := range ms {
		n.Dichiarati = append(n.Dichiarati, Dichiarato{CodiceFiscale: m.CodiceFiscale, Cognome: m.Cognome, Nome: m.Nome,
			DataNascita: m.DataNascita, Relazione: m.Relazione})
	}
	return n, nil
}

func discrepanze(ctx context.Context, q database.Querier, id uuid.UUID) ([]Discrepanza, error) {
	rows, err := q.Query(ctx, `SELECT d.id, d.tipo, d.codice_fiscale, d.descrizione, d.segnalazione_id, o.nome || ' ' || o.cognome, d.registrato_il
		FROM controllo_discrepanza d JOIN operatore o ON o.id = d.registrato_da WHERE d.richiesta_id = $1 ORDER BY d.id`, id)
	if err != nil {
		return nil, fmt.Errorf("controlli: discrepanze: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (Discrepanza, error) {
		var d Discrepanza
		err := row.Scan(&d.ID, &d.Tipo, &d.CodiceFiscale, &d.Descrizione, &d.SegnalazioneID, &d.RegistratoDa, &d.RegistratoIl)
		return d, err
	})
}

// RegistraDiscrepanza records a discrepancy of a verifica del nucleo.
func (s *Service) RegistraDiscrepanza(ctx context.Context, p authz.Principal, id uuid.UUID, in url.Values, v registro.Voce) error {
	errs := httpx.FieldErrors{}
	tipo := in.Get("tipo_discrepanza")
	if TipoDiscrepanzaLabel(tipo) == tipo {
		errs["tipo_discrepanza"] = "Scegli il tipo di discrepanza."
	}
	cf := strings.ToUpper(strings.TrimSpace(in.Get("cf_discrepanza")))
	if cf != "" && !cfValido(cf) {
		errs["cf_discrepanza"] = "Il codice fiscale ha 16 lettere e cifre."
	}
	descr := testo(errs, "descrizione_discrepanza", in.Get("descrizione_discrepanza"), MaxTesto, true,
		"Descrivi la discrepanza: cosa risulta all'anagrafe rispetto a quanto dichiarato.")
	if len(errs) > 0 {
		return errs
	}
	v.Dettaglio = "registra discrepanza"
	return s.scrivi(ctx, p, id, in.Get("versione"), v, func(tx pgx.Tx, sc Scheda, a vista) error {
		if !a.completa || !sc.PuoRegistrare || sc.Richiesta.Tipo != ComposizioneNucleo {
			return ErrStato
		}
		_, err := tx.Exec(ctx, `INSERT INTO controllo_discrepanza (richiesta_id, tipo, codice_fiscale, descrizione, registrato_da, registrato_il)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, tipo, cf, descr, p.OperatoreID, s.now())
		return err
	})
}

// EliminaDiscrepanza removes discrepancy n before the esito.
func (s *Service) EliminaDiscrepanza(ctx context.Context, p authz.Principal, id uuid.UUID, n int64, versione string, v registro.Voce) error {
	v.Dettaglio = "elimina discrepanza"
	return s.scrivi(ctx, p, id, versione, v, func(tx pgx.Tx, sc Scheda, a vista) error {
		if !a.completa || !sc.PuoRegistrare {
			return ErrStato
		}
		tag, err := tx.Exec(ctx, `DELETE FROM controllo_discrepanza WHERE id = $1 AND richiesta_id = $2 AND segnalazione_id IS NULL`, n, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return ErrNotFound
		}
		return nil
	})
}

// segnalaDiscrepanze drafts one segnalazione per discrepancy not yet
// signalled, in tx; it returns the first one's id.
func (s *Service) segnalaDiscrepanze(ctx context.Context, tx pgx.Tx, sc Scheda, p authz.Principal) (*uuid.UUID, error) {
	var primo *uuid.UUID
	dich := map[string]bool{}
	for _, m := range sc.Nucleo.Dichiarati {
		dich[m.CodiceFiscale] = true
	}
	for _, d := range sc.Nucleo.Discrepanze {
		if d.SegnalazioneID != nil {
			continue
		}
		cf := d.CodiceFiscale
		if !dich[cf] {
			cf = sc.Richiesta.CodiceFiscale // a person not declared: the segnalazione is about the applicant
		}
		descr := TipoDiscrepanzaLabel(d.Tipo) + ": " + d.Descrizione
		if d.CodiceFiscale != "" && d.CodiceFiscale != cf {
			descr += " (codice fiscale " + d.CodiceFiscale + ")"
		}
		seg, _, err := s.segn.CreaDaControlli(ctx, tx, segnalazioni.DaControlli{CasoID: *sc.Richiesta.CasoID, CodiceFiscale: cf,
			Tipo: segnalazioni.TipoDiscrepanzaNucleo, DataEvento: sc.Richiesta.DataRiferimento, DataAccertamento: s.oggi(),
			Descrizione: descr, Operatore: p.OperatoreID})
		if errors.Is(err, segnalazioni.ErrNonComponente) {
			return nil, httpx.FieldErrors{"esito": "Il richiedente della verifica non risulta tra i componenti dichiarati del nucleo: la segnalazione non si può redigere. Segnala il problema al coordinatore."}
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE controllo_discrepanza SET segnalazione_id = $2 WHERE id = $1`, d.ID, seg); err != nil {
			return nil, err
		}
		if primo == nil {
			primo = &seg
		}
	}
	return primo, nil
}

func cfValido(s string) bool {
	if len(s) != 16 {
		return false
	}
	for _, c := range s {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// RegistraDiscrepanza serves POST /controlli/{id}/discrepanze.
func (h *Handler) RegistraDiscrepanza(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	err = h.svc.RegistraDiscrepanza(r.Context(), authz.PrincipalOf(r), id, r.PostForm, registro.VoceOf(r))
	h.esitoPost(w, r, "discrepanze", "registrato", err)
}

// EliminaDiscrepanza serves POST /controlli/{id}/discrepanze/{n}/elimina.
func (h *Handler) EliminaDiscrepanza(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	n, ok := numParam(r)
	if !ok {
		h.rs.Error(w, r, ErrNotFound)
		return
	}
	_ = r.ParseForm()
	err = h.svc.EliminaDiscrepanza(r.Context(), authz.PrincipalOf(r), id, n, r.PostForm.Get("versione"), registro.VoceOf(r))
	h.esitoPost(w, r, "discrepanze", "eliminato", err)
}
