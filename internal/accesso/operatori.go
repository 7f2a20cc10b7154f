package accesso

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Errors of the accreditation screens, wrapping the kinds httpx maps to a
// status.
var (
	ErrOperatoreNotFound = fmt.Errorf("accesso: operatore: %w", httpx.ErrNotFound)
	ErrConflict          = fmt.Errorf("accesso: changed by someone else: %w", httpx.ErrConflict)
)

// Fondi finanziano il contratto dell'operatore (domain.md §1.1).
var Fondi = []string{"Fondo Povertà", "PN Inclusione e lotta alla povertà", "Fondo nazionale politiche sociali",
	"Fondo sociale regionale", "Bilancio comunale", "Altro"}

// NonAccreditabile is the message for a codice fiscale that cannot be
// accredited in the ambito (held elsewhere, or an amministratore's): it
// says neither which nor where.
const NonAccreditabile = "Questo codice fiscale non può essere accreditato in questo ambito. Verifica che sia corretto; " +
	"se lo è, rivolgiti all'assistenza indicando il codice fiscale."

// RuoliAmbito are the roles an amministratore di ambito may assign.
var RuoliAmbito = []Ruolo{authz.CoordinatorePaIS, authz.CaseManager, authz.CoordinatoreControlli, authz.ResponsabileControlli, authz.OperatoreATS,
	authz.GestoreRete, authz.OperatoreEnte, authz.OperatorePresentazioni}

// Anagrafica is the operator's data as the 2019 note lists it.
type Anagrafica struct {
	CodiceFiscale, Nome, Cognome, DataNascita, ComuneNascita, Genere, Email, Telefono string
	// The office contacts printed on the patto for the family (optional).
	TelefonoUfficio, EmailUfficio, OrariUfficio string
}

// NuovoRuolo is a role to assign: comune empty means the whole ambito (only
// for the roles that allow it); EnteID is the ente of the rete dei servizi
// of an operatore_ente (ignored for the other roles).
type NuovoRuolo struct {
	Ruolo, ComuneID, EnteID, Fondo, Dal string
}

// Scheda is everything the accreditation page shows of one operator.
type Scheda struct {
	Operatore Operatore
	StatoDal  time.Time
	Motivo    string
	Versione  int
	Ruoli     []RuoloStorico
	Storico   []Evento
}

// RuoloStorico is a role with its period, in force or ended.
type RuoloStorico struct {
	Assegnazione
	MotivoFine string
	InVigore   bool
}

// Evento is one line of the operator's history.
type Evento struct {
	Quando      time.Time
	Autore      string
	Azione      string
	Descrizione string
}

// Filtro selects operators in the list.
type Filtro struct {
	Q, Ruolo, Stato string
	ComuneID        int64
	Pagina          int
}

// PageSize is the number of operators per page.
const PageSize = 25

// RigaOperatore is one line of the list.
type RigaOperatore struct {
	Operatore Operatore
	Ruoli     []Assegnazione // in force today
}

// Auditor records in the register within the service's transaction.
type Auditor interface {
	RecordTx(ctx context.Context, tx pgx.Tx, v registro.Voce) error
}

// SetAudit wires the access register and the hook run after every
// accreditation change (the composition root reloads the casbin bindings
// and ends the sessions of a suspended operator).
func (s *Service) SetAudit(a Auditor, changed func(ctx context.Context, operatoreID uuid.UUID, stato string)) {
	s.audit, s.changed = a, changed
}

// ambitoOf is the ambito an amministratore di ambito administers.
func ambitoOf(p authz.Principal) (int64, error) {
	if p.Ruolo != authz.AmministratoreAmbito || p.AmbitoID == nil {
		return 0, fmt.Errorf("accesso: %w", httpx.ErrForbidden)
	}
	return *p.AmbitoID, nil
}

// ListOperatori lists the operators of the principal's ambito, filtered.
func (s *Service) ListOperatori(ctx context.Context, p authz.Principal, f Filtro, audit registro.Voce) ([]RigaOperatore, bool, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return nil, false, err
	}
	if f.Pagina < 1 {
		f.Pagina = 1
	}
	ops, err := s.st.listOperatori(ctx, s.pool, amb, f, s.today())
	if err != nil {
		return nil, false, fmt.Errorf("accesso: list: %w", err)
	}
	hasNext := len(ops) > PageSize
	if hasNext {
		ops = ops[:PageSize]
	}
	out := make([]RigaOperatore, len(ops))
	for i, o := range ops {
		out[i].Operatore = o
		if out[i].Ruoli, err = s.st.activeAssegnazioni(ctx, s.pool, o.ID, s.today()); err != nil {
			return nil, false, err
		}
		if err := s.nomiEnti(ctx, out[i].Ruoli); err != nil {
			return nil, false, err
		}
	}
	audit.Azione, audit.OggettoTipo, audit.Dettaglio = registro.Lettura, "operatori", fmt.Sprintf("elenco, pagina %d", f.Pagina)
	return out, hasNext, s.record(ctx, audit)
}

func (s *Service) record(ctx context.Context, v registro.Voce) error {
	if s.audit == nil {
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return s.audit.RecordTx(ctx, tx, v) })
}

// SchedaOperatore returns the operator's page; operators of other ambiti do
// not exist for this amministratore (404).
func (s *Service) SchedaOperatore(ctx context.Context, p authz.Principal, id uuid.UUID, audit registro.Voce) (Scheda, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return Scheda{}, err
	}
	sc, err := s.st.scheda(ctx, s.pool, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (sc.Operatore.AmbitoID == nil || *sc.Operatore.AmbitoID != amb)) {
		return Scheda{}, ErrOperatoreNotFound
	}
	if err == nil {
		if adm, aerr := s.st.isAmministratoreAny(ctx, s.pool, id); aerr != nil {
			return Scheda{}, aerr
		} else if adm {
			return Scheda{}, ErrOperatoreNotFound
		}
	}
	if err != nil {
		return Scheda{}, fmt.Errorf("accesso: scheda: %w", err)
	}
	today := s.today()
	for i := range sc.Ruoli {
		r := &sc.Ruoli[i]
		r.InVigore = !r.Dal.After(today) && (r.Al == nil || !r.Al.Before(today))
		if err := s.nomeEnte(ctx, &r.Assegnazione); err != nil {
			return Scheda{}, err
		}
	}
	audit.Azione, audit.OggettoTipo, audit.OggettoID = registro.Lettura, "operatore", id.String()
	return sc, s.record(ctx, audit)
}

var (
	reNome     = regexp.MustCompile(`^[\p{L}' .-]{1,80}$`)
	reTelefono = regexp.MustCompile(`^\+?[0-9 ./-]{6,20}$`)
)

// validate checks the anagrafica; it returns the normalised values.
func (a Anagrafica) validate(errs httpx.FieldErrors) (Anagrafica, *time.Time) {
	a.CodiceFiscale = codicefiscale.Normalize(a.CodiceFiscale)
	a.Nome, a.Cognome = strings.TrimSpace(a.Nome), strings.TrimSpace(a.Cognome)
	a.Email, a.Telefono = strings.TrimSpace(a.Email), strings.TrimSpace(a.Telefono)
	a.ComuneNascita = strings.TrimSpace(a.ComuneNascita)
	if a.CodiceFiscale == "" {
		errs["codice_fiscale"] = "Indica il codice fiscale."
	} else if err := codicefiscale.Validate(a.CodiceFiscale); err != nil {
		errs["codice_fiscale"] = "Codice fiscale non valido: " + err.Error() + "."
	}
	if !reNome.MatchString(a.Nome) {
		errs["nome"] = "Indica il nome (solo lettere, spazi, apostrofi e trattini)."
	}
	if !reNome.MatchString(a.Cognome) {
		errs["cognome"] = "Indica il cognome (solo lettere, spazi, apostrofi e trattini)."
	}
	if a.Genere != "M" && a.Genere != "F" {
		errs["genere"] = "Indica il genere."
	}
	var nascita *time.Time
	if d, ok := calendario.ParseData(a.DataNascita); !ok {
		errs["data_nascita"] = "Indica la data di nascita (gg/mm/aaaa)."
	} else if d.After(time.Now()) || d.Before(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)) {
		errs["data_nascita"] = "La data di nascita non è plausibile."
	} else {
		nascita = &d
	}
	if _, bad := errs["codice_fiscale"]; !bad && nascita != nil && (a.Genere == "M" || a.Genere == "F") &&
		!codicefiscale.Consistent(a.CodiceFiscale, *nascita, a.Genere) {
		errs["codice_fiscale"] = "Il codice fiscale non corrisponde alla data di nascita e al genere indicati."
	}
	if a.ComuneNascita == "" {
		errs["comune_nascita"] = "Indica il comune (o lo Stato estero) di nascita."
	}
	if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
		errs["email"] = "Indica un indirizzo e-mail valido, ad esempio nome.cognome@comune.it."
	}
	if a.Telefono != "" && !reTelefono.MatchString(a.Telefono) {
		errs["telefono"] = "Il numero di telefono può contenere solo cifre, spazi e il prefisso +."
	}
	a.TelefonoUfficio, a.EmailUfficio = strings.TrimSpace(a.TelefonoUfficio), strings.TrimSpace(a.EmailUfficio)
	a.OrariUfficio = strings.TrimSpace(a.OrariUfficio)
	if a.TelefonoUfficio != "" && !reTelefono.MatchString(a.TelefonoUfficio) {
		errs["telefono_ufficio"] = "Il telefono dell'ufficio può contenere solo cifre, spazi e il prefisso +, ad esempio 080 5771111."
	}
	if a.EmailUfficio != "" {
		if addr, err := mail.ParseAddress(a.EmailUfficio); err != nil || addr.Address != a.EmailUfficio {
			errs["email_ufficio"] = "Indica un indirizzo e-mail d'ufficio valido, ad esempio servizisociali@comune.it."
		}
	}
	lunghezze(errs, "nome", a.Nome, "cognome", a.Cognome, "comune_nascita", a.ComuneNascita, "email", a.Email, "telefono", a.Telefono,
		"telefono_ufficio", a.TelefonoUfficio, "email_ufficio", a.EmailUfficio, "orari_ufficio", a.OrariUfficio)
	return a, nascita
}

// validateRuolo checks a role to assign within ambito amb.
func (s *Service) validateRuolo(ctx context.Context, amb int64, in NuovoRuolo, errs httpx.FieldErrors) (Assegnazione, error) {
	a := Assegnazione{Ruolo: Ruolo(in.Ruolo), AmbitoID: &amb, Fondo: in.Fondo}
	ok := false
	for _, r := range RuoliAmbito {
		ok = ok || r == a.Ruolo
	}
	if !ok {
		errs["ruolo"] = "Scegli il ruolo."
	}
	if in.ComuneID != "" {
		var cid int64
		if _, err := fmt.Sscan(in.ComuneID, &cid); err != nil {
			errs["comune_id"] = "Scegli un comune dell'ambito."
		} else {
			comuni, err := s.st.comuniOfAmbito(ctx, s.pool, amb)
			if err != nil {
				return a, err
			}
			found := false
			for _, c := range comuni {
				found = found || c.ID == cid
			}
			if !found {
				errs["comune_id"] = "Scegli un comune dell'ambito."
			}
			a.ComuneID = &cid
		}
	}
	if ok {
		switch a.Ruolo {
		case authz.CaseManager, authz.CoordinatoreControlli, authz.ResponsabileControlli, authz.OperatorePresentazioni:
			if a.ComuneID == nil {
				errs["comune_id"] = "Per questo ruolo indica il comune di competenza."
			}
		case authz.OperatoreATS:
			if a.ComuneID != nil {
				errs["comune_id"] = "L'operatore ATS opera sull'intero ambito: non indicare un comune."
			}
		case authz.GestoreRete:
			if a.ComuneID != nil {
				errs["comune_id"] = "Il gestore della rete opera sull'intero ambito: non indicare un comune."
			}
		case authz.OperatoreEnte:
			if a.ComuneID != nil {
				errs["comune_id"] = "L'operatore di un ente opera per l'ente, non per un comune: non indicare un comune."
			}
			id, err := s.validateEnte(ctx, amb, in.EnteID, errs)
			if err != nil {
				return a, err
			}
			a.EnteID = id
		}
	}
	fondoOK := false
	for _, f := range Fondi {
		fondoOK = fondoOK || f == in.Fondo
	}
	if !fondoOK {
		errs["fondo"] = "Scegli il fondo che finanzia l'incarico."
	}
	if d, ok := calendario.ParseData(in.Dal); !ok {
		errs["dal"] = "Indica la data di inizio (gg/mm/aaaa)."
	} else {
		a.Dal = d
	}
	return a, nil
}

// validateEnte checks the ente of an operatore_ente: one of the active enti
// of the ambito's rete dei servizi (an ente of another ambito, or a
// deactivated one, is refused next to the field).
func (s *Service) validateEnte(ctx context.Context, amb int64, in string, errs httpx.FieldErrors) (*int64, error) {
	in = strings.TrimSpace(in)
	if in == "" {
		errs["ente_id"] = "Per l'operatore di un ente scegli l'ente della rete per cui opera."
		return nil, nil
	}
	var id int64
	if _, err := fmt.Sscan(in, &id); err != nil {
		errs["ente_id"] = "Scegli un ente attivo della rete dell'ambito."
		return nil, nil
	}
	enti, err := s.EntiAmbito(ctx, amb)
	if err != nil {
		return nil, err
	}
	for _, e := range enti {
		if e.ID == id {
			return &id, nil
		}
	}
	errs["ente_id"] = "Scegli un ente attivo della rete dell'ambito."
	return nil, nil
}

func (s *Service) autore(p authz.Principal) *uuid.UUID { id := p.OperatoreID; return &id }

// Accredit creates an operator of the principal's ambito with a first role.
// Invalid input returns httpx.FieldErrors.
func (s *Service) AccreditOperatore(ctx context.Context, p authz.Principal, an Anagrafica, r NuovoRuolo, audit registro.Voce) (uuid.UUID, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return uuid.Nil, err
	}
	errs := httpx.FieldErrors{}
	an, nascita := s.validaAnagrafica(an, errs)
	ass, err := s.validateRuolo(ctx, amb, r, errs)
	if err != nil {
		return uuid.Nil, err
	}
	if _, bad := errs["codice_fiscale"]; !bad {
		if other, err := s.st.operatoreByCF(ctx, s.pool, an.CodiceFiscale); err == nil {
			adm, aerr := s.st.isAmministratoreAny(ctx, s.pool, other.ID)
			if aerr != nil {
				return uuid.Nil, aerr
			}
			// Within the ambito the amministratore says what stands in the
			// way; a codice fiscale held in another ambito, or by the
			// amministratore di sistema, is not this ambito's business: one
			// message, naming neither.
			stesso := other.AmbitoID != nil && *other.AmbitoID == amb
			switch {
			case stesso && adm:
				errs["codice_fiscale"] = "Questo codice fiscale è di un amministratore dell'ambito: il ruolo di amministratore non è compatibile con altri ruoli."
			case stesso:
				errs["codice_fiscale"] = "Questo operatore è già accreditato nell'ambito: aprine la scheda per aggiungere un ruolo."
			default:
				errs["codice_fiscale"] = NonAccreditabile
			}
		} else if !errors.Is(err, ErrNotFound) {
			return uuid.Nil, err
		}
	}
	if len(errs) > 0 {
		return uuid.Nil, errs
	}
	op := Operatore{CodiceFiscale: an.CodiceFiscale, Nome: an.Nome, Cognome: an.Cognome, DataNascita: nascita,
		ComuneNascita: an.ComuneNascita, Genere: an.Genere, Email: an.Email, Telefono: an.Telefono, AmbitoID: &amb,
		TelefonoUfficio: an.TelefonoUfficio, EmailUfficio: an.EmailUfficio, OrariUfficio: an.OrariUfficio}
	var id uuid.UUID
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if id, err = s.st.insertOperatore(ctx, tx, op); err != nil {
			return err
		}
		if _, err := s.st.insertAssegnazione(ctx, tx, id, ass); err != nil {
			return err
		}
		desc := fmt.Sprintf("Accreditato come %s — %s, dal %s, fondo %s.", ass.Ruolo.Label(), s.scopeLabel(ctx, ass), calendario.Data(ass.Dal), ass.Fondo)
		return s.writeEvent(ctx, tx, id, p, "accreditamento", desc, audit)
	})
	if errors.Is(err, ErrDuplicateEntry) {
		return uuid.Nil, httpx.FieldErrors{"codice_fiscale": "Questo codice fiscale è già accreditato."}
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("accesso: accredit: %w", err)
	}
	s.notify(ctx, id, "attivo")
	return id, nil
}

func (s *Service) scopeLabel(ctx context.Context, a Assegnazione) string {
	if a.EnteID != nil {
		_ = s.nomeEnte(ctx, &a) // the label falls back to "Ente n. ID"
		return a.Ambito()
	}
	if a.ComuneID == nil {
		return "intero ambito"
	}
	if c, err := s.st.comuneByID(ctx, s.pool, *a.ComuneID); err == nil {
		return "Comune di " + c.Denominazione
	}
	return "comune"
}

// writeEvent appends to the operator's history and to the access register,
// in the caller's transaction.
func (s *Service) writeEvent(ctx context.Context, tx pgx.Tx, id uuid.UUID, p authz.Principal, azione, desc string, audit registro.Voce) error {
	if err := s.st.insertStorico(ctx, tx, id, s.autore(p), azione, desc); err != nil {
		return err
	}
	if s.audit == nil {
		return nil
	}
	audit.Azione, audit.OggettoTipo, audit.OggettoID, audit.Dettaglio = registro.Scrittura, "operatore", id.String(), azione
	return s.audit.RecordTx(ctx, tx, audit)
}

func (s *Service) notify(ctx context.Context, id uuid.UUID, stato string) {
	if s.changed != nil {
		s.changed(ctx, id, stato)
	}
	s.annuncia(ctx, id)
}

// loadOwn loads an operator of the principal's ambito for a change.
func (s *Service) loadOwn(ctx context.Context, tx pgx.Tx, p authz.Principal, id uuid.UUID) (Operatore, int, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return Operatore{}, 0, err
	}
	op, ver, err := s.st.operatoreForUpdate(ctx, tx, id)
	if errors.Is(err, ErrNotFound) || (err == nil && (op.AmbitoID == nil || *op.AmbitoID != amb)) {
		return Operatore{}, 0, ErrOperatoreNotFound
	}
	if err != nil {
		return Operatore{}, 0, err
	}
	if adm, err := s.st.isAmministratoreAny(ctx, tx, id); err != nil {
		return Operatore{}, 0, err
	} else if adm {
		return Operatore{}, 0, ErrOperatoreNotFound
	}
	return op, ver, nil
}

// UpdateAnagrafica changes the operator's data. versione is the version the
// form was loaded with: if someone saved in between, ErrConflict.
func (s *Service) UpdateAnagrafica(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, an Anagrafica, audit registro.Voce) error {
	errs := httpx.FieldErrors{}
	an, nascita := s.validaAnagrafica(an, errs)
	if len(errs) > 0 {
		return errs
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		op, ver, err := s.loadOwn(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if ver != versione {
			return ErrConflict
		}
		if an.CodiceFiscale != op.CodiceFiscale {
			return httpx.FieldErrors{"codice_fiscale": "Il codice fiscale identifica l'operatore e non può essere modificato: revoca l'accreditamento e accreditalo di nuovo."}
		}
		var changes []string
		diff := func(label, before, after string) {
			if before != after {
				changes = append(changes, fmt.Sprintf("%s da «%s» a «%s»", label, before, after))
			}
		}
		diff("nome", op.Nome, an.Nome)
		diff("cognome", op.Cognome, an.Cognome)
		diff("data di nascita", dateOrEmpty(op.DataNascita), calendario.Data(*nascita))
		diff("comune di nascita", op.ComuneNascita, an.ComuneNascita)
		diff("genere", op.Genere, an.Genere)
		diff("e-mail", op.Email, an.Email)
		diff("telefono", op.Telefono, an.Telefono)
		diff("telefono dell'ufficio", op.TelefonoUfficio, an.TelefonoUfficio)
		diff("e-mail dell'ufficio", op.EmailUfficio, an.EmailUfficio)
		diff("orari di ricevimento", op.OrariUfficio, an.OrariUfficio)
		if len(changes) == 0 {
			return nil
		}
		op.Nome, op.Cognome, op.DataNascita, op.ComuneNascita = an.Nome, an.Cognome, nascita, an.ComuneNascita
		op.Genere, op.Email, op.Telefono = an.Genere, an.Email, an.Telefono
		op.TelefonoUfficio, op.EmailUfficio, op.OrariUfficio = an.TelefonoUfficio, an.EmailUfficio, an.OrariUfficio
		if err := s.st.updateAnagrafica(ctx, tx, op); err != nil {
			return err
		}
		return s.writeEvent(ctx, tx, id, p, "modifica_anagrafica", "Anagrafica modificata: "+strings.Join(changes, "; ")+".", audit)
	})
}

// dateOrEmpty is a date as calendario.Data writes it, or "" when there is none.
func dateOrEmpty(t *time.Time) string {
	if t == nil {
		return ""
	}
	return calendario.Data(*t)
}

// AddRuolo assigns one more role to an operator of the ambito.
func (s *Service) AddRuolo(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, r NuovoRuolo, audit registro.Voce) error {
	amb, err := ambitoOf(p)
	if err != nil {
		return err
	}
	errs := httpx.FieldErrors{}
	ass, err := s.validateRuolo(ctx, amb, r, errs)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return errs
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		op, ver, err := s.loadOwn(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if ver != versione {
			return ErrConflict
		}
		if op.Stato == "revocato" {
			return httpx.FieldErrors{"ruolo": "L'accreditamento è revocato: non si possono aggiungere ruoli."}
		}
		active, err := s.st.activeAssegnazioni(ctx, tx, id, s.today())
		if err != nil {
			return err
		}
		for _, a := range active {
			if a.Ruolo == ass.Ruolo && a.Domain() == ass.Domain() {
				return httpx.FieldErrors{"ruolo": "L'operatore ha già questo ruolo per lo stesso ambito di competenza."}
			}
		}
		if _, err := s.st.insertAssegnazione(ctx, tx, id, ass); err != nil {
			return err
		}
		if err := s.st.bumpVersione(ctx, tx, id); err != nil {
			return err
		}
		desc := fmt.Sprintf("Ruolo aggiunto: %s — %s, dal %s, fondo %s.", ass.Ruolo.Label(), s.scopeLabel(ctx, ass), calendario.Data(ass.Dal), ass.Fondo)
		return s.writeEvent(ctx, tx, id, p, "ruolo_aggiunto", desc, audit)
	})
	if err == nil {
		s.notify(ctx, id, "attivo")
	}
	return err
}

// EndRuolo ends a role on a date, with its reason.
func (s *Service) EndRuolo(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, ruoloID int64, al, motivo string, audit registro.Voce) error {
	errs := httpx.FieldErrors{}
	fine, ok := calendario.ParseData(al)
	if !ok {
		errs["al"] = "Indica la data di fine (gg/mm/aaaa)."
	}
	motivo = strings.TrimSpace(motivo)
	if motivo == "" {
		errs["motivo"] = "Indica il motivo."
	}
	lunghezze(errs, "motivo", motivo)
	if len(errs) > 0 {
		return errs
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, ver, err := s.loadOwn(ctx, tx, p, id); err != nil {
			return err
		} else if ver != versione {
			return ErrConflict
		}
		a, err := s.st.assegnazione(ctx, tx, id, ruoloID)
		if err != nil {
			return err
		}
		if fine.Before(a.Dal) {
			return httpx.FieldErrors{"al": "La data di fine non può precedere l'inizio del ruolo (" + calendario.Data(a.Dal) + ")."}
		}
		if a.Al != nil && !a.Al.After(fine) {
			return httpx.FieldErrors{"al": "Il ruolo è già terminato il " + calendario.Data(*a.Al) + "."}
		}
		if err := s.st.endAssegnazione(ctx, tx, ruoloID, fine, motivo); err != nil {
			return err
		}
		if err := s.st.bumpVersione(ctx, tx, id); err != nil {
			return err
		}
		desc := fmt.Sprintf("Ruolo terminato: %s — %s, al %s. Motivo: %s", a.Ruolo.Label(), a.Ambito(), calendario.Data(fine), motivo)
		return s.writeEvent(ctx, tx, id, p, "ruolo_terminato", desc, audit)
	})
	if err == nil {
		s.notify(ctx, id, "")
	}
	return err
}

// Azioni on the accreditation as a whole.
const (
	Sospendi = "sospendi"
	Riattiva = "riattiva"
	Revoca   = "revoca"
)

// ChangeStato suspends, reactivates or revokes the accreditation, with the
// date and the reason. Revocation is final.
func (s *Service) ChangeStato(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, azione, dal, motivo string, audit registro.Voce) error {
	return s.changeStato(ctx, p, id, versione, azione, dal, motivo, audit, func(op Operatore) error {
		amb, err := ambitoOf(p)
		if err != nil {
			return err
		}
		if op.AmbitoID == nil || *op.AmbitoID != amb {
			return ErrOperatoreNotFound
		}
		// Amministratori are the amministratore di sistema's (ChangeStatoAmministratore).
		if adm, err := s.st.isAmministratoreAny(ctx, s.pool, op.ID); err != nil {
			return err
		} else if adm {
			return ErrOperatoreNotFound
		}
		return nil
	})
}

// changeStato is the state change shared by the amministratore di ambito
// (ChangeStato) and the amministratore di sistema (ChangeStatoAmministratore).
// allowed decides, within the transaction and with the row locked, whether p
// may change op (the zero Operatore when id does not exist): it returns
// httpx.ErrForbidden or ErrOperatoreNotFound otherwise.
func (s *Service) changeStato(ctx context.Context, p authz.Principal, id uuid.UUID, versione int, azione, dal, motivo string,
	audit registro.Voce, allowed func(Operatore) error) error {
	errs := httpx.FieldErrors{}
	d, ok := calendario.ParseData(dal)
	if !ok {
		errs["stato_dal"] = "Indica la data (gg/mm/aaaa)."
	} else if d.After(s.today()) {
		// The change takes effect at once: a future end of duty is a role's end date.
		errs["stato_dal"] = "La data non può essere futura: per una cessazione programmata indica la data di fine dei ruoli."
	}
	motivo = strings.TrimSpace(motivo)
	if motivo == "" {
		errs["stato_motivo"] = "Indica il motivo."
	}
	lunghezze(errs, "stato_motivo", motivo)
	next := map[string]string{Sospendi: "sospeso", Riattiva: "attivo", Revoca: "revocato"}[azione]
	if next == "" {
		errs["azione"] = "Scegli l'operazione."
	}
	if len(errs) > 0 {
		return errs
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		op, ver, err := s.st.operatoreForUpdate(ctx, tx, id)
		if errors.Is(err, ErrNotFound) {
			op = Operatore{}
		} else if err != nil {
			return err
		}
		if err := allowed(op); err != nil {
			return err
		}
		if ver != versione {
			return ErrConflict
		}
		switch {
		case op.Stato == "revocato":
			return httpx.FieldErrors{"azione": "L'accreditamento è revocato: la revoca è definitiva."}
		case azione == Sospendi && op.Stato != "attivo", azione == Riattiva && op.Stato != "sospeso":
			return httpx.FieldErrors{"azione": "Operazione non possibile nello stato attuale (" + op.Stato + ")."}
		}
		if err := s.st.setStato(ctx, tx, id, next, d, motivo); err != nil {
			return err
		}
		label := map[string]string{Sospendi: "Accreditamento sospeso", Riattiva: "Accreditamento riattivato", Revoca: "Accreditamento revocato"}[azione]
		return s.writeEvent(ctx, tx, id, p, azione, fmt.Sprintf("%s dal %s. Motivo: %s", label, calendario.Data(d), motivo), audit)
	})
	if err == nil {
		s.notify(ctx, id, next)
	}
	return err
}

// EntiRete lists the active enti of the principal's ambito (for the forms:
// the ente of an operatore_ente).
func (s *Service) EntiRete(ctx context.Context, p authz.Principal) ([]EnteScelta, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return nil, err
	}
	return s.EntiAmbito(ctx, amb)
}

// ComuniAmbito lists the comuni of the principal's ambito (for the forms).
func (s *Service) ComuniAmbito(ctx context.Context, p authz.Principal) ([]Comune, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return nil, err
	}
	return s.st.comuniOfAmbito(ctx, s.pool, amb)
}

// NomiAmbito lists id and "Cognome Nome" of every operator of the
// principal's ambito, for the register's viewer.
func (s *Service) NomiAmbito(ctx context.Context, p authz.Principal) ([]registro.Nome, error) {
	amb, err := ambitoOf(p)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.nomiAmbito(ctx, s.pool, amb)
	if err != nil {
		return nil, fmt.Errorf("accesso: nomi: %w", err)
	}
	out := make([]registro.Nome, len(rows))
	for i, r := range rows {
		out[i] = registro.Nome{ID: r.id, Nome: r.nome}
	}
	return out, nil
}
