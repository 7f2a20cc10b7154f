package registro

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/database"
)

// Records of reads (Record without a transaction of the caller's) are
// written together: each request queues its signed record and waits until
// it is committed; a writer takes everything queued and appends it with one
// INSERT … SELECT FROM unnest(…) in one transaction. The page is sent only
// once its record is committed, as before, so a record is never lost; under
// load one statement and one commit serve many requests (at 64 clients the
// case page's own INSERT and commit were a third of its database time).
// With one request at a time the writer finds one record and writes it at
// once: no timer, no added latency.
//
// At most scrittoriMax writers run at once, so that a batch is being
// committed while the next one fills; a failed batch is written again
// record by record, so that one bad record fails only its own request.

const (
	scrittoriMax = 2
	gruppoMax    = 256
	// gruppoAttesa bounds the writer's own statement: the requests waiting
	// give up earlier if their own context ends.
	gruppoAttesa = 30 * time.Second
)

type inAttesa struct {
	v     Voce
	esito chan error
}

type gruppo struct {
	mu      sync.Mutex
	coda    []inAttesa
	attivi  int
	scritti int // records written in batches of more than one (tests)
	gruppi  int // batches of more than one (tests)
}

// accoda hands v (already signed) to a writer and waits for its commit.
func (s *Service) accoda(ctx context.Context, v Voce) error {
	e := make(chan error, 1)
	g := &s.gruppo
	g.mu.Lock()
	g.coda = append(g.coda, inAttesa{v: v, esito: e})
	if g.attivi < scrittoriMax {
		g.attivi++
		go s.scrivi()
	}
	g.mu.Unlock()
	select {
	case err := <-e:
		return err
	case <-ctx.Done():
		return fmt.Errorf("registro: insert: %w", ctx.Err())
	}
}

// scrivi writes what is queued until the queue is empty.
func (s *Service) scrivi() {
	g := &s.gruppo
	for {
		g.mu.Lock()
		n := min(len(g.coda), gruppoMax)
		if n == 0 {
			g.attivi--
			g.mu.Unlock()
			return
		}
		lotto := make([]inAttesa, n)
		copy(lotto, g.coda)
		g.coda = append(g.coda[:0], g.coda[n:]...)
		g.mu.Unlock()

		s.scriviGruppo(lotto)
	}
}

func (s *Service) scriviGruppo(lotto []inAttesa) {
	ctx, cancel := context.WithTimeout(context.Background(), gruppoAttesa)
	defer cancel()
	vs := make([]Voce, len(lotto))
	for i, a := range lotto {
		vs[i] = a.v
	}
	if len(lotto) == 1 || insertGruppo(ctx, s.pool, vs) != nil {
		// Alone, or one at a time after a failed batch: only the records
		// that fail on their own fail.
		for _, a := range lotto {
			err := insert(ctx, s.pool, a.v)
			if err != nil {
				err = fmt.Errorf("registro: insert: %w", err)
			}
			a.esito <- err
		}
		return
	}
	g := &s.gruppo
	g.mu.Lock()
	g.gruppi++
	g.scritti += len(lotto)
	g.mu.Unlock()
	for _, a := range lotto {
		a.esito <- nil
	}
}

// insertGruppo appends vs, in order, with one statement (one implicit
// transaction: all or none).
func insertGruppo(ctx context.Context, q database.Querier, vs []Voce) error {
	tag, err := q.Exec(ctx, sqlInsertGruppo, colonne(vs)...)
	if err == nil && tag.RowsAffected() != int64(len(vs)) {
		err = fmt.Errorf("%d records written of %d", tag.RowsAffected(), len(vs))
	}
	return err
}

// colonne are vs's fields as the arrays of sqlInsertGruppo.
func colonne(vs []Voce) []any {
	n := len(vs)
	var (
		quando = make([]time.Time, n)
		operat = make([]*uuid.UUID, n)
		ruolo  = make([]string, n)
		ambito = make([]*int64, n)
		comune = make([]*int64, n)
		azione = make([]string, n)
		otipo  = make([]string, n)
		oid    = make([]string, n)
		caso   = make([]string, n)
		esito  = make([]string, n)
		req    = make([]string, n)
		ind    = make([]string, n)
		dett   = make([]string, n)
		nonce  = make([][]byte, n)
		mac    = make([][]byte, n)
	)
	for i, v := range vs {
		quando[i], operat[i], ruolo[i], ambito[i], comune[i] = v.RegistratoIl, v.OperatoreID, v.Ruolo, v.AmbitoID, v.ComuneID
		azione[i], otipo[i], oid[i], caso[i], esito[i] = v.Azione, v.OggettoTipo, v.OggettoID, v.CasoID, v.Esito
		req[i], ind[i], dett[i], nonce[i], mac[i] = v.RequestID, v.Indirizzo, v.Dettaglio, v.Nonce, v.Mac
	}
	return []any{quando, operat, ruolo, ambito, comune, azione, otipo, oid, caso, esito, req, ind, dett, nonce, mac}
}

const sqlInsertGruppo = `
		INSERT INTO registro_accessi (registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo,
			oggetto_id, caso_id, esito, request_id, indirizzo, dettaglio, nonce, mac)
		SELECT registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo,
			oggetto_id, caso_id, esito, request_id, indirizzo, dettaglio, nonce, mac
		FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
			$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bytea[], $15::bytea[])
			WITH ORDINALITY AS u(registrato_il, operatore_id, ruolo, ambito_id, comune_id, azione, oggetto_tipo,
				oggetto_id, caso_id, esito, request_id, indirizzo, dettaglio, nonce, mac, n)
		ORDER BY n`
