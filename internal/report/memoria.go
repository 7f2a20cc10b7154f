package report

import (
	"fmt"
	"sync"
	"time"
)

// MemoriaPredefinita is how long the cruscotto's computed tables are shown
// again, to any reader of the same scope, period and role, before they are
// computed afresh (docs/indicatori.md, "Aggiornamento"): at 200,000
// households computing them takes about a second (docs/performance.md),
// showing them again a few milliseconds. The page says when they were
// computed and offers to compute them again at once.
const MemoriaPredefinita = 5 * time.Minute

// maxVoci bounds the tables kept (each key a scope, period and role).
const maxVoci = 512

// memoria keeps computed tables by their filter, in this process.
type memoria struct {
	durata time.Duration
	mu     sync.Mutex
	voci   map[string]voce
	// inCorso are the keys being computed again ahead of their expiry.
	inCorso map[string]bool
}

type voce struct {
	tabelle []Tabella
	il      time.Time
}

func nuovaMemoria(d time.Duration) *memoria {
	return &memoria{durata: d, voci: map[string]voce{}, inCorso: map[string]bool{}}
}

// chiave identifies what the providers compute for f.
func (f Filtro) chiave() string {
	comune := int64(0)
	if f.ComuneID != nil {
		comune = *f.ComuneID
	}
	return fmt.Sprintf("%d|%d|%s|%s|%s|%t|%d|%s", f.AmbitoID, comune, f.Dal.Format(time.DateOnly), f.Al.Format(time.DateOnly),
		f.Oggi.Format(time.DateOnly), f.Nominativi, f.Tetto, f.Ruolo)
}

// leggi gives the tables kept for k, if younger than the duration; anticipa
// is true when they are past half of it and nobody is computing them
// again yet: the caller computes them again in the background (and calls
// fatto), so that a key read often is never computed while a reader waits.
func (m *memoria) leggi(k string, ora time.Time) (t []Tabella, il time.Time, ok, anticipa bool) {
	if m.durata <= 0 {
		return nil, time.Time{}, false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.voci[k]
	if !ok || ora.Sub(v.il) >= m.durata || ora.Before(v.il) {
		return nil, time.Time{}, false, false
	}
	if ora.Sub(v.il) >= m.durata/2 && !m.inCorso[k] {
		m.inCorso[k] = true
		anticipa = true
	}
	return v.tabelle, v.il, true, anticipa
}

// fatto ends the computation ahead of k.
func (m *memoria) fatto(k string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.inCorso, k)
}

func (m *memoria) scrivi(k string, t []Tabella, ora time.Time) {
	if m.durata <= 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.voci) >= maxVoci {
		// The expired first; if none, the oldest.
		piuVecchia, quando := "", ora
		for kk, v := range m.voci {
			if ora.Sub(v.il) >= m.durata {
				delete(m.voci, kk)
			} else if v.il.Before(quando) {
				piuVecchia, quando = kk, v.il
			}
		}
		if len(m.voci) >= maxVoci {
			delete(m.voci, piuVecchia)
		}
	}
	m.voci[k] = voce{tabelle: t, il: ora}
}
