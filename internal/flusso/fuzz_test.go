package flusso

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/codicefiscale"
)

// The fuzz targets of the flusso dei nuclei (issue 20): no line, however
// hostile, makes Parse panic or lose a line; every rejected line carries
// its number and at least one reason in Italian; an accepted line, written
// again, reads back as the same household; a key written twice (in any
// case) rejects the line. Seeds: the lines of Genera, hostile variants
// below, and testdata/fuzz/.

var oggiFuzz = time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)

// scritta is a household written back as a line of the flow.
func scritta(n Nucleo) []byte {
	iso := func(t time.Time) string { return calendario.ISO(t) }
	isoPtr := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return iso(*t)
	}
	v := VersioneTracciato
	req := n.RequisitiAnagraficiVerificati
	r := rigaJSON{VersioneTracciato: &v, IDDomanda: n.IDDomanda, Misura: n.Misura, DataDomanda: iso(n.DataDomanda),
		DataPAD: isoPtr(n.DataPAD), DataDecorrenza: isoPtr(n.DataDecorrenza), DataTrasmissione: iso(n.DataTrasmissione),
		StatoErogazione: n.StatoErogazione, ComuneResidenza: n.ComuneResidenza,
		Contatti:                      &contattiJSON{Telefono: n.Contatti.Telefono, Email: n.Contatti.Email, Indirizzo: n.Contatti.Indirizzo},
		RequisitiAnagraficiVerificati: &req, EsitiControlli: n.EsitiControlli}
	for _, p := range n.AltrePrestazioni {
		r.AltrePrestazioni = append(r.AltrePrestazioni, prestazioneJSON{Codice: p.Codice, Descrizione: p.Descrizione, CodiceFiscale: p.CodiceFiscale})
	}
	for _, k := range n.Componenti {
		scala := k.InScalaEquivalenza
		c := componenteJSON{CodiceFiscale: k.CodiceFiscale, Cognome: k.Cognome, Nome: k.Nome, Sesso: k.Sesso,
			DataNascita: iso(k.DataNascita), LuogoNascita: k.LuogoNascita, Cittadinanza: k.Cittadinanza, Relazione: k.Relazione,
			InScalaEquivalenza: &scala, Disabilita: k.Disabilita, SvantaggioCertificato: k.SvantaggioCertificato,
			Residenza: k.Residenza, Domicilio: k.Domicilio, Telefono: k.Telefono, Email: k.Email}
		if k.TitoloSoggiorno != nil {
			c.TitoloSoggiorno = &titoloSoggiornoJSON{Tipo: k.TitoloSoggiorno.Tipo, Scadenza: isoPtr(k.TitoloSoggiorno.Scadenza)}
		}
		r.Componenti = append(r.Componenti, c)
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

// leggi parses a file with the fuzz Parser and returns the report and the
// households accepted.
func leggi(t *testing.T, file []byte, maxRiga int) (Report, []Nucleo) {
	t.Helper()
	var ns []Nucleo
	rep, err := Parser{Oggi: oggiFuzz, MaxRiga: maxRiga}.Parse(bytes.NewReader(file), func(n Nucleo) error {
		ns = append(ns, n)
		return nil
	})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rep, ns
}

// italiano fails t when a reason is empty or carries the text of a Go error.
func italiano(t *testing.T, riga []byte, s Scarto) {
	t.Helper()
	if strings.TrimSpace(s.Motivo) == "" || s.Riga < 1 {
		t.Fatalf("line %q rejected without a reason or a number: %+v", riga, s)
	}
	for _, inglese := range []string{"json:", "Go ", "cannot unmarshal", "invalid character", "unexpected"} {
		if strings.Contains(s.Motivo, inglese) {
			t.Fatalf("line %q rejected with an English reason: %q", riga, s.Motivo)
		}
	}
	// Stored in the import's report (PostgreSQL text: no NUL) and shown: no control characters.
	if !utf8.ValidString(s.Motivo) || !utf8.ValidString(s.IDDomanda) || utf8.RuneCountInString(s.IDDomanda) > 41 ||
		strings.IndexFunc(s.Motivo+s.IDDomanda, unicode.IsControl) >= 0 {
		t.Fatalf("reason or id not valid UTF-8, with control characters, or too long: %+v", s)
	}
}

// seedRighe are the hostile lines every flusso fuzz target starts from.
func seedRighe(f *testing.F) [][]byte {
	var buf bytes.Buffer
	if err := Genera(&buf, 6, Opzioni{Seme: 20, Oggi: oggiFuzz, Comuni: []string{"037011", "037060"}}); err != nil {
		f.Fatal(err)
	}
	righe := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	v := righe[0]
	data := string(v[bytes.Index(v, []byte(`"data_domanda":"`))+16:][:10])
	sost := func(da, a string) []byte { return bytes.Replace(v, []byte(da), []byte(a), 1) }
	return append(righe,
		sost(`"id_domanda":`, `"ID_DOMANDA":"X-1","id_domanda":`),
		sost(`"misura":`, `"Misura":"ADI","misura":`),
		sost(`"versione_tracciato":1`, `"versione_tracciato":1e999`),
		sost(`"versione_tracciato":1`, `"versione_tracciato":99999999999999999999`),
		sost(`"versione_tracciato":1`, `"versione_tracciato":1.5`),
		sost(`"data_domanda":"`, `"data_domanda":"\u0000`),
		sost(`"cognome":"`, `"cognome":"`+"\xff"),
		sost(`"data_domanda":"`+data, `"data_domanda":"2024-02-29`),
		sost(`"data_domanda":"`+data, `"data_domanda":"2025-02-29`),
		sost(`"componenti":[`, `"componenti":[null,`),
		sost(`"componenti":[`, `"componenti":[1,`),
		sost(`"contatti":{`, `"contatti":{"x":{"y":[`),
		append([]byte("\uFEFF"), v...),
		append(append([]byte{}, v...), "\r"...),
		append(append([]byte{}, v...), " {}"...),
		[]byte(`{"versione_tracciato":"1"}`), []byte(`[]`), []byte(`{`), []byte(`null`), []byte("\x00"), []byte(" \t"),
		[]byte(`{"componenti":[{"codice_fiscale":"RSSMRA80A01H501U","in_scala_equivalenza":"si"}]}`),
		[]byte(`{"id_domanda":"`+strings.Repeat("9", 100)+`"}`),
	)
}

// maxRigaFuzz is the Parser's MaxRiga in FuzzRiga: a household of ten
// members fits; the default (1 MB) would be a buffer of 1 MB for every
// input. Longer lines are FuzzFlusso's.
const maxRigaFuzz = 32 << 10

func FuzzRiga(f *testing.F) {
	for _, r := range seedRighe(f) {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, riga []byte) {
		if bytes.ContainsAny(riga, "\n") {
			return // one line: FuzzFlusso reads files
		}
		rep, ns := leggi(t, riga, maxRigaFuzz)
		vuota := len(bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSuffix(riga, []byte("\r")), []byte("\uFEFF")))) == 0
		switch {
		case len(riga) == 0:
			if rep.Righe != 0 || len(ns)+len(rep.Scarti) != 0 {
				t.Fatalf("empty file: %+v", rep)
			}
			return
		case rep.Righe != 1:
			t.Fatalf("one line read as %d", rep.Righe)
		case vuota && len(ns)+len(rep.Scarti) != 0:
			t.Fatalf("blank line %q imported or rejected: %+v", riga, rep)
		case !vuota && len(ns)+len(rep.Scarti) != 1:
			t.Fatalf("line %q neither imported nor rejected, or both: %+v", riga, rep)
		}
		for _, s := range rep.Scarti {
			italiano(t, riga, s)
		}
		if len(ChiaviRipetute(riga)) > 0 && len(ns) > 0 {
			t.Fatalf("line %q with a repeated key accepted", riga)
		}
		if len(ns) == 0 {
			return
		}
		n := ns[0]
		if n.Riga != 1 || !IDValido(n.IDDomanda) || n.IDDomanda == "" {
			t.Fatalf("accepted %q: riga %d, id %q", riga, n.Riga, n.IDDomanda)
		}
		controllaTesti(t, riga, n)

		// Written again, the household reads back the same.
		di := scritta(n)
		rep2, ns2 := leggi(t, di, maxRigaFuzz)
		if len(ns2) != 1 || !reflect.DeepEqual(ns2[0], n) {
			t.Fatalf("line %q\nwritten again as %s\nread back as %+v (scarti %+v)\nwant %+v", riga, di, ns2, rep2.Scarti, n)
		}
		// The idempotence key written twice, in another case: rejected.
		doppia := bytes.Replace(di, []byte(`{`), []byte(`{"ID_DOMANDA":`+fmt.Sprintf("%q", n.IDDomanda)+`,`), 1)
		if rep3, ns3 := leggi(t, doppia, maxRigaFuzz); len(ns3) != 0 || len(rep3.Scarti) != 1 || !strings.Contains(rep3.Scarti[0].Motivo, "ripetuto") {
			t.Fatalf("line with id_domanda twice accepted: %s (%+v)", doppia, rep3)
		}
	})
}

// controllaTesti checks what an accepted household holds: text without
// control characters (free text may have line breaks), valid codici fiscali,
// dates of the past, exactly one richiedente.
func controllaTesti(t *testing.T, riga []byte, n Nucleo) {
	t.Helper()
	testo := func(s string, lungo bool) {
		if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.IndexFunc(s, func(r rune) bool {
			return unicode.IsControl(r) && !(lungo && (r == '\n' || r == '\t' || r == '\r'))
		}) >= 0 {
			t.Fatalf("line %q accepted with text %q", riga, s)
		}
	}
	for _, s := range []string{n.IDDomanda, n.Misura, n.StatoErogazione, n.ComuneResidenza, n.Contatti.Telefono, n.Contatti.Email, n.Contatti.Indirizzo} {
		testo(s, false)
	}
	testo(n.EsitiControlli, true)
	if n.DataDomanda.After(oggiFuzz) || n.DataPAD != nil && n.DataPAD.After(oggiFuzz) || n.DataTrasmissione.After(oggiFuzz) {
		t.Fatalf("line %q accepted with a future date", riga)
	}
	richiedenti := 0
	for _, k := range n.Componenti {
		for _, s := range []string{k.Cognome, k.Nome, k.Sesso, k.LuogoNascita, k.Cittadinanza, k.Relazione, k.Residenza, k.Domicilio, k.Telefono, k.Email} {
			testo(s, false)
		}
		if codicefiscale.Validate(k.CodiceFiscale) != nil || !codicefiscale.Consistent(k.CodiceFiscale, k.DataNascita, k.Sesso) {
			t.Fatalf("line %q accepted with codice fiscale %q", riga, k.CodiceFiscale)
		}
		if k.Relazione == "richiedente" {
			richiedenti++
		}
	}
	if richiedenti != 1 {
		t.Fatalf("line %q accepted with %d richiedenti", riga, richiedenti)
	}
	for _, p := range n.AltrePrestazioni {
		testo(p.Codice, false)
		testo(p.Descrizione, false)
	}
}

// FuzzFlusso reads whole files: any mix of lines, terminators, a byte order
// mark, lines longer than the limit (here 512 bytes). Every line is counted
// once, accepted or rejected with its number in order, and an id_domanda is
// accepted once at most.
func FuzzFlusso(f *testing.F) {
	righe := seedRighe(f)
	f.Add(bytes.Join(righe[:4], []byte("\n")))
	f.Add(bytes.Join(righe[:3], []byte("\r\n")))
	f.Add(append([]byte("\uFEFF"), bytes.Join([][]byte{righe[0], righe[0], {}, righe[1]}, []byte("\n"))...))
	f.Add([]byte("\n\n\r\n  \n"))
	f.Add([]byte(strings.Repeat("x", 600) + "\n{}\n" + strings.Repeat("y", 513)))
	f.Add([]byte("{}\r\r\n\x00\n\xff\xfe\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		const maxRiga = 512
		var ns []Nucleo
		var avanzamenti []Progresso
		rep, err := Parser{Oggi: oggiFuzz, MaxRiga: maxRiga, OgniRighe: 2, Avanzamento: func(p Progresso) {
			avanzamenti = append(avanzamenti, p)
		}}.Parse(bytes.NewReader(file), func(n Nucleo) error {
			ns = append(ns, n)
			return nil
		})
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		linee := bytes.Count(file, []byte("\n"))
		if len(file) > 0 && file[len(file)-1] != '\n' {
			linee++
		}
		if rep.Righe != linee || rep.Byte != int64(len(file)) || rep.Validi != len(ns) {
			t.Fatalf("file of %d lines, %d bytes: report %d lines, %d bytes, %d valid of %d", linee, len(file), rep.Righe, rep.Byte, rep.Validi, len(ns))
		}
		if len(avanzamenti) == 0 || avanzamenti[len(avanzamenti)-1].Righe != rep.Righe {
			t.Fatalf("progress not reported at the end: %+v", avanzamenti)
		}
		// Lines are accepted or rejected once, in order; the blank ones are neither.
		stato := map[int]string{}
		ids := map[string]bool{}
		for _, n := range ns {
			if ids[n.IDDomanda] {
				t.Fatalf("id_domanda %q accepted twice", n.IDDomanda)
			}
			ids[n.IDDomanda] = true
			stato[n.Riga] = "accettata"
		}
		ultima := 0
		for _, s := range rep.Scarti {
			italiano(t, file, s)
			if s.Riga <= ultima || s.Riga > rep.Righe || stato[s.Riga] != "" {
				t.Fatalf("rejected line %d out of order or twice: %+v", s.Riga, rep.Scarti)
			}
			ultima = s.Riga
			stato[s.Riga] = "scartata"
		}
		for i, l := range bytes.SplitAfter(file, []byte("\n")) {
			if len(l) == 0 {
				continue
			}
			l = bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
			if i == 0 {
				l = bytes.TrimPrefix(l, []byte("\uFEFF"))
			}
			vuota := len(l) <= maxRiga && len(bytes.TrimSpace(l)) == 0
			if vuota != (stato[i+1] == "") {
				t.Fatalf("line %d %q: %q", i+1, l, stato[i+1])
			}
			if len(l) > maxRiga && stato[i+1] != "scartata" {
				t.Fatalf("line %d of %d bytes not rejected", i+1, len(l))
			}
		}
	})
}
