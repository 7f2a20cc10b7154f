package prestazioni

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLeggiEsiti is the fuzz target of the body of POST /waas/v1/esiti
// (api-comuni.yaml, ElencoEsiti), which any holder of a voucher sends.
// Properties: no body makes it panic; a body refused says why, in Italian
// text, and gives no outcome; a body accepted gives at most EsitiMax
// outcomes, each with a codice_esito of the yaml, every string valid UTF-8
// without NUL (PostgreSQL stores no NUL), the description and SIUSS's code
// within the columns' limits; the outcomes written back as the yaml's JSON
// read the same.
func FuzzLeggiEsiti(f *testing.F) {
	for _, s := range []string{
		`{"elenco_esiti":[{"id_flusso":"H501.PS.20210520.0000002","ts_flusso":"2023-11-27T11:04:56.852Z","ts_acquisizione":"2023-11-27T11:04:56.852Z","tipo":"PS_PSA_SINA","codice_esito":"OK","id_acquisizione_siuss":"22738"}]}`,
		`{"elenco_esiti":[{"id_flusso":"X","ts_flusso":"2023-11-27T11:04:56Z","ts_acquisizione":"2023-11-27T11:04:56+01:00","tipo":"SINBA","codice_esito":"RICHIESTA_INVALIDA","descrizione_esito":"In cooperazione è possibile inviare solo un beneficiario"}]}`,
		`{"elenco_esiti":[]}`, `{}`, `[]`, `null`, `{"elenco_esiti":null}`, `{"altro":1}`,
		`{"elenco_esiti":[{"id_flusso":"\u0000","ts_flusso":"2023-11-27T11:04:56Z","ts_acquisizione":"2023-11-27T11:04:56Z","tipo":"t","codice_esito":"OK"}]}`,
		`{"elenco_esiti":[{"id_flusso":"X","ts_flusso":"ieri","ts_acquisizione":"oggi","tipo":"t","codice_esito":"FORSE"}]}`,
		"{\"elenco_esiti\":[{\"id_flusso\":\"\xff\"}]}", `{"elenco_esiti":[{"id_flusso":"\ud800"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		es, detail := LeggiEsiti(body)
		if detail != "" {
			if es != nil || !utf8.ValidString(detail) || strings.ContainsRune(detail, 0) {
				t.Fatalf("body %q refused with %q and %d outcomes", body, detail, len(es))
			}
			return
		}
		if len(es) > EsitiMax {
			t.Fatalf("body %q: %d outcomes", body, len(es))
		}
		var out []map[string]string
		for _, e := range es {
			switch e.Codice {
			case EsitoOK, EsitoDatiNonTrovati, EsitoRichiestaInvalida, EsitoErroreGenerico:
			default:
				t.Fatalf("body %q: codice_esito %q", body, e.Codice)
			}
			for _, v := range []string{e.IDFlusso, e.Tipo, e.Descrizione, e.IDAcquisizione} {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("body %q: the string %q is no text PostgreSQL stores", body, v)
				}
			}
			if utf8.RuneCountInString(e.Descrizione) > 4000 || utf8.RuneCountInString(e.IDAcquisizione) > 100 {
				t.Fatalf("body %q: description or SIUSS's code too long", body)
			}
			out = append(out, map[string]string{"id_flusso": e.IDFlusso, "tipo": e.Tipo, "ts_flusso": e.TSFlusso.Format(FormatoTS),
				"ts_acquisizione": e.TSAcquisizione.Format(FormatoTS), "codice_esito": e.Codice,
				"descrizione_esito": e.Descrizione, "id_acquisizione_siuss": e.IDAcquisizione})
		}
		b, err := json.Marshal(map[string]any{"elenco_esiti": out})
		if err != nil {
			t.Fatal(err)
		}
		again, detail := LeggiEsiti(b)
		if detail != "" || len(again) != len(es) {
			t.Fatalf("body %q written back as %s: %q", body, b, detail)
		}
		for i := range es {
			a, z := es[i], again[i]
			if a.IDFlusso != z.IDFlusso || a.Tipo != z.Tipo || a.Codice != z.Codice || a.Descrizione != z.Descrizione ||
				a.IDAcquisizione != z.IDAcquisizione || !a.TSFlusso.Truncate(1e6).Equal(z.TSFlusso) {
				t.Fatalf("body %q: outcome %d read back as %+v, was %+v", body, i, z, a)
			}
		}
	})
}
