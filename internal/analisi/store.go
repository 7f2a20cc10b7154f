package analisi

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
)

// membri are the current members of the nucleo, as the scheda snapshots
// them: applicant first, then by birth date.
func membri(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Componente, error) {
	rows, err := q.Query(ctx, `
		SELECT p.id, p.codice_fiscale, p.cognome, p.nome, p.sesso, p.data_nascita, nc.relazione,
		       nc.in_scala_equivalenza, nc.disabilita, nc.svantaggio, nc.vittima_violenza, nc.inviato_cpi_il
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', p.data_nascita, nc.id`, nucleoID)
	if err != nil {
		return nil, fmt.Errorf("analisi: membri: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var c Componente
		var id uuid.UUID
		var nascita time.Time
		var cpi *time.Time
		err := r.Scan(&id, &c.CodiceFiscale, &c.Cognome, &c.Nome, &c.Sesso, &nascita, &c.Relazione,
			&c.InScala, &c.Disabilita, &c.Svantaggio, &c.VittimaViolenza, &cpi)
		c.PersonaID, c.DataNascita = id.String(), nascita.Format(time.DateOnly)
		if cpi != nil {
			c.InvioCPI, c.DataInvioCPI = true, cpi.Format(time.DateOnly)
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("analisi: membri: %w", err)
	}
	return out, nil
}

// precompila is the content of a new analisi: what the case already knows.
func precompila(ctx context.Context, q database.Querier, c casi.Caso) (Contenuto, error) {
	var out Contenuto
	n := &out.Nucleo
	n.Misura, n.IDDomanda = string(c.Misura), c.IDDomanda
	if c.DataPAD != nil {
		n.DataPAD = c.DataPAD.Format(time.DateOnly)
	}
	if err := q.QueryRow(ctx, `SELECT telefono, email, indirizzo FROM nucleo WHERE id = $1`, c.NucleoID).
		Scan(&n.Telefono, &n.Email, &n.Indirizzo); err != nil {
		return out, fmt.Errorf("analisi: nucleo: %w", err)
	}
	// The applicant's contacts and domicile complete the nucleo's.
	var tel, email, residenza, domicilio string
	err := q.QueryRow(ctx, `
		SELECT p.telefono, p.email, p.residenza, p.domicilio
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL
		ORDER BY nc.relazione <> 'richiedente', nc.id LIMIT 1`, c.NucleoID).Scan(&tel, &email, &residenza, &domicilio)
	if err != nil && err != pgx.ErrNoRows {
		return out, fmt.Errorf("analisi: richiedente: %w", err)
	}
	if n.Telefono == "" {
		n.Telefono = tel
	}
	if n.Email == "" {
		n.Email = email
	}
	if n.Indirizzo == "" {
		n.Indirizzo = residenza
	}
	n.Domicilio = domicilio
	out.Componenti, err = membri(ctx, q, c.NucleoID)
	return out, err
}

// allinea brings a reopened content up to date with the nucleo: members who
// joined are added, those who left are marked, the flags the nucleo records
// are refreshed. It reports whether anything changed.
func allinea(c Contenuto, attuali []Componente) (Contenuto, bool) {
	cambiato := false
	presenti := map[string]Componente{}
	for _, a := range attuali {
		presenti[a.PersonaID] = a
	}
	for i := range c.Componenti {
		m := &c.Componenti[i]
		a, ok := presenti[m.PersonaID]
		if !ok {
			if !m.Uscito {
				m.Uscito, cambiato = true, true
			}
			continue
		}
		delete(presenti, m.PersonaID)
		if m.Uscito || m.Relazione != a.Relazione || m.InScala != a.InScala || m.Disabilita != a.Disabilita ||
			m.Svantaggio != a.Svantaggio || m.VittimaViolenza != a.VittimaViolenza {
			m.Uscito, m.Relazione, m.InScala, m.Disabilita, m.Svantaggio, m.VittimaViolenza =
				false, a.Relazione, a.InScala, a.Disabilita, a.Svantaggio, a.VittimaViolenza
			cambiato = true
		}
	}
	for _, a := range attuali { // in the nucleo's order
		if _, nuovo := presenti[a.PersonaID]; nuovo {
			c.Componenti = append(c.Componenti, a)
			cambiato = true
		}
	}
	return c, cambiato
}
