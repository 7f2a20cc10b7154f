package equipe

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/posta"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/stampa"
)

// Service is the module's use cases.
type Service struct {
	pool  *pgxpool.Pool
	reg   *registro.Service
	casi  *casi.Service
	posta *posta.Outbox
	fonte FonteEstratto
	now   func() time.Time
}

// NewService returns the service: case scope through cs, every access and
// write recorded in reg, e-mails queued in outbox, the extract's sections
// from fonte.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service, outbox *posta.Outbox, fonte FonteEstratto) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, posta: outbox, fonte: fonte, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// Scheda is what the équipe page shows.
type Scheda struct {
	Caso         casi.Caso
	Oggi         time.Time
	Membri       []Membro    // current first, then those who left
	Familiare    *Membro     // the current familiare referente, if any
	Familiari    []Familiare // the nucleo's current members, candidates as familiare referente
	Convocazioni []Convocazione
}

// Scheda returns the case's équipe for p, recording the read (oggetto
// "equipe"); a case p may not reach is ErrNotFound, the refusal recorded.
func (s *Service) Scheda(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Scheda, error) {
	v.OggettoTipo = "equipe"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Scheda{}, err
	}
	sc := Scheda{Caso: c, Oggi: s.oggi()}
	if sc.Membri, err = membri(ctx, s.pool, casoID, sc.Oggi); err != nil {
		return Scheda{}, fmt.Errorf("equipe: membri: %w", err)
	}
	for i, m := range sc.Membri {
		if m.Ruolo == FamiliareReferente && !m.Cessato(sc.Oggi) && sc.Familiare == nil {
			sc.Familiare = &sc.Membri[i]
		}
	}
	if sc.Familiari, err = familiari(ctx, s.pool, c.NucleoID, sc.Oggi); err != nil {
		return Scheda{}, fmt.Errorf("equipe: familiari: %w", err)
	}
	if sc.Convocazioni, err = convocazioni(ctx, s.pool, casoID); err != nil {
		return Scheda{}, fmt.Errorf("equipe: convocazioni: %w", err)
	}
	return sc, nil
}

// Membro returns one member for p to edit, recording the read.
func (s *Service) Membro(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, v registro.Voce) (casi.Caso, Membro, error) {
	v.OggettoTipo, v.OggettoID = "equipe_membro", id.String()
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return casi.Caso{}, Membro{}, err
	}
	m, err := membro(ctx, s.pool, casoID, id)
	return c, m, err
}

// write runs fn in a transaction on the case locked for p: closed cases
// are read-only; the write v describes (completed by fn's oggetto) is
// recorded in the same transaction. A case p may not reach is ErrNotFound,
// and the refusal is recorded.
func (s *Service) write(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c casi.Caso) (oggettoID string, err error)) error {
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) (err error) {
		w.OggettoID, err = fn(tx, c)
		return err
	})
}

// MembroInput is the member form as typed. Familiare: the familiare
// referente's form (PersonaID; nome and cognome come from the nucleo).
type MembroInput struct {
	Familiare                     bool
	Ruolo, PersonaID              string
	Nome, Cognome, Funzione, Ente string
	Email, Telefono               string
	Dal, Al                       string
	Versione                      string
}

// FromMembro is the form of an existing member.
func FromMembro(m Membro) MembroInput {
	in := MembroInput{Familiare: m.Ruolo == FamiliareReferente, Ruolo: string(m.Ruolo), Nome: m.Nome, Cognome: m.Cognome,
		Funzione: m.Funzione, Ente: m.Ente, Email: m.Email, Telefono: m.Telefono, Dal: calendario.ISO(m.Dal),
		Versione: strconv.Itoa(m.Versione)}
	if m.PersonaID != nil {
		in.PersonaID = m.PersonaID.String()
	}
	if m.Al != nil {
		in.Al = calendario.ISO(*m.Al)
	}
	return in
}

var reTelefono = regexp.MustCompile(`^[0-9+ ./()-]{5,30}$`)

func tooLong(v string, n int) bool { return utf8.RuneCountInString(v) > n }

// email checks an optional bare address.
func email(v string) (string, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", ""
	}
	a, err := mail.ParseAddress(v)
	_, dominio, _ := strings.Cut(v, "@")
	if err != nil || a.Address != v || tooLong(v, Limiti.Max("email")) || !strings.Contains(strings.Trim(dominio, "."), ".") {
		return v, "Indirizzo e-mail non valido: scrivilo nella forma nome@dominio.it."
	}
	return v, ""
}

// valida checks the form; familiari are the nucleo's current members (for
// the familiare referente), m the member being edited (nil when adding).
func (s *Service) valida(in MembroInput, fs []Familiare, m *Membro) (Membro, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	out := Membro{Ente: strings.TrimSpace(in.Ente)}
	if m != nil {
		out = *m
	}
	familiare := in.Familiare || (m != nil && m.Ruolo == FamiliareReferente)
	switch {
	case familiare && m == nil:
		out.Ruolo = FamiliareReferente
		pid, err := uuid.Parse(in.PersonaID)
		i := slices.IndexFunc(fs, func(f Familiare) bool { return err == nil && f.PersonaID == pid })
		switch {
		case i < 0:
			errs["persona_id"] = "Scegli il familiare referente tra i componenti del nucleo."
		case !fs[i].Maggiorenne():
			errs["persona_id"] = "Il familiare referente deve essere maggiorenne."
		default:
			f := fs[i]
			out.PersonaID, out.Nome, out.Cognome = &f.PersonaID, f.Nome, f.Cognome
			out.Funzione = "Familiare referente (" + strings.ToLower(RelazioneLabel(f.Relazione)) + ")"
			// Contacts left empty: those registered for the person.
			if strings.TrimSpace(in.Email) == "" {
				in.Email = f.Email
			}
			if strings.TrimSpace(in.Telefono) == "" {
				in.Telefono = f.Telefono
			}
		}
	case familiare:
		// The person and the role of a familiare referente do not change.
	default:
		out.Ruolo = Ruolo(in.Ruolo)
		if !slices.Contains(RuoliProfessionali, out.Ruolo) {
			errs["ruolo"] = "Scegli il ruolo nell'équipe."
		}
		out.Nome, out.Cognome, out.Funzione, out.Ente = strings.TrimSpace(in.Nome), strings.TrimSpace(in.Cognome),
			strings.TrimSpace(in.Funzione), strings.TrimSpace(in.Ente)
		for _, f := range []struct{ name, v, vuoto string }{
			{"nome", out.Nome, "Indica il nome."},
			{"cognome", out.Cognome, "Indica il cognome."},
			{"funzione", out.Funzione, "Indica la funzione, per esempio «Educatore professionale» o «Operatore del centro per l'impiego»."},
		} {
			switch {
			case f.v == "":
				errs[f.name] = f.vuoto
			case tooLong(f.v, Limiti.Max(f.name)):
				errs[f.name] = fmt.Sprintf("Al massimo %d caratteri.", Limiti.Max(f.name))
			}
		}
		if tooLong(out.Ente, Limiti.Max("ente")) {
			errs["ente"] = fmt.Sprintf("Al massimo %d caratteri.", Limiti.Max("ente"))
		}
	}
	var msg string
	if out.Email, msg = email(in.Email); msg != "" {
		errs["email"] = msg
	}
	out.Telefono = strings.TrimSpace(in.Telefono)
	if out.Telefono != "" && !reTelefono.MatchString(out.Telefono) {
		errs["telefono"] = "Numero di telefono non valido: usa solo cifre, spazi e il prefisso, per esempio +39 051 123456."
	}
	dal, okDal := calendario.ParseData(in.Dal)
	switch {
	case strings.TrimSpace(in.Dal) == "":
		errs["dal"] = "Indica da quando fa parte dell'équipe."
	case !okDal:
		errs["dal"] = calendario.DataNonValida
	case dal.Year() < 2019:
		errs["dal"] = "La data è troppo lontana nel passato: controllala."
	}
	out.Dal, out.Al = dal, nil
	if strings.TrimSpace(in.Al) != "" {
		al, ok := calendario.ParseData(in.Al)
		switch {
		case !ok:
			errs["al"] = calendario.DataNonValida
		case okDal && al.Before(dal):
			errs["al"] = "La fine non può precedere l'inizio."
		default:
			out.Al = &al
		}
	}
	return out, errs
}

// AggiungiMembro adds a member (a professional, or the familiare
// referente when in.Familiare) to the case's équipe.
func (s *Service) AggiungiMembro(ctx context.Context, p authz.Principal, casoID uuid.UUID, in MembroInput, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	v.OggettoTipo, v.Dettaglio = "equipe_membro", "aggiunto"
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		fs, err := familiari(ctx, tx, c.NucleoID, s.oggi())
		if err != nil {
			return "", err
		}
		m, errs := s.valida(in, fs, nil)
		if m.Ruolo == FamiliareReferente && len(errs) == 0 {
			if altro, ok, err := familiareAttivo(ctx, tx, casoID, uuid.Nil, s.oggi()); err != nil {
				return "", err
			} else if ok {
				errs["persona_id"] = "Il nucleo ha già un familiare referente (" + altro.Nominativo() + "): termina prima il suo incarico."
			}
		}
		if len(errs) > 0 {
			return "", errs
		}
		m.CasoID = casoID
		id, err = insertMembro(ctx, tx, m, p.OperatoreID)
		return id.String(), err
	})
	return id, err
}

// Conflitto is a member edit refused because someone else saved first:
// Attuale is the member as saved now.
type Conflitto struct{ Attuale Membro }

func (c *Conflitto) Error() string { return ErrConflict.Error() }
func (c *Conflitto) Unwrap() error { return ErrConflict }

// ModificaMembro saves a member's edit, if nobody saved it since in.Versione
// was loaded; otherwise a *Conflitto with the current member.
func (s *Service) ModificaMembro(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, in MembroInput, v registro.Voce) error {
	v.OggettoTipo, v.Dettaglio = "equipe_membro", "modificato"
	var attuale *Membro
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		cur, err := membro(ctx, tx, casoID, id)
		if err != nil {
			return "", err
		}
		m, errs := s.valida(in, nil, &cur)
		ver, verr := strconv.Atoi(in.Versione)
		if verr != nil {
			return "", ErrConflict
		}
		if ver != cur.Versione {
			attuale = &cur
			return "", ErrConflict
		}
		if len(errs) > 0 {
			return "", errs
		}
		return id.String(), updateMembro(ctx, tx, m, ver, p.OperatoreID)
	})
	if errors.Is(err, ErrConflict) {
		if attuale == nil {
			cur, lerr := membro(ctx, s.pool, casoID, id)
			if lerr != nil {
				return lerr
			}
			attuale = &cur
		}
		return &Conflitto{Attuale: *attuale}
	}
	return err
}

// TerminaMembro ends a member's role on day al (yyyy-mm-dd or dd/mm/yyyy).
func (s *Service) TerminaMembro(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, al, versione string, v registro.Voce) error {
	v.OggettoTipo, v.Dettaglio = "equipe_membro", "terminato"
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		cur, err := membro(ctx, tx, casoID, id)
		if err != nil {
			return "", err
		}
		ver, err := strconv.Atoi(versione)
		if err != nil || ver != cur.Versione {
			return "", ErrConflict
		}
		d, ok := calendario.ParseData(al)
		switch {
		case strings.TrimSpace(al) == "":
			return "", httpx.FieldErrors{"al": "Indica la data di fine."}
		case !ok:
			return "", httpx.FieldErrors{"al": calendario.DataNonValida}
		case d.Before(cur.Dal):
			return "", httpx.FieldErrors{"al": "La fine non può precedere l'inizio (" + calendario.Data(cur.Dal) + ")."}
		}
		cur.Al = &d
		return id.String(), updateMembro(ctx, tx, cur, ver, p.OperatoreID)
	})
}

// Nuova is what the convocazione form offers.
type Nuova struct {
	Caso          casi.Caso
	Oggi          time.Time
	Invitabili    []Membro // current members with an e-mail
	NonInvitabili []Membro // current members without one
	Sezioni       []Sezione
}

// NuovaConvocazione returns the form's choices for p, recording the read.
func (s *Service) NuovaConvocazione(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Nuova, error) {
	v.OggettoTipo = "equipe_convocazione"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Nuova{}, err
	}
	return s.nuova(ctx, s.pool, c)
}

func (s *Service) nuova(ctx context.Context, q database.Querier, c casi.Caso) (Nuova, error) {
	n := Nuova{Caso: c, Oggi: s.oggi()}
	ms, err := membri(ctx, q, c.ID, n.Oggi)
	if err != nil {
		return Nuova{}, fmt.Errorf("equipe: membri: %w", err)
	}
	for _, m := range ms {
		switch {
		case m.Cessato(n.Oggi):
		case m.Invitabile(n.Oggi):
			n.Invitabili = append(n.Invitabili, m)
		default:
			n.NonInvitabili = append(n.NonInvitabili, m)
		}
	}
	if n.Sezioni, err = s.fonte.Sezioni(ctx, c.ID); err != nil {
		return Nuova{}, fmt.Errorf("equipe: estratto: %w", err)
	}
	return n, nil
}

// ConvocazioneInput is the convocazione form as typed.
type ConvocazioneInput struct {
	Data, Ora, Luogo, OrdineDelGiorno string
	Invitati                          []string // member ids
	Sezioni                           []string // section codes
}

// Convoca records a convocazione of the équipe and, in the same
// transaction, queues one e-mail per invited member with the extract in
// PDF and records one registro entry per recipient ("invio_estratto": the
// member, never the content). It returns the convocazione's id.
func (s *Service) Convoca(ctx context.Context, p authz.Principal, casoID uuid.UUID, in ConvocazioneInput, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	base := v
	v.OggettoTipo = "equipe_convocazione"
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		n, err := s.nuova(ctx, tx, c)
		if err != nil {
			return "", err
		}
		cv, invitati, errs := s.validaConvocazione(in, n)
		if len(errs) > 0 {
			return "", errs
		}
		cv.CasoID = casoID
		if id, err = insertConvocazione(ctx, tx, cv, p.OperatoreID); err != nil {
			return "", err
		}
		cv.ID, cv.CreatoDa, cv.CreatoIl = id, c.CaseManager, s.now()
		slices.SortFunc(invitati, func(a, b Membro) int {
			return strings.Compare(a.Cognome+" "+a.Nome, b.Cognome+" "+b.Nome)
		})
		for _, m := range invitati {
			cv.Inviti = append(cv.Inviti, Invito{MembroID: m.ID, Nome: m.Nominativo(), Funzione: m.Funzione, Ente: m.Ente, Email: m.Email})
		}
		pdf, err := stampa.PDF(Documento(c, cv))
		if err != nil {
			return "", err
		}
		for _, m := range invitati {
			cid := casoID
			pid, err := s.posta.Accoda(ctx, tx, posta.Messaggio{
				Destinatario: m.Email, Oggetto: oggetto(c, cv), Corpo: corpo(c, cv, m),
				Allegato: pdf, AllegatoNome: NomePDF(c, cv), AllegatoMime: "application/pdf", CasoID: &cid,
			})
			if err != nil {
				return "", err
			}
			if err := insertInvito(ctx, tx, id, m.ID, m.Email, pid); err != nil {
				return "", err
			}
			r := base
			r.Azione, r.Esito, r.OggettoTipo, r.OggettoID, r.CasoID = registro.Scrittura, registro.Consentito, "invio_estratto", m.ID.String(), casoID.String()
			r.Dettaglio = fmt.Sprintf("convocazione %s, messaggio %d, sezioni %s", id, pid, strings.Join(cv.Sezioni, ","))
			if err := s.reg.RecordTx(ctx, tx, r); err != nil {
				return "", err
			}
		}
		op := p.OperatoreID
		if err := casi.Storico(ctx, tx, casoID, &op, "equipe", "", "", fmt.Sprintf("Équipe multidisciplinare convocata per il %s (%s): %d invitati",
			calendario.DataOra(cv.Inizio), cv.Luogo, len(invitati))); err != nil {
			return "", err
		}
		return id.String(), nil
	})
	if err == nil {
		s.posta.Sveglia()
	}
	return id, err
}

func (s *Service) validaConvocazione(in ConvocazioneInput, n Nuova) (Convocazione, []Membro, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	cv := Convocazione{Luogo: strings.TrimSpace(in.Luogo), OrdineDelGiorno: strings.TrimSpace(in.OrdineDelGiorno)}
	inizio, msgData, msgOra, ok := calendario.Incontro(in.Data, in.Ora)
	if msgData != "" {
		errs["data"] = msgData
	}
	if msgOra != "" {
		errs["ora"] = msgOra
	}
	if ok {
		cv.Inizio = inizio
		switch {
		case cv.Inizio.Before(s.now()):
			errs["data"] = "La data e l'ora dell'incontro sono già passate."
		case cv.Inizio.After(s.now().AddDate(1, 0, 0)):
			errs["data"] = "L'incontro è a più di un anno da oggi: controlla la data."
		}
	}
	switch {
	case cv.Luogo == "":
		errs["luogo"] = "Indica il luogo dell'incontro."
	case tooLong(cv.Luogo, Limiti.Max("luogo")):
		errs["luogo"] = fmt.Sprintf("Il luogo può avere al massimo %d caratteri.", Limiti.Max("luogo"))
	}
	if tooLong(cv.OrdineDelGiorno, Limiti.Max("ordine_del_giorno")) {
		errs["ordine_del_giorno"] = fmt.Sprintf("L'ordine del giorno può avere al massimo %d caratteri.", Limiti.Max("ordine_del_giorno"))
	}
	var invitati []Membro
	for _, x := range in.Invitati {
		id, err := uuid.Parse(x)
		i := slices.IndexFunc(n.Invitabili, func(m Membro) bool { return err == nil && m.ID == id })
		if i < 0 {
			errs["invitati"] = "Si possono invitare solo i componenti attuali dell'équipe con un indirizzo e-mail."
			break
		}
		if !slices.ContainsFunc(invitati, func(m Membro) bool { return m.ID == id }) {
			invitati = append(invitati, n.Invitabili[i])
		}
	}
	if len(in.Invitati) == 0 {
		errs["invitati"] = "Scegli almeno un componente da invitare."
		if len(n.Invitabili) == 0 {
			errs["invitati"] = "Nessun componente dell'équipe ha un indirizzo e-mail: aggiungilo dalla pagina dell'équipe."
		}
	}
	for _, sez := range n.Sezioni { // in the source's order
		if slices.Contains(in.Sezioni, sez.Codice) {
			cv.Sezioni = append(cv.Sezioni, sez.Codice)
			cv.Estratto = append(cv.Estratto, sez)
		}
	}
	switch {
	case len(in.Sezioni) == 0:
		errs["sezioni"] = "Scegli almeno una sezione dell'analisi preliminare da allegare."
	case len(cv.Sezioni) != len(uniq(in.Sezioni)):
		errs["sezioni"] = "Una delle sezioni scelte non esiste più: ricontrolla la scelta."
	}
	return cv, invitati, errs
}

func uniq(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

// Convocazione returns a convocazione with who received it, recording the
// read.
func (s *Service) Convocazione(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, v registro.Voce) (casi.Caso, Convocazione, error) {
	if v.OggettoTipo == "" {
		v.OggettoTipo = "equipe_convocazione"
	}
	v.OggettoID = id.String()
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return casi.Caso{}, Convocazione{}, err
	}
	cv, err := convocazione(ctx, s.pool, casoID, id)
	if err != nil {
		return casi.Caso{}, Convocazione{}, err
	}
	var ids []int64
	for _, i := range cv.Inviti {
		if i.PostaID != nil {
			ids = append(ids, *i.PostaID)
		}
	}
	stati, err := s.posta.Stati(ctx, ids)
	if err != nil {
		return casi.Caso{}, Convocazione{}, err
	}
	for k, i := range cv.Inviti {
		if i.PostaID != nil {
			if m, ok := stati[*i.PostaID]; ok {
				cv.Inviti[k].Stato, cv.Inviti[k].StatoText, cv.Inviti[k].InviatoIl = m.Stato, m.StatoLabel(), m.InviatoIl
			}
		}
	}
	return c, cv, nil
}

// Estratto returns a convocazione for printing or as PDF: recorded as an
// export (oggetto "equipe_estratto", dettaglio the format).
func (s *Service) Estratto(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, formato string, v registro.Voce) (casi.Caso, Convocazione, error) {
	v.Azione, v.OggettoTipo, v.Dettaglio = registro.Esportazione, "equipe_estratto", formato
	return s.Convocazione(ctx, p, casoID, id, v)
}

// Documento is the printable extract of a convocazione: when and where,
// who is invited, and the sections chosen.
func Documento(c casi.Caso, cv Convocazione) stampa.Documento {
	var conv strings.Builder
	fmt.Fprintf(&conv, "Data: %s\nLuogo: %s\n", GiornoOra(cv.Inizio), cv.Luogo)
	if cv.CreatoDa != "" {
		fmt.Fprintf(&conv, "Convoca: %s, case manager (referente dell'équipe)\n", cv.CreatoDa)
	}
	if cv.OrdineDelGiorno != "" {
		fmt.Fprintf(&conv, "\nOrdine del giorno:\n%s\n", cv.OrdineDelGiorno)
	}
	inv := &stampa.Tabella{Colonne: []stampa.Colonna{{Titolo: "Invitato", Peso: 3}, {Titolo: "Funzione", Peso: 3}, {Titolo: "Ente", Peso: 3}}}
	for _, i := range cv.Inviti {
		ente := i.Ente
		if ente == "" {
			ente = "—"
		}
		inv.Righe = append(inv.Righe, []string{i.Nome, i.Funzione, ente})
	}
	d := stampa.Documento{
		Intestazione: stampa.Intestazione{Righe: []string{"Comune di " + c.Comune, "Servizi sociali · Équipe multidisciplinare"}},
		Titolo:       "Convocazione dell'équipe multidisciplinare",
		Sottotitolo:  fmt.Sprintf("Caso %s · Comune di %s\nEstratto dell'analisi preliminare", c.Codice(), c.Comune),
		Piede:        "Documento riservato: contiene dati personali. Non inoltrarlo; conservalo solo per il tempo necessario.",
		Creato:       cv.CreatoIl,
		Blocchi:      []stampa.Blocco{{Titolo: "Convocazione", Testo: conv.String()}},
	}
	if len(inv.Righe) > 0 {
		d.Blocchi = append(d.Blocchi, stampa.Blocco{Titolo: "Componenti invitati", Tabella: inv})
	}
	for _, sez := range cv.Estratto {
		d.Blocchi = append(d.Blocchi, stampa.Blocco{Titolo: sez.Titolo, Testo: sez.Testo})
	}
	return d
}

// NomePDF is the extract's file name.
func NomePDF(c casi.Caso, cv Convocazione) string {
	return "estratto-" + c.Codice() + "-" + calendario.ISO(cv.Inizio.In(calendario.Roma)) + ".pdf"
}

// GiornoOra is "giovedì 14 maggio 2026, ore 10:00".
func GiornoOra(t time.Time) string {
	t = t.In(calendario.Roma)
	return calendario.GiornoEsteso(t) + ", ore " + t.Format("15:04")
}

// oggetto is the e-mail's subject: the case's code, never a name.
func oggetto(c casi.Caso, cv Convocazione) string {
	return fmt.Sprintf("Convocazione équipe multidisciplinare – caso %s – %s", c.Codice(), calendario.DataOra(cv.Inizio))
}

func corpo(c casi.Caso, cv Convocazione, m Membro) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Gentile %s,\n\n", m.Nominativo())
	fmt.Fprintf(&b, "è convocata l'équipe multidisciplinare per il caso %s del Comune di %s.\n\n", c.Codice(), c.Comune)
	fmt.Fprintf(&b, "Data: %s\nLuogo: %s\n", GiornoOra(cv.Inizio), cv.Luogo)
	if cv.OrdineDelGiorno != "" {
		fmt.Fprintf(&b, "\nOrdine del giorno:\n%s\n", cv.OrdineDelGiorno)
	}
	titoli := make([]string, 0, len(cv.Estratto))
	for _, s := range cv.Estratto {
		titoli = append(titoli, s.Titolo)
	}
	fmt.Fprintf(&b, "\nIn allegato l'estratto dell'analisi preliminare (%s).\n", strings.Join(titoli, "; "))
	b.WriteString("Il documento contiene dati personali riservati alla presa in carico del nucleo: non inoltrarlo e conservalo solo per il tempo necessario.\n\n")
	if c.CaseManager != "" {
		fmt.Fprintf(&b, "%s\n", c.CaseManager)
	}
	fmt.Fprintf(&b, "Case manager, Comune di %s\n\n-- \nMessaggio inviato da Cartella, cartella sociale informatizzata.\n", c.Comune)
	return b.String()
}
