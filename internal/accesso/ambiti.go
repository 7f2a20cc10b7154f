package accesso

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The amministratore di sistema (Ministry side) creates the ambiti, puts
// their comuni in them and accredits their amministratori di ambito (nota
// ministeriale 2019). They see no beneficiary data and do not manage the
// ordinary operators: that is the amministratore di ambito's job.

// Errors of the ambiti screens.
var (
	ErrAmbitoNotFound = fmt.Errorf("accesso: ambito: %w", httpx.ErrNotFound)
	ErrComuneNotFound = fmt.Errorf("accesso: comune: %w", httpx.ErrNotFound)
)

// FiltroAmbiti selects ambiti in the list: Q matches codice or denominazione.
type FiltroAmbiti struct {
	Q      string
	Pagina int
}

// Amministratore is an amministratore di ambito as the ambiti screens show
// them: the operator, their state and since when they hold the role.
type Amministratore struct {
	Operatore Operatore
	Dal       time.Time  // start of the amministratore role
	Al        *time.Time // end of the role, if ended
	StatoDal  time.Time
	Motivo    string
	Versione  int
}

// RigaAmbito is one line of the list of ambiti.
type RigaAmbito struct {
	Ambito         Ambito
	NumComuni      int
	Amministratori []Amministratore
}

// SchedaAmbito is everything the ambito's page shows.
type SchedaAmbito struct {
	Ambito         Ambito
	Comuni         []Comune
	Amministratori []Amministratore
}

// sistema lets through only the amministratore di sistema.
func sistema(p authz.Principal) error {
	if p.Ruolo != authz.AmministratoreSistema {
		return fmt.Errorf("accesso: %w", httpx.ErrForbidden)
	}
	return nil
}

// recordTx writes v in the register within tx.
func (s *Service) recordTx(ctx context.Context, tx pgx.Tx, v registro.Voce) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.RecordTx(ctx, tx, v)
}

// ListAmbiti lists the ambiti, filtered, one page at a time.
func (s *Service) ListAmbiti(ctx context.Context, p authz.Principal, f FiltroAmbiti, audit registro.Voce) ([]RigaAmbito, bool, error) {
	if err := sistema(p); err != nil {
		return nil, false, err
	}
	if f.Pagina < 1 {
		f.Pagina = 1
	}
	var out []RigaAmbito
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if out, err = s.st.listAmbiti(ctx, tx, f); err != nil {
			return err
		}
		ids := make([]int64, len(out))
		for i, r := range out {
			ids[i] = r.Ambito.ID
		}
		amm, err := s.st.amministratori(ctx, tx, ids)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Amministratori = amm[out[i].Ambito.ID]
		}
		audit.Azione, audit.OggettoTipo, audit.Dettaglio = registro.Lettura, "ambiti", fmt.Sprintf("elenco, pagina %d", f.Pagina)
		return s.recordTx(ctx, tx, audit)
	})
	if err != nil {
		return nil, false, fmt.Errorf("accesso: list ambiti: %w", err)
	}
	hasNext := len(out) > PageSize
	if hasNext {
		out = out[:PageSize]
	}
	return out, hasNext, nil
}

// SchedaAmbito returns the ambito's page: its comuni and amministratori.
func (s *Service) SchedaAmbito(ctx context.Context, p authz.Principal, id int64, audit registro.Voce) (SchedaAmbito, error) {
	if err := sistema(p); err != nil {
		return SchedaAmbito{}, err
	}
	var sc SchedaAmbito
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if sc.Ambito, err = s.st.ambitoByID(ctx, tx, id, false); err != nil {
			return err
		}
		if sc.Comuni, err = s.st.comuniOfAmbito(ctx, tx, id); err != nil {
			return err
		}
		amm, err := s.st.amministratori(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		sc.Amministratori = amm[id]
		audit.Azione, audit.OggettoTipo, audit.OggettoID = registro.Lettura, "ambito", strconv.FormatInt(id, 10)
		return s.recordTx(ctx, tx, audit)
	})
	if errors.Is(err, ErrNotFound) {
		return SchedaAmbito{}, ErrAmbitoNotFound
	}
	if err != nil {
		return SchedaAmbito{}, fmt.Errorf("accesso: scheda ambito: %w", err)
	}
	return sc, nil
}

var reCodiceAmbito = regexp.MustCompile(`^[A-Z0-9_-]{2,32}$`)

// validate checks a new ambito; it returns the normalised values.
func (a Ambito) validate(errs httpx.FieldErrors) Ambito {
	a.Codice = strings.ToUpper(strings.TrimSpace(a.Codice))
	a.Denominazione, a.EnteCapofila = strings.TrimSpace(a.Denominazione), strings.TrimSpace(a.EnteCapofila)
	if a.Codice == "" {
		errs["codice"] = "Indica il codice dell'ambito."
	} else if !reCodiceAmbito.MatchString(a.Codice) {
		errs["codice"] = "Il codice deve avere da 2 a 32 caratteri tra lettere, cifre, trattino e trattino basso, senza spazi (ad esempio ATS-BO-01)."
	}
	if n := utf8.RuneCountInString(a.Denominazione); n < 2 || n > 200 {
		errs["denominazione"] = "Indica la denominazione dell'ambito (da 2 a 200 caratteri)."
	}
	if n := utf8.RuneCountInString(a.EnteCapofila); n < 2 || n > 200 {
		errs["ente_capofila"] = "Indica l'ente capofila (da 2 a 200 caratteri), ad esempio Comune di Bologna."
	}
	return a
}

// AddAmbito creates an ambito territoriale sociale, without comuni: they are
// added one by one from the ambito's page. Invalid input returns httpx.FieldErrors.
func (s *Service) AddAmbito(ctx context.Context, p authz.Principal, a Ambito, audit registro.Voce) (int64, error) {
	if err := sistema(p); err != nil {
		return 0, err
	}
	errs := httpx.FieldErrors{}
	a = a.validate(errs)
	duplicate := httpx.FieldErrors{"codice": "Esiste già un ambito con il codice " + a.Codice + ": scegli un altro codice."}
	if _, bad := errs["codice"]; !bad {
		if _, err := s.st.ambitoByCodice(ctx, s.pool, a.Codice); err == nil {
			errs["codice"] = duplicate["codice"]
		} else if !errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("accesso: add ambito: %w", err)
		}
	}
	if len(errs) > 0 {
		return 0, errs
	}
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if id, err = s.st.insertAmbito(ctx, tx, a); err != nil {
			return err
		}
		audit.Azione, audit.OggettoTipo, audit.OggettoID = registro.Scrittura, "ambito", strconv.FormatInt(id, 10)
		audit.Dettaglio = "creazione: " + a.Codice
		return s.recordTx(ctx, tx, audit)
	})
	if errors.Is(err, ErrDuplicateEntry) {
		return 0, duplicate
	}
	if err != nil {
		return 0, fmt.Errorf("accesso: add ambito: %w", err)
	}
	return id, nil
}

var reISTAT = regexp.MustCompile(`^[0-9]{6}$`)

// AddComune puts a comune in the ambito. comune is its ISTAT code or its
// name (exact, case-insensitive) among the comuni loaded by `cartella import
// comuni`; a name several comuni share needs the ISTAT code. A comune
// belongs to one ambito at most.
func (s *Service) AddComune(ctx context.Context, p authz.Principal, ambitoID int64, comune string, audit registro.Voce) (Comune, error) {
	if err := sistema(p); err != nil {
		return Comune{}, err
	}
	comune = strings.Join(strings.Fields(comune), " ")
	if comune == "" {
		if _, err := s.st.ambitoByID(ctx, s.pool, ambitoID, false); err != nil {
			return Comune{}, ambitoErr(err)
		}
		return Comune{}, httpx.FieldErrors{"comune": "Indica il codice ISTAT o il nome del comune."}
	}
	if errs := lunghezze(nil, "comune", comune); len(errs) > 0 {
		return Comune{}, errs
	}
	var c Comune
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.st.ambitoByID(ctx, tx, ambitoID, true); err != nil {
			return err
		}
		byISTAT := reISTAT.MatchString(comune)
		found, err := s.st.findComuni(ctx, tx, comune, byISTAT)
		if err != nil {
			return err
		}
		switch {
		case len(found) == 0 && byISTAT:
			return httpx.FieldErrors{"comune": "Nessun comune con codice ISTAT " + comune + " tra quelli caricati: verifica il codice (sei cifre, ad esempio 037006)."}
		case len(found) == 0:
			return httpx.FieldErrors{"comune": "Nessun comune di nome «" + comune + "» tra quelli caricati: verifica il nome o indica il codice ISTAT."}
		case len(found) > 1:
			var which []string
			for _, f := range found {
				which = append(which, fmt.Sprintf("%s (%s), codice ISTAT %s", f.Denominazione, f.Provincia, f.CodiceISTAT))
			}
			return httpx.FieldErrors{"comune": "Più comuni si chiamano «" + comune + "»: " + strings.Join(which, "; ") + ". Indica il codice ISTAT."}
		}
		if c, err = s.st.comuneForUpdate(ctx, tx, found[0].ID); err != nil {
			return err
		}
		if c.AmbitoID != nil {
			if *c.AmbitoID == ambitoID {
				return httpx.FieldErrors{"comune": "Il comune di " + c.Denominazione + " fa già parte di questo ambito."}
			}
			other, err := s.st.ambitoByID(ctx, tx, *c.AmbitoID, false)
			if err != nil {
				return err
			}
			return httpx.FieldErrors{"comune": fmt.Sprintf("Il comune di %s fa già parte dell'ambito «%s» (%s): un comune appartiene a un solo ambito. Rimuovilo prima da quell'ambito.",
				c.Denominazione, other.Denominazione, other.Codice)}
		}
		if err := s.st.setComuneAmbito(ctx, tx, c.ID, &ambitoID); err != nil {
			return err
		}
		c.AmbitoID = &ambitoID
		audit.Azione, audit.OggettoTipo, audit.OggettoID = registro.Scrittura, "ambito", strconv.FormatInt(ambitoID, 10)
		audit.Dettaglio = fmt.Sprintf("comune aggiunto: %s %s", c.CodiceISTAT, c.Denominazione)
		return s.recordTx(ctx, tx, audit)
	})
	if err != nil {
		return Comune{}, ambitoErr(err)
	}
	return c, nil
}

func ambitoErr(err error) error {
	var fe httpx.FieldErrors
	switch {
	case errors.As(err, &fe), errors.Is(err, ErrComuneNotFound):
		return err
	case errors.Is(err, ErrNotFound):
		return ErrAmbitoNotFound
	}
	return fmt.Errorf("accesso: ambito: %w", err)
}

// RemoveComune takes a comune out of the ambito. It is refused while any
// role not yet ended (of an operator not revoked) has the comune as scope:
// the amministratore di ambito must end those roles first.
func (s *Service) RemoveComune(ctx context.Context, p authz.Principal, ambitoID, comuneID int64, audit registro.Voce) error {
	if err := sistema(p); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.st.ambitoByID(ctx, tx, ambitoID, true); err != nil {
			return err
		}
		c, err := s.st.comuneForUpdate(ctx, tx, comuneID)
		if errors.Is(err, ErrNotFound) || (err == nil && (c.AmbitoID == nil || *c.AmbitoID != ambitoID)) {
			return ErrComuneNotFound
		}
		if err != nil {
			return err
		}
		uses, err := s.st.ruoliOnComune(ctx, tx, comuneID, s.today())
		if err != nil {
			return err
		}
		if len(uses) > 0 {
			n, what := 0, make([]string, 0, len(uses))
			for _, u := range uses {
				n += u.n
				what = append(what, fmt.Sprintf("%s: %d", u.ruolo.Label(), u.n))
			}
			return httpx.FieldErrors{"comune_rimuovi": fmt.Sprintf("Il comune di %s non può essere rimosso: %d ruoli in vigore hanno questo comune come ambito di competenza (%s). "+
				"L'amministratore di ambito deve prima terminarli.", c.Denominazione, n, strings.Join(what, "; "))}
		}
		if err := s.st.setComuneAmbito(ctx, tx, comuneID, nil); err != nil {
			return err
		}
		audit.Azione, audit.OggettoTipo, audit.OggettoID = registro.Scrittura, "ambito", strconv.FormatInt(ambitoID, 10)
		audit.Dettaglio = fmt.Sprintf("comune rimosso: %s %s", c.CodiceISTAT, c.Denominazione)
		return s.recordTx(ctx, tx, audit)
	})
	if err != nil {
		return ambitoErr(err)
	}
	return nil
}

// AccreditAmministratore accredits the amministratore di ambito of ambitoID,
// in force from dal. The role cannot be combined with any other: a codice
// fiscale already accredited anywhere is refused.
func (s *Service) AccreditAmministratore(ctx context.Context, p authz.Principal, ambitoID int64, an Anagrafica, dal string, audit registro.Voce) (uuid.UUID, error) {
	if err := sistema(p); err != nil {
		return uuid.Nil, err
	}
	amb, err := s.st.ambitoByID(ctx, s.pool, ambitoID, false)
	if err != nil {
		return uuid.Nil, ambitoErr(err)
	}
	errs := httpx.FieldErrors{}
	an, nascita := s.validaAnagrafica(an, errs)
	ass := Assegnazione{Ruolo: authz.AmministratoreAmbito, AmbitoID: &amb.ID}
	if d, ok := calendario.ParseData(dal); !ok {
		errs["dal"] = "Indica la data di inizio (gg/mm/aaaa)."
	} else {
		ass.Dal = d
	}
	incompatible := httpx.FieldErrors{"codice_fiscale": "Questo codice fiscale è già accreditato: il ruolo di amministratore di ambito è incompatibile con altri ruoli."}
	if _, bad := errs["codice_fiscale"]; !bad {
		if _, err := s.st.operatoreByCF(ctx, s.pool, an.CodiceFiscale); err == nil {
			errs["codice_fiscale"] = incompatible["codice_fiscale"]
		} else if !errors.Is(err, ErrNotFound) {
			return uuid.Nil, err
		}
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	if err := checkScope(ass); err != nil {
		return uuid.Nil, err
	}
	op := Operatore{CodiceFiscale: an.CodiceFiscale, Nome: an.Nome, Cognome: an.Cognome, DataNascita: nascita,
		ComuneNascita: an.ComuneNascita, Genere: an.Genere, Email: an.Email, Telefono: an.Telefono, AmbitoID: &amb.ID}
	var id uuid.UUID
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := s.st.ambitoByID(ctx, tx, amb.ID, true); err != nil {
			return err
		}
		if id, err = s.st.insertOperatore(ctx, tx, op); err != nil {
			return err
		}
		if _, err := s.st.insertAssegnazione(ctx, tx, id, ass); err != nil {
			return err
		}
		desc := fmt.Sprintf("Accreditato come %s — %s, dal %s.", ass.Ruolo.Label(), amb.Denominazione, calendario.Data(ass.Dal))
		return s.writeEvent(ctx, tx, id, p, "accreditamento", desc, audit)
	})
	if errors.Is(err, ErrDuplicateEntry) {
		return uuid.Nil, incompatible
	}
	if err != nil {
		return uuid.Nil, ambitoErr(err)
	}
	s.notify(ctx, id, "attivo")
	return id, nil
}

// ChangeStatoAmministratore suspends, reactivates or revokes the
// accreditation of an amministratore di ambito of ambitoID, with the date
// and the reason, as ChangeStato does for the operators of an ambito.
func (s *Service) ChangeStatoAmministratore(ctx context.Context, p authz.Principal, ambitoID int64, id uuid.UUID, versione int,
	azione, dal, motivo string, audit registro.Voce) error {
	if err := sistema(p); err != nil {
		return err
	}
	return s.changeStato(ctx, p, id, versione, azione, dal, motivo, audit, func(op Operatore) error {
		if err := sistema(p); err != nil {
			return err
		}
		if op.ID == uuid.Nil {
			return ErrOperatoreNotFound
		}
		ok, err := s.st.isAmministratore(ctx, s.pool, op.ID, ambitoID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrOperatoreNotFound
		}
		return nil
	})
}
