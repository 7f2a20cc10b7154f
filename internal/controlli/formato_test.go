package controlli

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The examples of docs/formats/controlli.md are valid lines, and the
// reasons it lists are the ones the code writes.
func TestFormatoEsempi(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/formats/controlli.md")
	if err != nil {
		t.Fatal(err)
	}
	blocchi := strings.Split(string(doc), "```json\n")[1:]
	if len(blocchi) != 2 {
		t.Fatalf("%d json examples", len(blocchi))
	}
	oggi := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	for i, b := range blocchi {
		riga := strings.ReplaceAll(strings.TrimSpace(strings.SplitN(b, "```", 2)[0]), "\n ", "")
		if l := leggiRiga([]byte(riga), oggi); len(l.motivi) > 0 {
			t.Errorf("example %d: %v", i+1, l.motivi)
		}
	}
	for _, c := range []struct{ riga, motivo string }{
		{`{"versione_tracciato":"1"}`, "campo versione_tracciato: atteso un numero intero"},
		{`{"versione_tracciato":1,"comune":"37011"}`, `comune non valido: "37011" (atteso il codice ISTAT di 6 cifre)`},
		{`{"versione_tracciato":1} x`, "testo dopo la chiusura dell'oggetto JSON"},
		{`{"versione_tracciato":1,`, "JSON incompleto: la riga finisce prima della chiusura dell'oggetto"},
		{`{"versione_tracciato":1,"data_richiesta":"2026-10-01","data_riferimento":"2026-10-02"}`, "data_riferimento: successiva a data_richiesta"},
		{`{"nota":"a\u0001"}`, "nota: contiene caratteri di controllo"},
		{"{\"nota\":\"" + strings.Repeat("à", MaxNota+1) + "\"}", "nota: troppo lunga (al massimo 2000 caratteri)"},
		{"{\"tipo\":\"\xff\"}", "la riga non è testo UTF-8 valido"},
		{`{"id_richiesta":"A-1","tipo":"residenza","id_richiesta":"A-2"}`, "campo id_richiesta ripetuto: ogni campo compare una volta sola"},
	} {
		l := leggiRiga([]byte(c.riga), oggi)
		if !strings.Contains(strings.Join(l.motivi, "; "), c.motivo) {
			t.Errorf("%.40q: %v, want %q", c.riga, l.motivi, c.motivo)
		}
		if !strings.Contains(string(doc), c.motivo) && !strings.HasPrefix(c.motivo, "JSON") {
			t.Errorf("the format does not list %q", c.motivo)
		}
	}
}
