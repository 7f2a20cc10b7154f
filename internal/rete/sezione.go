package rete

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/monitoraggio"
	"github.com/cartella/cartella/internal/patto"
)

// SezioneInvii is the invii's section of the case page (casi.FonteSezione).
func (s *Service) SezioneInvii() casi.FonteSezione { return sezioneInvii{s} }

type sezioneInvii struct{ s *Service }

// AccodaSezione counts the case's invii, those open and those overdue.
func (x sezioneInvii) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var tutti, aperti, ritardo int
	accodaContaInviiDelCaso(b, c.ID, x.s.now(), &tutti, &aperti, &ritardo)
	return func() (casi.Sezione, error) {
		sz := casi.Sezione{Titolo: "Invii ai servizi della rete", Href: BaseInvii(c.ID), Testo: testoSezione(tutti, aperti, ritardo)}
		if ritardo > 0 {
			sz.Stato, sz.StatoTipo = "Risposta in ritardo", "warning"
		}
		return sz, nil
	}
}

func testoSezione(tutti, aperti, ritardo int) string {
	if tutti == 0 {
		return "Nessun invio ai servizi della rete"
	}
	t := casi.Quanti(tutti, "invio", "invii")
	if aperti > 0 {
		t += ", " + casi.Quanti(aperti, "in corso", "in corso")
	}
	if ritardo > 0 {
		t += ", " + casi.Quanti(ritardo, "senza risposta nei tempi", "senza risposta nei tempi")
	}
	return t
}

// InviiDeiSostegni gives the patto (patto.FonteInvii) the newest invio of
// each sostegno of the case. The caller has checked the access to the case.
func (s *Service) InviiDeiSostegni(ctx context.Context, casoID uuid.UUID) (map[string]patto.InvioSostegno, error) {
	m, err := ultimiPerSostegno(ctx, s.pool, casoID)
	if err != nil {
		return nil, fmt.Errorf("rete: invii dei sostegni: %w", err)
	}
	out := make(map[string]patto.InvioSostegno, len(m))
	for id, i := range m {
		x := patto.InvioSostegno{Codice: i.Codice(), Servizio: i.Servizio + " (" + i.Ente + ")", Stato: i.StatoLabel(),
			Href: BaseInvii(casoID) + "/" + i.ID.String()}
		if i.Stato == "concluso" {
			x.Esito = i.EsitoLabel() + ": " + i.EsitoTesto
		}
		out[id] = x
	}
	return out, nil
}

// InviiDelCaso gives the monitoring meetings (monitoraggio.FonteInvii) the
// invii of the case, newest first, with their outcome. The caller has
// checked the access to the case.
func (s *Service) InviiDelCaso(ctx context.Context, casoID uuid.UUID) ([]monitoraggio.InvioRete, error) {
	is, err := inviiDelCaso(ctx, s.pool, casoID)
	if err != nil {
		return nil, fmt.Errorf("rete: invii del caso: %w", err)
	}
	ora := s.now()
	out := make([]monitoraggio.InvioRete, 0, len(is))
	for _, i := range is {
		x := monitoraggio.InvioRete{Codice: i.Codice(), Componente: i.Persona, Servizio: i.Servizio + " (" + i.Ente + ")",
			Stato: i.StatoLabel(), Ritardo: i.InRitardo(ora), Href: BaseInvii(casoID) + "/" + i.ID.String()}
		switch i.Stato {
		case "rifiutato":
			x.Esito = "Rifiutato: " + i.MotivoRifiuto
		case "concluso":
			x.Esito = i.EsitoLabel() + ": " + i.EsitoTesto
		case "ritirato":
			x.Esito = "Ritirato: " + i.MotivoRitiro
		}
		out = append(out, x)
	}
	return out, nil
}
