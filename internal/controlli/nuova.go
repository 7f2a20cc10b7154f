package controlli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// A request of verification is created two ways: imported from INPS's file
// (importa.go, docs/formats/controlli.md) or entered by hand by the
// coordinatore controlli (this file). Both go through controlla, so that a
// request typed in the form obeys the same rules as a line of the file.

// Limits of the text fields.
const (
	MaxNome = 200  // cognome, nome
	MaxNota = 2000 // nota_inps
)

// Campi are the fields of a request as written: a line of the file (its
// strings) or the form (what the operator typed, kept to refill it).
type Campi struct {
	IDRichiesta     string
	Tipo            string
	CodiceFiscale   string
	Cognome, Nome   string
	DataNascita     string
	IDDomanda       string
	DataRichiesta   string
	DataRiferimento string
	Nota            string
}

// NuovaRichiesta is a request checked, ready to be written.
type NuovaRichiesta struct {
	IDRichiesta     string
	Tipo            Tipo
	CodiceFiscale   string
	Cognome, Nome   string
	DataNascita     *time.Time
	IDDomanda       string
	DataRichiesta   time.Time
	DataRiferimento time.Time
	Nota            string
}

// Scadenza is the term of the request: DataRichiesta + Termine days.
func (n NuovaRichiesta) Scadenza() time.Time { return n.DataRichiesta.AddDate(0, 0, Termine) }

// mancante marks a required field left empty: the file says "campo X
// mancante", the form "Campo obbligatorio.".
const mancante = "\x00mancante"

// errore is one problem of one field, in the file's terms.
type errore struct{ campo, testo string }

// campiOrdine is the order of the fields in the reasons of a line.
var campiOrdine = []string{"id_richiesta", "tipo", "codice_fiscale", "cognome", "nome", "data_nascita",
	"id_domanda", "data_richiesta", "data_riferimento", "nota"}

// controlla checks the fields of a request. data parses a date as written
// (strict AAAA-MM-GG in the file, also gg/mm/aaaa in the form); oggi is
// today in Rome. The reasons never quote a codice fiscale, a name or a
// birth date: they are kept in the import's report, which holds no
// personal data.
func controlla(c Campi, oggi time.Time, data func(string) (time.Time, bool)) (NuovaRichiesta, []errore) {
	var (
		n    NuovaRichiesta
		errs []errore
	)
	add := func(campo, f string, a ...any) { errs = append(errs, errore{campo, fmt.Sprintf(f, a...)}) }

	n.IDRichiesta = strings.TrimSpace(c.IDRichiesta)
	switch {
	case n.IDRichiesta == "":
		add("id_richiesta", mancante)
	case !flusso.IDValido(n.IDRichiesta):
		add("id_richiesta", "non valido (ammessi fino a 64 caratteri tra lettere, cifre e . _ / -, iniziando con una lettera o una cifra)")
	}

	tipo := strings.TrimSpace(c.Tipo)
	switch {
	case tipo == "":
		add("tipo", mancante)
	case !Tipo(tipo).Valid():
		ammessi := make([]string, len(Tipi))
		for i, t := range Tipi {
			ammessi[i] = string(t)
		}
		add("tipo", "non valido: %q (ammessi %s)", flusso.Breve(tipo), strings.Join(ammessi, ", "))
	default:
		n.Tipo = Tipo(tipo)
	}

	n.CodiceFiscale = codicefiscale.Normalize(c.CodiceFiscale)
	cfValido := false
	switch err := codicefiscale.Validate(n.CodiceFiscale); {
	case n.CodiceFiscale == "":
		add("codice_fiscale", mancante)
	case err == nil:
		cfValido = true
	case errors.Is(err, codicefiscale.ErrCheck):
		add("codice_fiscale", "carattere di controllo errato")
	case errors.Is(err, codicefiscale.ErrBirth):
		add("codice_fiscale", "la data di nascita nel codice non esiste")
	default:
		add("codice_fiscale", "formato non valido (attesi 16 caratteri, lettere e cifre)")
	}

	nome := func(campo, s string) string {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			add(campo, mancante)
		case utf8.RuneCountInString(s) > MaxNome:
			add(campo, "troppo lungo (al massimo %d caratteri)", MaxNome)
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			add(campo, "contiene caratteri di controllo")
		}
		return s
	}
	n.Cognome = nome("cognome", c.Cognome)
	n.Nome = nome("nome", c.Nome)

	leggi := func(campo, s string, obbligatoria bool) *time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			if obbligatoria {
				add(campo, mancante)
			}
			return nil
		}
		d, ok := data(s)
		switch {
		case !ok:
			add(campo, "data non valida: %s (attesa AAAA-MM-GG)", flusso.Breve(s))
			return nil
		case d.After(oggi):
			add(campo, "data futura")
			return nil
		}
		return &d
	}
	if d := leggi("data_nascita", c.DataNascita, false); d != nil {
		switch {
		case d.Year() < 1900:
			add("data_nascita", "non plausibile (prima del 1900)")
		case cfValido && !nascitaCoerente(n.CodiceFiscale, *d):
			add("data_nascita", "non coincide con la data di nascita nel codice fiscale")
		default:
			n.DataNascita = d
		}
	}

	n.IDDomanda = strings.TrimSpace(c.IDDomanda)
	if n.IDDomanda != "" && !flusso.IDValido(n.IDDomanda) {
		add("id_domanda", "non valido (ammessi fino a 64 caratteri tra lettere, cifre e . _ / -, iniziando con una lettera o una cifra)")
	}

	dr := leggi("data_richiesta", c.DataRichiesta, true)
	if dr != nil {
		n.DataRichiesta = *dr
	}
	if d := leggi("data_riferimento", c.DataRiferimento, true); d != nil {
		if dr != nil && d.After(*dr) {
			add("data_riferimento", "successiva a data_richiesta")
		} else {
			n.DataRiferimento = *d
		}
	}

	n.Nota = strings.TrimSpace(strings.ReplaceAll(c.Nota, "\r\n", "\n"))
	switch {
	case utf8.RuneCountInString(n.Nota) > MaxNota:
		add("nota", "troppo lunga (al massimo %d caratteri)", MaxNota)
	case strings.IndexFunc(n.Nota, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0:
		add("nota", "contiene caratteri di controllo")
	}
	return n, errs
}

// nascitaCoerente: the codice fiscale encodes day, month and the last two
// digits of the year of birth (the sex is not in the request to compare).
func nascitaCoerente(cf string, d time.Time) bool {
	b, _, err := codicefiscale.BirthDate(cf)
	return err == nil && b.Day() == d.Day() && b.Month() == d.Month() && b.Year()%100 == d.Year()%100
}

// etichette name the form's fields in its messages.
var etichette = map[string]string{
	"id_richiesta": "Identificativo INPS della richiesta", "tipo": "Tipo di controllo", "codice_fiscale": "Codice fiscale",
	"cognome": "Cognome", "nome": "Nome", "data_nascita": "Data di nascita", "id_domanda": "Identificativo della domanda",
	"data_richiesta": "Data della richiesta", "data_riferimento": "Data di riferimento", "nota": "Nota di INPS",
}

// erroriModulo turns the checks' errors into the form's messages.
func erroriModulo(errs []errore) httpx.FieldErrors {
	if len(errs) == 0 {
		return nil
	}
	fe := httpx.FieldErrors{}
	for _, e := range errs {
		if _, ok := fe[e.campo]; ok {
			continue
		}
		testo := e.testo
		switch {
		case testo == mancante:
			testo = "campo obbligatorio"
		case e.campo == "data_riferimento" && strings.HasPrefix(testo, "successiva"):
			testo = "non può essere successiva alla data della richiesta"
		case strings.HasPrefix(testo, "data non valida"):
			testo = "data non valida: scrivila come gg/mm/aaaa"
		}
		fe[e.campo] = etichette[e.campo] + ": " + testo + "."
	}
	return fe
}

// ModuloNuova is what the form of a request entered by hand shows.
type ModuloNuova struct {
	Comune string // the coordinatore's comune: the comune asked
	Oggi   time.Time
	Campi  Campi
}

// comuneDi returns the name and ambito of comune id.
func (s *Service) comuneRichiesta(ctx context.Context, id int64) (string, int64, error) {
	var (
		nome   string
		ambito *int64
	)
	if err := s.pool.QueryRow(ctx, `SELECT denominazione, ambito_id FROM comune WHERE id = $1`, id).Scan(&nome, &ambito); err != nil {
		return "", 0, fmt.Errorf("controlli: comune %d: %w", id, err)
	}
	if ambito == nil {
		return nome, 0, ErrFuoriAmbito
	}
	return nome, *ambito, nil
}

// negato records a refused action of p on oggetto.
func (s *Service) negato(ctx context.Context, v registro.Voce, azione, oggetto, id string) error {
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito, v.Dettaglio = registro.Negato, oggetto, id, registro.Rifiutato, azione
	return s.reg.Record(ctx, v)
}

// Modulo returns the empty form of a request entered by hand (coordinatore
// controlli only).
func (s *Service) Modulo(ctx context.Context, p authz.Principal, v registro.Voce) (ModuloNuova, error) {
	if !coordinatore(p) {
		if err := s.negato(ctx, v, registro.Scrittura, oggettoTipo, ""); err != nil {
			return ModuloNuova{}, err
		}
		return ModuloNuova{}, ErrFuoriAmbito
	}
	nome, _, err := s.comuneRichiesta(ctx, *p.ComuneID)
	if err != nil {
		return ModuloNuova{}, err
	}
	return ModuloNuova{Comune: nome, Oggi: s.oggi()}, nil
}

// Crea writes a request entered by hand by the coordinatore controlli, for
// their comune: checked as a line of the file (docs/formats/controlli.md),
// scadenza at data_richiesta + 60, linked to the case of its id_domanda when
// the comune's ambito has one. An id_richiesta already used is reported
// next to its field. The write is recorded in the registro.
func (s *Service) Crea(ctx context.Context, p authz.Principal, c Campi, v registro.Voce) (uuid.UUID, httpx.FieldErrors, error) {
	if !coordinatore(p) {
		if err := s.negato(ctx, v, registro.Scrittura, oggettoTipo, ""); err != nil {
			return uuid.Nil, nil, err
		}
		return uuid.Nil, nil, ErrFuoriAmbito
	}
	n, errs := controlla(c, s.oggi(), calendario.ParseData)
	if fe := erroriModulo(errs); fe != nil {
		return uuid.Nil, fe, nil
	}
	_, ambito, err := s.comuneRichiesta(ctx, *p.ComuneID)
	if err != nil {
		return uuid.Nil, nil, err
	}
	var id uuid.UUID
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var nuova bool
		id, nuova, err = s.inserisci(ctx, tx, n, *p.ComuneID, ambito, "manuale", nil, &p.OperatoreID)
		if err != nil {
			return err
		}
		if !nuova {
			return errGiaPresente
		}
		rv := v
		rv.Azione, rv.OggettoTipo, rv.OggettoID, rv.Esito = registro.Scrittura, oggettoTipo, id.String(), registro.Consentito
		rv.Dettaglio = "richiesta inserita a mano"
		return s.reg.RecordTx(ctx, tx, rv)
	})
	if errors.Is(err, errGiaPresente) {
		return uuid.Nil, httpx.FieldErrors{"id_richiesta": etichette["id_richiesta"] +
			": esiste già una richiesta con questo identificativo; se è la stessa, cercala nell'elenco dei controlli."}, nil
	}
	if err != nil {
		return uuid.Nil, nil, err
	}
	return id, nil, nil
}

var errGiaPresente = errors.New("controlli: id_richiesta already present")

// leggiCampi reads the form.
func leggiCampi(r *http.Request) Campi {
	return Campi{
		IDRichiesta: r.PostFormValue("id_richiesta"), Tipo: r.PostFormValue("tipo"),
		CodiceFiscale: r.PostFormValue("codice_fiscale"), Cognome: r.PostFormValue("cognome"), Nome: r.PostFormValue("nome"),
		DataNascita: r.PostFormValue("data_nascita"), IDDomanda: r.PostFormValue("id_domanda"),
		DataRichiesta: r.PostFormValue("data_richiesta"), DataRiferimento: r.PostFormValue("data_riferimento"),
		Nota: r.PostFormValue("nota"),
	}
}

// Nuova shows the form of a request entered by hand.
func (h *Handler) Nuova(w http.ResponseWriter, r *http.Request) {
	m, err := h.svc.Modulo(r.Context(), authz.PrincipalOf(r), registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	h.rs.Render(w, r, http.StatusOK, nuovaPage(h.rs.Shell(r), m, nil))
}

// Crea writes the request of the form, or shows the form again with the
// errors next to the fields and everything typed.
func (h *Handler) Crea(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.rs.Error(w, r, fmt.Errorf("controlli: nuova: %w: %v", httpx.ErrBadInput, err))
		return
	}
	p, v := authz.PrincipalOf(r), registro.VoceOf(r)
	c := leggiCampi(r)
	id, fe, err := h.svc.Crea(r.Context(), p, c, v)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	if fe != nil {
		m, err := h.svc.Modulo(r.Context(), p, v)
		if err != nil {
			h.rs.Error(w, r, err)
			return
		}
		m.Campi = c
		h.rs.Render(w, r, http.StatusUnprocessableEntity, nuovaPage(h.rs.Shell(r), m, fe))
		return
	}
	httpx.Redirect(w, r, "/controlli/"+id.String())
}
