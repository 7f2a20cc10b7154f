package rete

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The reporting to the network (Linee guida Reti ADI, Box 7): per protocol
// and period, the invii received, treated (answered), accepted, refused by
// reason, the median and 90th percentile of the response time (inviato_il
// → risposta_il, in days, interpolated as PostgreSQL's percentile_cont),
// and the capacity used against the capacity agreed. The gestore della rete
// and the coordinatore PaIS of the ambito read it; a coordinatore PaIS of a
// comune sees the invii of their comune only. Counts only: no person.
//
// The invii counted are those sent in the period; "ricevuti" are all of
// them, "trattati" those answered (accepted or refused), "in attesa" those
// not answered yet, "ritirati" those withdrawn before an answer. The
// capacity used is the invii of the service accepted; the capacity agreed
// is the protocol's per the service's period, brought to the report's
// period by its length in days.

// oggettoReport is the registro's name of the report.
const oggettoReport = "rete_report"

// ProtocolloScelta is a protocol offered in the report's filter.
type ProtocolloScelta struct {
	ID      int64
	Titolo  string
	Periodo string // periodo_rendicontazione
}

// Conteggio is a count with what it counts.
type Conteggio struct {
	Voce string
	N    int
}

// RigaCapacita is a service of a protocol: capacity agreed and used.
type RigaCapacita struct {
	Servizio, Ente string
	Concordata     *int   // per Periodo; nil: not limited
	Periodo        string // the service's periodo_capacita
	// NelPeriodo is Concordata brought to the report's period (nil: not
	// limited).
	NelPeriodo *float64
	Usata      int
}

// PeriodoLabel is "al mese", "a settimana", ….
func (c RigaCapacita) PeriodoLabel() string { return etichetta(Periodi, c.Periodo) }

// Percentuale is the capacity used over the agreed one in the period, in
// percent (-1 when not limited or nothing agreed).
func (c RigaCapacita) Percentuale() int {
	if c.NelPeriodo == nil || *c.NelPeriodo <= 0 {
		return -1
	}
	return int(math.Round(float64(c.Usata) * 100 / *c.NelPeriodo))
}

// RigaReport is one protocol's figures over the period.
type RigaReport struct {
	ProtocolloID int64
	Titolo       string
	Ricevuti     int
	Trattati     int
	Accettati    int
	Rifiutati    int
	InAttesa     int
	Ritirati     int
	OltreTermine int      // answered after risposta_entro, or still waiting past it
	Mediana      *float64 // days from sending to the answer; nil: no answer
	P90          *float64
	Motivi       []Conteggio // refusals by reason
	Capacita     []RigaCapacita
}

// Report is the page: the filter and the rows.
type Report struct {
	Protocolli []ProtocolloScelta
	Protocollo int64 // 0: all
	Dal, Al    time.Time
	Righe      []RigaReport
}

// FiltroReport is the filter as typed.
type FiltroReport struct{ Protocollo, Dal, Al string }

// lettoreReport reports whether p reads the report, and its ambito.
func lettoreReport(p authz.Principal) (int64, bool) {
	if p.AmbitoID == nil || (p.Ruolo != authz.GestoreRete && p.Ruolo != authz.CoordinatorePaIS) {
		return 0, false
	}
	return *p.AmbitoID, true
}

// durataPeriodo is the length in days of a capacity period.
var durataPeriodo = map[string]float64{"settimana": 7, "mese": 365.25 / 12, "trimestre": 365.25 / 4, "anno": 365.25}

// leggiFiltro validates the filter; zero dates take the defaults: from
// 1 January of this year to today.
func (s *Service) leggiFiltro(in FiltroReport, protocolli []ProtocolloScelta) (int64, time.Time, time.Time, httpx.FieldErrors) {
	fe := httpx.FieldErrors{}
	oggi := s.oggi()
	dal, al := time.Date(oggi.Year(), 1, 1, 0, 0, 0, 0, time.UTC), oggi
	if strings.TrimSpace(in.Dal) != "" {
		d, ok := calendario.ParseData(in.Dal)
		if ok {
			dal = d
		} else {
			fe["dal"] = "La data di inizio non è valida: scrivila come gg/mm/aaaa."
		}
	}
	if strings.TrimSpace(in.Al) != "" {
		d, ok := calendario.ParseData(in.Al)
		if ok {
			al = d
		} else {
			fe["al"] = "La data di fine non è valida: scrivila come gg/mm/aaaa."
		}
	}
	if fe["dal"] == "" && fe["al"] == "" && al.Before(dal) {
		fe["al"] = "La data di fine non può precedere quella di inizio."
	}
	var prot int64
	if v := strings.TrimSpace(in.Protocollo); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		trovato := false
		for _, p := range protocolli {
			trovato = trovato || (err == nil && p.ID == n)
		}
		if !trovato {
			fe["protocollo"] = "Scegli un protocollo dall'elenco."
		} else {
			prot = n
		}
	}
	if len(fe) > 0 {
		return prot, dal, al, fe
	}
	return prot, dal, al, nil
}

// Report returns the figures of the protocols of p's ambito over the
// period; the read is recorded. A filter not valid returns the page's
// protocols and defaults with httpx.FieldErrors.
func (s *Service) Report(ctx context.Context, p authz.Principal, in FiltroReport, v registro.Voce, azione string) (Report, error) {
	var r Report
	ambito, ok := lettoreReport(p)
	if !ok {
		return r, ErrNotFound
	}
	var err error
	if r.Protocolli, err = protocolliAmbito(ctx, s.pool, ambito); err != nil {
		return r, fmt.Errorf("rete: report: %w", err)
	}
	prot, dal, al, fe := s.leggiFiltro(in, r.Protocolli)
	r.Protocollo, r.Dal, r.Al = prot, dal, al
	if fe != nil {
		return r, fe
	}
	var pp *int64
	if prot != 0 {
		pp = &prot
	}
	if r.Righe, err = righeReport(ctx, s.pool, ambito, dal, al, p.ComuneID, pp); err != nil {
		return r, fmt.Errorf("rete: report: %w", err)
	}
	motivi, err := motiviReport(ctx, s.pool, ambito, dal, al, p.ComuneID, pp)
	if err != nil {
		return r, fmt.Errorf("rete: report, motivi: %w", err)
	}
	capacita, err := capacitaReport(ctx, s.pool, ambito, dal, al, p.ComuneID, pp)
	if err != nil {
		return r, fmt.Errorf("rete: report, capacità: %w", err)
	}
	giorni := al.Sub(dal).Hours()/24 + 1
	for i := range r.Righe {
		id := r.Righe[i].ProtocolloID
		r.Righe[i].Motivi = motivi[id]
		for _, c := range capacita[id] {
			if c.Concordata != nil {
				x := math.Round(float64(*c.Concordata)*giorni/durataPeriodo[c.Periodo]*10) / 10
				c.NelPeriodo = &x
			}
			r.Righe[i].Capacita = append(r.Righe[i].Capacita, c)
		}
	}
	if v.OperatoreID == nil && p.OperatoreID != uuid.Nil {
		op := p.OperatoreID
		v.OperatoreID, v.Ruolo, v.AmbitoID, v.ComuneID = &op, string(p.Ruolo), p.AmbitoID, p.ComuneID
	}
	v.Azione, v.OggettoTipo, v.Esito = azione, oggettoReport, registro.Consentito
	v.OggettoID = ""
	if prot != 0 {
		v.OggettoID = strconv.FormatInt(prot, 10)
	}
	v.Dettaglio = fmt.Sprintf("report della rete dal %s al %s", calendario.ISO(dal), calendario.ISO(al))
	return r, s.reg.Record(ctx, v)
}

// giorniDecimali formats a duration in days with one decimal, Italian style.
func giorniDecimali(x *float64) string {
	if x == nil {
		return "—"
	}
	return strings.Replace(strconv.FormatFloat(math.Round(*x*10)/10, 'f', 1, 64), ".", ",", 1)
}

// decimale formats a number with one decimal, Italian style.
func decimale(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1)
}

// EsportaCSV writes r as CSV for spreadsheets used in Italy (semicolon,
// UTF-8 with BOM), one line per figure: protocol, section, item, value.
func EsportaCSV(w io.Writer, r Report) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	dal, al := calendario.ISO(r.Dal), calendario.ISO(r.Al)
	_ = cw.Write([]string{"protocollo", "dal", "al", "sezione", "voce", "valore", "concordato"})
	riga := func(t, sez, voce, val, conc string) {
		_ = cw.Write([]string{neutro(t), dal, al, sez, neutro(voce), val, conc})
	}
	for _, x := range r.Righe {
		for _, c := range []Conteggio{{"ricevuti", x.Ricevuti}, {"trattati", x.Trattati}, {"accettati", x.Accettati},
			{"rifiutati", x.Rifiutati}, {"in attesa", x.InAttesa}, {"ritirati", x.Ritirati}, {"oltre il termine", x.OltreTermine}} {
			riga(x.Titolo, "invii", c.Voce, strconv.Itoa(c.N), "")
		}
		riga(x.Titolo, "tempo di risposta (giorni)", "mediana", giorniDecimali(x.Mediana), "")
		riga(x.Titolo, "tempo di risposta (giorni)", "90° percentile", giorniDecimali(x.P90), "")
		for _, m := range x.Motivi {
			riga(x.Titolo, "rifiuti per motivo", m.Voce, strconv.Itoa(m.N), "")
		}
		for _, c := range x.Capacita {
			conc := "non limitata"
			if c.NelPeriodo != nil {
				conc = decimale(*c.NelPeriodo)
			}
			riga(x.Titolo, "capacità", c.Servizio+" ("+c.Ente+")", strconv.Itoa(c.Usata), conc)
		}
	}
	cw.Flush()
	return cw.Error()
}

// neutro keeps a spreadsheet from running a cell as a formula.
func neutro(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Barra is a bar of the report's chart.
type Barra struct {
	Etichetta string
	Valore    int
	Y         int
	Larghezza int
	Classe    string
}

// Grafico is the inline SVG bar chart of a protocol's row.
type Grafico struct {
	Titolo  string
	Barre   []Barra
	Altezza int
}

const (
	graficoLarghezza = 360 // px of the longest bar
	graficoBarra     = 22
)

// grafico draws, for a row, the bars of received, treated, accepted and
// refused, scaled to the largest.
func grafico(x RigaReport) Grafico {
	vs := []Barra{{Etichetta: "Ricevuti", Valore: x.Ricevuti, Classe: "#0066cc"}, {Etichetta: "Trattati", Valore: x.Trattati, Classe: "#5c6f82"},
		{Etichetta: "Accettati", Valore: x.Accettati, Classe: "#008055"}, {Etichetta: "Rifiutati", Valore: x.Rifiutati, Classe: "#cc334d"}}
	m := 0
	for _, b := range vs {
		m = max(m, b.Valore)
	}
	for i := range vs {
		vs[i].Y = i * (graficoBarra + 8)
		if m > 0 {
			vs[i].Larghezza = int(math.Round(float64(vs[i].Valore) * graficoLarghezza / float64(m)))
		}
	}
	return Grafico{Titolo: x.Titolo, Barre: vs, Altezza: len(vs) * (graficoBarra + 8)}
}

// descrizione is the chart's text alternative.
func (g Grafico) descrizione() string {
	parts := make([]string, len(g.Barre))
	for i, b := range g.Barre {
		parts[i] = b.Etichetta + " " + strconv.Itoa(b.Valore)
	}
	return "Invii del protocollo " + g.Titolo + ": " + strings.Join(parts, ", ")
}

// --- handlers ---

func filtroDa(r *http.Request) FiltroReport {
	q := r.URL.Query()
	return FiltroReport{Protocollo: q.Get("protocollo"), Dal: q.Get("dal"), Al: q.Get("al")}
}

// Report is GET /rete/report.
func (h *Handler) Report(w http.ResponseWriter, r *http.Request) {
	in := filtroDa(r)
	rep, err := h.svc.Report(r.Context(), authz.PrincipalOf(r), in, registro.VoceOf(r), registro.Lettura)
	var fe httpx.FieldErrors
	switch {
	case err == nil:
		h.rs.Render(w, r, http.StatusOK, reportPage(h.rs.Shell(r), rep, in, nil, csvURL(rep)))
	case errors.As(err, &fe):
		h.rs.Render(w, r, http.StatusUnprocessableEntity, reportPage(h.rs.Shell(r), rep, in, fe, ""))
	default:
		h.rs.Error(w, r, err)
	}
}

func csvURL(r Report) string {
	q := url.Values{"dal": {calendario.ISO(r.Dal)}, "al": {calendario.ISO(r.Al)}}
	if r.Protocollo != 0 {
		q.Set("protocollo", strconv.FormatInt(r.Protocollo, 10))
	}
	return "/rete/report.csv?" + q.Encode()
}

// ReportCSV is GET /rete/report.csv.
func (h *Handler) ReportCSV(w http.ResponseWriter, r *http.Request) {
	rep, err := h.svc.Report(r.Context(), authz.PrincipalOf(r), filtroDa(r), registro.VoceOf(r), registro.Esportazione)
	if err != nil {
		h.rs.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="report-rete-`+calendario.ISO(rep.Dal)+`-`+calendario.ISO(rep.Al)+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := EsportaCSV(w, rep); err != nil {
		h.rs.Log.ErrorContext(r.Context(), "rete report csv", "request_id", httpx.RequestIDFrom(r.Context()), "error", err)
	}
}
