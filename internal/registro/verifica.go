package registro

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Problem is a record, or a lotto, that breaks the register's integrity.
type Problem struct {
	ID     int64 // the record; 0 when the problem is the lotto's
	Lotto  int64
	Reason string
}

func (p Problem) String() string {
	if p.ID != 0 {
		return fmt.Sprintf("registrazione %d: %s", p.ID, p.Reason)
	}
	return fmt.Sprintf("lotto %d: %s", p.Lotto, p.Reason)
}

// Report is the outcome of Verify.
type Report struct {
	Records      int64 // every record read
	Sigillate    int64 // records in a lotto
	NonSigillate int64 // records newer than the last lotto (their signature is checked too)
	Lotti        int64
	UltimoLotto  int64
	LastHash     []byte // the newest lotto's hash
	Punti        int    // checkpoints compared
	// Ripartenze counts the lotti that opened a new sequence of
	// transaction ids (a restore into a new cluster); UltimaRipartenza is
	// the newest one's number.
	Ripartenze       int
	UltimaRipartenza int64
	Problems         []Problem
}

// Verify checks the whole register: every record's signature, every
// lotto's content and link to the one before, that every record old enough
// to be sealed is in exactly one lotto, and that each checkpoint noted
// outside the database (punti, from `cartella audit checkpoint`) is still
// there with the same hash — which detects lotti removed from the end.
// A horizon may go back only at a ripartenza, the signed lotto that opens
// the sequence of transaction ids of a new cluster.
func (s *Service) Verify(ctx context.Context, punti ...Punto) (Report, error) {
	var rep Report
	if !s.chiave.Valida() {
		return rep, ErrChiave
	}
	attesi := map[int64]Punto{}
	for _, p := range punti {
		attesi[p.Lotto] = p
	}
	mia := s.chiave.Impronta()
	prec := Lotto{Hash: zero}
	primo := true
	var legacyPrec []byte = zero
	// The current sequence of transaction ids (the newest ripartenza's),
	// and the highest record id in any lotto so far.
	seq := sequenza{sigillate: []int64{}}
	nellaRipartenza := map[int64]bool{}
	var massimo int64
	// dellaSequenza: a record the lotti of the current sequence may seal
	// by its transaction id — not one sealed before its ripartenza, nor by
	// it.
	dellaSequenza := func(id int64) bool { return id > seq.dal && !nellaRipartenza[id] }
	problema := func(id, lotto int64, reason string) {
		rep.Problems = append(rep.Problems, Problem{ID: id, Lotto: lotto, Reason: reason})
	}
	for {
		lotti, err := lottiDopo(ctx, s.pool, prec.Numero, 200)
		if err != nil {
			return Report{}, err
		}
		var ids []int64
		for _, l := range lotti {
			ids = append(ids, l.Voci...)
		}
		voci, err := vociPerID(ctx, s.pool, ids)
		if err != nil {
			return Report{}, err
		}
		for _, l := range lotti {
			rep.Lotti++
			if !primo && l.Numero != prec.Numero+1 {
				problema(0, prec.Numero+1, "lotto mancante: è stato rimosso")
			}
			if !primo && !bytes.Equal(l.HashPrec, prec.Hash) {
				problema(0, l.Numero, "collegamento interrotto: il lotto precedente manca o è stato alterato")
			}
			if p, ok := attesi[l.Numero]; ok {
				rep.Punti++
				delete(attesi, l.Numero)
				if !bytes.Equal(p.Hash, l.Hash) {
					problema(0, l.Numero, "l'impronta non è quella del punto di controllo annotato")
				}
			}
			massimoPrima := massimo
			for _, id := range l.Voci {
				massimo = max(massimo, id)
			}
			// After the records' checks below, a ripartenza opens the new
			// sequence.
			apri := func() {
				if l.Ripartenza == nil {
					return
				}
				rep.Ripartenze++
				rep.UltimaRipartenza = l.Numero
				seq = sequenza{dal: *l.Ripartenza, sigillate: append([]int64{}, l.Voci...)}
				nellaRipartenza = make(map[int64]bool, len(l.Voci))
				for _, id := range l.Voci {
					nellaRipartenza[id] = true
				}
			}
			switch {
			case l.Ripartenza != nil && *l.Ripartenza != massimoPrima:
				problema(0, l.Numero, fmt.Sprintf("ripartenza alterata: dice sigillate le registrazioni fino alla %d, i lotti prima fino alla %d",
					*l.Ripartenza, massimoPrima))
			case l.Ripartenza != nil && (primo || l.Sistema == nil || (prec.Sistema != nil && *prec.Sistema == *l.Sistema)):
				problema(0, l.Numero, "ripartenza senza un nuovo cluster: le transazioni non sono ripartite da capo")
			case l.Ripartenza == nil && !primo && l.Orizzonte < prec.Orizzonte:
				problema(0, l.Numero, "l'orizzonte torna indietro senza una ripartenza")
			}
			if l.Chiave != mia {
				problema(0, l.Numero, "sigillato con un'altra chiave (impronta "+l.Chiave+"): non verificabile con questa")
				apri()
				prec, primo = l, false
				continue
			}
			firme := make([][]byte, len(l.Voci))
			rimosse := false
			for i, id := range l.Voci {
				v, ok := voci[id]
				if !ok {
					problema(id, l.Numero, "registrazione rimossa: è nel lotto ma non nel registro")
					rimosse = true
					continue
				}
				rep.Records++
				rep.Sigillate++
				switch {
				case v.Xid == nil && prec.Orizzonte != 0:
					problema(id, l.Numero, "registrazione fuori ordine: senza transazione, dopo il primo lotto")
				case v.Xid != nil && l.Ripartenza != nil:
					// What was not sealed in the cluster before, or was
					// written in this one (an id above every sealed one).
					if !(uint64(*v.Xid) >= prec.Orizzonte && dellaSequenza(id)) && id <= *l.Ripartenza {
						problema(id, l.Numero, "registrazione fuori ordine: non è né da sigillare prima della ripartenza né del nuovo cluster")
					}
				case v.Xid != nil && !dellaSequenza(id):
					problema(id, l.Numero, "registrazione fuori ordine: è di prima dell'ultima ripartenza")
				case v.Xid != nil && (uint64(*v.Xid) < prec.Orizzonte || uint64(*v.Xid) >= l.Orizzonte):
					problema(id, l.Numero, "registrazione fuori ordine: la sua transazione non è di questo lotto")
				}
				if v.Mac != nil {
					if !bytes.Equal(s.chiave.firmaVoce(v), v.Mac) {
						problema(id, l.Numero, "contenuto alterato o registrazione falsa: la firma non corrisponde")
					}
					firme[i] = v.Mac
				} else {
					// A record of the SHA-256 chain before ADR 0023.
					if !bytes.Equal(v.HashPrec, legacyPrec) {
						problema(id, l.Numero, "collegamento interrotto: manca o è stata alterata la registrazione precedente")
					}
					if !bytes.Equal(v.digest(), v.Hash) {
						problema(id, l.Numero, "contenuto alterato: l'impronta non corrisponde")
					}
					legacyPrec = v.Hash
					firme[i] = v.Hash
				}
			}
			if !rimosse && !bytes.Equal(s.chiave.firmaLotto(l, firme), l.Hash) {
				problema(0, l.Numero, "lotto alterato: la sua firma non corrisponde")
			}
			apri()
			prec, primo = l, false
		}
		if len(lotti) < 200 {
			break
		}
	}
	for n := range attesi {
		problema(0, n, "manca il lotto annotato nel punto di controllo: il registro è stato troncato")
	}
	rep.UltimoLotto = prec.Numero
	if !primo {
		rep.LastHash = prec.Hash
	}
	// Every record old enough is sealed: all but those of the current
	// sequence at or above the last horizon, and — in a new cluster whose
	// ripartenza is not written yet — those written here.
	a := attesa{orizzonte: int64(prec.Orizzonte), seq: seq, massimo: massimo}
	if !primo {
		var xmax int64
		if err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint`).Scan(&xmax); err != nil {
			return Report{}, fmt.Errorf("registro: verify: %w", err)
		}
		s.sposta(&xmax)
		sistema, err := s.sistemaDi(ctx, s.pool)
		if err != nil {
			return Report{}, err
		}
		a.inAttesa = nuovoCluster(prec, sistema, xmax)
	}
	// NOT of a condition false, not null, for every record (a NULL xid
	// fails its first term).
	cond, args := a.daSigillare()
	var vecchie int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM registro_accessi WHERE NOT COALESCE(`+cond+`, false)`,
		args...).Scan(&vecchie); err != nil {
		return Report{}, fmt.Errorf("registro: verify: %w", err)
	}
	if vecchie != rep.Sigillate {
		rows, err := s.pool.Query(ctx, `SELECT r.id FROM registro_accessi r
			WHERE NOT COALESCE(`+cond+`, false)
			  AND NOT EXISTS (SELECT 1 FROM registro_lotti l WHERE r.id = ANY (l.voci))
			ORDER BY r.id LIMIT 1000`, args...)
		if err != nil {
			return Report{}, fmt.Errorf("registro: verify: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return Report{}, fmt.Errorf("registro: verify: %w", err)
		}
		for _, id := range ids {
			rep.Records++
			problema(id, 0, "registrazione inserita fuori ordine: è più vecchia dell'ultimo lotto ma non è in nessun lotto")
		}
	}
	// The records not sealed yet: their signatures.
	err := recentiDopo(ctx, s.pool, a, func(v Voce) error {
		rep.Records++
		rep.NonSigillate++
		if v.Mac == nil || !bytes.Equal(s.chiave.firmaVoce(v), v.Mac) {
			problema(v.ID, 0, "contenuto alterato o registrazione falsa: la firma non corrisponde")
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	return rep, nil
}

// Punto is a checkpoint: the newest lotto's number and hash at a moment,
// signed with the key, to be kept outside the database (a file, the system
// log, the backup's label).
type Punto struct {
	Lotto       int64
	SigillatoIl time.Time
	Hash        []byte
	Riga        string // the line as written, signature included
}

const prefissoPunto = "cartella-registro"

// PuntoDiControllo seals every record committed before the call (waiting
// up to a minute for transactions still open), then returns the checkpoint
// of the newest lotto (Lotto 0 when the register is empty).
func (s *Service) PuntoDiControllo(ctx context.Context) (Punto, error) {
	if err := s.SigillaFinoAOra(ctx, time.Minute); err != nil {
		return Punto{}, err
	}
	var l Lotto
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		l, err = ultimoLotto(ctx, tx)
		return err
	})
	if err != nil {
		return Punto{}, err
	}
	if l.Numero == 0 {
		return Punto{}, nil
	}
	testo := fmt.Sprintf("%s lotto=%d sigillato=%s impronta=%x", prefissoPunto, l.Numero,
		l.SigillatoIl.UTC().Format(time.RFC3339), l.Hash)
	return Punto{Lotto: l.Numero, SigillatoIl: l.SigillatoIl, Hash: l.Hash,
		Riga: testo + " firma=" + s.chiave.firmaTesto(testo)}, nil
}

// LeggiPunti reads the checkpoints in r, one per line as PuntoDiControllo
// writes them; other lines (a system log's) are skipped. A line with the
// prefix but a wrong signature is an error: someone edited the file.
func (s *Service) LeggiPunti(r io.Reader) ([]Punto, error) {
	var out []Punto
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		i := strings.Index(line, prefissoPunto+" lotto=")
		if i < 0 {
			continue
		}
		line = strings.TrimSpace(line[i:])
		testo, firma, ok := strings.Cut(line, " firma=")
		if !ok || firma != s.chiave.firmaTesto(testo) {
			return nil, fmt.Errorf("riga %d: punto di controllo con firma non valida (alterato, o di un'altra chiave)", n)
		}
		var p Punto
		for _, f := range strings.Fields(testo)[1:] {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "lotto":
				p.Lotto, _ = strconv.ParseInt(v, 10, 64)
			case "sigillato":
				p.SigillatoIl, _ = time.Parse(time.RFC3339, v)
			case "impronta":
				p.Hash, _ = hex.DecodeString(v)
			}
		}
		if p.Lotto <= 0 || p.Hash == nil {
			return nil, fmt.Errorf("riga %d: punto di controllo incompleto", n)
		}
		p.Riga = line
		out = append(out, p)
	}
	return out, sc.Err()
}
