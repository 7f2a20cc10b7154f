package casi

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/report"
)

// altroMotivo is the key of the row "Altro motivo" of casi-chiusi-motivo.
const altroMotivo = "altro"

// Dettagliabili are the indicators of casi whose cells the coordinatore PaIS
// follows to the list of their cases (report.Dettagliante).
func (s *Service) Dettagliabili() []string {
	return []string{"casi-stato-misura", "casi-andamento", "casi-comune", "casi-chiusi-motivo", "carico-case-manager"}
}

// DettaglioCasi lists the cases a cell of an indicator of casi counts, with
// the conditions of indicatori.go, anagrafica only (report.CasoAnagrafica),
// by number from dopo; the read is recorded in the registro.
func (s *Service) DettaglioCasi(ctx context.Context, f report.Filtro, sel report.Selezione, dopo int64, n int,
	audit registro.Voce) (string, []report.CasoAnagrafica, error) {
	a := Ambito{AmbitoID: f.AmbitoID, ComuneID: f.ComuneID}
	where, args := a.where(nil)
	conds := []string{where}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	periodo := func(col string, dal, al time.Time) string {
		return fmt.Sprintf("c.%s BETWEEN %s AND %s", col, arg(dal), arg(al))
	}
	var descr string
	switch sel.Indicatore {
	case "casi-stato-misura":
		st, mi := Stato(sel.Riga), Misura(sel.Colonna)
		if !slices.Contains(Stati, st) || !slices.Contains(Misure, mi) {
			return "", nil, report.ErrCella
		}
		conds = append(conds, fmt.Sprintf(nelPeriodo, len(args)+1, len(args)+2))
		args = append(args, f.Al, f.Dal)
		conds = append(conds, "c.stato = "+arg(string(st)), "d.misura = "+arg(string(mi)))
		descr = fmt.Sprintf("Casi per stato e misura: casi aperti nel periodo, oggi «%s», misura «%s».", st.Label(), mi.Label())
	case "casi-andamento":
		m, err := time.Parse("2006-01", sel.Riga)
		if err != nil {
			return "", nil, report.ErrCella
		}
		dal, al := m, m.AddDate(0, 1, -1)
		if dal.Before(f.Dal) {
			dal = f.Dal
		}
		if al.After(f.Al) {
			al = f.Al
		}
		if al.Before(dal) {
			return "", nil, report.ErrCella
		}
		switch sel.Colonna {
		case "nuovi":
			conds = append(conds, periodo("aperto_il", dal, al))
			descr = "Casi aperti"
		case "chiusi":
			conds = append(conds, periodo("chiuso_il", dal, al))
			descr = "Casi chiusi"
		default:
			return "", nil, report.ErrCella
		}
		descr = fmt.Sprintf("Casi nuovi e chiusi per mese: %s dal %s al %s.", strings.ToLower(descr), calendario.Data(dal), calendario.Data(al))
	case "casi-comune":
		id, err := strconv.ParseInt(sel.Riga, 10, 64)
		if err != nil {
			return "", nil, report.ErrCella
		}
		conds = append(conds, "c.comune_id = "+arg(id))
		switch sel.Colonna {
		case "nuovi":
			conds = append(conds, periodo("aperto_il", f.Dal, f.Al))
			descr = "casi aperti nel periodo"
		case "chiusi":
			conds = append(conds, periodo("chiuso_il", f.Dal, f.Al))
			descr = "casi chiusi nel periodo"
		case "in_carico":
			al := arg(f.Al)
			conds = append(conds, fmt.Sprintf("c.aperto_il <= %s AND (c.chiuso_il IS NULL OR c.chiuso_il > %s)", al, al))
			descr = "casi in carico l'ultimo giorno del periodo"
		default:
			return "", nil, report.ErrCella
		}
		descr = "Casi per comune: " + descr + "."
	case "casi-chiusi-motivo":
		conds = append(conds, periodo("chiuso_il", f.Dal, f.Al))
		switch {
		case sel.Riga == altroMotivo:
			conds = append(conds, "NOT (COALESCE(c.motivo_chiusura, '') = ANY("+arg(MotiviChiusura)+"))")
			descr = "Altro motivo"
		case slices.Contains(MotiviChiusura, sel.Riga):
			conds = append(conds, "c.motivo_chiusura = "+arg(sel.Riga))
			descr = sel.Riga
		default:
			return "", nil, report.ErrCella
		}
		descr = "Casi chiusi nel periodo per il motivo «" + descr + "»."
	case "carico-case-manager":
		id, err := uuid.Parse(sel.Riga)
		if err != nil || !f.Nominativi {
			return "", nil, report.ErrCella
		}
		conds = append(conds, "c.stato <> 'chiuso'", "c.case_manager_id = "+arg(id))
		descr = "Carico dei case manager: i casi aperti oggi del case manager."
	default:
		return "", nil, report.ErrCella
	}
	conds = append(conds, "c.numero > "+arg(dopo))
	rows, err := s.pool.Query(ctx, `
		SELECT c.id::text, c.numero, COALESCE(r.cognome || ' ' || r.nome, ''), COALESCE(r.codice_fiscale, ''), co.denominazione, c.stato,
		       COALESCE(o.cognome || ' ' || o.nome, '')
		FROM caso c
		JOIN comune co ON co.id = c.comune_id
		JOIN domanda d ON d.id = c.domanda_id
		LEFT JOIN operatore o ON o.id = c.case_manager_id
		LEFT JOIN LATERAL (
			SELECT p.cognome, p.nome, p.codice_fiscale
			FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
			WHERE nc.nucleo_id = c.nucleo_id AND nc.al IS NULL
			ORDER BY nc.relazione <> 'richiedente', nc.id
			LIMIT 1) r ON true
		WHERE `+strings.Join(conds, " AND ")+` ORDER BY c.numero LIMIT `+strconv.Itoa(n), args...)
	if err != nil {
		return "", nil, fmt.Errorf("casi: dettaglio: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (report.CasoAnagrafica, error) {
		var x report.CasoAnagrafica
		var st string
		err := r.Scan(&x.ID, &x.Numero, &x.Richiedente, &x.CodiceFiscale, &x.Comune, &st, &x.CaseManager)
		x.Codice, x.Stato = Caso{Numero: x.Numero}.Codice(), Stato(st).Label()
		return x, err
	})
	if err != nil {
		return "", nil, fmt.Errorf("casi: dettaglio: %w", err)
	}
	audit.Azione, audit.OggettoTipo, audit.Esito = registro.Lettura, "elenco_casi_cruscotto", registro.Consentito
	audit.Dettaglio = fmt.Sprintf("%s, riga %s, colonna %s, dal %s al %s: %d casi dopo il numero %d",
		sel.Indicatore, sel.Riga, sel.Colonna, calendario.Data(f.Dal), calendario.Data(f.Al), len(out), dopo)
	return descr, out, s.reg.Record(ctx, audit)
}
