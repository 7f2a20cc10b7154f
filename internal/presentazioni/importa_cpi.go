package presentazioni

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// RigaCPI is one line of the CPI outcomes file (docs/formats/cpi.md).
type RigaCPI struct {
	IDDomanda     string `json:"id_domanda"`
	CodiceFiscale string `json:"codice_fiscale"`
	ConvocatoIl   string `json:"convocato_il"` // aaaa-mm-gg
	Esito         string `json:"esito"`        // presente | assente_giustificato | assente | "" (not known yet)
}

// ScartoCPI is a line refused, with its number and reason.
type ScartoCPI struct {
	Riga   int
	Motivo string
}

// EsitoImportCPI is what an import did.
type EsitoImportCPI struct {
	Registrate, Invariate int
	Scarti                []ScartoCPI
}

// Riepilogo is the summary in Italian.
func (e EsitoImportCPI) Riepilogo() string {
	return fmt.Sprintf("%d convocazioni registrate, %d invariate, %d righe scartate", e.Registrate, e.Invariate, len(e.Scarti))
}

// MaxRigaCPI is the longest line accepted, in bytes.
const MaxRigaCPI = 4096

// errScarto is a line's reason for refusal.
type errScarto string

func (e errScarto) Error() string { return string(e) }

// ImportaCPI reads the CPI's convocations of the members sent there, with
// their outcome, from r (JSON Lines, docs/formats/cpi.md) and records each
// on the open case of its domanda, as RegistraCPI does by hand: the case
// locked, the row written, the deadlines recomputed and the write recorded
// in the registro (v) in one transaction per line. A line equal to what is
// recorded changes nothing, so importing the same file again changes
// nothing; a refused line is reported with its reason and the others go on.
func (s *Service) ImportaCPI(ctx context.Context, r io.Reader, v registro.Voce) (EsitoImportCPI, error) {
	var e EsitoImportCPI
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, MaxRigaCPI), MaxRigaCPI)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		cambiata, err := s.rigaCPI(ctx, line, v)
		var sc errScarto
		switch {
		case errors.As(err, &sc):
			e.Scarti = append(e.Scarti, ScartoCPI{Riga: n, Motivo: string(sc)})
		case err != nil:
			return e, fmt.Errorf("presentazioni: import cpi: riga %d: %w", n, err)
		case cambiata:
			e.Registrate++
		default:
			e.Invariate++
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return e, fmt.Errorf("presentazioni: import cpi: riga %d oltre %d byte", n+1, MaxRigaCPI)
		}
		return e, err
	}
	return e, nil
}

func (s *Service) rigaCPI(ctx context.Context, line string, v registro.Voce) (bool, error) {
	var x RigaCPI
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&x); err != nil {
		return false, errScarto("non è un oggetto JSON con i campi id_domanda, codice_fiscale, convocato_il, esito")
	}
	cf := codicefiscale.Normalize(x.CodiceFiscale)
	var motivi []string
	if strings.TrimSpace(x.IDDomanda) == "" {
		motivi = append(motivi, "manca id_domanda")
	}
	if codicefiscale.Validate(cf) != nil {
		motivi = append(motivi, "codice_fiscale non valido")
	}
	d, err := time.Parse(time.DateOnly, x.ConvocatoIl)
	if err != nil {
		motivi = append(motivi, "convocato_il non è una data aaaa-mm-gg")
	}
	if x.Esito != "" && !valido(EsitiCPI, x.Esito) {
		motivi = append(motivi, "esito non ammesso (presente, assente_giustificato, assente o vuoto)")
	}
	if err == nil && x.Esito != "" && d.After(s.oggi()) {
		motivi = append(motivi, "esito di una convocazione futura")
	}
	if len(motivi) > 0 {
		return false, errScarto(strings.Join(motivi, "; "))
	}
	cambiata := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		c, err := s.casi.CasoApertoPerDomanda(ctx, tx, strings.TrimSpace(x.IDDomanda))
		if errors.Is(err, casi.ErrNotFound) {
			return errScarto("nessun caso aperto per questa domanda")
		}
		if err != nil {
			return err
		}
		if c, err = s.casi.Blocca(ctx, tx, c.ID); err != nil {
			return err
		}
		membri, err := s.casi.Componenti(ctx, tx, c.NucleoID)
		if err != nil {
			return err
		}
		var m *casi.Componente
		for i := range membri {
			if membri[i].CodiceFiscale == cf {
				m = &membri[i]
			}
		}
		switch {
		case m == nil:
			return errScarto("il codice fiscale non è di un componente attuale del nucleo")
		case m.InviatoCPI == nil:
			return errScarto("il componente non risulta inviato al Centro per l'impiego")
		case d.Before(*m.InviatoCPI):
			return errScarto("la convocazione precede l'invio al CPI")
		}
		prima, err := convocazioneCPI(ctx, tx, c.ID, m.PersonaID)
		if err != nil {
			return err
		}
		nuova := ConvocazioneCPI{PersonaID: m.PersonaID, ConvocatoIl: d, Esito: scadenze.EsitoCPI(x.Esito)}
		if prima != nil {
			if prima.ConvocatoIl.Equal(d) && prima.Esito == nuova.Esito {
				return nil
			}
			nuova.Versione = prima.Versione
		}
		ok, err := setConvocazioneCPI(ctx, tx, c.ID, nuova, nil)
		if err != nil || !ok {
			return errors.Join(err, ErrConflict)
		}
		if err := s.casi.Aggiorna(ctx, tx, c.ID); err != nil {
			return err
		}
		w := v
		w.Azione, w.Esito, w.OggettoTipo, w.OggettoID, w.CasoID = registro.Scrittura, registro.Consentito,
			"convocazione_cpi", m.PersonaID.String(), c.ID.String()
		w.Dettaglio = "import"
		cambiata = true
		return s.reg.RecordTx(ctx, tx, w)
	})
	return cambiata, err
}
