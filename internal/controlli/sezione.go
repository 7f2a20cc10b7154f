package controlli

import (
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
)

// AccodaSezione gives the controlli's section of the case page
// (casi.FonteSezione): for each request of the case, its type and the esito
// in force with its date — nothing else (no notes, no periods, no
// motivazione); requests not yet concluded are counted.
func (s *Service) AccodaSezione(b *pgx.Batch, c casi.Caso) func() (casi.Sezione, error) {
	var (
		parti   []string
		inCorso int
	)
	b.Queue(`SELECT r.tipo, e.esito, e.data_esito
		FROM controllo_richiesta r LEFT JOIN LATERAL (SELECT esito, data_esito FROM controllo_esito
			WHERE richiesta_id = r.id ORDER BY id DESC LIMIT 1) e ON true
		WHERE r.caso_id = $1 ORDER BY r.data_richiesta, r.id`, c.ID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var tipo Tipo
			var esito *string
			var data *time.Time
			if err := rows.Scan(&tipo, &esito, &data); err != nil {
				return fmt.Errorf("controlli: sezione: %w", err)
			}
			if esito == nil {
				inCorso++
				continue
			}
			parti = append(parti, tipo.Label()+": "+strings.ToLower(Esito(*esito).Breve())+" del "+calendario.Data(*data))
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("controlli: sezione: %w", err)
		}
		return nil
	})
	return func() (casi.Sezione, error) {
		if inCorso > 0 {
			parti = append(parti, casi.Quanti(inCorso, "controllo in corso", "controlli in corso"))
		}
		t := "Nessun controllo anagrafico"
		if len(parti) > 0 {
			t = strings.Join(parti, "; ")
		}
		return casi.Sezione{Titolo: "Controlli anagrafici", Testo: t}, nil
	}
}

// Breve is the esito in one word.
func (e Esito) Breve() string {
	switch e {
	case Positivo:
		return "Positivo"
	case Negativo:
		return "Negativo"
	case NonVerificabile:
		return "Non verificabile"
	}
	return string(e)
}
