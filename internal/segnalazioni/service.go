package segnalazioni

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
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
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// Limits of the attachments.
const (
	MaxAllegato  = 10 << 20 // bytes per file
	MaxAllegati  = 10       // files per segnalazione
	MaxDescr     = 4000     // characters of the description
	MaxMotivo    = 2000     // characters of a refusal's or an annulment's reason
	oggettoTipo  = "segnalazione"
	oggettoAlleg = "segnalazione_allegato"
)

// MimeAmmessi are the attachment types, sniffed from the content.
var MimeAmmessi = map[string]string{"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

// Service is the module's use cases.
type Service struct {
	pool *pgxpool.Pool
	reg  *registro.Service
	casi *casi.Service
	now  func() time.Time
}

// NewService returns the service: case scope through cs, every access and
// write recorded in reg.
func NewService(pool *pgxpool.Pool, reg *registro.Service, cs *casi.Service) *Service {
	return &Service{pool: pool, reg: reg, casi: cs, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) oggi() time.Time { return casi.Oggi(s.now()) }

// Componente is a current member of the nucleo, who a segnalazione may be about.
type Componente struct {
	PersonaID     uuid.UUID
	Cognome, Nome string
	CodiceFiscale string
	Relazione     string
	DataNascita   time.Time
}

// Impegno is an impegno of the case's signed patto (domain.md §6.2).
type Impegno struct {
	ID        string
	PersonaID string
	Testo     string
}

// Modulo is what the segnalazione form offers for a case.
type Modulo struct {
	Caso       casi.Caso
	Oggi       time.Time
	Tipi       []Tipo
	Componenti []Componente
	Impegni    []Impegno // of the newest signed patto; empty when none
}

// Input is the form as typed.
type Input struct {
	Tipo             string // codice of the tipo
	PersonaID        string
	ImpegnoID        string
	DataEvento       string // yyyy-mm-dd
	DataAccertamento string
	Descrizione      string
	Versione         string   // the versione the edit started from
	Allegati         []File   // new uploads
	Rimuovi          []string // ids of attachments to remove
}

// File is an uploaded file.
type File struct {
	Nome string
	Dati []byte
}

// FromSegnalazione is the form of an existing segnalazione.
func FromSegnalazione(sg Segnalazione) Input {
	return Input{Tipo: sg.Tipo.Codice, PersonaID: sg.PersonaID.String(), ImpegnoID: sg.ImpegnoID,
		DataEvento: calendario.ISO(sg.DataEvento), DataAccertamento: calendario.ISO(sg.DataAccertamento),
		Descrizione: sg.Descrizione, Versione: strconv.Itoa(sg.Versione)}
}

// Elenco is the segnalazioni of a case, newest first.
type Elenco struct {
	Caso         casi.Caso
	Segnalazioni []Segnalazione
}

// Scheda is one segnalazione with what its form needs.
type Scheda struct {
	Modulo
	Segnalazione Segnalazione
}

// Elenco returns the case's segnalazioni for p, recording the read.
func (s *Service) Elenco(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Elenco, error) {
	v.OggettoTipo = oggettoTipo
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Elenco{}, err
	}
	out, err := delCaso(ctx, s.pool, casoID)
	if err != nil {
		return Elenco{}, fmt.Errorf("segnalazioni: elenco: %w", err)
	}
	return Elenco{Caso: c, Segnalazioni: out}, nil
}

// Nuova returns the form of a new segnalazione of the case, recording the read.
func (s *Service) Nuova(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce) (Modulo, error) {
	v.OggettoTipo, v.Dettaglio = oggettoTipo, "nuova"
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Modulo{}, err
	}
	return s.modulo(ctx, s.pool, c)
}

// Dettaglio returns one segnalazione of the case with its attachments and
// history, recording the read.
func (s *Service) Dettaglio(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, v registro.Voce) (Scheda, error) {
	v.OggettoTipo, v.OggettoID = oggettoTipo, id.String()
	c, err := s.casi.Access(ctx, p, casoID, v)
	if err != nil {
		return Scheda{}, err
	}
	sg, err := s.carica(ctx, s.pool, casoID, id)
	if err != nil {
		return Scheda{}, err
	}
	m, err := s.modulo(ctx, s.pool, c)
	if err != nil {
		return Scheda{}, err
	}
	return Scheda{Modulo: m, Segnalazione: sg}, nil
}

// Allegato returns an attachment of a segnalazione of the case with its
// content, recording the download.
func (s *Service) Allegato(ctx context.Context, p authz.Principal, casoID, id, allegato uuid.UUID, v registro.Voce) (Allegato, error) {
	v.Azione, v.OggettoTipo, v.OggettoID = registro.Esportazione, oggettoAlleg, allegato.String()
	if _, err := s.casi.Access(ctx, p, casoID, v); err != nil {
		return Allegato{}, err
	}
	return leggiAllegato(ctx, s.pool, casoID, id, allegato)
}

// contenutoPatto is the part of the patto's content (internal/patto,
// Contenuto: keys kept stable there) that a segnalazione refers to.
type contenutoPatto struct {
	Impegni []struct {
		ID          string `json:"id"`
		PersonaID   string `json:"persona_id"`
		Descrizione string `json:"descrizione"`
		Frequenza   string `json:"frequenza"`
		Scadenza    string `json:"scadenza"`
	} `json:"impegni"`
}

// riga is a validated form.
type riga struct {
	tipo             Tipo
	persona          uuid.UUID
	impegnoID        *string
	impegnoTesto     string
	dataEvento       time.Time
	dataAccertamento time.Time
	descrizione      string
	allegati         []allegatoNuovo
}

type allegatoNuovo struct {
	nome, mime string
	dati       []byte
	sha        [32]byte
}

// nomeFile is the base name of an uploaded file, as the browser sent it.
func nomeFile(n string) string {
	n = strings.TrimSpace(n)
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	if utf8.RuneCountInString(n) > 200 {
		n = string([]rune(n)[:200])
	}
	return n
}

// valida checks the form against the case's modulo.
func valida(in Input, m Modulo) (riga, httpx.FieldErrors) {
	fe := httpx.FieldErrors{}
	var r riga
	ok := false
	for _, t := range m.Tipi {
		if t.Codice == in.Tipo {
			r.tipo, ok = t, true
		}
	}
	if !ok {
		fe["tipo"] = "Scegli il tipo di evento da segnalare."
	}
	r.persona, _ = uuid.Parse(in.PersonaID)
	ok = false
	for _, c := range m.Componenti {
		if c.PersonaID == r.persona {
			ok = true
		}
	}
	if !ok {
		fe["persona_id"] = "Scegli il componente del nucleo a cui si riferisce la segnalazione."
	}
	if id := strings.TrimSpace(in.ImpegnoID); id != "" {
		found := false
		for _, i := range m.Impegni {
			if i.ID == id {
				found = true
				r.impegnoID, r.impegnoTesto = &i.ID, i.Testo
			}
		}
		switch {
		case !found:
			fe["impegno_id"] = "L'impegno scelto non è nel patto sottoscritto: scegline uno dall'elenco."
		case !r.tipo.RiguardaImpegni && fe["tipo"] == "":
			fe["impegno_id"] = "Indica un impegno solo per il tipo «" + impegniEtichetta(m.Tipi) + "»."
		}
	}
	de, okE := calendario.ParseData(in.DataEvento)
	switch {
	case strings.TrimSpace(in.DataEvento) == "":
		fe["data_evento"] = "Indica la data dell'evento."
	case !okE:
		fe["data_evento"] = "La data dell'evento non è valida: usa il formato gg/mm/aaaa."
	case de.After(m.Oggi):
		fe["data_evento"] = "La data dell'evento non può essere futura."
	}
	da, okA := calendario.ParseData(in.DataAccertamento)
	switch {
	case strings.TrimSpace(in.DataAccertamento) == "":
		fe["data_accertamento"] = "Indica la data in cui il fatto è stato accertato."
	case !okA:
		fe["data_accertamento"] = "La data dell'accertamento non è valida: usa il formato gg/mm/aaaa."
	case da.After(m.Oggi):
		fe["data_accertamento"] = "La data dell'accertamento non può essere futura."
	case okE && da.Before(de):
		fe["data_accertamento"] = "La data dell'accertamento non può precedere quella dell'evento."
	}
	r.dataEvento, r.dataAccertamento = de, da
	r.descrizione = strings.TrimSpace(strings.ReplaceAll(in.Descrizione, "\r\n", "\n"))
	switch {
	case r.descrizione == "":
		fe["descrizione"] = "Descrivi il fatto: che cosa è successo, come è stato accertato e perché non c'è un giustificato motivo."
	case utf8.RuneCountInString(r.descrizione) > MaxDescr:
		fe["descrizione"] = fmt.Sprintf("La descrizione supera i %d caratteri: riassumila.", MaxDescr)
	}
	var errs []string
	for _, f := range in.Allegati {
		nome := nomeFile(f.Nome)
		if nome == "" && len(f.Dati) == 0 {
			continue // the file input left empty
		}
		if nome == "" {
			nome = "allegato"
		}
		mime, _, _ := strings.Cut(http.DetectContentType(f.Dati), ";")
		switch {
		case len(f.Dati) == 0:
			errs = append(errs, "il file «"+nome+"» è vuoto")
		case len(f.Dati) > MaxAllegato:
			errs = append(errs, "il file «"+nome+"» supera i 10 MB")
		case MimeAmmessi[mime] == "":
			errs = append(errs, "il file «"+nome+"» non è un PDF, un JPEG o un PNG")
		default:
			r.allegati = append(r.allegati, allegatoNuovo{nome: nome, mime: mime, dati: f.Dati, sha: sha256.Sum256(f.Dati)})
		}
	}
	if len(errs) > 0 {
		fe["allegati"] = "Allegati non accettati: " + strings.Join(errs, "; ") + "."
	}
	if len(fe) > 0 {
		return r, fe
	}
	return r, nil
}

func impegniEtichetta(ts []Tipo) string {
	for _, t := range ts {
		if t.RiguardaImpegni {
			return t.Etichetta
		}
	}
	return ""
}

// write runs fn in a transaction on the case locked for p (the assigned
// case manager; a closed case is read-only) and records the write v
// describes in the same transaction. A case p may not reach is ErrNotFound,
// and the refusal is recorded.
func (s *Service) write(ctx context.Context, p authz.Principal, casoID uuid.UUID, v registro.Voce,
	fn func(tx pgx.Tx, c casi.Caso) (oggettoID string, err error)) error {
	v.OggettoTipo = oggettoTipo
	return s.casi.ScriviContenuto(ctx, p, casoID, v, ErrChiuso, func(tx pgx.Tx, c casi.Caso, w *registro.Voce) (err error) {
		w.OggettoID, err = fn(tx, c)
		return err
	})
}

// Crea saves a new segnalazione of the case as a bozza, and sends it to
// approval when invia; errors of the form are httpx.FieldErrors.
func (s *Service) Crea(ctx context.Context, p authz.Principal, casoID uuid.UUID, in Input, invia bool, v registro.Voce) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		m, err := s.modulo(ctx, tx, c)
		if err != nil {
			return "", err
		}
		r, fe := valida(in, m)
		if fe != nil {
			return "", fe
		}
		if len(r.allegati) > MaxAllegati {
			return "", httpx.FieldErrors{"allegati": fmt.Sprintf("Si possono allegare al massimo %d file.", MaxAllegati)}
		}
		n, err := numero(ctx, tx, c.AmbitoID)
		if err != nil {
			return "", err
		}
		now := s.now()
		if id, err = inserisci(ctx, tx, c, n, r, p.OperatoreID, now); err != nil {
			return "", fmt.Errorf("segnalazioni: crea: %w", err)
		}
		if err := s.inserisciAllegati(ctx, tx, id, r.allegati, p.OperatoreID); err != nil {
			return "", err
		}
		if err := s.passaggio(ctx, tx, id, c.ID, n, "", Bozza, p.OperatoreID, ""); err != nil {
			return "", err
		}
		if invia {
			if err := s.inApprovazione(ctx, tx, id, c.ID, n, Bozza, p.OperatoreID); err != nil {
				return "", err
			}
		}
		return id.String(), nil
	})
	return id, err
}

// stato is the lockable part of a segnalazione.
type statoRiga struct {
	numero   int
	stato    Stato
	versione int
}

// Modifica saves the edit of a bozza or respinta segnalazione (and sends it
// to approval when invia); a stale versione is ErrConflict.
func (s *Service) Modifica(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, in Input, invia bool, v registro.Voce) error {
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		st, err := blocca(ctx, tx, casoID, id, in.Versione)
		if err != nil {
			return "", err
		}
		if !st.stato.Modificabile() {
			return "", ErrStato
		}
		m, err := s.modulo(ctx, tx, c)
		if err != nil {
			return "", err
		}
		r, fe := valida(in, m)
		if fe != nil {
			return "", fe
		}
		rimuovi := in.Rimuovi
		if rimuovi == nil {
			rimuovi = []string{} // ANY(NULL) would match nothing and count nothing
		}
		rimasti, err := allegatiRimasti(ctx, tx, id, rimuovi)
		if err != nil {
			return "", err
		}
		if rimasti+len(r.allegati) > MaxAllegati {
			return "", httpx.FieldErrors{"allegati": fmt.Sprintf("Si possono allegare al massimo %d file.", MaxAllegati)}
		}
		if err := rimuoviAllegati(ctx, tx, id, rimuovi); err != nil {
			return "", err
		}
		if err := s.inserisciAllegati(ctx, tx, id, r.allegati, p.OperatoreID); err != nil {
			return "", err
		}
		if err := aggiorna(ctx, tx, id, r, p.OperatoreID, s.now()); err != nil {
			return "", fmt.Errorf("segnalazioni: modifica: %w", err)
		}
		if invia {
			if err := s.inApprovazione(ctx, tx, id, casoID, st.numero, st.stato, p.OperatoreID); err != nil {
				return "", err
			}
		}
		return id.String(), nil
	})
}

// InviaInApprovazione sends a bozza or respinta segnalazione to the coordinatore.
func (s *Service) InviaInApprovazione(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, versione string, v registro.Voce) error {
	v.Dettaglio = "invio in approvazione"
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		st, err := blocca(ctx, tx, casoID, id, versione)
		if err != nil {
			return "", err
		}
		if !st.stato.Modificabile() {
			return "", ErrStato
		}
		return id.String(), s.inApprovazione(ctx, tx, id, casoID, st.numero, st.stato, p.OperatoreID)
	})
}

// Annulla annuls a bozza or respinta segnalazione, with an optional note.
func (s *Service) Annulla(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, versione, nota string, v registro.Voce) error {
	v.Dettaglio = "annullamento"
	nota = strings.TrimSpace(nota)
	if utf8.RuneCountInString(nota) > MaxMotivo {
		return httpx.FieldErrors{"nota": fmt.Sprintf("Il motivo supera i %d caratteri.", MaxMotivo)}
	}
	return s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		st, err := blocca(ctx, tx, casoID, id, versione)
		if err != nil {
			return "", err
		}
		if !st.stato.Modificabile() {
			return "", ErrStato
		}
		if err := annulla(ctx, tx, id, p.OperatoreID, s.now()); err != nil {
			return "", err
		}
		return id.String(), s.passaggio(ctx, tx, id, casoID, st.numero, st.stato, Annullata, p.OperatoreID, nota)
	})
}

// Rettifica starts the rectification of a sent segnalazione: a new bozza
// linked to it (rettifica_di) with its data and attachments, to be edited,
// approved and sent like any other. When the rectification is sent, the
// original becomes rettificata. At most one rectification at a time.
func (s *Service) Rettifica(ctx context.Context, p authz.Principal, casoID, id uuid.UUID, versione string, v registro.Voce) (uuid.UUID, error) {
	var nuova uuid.UUID
	v.Dettaglio = "rettifica"
	err := s.write(ctx, p, casoID, v, func(tx pgx.Tx, c casi.Caso) (string, error) {
		st, err := blocca(ctx, tx, casoID, id, versione)
		if err != nil {
			return "", err
		}
		if st.stato != Inviata {
			return "", ErrStato
		}
		aperta, err := rettificaAperta(ctx, tx, id)
		if err != nil {
			return "", err
		}
		if aperta {
			return "", ErrStato
		}
		n, err := numero(ctx, tx, c.AmbitoID)
		if err != nil {
			return "", err
		}
		now := s.now()
		if nuova, err = inserisciRettifica(ctx, tx, id, c, n, p.OperatoreID, now); err != nil {
			return "", fmt.Errorf("segnalazioni: rettifica: %w", err)
		}
		if err := copiaAllegati(ctx, tx, id, nuova); err != nil {
			return "", fmt.Errorf("segnalazioni: rettifica: %w", err)
		}
		if err := s.passaggio(ctx, tx, nuova, casoID, n, "", Bozza, p.OperatoreID, "Rettifica di "+Codice(st.numero)); err != nil {
			return "", err
		}
		return nuova.String(), nil
	})
	return nuova, err
}
