package segnalazioni

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
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
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/schede"
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
	rows, err := s.pool.Query(ctx, colonne+` WHERE s.caso_id = $1 ORDER BY s.created_at DESC, s.numero DESC`, casoID)
	if err != nil {
		return Elenco{}, fmt.Errorf("segnalazioni: elenco: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Segnalazione, error) { return scan(r) })
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

func leggiAllegato(ctx context.Context, q database.Querier, casoID, id, allegato uuid.UUID) (Allegato, error) {
	var a Allegato
	err := q.QueryRow(ctx, `SELECT a.id, a.nome, a.mime, a.dimensione, a.sha256, a.caricato_il, a.contenuto
		FROM segnalazione_allegato a JOIN segnalazione s ON s.id = a.segnalazione_id
		WHERE a.id = $1 AND s.id = $2 AND s.caso_id = $3`, allegato, id, casoID).
		Scan(&a.ID, &a.Nome, &a.Mime, &a.Dimensione, &a.SHA256, &a.CaricatoIl, &a.Dati)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

// modulo loads what the form offers for case c.
func (s *Service) modulo(ctx context.Context, q database.Querier, c casi.Caso) (Modulo, error) {
	m := Modulo{Caso: c, Oggi: s.oggi()}
	var err error
	if m.Tipi, err = tipi(ctx, q, m.Oggi); err != nil {
		return m, err
	}
	rows, err := q.Query(ctx, `
		SELECT p.id, p.cognome, p.nome, p.codice_fiscale, nc.relazione, p.data_nascita
		FROM nucleo_componente nc JOIN persona p ON p.id = nc.persona_id
		WHERE nc.nucleo_id = $1 AND nc.al IS NULL ORDER BY nc.relazione <> 'richiedente', p.data_nascita`, c.NucleoID)
	if err != nil {
		return m, fmt.Errorf("segnalazioni: componenti: %w", err)
	}
	m.Componenti, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Componente, error) {
		var x Componente
		err := r.Scan(&x.PersonaID, &x.Cognome, &x.Nome, &x.CodiceFiscale, &x.Relazione, &x.DataNascita)
		return x, err
	})
	if err != nil {
		return m, fmt.Errorf("segnalazioni: componenti: %w", err)
	}
	m.Impegni, err = impegni(ctx, q, c.ID)
	return m, err
}

// tipi are the kinds of event in force on day oggi, in order.
func tipi(ctx context.Context, q database.Querier, oggi time.Time) ([]Tipo, error) {
	rows, err := q.Query(ctx, `SELECT id, codice, etichetta, descrizione, riferimento_normativo, effetto, riguarda_impegni
		FROM segnalazione_tipo WHERE attivo AND valido_dal <= $1 AND (valido_al IS NULL OR valido_al >= $1)
		ORDER BY ordine, etichetta`, oggi)
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: tipi: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Tipo, error) {
		var t Tipo
		var eff string
		err := r.Scan(&t.ID, &t.Codice, &t.Etichetta, &t.Descrizione, &t.Riferimento, &eff, &t.RiguardaImpegni)
		t.Effetto = Effetto(eff)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: tipi: %w", err)
	}
	return out, nil
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

// impegni are the impegni of the case's newest signed patto.
func impegni(ctx context.Context, q database.Querier, casoID uuid.UUID) ([]Impegno, error) {
	v, err := schede.UltimaDefinitiva(ctx, q, casoID, schede.Patto)
	if errors.Is(err, schede.ErrNonTrovata) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("segnalazioni: patto: %w", err)
	}
	var c contenutoPatto
	if err := json.Unmarshal(v.Contenuto, &c); err != nil {
		return nil, fmt.Errorf("segnalazioni: patto: %w", err)
	}
	var out []Impegno
	for _, i := range c.Impegni {
		testo := strings.TrimSpace(i.Descrizione)
		if f := strings.TrimSpace(i.Frequenza); f != "" {
			testo += " (" + f + ")"
		}
		if d, ok := calendario.ParseData(i.Scadenza); ok {
			testo += ", entro il " + calendario.Data(d)
		}
		out = append(out, Impegno{ID: i.ID, PersonaID: i.PersonaID, Testo: fmt.Sprintf("Patto versione %d: %s", v.Numero, testo)})
	}
	return out, nil
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

// passaggio records a state change of segnalazione id (number numero, of
// case casoID): in segnalazione_stato and, as an event, in the case's
// history.
func (s *Service) passaggio(ctx context.Context, tx pgx.Tx, id, casoID uuid.UUID, numero int, da, a Stato, op uuid.UUID, nota string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_stato (segnalazione_id, da, a, operatore_id, quando, nota)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, string(da), string(a), op, s.now(), nota); err != nil {
		return fmt.Errorf("segnalazioni: stato: %w", err)
	}
	return casi.Storico(ctx, tx, casoID, &op, "segnalazione", da.Label(), a.Label(), Codice(numero))
}

func (s *Service) inserisciAllegati(ctx context.Context, tx pgx.Tx, id uuid.UUID, as []allegatoNuovo, op uuid.UUID) error {
	for _, a := range as {
		if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_allegato (segnalazione_id, nome, mime, dimensione, contenuto, sha256, caricato_da, caricato_il)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, a.nome, a.mime, len(a.dati), a.dati, a.sha[:], op, s.now()); err != nil {
			return fmt.Errorf("segnalazioni: allegato: %w", err)
		}
	}
	return nil
}

// numero draws the next progressive number of the ambito.
func numero(ctx context.Context, tx pgx.Tx, ambito int64) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `INSERT INTO segnalazione_contatore (ambito_id, ultimo) VALUES ($1, 1)
		ON CONFLICT (ambito_id) DO UPDATE SET ultimo = segnalazione_contatore.ultimo + 1 RETURNING ultimo`, ambito).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("segnalazioni: numero: %w", err)
	}
	return n, nil
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
		if err := tx.QueryRow(ctx, `INSERT INTO segnalazione (caso_id, ambito_id, comune_id, numero, tipo_id, persona_id,
				impegno_id, impegno_testo, data_evento, data_accertamento, descrizione, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12, $13) RETURNING id`,
			c.ID, c.AmbitoID, c.ComuneID, n, r.tipo.ID, r.persona, r.impegnoID, r.impegnoTesto, r.dataEvento, r.dataAccertamento,
			r.descrizione, p.OperatoreID, now).Scan(&id); err != nil {
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

func (s *Service) inApprovazione(ctx context.Context, tx pgx.Tx, id, casoID uuid.UUID, n int, da Stato, op uuid.UUID) error {
	if _, err := tx.Exec(ctx, `UPDATE segnalazione SET stato = 'in_approvazione', in_approvazione_dal = $2, motivo_rifiuto = '',
		versione = versione + 1, updated_by = $3, updated_at = $2 WHERE id = $1`, id, s.now(), op); err != nil {
		return fmt.Errorf("segnalazioni: in approvazione: %w", err)
	}
	return s.passaggio(ctx, tx, id, casoID, n, da, InApprovazione, op, "")
}

// stato is the lockable part of a segnalazione.
type statoRiga struct {
	numero   int
	stato    Stato
	versione int
}

// blocca locks segnalazione id of case casoID and checks the versione the
// user's page showed.
func blocca(ctx context.Context, tx pgx.Tx, casoID, id uuid.UUID, versione string) (statoRiga, error) {
	var r statoRiga
	var st string
	err := tx.QueryRow(ctx, `SELECT numero, stato, versione FROM segnalazione WHERE id = $1 AND caso_id = $2 FOR UPDATE`, id, casoID).
		Scan(&r.numero, &st, &r.versione)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("segnalazioni: lock: %w", err)
	}
	r.stato = Stato(st)
	if strconv.Itoa(r.versione) != strings.TrimSpace(versione) {
		return r, ErrConflict
	}
	return r, nil
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
		var rimasti int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM segnalazione_allegato WHERE segnalazione_id = $1 AND NOT (id::text = ANY($2))`,
			id, rimuovi).Scan(&rimasti); err != nil {
			return "", err
		}
		if rimasti+len(r.allegati) > MaxAllegati {
			return "", httpx.FieldErrors{"allegati": fmt.Sprintf("Si possono allegare al massimo %d file.", MaxAllegati)}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM segnalazione_allegato WHERE segnalazione_id = $1 AND id::text = ANY($2)`, id, rimuovi); err != nil {
			return "", err
		}
		if err := s.inserisciAllegati(ctx, tx, id, r.allegati, p.OperatoreID); err != nil {
			return "", err
		}
		if _, err := tx.Exec(ctx, `UPDATE segnalazione SET tipo_id = $2, persona_id = $3, impegno_id = $4, impegno_testo = $5,
				data_evento = $6, data_accertamento = $7, descrizione = $8, versione = versione + 1, updated_by = $9, updated_at = $10
			WHERE id = $1`, id, r.tipo.ID, r.persona, r.impegnoID, r.impegnoTesto, r.dataEvento, r.dataAccertamento, r.descrizione,
			p.OperatoreID, s.now()); err != nil {
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
		if _, err := tx.Exec(ctx, `UPDATE segnalazione SET stato = 'annullata', versione = versione + 1, updated_by = $2, updated_at = $3
			WHERE id = $1`, id, p.OperatoreID, s.now()); err != nil {
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
		var aperta bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM segnalazione WHERE rettifica_di = $1 AND stato <> 'annullata')`, id).Scan(&aperta); err != nil {
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
		if err := tx.QueryRow(ctx, `INSERT INTO segnalazione (caso_id, ambito_id, comune_id, numero, tipo_id, persona_id,
				impegno_id, impegno_testo, data_evento, data_accertamento, descrizione, rettifica_di, created_by, created_at, updated_by, updated_at)
			SELECT caso_id, $2, $3, $4, tipo_id, persona_id, impegno_id, impegno_testo, data_evento, data_accertamento, descrizione,
			       id, $5, $6, $5, $6
			FROM segnalazione WHERE id = $1 RETURNING id`, id, c.AmbitoID, c.ComuneID, n, p.OperatoreID, now).Scan(&nuova); err != nil {
			return "", fmt.Errorf("segnalazioni: rettifica: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO segnalazione_allegato (segnalazione_id, nome, mime, dimensione, contenuto, sha256, caricato_da, caricato_il)
			SELECT $2, nome, mime, dimensione, contenuto, sha256, caricato_da, caricato_il FROM segnalazione_allegato WHERE segnalazione_id = $1`,
			id, nuova); err != nil {
			return "", fmt.Errorf("segnalazioni: rettifica: %w", err)
		}
		if err := s.passaggio(ctx, tx, nuova, casoID, n, "", Bozza, p.OperatoreID, "Rettifica di "+Codice(st.numero)); err != nil {
			return "", err
		}
		return nuova.String(), nil
	})
	return nuova, err
}

// colonne selects a segnalazione for scan.
const colonne = `
	SELECT s.id, s.caso_id, s.ambito_id, s.comune_id, s.numero,
	       t.id, t.codice, t.etichetta, t.descrizione, t.riferimento_normativo, t.effetto, t.riguarda_impegni,
	       s.persona_id, pe.cognome || ' ' || pe.nome, pe.codice_fiscale,
	       COALESCE(s.impegno_id, ''), s.impegno_testo, s.data_evento, s.data_accertamento, s.descrizione, s.stato,
	       s.rettifica_di, COALESCE(r.numero, 0), rd.id, COALESCE(rd.numero, 0),
	       s.motivo_rifiuto, s.in_approvazione_dal, COALESCE(oa.nome || ' ' || oa.cognome, ''), s.approvata_il,
	       s.inviata_il, s.invio_id, s.esito_inps, s.esito_inps_nota, s.esito_inps_il, COALESCE(oe.nome || ' ' || oe.cognome, ''),
	       s.versione, oc.nome || ' ' || oc.cognome, s.created_at, s.updated_at
	FROM segnalazione s
	JOIN segnalazione_tipo t ON t.id = s.tipo_id
	JOIN persona pe ON pe.id = s.persona_id
	JOIN operatore oc ON oc.id = s.created_by
	LEFT JOIN operatore oa ON oa.id = s.approvata_da
	LEFT JOIN operatore oe ON oe.id = s.esito_inps_da
	LEFT JOIN segnalazione r ON r.id = s.rettifica_di
	LEFT JOIN LATERAL (SELECT x.id, x.numero FROM segnalazione x
		WHERE x.rettifica_di = s.id AND x.stato <> 'annullata' ORDER BY x.created_at DESC LIMIT 1) rd ON true`

func scan(r pgx.Row) (Segnalazione, error) {
	var sg Segnalazione
	var eff, st string
	err := r.Scan(&sg.ID, &sg.CasoID, &sg.AmbitoID, &sg.ComuneID, &sg.Numero,
		&sg.Tipo.ID, &sg.Tipo.Codice, &sg.Tipo.Etichetta, &sg.Tipo.Descrizione, &sg.Tipo.Riferimento, &eff, &sg.Tipo.RiguardaImpegni,
		&sg.PersonaID, &sg.Componente, &sg.CodiceFiscale,
		&sg.ImpegnoID, &sg.ImpegnoTesto, &sg.DataEvento, &sg.DataAccertamento, &sg.Descrizione, &st,
		&sg.RettificaDi, &sg.RettificaDiNum, &sg.RettificataDa, &sg.RettificataDaNum,
		&sg.MotivoRifiuto, &sg.InApprovazioneIl, &sg.ApprovataDa, &sg.ApprovataIl,
		&sg.InviataIl, &sg.InvioID, &sg.Esito.Valore, &sg.Esito.Nota, &sg.Esito.Il, &sg.Esito.Da, &sg.Versione,
		&sg.CreataDa, &sg.CreataIl, &sg.AggiornataIl)
	if errors.Is(err, pgx.ErrNoRows) {
		return sg, ErrNotFound
	}
	sg.Tipo.Effetto, sg.Stato = Effetto(eff), Stato(st)
	return sg, err
}

// carica loads segnalazione id of case casoID with attachments and history.
func (s *Service) carica(ctx context.Context, q database.Querier, casoID, id uuid.UUID) (Segnalazione, error) {
	sg, err := scan(q.QueryRow(ctx, colonne+` WHERE s.id = $1 AND s.caso_id = $2`, id, casoID))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return sg, err
		}
		return sg, fmt.Errorf("segnalazioni: carica: %w", err)
	}
	return sg, completa(ctx, q, &sg)
}

// completa adds the attachments (without content) and the history.
func completa(ctx context.Context, q database.Querier, sg *Segnalazione) error {
	rows, err := q.Query(ctx, `SELECT id, nome, mime, dimensione, sha256, caricato_il FROM segnalazione_allegato
		WHERE segnalazione_id = $1 ORDER BY caricato_il, nome`, sg.ID)
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	sg.Allegati, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Allegato, error) {
		var a Allegato
		err := r.Scan(&a.ID, &a.Nome, &a.Mime, &a.Dimensione, &a.SHA256, &a.CaricatoIl)
		return a, err
	})
	if err != nil {
		return fmt.Errorf("segnalazioni: allegati: %w", err)
	}
	rows, err = q.Query(ctx, `SELECT st.da, st.a, COALESCE(o.nome || ' ' || o.cognome, 'Sistema'), st.quando, st.nota
		FROM segnalazione_stato st LEFT JOIN operatore o ON o.id = st.operatore_id
		WHERE st.segnalazione_id = $1 ORDER BY st.id`, sg.ID)
	if err != nil {
		return fmt.Errorf("segnalazioni: storia: %w", err)
	}
	sg.Storia, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Passaggio, error) {
		var x Passaggio
		var da, a string
		err := r.Scan(&da, &a, &x.Operatore, &x.Quando, &x.Nota)
		x.Da, x.A = Stato(da), Stato(a)
		return x, err
	})
	if err != nil {
		return fmt.Errorf("segnalazioni: storia: %w", err)
	}
	return nil
}
