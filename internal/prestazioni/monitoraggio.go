package prestazioni

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/database"
	"github.com/cartella/cartella/internal/home"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// The operatore ATS's monitoring of the ambito's flows to SIUSS (/siuss):
// which are waiting to be polled (pronto), offered and waiting for INPS's
// outcome (offerto), acquired, or refused with INPS's reason; filtered by
// state, operation and id_flusso, a page at a time. It shows flow ids,
// codes and states only: never the beneficiary's name or codice fiscale,
// never a flow's XML (the case manager reads it from the case).

// PaginaMonitor is how many flows a page of /siuss shows.
const PaginaMonitor = 25

// FiltroMonitor is /siuss's filters as typed.
type FiltroMonitor struct {
	Stato  string // "", pronto, offerto, acquisito, scartato
	Tipo   string // "", I, C
	Q      string // the start of an id_flusso
	Pagina int    // 1-based
}

// RigaMonitor is a flow as /siuss lists it.
type RigaMonitor struct {
	IDFlusso         string
	TipoOperazione   string
	TS               time.Time
	Codice           string // the prestazione's INPS code
	Stato            string
	OffertoIl        *time.Time
	Offerte          int
	CodiceEsito      string
	DescrizioneEsito string
	IDAcquisizione   string
	EsitoIl          *time.Time
}

// StatoLabel is the state in words, as on the case page.
func (r RigaMonitor) StatoLabel() string { return Flusso{Stato: r.Stato}.StatoLabel() }

// Monitor is what /siuss shows.
type Monitor struct {
	Ente     Ente           // Versione 0: not configured
	Conteggi map[string]int // flows by stato, of the whole ambito
	Righe    []RigaMonitor
	HasNext  bool
	Filtro   FiltroMonitor
}

var (
	statiFlusso = []string{"pronto", "offerto", "acquisito", "scartato"}
	reQFlusso   = regexp.MustCompile(`^[A-Za-z0-9.]{0,50}$`)
)

// LeggiFiltro reads /siuss's query; what is not a known value is no
// filter.
func LeggiFiltro(q url.Values) FiltroMonitor {
	f := FiltroMonitor{Pagina: 1}
	for _, s := range statiFlusso {
		if q.Get("stato") == s {
			f.Stato = s
		}
	}
	if t := q.Get("tipo"); t == "I" || t == "C" {
		f.Tipo = t
	}
	if s := strings.TrimSpace(q.Get("q")); reQFlusso.MatchString(s) {
		f.Q = strings.ToUpper(s)
	}
	if n, err := strconv.Atoi(q.Get("pagina")); err == nil && n > 1 && n <= 100000 {
		f.Pagina = n
	}
	return f
}

// MonitorFlussi returns the flows of p's ambito (p an operatore ATS) that
// f selects, recording the read; ErrNotFound, recorded too, for anyone
// without an ambito.
func (s *Service) MonitorFlussi(ctx context.Context, p authz.Principal, f FiltroMonitor, v registro.Voce) (Monitor, error) {
	v.OggettoTipo = "siuss_flussi"
	if p.Ruolo != authz.OperatoreATS || p.AmbitoID == nil {
		v.Azione, v.Esito, v.Dettaglio = registro.Negato, registro.Rifiutato, registro.Lettura
		if err := s.reg.Record(ctx, v); err != nil {
			return Monitor{}, err
		}
		return Monitor{}, ErrNotFound
	}
	amb := *p.AmbitoID
	m := Monitor{Filtro: f}
	var err error
	if m.Ente, err = ente(ctx, s.pool, amb); err != nil {
		return Monitor{}, fmt.Errorf("prestazioni: monitor: %w", err)
	}
	if m.Conteggi, err = conteggiFlussi(ctx, s.pool, amb); err != nil {
		return Monitor{}, fmt.Errorf("prestazioni: monitor: %w", err)
	}
	if m.Righe, err = righeMonitor(ctx, s.pool, amb, f); err != nil {
		return Monitor{}, fmt.Errorf("prestazioni: monitor: %w", err)
	}
	if len(m.Righe) > PaginaMonitor {
		m.Righe, m.HasNext = m.Righe[:PaginaMonitor], true
	}
	v.Azione, v.Esito, v.OggettoID = registro.Lettura, registro.Consentito, strconv.FormatInt(amb, 10)
	v.Dettaglio = fmt.Sprintf("stato=%s tipo=%s q=%s pagina=%d", f.Stato, f.Tipo, f.Q, f.Pagina)
	return m, s.reg.Record(ctx, v)
}

func conteggiFlussi(ctx context.Context, q database.Querier, ambitoID int64) (map[string]int, error) {
	rows, err := q.Query(ctx, `SELECT stato, count(*) FROM prestazione_flusso WHERE ambito_id = $1 GROUP BY stato`, ambitoID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			s string
			n int
		)
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// righeMonitor is a page of the ambito's flows f selects, the latest
// first, one more than a page (so that the caller knows there is a next).
func righeMonitor(ctx context.Context, q database.Querier, ambitoID int64, f FiltroMonitor) ([]RigaMonitor, error) {
	rows, err := q.Query(ctx, `SELECT f.id_flusso, f.tipo_operazione, f.ts_flusso, p.codice, f.stato, f.offerto_il, f.offerte,
		       COALESCE(f.codice_esito, ''), f.descrizione_esito, f.id_acquisizione_siuss, f.esito_il
		FROM prestazione_flusso f JOIN prestazione p ON p.id = f.prestazione_id
		WHERE f.ambito_id = $1 AND ($2 = '' OR f.stato = $2) AND ($3 = '' OR f.tipo_operazione = $3)
		  AND ($4 = '' OR f.id_flusso LIKE $4 || '%')
		ORDER BY f.ts_flusso DESC LIMIT $5 OFFSET $6`,
		ambitoID, f.Stato, f.Tipo, f.Q, PaginaMonitor+1, (f.Pagina-1)*PaginaMonitor)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RigaMonitor, error) {
		var x RigaMonitor
		err := r.Scan(&x.IDFlusso, &x.TipoOperazione, &x.TS, &x.Codice, &x.Stato, &x.OffertoIl, &x.Offerte,
			&x.CodiceEsito, &x.DescrizioneEsito, &x.IDAcquisizione, &x.EsitoIl)
		return x, err
	})
}

// Monitor is GET /siuss: the operatore ATS's flows to SIUSS.
func (h *Handler) Monitor(w http.ResponseWriter, r *http.Request) {
	f := LeggiFiltro(r.URL.Query())
	m, err := h.svc.MonitorFlussi(r.Context(), authz.PrincipalOf(r), f, registro.VoceOf(r))
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	base := url.Values{}
	for k, v := range map[string]string{"stato": f.Stato, "tipo": f.Tipo, "q": f.Q} {
		if v != "" {
			base.Set(k, v)
		}
	}
	pg := ui.Pager{Page: f.Pagina, HasNext: m.HasNext, BaseURL: "/siuss", PageSize: PaginaMonitor}
	if len(base) > 0 {
		pg.BaseURL += "?" + base.Encode()
	}
	h.rs.Render(w, r, http.StatusOK, monitorPage(h.rs.Shell(r), m, pg))
}

// Contatori are the module's counts on the operatore ATS's home: the flows
// INPS refused (the case managers correct them), and those sent and still
// waiting for INPS's outcome.
func (s *Service) Contatori() []home.Contatore {
	return []home.Contatore{{Ruolo: authz.OperatoreATS, Voci: []home.VoceLavoro{
		{Etichetta: "flussi SIUSS scartati da INPS", Singolare: "flusso SIUSS scartato da INPS", Href: "/siuss?stato=scartato", Allarme: true},
		{Etichetta: "flussi SIUSS in attesa dell'esito di INPS", Singolare: "flusso SIUSS in attesa dell'esito di INPS", Href: "/siuss?stato=offerto"},
	}, Conta: s.contaATS}}
}

func (s *Service) contaATS(ctx context.Context, p authz.Principal) ([]int, bool, error) {
	if p.Ruolo != authz.OperatoreATS || p.AmbitoID == nil {
		return nil, false, nil
	}
	c, err := conteggiFlussi(ctx, s.pool, *p.AmbitoID)
	if err != nil {
		return nil, false, fmt.Errorf("prestazioni: conteggi: %w", err)
	}
	return []int{c["scartato"], c["offerto"]}, true, nil
}
