package importazioni

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/flusso"
	"github.com/cartella/cartella/internal/registro"
)

// The import engine of the nuclei flow (docs/formats/nuclei.md):
// idempotent by id_domanda, each household all-or-nothing, every rejected
// line reported with its reason. New households go to casi in a Batch (one
// COPY per table), a chunk at a time; a household already known is skipped
// when its line is unchanged (same SHA-256) and otherwise updated on its
// own (casi.Service.ApplicaNucleo). The engine owns the importazione row:
// its counters, its rejected lines, its outcome.

// chunk is how many households one transaction applies.
const chunk = 1000

// msgErroreInterno is the outcome of an import stopped by an error.
const msgErroreInterno = "importazione interrotta da un errore interno: i nuclei già confermati restano importati; ripeti l'importazione"

// Why an import is interrotta, for people (the page adds how to complete it).
const (
	// msgArresto: the server was stopped (shutdown) during the import.
	msgArresto = "il servizio è stato arrestato durante l'importazione"
	// msgCrash: the process running it stopped without a word (a crash,
	// kill -9, a power cut): found at the next start, or by any instance
	// once its heartbeat is old.
	msgCrash = "il servizio si è fermato all'improvviso durante l'importazione"
)

type riga struct {
	n    flusso.Nucleo
	hash []byte
}

type contatori struct{ inseriti, aggiornati, invariati, scartati int }

// motore reads the flow from r into the import id of ambito ambitoID
// (recorded by Nuova), recording progress as it goes, and ends it
// completata, or fallita when err is not nil.
func (s *Service) motore(ctx context.Context, id, ambitoID int64, r io.Reader, v registro.Voce) error {
	err := s.importa(ctx, id, ambitoID, r, v)
	stato, msg := Completata, ""
	switch {
	case err != nil && ctx.Err() != nil:
		stato, msg = Interrotta, msgArresto
	case err != nil:
		stato, msg = Fallita, msgErroreInterno
	}
	// Not the request's context: the outcome is recorded even when it was cancelled.
	if uerr := concludi(context.WithoutCancel(ctx), s.pool, id, stato, msg); uerr != nil && err == nil {
		err = uerr
	}
	return err
}

func (s *Service) importa(ctx context.Context, id, ambitoID int64, r io.Reader, v registro.Voce) error {
	comuni, err := comuniAmbito(ctx, s.pool, ambitoID)
	if err != nil {
		return err
	}
	var tot contatori
	var pend []riga
	var letti flusso.Progresso
	w := scrittori{ctx: ctx, conclusa: func(p *parte) error {
		tot.inseriti += p.c.inseriti
		tot.aggiornati += p.c.aggiornati
		tot.invariati += p.c.invariati
		tot.scartati += p.c.scartati
		return progresso(ctx, s.pool, id, p.letti, tot, p.scarti)
	}}
	flush := func(extra []Scarto) error {
		rs := pend
		pend = nil
		return w.avvia(rs, letti, func(ctx context.Context) (contatori, []Scarto, error) {
			// The hash ignores the line number: the same household
			// elsewhere in a file is unchanged. Computed here, off the
			// goroutine that parses.
			for i := range rs {
				senza := rs[i].n
				senza.Riga = 0
				line, _ := json.Marshal(senza)
				h := sha256.Sum256(line)
				rs[i].hash = h[:]
			}
			c, sc, err := s.applica(ctx, id, ambitoID, comuni, rs, v)
			c.scartati += len(extra)
			return c, append(sc, extra...), err
		})
	}
	p := flusso.Parser{Oggi: s.casi.Oggi(), OgniRighe: 500, Avanzamento: func(pr flusso.Progresso) { letti = pr }}
	rep, err := p.Parse(r, func(n flusso.Nucleo) error {
		pend = append(pend, riga{n: n})
		if len(pend) >= chunk {
			return flush(nil)
		}
		return nil
	})
	if err == nil {
		letti.Byte, letti.Righe = rep.Byte, rep.Righe
		err = flush(rep.Scarti)
	}
	if ferr := w.attendi(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	det := fmt.Sprintf("importazione %d: %d inseriti, %d aggiornati, %d invariati, %d scartati", id, tot.inseriti, tot.aggiornati, tot.invariati, tot.scartati)
	v.Azione, v.OggettoTipo, v.OggettoID, v.Dettaglio, v.Esito = registro.Scrittura, "importazione", fmt.Sprint(id), det, registro.Consentito
	return s.reg.Record(ctx, v)
}

// paralleli is how many chunks are written at once, each on its own
// connection: PostgreSQL runs a COPY (with its indexes and foreign keys) on
// one core, so two chunks keep two cores busy while the next one is parsed
// (docs/performance.md, "Import of the nuclei flow").
const paralleli = 2

// parte is a chunk being written: its keys (id_domanda and codici fiscali),
// the progress of the file when it was read, and, once done is closed,
// its outcome.
type parte struct {
	chiavi map[string]struct{}
	letti  flusso.Progresso
	done   chan struct{}
	c      contatori
	scarti []Scarto
	err    error
}

// scrittori writes chunks in parallel (at most paralleli at once) and
// concludes them in the order they were read. Two chunks sharing a
// household (id_domanda) or a person (codice fiscale) are never written at
// once: the later one waits, so that it reads what the earlier one wrote,
// as in a sequential import (an import is idempotent per household, and
// each household is all-or-nothing in its chunk's transaction).
type scrittori struct {
	ctx      context.Context
	conclusa func(*parte) error // in order, in the caller's goroutine
	coda     []*parte
	err      error
}

// avvia starts writing the chunk rs with scrivi, after concluding the
// oldest chunks while too many run or one shares a key with rs.
func (w *scrittori) avvia(rs []riga, letti flusso.Progresso, scrivi func(context.Context) (contatori, []Scarto, error)) error {
	p := &parte{chiavi: make(map[string]struct{}, 3*len(rs)), letti: letti, done: make(chan struct{})}
	for _, r := range rs {
		p.chiavi["d"+r.n.IDDomanda] = struct{}{}
		for _, k := range r.n.Componenti {
			p.chiavi["p"+k.CodiceFiscale] = struct{}{}
		}
	}
	for len(w.coda) > 0 && (len(w.coda) >= paralleli || w.conflitto(p)) {
		if err := w.concludi(); err != nil {
			return err
		}
	}
	w.coda = append(w.coda, p)
	go func() {
		defer close(p.done)
		p.c, p.scarti, p.err = scrivi(w.ctx)
	}()
	return nil
}

func (w *scrittori) conflitto(p *parte) bool {
	for _, q := range w.coda {
		for k := range p.chiavi {
			if _, ok := q.chiavi[k]; ok {
				return true
			}
		}
	}
	return false
}

// concludi waits for the oldest chunk and concludes it; after an error
// every later chunk is still waited for, and the first error returned.
func (w *scrittori) concludi() error {
	p := w.coda[0]
	w.coda = w.coda[1:]
	<-p.done
	if w.err == nil {
		w.err = p.err
		if w.err == nil {
			w.err = w.conclusa(p)
		}
	}
	return w.err
}

// attendi concludes every chunk still running and returns the first error.
func (w *scrittori) attendi() error {
	for len(w.coda) > 0 {
		_ = w.concludi()
	}
	return w.err
}

// applica writes a chunk of valid households.
func (s *Service) applica(ctx context.Context, impID, ambitoID int64, comuni map[string]int64, rs []riga, v registro.Voce) (contatori, []Scarto, error) {
	var c contatori
	var scarti []Scarto
	if len(rs) == 0 {
		return c, nil, nil
	}
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.n.IDDomanda
	}
	known, err := s.casi.DomandeNote(ctx, ids)
	if err != nil {
		return c, nil, err
	}
	// The persons already known, for the new households only (a file read
	// again looks up none).
	cfs := []string{}
	for _, r := range rs {
		if _, ok := known[r.n.IDDomanda]; !ok {
			for _, k := range r.n.Componenti {
				cfs = append(cfs, k.CodiceFiscale)
			}
		}
	}
	persone := map[string]uuid.UUID{}
	if len(cfs) > 0 {
		if persone, err = s.casi.PersoneNote(ctx, cfs); err != nil {
			return c, nil, err
		}
	}

	now := s.casi.Now()
	var b casi.Batch
	var nuovi, aggiornare []riga
	for _, r := range rs {
		comuneID, ok := comuni[r.n.ComuneResidenza]
		e, exists := known[r.n.IDDomanda]
		switch {
		case exists && e.AmbitoID != 0 && e.AmbitoID != ambitoID:
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: "domanda già presa in carico da un altro ambito"})
		case !ok && !exists:
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: fuoriAmbito(r.n)})
		case exists && bytes.Equal(e.Hash, r.hash):
			c.invariati++
		case exists:
			aggiornare = append(aggiornare, r)
		default:
			nuovi = append(nuovi, r)
			b.Add(r.n, ambitoID, comuneID, nil, now, persone, r.hash, impID)
		}
	}
	c.scartati = len(scarti)
	// The counters of the households written go in their own transaction.
	conferma := func(ctx context.Context, tx pgx.Tx, esito string, n int) error {
		return conta(ctx, tx, impID, esito, n)
	}
	// New households: one COPY per table; if it fails (say, a codice
	// fiscale inserted meanwhile by someone else), each household on its own.
	if len(nuovi) > 0 {
		vv := v
		vv.Dettaglio = fmt.Sprintf("importazione %d: nuovo nucleo", impID)
		switch err := s.casi.InserisciNuclei(ctx, &b, vv, conferma); {
		case err == nil:
			c.inseriti += len(nuovi)
		case errors.Is(err, errNonInCorso):
			return c, scarti, err
		default:
			aggiornare = append(aggiornare, nuovi...)
		}
	}
	for _, r := range aggiornare {
		esito, err := s.casi.ApplicaNucleo(ctx, r.n, r.hash, impID, ambitoID, comuni[r.n.ComuneResidenza], v,
			fmt.Sprintf("importazione %d: nuovo nucleo", impID), fmt.Sprintf("importazione %d: nucleo aggiornato", impID), conferma)
		switch {
		case err != nil && ctx.Err() != nil:
			// Stopped (shutdown), not a household in conflict: no rejection.
			return c, scarti, ctx.Err()
		case errors.Is(err, errNonInCorso):
			// Ended as interrotta by another instance: this process stops.
			return c, scarti, err
		case errors.Is(err, casi.ErrFuoriAmbito):
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: fuoriAmbito(r.n)})
			c.scartati++
		case err != nil:
			scarti = append(scarti, Scarto{Riga: r.n.Riga, IDDomanda: r.n.IDDomanda, Motivo: "nucleo non importato: dati in conflitto con quelli già presenti (controlla codici fiscali e domanda)"})
			c.scartati++
		case esito == casi.NucleoInserito:
			c.inseriti++
		case esito == casi.NucleoAggiornato:
			c.aggiornati++
		default:
			c.invariati++
		}
	}
	return c, scarti, nil
}

func fuoriAmbito(n flusso.Nucleo) string {
	return "comune di residenza " + n.ComuneResidenza + " non appartenente all'ambito"
}
