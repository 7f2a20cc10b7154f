package casi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/internal/scadenze"
)

// The writes of the households of the nuclei flow (docs/formats/nuclei.md)
// into casi's tables: persona, nucleo and its composition, domanda, caso.
// The import engine (internal/importazioni) reads the file, decides what is
// new, changed or unchanged, and calls these in bulk: new households go in
// a Batch (one COPY per table), a known one is updated on its own by
// ApplicaNucleo. The demo loader fills Batches too.

// ErrFuoriAmbito: a new household of a comune outside the importing ambito.
var ErrFuoriAmbito = errors.New("casi: comune di residenza fuori dall'ambito")

// DomandaNota is a domanda already in the database, as the import sees it.
type DomandaNota struct {
	ID       uuid.UUID
	Hash     []byte // SHA-256 of the flow's line that wrote it last ("" if none)
	AmbitoID int64  // ambito of its latest case, 0 when none
}

// DomandeNote returns the domande among idDomanda (the INPS ids) already
// known, by id_domanda.
func (s *Service) DomandeNote(ctx context.Context, idDomanda []string) (map[string]DomandaNota, error) {
	known := map[string]DomandaNota{}
	rows, err := s.pool.Query(ctx, `
		SELECT d.id_domanda, d.id, COALESCE(d.hash_flusso, ''), COALESCE((SELECT c.ambito_id FROM caso c WHERE c.domanda_id = d.id ORDER BY c.created_at DESC LIMIT 1), 0)
		FROM domanda d WHERE d.id_domanda = ANY($1)`, idDomanda)
	if err != nil {
		return nil, fmt.Errorf("casi: domande note: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var e DomandaNota
		if err := rows.Scan(&k, &e.ID, &e.Hash, &e.AmbitoID); err != nil {
			return nil, fmt.Errorf("casi: domande note: %w", err)
		}
		known[k] = e
	}
	return known, rows.Err()
}

// PersoneNote returns the persons among the codici fiscali cfs already
// known, by codice fiscale.
func (s *Service) PersoneNote(ctx context.Context, cfs []string) (map[string]uuid.UUID, error) {
	persone := map[string]uuid.UUID{}
	rows, err := s.pool.Query(ctx, `SELECT codice_fiscale, id FROM persona WHERE codice_fiscale = ANY($1)`, cfs)
	if err != nil {
		return nil, fmt.Errorf("casi: persone note: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cf string
		var pid uuid.UUID
		if err := rows.Scan(&cf, &pid); err != nil {
			return nil, fmt.Errorf("casi: persone note: %w", err)
		}
		persone[cf] = pid
	}
	return persone, rows.Err()
}

// InserisciNuclei writes the new households of b in one transaction, one
// COPY per table, with one registro record per case opened (a write of
// "caso" from v, its Dettaglio kept). A failure writes nothing.
func (s *Service) InserisciNuclei(ctx context.Context, b *Batch, v registro.Voce) error {
	voci := make([]registro.Voce, 0, len(b.casiRows))
	for _, row := range b.casiRows {
		id := row[0].(uuid.UUID).String()
		vv := v
		vv.Azione, vv.OggettoTipo, vv.OggettoID, vv.CasoID, vv.Esito = registro.Scrittura, "caso", id, id, registro.Consentito
		voci = append(voci, vv)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := b.Copy(ctx, tx); err != nil {
			return err
		}
		return s.reg.RecordBatch(ctx, tx, voci)
	})
}

// Esiti of ApplicaNucleo.
const (
	NucleoInserito   = "inserito"
	NucleoAggiornato = "aggiornato"
)

// ApplicaNucleo writes one household of the flow in its own transaction:
// a new one (opened in comune comuneID of ambito ambitoID; ErrFuoriAmbito
// when comuneID is 0), or the update of a known domanda (its data, members
// joining, leaving or changing, the event in the case's history and its
// deadlines recomputed). hash is the line's SHA-256, impID the import
// writing it (0: none). The write is recorded in the registro from v, with
// dettaglioNuovo or dettaglioAggiornato. It returns NucleoInserito or
// NucleoAggiornato.
func (s *Service) ApplicaNucleo(ctx context.Context, n flusso.Nucleo, hash []byte, impID, ambitoID, comuneID int64,
	v registro.Voce, dettaglioNuovo, dettaglioAggiornato string) (string, error) {
	esito := ""
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var domandaID, nucleoID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT id, nucleo_id FROM domanda WHERE id_domanda = $1 FOR UPDATE`, n.IDDomanda).Scan(&domandaID, &nucleoID)
		if errors.Is(err, pgx.ErrNoRows) {
			if comuneID == 0 {
				return ErrFuoriAmbito
			}
			persone := map[string]uuid.UUID{}
			for _, k := range n.Componenti {
				var pid uuid.UUID
				if err := tx.QueryRow(ctx, `SELECT id FROM persona WHERE codice_fiscale = $1`, k.CodiceFiscale).Scan(&pid); err == nil {
					persone[k.CodiceFiscale] = pid
				}
			}
			var b Batch
			b.Add(n, ambitoID, comuneID, nil, s.now(), persone, hash, impID)
			if err := b.Copy(ctx, tx); err != nil {
				return err
			}
			casoID := b.casiRows[0][0].(uuid.UUID)
			vv := v
			vv.Azione, vv.OggettoTipo, vv.OggettoID, vv.CasoID, vv.Esito = registro.Scrittura, "caso", casoID.String(), casoID.String(), registro.Consentito
			vv.Dettaglio = dettaglioNuovo
			esito = NucleoInserito
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
			n.RequisitiAnagraficiVerificati, n.EsitiControlli, hash, impID); err != nil {
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
		vv.Dettaglio = dettaglioAggiornato
		esito = NucleoAggiornato
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
