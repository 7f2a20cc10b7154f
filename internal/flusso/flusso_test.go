package flusso_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/flusso"
)

// oggi is the day every test reads and generates on.
var oggi = time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)

// comuni of the demo ambito ATS-DEMO (internal/demo).
var comuni = []string{"037011", "037060", "037057"}

var cfFiglio = codicefiscale.Compute("Rossi", "Luca", time.Date(2015, 5, 12, 0, 0, 0, 0, time.UTC), "M", "A944")

// base is a valid household: Mario Rossi, his wife Laura Bianchi and their
// son Luca, ADI in Casalecchio di Reno. Each call returns a fresh copy for
// a case to break.
func base() map[string]any {
	return map[string]any{
		"versione_tracciato": 1,
		"id_domanda":         "INPS-ADI-2026-0000001",
		"misura":             "ADI",
		"data_domanda":       "2026-07-01",
		"data_pad":           "2026-07-03",
		"data_decorrenza":    "2026-08-01",
		"data_trasmissione":  "2026-07-10",
		"stato_erogazione":   "in_erogazione",
		"comune_residenza":   "037011",
		"contatti": map[string]any{
			"telefono": "+39 051 000 1234", "email": "mario.rossi@example.org",
			"indirizzo": "Via Porrettana 12, 40033 Casalecchio di Reno",
		},
		"requisiti_anagrafici_verificati": true,
		"esiti_controlli":                 "",
		"altre_prestazioni": []any{
			map[string]any{"codice": "AUU", "descrizione": "Assegno unico e universale"},
			map[string]any{"codice": "IAC", "descrizione": "Indennità di accompagnamento", "codice_fiscale": cfFiglio},
		},
		"componenti": []any{
			map[string]any{
				"codice_fiscale": "RSSMRA80A01H501U", "cognome": "Rossi", "nome": "Mario", "sesso": "M",
				"data_nascita": "1980-01-01", "luogo_nascita": "H501", "cittadinanza": "ITA",
				"relazione": "richiedente", "in_scala_equivalenza": true, "telefono": "051 000 1234",
			},
			map[string]any{
				"codice_fiscale": "BNCLRA85M52F205I", "cognome": "Bianchi", "nome": "Laura", "sesso": "F",
				"data_nascita": "1985-08-12", "luogo_nascita": "F205", "cittadinanza": "ITA",
				"relazione": "coniuge", "in_scala_equivalenza": true,
			},
			map[string]any{
				"codice_fiscale": cfFiglio, "cognome": "Rossi", "nome": "Luca", "sesso": "M",
				"data_nascita": "2015-05-12", "luogo_nascita": "A944", "cittadinanza": "ITA",
				"relazione": "figlio", "in_scala_equivalenza": true, "disabilita": true,
			},
		},
	}
}

// componente returns member i (1-based) of a household from base.
func componente(m map[string]any, i int) map[string]any {
	return m["componenti"].([]any)[i-1].(map[string]any)
}

// eta is the age in completed years on oggi.
func eta(nascita time.Time) int {
	e := oggi.Year() - nascita.Year()
	if oggi.Month() < nascita.Month() || oggi.Month() == nascita.Month() && oggi.Day() < nascita.Day() {
		e--
	}
	return e
}

func riga(t testing.TB, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// parse reads s with the test's day and the demo comuni, and returns the
// valid households and the report.
func parse(t testing.TB, s string) ([]flusso.Nucleo, flusso.Report) {
	t.Helper()
	var nuclei []flusso.Nucleo
	rep, err := flusso.Parser{Oggi: oggi, Comuni: comuni}.Parse(strings.NewReader(s), func(n flusso.Nucleo) error {
		nuclei = append(nuclei, n)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return nuclei, rep
}

func TestParseValido(t *testing.T) {
	nuclei, rep := parse(t, riga(t, base())+"\n")
	if len(rep.Scarti) != 0 || rep.Validi != 1 || rep.Righe != 1 || len(nuclei) != 1 {
		t.Fatalf("report %+v, want one valid household", rep)
	}
	n := nuclei[0]
	data := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	if n.Riga != 1 || n.IDDomanda != "INPS-ADI-2026-0000001" || n.Misura != "ADI" ||
		!n.DataDomanda.Equal(data(2026, 7, 1)) || n.DataPAD == nil || !n.DataPAD.Equal(data(2026, 7, 3)) ||
		n.DataDecorrenza == nil || !n.DataDecorrenza.Equal(data(2026, 8, 1)) || !n.DataTrasmissione.Equal(data(2026, 7, 10)) ||
		n.StatoErogazione != "in_erogazione" || n.ComuneResidenza != "037011" || !n.RequisitiAnagraficiVerificati ||
		n.Contatti.Indirizzo != "Via Porrettana 12, 40033 Casalecchio di Reno" || n.Contatti.Email != "mario.rossi@example.org" {
		t.Errorf("household read as %+v", n)
	}
	if len(n.Componenti) != 3 || n.Richiedente().CodiceFiscale != "RSSMRA80A01H501U" {
		t.Fatalf("members read as %+v", n.Componenti)
	}
	f := n.Componenti[2]
	if f.Relazione != "figlio" || !f.Disabilita || f.SvantaggioCertificato || !f.InScalaEquivalenza ||
		!f.DataNascita.Equal(data(2015, 5, 12)) || f.LuogoNascita != "A944" || f.TitoloSoggiorno != nil {
		t.Errorf("son read as %+v", f)
	}
	if len(n.AltrePrestazioni) != 2 || n.AltrePrestazioni[1].CodiceFiscale != cfFiglio {
		t.Errorf("prestazioni read as %+v", n.AltrePrestazioni)
	}
}

// Every reason a line can be rejected for, each on its own line of one
// file, interleaved with valid lines: each is reported with its line number
// and its reasons, the valid lines are all imported.
func TestParseMotivi(t *testing.T) {
	for _, tc := range []struct {
		name   string
		rompi  func(m map[string]any)
		motivo string // the whole Motivo
	}{
		{"carattere di controllo", func(m map[string]any) {
			c := componente(m, 2)
			c["codice_fiscale"], c["nome"], c["sesso"], c["data_nascita"], c["luogo_nascita"] =
				"RSSMRA85T10A562X", "Mario", "M", "1985-12-10", "A562"
			c["relazione"] = "coniuge"
		}, "componente 2: codice fiscale RSSMRA85T10A562X: carattere di controllo errato (atteso S)"},
		{"codice fiscale minuscolo e con spazi: normalizzato", func(m map[string]any) {
			componente(m, 1)["codice_fiscale"] = " rssmra80a01h501u "
			m["misura"] = "XYZ" // so that the line is reported and the test sees it
		}, `misura non valida: "XYZ" (ammessi ADI, SFL, RDC, ALTRO)`},
		{"formato del codice fiscale", func(m map[string]any) { componente(m, 1)["codice_fiscale"] = "RSSMRA80A01H501" },
			"componente 1: codice fiscale RSSMRA80A01H501: formato non valido"},
		{"data nel codice fiscale", func(m map[string]any) { componente(m, 1)["codice_fiscale"] = "RSSMRA80B31H501U" },
			"componente 1: codice fiscale RSSMRA80B31H501U: data di nascita non valida"},
		{"codice fiscale incoerente con la data di nascita", func(m map[string]any) { componente(m, 1)["data_nascita"] = "1980-01-02" },
			"componente 1: codice fiscale RSSMRA80A01H501U incoerente con data di nascita 1980-01-02"},
		{"codice fiscale incoerente con il sesso", func(m map[string]any) { componente(m, 1)["sesso"] = "F" },
			"componente 1: codice fiscale RSSMRA80A01H501U incoerente con sesso F"},
		{"codice fiscale incoerente con il luogo di nascita", func(m map[string]any) { componente(m, 1)["luogo_nascita"] = "A944" },
			"componente 1: codice fiscale RSSMRA80A01H501U incoerente con luogo_nascita A944 (nel codice H501)"},
		{"manca il richiedente", func(m map[string]any) { componente(m, 1)["relazione"] = "altro" }, "manca il richiedente"},
		{"due richiedenti", func(m map[string]any) { componente(m, 2)["relazione"] = "richiedente" },
			"più di un richiedente (componenti 1, 2)"},
		{"codice fiscale ripetuto", func(m map[string]any) {
			c := componente(m, 3)
			c["codice_fiscale"], c["nome"], c["data_nascita"], c["luogo_nascita"] = "RSSMRA80A01H501U", "Mario", "1980-01-01", "H501"
			delete(m, "altre_prestazioni")
		}, "componente 3: codice fiscale RSSMRA80A01H501U ripetuto nello stesso nucleo (già al componente 1)"},
		{"nome troppo lungo", func(m map[string]any) { componente(m, 1)["nome"] = strings.Repeat("è", 201) },
			"componente 1: nome: al massimo 200 caratteri (ne ha 201)"},
		{"nessun componente", func(m map[string]any) { m["componenti"] = []any{}; delete(m, "altre_prestazioni") }, "nessun componente"},
		{"misura", func(m map[string]any) { m["misura"] = "adi" }, `misura non valida: "adi" (ammessi ADI, SFL, RDC, ALTRO)`},
		{"data_pad per ADI", func(m map[string]any) { delete(m, "data_pad") }, "data_pad obbligatoria per ADI"},
		{"data inesistente", func(m map[string]any) { m["data_domanda"] = "2024-02-30" },
			"data_domanda: data non valida: 2024-02-30 (attesa AAAA-MM-GG)"},
		{"data in altro formato", func(m map[string]any) { componente(m, 2)["data_nascita"] = "12/08/1985" },
			"componente 2: data_nascita: data non valida: 12/08/1985 (attesa AAAA-MM-GG)"},
		{"data futura", func(m map[string]any) { m["data_trasmissione"] = "2026-11-21" },
			"data_trasmissione: data futura: 2026-11-21"},
		{"nato prima del 1900", func(m map[string]any) { componente(m, 1)["data_nascita"] = "1880-01-01" },
			"componente 1: data_nascita non plausibile: 1880-01-01"},
		{"campi obbligatori mancanti", func(m map[string]any) {
			delete(m, "data_trasmissione")
			delete(m, "requisiti_anagrafici_verificati")
			c := componente(m, 2)
			for _, k := range []string{"codice_fiscale", "cognome", "in_scala_equivalenza", "cittadinanza"} {
				delete(c, k)
			}
			c["nome"] = "   "
		}, "campo data_trasmissione mancante; campo requisiti_anagrafici_verificati mancante; " +
			"componente 2: campo codice_fiscale mancante; componente 2: campo cognome mancante; componente 2: campo nome mancante; " +
			"componente 2: campo cittadinanza mancante; componente 2: campo in_scala_equivalenza mancante"},
		{"versione", func(m map[string]any) { m["versione_tracciato"] = 2 }, "versione_tracciato 2 non supportata (attesa 1)"},
		{"versione mancante", func(m map[string]any) { delete(m, "versione_tracciato") }, "campo versione_tracciato mancante"},
		{"id_domanda mancante", func(m map[string]any) { m["id_domanda"] = "" }, "campo id_domanda mancante"},
		{"id_domanda non valido", func(m map[string]any) { m["id_domanda"] = "INPS ADI 1" },
			`id_domanda non valido: "INPS ADI 1" (ammessi fino a 64 tra lettere, cifre e . _ / -)`},
		{"stato", func(m map[string]any) { m["stato_erogazione"] = "pagata" },
			`stato_erogazione non valido: "pagata" (ammessi in_istruttoria, accolta, in_erogazione, sospesa, decaduta, revocata, terminata)`},
		{"comune non ISTAT", func(m map[string]any) { m["comune_residenza"] = "B880" },
			`comune_residenza non valido: "B880" (atteso il codice ISTAT di 6 cifre)`},
		{"comune fuori ambito", func(m map[string]any) { m["comune_residenza"] = "037006" },
			"comune_residenza 037006 non è un comune dell'ambito"},
		{"contatti mancanti", func(m map[string]any) { delete(m, "contatti") }, "campo contatti mancante"},
		{"contatti", func(m map[string]any) {
			m["contatti"] = map[string]any{"telefono": "051", "email": "mario.rossi@", "indirizzo": ""}
		}, `contatti: telefono non valido: "051"; contatti: email non valida: "mario.rossi@"; contatti: campo indirizzo mancante`},
		{"sesso e relazione", func(m map[string]any) {
			componente(m, 3)["sesso"] = "X"
			componente(m, 3)["relazione"] = "nipote"
		}, `componente 3: sesso non valido: "X" (ammessi M, F); componente 3: relazione non valida: "nipote" ` +
			`(ammessi richiedente, coniuge, convivente, figlio, genitore, altro_parente, altro)`},
		{"luogo e cittadinanza", func(m map[string]any) {
			componente(m, 2)["luogo_nascita"] = "Milano"
			componente(m, 2)["cittadinanza"] = "IT"
		}, `componente 2: luogo_nascita non valido: "Milano" (atteso il codice catastale, come A944 o Z330); ` +
			`componente 2: cittadinanza non valida: "IT" (atteso il codice ISO 3166 di 3 lettere, come ITA)`},
		{"titolo di soggiorno", func(m map[string]any) {
			componente(m, 2)["titolo_soggiorno"] = map[string]any{"tipo": "visto", "scadenza": "2027-13-01"}
		}, `componente 2: titolo_soggiorno: tipo non valido: "visto" (ammessi permesso_ue_lungo_periodo, protezione_internazionale, ` +
			`carta_soggiorno_familiare_ue, attestazione_soggiorno_ue, permesso_soggiorno, altro); ` +
			`componente 2: titolo_soggiorno: scadenza: data non valida: 2027-13-01 (attesa AAAA-MM-GG)`},
		{"prestazioni", func(m map[string]any) {
			m["altre_prestazioni"] = []any{map[string]any{"descrizione": "Contributo"},
				map[string]any{"codice": "X", "codice_fiscale": "BNCLRA85M52F205X"}}
		}, "prestazione 1: campo codice mancante; prestazione 2: codice fiscale BNCLRA85M52F205X non è di un componente del nucleo"},
		{"caratteri di controllo", func(m map[string]any) { componente(m, 1)["cognome"] = "Ros\u0000si" },
			"componente 1: cognome: contiene caratteri di controllo"},
		{"campi sconosciuti, con tutti gli altri motivi", func(m map[string]any) {
			m["id_domande"] = "x"
			m["misura"] = "RDX"
			componente(m, 2)["codice_fiscal"] = "x"
			componente(m, 2)["data_nascita"] = "1985-08-13"
			m["contatti"].(map[string]any)["fax"] = "051"
		}, `componente 2: campo sconosciuto "codice_fiscal"; contatti: campo sconosciuto "fax"; campo sconosciuto "id_domande"; ` +
			`misura non valida: "RDX" (ammessi ADI, SFL, RDC, ALTRO); ` +
			`componente 2: codice fiscale BNCLRA85M52F205I incoerente con data di nascita 1985-08-13`},
		{"tipi JSON sbagliati, non anche mancanti", func(m map[string]any) {
			m["versione_tracciato"] = "1"
			m["requisiti_anagrafici_verificati"] = "sì"
			componente(m, 1)["in_scala_equivalenza"] = 1
			componente(m, 3)["cognome"] = []any{"Rossi"}
			m["altre_prestazioni"] = []any{"AUU"}
		}, "prestazione 1: atteso un oggetto; componente 1: campo in_scala_equivalenza: atteso true o false; " +
			"componente 3: campo cognome: atteso un testo; campo requisiti_anagrafici_verificati: atteso true o false; " +
			"campo versione_tracciato: atteso un numero intero"},
		{"componenti non lista", func(m map[string]any) { m["componenti"] = "Rossi" }, "campo componenti: atteso una lista"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.rompi(m)
			// The bad line is line 3, after a valid line and an empty one.
			buona := base()
			buona["id_domanda"] = "INPS-ADI-2026-0000002"
			file := riga(t, buona) + "\n\n" + riga(t, m) + "\n"
			nuclei, rep := parse(t, file)
			if len(nuclei) != 1 || rep.Validi != 1 || rep.Righe != 3 {
				t.Errorf("valid %d, report %+v, want 1 valid of 3 lines", len(nuclei), rep)
			}
			want := []flusso.Scarto{{Riga: 3, IDDomanda: strings.TrimSpace(fmt.Sprint(m["id_domanda"])), Motivo: tc.motivo}}
			if fmt.Sprint(rep.Scarti) != fmt.Sprint(want) {
				t.Errorf("scarti\n got  %+v\nwant %+v", rep.Scarti, want)
			}
		})
	}
}

// The example of docs/formats/nuclei.md is a valid line.
func TestParseEsempioDelFormato(t *testing.T) {
	doc, err := os.ReadFile("../../docs/formats/nuclei.md")
	if err != nil {
		t.Fatal(err)
	}
	_, esempio, ok := strings.Cut(string(doc), "```json\n")
	esempio, _, ok2 := strings.Cut(esempio, "```")
	if !ok || !ok2 {
		t.Fatal("no json block in docs/formats/nuclei.md")
	}
	var righe []string
	for _, l := range strings.Split(esempio, "\n") {
		righe = append(righe, strings.TrimSpace(l))
	}
	nuclei, rep := parse(t, strings.Join(righe, "")+"\n")
	if len(nuclei) != 1 || len(rep.Scarti) != 0 || len(nuclei[0].Componenti) != 3 {
		t.Errorf("example: %+v", rep.Scarti)
	}
}

// Lines that cannot be read as a household at all.
func TestParseRigheIllegibili(t *testing.T) {
	for _, tc := range []struct {
		name, riga, motivo string
	}{
		{"JSON non valido", `{"id_domanda": "X", misura: "ADI"}`, "JSON non valido al carattere 21"},
		{"JSON troncato", `{"id_domanda": "X", "misura": "ADI"`, "JSON incompleto: la riga finisce prima della chiusura dell'oggetto"},
		{"non un oggetto", `["INPS-ADI-2026-0000001"]`, "la riga non è un oggetto JSON"},
		{"null", `null`, "la riga non è un oggetto JSON"},
		{"non UTF-8", "{\"id_domanda\": \"\xff\"}", "la riga non è testo UTF-8 valido"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, rep := parse(t, tc.riga+"\n")
			want := []flusso.Scarto{{Riga: 1, Motivo: tc.motivo}}
			if fmt.Sprint(rep.Scarti) != fmt.Sprint(want) {
				t.Errorf("scarti\n got  %+v\nwant %+v", rep.Scarti, want)
			}
		})
	}
	// Text after the object is reported with the checks of the object.
	_, rep := parse(t, riga(t, base())+` {"altro": 1}`)
	if len(rep.Scarti) != 1 || rep.Scarti[0].Motivo != "testo dopo la chiusura dell'oggetto JSON" {
		t.Errorf("scarti %+v", rep.Scarti)
	}
	// A repeated key (the idempotence key among them) rejects the line: a
	// JSON reader would silently keep the last value.
	r := riga(t, base())
	r = strings.TrimSuffix(strings.TrimSpace(r), "}") + `,"id_domanda":"INPS-ALTRA"}` + "\n"
	_, rep = parse(t, r)
	if len(rep.Scarti) != 1 || !strings.Contains(rep.Scarti[0].Motivo, "campo id_domanda ripetuto: ogni campo compare una volta sola") {
		t.Errorf("repeated id_domanda: scarti %+v", rep.Scarti)
	}
}

// A file of good and bad lines, with empty lines, CRLF terminators, a BOM
// and no final line terminator: line numbers count every physical line.
func TestParseFileMisto(t *testing.T) {
	var b strings.Builder
	b.WriteString("\uFEFF")
	for i := 1; i <= 6; i++ {
		m := base()
		m["id_domanda"] = fmt.Sprintf("INPS-ADI-2026-%07d", i)
		switch i {
		case 2:
			delete(m, "data_pad")
		case 5:
			componente(m, 1)["relazione"] = "coniuge"
			m["misura"] = "SFL"
			m["data_pad"] = "2026-12-01"
		}
		b.WriteString(riga(t, m))
		if i < 6 {
			b.WriteString("\r\n")
		}
		if i == 3 {
			b.WriteString("   \r\n\n")
		}
	}
	nuclei, rep := parse(t, b.String())
	want := []flusso.Scarto{
		{Riga: 2, IDDomanda: "INPS-ADI-2026-0000002", Motivo: "data_pad obbligatoria per ADI"},
		{Riga: 7, IDDomanda: "INPS-ADI-2026-0000005", Motivo: "data_pad: data futura: 2026-12-01; manca il richiedente"},
	}
	if rep.Righe != 8 || rep.Validi != 4 || len(nuclei) != 4 {
		t.Errorf("report %+v, want 8 lines, 4 valid", rep)
	}
	var righe []int
	for _, n := range nuclei {
		righe = append(righe, n.Riga)
	}
	if fmt.Sprint(righe) != "[1 3 6 8]" {
		t.Errorf("valid lines %v, want [1 3 6 8]", righe)
	}
	if fmt.Sprint(rep.Scarti) != fmt.Sprint(want) {
		t.Errorf("scarti\n got  %+v\nwant %+v", rep.Scarti, want)
	}
	if rep.Byte != int64(len(b.String())) {
		t.Errorf("bytes %d, want %d", rep.Byte, len(b.String()))
	}
}

func TestParseIDDomandaRipetuto(t *testing.T) {
	prima, seconda, terza := base(), base(), base()
	delete(prima, "data_pad") // the first is rejected: the id still counts
	seconda["id_domanda"] = "INPS-ADI-2026-0000009"
	file := riga(t, prima) + "\n" + riga(t, seconda) + "\n" + riga(t, terza) + "\n" + riga(t, seconda) + "\n"
	nuclei, rep := parse(t, file)
	if len(nuclei) != 1 || nuclei[0].Riga != 2 {
		t.Errorf("valid %+v, want line 2 only", nuclei)
	}
	want := []flusso.Scarto{
		{Riga: 1, IDDomanda: "INPS-ADI-2026-0000001", Motivo: "data_pad obbligatoria per ADI"},
		{Riga: 3, IDDomanda: "INPS-ADI-2026-0000001", Motivo: "id_domanda ripetuto: già alla riga 1"},
		{Riga: 4, IDDomanda: "INPS-ADI-2026-0000009", Motivo: "id_domanda ripetuto: già alla riga 2"},
	}
	if fmt.Sprint(rep.Scarti) != fmt.Sprint(want) {
		t.Errorf("scarti\n got  %+v\nwant %+v", rep.Scarti, want)
	}
}

// A line over the limit is rejected without stopping the reading, with the
// limit of the Parser and with the package's MaxRiga.
func TestParseRigaTroppoLunga(t *testing.T) {
	buona := riga(t, base())
	for _, tc := range []struct {
		name    string
		max     int
		lunga   int
		wantMax int
	}{
		{"limite del parser", 2000, 5000, 2000},
		{"limite del parser, un byte oltre", 2000, 2001, 2000},
		{"limite del pacchetto", 0, flusso.MaxRiga + 10, flusso.MaxRiga},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			m["id_domanda"] = "INPS-ADI-2026-0000002"
			m["esiti_controlli"] = ""
			l := riga(t, m)
			l = l[:len(l)-1] + `,"x":"` + strings.Repeat("a", tc.lunga-len(l)-7) + `"}`
			if len(l) != tc.lunga {
				t.Fatalf("line of %d bytes, want %d", len(l), tc.lunga)
			}
			file := l + "\r\n" + buona + "\n" + l // the last without terminator
			var nuclei []flusso.Nucleo
			rep, err := flusso.Parser{Oggi: oggi, MaxRiga: tc.max}.Parse(strings.NewReader(file), func(n flusso.Nucleo) error {
				nuclei = append(nuclei, n)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			motivo := fmt.Sprintf("riga troppo lunga: oltre %d byte", tc.wantMax)
			want := []flusso.Scarto{{Riga: 1, Motivo: motivo}, {Riga: 3, Motivo: motivo}}
			if fmt.Sprint(rep.Scarti) != fmt.Sprint(want) || len(nuclei) != 1 || nuclei[0].Riga != 2 || rep.Righe != 3 {
				t.Errorf("report %+v", rep)
			}
			if rep.Byte != int64(len(file)) {
				t.Errorf("bytes %d, want %d", rep.Byte, len(file))
			}
		})
	}
	// A line exactly at the limit is read.
	_, rep := func() ([]flusso.Nucleo, flusso.Report) {
		rep, err := flusso.Parser{Oggi: oggi, MaxRiga: len(buona)}.Parse(strings.NewReader(buona+"\r\n"), func(flusso.Nucleo) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return nil, rep
	}()
	if rep.Validi != 1 {
		t.Errorf("line at the limit: %+v", rep)
	}
}

func TestParseOmocodia(t *testing.T) {
	m := base()
	// RSSMRA80A01H501U with the last three digits replaced (1→M, 0→L, 5→R).
	cf := "RSSMRA80A01HRLM"
	cf += string(codicefiscale.CheckChar(cf))
	componente(m, 1)["codice_fiscale"] = cf
	nuclei, rep := parse(t, riga(t, m))
	if len(rep.Scarti) != 0 || len(nuclei) != 1 || nuclei[0].Componenti[0].CodiceFiscale != cf {
		t.Errorf("omocodia %s refused: %+v", cf, rep.Scarti)
	}
}

func TestParseCallback(t *testing.T) {
	a, b, c := base(), base(), base()
	b["id_domanda"], c["id_domanda"] = "INPS-ADI-2026-0000002", "INPS-ADI-2026-0000003"
	file := riga(t, a) + "\n" + riga(t, b) + "\n" + riga(t, c) + "\n"

	// Scarta rejects the line and Parse goes on.
	rep, err := flusso.Parser{Oggi: oggi}.Parse(strings.NewReader(file), func(n flusso.Nucleo) error {
		if n.IDDomanda == "INPS-ADI-2026-0000002" {
			return flusso.Scarta("persona RSSMRA80A01H501U già registrata con un'altra data di nascita")
		}
		return nil
	})
	want := []flusso.Scarto{{Riga: 2, IDDomanda: "INPS-ADI-2026-0000002",
		Motivo: "persona RSSMRA80A01H501U già registrata con un'altra data di nascita"}}
	if err != nil || rep.Validi != 2 || fmt.Sprint(rep.Scarti) != fmt.Sprint(want) {
		t.Errorf("Scarta: %+v, %v", rep, err)
	}

	// Any other error stops Parse, with the lines read so far.
	guasto := errors.New("database non raggiungibile")
	rep, err = flusso.Parser{Oggi: oggi}.Parse(strings.NewReader(file), func(n flusso.Nucleo) error {
		if n.Riga == 2 {
			return guasto
		}
		return nil
	})
	if !errors.Is(err, guasto) || rep.Validi != 1 || rep.Righe != 2 {
		t.Errorf("stop: %+v, %v", rep, err)
	}
}

type lettoreGuasto struct{ r io.Reader }

func (l lettoreGuasto) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, io.ErrClosedPipe
	}
	return n, err
}

func TestParseErroreDiLettura(t *testing.T) {
	_, err := flusso.Parser{Oggi: oggi}.Parse(lettoreGuasto{strings.NewReader(riga(t, base()) + "\n")},
		func(flusso.Nucleo) error { return nil })
	if !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("err = %v, want the reader's", err)
	}
}

func TestParseAvanzamento(t *testing.T) {
	var file bytes.Buffer
	if err := flusso.Genera(&file, 250, flusso.Opzioni{Seme: 3, Oggi: oggi, Comuni: comuni}); err != nil {
		t.Fatal(err)
	}
	size := int64(file.Len())
	var visti []flusso.Progresso
	rep, err := flusso.Parser{Oggi: oggi, OgniRighe: 100, Avanzamento: func(p flusso.Progresso) {
		visti = append(visti, p)
	}}.Parse(&file, func(flusso.Nucleo) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(visti) != 3 || visti[0].Righe != 100 || visti[1].Righe != 200 || visti[0].Byte >= visti[1].Byte ||
		visti[2] != (flusso.Progresso{Byte: size, Righe: 250, Validi: 250}) || rep.Byte != size {
		t.Errorf("progress %+v, size %d", visti, size)
	}
}

// Generated files are read back whole: every household valid, codici
// fiscali distinct across the file, the same file from the same seed.
func TestGeneraParse(t *testing.T) {
	const n = 5000
	var file bytes.Buffer
	if err := flusso.Genera(&file, n, flusso.Opzioni{Seme: 42, Oggi: oggi, Comuni: comuni}); err != nil {
		t.Fatal(err)
	}
	generato := file.String()

	cf := map[string]bool{}
	ids := map[string]bool{}
	var (
		membri, stranieri, omocodici, sfl, inScadenza, scaduti int
		comuniVisti                                            = map[string]bool{}
	)
	rep, err := flusso.Parser{Oggi: oggi, Comuni: comuni}.Parse(&file, func(nu flusso.Nucleo) error {
		ids[nu.IDDomanda] = true
		comuniVisti[nu.ComuneResidenza] = true
		giorni := int(oggi.Sub(*nu.DataPAD).Hours() / 24)
		switch {
		case giorni > 120:
			scaduti++
		case giorni >= 90:
			inScadenza++
		}
		titolo := false
		for _, c := range nu.Componenti {
			membri++
			if cf[c.CodiceFiscale] {
				t.Errorf("line %d: codice fiscale %s already in the file", nu.Riga, c.CodiceFiscale)
			}
			cf[c.CodiceFiscale] = true
			if c.CodiceFiscale[14] >= 'A' {
				omocodici++
			}
			if c.Cittadinanza != "ITA" {
				stranieri++
			}
			titolo = titolo || c.TitoloSoggiorno != nil
		}
		if nu.Misura == "SFL" {
			sfl++
			return nil
		}
		// ADI: the household has a minor, someone aged 60 or more, with
		// disabilità or in svantaggio (domain.md §11).
		ok := false
		for _, c := range nu.Componenti {
			e := eta(c.DataNascita)
			ok = ok || e < 18 || e >= 60 || c.Disabilita || c.SvantaggioCertificato
		}
		if !ok {
			t.Errorf("line %d: ADI household without the requirements of domain.md §11", nu.Riga)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Validi != n || len(rep.Scarti) != 0 || rep.Righe != n {
		t.Fatalf("report: %d valid of %d lines, scarti %+v", rep.Validi, rep.Righe, rep.Scarti[:min(len(rep.Scarti), 5)])
	}
	if len(ids) != n || len(cf) != membri {
		t.Errorf("%d distinct ids, %d distinct codici fiscali of %d members", len(ids), len(cf), membri)
	}
	if len(comuniVisti) != len(comuni) || sfl == 0 || stranieri == 0 || scaduti == 0 || inScadenza == 0 {
		t.Errorf("not varied: comuni %v, SFL %d, foreign members %d, T120 expired %d, expiring %d",
			comuniVisti, sfl, stranieri, scaduti, inScadenza)
	}
	t.Logf("%d households, %d members, %d foreign, %d omocodia, %d SFL, T120 expired %d, due within 30 days %d",
		n, membri, stranieri, omocodici, sfl, scaduti, inScadenza)

	var ancora bytes.Buffer
	if err := flusso.Genera(&ancora, n, flusso.Opzioni{Seme: 42, Oggi: oggi, Comuni: comuni}); err != nil {
		t.Fatal(err)
	}
	if ancora.String() != generato {
		t.Error("the same seed gave another file")
	}
	ancora.Reset()
	if err := flusso.Genera(&ancora, 10, flusso.Opzioni{Seme: 43, Oggi: oggi, Comuni: comuni}); err != nil {
		t.Fatal(err)
	}
	if strings.HasPrefix(generato, ancora.String()[:200]) {
		t.Error("another seed gave the same file")
	}
}

// In a file as big as the largest Ambito's, codici fiscali are still
// distinct: clashes get the omocodia variant.
func TestGeneraCodiciFiscaliDistinti(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 households")
	}
	var file bytes.Buffer
	if err := flusso.Genera(&file, 200_000, flusso.Opzioni{Seme: 9, Oggi: oggi, Comuni: comuni}); err != nil {
		t.Fatal(err)
	}
	// Members are the objects that open with codice_fiscale; prestazioni
	// open with codice.
	marca := []byte(`{"codice_fiscale":"`)
	visti := make(map[string]bool, 500_000)
	omocodici := 0
	for rest := file.Bytes(); ; {
		i := bytes.Index(rest, marca)
		if i < 0 {
			break
		}
		cf := string(rest[i+len(marca) : i+len(marca)+16])
		if visti[cf] {
			t.Fatalf("codice fiscale %s twice", cf)
		}
		visti[cf] = true
		if cf[14] > '9' {
			omocodici++
		}
		rest = rest[i+len(marca)+16:]
	}
	if len(visti) < 400_000 || omocodici == 0 {
		t.Errorf("%d codici fiscali, %d with omocodia", len(visti), omocodici)
	}
	t.Logf("%d codici fiscali, %d with omocodia", len(visti), omocodici)
}

// PrimoNumero gives another file with other domande.
func TestGeneraPrimoNumero(t *testing.T) {
	var file bytes.Buffer
	if err := flusso.Genera(&file, 2, flusso.Opzioni{Seme: 1, Oggi: oggi, Comuni: comuni[:1], PrimoNumero: 500}); err != nil {
		t.Fatal(err)
	}
	nuclei, rep := parse(t, file.String())
	if len(rep.Scarti) != 0 || len(nuclei) != 2 || !strings.HasSuffix(nuclei[0].IDDomanda, "-0000500") ||
		!strings.HasSuffix(nuclei[1].IDDomanda, "-0000501") || nuclei[0].ComuneResidenza != "037011" {
		t.Errorf("households %+v, scarti %+v", nuclei, rep.Scarti)
	}
}

func TestGeneraOpzioniNonValide(t *testing.T) {
	for _, o := range []flusso.Opzioni{{}, {Comuni: []string{"B880"}}} {
		if err := flusso.Genera(io.Discard, 1, o); err == nil {
			t.Errorf("Genera(%+v) accepted", o)
		}
	}
}

// BenchmarkParse reads 100,000 generated households.
func BenchmarkParse(b *testing.B) {
	var file bytes.Buffer
	if err := flusso.Genera(&file, 100_000, flusso.Opzioni{Seme: 1, Oggi: oggi, Comuni: comuni}); err != nil {
		b.Fatal(err)
	}
	data := file.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := flusso.Parser{Oggi: oggi, Comuni: comuni}.Parse(bytes.NewReader(data), func(flusso.Nucleo) error { return nil })
		if err != nil || rep.Validi != 100_000 {
			b.Fatalf("%d valid, %v", rep.Validi, err)
		}
	}
}

// BenchmarkGenera writes 200,000 households.
func BenchmarkGenera(b *testing.B) {
	var size int64
	for b.Loop() {
		w := &contatore{}
		if err := flusso.Genera(w, 200_000, flusso.Opzioni{Seme: 1, Oggi: oggi, Comuni: comuni}); err != nil {
			b.Fatal(err)
		}
		size = w.n
	}
	b.SetBytes(size)
}

type contatore struct{ n int64 }

func (c *contatore) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
