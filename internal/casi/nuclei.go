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
	known, err := domandeNote(ctx, s.pool, idDomanda)
	if err != nil {
		return nil, fmt.Errorf("casi: domande note: %w", err)
	}
	return known, nil
}

// PersoneNote returns the persons among the codici fiscali cfs already
// known, by codice fiscale.
func (s *Service) PersoneNote(ctx context.Context, cfs []string) (map[string]uuid.UUID, error) {
	persone, err := personeNote(ctx, s.pool, cfs)
	if err != nil {
		return nil, fmt.Errorf("casi: persone note: %w", err)
	}
	return persone, nil
}

// Conferma is the caller's own write done in the transaction of a
// household's write, just before it commits (the import's counters, so
// that they always match the households committed): esito is
// NucleoInserito or NucleoAggiornato, n how many households. nil: none.
type Conferma func(ctx context.Context, tx pgx.Tx, esito string, n int) error

// InserisciNuclei writes the new households of b in one transaction, one
// COPY per table, with one registro record per case opened (a write of
// "caso" from v, its Dettaglio kept), and conferma (may be nil) in the same
// transaction. A failure writes nothing.
func (s *Service) InserisciNuclei(ctx context.Context, b *Batch, v registro.Voce, conferma Conferma) error {
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
		if err := s.reg.RecordBatch(ctx, tx, voci); err != nil {
			return err
		}
		if conferma == nil {
			return nil
		}
		return conferma(ctx, tx, NucleoInserito, b.Len())
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
// dettaglioNuovo or dettaglioAggiornato; conferma (may be nil) runs in the
// same transaction. It returns NucleoInserito or NucleoAggiornato.
func (s *Service) ApplicaNucleo(ctx context.Context, n flusso.Nucleo, hash []byte, impID, ambitoID, comuneID int64,
	v registro.Voce, dettaglioNuovo, dettaglioAggiornato string, conferma Conferma) (string, error) {
	esito := ""
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.applicaNucleo(ctx, tx, n, hash, impID, ambitoID, comuneID, v, dettaglioNuovo, dettaglioAggiornato, &esito); err != nil {
			return err
		}
		if conferma == nil {
			return nil
		}
		return conferma(ctx, tx, esito, 1)
	})
	return esito, err
}

// applicaNucleo is ApplicaNucleo's write in tx; *esitoOut gets its esito.
func (s *Service) applicaNucleo(ctx context.Context, tx pgx.Tx, n flusso.Nucleo, hash []byte, impID, ambitoID, comuneID int64,
	v registro.Voce, dettaglioNuovo, dettaglioAggiornato string, esitoOut *string) error {
	esito := ""
	defer func() { *esitoOut = esito }()
	domandaID, nucleoID, err := domandaPerAggiornare(ctx, tx, n.IDDomanda)
	if errors.Is(err, pgx.ErrNoRows) {
		if comuneID == 0 {
			return ErrFuoriAmbito
		}
		persone := map[string]uuid.UUID{}
		for _, k := range n.Componenti {
			if pid, err := personaDi(ctx, tx, k.CodiceFiscale); err == nil {
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
	if err := updateDomanda(ctx, tx, domandaID, n, hash, impID); err != nil {
		return err
	}
	oggi := s.Oggi()
	presenti := map[uuid.UUID]bool{}
	for _, k := range n.Componenti {
		if err != nil {
			return err
		}
		pid, err := upsertPersona(ctx, tx, k)
		if err != nil {
			return err
		}
		presenti[pid] = true
		// The member's current row: unchanged, changed (closed and reopened, keeping what the case manager set), or new.
		rel, scala, dis, sv, viol, cpi, err := rigaAttuale(ctx, tx, nucleoID, pid)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		case rel == k.Relazione && scala == k.InScalaEquivalenza && dis == k.Disabilita && sv == k.SvantaggioCertificato:
			continue
		default:
			if err := chiudiRigaComponente(ctx, tx, nucleoID, pid, oggi.AddDate(0, 0, -1)); err != nil {
				return err
			}
		}
		if err := insertComponenteFlusso(ctx, tx, nucleoID, pid, k, viol, cpi, oggi); err != nil {
			return err
		}
	}
	attuali, err := personeAttuali(ctx, tx, nucleoID)
	if err != nil {
		return err
	}
	for _, pid := range attuali {
		if !presenti[pid] {
			if err := uscitaComponente(ctx, tx, nucleoID, pid, oggi.AddDate(0, 0, -1)); err != nil {
				return err
			}
		}
	}
	casoID, err := casoDellaDomanda(ctx, tx, domandaID)
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
