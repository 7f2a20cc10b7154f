package analisi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/scadenze"
	"github.com/cartella/cartella/internal/schede"
)

// AccodaSituazione adds to the members of sit who is tenuto agli obblighi, as
// the newest finalised analisi preliminare records it (casi.FonteSituazione;
// issue 16, point 3): each member's percorso and reasons of exclusion or
// exemption with their dates, and whether the reason also exempts from the
// presentazione periodica (the reference table analisi_motivo, DL 48/2023
// art. 6 c. 4-5 and DM 154/2023 art. 9; docs/formats/motivi-obblighi.md).
// A draft does not count: the rules read what was decided.
//
// When the analisi records a dated disabilità or violenza di genere for a
// member, its dates rule and the undated flag of the nucleo (from the flow or
// the member's page) is not read for that reason, so that an exemption holds
// only within its dates. Two statements: the analisi and the reasons.
func (s *Service) AccodaSituazione(b *pgx.Batch, casoID uuid.UUID, sit *scadenze.Situazione) func() error {
	var (
		v       schede.Versione
		trovata bool
		motivi  Lista
	)
	schede.AccodaUltimaDefinitiva(b, casoID, Tipo, &v, &trovata)
	accodaLista(b, &motivi, s.oggi(), "analisi_motivo", motiviExtra)
	return func() error {
		if !trovata {
			return nil
		}
		cont, err := schede.Decodifica[Contenuto](v)
		if err != nil {
			return fmt.Errorf("analisi: obbligati: %w", err)
		}
		applicaObbligati(cont, Riferimenti{Motivi: motivi}, sit)
		return nil
	}
}

// SituazioniCasi is AccodaSituazione for a batch of cases (the daily
// refresh): the newest finalised analisi of every case in one query, the
// reference lists once.
func (s *Service) SituazioniCasi(ctx context.Context, q database.Querier, ids []uuid.UUID, sit map[uuid.UUID]*scadenze.Situazione) error {
	vs, err := schede.UltimeDefinitive(ctx, q, ids, Tipo)
	if err != nil {
		return fmt.Errorf("analisi: obbligati: %w", err)
	}
	if len(vs) == 0 {
		return nil
	}
	rif, err := CaricaRiferimenti(ctx, q, s.oggi())
	if err != nil {
		return fmt.Errorf("analisi: obbligati: %w", err)
	}
	for _, id := range ids {
		v, ok := vs[id]
		if !ok || sit[id] == nil {
			continue
		}
		cont, err := schede.Decodifica[Contenuto](v)
		if err != nil {
			return fmt.Errorf("analisi: obbligati: %w", err)
		}
		applicaObbligati(cont, rif, sit[id])
	}
	return nil
}

// applicaObbligati copies the percorsi and dated reasons of cont onto the
// members of sit.
func applicaObbligati(cont Contenuto, rif Riferimenti, sit *scadenze.Situazione) {
	for i := range sit.Membri {
		m := &sit.Membri[i]
		id, err := uuid.Parse(m.PersonaID)
		if err != nil {
			continue
		}
		c := cont.Componente(id.String())
		if c == nil || c.Uscito {
			continue
		}
		m.Percorso = c.Percorso
		m.Motivi = nil
		for _, mo := range c.Motivi {
			dal, err := time.Parse(time.DateOnly, mo.Dal)
			if err != nil {
				continue // a reason without its start is not applied
			}
			x := scadenze.MotivoObbligo{Codice: mo.Codice, Dal: dal}
			if al, err := time.Parse(time.DateOnly, mo.Al); err == nil {
				x.Al = &al
			}
			if r, ok := rif.Motivi.Get(mo.Codice); ok {
				x.EsoneroT90 = r.EsoneroT90
			}
			m.Motivi = append(m.Motivi, x)
			switch mo.Codice {
			case "disabilita":
				m.Disabilita = false
			case "violenza":
				m.VittimaViolenza = false
			}
		}
	}
}
