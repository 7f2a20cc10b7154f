package incontri

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// AppuntamentoCaso is an appointment in one of the operator's cases, as the
// agenda, the calendar feed and the meetings to register show it: a
// convocazione, or an appointment another module keeps (a monitoring
// meeting of the patto) given as a convocazione of its Tipo.
type AppuntamentoCaso struct {
	Convocazione
	Numero      int64  // the case's number
	Richiedente string // empty unless the case is still the operator's
	Href        string // the appointment's page; "" for a convocazione (the case's incontri)
}

// FonteAppuntamenti is a module that keeps appointments in the operator's
// cases besides the convocazioni; internal/app wires it (ConAppuntamenti).
type FonteAppuntamenti interface {
	// AppuntamentiOperatore returns the appointments in operator op's
	// cases from dal to al (the cancelled ones too when annullati).
	AppuntamentiOperatore(ctx context.Context, q database.Querier, op uuid.UUID, dal, al time.Time, annullati bool) ([]AppuntamentoCaso, error)
	// DaRegistrareOperatore returns the oldest limit appointments before
	// prima still to register in op's open cases, and how many there are.
	DaRegistrareOperatore(ctx context.Context, q database.Querier, op uuid.UUID, prima time.Time, limit int) ([]AppuntamentoCaso, int, error)
}

// ConAppuntamenti adds the appointments the modules fonti keep to the
// agenda, the feed and the meetings to register.
func (s *Service) ConAppuntamenti(fonti ...FonteAppuntamenti) *Service {
	s.fonti = fonti
	return s
}

// ordina sorts appointments by start, then by case number.
func ordina(as []appuntamento) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].Inizio.Equal(as[j].Inizio) {
			return as[i].Inizio.Before(as[j].Inizio)
		}
		return as[i].Numero < as[j].Numero
	})
}

// appuntamenti are the operator's convocazioni from dal to al and the
// appointments the other modules keep in their cases, by start.
func (s *Service) appuntamenti(ctx context.Context, q database.Querier, operatoreID uuid.UUID, dal, al time.Time, annullate bool) ([]appuntamento, error) {
	as, err := convocazioniAgenda(ctx, q, operatoreID, dal, al, annullate)
	if err != nil {
		return nil, err
	}
	for _, f := range s.fonti {
		altri, err := f.AppuntamentiOperatore(ctx, q, operatoreID, dal, al, annullate)
		if err != nil {
			return nil, fmt.Errorf("incontri: appuntamenti: %w", err)
		}
		as = append(as, altri...)
	}
	ordina(as)
	return as, nil
}

// daRegistrare returns the oldest limit appointments of the operator that
// took place before prima and were never registered, and how many there
// are: the convocazioni, and those the other modules keep.
func (s *Service) daRegistrare(ctx context.Context, q database.Querier, operatoreID uuid.UUID, prima time.Time, limit int) ([]appuntamento, int, error) {
	as, n, err := convocazioniDaRegistrare(ctx, q, operatoreID, prima, limit)
	if err != nil {
		return nil, 0, err
	}
	for _, f := range s.fonti {
		altri, m, err := f.DaRegistrareOperatore(ctx, q, operatoreID, prima, limit)
		if err != nil {
			return nil, 0, fmt.Errorf("incontri: da registrare: %w", err)
		}
		as, n = append(as, altri...), n+m
	}
	ordina(as)
	if len(as) > limit {
		as = as[:limit]
	}
	return as, n, nil
}
