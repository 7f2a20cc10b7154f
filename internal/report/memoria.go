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
}

type voce struct {
	tabelle []Tabella
	il      time.Time
}

func nuovaMemoria(d time.Duration) *memoria {
	return &memoria{durata: d, voci: map[string]voce{}}
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

func (m *memoria) leggi(k string, ora time.Time) ([]Tabella, time.Time, bool) {
	if m.durata <= 0 {
		return nil, time.Time{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.voci[k]
	if !ok || ora.Sub(v.il) >= m.durata || ora.Before(v.il) {
		return nil, time.Time{}, false
	}
	return v.tabelle, v.il, true
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
