package prestazioni

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
)

// The checks of the prestazione form: the schema's facets (lengths,
// patterns, enumerations, xs:date, xs:decimal, PeriodoErogazione 1–12) and
// the specification's rules across fields (table 9), each refusal next to
// its field, in Italian.

// primaData bounds the dates: SIUSS has no prestazione before 2000.
var primaData = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// maxCentesimi is the largest amount numeric(12, 2) holds.
const maxCentesimi = 9_999_999_999_99

var (
	reCifre      = regexp.MustCompile(`^[0-9]+$`)
	reMigliaia   = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{3})+$`)
	reDecimale   = regexp.MustCompile(`^([0-9]+)(?:[.,]([0-9]{1,2}))?$`)
	reOre        = regexp.MustCompile(`^([0-9]{1,3})(?:[.,:]([0-9]{1,2}))?$`)
	reAnno       = regexp.MustCompile(`^[0-9]{4}$`)
	reSeparatori = regexp.MustCompile(`[\s,;]+`)
)

// importo reads an amount typed the Italian way ("1.234,56", "350",
// "350,5", "€ 12.50") into cents; ok false when it is not an amount.
func importo(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, " ", "")
	switch {
	case strings.Contains(s, ",") && strings.Contains(s, "."):
		s = strings.ReplaceAll(s, ".", "")
	case reMigliaia.MatchString(s):
		s = strings.ReplaceAll(s, ".", "")
	}
	g := reDecimale.FindStringSubmatch(s)
	if g == nil || len(g[1]) > 10 {
		return 0, false
	}
	euro, _ := strconv.ParseInt(g[1], 10, 64)
	cent := int64(0)
	if g[2] != "" {
		cent, _ = strconv.ParseInt(g[2], 10, 64)
		if len(g[2]) == 1 {
			cent *= 10
		}
	}
	v := euro*100 + cent
	return v, v <= maxCentesimi
}

// decimale is cents as the schema's xs:decimal: "350.00".
func decimale(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

// Euro is a canonical decimal as people read it: "1.234,56 €".
func Euro(s string) string {
	if s == "" {
		return ""
	}
	c, ok := importo(s)
	if !ok {
		return s
	}
	e := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, r := range e {
		if i > 0 && (len(e)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s,%02d €", b.String(), c%100)
}

// perModulo is a canonical decimal as the form shows it back: "350,00".
func perModulo(s string) string { return strings.Replace(s, ".", ",", 1) }

// ValidaModulo checks m against the schema and the specification: membri
// are the people the prestazione may be for, cat the catalogue by codice,
// oggi bounds the dates. It returns the prestazione's fields, or the errors
// by field.
func ValidaModulo(m Modulo, membri map[uuid.UUID]bool, cat map[string]VoceCatalogo, oggi time.Time) (Dati, httpx.FieldErrors) {
	errs := httpx.FieldErrors{}
	var d Dati
	ultimaData := oggi.AddDate(2, 0, 0)

	if id, err := uuid.Parse(strings.TrimSpace(m.PersonaID)); err != nil || !membri[id] {
		errs["persona_id"] = "Scegli la persona che riceve la prestazione tra i componenti del nucleo."
	} else {
		d.PersonaID = id
	}
	d.Codice = strings.ToUpper(strings.TrimSpace(m.Codice))
	if v, ok := cat[d.Codice]; ok {
		d.Denominazione = v.Denominazione
	} else if d.Codice == "" {
		errs["codice"] = "Scegli la prestazione dal catalogo INPS."
	} else {
		errs["codice"] = "Questa prestazione non è nel catalogo INPS caricato: sceglila dall'elenco."
	}
	scelta := func(campo, v string, list []Scelta, obbligatorio bool, manca string) string {
		v = strings.TrimSpace(v)
		switch {
		case v == "" && obbligatorio:
			errs[campo] = manca
		case v != "" && !valido(list, v):
			errs[campo] = "Scegli uno dei valori dell'elenco."
		}
		return v
	}
	d.Carattere = scelta("carattere", m.Carattere, Caratteri, true, "Indica se la prestazione è periodica o una tantum.")
	d.ProvaMezzi = scelta("prova_mezzi", m.ProvaMezzi, ProveMezzi, true, "Indica se la prestazione è soggetta a ISEE o ad altra prova dei mezzi.")
	d.PresaCarico = scelta("presa_carico", m.PresaCarico, PreseInCarico, true, "Indica se la persona è in carico al servizio sociale.")
	d.AreaUtenza = scelta("area_utenza", m.AreaUtenza, AreeUtenza, d.PresaCarico == "1",
		"Con la presa in carico INPS chiede l'area di utenza.")

	data := func(campo, v, etichetta string, futuro bool) *time.Time {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		t, ok := calendario.ParseData(v)
		switch {
		case !ok:
			errs[campo] = calendario.DataNonValida
		case t.Before(primaData):
			errs[campo] = etichetta + " è precedente al 2000: controllala."
		case !futuro && t.After(oggi):
			errs[campo] = etichetta + " non può essere futura."
		case t.After(ultimaData):
			errs[campo] = etichetta + " è oltre due anni da oggi: controllala."
		default:
			return &t
		}
		return nil
	}

	// La prova dei mezzi: the DSU all or none (table 9), required with ISEE.
	testo := func(campo, v string) string {
		v = strings.TrimSpace(v)
		if max := LimitiPrestazione.Max(campo); utf8.RuneCountInString(v) > max {
			errs[campo] = fmt.Sprintf("Al massimo %d caratteri (ne hai scritti %d).", max, utf8.RuneCountInString(v))
		} else if strings.IndexFunc(v, unicode.IsControl) >= 0 {
			errs[campo] = "Contiene caratteri non ammessi."
		}
		return v
	}
	d.DSUProtocollo = testo("dsu_protocollo", m.DSUProtocollo)
	d.DSUAnno = strings.TrimSpace(m.DSUAnno)
	if d.DSUAnno != "" {
		if n, _ := strconv.Atoi(d.DSUAnno); !reAnno.MatchString(d.DSUAnno) || n < 2000 || n > oggi.Year()+1 {
			errs["dsu_anno"] = "Scrivi l'anno del protocollo DSU con quattro cifre, per esempio " + strconv.Itoa(oggi.Year()) + "."
		}
	}
	d.DSUData = data("dsu_data", m.DSUData, "La data della DSU", false)
	dsu := d.DSUProtocollo != "" || d.DSUAnno != "" || strings.TrimSpace(m.DSUData) != ""
	switch {
	case d.ProvaMezzi == "1" || d.ProvaMezzi == "3" && dsu:
		for campo, v := range map[string]string{"dsu_protocollo": d.DSUProtocollo, "dsu_anno": d.DSUAnno, "dsu_data": m.DSUData} {
			if strings.TrimSpace(v) == "" && errs[campo] == "" {
				errs[campo] = "Con l'ISEE INPS chiede protocollo, anno e data della DSU: indicali tutti e tre."
			}
		}
	case (d.ProvaMezzi == "2" || d.ProvaMezzi == "4") && dsu:
		errs["dsu_protocollo"] = "La DSU si indica solo per le prestazioni soggette a ISEE: svuota protocollo, anno e data, o cambia la prova dei mezzi."
	}

	d.ProtocolloDomanda = testo("protocollo_domanda", m.ProtocolloDomanda)
	if d.ProtocolloDomanda == "" && errs["protocollo_domanda"] == "" {
		errs["protocollo_domanda"] = "Indica il protocollo della pratica dell'ente (la domanda o il provvedimento)."
	}

	d.DataEvento = data("data_evento", m.DataEvento, "La data dell'evento", false)
	d.DataInizio = data("data_inizio", m.DataInizio, "La data di inizio", true)
	d.DataFine = data("data_fine", m.DataFine, "La data di fine", true)
	d.DataErogazione = data("data_erogazione", m.DataErogazione, "La data di erogazione", true)

	amount := func(campo, v string, positivo bool) (int64, bool) {
		v = strings.TrimSpace(v)
		if v == "" {
			return 0, false
		}
		c, ok := importo(v)
		switch {
		case !ok:
			errs[campo] = "Scrivi un importo in euro, per esempio 350,00."
		case positivo && c == 0:
			errs[campo] = "L'importo deve essere maggiore di zero."
		default:
			return c, true
		}
		return 0, false
	}
	imp, hasImp := amount("importo", m.Importo, true)
	mens, hasMens := amount("importo_mensile", m.ImportoMensile, true)
	qe, hasQE := amount("quota_ente", m.QuotaEnte, true)
	qu, hasQU := amount("quota_utente", m.QuotaUtente, false)
	qs, hasQS := amount("quota_ssn", m.QuotaSSN, true)
	qr, hasQR := amount("quota_richiesta", m.QuotaRichiesta, false)
	si, hasSI := amount("soglia_isee", m.SogliaISEE, false)
	put := func(dst *string, c int64, ok bool) {
		if ok {
			*dst = decimale(c)
		}
	}
	put(&d.Importo, imp, hasImp)
	put(&d.ImportoMensile, mens, hasMens)
	put(&d.QuotaEnte, qe, hasQE)
	put(&d.QuotaUtente, qu, hasQU)
	put(&d.QuotaSSN, qs, hasQS)
	put(&d.QuotaRichiesta, qr, hasQR)
	put(&d.SogliaISEE, si, hasSI)

	if p := strings.TrimSpace(m.Periodo); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || !reCifre.MatchString(p) || n < 1 || n > 12 {
			errs["periodo"] = "I mesi di erogazione vanno da 1 a 12."
		} else {
			d.Periodo = n
		}
	}
	if o := strings.TrimSpace(m.OreMensili); o != "" {
		g := reOre.FindStringSubmatch(o)
		if g == nil {
			errs["ore_mensili"] = "Scrivi ore e minuti come HH,MM, per esempio 20,30 per 20 ore e 30 minuti."
		} else {
			h, _ := strconv.Atoi(g[1])
			mi := 0
			if g[2] != "" {
				mi, _ = strconv.Atoi(g[2])
				if len(g[2]) == 1 {
					mi *= 10
				}
			}
			switch {
			case mi > 59:
				errs["ore_mensili"] = "I minuti vanno da 00 a 59 (HH,MM)."
			case h > 744 || h == 744 && mi > 0:
				errs["ore_mensili"] = "Un mese ha al massimo 744 ore."
			default:
				d.OreMensili = fmt.Sprintf("%d.%02d", h, mi)
			}
		}
	}

	// Table 9: what each carattere requires.
	switch d.Carattere {
	case "1":
		if d.DataInizio == nil && errs["data_inizio"] == "" {
			errs["data_inizio"] = "Per una prestazione periodica INPS chiede la data di inizio."
		}
		if !hasMens && errs["importo_mensile"] == "" {
			errs["importo_mensile"] = "Per una prestazione periodica INPS chiede l'importo mensile."
		}
	case "2":
		if d.DataErogazione == nil && errs["data_erogazione"] == "" {
			errs["data_erogazione"] = "Per una prestazione una tantum INPS chiede la data di erogazione."
		}
		if !hasImp && errs["importo"] == "" {
			errs["importo"] = "Per una prestazione una tantum INPS chiede l'importo."
		}
	}
	if d.DataFine != nil && d.DataInizio != nil && errs["data_fine"] == "" {
		switch {
		case d.DataFine.Before(*d.DataInizio):
			errs["data_fine"] = "La fine non può precedere l'inizio."
		case d.DataFine.Year() != d.DataInizio.Year():
			errs["data_fine"] = "INPS chiede inizio e fine nello stesso anno: registra una prestazione per ogni anno."
		}
	}
	if hasQE || hasQU || hasQS {
		totale, base, nome := qe+qu+qs, mens, "all'importo mensile"
		if d.Carattere == "2" {
			base, nome = imp, "all'importo"
		}
		if (d.Carattere == "1" && hasMens || d.Carattere == "2" && hasImp) && totale != base {
			errs["quota_ente"] = fmt.Sprintf("La somma delle quote (%s) deve essere uguale %s (%s).", Euro(decimale(totale)), nome, Euro(decimale(base)))
		}
	}

	// SINA.
	sinaCampi := []string{m.Mobilita, m.AttivitaVita, m.Cognitivi, m.Comportamentali, m.Cure, m.Reddituale, m.Supporto, m.Fonte,
		m.Strumento, m.FonteInvalidita, m.Interventi}
	compilato := len(m.Invalidita) > 0 || slices.ContainsFunc(sinaCampi, func(s string) bool { return strings.TrimSpace(s) != "" })
	switch {
	case !m.SINA && compilato:
		errs["sina"] = "Hai compilato la valutazione SINA: spunta la casella per inviarla, oppure svuota i suoi campi."
	case m.SINA:
		s := &SINA{}
		const obbl = "La valutazione SINA lo richiede: scegli un valore."
		s.Mobilita = scelta("mobilita", m.Mobilita, Mobilita, true, obbl)
		s.AttivitaVita = scelta("avq", m.AttivitaVita, AttivitaVita, true, obbl)
		s.Cognitivi = scelta("cognitivi", m.Cognitivi, DisturbiCognitivi, false, "")
		s.Comportamentali = scelta("comportamentali", m.Comportamentali, DisturbiComportamentali, true, obbl)
		s.Cure = scelta("cure", m.Cure, CureSanitarie, false, "")
		s.Reddituale = scelta("reddituale", m.Reddituale, AreaReddituale, true, obbl)
		s.Supporto = scelta("supporto", m.Supporto, AreaSupporto, true, obbl)
		s.Fonte = scelta("fonte", m.Fonte, FontiValutazione, true, obbl)
		s.Strumento = scelta("strumento", m.Strumento, StrumentiValutazione, true, obbl)
		s.FonteInvalidita = scelta("fonte_invalidita", m.FonteInvalidita, FontiInvalidita, false, "")
		for _, x := range m.Invalidita {
			if !valido(Invalidita, x) {
				errs["invalidita"] = "Scegli le certificazioni dall'elenco."
			} else if !slices.Contains(s.Invalidita, x) {
				s.Invalidita = append(s.Invalidita, x)
			}
		}
		slices.Sort(s.Invalidita)
		if len(s.Invalidita) > 0 && s.FonteInvalidita == "" && errs["fonte_invalidita"] == "" {
			errs["fonte_invalidita"] = "Con l'invalidità civile indica da dove viene l'informazione."
		}
		interventi := testo("interventi", m.Interventi)
		for _, c := range reSeparatori.Split(strings.ToUpper(interventi), -1) {
			switch _, ok := cat[c]; {
			case c == "":
			case !ok && errs["interventi"] == "":
				errs["interventi"] = fmt.Sprintf("Il codice «%s» non è nel catalogo INPS: scrivi codici del catalogo separati da virgole.", c)
			case !slices.Contains(s.Interventi, c):
				s.Interventi = append(s.Interventi, c)
			}
		}
		d.SINA = s
	}
	if len(errs) > 0 {
		return d, errs
	}
	return d, nil
}

// ModuloDa is the form of a recorded prestazione, for its correction.
func ModuloDa(p Prestazione) Modulo {
	d := p.Dati
	iso := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return calendario.ISO(*t)
	}
	m := Modulo{PersonaID: d.PersonaID.String(), Codice: d.Codice, Carattere: d.Carattere, ProvaMezzi: d.ProvaMezzi,
		DSUProtocollo: d.DSUProtocollo, DSUAnno: d.DSUAnno, DSUData: iso(d.DSUData), ProtocolloDomanda: d.ProtocolloDomanda,
		DataEvento: iso(d.DataEvento), DataInizio: iso(d.DataInizio), DataFine: iso(d.DataFine), DataErogazione: iso(d.DataErogazione),
		Importo: perModulo(d.Importo), ImportoMensile: perModulo(d.ImportoMensile), QuotaEnte: perModulo(d.QuotaEnte),
		QuotaUtente: perModulo(d.QuotaUtente), QuotaSSN: perModulo(d.QuotaSSN), QuotaRichiesta: perModulo(d.QuotaRichiesta),
		SogliaISEE: perModulo(d.SogliaISEE), OreMensili: perModulo(d.OreMensili), PresaCarico: d.PresaCarico, AreaUtenza: d.AreaUtenza,
		SostegnoID: d.SostegnoID, Versione: strconv.Itoa(p.Versione)}
	if d.Periodo > 0 {
		m.Periodo = strconv.Itoa(d.Periodo)
	}
	if s := d.SINA; s != nil {
		m.SINA = true
		m.Mobilita, m.AttivitaVita, m.Cognitivi, m.Comportamentali, m.Cure = s.Mobilita, s.AttivitaVita, s.Cognitivi, s.Comportamentali, s.Cure
		m.Reddituale, m.Supporto, m.Fonte, m.Strumento, m.FonteInvalidita = s.Reddituale, s.Supporto, s.Fonte, s.Strumento, s.FonteInvalidita
		m.Invalidita = s.Invalidita
		m.Interventi = strings.Join(s.Interventi, ", ")
	}
	return m
}
