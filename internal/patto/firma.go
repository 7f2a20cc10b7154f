package patto

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
)

// Modalità of signature.
const (
	Cartacea = "cartacea" // on paper: the signed scan is uploaded
	FEA      = "fea"      // firma elettronica avanzata
	OTP      = "otp"      // one-time password
	Altra    = "altra"    // another documented way (nota)
)

// Modalita are the ways of signing, in display order, with their labels.
var Modalita = []struct{ Codice, Etichetta string }{
	{Cartacea, "Su carta, con la scansione firmata"},
	{FEA, "Firma elettronica avanzata (FEA)"},
	{OTP, "Firma con codice OTP"},
	{Altra, "Altra modalità documentata"},
}

// EtichettaModalita is the label of a modalità.
func EtichettaModalita(c string) string {
	for _, m := range Modalita {
		if m.Codice == c {
			return m.Etichetta
		}
	}
	return c
}

// MaxScansione is the largest signed scan accepted.
const MaxScansione = 10 << 20

// MimeScansione are the accepted types of the signed scan, by the type
// sniffed from the content, with their extension.
var MimeScansione = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// File is an uploaded file.
type File struct {
	Nome string
	Mime string
	Dati []byte
}

// Firma is the signing form: the date, who signed ("c:<persona_id>" for a
// member of the nucleo, "o:cm" for the case manager, "o:<id>" for a member
// of the équipe), the modalità, its note, and the scan when on paper.
type Firma struct {
	Data      string
	Firmatari []string
	Modalita  string
	Nota      string
	File      *File
}

// FirmaPredefinita are the signatories pre-ticked: the case manager, the
// members of the équipe and the familiare responsabile.
func FirmaPredefinita(c Contenuto) Firma {
	f := Firma{Firmatari: []string{"o:cm"}}
	for _, m := range c.Equipe {
		f.Firmatari = append(f.Firmatari, "o:"+m.ID)
	}
	if c.FamiliareResponsabile != "" {
		f.Firmatari = append(f.Firmatari, "c:"+c.FamiliareResponsabile)
	}
	return f
}

// Ha reports whether the signatory key is ticked.
func (f Firma) Ha(k string) bool {
	for _, x := range f.Firmatari {
		if x == k {
			return true
		}
	}
	return false
}

// Candidato is one who may sign the patto: an adult member of the nucleo,
// the case manager, or a member of the équipe. Chiave is the value of the
// signing form's checkbox ("c:<persona_id>", "o:cm", "o:<membro id>").
type Candidato struct {
	Chiave        string
	Tipo          string // componente | operatore
	PersonaID     string
	Nome          string // "Cognome Nome"
	CodiceFiscale string // of a member of the nucleo
	Ruolo         string
}

// Firmatari are those who may sign version c on day oggi, in the order of
// the signing form and of the signature table of the printed patto: the
// adult members of the nucleo (a minor does not sign), the case manager,
// the members of the équipe. The form and the paper have no other source.
func Firmatari(c Contenuto, oggi time.Time) []Candidato {
	var out []Candidato
	for _, m := range c.Componenti {
		if !Maggiorenne(m, oggi) {
			continue
		}
		ruolo := "componente del nucleo"
		if m.PersonaID == c.FamiliareResponsabile {
			ruolo = "familiare responsabile"
		}
		out = append(out, Candidato{Chiave: "c:" + m.PersonaID, Tipo: "componente", PersonaID: m.PersonaID,
			Nome: strings.TrimSpace(m.Cognome + " " + m.Nome), CodiceFiscale: m.CodiceFiscale, Ruolo: ruolo})
	}
	if c.CaseManager != "" {
		out = append(out, Candidato{Chiave: "o:cm", Tipo: "operatore", Nome: c.CaseManager, Ruolo: "case manager"})
	}
	for _, m := range c.Equipe {
		ruolo := "équipe multidisciplinare"
		if m.Funzione != "" {
			ruolo += ", " + m.Funzione
		}
		out = append(out, Candidato{Chiave: "o:" + m.ID, Tipo: "operatore", Nome: strings.TrimSpace(m.Cognome + " " + m.Nome), Ruolo: ruolo})
	}
	return out
}

// idFirma is the id of the signing form's checkbox of key k.
func idFirma(k string) string { return "firma-" + strings.Replace(k, ":", "-", 1) }

// firmatari resolves the signatories ticked in the form against
// Firmatari; keys of no one who may sign are ignored.
func firmatari(c Contenuto, keys []string, oggi time.Time) []Firmatario {
	scelto := map[string]bool{}
	for _, k := range keys {
		scelto[k] = true
	}
	var out []Firmatario
	for _, f := range Firmatari(c, oggi) {
		if scelto[f.Chiave] {
			out = append(out, Firmatario{Tipo: f.Tipo, PersonaID: f.PersonaID, Nome: f.Nome, Ruolo: f.Ruolo})
		}
	}
	return out
}

func nomeFile(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, "\\", "/"))
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, n)
	if n == "." || n == "/" {
		return ""
	}
	if utf8.RuneCountInString(n) > 200 {
		n = string([]rune(n)[:200])
	}
	return n
}

// validaFirma checks the signing form; it returns the signatories and the
// scan to store (nil unless on paper).
func validaFirma(in Firma, c Contenuto, oggi time.Time) ([]Firmatario, *File, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	if in.Data == "" {
		errs["firma-data"] = "Indica la data della sottoscrizione."
	} else if d, ok := calendario.ParseData(in.Data); !ok {
		errs["firma-data"] = "La data della sottoscrizione non è valida: usa il formato gg/mm/aaaa."
	} else if d.After(oggi) {
		errs["firma-data"] = "La data della sottoscrizione non può essere futura."
	}
	fs := firmatari(c, in.Firmatari, oggi)
	componenti, operatori := 0, 0
	for _, f := range fs {
		if f.Tipo == "componente" {
			componenti++
		} else {
			operatori++
		}
	}
	switch {
	case componenti == 0 && operatori == 0:
		errs["firmatari"] = "Indica chi ha firmato: almeno un componente del nucleo e un operatore."
	case componenti == 0:
		errs["firmatari"] = "Il patto è sottoscritto dal nucleo: indica almeno un componente che ha firmato."
	case operatori == 0:
		errs["firmatari"] = "Indica almeno un operatore che ha firmato (il case manager o un membro dell'équipe)."
	}
	var scan *File
	switch in.Modalita {
	case Cartacea:
		switch {
		case in.File == nil || len(in.File.Dati) == 0:
			errs["scansione"] = "Carica la scansione del patto firmato (PDF, JPEG o PNG, al massimo 10 MB)."
		case len(in.File.Dati) > MaxScansione:
			errs["scansione"] = "La scansione supera i 10 MB: riducila (ad esempio in bianco e nero) e caricala di nuovo."
		default:
			mime, _, _ := strings.Cut(http.DetectContentType(in.File.Dati), ";")
			ext, ok := MimeScansione[mime]
			if !ok {
				errs["scansione"] = "La scansione deve essere un PDF, un JPEG o un PNG."
				break
			}
			nome := nomeFile(in.File.Nome)
			if nome == "" {
				nome = "patto-firmato" + ext
			}
			scan = &File{Nome: nome, Mime: mime, Dati: in.File.Dati}
		}
	case FEA, OTP:
	case Altra:
		if strings.TrimSpace(in.Nota) == "" {
			errs["firma-nota"] = "Descrivi come è stato sottoscritto il patto."
		}
	case "":
		errs["modalita"] = "Indica come è stato sottoscritto il patto."
	default:
		errs["modalita"] = "Modalità di sottoscrizione non valida."
	}
	if utf8.RuneCountInString(in.Nota) > 2000 {
		errs["firma-nota"] = "La nota non può superare i 2000 caratteri."
	}
	if len(errs) == 0 {
		return fs, scan, nil
	}
	return fs, scan, errs
}

// Sottoscrivi records the signature of the draft, loaded at revisione
// (else *schede.Conflitto): the content is validated (Valida) and the form
// (date, signatories, modalità; the scan when on paper); errors are returned
// field by field and nothing is written. Signing finalises the version,
// which the database then refuses to change; the sostegni start their
// progress as "proposto"; a case in progettazione moves to
// patto_sottoscritto (domain.md §2.3).
func (s *Service) Sottoscrivi(ctx context.Context, p authz.Principal, casoID uuid.UUID, revisione int, in Firma, v registro.Voce) (schede.Versione, httpx.FieldErrors, error) {
	in.Data = iso(in.Data)
	return s.m.Finalizza(ctx, p, casoID, revisione, nil, v, schede.Passi[casi.Caso, Contenuto, Riferimenti]{
		PrimaLaRevisione: true, // signed over a draft that moved on: the conflict, nothing written
		Controlla: func(ctx context.Context, tx pgx.Tx, _ casi.Caso, cont *Contenuto, rif Riferimenti) (httpx.FieldErrors, error) {
			return s.firma(ctx, tx, p, casoID, revisione, in, cont, rif)
		},
		Dopo: func(ctx context.Context, tx pgx.Tx, c casi.Caso, ver schede.Versione, cont Contenuto, _ Riferimenti) (string, error) {
			return s.sottoscritto(ctx, tx, p, c, ver, cont, in)
		},
	})
}

// firma validates the content (Valida) and the signing form, stores the
// scan and writes the signature into the content.
func (s *Service) firma(ctx context.Context, tx pgx.Tx, p authz.Principal, casoID uuid.UUID, revisione int, in Firma, cont *Contenuto, rif Riferimenti) (httpx.FieldErrors, error) {
	oggi := s.oggi()
	errs := Valida(*cont, rif, oggi)
	fs, scan, ferrs := validaFirma(in, *cont, oggi)
	for k, m := range ferrs {
		if errs == nil {
			errs = httpx.FieldErrors{}
		}
		errs[k] = m
	}
	if len(errs) > 0 {
		return errs, nil
	}
	firma := &Sottoscrizione{Data: in.Data, Modalita: in.Modalita, Firmatari: fs}
	if in.Modalita == Altra {
		firma.Nota = strings.TrimSpace(in.Nota)
	}
	if scan != nil {
		cur, err := schede.Ultima(ctx, tx, casoID, Tipo)
		if err != nil {
			return nil, err
		}
		id := uuid.New()
		if err := salvaScansione(ctx, tx, id, casoID, cur.Numero, *scan, p.OperatoreID); err != nil {
			return nil, err
		}
		firma.Scansione = id.String()
	}
	cont.Sottoscrizione = firma
	return nil, nil
}

// sottoscritto applies a signed version: the sostegni start their progress
// as "proposto"; a case in progettazione moves to patto_sottoscritto.
func (s *Service) sottoscritto(ctx context.Context, tx pgx.Tx, p authz.Principal, c casi.Caso, ver schede.Versione, cont Contenuto, in Firma) (string, error) {
	for _, x := range cont.Sostegni {
		if err := avviaAttuazione(ctx, tx, c.ID, x.ID, p.OperatoreID); err != nil {
			return "", err
		}
	}
	op := p.OperatoreID
	d, _ := calendario.ParseData(in.Data)
	nota := fmt.Sprintf("Patto per l'inclusione sociale, versione %d, sottoscritto il %s (%s)", ver.Numero, calendario.Data(d),
		strings.ToLower(EtichettaModalita(in.Modalita)))
	if c.Stato == casi.Progettazione {
		if err := pattoSottoscritto(ctx, tx, c.ID); err != nil {
			return "", err
		}
		if err := casi.Storico(ctx, tx, c.ID, &op, "stato", string(c.Stato), string(casi.PattoSottoscritto), nota); err != nil {
			return "", err
		}
	} else if err := casi.Storico(ctx, tx, c.ID, &op, "patto", "", "", nota); err != nil {
		return "", err
	}
	return fmt.Sprintf("versione %d sottoscritta (%s)", ver.Numero, in.Modalita), nil
}

// Scansione returns the signed scan of version numero for p, recording the
// download as an export.
func (s *Service) Scansione(ctx context.Context, p authz.Principal, casoID uuid.UUID, numero int, v registro.Voce) (File, error) {
	v.Azione, v.OggettoTipo = registro.Esportazione, OggettoTipo
	v.Dettaglio = fmt.Sprintf("scansione firmata, versione %d", numero)
	if _, err := s.casi.Access(ctx, p, casoID, v); err != nil {
		return File{}, err
	}
	return leggiScansione(ctx, s.pool, casoID, numero)
}
