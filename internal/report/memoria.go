package report

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cartella/cartella/internal/authz"
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

// Lettore of the cruscotto whose default page is prepared ahead: a role
// and its scope (ComuneID nil: the whole ambito).
type LettoreCruscotto struct {
	Ruolo    authz.Ruolo
	AmbitoID int64
	ComuneID *int64
}

// ElencoLettori lists the scopes of the operators who read the cruscotto
// today (operatori ATS, coordinatori PaIS), each once.
type ElencoLettori func(ctx context.Context) ([]LettoreCruscotto, error)

// OgniPreparazione is how often the default pages are prepared: within
// MemoriaPredefinita, so that they are always kept.
const OgniPreparazione = 4 * time.Minute

// Prepara computes the default page (1 January to today, every comune of
// the scope) of each reader's scope and keeps it, so that opening /report
// never waits for the providers (docs/indicatori.md, "Aggiornamento");
// it returns how many pages it prepared. Other periods and comuni are
// computed when first asked.
func (s *Service) Prepara(ctx context.Context, lettori ElencoLettori) (int, error) {
	ll, err := lettori(ctx)
	if err != nil {
		return 0, fmt.Errorf("report: lettori: %w", err)
	}
	n := 0
	for _, l := range ll {
		p := authz.Principal{Ruolo: l.Ruolo, AmbitoID: &l.AmbitoID, ComuneID: l.ComuneID}
		if _, err := s.Cruscotto(ctx, p, Richiesta{Ricalcola: true}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// PreparaOgni runs Prepara at once and then every ogni until ctx ends;
// errors go to errore.
func (s *Service) PreparaOgni(ctx context.Context, lettori ElencoLettori, ogni time.Duration, errore func(error)) {
	if s.memoria.durata <= 0 {
		return
	}
	t := time.NewTicker(ogni)
	defer t.Stop()
	for {
		if _, err := s.Prepara(ctx, lettori); err != nil && ctx.Err() == nil {
			errore(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
