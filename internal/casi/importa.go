package casi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// The import of the nuclei flow (docs/formats/nuclei.md): idempotent by
// id_domanda, each household all-or-nothing, every rejected line reported
// with its reason. New households go in by COPY, a chunk at a time; a
// household already known is skipped when its line is unchanged (same
// SHA-256) and otherwise updated on its own, in a savepoint.

// chunk is how many households one transaction applies.
const chunk = 1000

// Importazione is the state of an import, as the progress page shows it.
type Importazione struct {
	ID         int64
	AmbitoID   int64
	Operatore  string
	FileNome   string
	FileByte   int64
	Stato      string // in_corso | completata | fallita
	ByteLetti  int64
	Righe      int
	Inseriti   int
	Aggiornati int
	Invariati  int
	Scartati   int
	Errore     string
	IniziataIl time.Time
	ConclusaIl *time.Time
}

// Percentuale of the file read.
func (i Importazione) Percentuale() int {
	if i.FileByte <= 0 {
		return 0
	}
	return int(i.ByteLetti * 100 / i.FileByte)
}

// Scarto is a rejected line.
type Scarto = flusso.Scarto

// NuovaImportazione records an import about to start and returns its id.
func (s *Service) NuovaImportazione(ctx context.Context, ambitoID int64, operatore *uuid.UUID, nome string, size int64) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO importazione (ambito_id, operatore_id, file_nome, file_byte) VALUES ($1, $2, $3, $4) RETURNING id`,
		ambitoID, operatore, nome, size).Scan(&id)
	return id, err
}

// Importa reads the flow from r into the import id of ambito ambitoID
// (created by NuovaImportazione), recording progress as it goes, and ends
// it completata or fallita.
func (s *Service) Importa(ctx context.Context, id, ambitoID int64, operatore *uuid.UUID, r io.Reader, v registro.Voce) (Importazione, error) {
	err := s.importa(ctx, id, ambitoID, operatore, r, v)
	stato, msg := "completata", ""
	if err != nil {
		stato, msg = "fallita", "importazione interrotta da un errore interno: i nuclei già confermati restano importati; ripeti l'importazione"
	}
	// Not the request's context: the outcome is recorded even when it was cancelled.
	if _, uerr := s.pool.Exec(context.WithoutCancel(ctx), `UPDATE importazione SET stato = $2, errore = $3, conclusa_il = now() WHERE id = $1`, id, stato, msg); uerr != nil && err == nil {
		err = uerr
	}
	imp, gerr := s.importazione(context.WithoutCancel(ctx), id)
	if err == nil {
		err = gerr
	}
	return imp, err
}

type riga struct {
	n    flusso.Nucleo
	hash []byte
}

type contatori struct{ inseriti, aggiornati, invariati, scartati int }

func (s *Service) importa(ctx context.Context, id, ambitoID int64, operatore *uuid.UUID, r io.Reader, v registro.Voce) error {
	comuni := map[string]int64{}
	rows, err := s.pool.Query(ctx, `SELECT codice_istat, id FROM comune WHERE ambito_id = $1`, ambitoID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var istat string
		var cid int64
		if err := rows.Scan(&istat, &cid); err != nil {
			rows.Close()
			return err
		}
		comuni[istat] = cid
	}
	rows.Close()
	var tot contatori
	var pend []riga
	var scarti []Scarto
	var letti flusso.Progresso
	flush := func() error {
		c, sc, err := s.applica(ctx, id, ambitoID, comuni, operatore, pend, v)
		if err != nil {
			return err
		}
		scarti = append(scarti, sc...)
		tot.inseriti += c.inseriti
		tot.aggiornati += c.aggiornati
		tot.invariati += c.invariati
		tot.scartati += c.scartati
		pend = pend[:0]
		return s.progresso(ctx, id, letti, tot, &scarti)
	}
	p := flusso.Parser{Oggi: s.Oggi(), OgniRighe: 500, Avanzamento: func(pr flusso.Progresso) { letti = pr }}
	rep, err := p.Parse(r, func(n flusso.Nucleo) error {
		// The hash ignores the line number: the same household elsewhere in a file is unchanged.
		senza := n
		senza.Riga = 0
		line, _ := json.Marshal(senza)
		h := sha256.Sum256(line)
		pend = append(pend, riga{n: n, hash: h[:]})
		if len(pend) >= chunk {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	letti.Byte, letti.Righe = rep.Byte, rep.Righe
	scarti = append(scarti, rep.Scarti...)
	tot.scartati += len(rep.Scarti)
	if err := flush(); err != nil {
		return err
	}
	det := fmt.Sprintf("importazione %d: %d inseriti, %d aggiornati, %d invariati, %d scartati", id, tot.inseriti, tot.aggiornati, tot.invariati, tot.scartati)
	v.Azione, v.OggettoTipo, v.OggettoID, v.Dettaglio, v.Esito = registro.Scrittura, "importazione", fmt.Sprint(id), det, registro.Consentito
	return s.reg.Record(ctx, v)
}

// progresso writes the counters and the pending rejections.
func (s *Service) progresso(ctx context.Context, id int64, pr flusso.Progresso, c contatori, scarti *[]Scarto) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if len(*scarti) > 0 {
			rows := make([][]any, len(*scarti))
			for i, sc := range *scarti {
				rows[i] = []any{id, sc.Riga, sc.IDDomanda, sc.Motivo}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"importazione_scarto"}, []string{"importazione_id", "riga", "id_domanda", "motivo"},
				pgx.CopyFromRows(rows)); err != nil {
				return err
			}
			*scarti = (*scarti)[:0]
		}
		_, err := tx.Exec(ctx, `UPDATE importazione SET byte_letti = GREATEST(byte_letti, $2), righe = GREATEST(righe, $3),
			inseriti = $4, aggiornati = $5, invariati = $6, scartati = $7 WHERE id = $1`,
			id, pr.Byte, pr.Righe, c.inseriti, c.aggiornati, c.invariati, c.scartati)
		return err
	})
}

// applica writes a chunk of valid households.
func (s *Service) applica(ctx context.Context, impID, ambitoID int64, comuni map[string]int64, operatore *uuid.UUID, rs []riga, v registro.Voce) (contatori, []Scarto, error) {
	var c contatori
	var scarti []Scarto
	if len(rs) == 0 {
		return c, nil, nil
	}
	ids := make([]string, len(rs))
	cfs := []string{}
	for i, r := range rs {
		ids[i] = r.n.IDDomanda
		for _, k := range r.n.Componenti {
			cfs = append(cfs, k.CodiceFiscale)
		}
	}
	type esistente struct {
		id       uuid.UUID
		hash     []byte
		ambitoID int64
	}
	known := map[string]esistente{}
	rows, err := s.pool.Query(ctx, `
		SELECT d.id_domanda, d.id, COALESCE(d.hash_flusso, ''), COALESCE((SELECT c.ambito_id FROM caso c WHERE c.domanda_id = d.id ORDER BY c.created_at DESC LIMIT 1), 0)
		FROM domanda d WHERE d.id_domanda = ANY($1)`, ids)
	if err != nil {
		return c, nil, err
	}
	for rows.Next() {
		var k string
		var e esistente
		if err := rows.Scan(&k, &e.id, &e.hash, &e.ambitoID); err != nil {
			rows.Close()
			return c, nil, err
		}
		known[k] = e
	}
	rows.Close()
	persone := map[string]uuid.UUID{}
	rows, err = s.pool.Query(ctx, `SELECT codice_fiscale, id FROM persona WHERE codice_fiscale = ANY($1)`, cfs)
	if err != nil {
		return c, nil, err
	}
	for rows.Next() {
		var cf string
		var pid uuid.UUID
		if err := rows.Scan(&cf, &pid); err != nil {
			rows.Close()
			return c, nil, err
		}
		persone[cf] = pid
	}
	rows.Close()

	now := s.now()
	var b Batch
	var nuovi, aggiornare []riga
	for _, r := range rs {
		comuneID, ok := comuni[r.n.ComuneResidenza]
		e, exists := known[r.n.IDDomanda]
		switch {
		case exists && e.ambitoID != 0 && e.ambitoID != ambitoID:
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: "domanda già presa in carico da un altro ambito"})
		case !ok && !exists:
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: "comune di residenza " + r.n.ComuneResidenza + " non appartenente all'ambito"})
		case exists && bytes.Equal(e.hash, r.hash):
			c.invariati++
		case exists:
			aggiornare = append(aggiornare, r)
		default:
			nuovi = append(nuovi, r)
			b.Add(r.n, ambitoID, comuneID, nil, now, persone, r.hash, impID)
		}
	}
	c.scartati = len(scarti)
	// New households: one COPY per table; if it fails (say, a codice
	// fiscale inserted meanwhile by someone else), each household on its own.
	if len(nuovi) > 0 {
		voci := make([]registro.Voce, 0, len(b.casiRows))
		for _, row := range b.casiRows {
			vv := v
			vv.Azione, vv.OggettoTipo, vv.OggettoID, vv.CasoID, vv.Esito = registro.Scrittura, "caso", row[0].(uuid.UUID).String(), row[0].(uuid.UUID).String(), registro.Consentito
			vv.Dettaglio = fmt.Sprintf("importazione %d: nuovo nucleo", impID)
			voci = append(voci, vv)
		}
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			if err := b.Copy(ctx, tx); err != nil {
				return err
			}
			return s.reg.RecordBatch(ctx, tx, voci)
		})
		if err == nil {
			c.inseriti += len(nuovi)
		} else {
			for _, r := range nuovi {
				aggiornare = append(aggiornare, r)
			}
		}
	}
	for _, r := range aggiornare {
		esito, err := s.applicaUno(ctx, impID, ambitoID, comuni, r, v)
		var scarta scartoErr
		switch {
		case errors.As(err, &scarta):
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: string(scarta)})
			c.scartati++
		case err != nil:
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: "nucleo non importato: dati in conflitto con quelli già presenti (controlla codici fiscali e domanda)"})
			c.scartati++
		case esito == "inserito":
			c.inseriti++
		case esito == "aggiornato":
			c.aggiornati++
		default:
			c.invariati++
		}
	}
	return c, scarti, nil
}

type scartoErr string

func (e scartoErr) Error() string { return string(e) }

// applicaUno writes one household in its own transaction: a new one, or an
// update of a known domanda (data, members joining, leaving or changing).
func (s *Service) applicaUno(ctx context.Context, impID, ambitoID int64, comuni map[string]int64, r riga, v registro.Voce) (string, error) {
	esito := ""
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		n := r.n
		var domandaID, nucleoID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id, nucleo_id FROM domanda WHERE id_domanda = $1 FOR UPDATE`, n.IDDomanda).Scan(&domandaID, &nucleoID)
		if errors.Is(err, pgx.ErrNoRows) {
			comuneID, ok := comuni[n.ComuneResidenza]
			if !ok {
				return scartoErr("comune di residenza " + n.ComuneResidenza + " non appartenente all'ambito")
			}
			persone := map[string]uuid.UUID{}
			for _, k := range n.Componenti {
				var pid uuid.UUID
				if err := tx.QueryRow(ctx, `SELECT id FROM persona WHERE codice_fiscale = $1`, k.CodiceFiscale).Scan(&pid); err == nil {
					persone[k.CodiceFiscale] = pid
				}
			}
			var b Batch
			b.Add(n, ambitoID, comuneID, nil, s.now(), persone, r.hash, impID)
			if err := b.Copy(ctx, tx); err != nil {
				return err
			}
			casoID := b.casiRows[0][0].(uuid.UUID)
			vv := v
			vv.Azione, vv.OggettoTipo, vv.OggettoID, vv.CasoID, vv.Esito = registro.Scrittura, "caso", casoID.String(), casoID.String(), registro.Consentito
			vv.Dettaglio = fmt.Sprintf("importazione %d: nuovo nucleo", impID)
			esito = "inserito"
			return s.reg.RecordTx(ctx, tx, vv)
		}
		if err != nil {
			return err
		}
		// Update: the domanda, the persons, the composition.
		if _, err := tx.Exec(ctx, `UPDATE domanda SET misura = $2, data_domanda = $3, data_pad = $4, data_decorrenza = $5,
			data_trasmissione = $6, stato_erogazione = $7, requisiti_verificati = $8, esiti_controlli = $9, hash_flusso = $10,
			importazione_id = $11, updated_at = now() WHERE id = $1`,
			domandaID, n.Misura, n.DataDomanda, n.DataPAD, n.DataDecorrenza, n.DataTrasmissione, n.StatoErogazione,
			n.RequisitiAnagraficiVerificati, n.EsitiControlli, r.hash, impID); err != nil {
			return err
		}
		oggi := s.Oggi()
		presenti := map[uuid.UUID]bool{}
		for _, k := range n.Componenti {
			var pid uuid.UUID
			tipo, scad := titolo(k)
			err := tx.QueryRow(ctx, `
				INSERT INTO persona (codice_fiscale, cognome, nome, sesso, data_nascita, luogo_nascita, cittadinanza,
					titolo_soggiorno_tipo, titolo_soggiorno_scadenza, residenza, domicilio, telefono, email)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
				ON CONFLICT (codice_fiscale) DO UPDATE SET cognome = EXCLUDED.cognome, nome = EXCLUDED.nome, sesso = EXCLUDED.sesso,
					data_nascita = EXCLUDED.data_nascita, luogo_nascita = EXCLUDED.luogo_nascita, cittadinanza = EXCLUDED.cittadinanza,
					titolo_soggiorno_tipo = EXCLUDED.titolo_soggiorno_tipo, titolo_soggiorno_scadenza = EXCLUDED.titolo_soggiorno_scadenza,
					residenza = EXCLUDED.residenza, domicilio = EXCLUDED.domicilio,
					telefono = COALESCE(NULLIF(EXCLUDED.telefono, ''), persona.telefono), email = COALESCE(NULLIF(EXCLUDED.email, ''), persona.email),
					versione = persona.versione + 1, updated_at = now()
				RETURNING id`,
				k.CodiceFiscale, k.Cognome, k.Nome, k.Sesso, k.DataNascita, k.LuogoNascita, k.Cittadinanza, tipo, scad,
				k.Residenza, k.Domicilio, k.Telefono, k.Email).Scan(&pid)
			if err != nil {
				return err
			}
			presenti[pid] = true
			// The member's current row: unchanged, changed (closed and reopened, keeping what the case manager set), or new.
			var rel string
			var scala, dis, sv, viol bool
			var cpi *time.Time
			err = tx.QueryRow(ctx, `SELECT relazione, in_scala_equivalenza, disabilita, svantaggio, vittima_violenza, inviato_cpi_il
				FROM nucleo_componente WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`, nucleoID, pid).
				Scan(&rel, &scala, &dis, &sv, &viol, &cpi)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
			case err != nil:
				return err
			case rel == k.Relazione && scala == k.InScalaEquivalenza && dis == k.Disabilita && sv == k.SvantaggioCertificato:
				continue
			default:
				if _, err := tx.Exec(ctx, `UPDATE nucleo_componente SET al = $3 WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`,
					nucleoID, pid, oggi.AddDate(0, 0, -1)); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO nucleo_componente (nucleo_id, persona_id, relazione, in_scala_equivalenza, disabilita,
				svantaggio, vittima_violenza, inviato_cpi_il, dal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				nucleoID, pid, k.Relazione, k.InScalaEquivalenza, k.Disabilita, k.SvantaggioCertificato, viol, cpi, oggi); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `SELECT persona_id FROM nucleo_componente WHERE nucleo_id = $1 AND al IS NULL`, nucleoID)
		if err != nil {
			return err
		}
		attuali, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		for _, pid := range attuali {
			if !presenti[pid] {
				if _, err := tx.Exec(ctx, `UPDATE nucleo_componente SET al = GREATEST(dal, $3::date) WHERE nucleo_id = $1 AND persona_id = $2 AND al IS NULL`,
					nucleoID, pid, oggi.AddDate(0, 0, -1)); err != nil {
					return err
				}
			}
		}
		var casoID uuid.UUID
		err = tx.QueryRow(ctx, `SELECT id FROM caso WHERE domanda_id = $1 ORDER BY stato = 'chiuso', created_at DESC LIMIT 1`, domandaID).Scan(&casoID)
		if err != nil {
			return err
		}
		if err := Storico(ctx, tx, casoID, nil, "aggiornato", "", "", fmt.Sprintf("dal flusso INPS (importazione %d)", impID)); err != nil {
			return err
		}
		if err := s.AggiornaAl(ctx, tx, casoID, s.now()); err != nil {
			return err
		}
		vv := v
		vv.Azione, vv.OggettoTipo, vv.OggettoID, vv.CasoID, vv.Esito = registro.Scrittura, "caso", casoID.String(), casoID.String(), registro.Consentito
		vv.Dettaglio = fmt.Sprintf("importazione %d: nucleo aggiornato", impID)
		esito = "aggiornato"
		return s.reg.RecordTx(ctx, tx, vv)
	})
	return esito, err
}

func titolo(k flusso.Componente) (string, *time.Time) {
	if k.TitoloSoggiorno == nil {
		return "", nil
	}
	return k.TitoloSoggiorno.Tipo, k.TitoloSoggiorno.Scadenza
}

// Batch holds the rows of new households for one COPY per table.
type Batch struct {
	persone, nuclei, componenti, domande, casiRows, assegnazioni, storico [][]any
}

// Len is the number of households in the batch.
func (b *Batch) Len() int { return len(b.casiRows) }

// Add adds a new household, opening its case in comune comuneID (assigned
// to cm when not nil). esistenti maps the codici fiscali already in the
// database to their persona: those persons are not inserted again.
func (b *Batch) Add(nu flusso.Nucleo, ambitoID, comuneID int64, cm *uuid.UUID, now time.Time, esistenti map[string]uuid.UUID, hash []byte, impID int64) uuid.UUID {
	nucleoID, domandaID, casoID := uuid.New(), uuid.New(), uuid.New()
	b.nuclei = append(b.nuclei, []any{nucleoID, "inps", nu.Contatti.Telefono, nu.Contatti.Email, nu.Contatti.Indirizzo})
	membri := make([]scadenze.Membro, 0, len(nu.Componenti))
	dal := nu.DataTrasmissione
	for _, c := range nu.Componenti {
		pid, ok := esistenti[c.CodiceFiscale]
		if !ok {
			pid = uuid.New()
			tipo, scad := titolo(c)
			b.persone = append(b.persone, []any{pid, c.CodiceFiscale, c.Cognome, c.Nome, c.Sesso, c.DataNascita, c.LuogoNascita,
				c.Cittadinanza, tipo, scad, c.Residenza, c.Domicilio, c.Telefono, c.Email})
			if esistenti != nil {
				esistenti[c.CodiceFiscale] = pid
			}
		}
		b.componenti = append(b.componenti, []any{nucleoID, pid, c.Relazione, c.InScalaEquivalenza, c.Disabilita,
			c.SvantaggioCertificato, dal})
		membri = append(membri, scadenze.Membro{PersonaID: pid.String(), DataNascita: c.DataNascita, Disabilita: c.Disabilita})
	}
	altre, _ := json.Marshal(nu.AltrePrestazioni)
	if nu.AltrePrestazioni == nil {
		altre = []byte("[]")
	}
	var imp *int64
	if impID != 0 {
		imp = &impID
	}
	dataDomanda, trasm := nu.DataDomanda, nu.DataTrasmissione
	b.domande = append(b.domande, []any{domandaID, nu.Misura, nu.IDDomanda, nucleoID, &dataDomanda, nu.DataPAD, nu.DataDecorrenza,
		&trasm, nu.StatoErogazione, nu.RequisitiAnagraficiVerificati, nu.EsitiControlli, string(altre), hash, imp})
	sc := scadenze.Calcola(scadenze.Situazione{Oggi: now, DataDomanda: &dataDomanda, DataPAD: nu.DataPAD,
		DataTrasmissione: &trasm, Membri: membri})
	stato, assegnatoIl := "ricevuto", (*time.Time)(nil)
	if cm != nil {
		stato = "assegnato"
		at := now
		assegnatoIl = &at
		b.assegnazioni = append(b.assegnazioni, []any{casoID, *cm, now, "assegnazione iniziale"})
		b.storico = append(b.storico, []any{casoID, now, "assegnato", "", "case manager", ""})
	}
	b.casiRows = append(b.casiRows, []any{casoID, domandaID, nucleoID, ambitoID, comuneID, cm, assegnatoIl, stato, "flusso",
		Oggi(now), sc.T120.Scadenza, string(sc.T120.Stato), sc.T90.Scadenza, string(sc.T90.Stato), sc.Urgenza})
	b.storico = append(b.storico, []any{casoID, now, "aperto", "", "", "dal flusso INPS"})
	return casoID
}

// Copy writes the batch inside tx, one COPY per table.
func (b *Batch) Copy(ctx context.Context, tx pgx.Tx) error {
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"persona", []string{"id", "codice_fiscale", "cognome", "nome", "sesso", "data_nascita", "luogo_nascita",
			"cittadinanza", "titolo_soggiorno_tipo", "titolo_soggiorno_scadenza", "residenza", "domicilio", "telefono", "email"}, b.persone},
		{"nucleo", []string{"id", "fonte", "telefono", "email", "indirizzo"}, b.nuclei},
		{"nucleo_componente", []string{"nucleo_id", "persona_id", "relazione", "in_scala_equivalenza", "disabilita",
			"svantaggio", "dal"}, b.componenti},
		{"domanda", []string{"id", "misura", "id_domanda", "nucleo_id", "data_domanda", "data_pad", "data_decorrenza",
			"data_trasmissione", "stato_erogazione", "requisiti_verificati", "esiti_controlli", "altre_prestazioni",
			"hash_flusso", "importazione_id"}, b.domande},
		{"caso", []string{"id", "domanda_id", "nucleo_id", "ambito_id", "comune_id", "case_manager_id", "assegnato_il",
			"stato", "origine", "aperto_il", "t120_scadenza", "t120_stato", "t90_scadenza", "t90_stato", "urgenza"}, b.casiRows},
		{"caso_assegnazione", []string{"caso_id", "case_manager_id", "dal", "motivo"}, b.assegnazioni},
		{"caso_storico", []string{"caso_id", "quando", "evento", "da", "a", "nota"}, b.storico},
	} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("casi: copy %s: %w", t.table, err)
		}
	}
	return nil
}

func (s *Service) importazione(ctx context.Context, id int64) (Importazione, error) {
	var i Importazione
	err := s.pool.QueryRow(ctx, `
		SELECT im.id, im.ambito_id, COALESCE(o.cognome || ' ' || o.nome, 'riga di comando'), im.file_nome, im.file_byte, im.stato,
		       im.byte_letti, im.righe, im.inseriti, im.aggiornati, im.invariati, im.scartati, im.errore, im.iniziata_il, im.conclusa_il
		FROM importazione im LEFT JOIN operatore o ON o.id = im.operatore_id WHERE im.id = $1`, id).
		Scan(&i.ID, &i.AmbitoID, &i.Operatore, &i.FileNome, &i.FileByte, &i.Stato, &i.ByteLetti, &i.Righe, &i.Inseriti,
			&i.Aggiornati, &i.Invariati, &i.Scartati, &i.Errore, &i.IniziataIl, &i.ConclusaIl)
	if errors.Is(err, pgx.ErrNoRows) {
		return i, ErrNotFound
	}
	return i, err
}

// Scarti returns the rejected lines of an import, from line dopo on.
func (s *Service) Scarti(ctx context.Context, id int64, dopo, limit int) ([]Scarto, error) {
	rows, err := s.pool.Query(ctx, `SELECT riga, id_domanda, motivo FROM importazione_scarto WHERE importazione_id = $1 AND riga > $2
		ORDER BY riga LIMIT $3`, id, dopo, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Scarto, error) {
		var sc Scarto
		err := r.Scan(&sc.Riga, &sc.IDDomanda, &sc.Motivo)
		return sc, err
	})
}

// StatoImportazione returns an import's progress and counters.
func (s *Service) StatoImportazione(ctx context.Context, id int64) (Importazione, error) {
	return s.importazione(ctx, id)
}
