package carico

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// Stampa writes the report as a table: one line per page and the total.
func Stampa(w io.Writer, r Rapporto) {
	switch {
	case r.Modo == "solo" && r.Ritmo > 0:
		fmt.Fprintf(w, "ogni pagina da sola, anello aperto: %.0f richieste/s programmate, %d clienti, %.1f s in tutto\n", r.Ritmo, r.Clienti, r.Durata)
	case r.Modo == "solo":
		fmt.Fprintf(w, "ogni pagina da sola, anello chiuso: %d clienti, %.1f s in tutto\n", r.Clienti, r.Durata)
	case r.Modo == "aperto":
		fmt.Fprintf(w, "anello aperto: %.0f richieste/s programmate, %d clienti, %.1f s\n", r.Ritmo, r.Clienti, r.Durata)
	default:
		fmt.Fprintf(w, "anello chiuso: %d clienti, %.1f s\n", r.Clienti, r.Durata)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pagina\trichieste\terrori\tp50 ms\tp95 ms\tp99 ms\tmax ms\trichieste/s\t")
	for _, p := range append(slices.Clone(r.Pagine), r.Totale) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t\n",
			p.Pagina, p.Richieste, errori(p), p.P50, p.P95, p.P99, p.Max, p.AlSecondo)
	}
	tw.Flush()
	for _, p := range r.Pagine {
		if s := p.Database; s != nil {
			fmt.Fprintf(w, "%s: %.1f istruzioni per richiesta, %.0f ms di database, pg_advisory_xact_lock %.1f %% (%.0f ms)\n",
				p.Pagina, s.PerRichiesta, s.TempoMs, 100*s.QuotaAdvisory, s.TempoAdvisoryMs)
		}
	}
	if s := r.Database; s != nil {
		StampaStatistiche(w, *s)
	}
}

func errori(p Riga) string {
	if p.Errori == 0 {
		return "0"
	}
	var parti []string
	for _, k := range slices.Sorted(maps.Keys(p.ErroriPerStato)) {
		parti = append(parti, fmt.Sprintf("%s×%d", k, p.ErroriPerStato[k]))
	}
	return fmt.Sprintf("%d (%s)", p.Errori, strings.Join(parti, " "))
}

// StampaStatistiche writes what pg_stat_statements saw.
func StampaStatistiche(w io.Writer, s Statistiche) {
	fmt.Fprintf(w, "\npg_stat_statements: %d istruzioni, %.0f ms di database", s.Chiamate, s.TempoMs)
	if s.PerRichiesta > 0 {
		fmt.Fprintf(w, ", %.1f istruzioni per richiesta (media del mix; per pagina: -istruzioni)", s.PerRichiesta)
	}
	fmt.Fprintf(w, "\npg_advisory_xact_lock: %d chiamate, %.0f ms, %.1f %% del tempo di database\n",
		s.ChiamateAdvisory, s.TempoAdvisoryMs, 100*s.QuotaAdvisory)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "quota\tchiamate\tms\tistruzione")
	for _, i := range s.Principali {
		fmt.Fprintf(tw, "%5.1f %%\t%d\t%.0f\t%s\n", 100*i.Quota, i.Chiamate, i.TempoMs, i.Testo)
	}
	tw.Flush()
}

// StampaPerPagina writes the statements per page of -istruzioni.
func StampaPerPagina(w io.Writer, pp []PerPagina) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pagina\trichieste\tistruzioni per richiesta\tdei lavori del server (tolte)\t")
	for _, p := range pp {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t\n", p.Pagina, p.Richieste, p.Istruzioni, p.Fondo)
	}
	tw.Flush()
}
