package report

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The exports of the cruscotto (issue 17, point 4): a request records a
// job (esportazione, stato in_attesa); the worker of some instance claims
// it (FOR UPDATE SKIP LOCKED), writes the file in blocks of Blocco bytes
// into esportazione_blocco, and marks it pronta (or fallita, with the
// reason). Only who asked downloads it, until it expires (Durata); the
// purge deletes it with its blocks. docs/operations.md, "Esportazioni".

// Stati of an export.
const (
	InAttesa = "in_attesa"
	InCorso  = "in_corso"
	Pronta   = "pronta"
	Fallita  = "fallita"
)

// Dataset is the tipo of the case-level pseudonymised dataset's export.
const Dataset = "dataset"

const (
	// Blocco is the size of a block of the file in the database.
	Blocco = 1 << 20
	// Durata: an export is deleted this long after it was requested.
	Durata = 7 * 24 * time.Hour
	// Battito and Scadenza: the heartbeat of a running export and the age
	// after which its process is taken as gone (as internal/importazioni).
	Battito  = 10 * time.Second
	Scadenza = 60 * time.Second
	// Tentativi: an export interrupted this many times by a crash fails.
	Tentativi = 2
	// PaginaEsportazioni: exports per page of the list.
	PaginaEsportazioni = 20
	// OgniPurga: how often the worker deletes the expired exports.
	OgniPurga = 10 * time.Minute
	// ogniRighe: the progress is written every so many rows.
	ogniRighe = 5000
)

const msgCrash = "L'esportazione si è interrotta più volte per un riavvio del server: richiedila di nuovo."

// Esportazione is one export.
type Esportazione struct {
	ID                        int64
	AmbitoID                  int64
	AmbitoComuneID            *int64
	OperatoreID               uuid.UUID
	Ruolo                     string
	Tipo, Formato             string
	Dal, Al                   time.Time
	ComuneID                  *int64
	Stato                     string
	Tentativi                 int
	RigheTotali, RigheScritte int64
	CreataIl                  time.Time
	CompletataIl              *time.Time
	ScadeIl                   time.Time
	Errore, SHA256            string
	Dimensione                int64
	Titolo                    string // the table's title (once the export ran)
}

// Percentuale is the progress, 0 to 100.
func (e Esportazione) Percentuale() int {
	switch {
	case e.Stato == Pronta:
		return 100
	case e.RigheTotali <= 0:
		return 0
	}
	p := int(e.RigheScritte * 100 / e.RigheTotali)
	return min(p, 100)
}

// InLavorazione: waiting or running (its page refreshes itself).
func (e Esportazione) InLavorazione() bool { return e.Stato == InAttesa || e.Stato == InCorso }

// StatoLabel is the state in Italian.
func (e Esportazione) StatoLabel() string {
	switch e.Stato {
	case InAttesa:
		return "In attesa"
	case InCorso:
		return "In corso"
	case Pronta:
		return "Pronta"
	}
	return "Non riuscita"
}

// NomeFile is the download's name.
func (e Esportazione) NomeFile() string {
	return fmt.Sprintf("cartella-%s-%s-%s-%d.%s", e.Tipo, calendario.ISO(e.Dal), calendario.ISO(e.Al), e.ID, e.Formato)
}

// Esportatore runs the exports.
type Esportatore struct {
	pool      *pgxpool.Pool
	reg       *registro.Service
	svc       *Service
	base      BaseDataset
	fornitori []FornitoreDataset
	log       *slog.Logger

	istanza  uuid.UUID
	battito  time.Duration
	scadenza time.Duration
	sveglia  chan struct{}
	wg       sync.WaitGroup
}

// NewEsportatore returns the exports' service over the cruscotto svc and
// the dataset's base and providers (internal/app).
func NewEsportatore(pool *pgxpool.Pool, reg *registro.Service, svc *Service, base BaseDataset, fornitori []FornitoreDataset, log *slog.Logger) *Esportatore {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Esportatore{pool: pool, reg: reg, svc: svc, base: base, fornitori: fornitori, log: log,
		istanza: uuid.New(), battito: Battito, scadenza: Scadenza, sveglia: make(chan struct{}, 1)}
}

// SetTempi changes the heartbeat and the age of an abandoned export (tests).
func (e *Esportatore) SetTempi(battito, scadenza time.Duration) {
	e.battito, e.scadenza = battito, scadenza
}

// RichiestaEsportazione is the form of an export: the cruscotto's filters,
// the table (or Dataset) and the format.
type RichiestaEsportazione struct {
	Richiesta
	Tipo, Formato string
}

var reTipo = regexp.MustCompile(`^[a-z0-9-]{1,60}$`)

// Richiedi records the export asked by p and wakes the worker; it returns
// its id. A form that does not parse is httpx.FieldErrors.
func (e *Esportatore) Richiedi(ctx context.Context, p authz.Principal, in RichiestaEsportazione, v registro.Voce) (int64, error) {
	_, f, err := e.svc.filtro(ctx, p, in.Richiesta)
	if err != nil {
		return 0, err
	}
	fe := httpx.FieldErrors{}
	if in.Formato != CSV && in.Formato != XLSX {
		fe["formato"] = "Scegli il formato: CSV o XLSX."
	}
	if !reTipo.MatchString(in.Tipo) {
		fe["tipo"] = "Scegli una tabella del cruscotto o il dataset."
	}
	if len(fe) > 0 {
		return 0, fe
	}
	var ambitoComune *int64
	if _, c, _ := Lettore(p); c != nil {
		ambitoComune = c
	}
	comune := f.ComuneID
	if ambitoComune != nil {
		comune = nil // the scope is the comune already
	}
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO esportazione (ambito_id, ambito_comune_id, operatore_id, ruolo, tipo, formato, dal, al, comune_id, scade_il)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(secs => $10)) RETURNING id`,
		f.AmbitoID, ambitoComune, p.OperatoreID, string(p.Ruolo), in.Tipo, in.Formato, f.Dal, f.Al, comune, Durata.Seconds()).Scan(&id); err != nil {
		return 0, fmt.Errorf("report: richiedi: %w", err)
	}
	// A write (the job): it consumes the form's idempotency key (ADR 0012),
	// so a form sent twice asks one export. The download is the export.
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = registro.Scrittura, "esportazione", strconv.FormatInt(id, 10), registro.Consentito
	v.Dettaglio = fmt.Sprintf("richiesta: %s %s dal %s al %s", in.Tipo, in.Formato, calendario.ISO(f.Dal), calendario.ISO(f.Al))
	if err := e.reg.RecordTx(ctx, tx, v); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	e.Sveglia()
	return id, nil
}

// Sveglia tells the worker there is a job.
func (e *Esportatore) Sveglia() {
	select {
	case e.sveglia <- struct{}{}:
	default:
	}
}

const colonne = `id, ambito_id, ambito_comune_id, operatore_id, ruolo, tipo, formato, dal, al, comune_id, stato, tentativi,
	righe_totali, righe_scritte, creata_il, completata_il, scade_il, errore, sha256, dimensione, titolo`

func scanEsportazione(row pgx.Row) (Esportazione, error) {
	var x Esportazione
	err := row.Scan(&x.ID, &x.AmbitoID, &x.AmbitoComuneID, &x.OperatoreID, &x.Ruolo, &x.Tipo, &x.Formato, &x.Dal, &x.Al, &x.ComuneID,
		&x.Stato, &x.Tentativi, &x.RigheTotali, &x.RigheScritte, &x.CreataIl, &x.CompletataIl, &x.ScadeIl, &x.Errore, &x.SHA256, &x.Dimensione, &x.Titolo)
	switch {
	case x.Tipo == Dataset:
		x.Titolo = "Dataset dei casi (pseudonimizzato)"
	case x.Titolo == "":
		x.Titolo = "Tabella " + x.Tipo
	}
	return x, err
}

// propria returns export id if p asked it (and it has not expired);
// anyone else, as for an export that does not exist, gets ErrNotFound.
func (e *Esportatore) propria(ctx context.Context, p authz.Principal, id int64) (Esportazione, error) {
	x, err := scanEsportazione(e.pool.QueryRow(ctx, `SELECT `+colonne+` FROM esportazione WHERE id = $1 AND operatore_id = $2 AND scade_il > now()`, id, p.OperatoreID))
	if errors.Is(err, pgx.ErrNoRows) {
		return x, httpx.ErrNotFound
	}
	if err != nil {
		return x, fmt.Errorf("report: esportazione: %w", err)
	}
	if p.AmbitoID == nil || x.AmbitoID != *p.AmbitoID || x.Ruolo != string(p.Ruolo) {
		return x, httpx.ErrNotFound
	}
	return x, nil
}

// rifiuta records a refused access to export id.
func (e *Esportatore) rifiuta(ctx context.Context, id string, dettaglio string, v registro.Voce) {
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito, v.Dettaglio = registro.Negato, "esportazione", id, registro.Rifiutato, dettaglio
	if err := e.reg.Record(ctx, v); err != nil {
		e.log.ErrorContext(ctx, "access register", "error", err)
	}
}

// Esportazione returns p's export id (its page); another's is
// httpx.ErrNotFound, and the refusal is recorded.
func (e *Esportatore) Esportazione(ctx context.Context, p authz.Principal, id int64, v registro.Voce) (Esportazione, error) {
	x, err := e.propria(ctx, p, id)
	if errors.Is(err, httpx.ErrNotFound) {
		e.rifiuta(ctx, strconv.FormatInt(id, 10), "pagina dell'esportazione", v)
	}
	return x, err
}

// Elenco is page pagina (from 1) of p's exports, newest first, and whether
// there is a next one.
func (e *Esportatore) Elenco(ctx context.Context, p authz.Principal, pagina int) ([]Esportazione, bool, error) {
	if pagina < 1 || pagina > 1_000_000 {
		pagina = 1
	}
	if p.AmbitoID == nil {
		return nil, false, httpx.ErrNotFound
	}
	rows, err := e.pool.Query(ctx, `SELECT `+colonne+` FROM esportazione WHERE operatore_id = $1 AND ambito_id = $2 AND ruolo = $3 AND scade_il > now()
		ORDER BY id DESC OFFSET $4 LIMIT $5`, p.OperatoreID, *p.AmbitoID, string(p.Ruolo), (pagina-1)*PaginaEsportazioni, PaginaEsportazioni+1)
	if err != nil {
		return nil, false, fmt.Errorf("report: esportazioni: %w", err)
	}
	var out []Esportazione
	for rows.Next() {
		x, err := scanEsportazione(rows)
		if err != nil {
			rows.Close()
			return nil, false, err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	next := len(out) > PaginaEsportazioni
	if next {
		out = out[:PaginaEsportazioni]
	}
	return out, next, nil
}

// Scarica writes p's ready export id to w, block by block, after calling
// inizio with it (the handler's headers); another's, or one not ready, is
// httpx.ErrNotFound before anything is written. Download and refusal are
// recorded.
func (e *Esportatore) Scarica(ctx context.Context, p authz.Principal, id int64, v registro.Voce, inizio func(Esportazione) io.Writer) error {
	x, err := e.propria(ctx, p, id)
	if err == nil && x.Stato != Pronta {
		err = httpx.ErrNotFound
	}
	if errors.Is(err, httpx.ErrNotFound) {
		e.rifiuta(ctx, strconv.FormatInt(id, 10), "scaricamento dell'esportazione", v)
		return err
	}
	if err != nil {
		return err
	}
	v.Azione, v.OggettoTipo, v.OggettoID, v.Esito = registro.Esportazione, "esportazione", strconv.FormatInt(id, 10), registro.Consentito
	v.Dettaglio = fmt.Sprintf("scaricamento: %s %s (%d byte)", x.Tipo, x.Formato, x.Dimensione)
	if err := e.reg.Record(ctx, v); err != nil {
		return err
	}
	w := inizio(x)
	for n := 0; ; n++ {
		var dati []byte
		err := e.pool.QueryRow(ctx, `SELECT dati FROM esportazione_blocco WHERE esportazione_id = $1 AND n = $2`, id, n).Scan(&dati)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := w.Write(dati); err != nil {
			return err
		}
	}
}

// Lavora runs the worker until ctx ends: it recovers the exports of dead
// processes, then claims and runs the waiting ones; it purges the expired
// ones every purga.
func (e *Esportatore) Lavora(ctx context.Context, purga time.Duration) {
	e.wg.Add(1)
	defer e.wg.Done()
	t := time.NewTicker(e.battito)
	defer t.Stop()
	ultimaPurga := time.Time{}
	for {
		if time.Since(ultimaPurga) >= purga {
			if n, err := e.Purga(ctx); err != nil && ctx.Err() == nil {
				e.log.Error("exports purge", "error", err)
			} else if n > 0 {
				e.log.Info("exports purge", "deleted", n)
			}
			ultimaPurga = time.Now()
		}
		if _, err := e.Recupera(ctx); err != nil && ctx.Err() == nil {
			e.log.Error("exports recovery", "error", err)
		}
		for ctx.Err() == nil {
			ok, err := e.EseguiUna(ctx)
			if err != nil && ctx.Err() == nil {
				e.log.Error("export", "error", err)
			}
			if !ok {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.sveglia:
		}
	}
}

// Attendi waits for the worker to stop.
func (e *Esportatore) Attendi() { e.wg.Wait() }

// Recupera puts back in attesa the exports left in corso by a process that
// is gone (heartbeat older than Scadenza), their blocks deleted; after
// Tentativi attempts they fail instead. It returns how many.
func (e *Esportatore) Recupera(ctx context.Context) (int, error) {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, `UPDATE esportazione SET
			stato = CASE WHEN tentativi >= $2 THEN 'fallita' ELSE 'in_attesa' END,
			errore = CASE WHEN tentativi >= $2 THEN $3 ELSE '' END,
			completata_il = CASE WHEN tentativi >= $2 THEN now() END,
			righe_scritte = 0, istanza = NULL
		WHERE stato = 'in_corso' AND battito < now() - make_interval(secs => $1) RETURNING id`, e.scadenza.Seconds(), Tentativi, msgCrash)
	if err != nil {
		return 0, fmt.Errorf("report: recupera: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("report: recupera: %w", err)
	}
	if len(ids) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM esportazione_blocco WHERE esportazione_id = ANY($1)`, ids); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	for _, id := range ids {
		e.log.Warn("export interrupted: its process is gone", "esportazione", id)
	}
	if len(ids) > 0 {
		e.Sveglia()
	}
	return len(ids), nil
}

// Purga deletes the expired exports with their files and returns how many.
func (e *Esportatore) Purga(ctx context.Context) (int64, error) {
	t, err := e.pool.Exec(ctx, `DELETE FROM esportazione WHERE scade_il <= now()`)
	if err != nil {
		return 0, fmt.Errorf("report: purga: %w", err)
	}
	return t.RowsAffected(), nil
}

// EseguiUna claims the oldest waiting export, if any, and runs it; ok
// says whether there was one.
func (e *Esportatore) EseguiUna(ctx context.Context) (ok bool, err error) {
	x, err := scanEsportazione(e.pool.QueryRow(ctx, `UPDATE esportazione SET stato = 'in_corso', istanza = $1, battito = now(),
			iniziata_il = now(), tentativi = tentativi + 1, righe_scritte = 0
		WHERE id = (SELECT id FROM esportazione WHERE stato = 'in_attesa' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
		RETURNING `+colonne, e.istanza))
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("report: prendi: %w", err)
	}
	inizio := time.Now()
	ferma := e.batte(ctx, x.ID)
	righe, dim, sum, err := e.esegui(ctx, x)
	ferma()
	bg := context.WithoutCancel(ctx)
	if err != nil {
		if ctx.Err() != nil {
			// The server stops: the next process takes it up again.
			_, _ = e.pool.Exec(bg, `DELETE FROM esportazione_blocco WHERE esportazione_id = $1`, x.ID)
			_, _ = e.pool.Exec(bg, `UPDATE esportazione SET stato = 'in_attesa', righe_scritte = 0, istanza = NULL WHERE id = $1 AND stato = 'in_corso'`, x.ID)
			return true, nil
		}
		msg := "L'esportazione non è riuscita per un errore del server: richiedila di nuovo."
		var em erroreEsportazione
		if errors.As(err, &em) {
			msg = string(em)
		}
		e.log.Error("export failed", "esportazione", x.ID, "tipo", x.Tipo, "formato", x.Formato, "error_kind", fmt.Sprintf("%T", errors.Unwrap(err)))
		_, _ = e.pool.Exec(bg, `DELETE FROM esportazione_blocco WHERE esportazione_id = $1`, x.ID)
		if _, uerr := e.pool.Exec(bg, `UPDATE esportazione SET stato = 'fallita', errore = $2, completata_il = now() WHERE id = $1`, x.ID, msg); uerr != nil {
			return true, uerr
		}
		return true, nil
	}
	if _, err := e.pool.Exec(bg, `UPDATE esportazione SET stato = 'pronta', righe_scritte = $2, righe_totali = greatest(righe_totali, $2),
			sha256 = $3, dimensione = $4, completata_il = now() WHERE id = $1`, x.ID, righe, sum, dim); err != nil {
		return true, err
	}
	e.log.Info("export done", "esportazione", x.ID, "tipo", x.Tipo, "formato", x.Formato, "righe", righe, "byte", dim,
		"elapsed", time.Since(inizio).Round(time.Millisecond).String())
	return true, nil
}

// erroreEsportazione is a failure the requester is told as it is.
type erroreEsportazione string

func (e erroreEsportazione) Error() string { return string(e) }

func (e *Esportatore) batte(ctx context.Context, id int64) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(e.battito)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := e.pool.Exec(ctx, `UPDATE esportazione SET battito = now() WHERE id = $1 AND stato = 'in_corso'`, id); err != nil && ctx.Err() == nil {
					e.log.Warn("export heartbeat", "esportazione", id, "error", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// filtroDi is the providers' filter of export x, as when it was asked.
func (e *Esportatore) filtroDi(ctx context.Context, x Esportazione) (Filtro, error) {
	f := Filtro{AmbitoID: x.AmbitoID, ComuneID: x.ComuneID, Dal: x.Dal, Al: x.Al, Oggi: calendario.Giorno(e.svc.now()),
		Nominativi: x.Ruolo == string(authz.CoordinatorePaIS), Tetto: TettoPredefinito, Ruolo: authz.Ruolo(x.Ruolo)}
	if x.AmbitoComuneID != nil {
		f.ComuneID = x.AmbitoComuneID
	}
	// The same filter as the requester's page: their role (a provider
	// may give a table to one role only) and the ambito's caseload cap.
	if e.svc.tetto != nil {
		t, err := e.svc.tetto(ctx, x.AmbitoID)
		if err != nil {
			return f, fmt.Errorf("report: tetto: %w", err)
		}
		f.Tetto = t
	}
	return f, nil
}

// esegui writes the file of x into its blocks.
func (e *Esportatore) esegui(ctx context.Context, x Esportazione) (righe int64, dim int64, sum string, err error) {
	if _, err := e.pool.Exec(ctx, `DELETE FROM esportazione_blocco WHERE esportazione_id = $1`, x.ID); err != nil {
		return 0, 0, "", err
	}
	b := &blocchi{ctx: ctx, pool: e.pool, id: x.ID, h: sha256.New(), buf: make([]byte, 0, Blocco)}
	s, err := NuovoScrittore(b, x.Formato)
	if err != nil {
		return 0, 0, "", err
	}
	f, err := e.filtroDi(ctx, x)
	if err != nil {
		return 0, 0, "", err
	}
	progresso := func(n int) error {
		_, err := e.pool.Exec(ctx, `UPDATE esportazione SET righe_scritte = $2 WHERE id = $1`, x.ID, n)
		return err
	}
	var n int
	if x.Tipo == Dataset {
		if e.base == nil {
			return 0, 0, "", erroreEsportazione("Il dataset dei casi non è disponibile.")
		}
		tot, err := e.base.ContaDataset(ctx, f)
		if err != nil {
			return 0, 0, "", err
		}
		if _, err := e.pool.Exec(ctx, `UPDATE esportazione SET righe_totali = $2 WHERE id = $1`, x.ID, tot); err != nil {
			return 0, 0, "", err
		}
		chiave, err := e.chiave(ctx, x.AmbitoID)
		if err != nil {
			return 0, 0, "", err
		}
		ultimo := 0
		n, err = ScriviDataset(ctx, s, e.base, e.fornitori, chiave, f, func(k int) error {
			if k-ultimo < ogniRighe {
				return nil
			}
			ultimo = k
			return progresso(k)
		})
		if err != nil {
			return 0, 0, "", err
		}
	} else {
		tt, err := e.svc.Tabelle(ctx, f)
		if err != nil {
			return 0, 0, "", err
		}
		var t *Tabella
		for i := range tt {
			if tt[i].Codice == x.Tipo {
				t = &tt[i]
			}
		}
		if t == nil {
			return 0, 0, "", erroreEsportazione("La tabella richiesta non è più nel cruscotto.")
		}
		if _, err := e.pool.Exec(ctx, `UPDATE esportazione SET titolo = $2 WHERE id = $1`, x.ID, t.Titolo); err != nil {
			return 0, 0, "", err
		}
		periodo, err := e.periodo(ctx, x, f)
		if err != nil {
			return 0, 0, "", err
		}
		rr := RigheTabella(*t, periodo)
		if _, err := e.pool.Exec(ctx, `UPDATE esportazione SET righe_totali = $2 WHERE id = $1`, x.ID, len(rr)); err != nil {
			return 0, 0, "", err
		}
		for _, r := range rr {
			if err := s.Riga(r); err != nil {
				return 0, 0, "", err
			}
		}
		n = len(rr)
	}
	if err := s.Chiudi(); err != nil {
		return 0, 0, "", err
	}
	if err := b.chiudi(); err != nil {
		return 0, 0, "", err
	}
	return int64(n), b.dim, hex.EncodeToString(b.h.Sum(nil)), nil
}

// periodo is the line under a table's title: "Ambito …: dal … al …, comune".
func (e *Esportatore) periodo(ctx context.Context, x Esportazione, f Filtro) (string, error) {
	cc, err := e.svc.comuni(ctx, x.AmbitoID)
	if err != nil {
		return "", err
	}
	nome := "tutti i comuni"
	for _, c := range cc {
		if f.ComuneID != nil && c.ID == *f.ComuneID {
			nome = c.Nome
		}
	}
	return fmt.Sprintf("Dal %s al %s, %s.", calendario.Data(x.Dal), calendario.Data(x.Al), nome), nil
}

// chiave is the ambito's key of the pseudonymous ids, created on first use.
func (e *Esportatore) chiave(ctx context.Context, ambitoID int64) ([]byte, error) {
	nuova := make([]byte, 32)
	if _, err := rand.Read(nuova); err != nil {
		return nil, err
	}
	var k []byte
	err := e.pool.QueryRow(ctx, `WITH n AS (INSERT INTO esportazione_chiave (ambito_id, chiave) VALUES ($1, $2)
			ON CONFLICT (ambito_id) DO NOTHING RETURNING chiave)
		SELECT chiave FROM n UNION ALL SELECT chiave FROM esportazione_chiave WHERE ambito_id = $1 LIMIT 1`, ambitoID, nuova).Scan(&k)
	if err != nil {
		return nil, fmt.Errorf("report: chiave: %w", err)
	}
	return k, nil
}

// blocchi is the file of an export written into esportazione_blocco:
// Blocco bytes in memory at most.
type blocchi struct {
	ctx  context.Context
	pool *pgxpool.Pool
	id   int64
	n    int
	buf  []byte
	h    hash.Hash
	dim  int64
}

func (b *blocchi) Write(p []byte) (int, error) {
	tot := len(p)
	for len(p) > 0 {
		k := min(len(p), Blocco-len(b.buf))
		b.buf = append(b.buf, p[:k]...)
		p = p[k:]
		if len(b.buf) == Blocco {
			if err := b.scrivi(); err != nil {
				return tot - len(p), err
			}
		}
	}
	return tot, nil
}

func (b *blocchi) scrivi() error {
	if len(b.buf) == 0 {
		return nil
	}
	if _, err := b.pool.Exec(b.ctx, `INSERT INTO esportazione_blocco (esportazione_id, n, dati) VALUES ($1, $2, $3)`, b.id, b.n, b.buf); err != nil {
		return fmt.Errorf("report: blocco: %w", err)
	}
	b.h.Write(b.buf)
	b.dim += int64(len(b.buf))
	b.n++
	b.buf = b.buf[:0]
	return nil
}

func (b *blocchi) chiudi() error { return b.scrivi() }

// Dimensione is a file's size in Italian.
func Dimensione(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return strings.Replace(fmt.Sprintf("%.1f kB", float64(n)/(1<<10)), ".", ",", 1)
	}
	return fmt.Sprintf("%d byte", n)
}
