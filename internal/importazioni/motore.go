package importazioni

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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
	var scarti []Scarto
	var letti flusso.Progresso
	flush := func() error {
		c, sc, err := s.applica(ctx, id, ambitoID, comuni, pend, v)
		if err != nil {
			return err
		}
		scarti = append(scarti, sc...)
		tot.inseriti += c.inseriti
		tot.aggiornati += c.aggiornati
		tot.invariati += c.invariati
		tot.scartati += c.scartati
		pend = pend[:0]
		if err := progresso(ctx, s.pool, id, letti, tot, scarti); err != nil {
			return err
		}
		scarti = scarti[:0]
		return nil
	}
	p := flusso.Parser{Oggi: s.casi.Oggi(), OgniRighe: 500, Avanzamento: func(pr flusso.Progresso) { letti = pr }}
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

// applica writes a chunk of valid households.
func (s *Service) applica(ctx context.Context, impID, ambitoID int64, comuni map[string]int64, rs []riga, v registro.Voce) (contatori, []Scarto, error) {
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
	known, err := s.casi.DomandeNote(ctx, ids)
	if err != nil {
		return c, nil, err
	}
	persone, err := s.casi.PersoneNote(ctx, cfs)
	if err != nil {
		return c, nil, err
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
		if err := s.casi.InserisciNuclei(ctx, &b, vv, conferma); err == nil {
			c.inseriti += len(nuovi)
		} else {
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
