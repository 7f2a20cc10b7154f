package controlli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/flusso"
)

// FuzzLeggiRiga is the fuzz target of a line of the requests of
// verification (docs/formats/controlli.md; issue 20): no line makes
// leggiRiga panic; a rejected line has at least one reason in Italian; an
// accepted line, written again, reads back as the same request; a key
// written twice (in any case) rejects it. It needs no database.
func FuzzLeggiRiga(f *testing.F) {
	oggi := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	valida := `{"versione_tracciato":1,"id_richiesta":"INPS-CTR-1","tipo":"residenza","comune":"037011",` +
		`"codice_fiscale":"RSSMRA80A01H501U","cognome":"Rossi","nome":"Mario","data_nascita":"1980-01-01",` +
		`"id_domanda":"INPS-ADI-1","data_richiesta":"2026-10-01","data_riferimento":"2026-09-30","nota":"Verifica\nresidenza"}`
	for _, s := range []string{valida,
		strings.Replace(valida, `"id_richiesta"`, `"ID_RICHIESTA":"X","id_richiesta"`, 1),
		strings.Replace(valida, `"tipo":"residenza"`, `"tipo":"residenza","tipo":"soggiorno"`, 1),
		strings.Replace(valida, `"versione_tracciato":1`, `"versione_tracciato":1e999`, 1),
		strings.Replace(valida, `"versione_tracciato":1`, `"versione_tracciato":99999999999999999999`, 1),
		strings.Replace(valida, `"versione_tracciato":1`, `"versione_tracciato":1.0`, 1),
		strings.Replace(valida, `"nota":"`, `"nota":"\u0000`, 1),
		strings.Replace(valida, `Rossi`, "Ro\xffssi", 1),
		strings.Replace(valida, `1980-01-01`, `1980-02-29`, 1),
		strings.Replace(valida, `2026-10-01`, `2024-02-29`, 1),
		"\uFEFF" + valida, valida + "\r", valida + " {}", `{"versione_tracciato":"1"}`, `[]`, `{`, `null`, "\x00",
		`{"nota":` + `"` + strings.Repeat("à", MaxNota+1) + `"}`, `{"versione_tracciato":1,"comune":37011}`,
		`{"data_nascita":{"a":[1,2,{"b":null}]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, riga []byte) {
		if len(bytes.TrimSpace(riga)) == 0 {
			return // Importa skips blank lines before leggiRiga
		}
		l := leggiRiga(riga, oggi)
		for _, m := range l.motivi {
			if strings.TrimSpace(m) == "" || !utf8.ValidString(m) || strings.IndexFunc(m, unicode.IsControl) >= 0 ||
				strings.Contains(m, "json:") || strings.Contains(m, "invalid character") {
				t.Fatalf("line %q: reason %q", riga, m)
			}
		}
		if l.id != "" && !flusso.IDValido(l.id) {
			t.Fatalf("line %q: id %q", riga, l.id)
		}
		if len(flusso.ChiaviRipetute(riga)) > 0 && len(l.motivi) == 0 {
			t.Fatalf("line %q with a repeated key accepted", riga)
		}
		if len(l.motivi) > 0 {
			return
		}
		n := l.n
		if !flusso.Cifre(l.comune, 6) || !flusso.IDValido(n.IDRichiesta) || !n.Tipo.Valid() ||
			codicefiscale.Validate(n.CodiceFiscale) != nil || n.DataRichiesta.After(oggi) || n.DataRiferimento.After(n.DataRichiesta) {
			t.Fatalf("line %q accepted as %+v", riga, n)
		}
		for _, s := range []string{n.Cognome, n.Nome} {
			if s == "" || s != strings.TrimSpace(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 || utf8.RuneCountInString(s) > MaxNome {
				t.Fatalf("line %q accepted with name %q", riga, s)
			}
		}
		if strings.ContainsRune(n.Nota, 0) || utf8.RuneCountInString(n.Nota) > MaxNota {
			t.Fatalf("line %q accepted with nota %q", riga, n.Nota)
		}
		// Written again, the request reads back the same.
		campi := map[string]any{"versione_tracciato": VersioneTracciato, "id_richiesta": n.IDRichiesta, "tipo": string(n.Tipo),
			"comune": l.comune, "codice_fiscale": n.CodiceFiscale, "cognome": n.Cognome, "nome": n.Nome,
			"id_domanda": n.IDDomanda, "data_richiesta": calendario.ISO(n.DataRichiesta),
			"data_riferimento": calendario.ISO(n.DataRiferimento), "nota": n.Nota}
		if n.DataNascita != nil {
			campi["data_nascita"] = calendario.ISO(*n.DataNascita)
		}
		di, err := json.Marshal(campi)
		if err != nil {
			t.Fatal(err)
		}
		if l2 := leggiRiga(di, oggi); len(l2.motivi) > 0 || !reflect.DeepEqual(l2.n, n) || l2.comune != l.comune || l2.id != l.id {
			t.Fatalf("line %q\nwritten again as %s\nread back as %+v %v\nwant %+v", riga, di, l2.n, l2.motivi, n)
		}
		doppia := bytes.Replace(di, []byte("{"), []byte(`{"ID_RICHIESTA":"`+n.IDRichiesta+`",`), 1)
		if l3 := leggiRiga(doppia, oggi); !strings.Contains(strings.Join(l3.motivi, "; "), "ripetuto: ogni campo compare una volta sola") {
			t.Fatalf("line with id_richiesta twice: %s: %v", doppia, l3.motivi)
		}
	})
}
