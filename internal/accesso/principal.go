package accesso

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
)

// Principals returns one authz.Principal per role the operator holds today
// (ErrNotAccredited when none): the operator then acts in one of them.
func (s *Service) Principals(ctx context.Context, id uuid.UUID) ([]authz.Principal, error) {
	acc, err := s.Active(ctx, id)
	if err != nil {
		return nil, err
	}
	return acc.principals(), nil
}

// PrincipalsByCF is Principals for the codice fiscale of a login.
func (s *Service) PrincipalsByCF(ctx context.Context, cf string) ([]authz.Principal, error) {
	acc, err := s.ActiveByCF(ctx, cf)
	if err != nil {
		return nil, err
	}
	return acc.principals(), nil
}

// PrincipaliSQL is the query the session's lookup runs alongside, for the
// operator whose id is the SQL expression operatore (session.Accanto): the
// operator, when active, and their roles in force on @accesso_giorno
// (PrincipaliArgs), as one JSON value; no row when they hold none. So a
// request reads its session, operator and roles in one statement (issue 19);
// PrincipalsJSON reads the value back.
func (s *Service) PrincipaliSQL(operatore string) string {
	return `SELECT jsonb_build_object('id', o.id, 'codice_fiscale', o.codice_fiscale, 'nome', o.nome, 'cognome', o.cognome,
			'ruoli', jsonb_agg(jsonb_build_object('id', r.id, 'ruolo', r.ruolo,
				'ambito_id', r.ambito_id, 'ambito', COALESCE(a.denominazione, ''),
				'comune_id', r.comune_id, 'comune', COALESCE(c.denominazione, ''),
				'ente_id', r.ente_id, 'fondo', r.fondo, 'dal', r.dal, 'al', r.al) ORDER BY r.id))
		FROM operatore o
		JOIN operatore_ruolo r ON r.operatore_id = o.id AND r.dal <= @accesso_giorno AND (r.al IS NULL OR r.al >= @accesso_giorno)
		LEFT JOIN ambito a ON a.id = r.ambito_id
		LEFT JOIN comune c ON c.id = r.comune_id
		WHERE o.id = ` + operatore + ` AND o.stato = 'attivo'
		GROUP BY o.id`
}

// PrincipaliArgs are PrincipaliSQL's parameters: today, by the service's clock.
func (s *Service) PrincipaliArgs() pgx.NamedArgs {
	return pgx.NamedArgs{"accesso_giorno": s.today()}
}

// accreditamentoJSON is the value of PrincipaliSQL.
type accreditamentoJSON struct {
	ID            uuid.UUID `json:"id"`
	CodiceFiscale string    `json:"codice_fiscale"`
	Nome          string    `json:"nome"`
	Cognome       string    `json:"cognome"`
	Ruoli         []struct {
		ID         int64   `json:"id"`
		Ruolo      Ruolo   `json:"ruolo"`
		AmbitoID   *int64  `json:"ambito_id"`
		AmbitoNome string  `json:"ambito"`
		ComuneID   *int64  `json:"comune_id"`
		ComuneNome string  `json:"comune"`
		EnteID     *int64  `json:"ente_id"`
		Fondo      *string `json:"fondo"`
		Dal        string  `json:"dal"`
		Al         *string `json:"al"`
	} `json:"ruoli"`
}

// PrincipalsJSON is Principals from the value PrincipaliSQL read with the
// session (ErrNotAccredited when it found none). Only the name of an
// operatore_ente's ente is read apart, through Enti.
func (s *Service) PrincipalsJSON(ctx context.Context, raw []byte) ([]authz.Principal, error) {
	if raw == nil {
		return nil, ErrNotAccredited
	}
	var v accreditamentoJSON
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("accesso: principals: %w", err)
	}
	if len(v.Ruoli) == 0 {
		return nil, ErrNotAccredited
	}
	acc := Accreditamento{Operatore: Operatore{ID: v.ID, CodiceFiscale: v.CodiceFiscale, Nome: v.Nome, Cognome: v.Cognome, Stato: "attivo"}}
	for _, r := range v.Ruoli {
		a := Assegnazione{ID: r.ID, Ruolo: r.Ruolo, AmbitoID: r.AmbitoID, AmbitoNome: r.AmbitoNome,
			ComuneID: r.ComuneID, ComuneNome: r.ComuneNome, EnteID: r.EnteID}
		if r.Fondo != nil {
			a.Fondo = *r.Fondo
		}
		var err error
		if a.Dal, err = time.Parse(time.DateOnly, r.Dal); err != nil {
			return nil, fmt.Errorf("accesso: principals: %w", err)
		}
		if r.Al != nil {
			al, err := time.Parse(time.DateOnly, *r.Al)
			if err != nil {
				return nil, fmt.Errorf("accesso: principals: %w", err)
			}
			a.Al = &al
		}
		acc.Ruoli = append(acc.Ruoli, a)
	}
	if err := s.nomiEnti(ctx, acc.Ruoli); err != nil {
		return nil, err
	}
	return acc.principals(), nil
}

func (a Accreditamento) principals() []authz.Principal {
	out := make([]authz.Principal, 0, len(a.Ruoli))
	for _, r := range a.Ruoli {
		out = append(out, authz.Principal{
			OperatoreID:   a.Operatore.ID,
			CodiceFiscale: a.Operatore.CodiceFiscale,
			Nome:          a.Operatore.Nome,
			Cognome:       a.Operatore.Cognome,
			RuoloID:       r.ID,
			Ruolo:         r.Ruolo,
			RuoloLabel:    r.Ruolo.Label(),
			Ambito:        r.Ambito(),
			Domain:        r.Domain(),
			AmbitoID:      r.AmbitoID,
			ComuneID:      r.ComuneID,
			EnteID:        r.EnteID,
			AltriRuoli:    len(a.Ruoli) > 1,
		})
	}
	return out
}

// Bindings returns every role binding in force today for active operators,
// as casbin loads them.
func (s *Service) Bindings(ctx context.Context) ([]authz.Binding, error) {
	rows, err := s.st.bindings(ctx, s.pool, s.today())
	if err != nil {
		return nil, fmt.Errorf("accesso: bindings: %w", err)
	}
	out := make([]authz.Binding, len(rows))
	for i, r := range rows {
		out[i] = authz.Binding{OperatoreID: r.operatoreID, Ruolo: string(r.a.Ruolo), Domain: r.a.Domain()}
	}
	return out, nil
}
