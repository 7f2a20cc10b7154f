package analisi

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
)

// Every SQL statement of the module. It reads the case's nucleo (nucleo,
// persona, nucleo_componente; the current members through casi) and writes
// the case's state and the members' invio al CPI.

// membri are the current members of the nucleo, as the scheda snapshots
// them: applicant first, then by birth date.
func (s *Service) membri(ctx context.Context, q database.Querier, nucleoID uuid.UUID) ([]Componente, error) {
	ms, err := s.casi.Componenti(ctx, q, nucleoID)
	if err != nil {
		return nil, fmt.Errorf("analisi: membri: %w", err)
	}
	out := make([]Componente, len(ms))
	for i, m := range ms {
		out[i] = Componente{PersonaID: m.PersonaID.String(), CodiceFiscale: m.CodiceFiscale, Cognome: m.Cognome, Nome: m.Nome,
			Sesso: m.Sesso, DataNascita: m.DataNascita.Format(time.DateOnly), Relazione: m.Relazione, InScala: m.InScala,
			Disabilita: m.Disabilita, Svantaggio: m.Svantaggio, VittimaViolenza: m.VittimaViolenza}
		if m.InviatoCPI != nil {
			out[i].InvioCPI, out[i].DataInvioCPI = true, m.InviatoCPI.Format(time.DateOnly)
		}
	}
	return out, nil
}

// precompila is the content of a new analisi: what the case already knows.
func (s *Service) precompila(ctx context.Context, q database.Querier, c casi.Caso) (Contenuto, error) {
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
	out.Componenti, err = s.membri(ctx, q, c.NucleoID)
	return out, err
}

// spostaCaso moves the case to stato, bumping its version.
func spostaCaso(ctx context.Context, q database.Querier, casoID uuid.UUID, stato casi.Stato) error {
	if _, err := q.Exec(ctx, `UPDATE caso SET stato = $2, versione = versione + 1, updated_at = now() WHERE id = $1`, casoID, string(stato)); err != nil {
		return fmt.Errorf("analisi: stato del caso: %w", err)
	}
	return nil
}

// toccaCaso bumps the case's version.
func toccaCaso(ctx context.Context, q database.Querier, casoID uuid.UUID) error {
	if _, err := q.Exec(ctx, `UPDATE caso SET versione = versione + 1, updated_at = now() WHERE id = $1`, casoID); err != nil {
		return fmt.Errorf("analisi: caso: %w", err)
	}
	return nil
}

// inviaCPI records the invio al CPI of the current member personaID of the
// nucleo on day d; false when it was recorded already on that day.
func inviaCPI(ctx context.Context, q database.Querier, nucleoID, personaID uuid.UUID, d time.Time) (bool, error) {
	tag, err := q.Exec(ctx, `UPDATE nucleo_componente SET inviato_cpi_il = $3
			WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL AND inviato_cpi_il IS DISTINCT FROM $3`, nucleoID, personaID, d)
	if err != nil {
		return false, fmt.Errorf("analisi: invio al CPI: %w", err)
	}
	return tag.RowsAffected() > 0, nil
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

// CaricaRiferimenti loads the reference lists as valid at oggi, in one
// round trip.
func CaricaRiferimenti(ctx context.Context, q database.Querier, oggi time.Time) (Riferimenti, error) {
	var r Riferimenti
	b := &pgx.Batch{}
	accodaLista(b, &r.Aree, oggi, "analisi_area", `'', '', false, '', ''`)
	accodaLista(b, &r.Motivi, oggi, "analisi_motivo", motiviExtra)
	accodaLista(b, &r.Percorsi, oggi, "analisi_percorso", `descrizione, '', false, '', ''`)
	accodaLista(b, &r.Esiti, oggi, "analisi_esito", `prossimo_passo, '', false, '', COALESCE(stato_caso, '')`)
	accodaLista(b, &r.Servizi, oggi, "analisi_servizio", `'', '', false, '', ''`)
	return r, q.SendBatch(ctx, b).Close()
}

// motiviExtra are the columns of analisi_motivo after the common ones.
const motiviExtra = `'', tipo, esonero_t90, fonte, ''`

// accodaLista queues on b the reading of the reference table into dst:
// one row per code, the one valid at oggi if any, else the latest; in
// the lists' order.
func accodaLista(b *pgx.Batch, dst *Lista, oggi time.Time, table, extra string) {
	sql := `SELECT DISTINCT ON (codice) codice, etichetta, ordine,
	               attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1) AS valida, ` + extra + `
	        FROM ` + table + `
	        ORDER BY codice, (attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)) DESC, valido_dal DESC`
	b.Queue(sql, oggi).Query(func(rows pgx.Rows) error {
		l, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (VoceRif, error) {
			var v VoceRif
			err := row.Scan(&v.Codice, &v.Etichetta, &v.Ordine, &v.Valida, &v.Descrizione, &v.Tipo, &v.EsoneroT90, &v.Fonte, &v.StatoCaso)
			return v, err
		})
		if err != nil {
			return fmt.Errorf("analisi: riferimenti %s: %w", table, err)
		}
		sort.SliceStable(l, func(i, j int) bool {
			a, b := l[i], l[j]
			if a.Ordine != b.Ordine {
				return a.Ordine < b.Ordine
			}
			return a.Codice < b.Codice
		})
		*dst = l
		return nil
	})
}
