package registro

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
)

// PageSize is the number of records per page of the viewer.
const PageSize = 50

// List returns a page of records (newest first) and whether older ones exist.
func (s *Service) List(ctx context.Context, f Filtro) ([]Voce, bool, error) {
	vs, err := list(ctx, s.pool, f, PageSize+1)
	if err != nil {
		return nil, false, err
	}
	if len(vs) > PageSize {
		return vs[:PageSize], true, nil
	}
	return vs, false, nil
}

// Labels of the actions, as the viewer shows them.
var Azioni = []struct{ Code, Label string }{
	{Login, "Accesso"}, {LoginNegato, "Accesso rifiutato"}, {Logout, "Uscita"},
	{Lettura, "Lettura"}, {Scrittura, "Scrittura"}, {Esportazione, "Esportazione"}, {Negato, "Accesso negato a una funzione"},
}

// AzioneLabel is the Italian label of an action code.
func AzioneLabel(code string) string {
	for _, a := range Azioni {
		if a.Code == code {
			return a.Label
		}
	}
	return code
}

// ExportCSV writes every record matching f, newest first, as CSV for
// spreadsheets used in Italy (semicolon-separated, UTF-8 with BOM). Cells
// that a spreadsheet would run as a formula are neutralised.
// Roles, objects and cases are in words and numbers; the technical ids
// follow, last, for whoever must match a record with the database.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, f Filtro, names map[uuid.UUID]string, casi Casi) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"id", "data e ora", "operatore", "ruolo", "azione", "oggetto", "caso", "esito", "richiesta",
		"indirizzo", "dettaglio", "firma", "id tecnico operatore", "id tecnico oggetto", "id tecnico caso"})
	f.Prima = 0
	for {
		vs, err := list(ctx, s.pool, f, 5000)
		if err != nil {
			return err
		}
		numeri, err := numeriDi(ctx, casi, vs)
		if err != nil {
			return err
		}
		for _, v := range vs {
			op, name := "", ""
			if v.OperatoreID != nil {
				op, name = v.OperatoreID.String(), names[*v.OperatoreID]
			}
			caso := ""
			if v.CasoID != "" {
				caso = casoLabel(v, numeri)
			}
			rec := []string{fmt.Sprint(v.ID), v.RegistratoIl.In(calendario.Roma).Format("2006-01-02 15:04:05"), name, RuoloLabel(v.Ruolo),
				AzioneLabel(v.Azione), oggettoLabel(v, names, numeri), caso, v.Esito, v.RequestID, v.Indirizzo, v.Dettaglio,
				hex.EncodeToString(firma(v)), op, v.OggettoID, v.CasoID}
			for i := range rec {
				rec[i] = neutralise(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(vs) < 5000 {
			return nil
		}
		f.Prima = vs[len(vs)-1].ID
	}
}

// neutralise prefixes cells that spreadsheets would evaluate (CSV injection).
func neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// firma is what the export shows of a record's seal: its signature, or the
// SHA-256 of the chain kept before ADR 0023.
func firma(v Voce) []byte {
	if v.Mac != nil {
		return v.Mac
	}
	return v.Hash
}
