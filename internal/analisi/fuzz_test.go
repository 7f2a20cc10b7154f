package analisi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
)

// FuzzDaModulo is the fuzz target of the largest form, the analisi
// preliminare (issue 20). The input is the body of the POST as a client
// sends it; it goes through the same httpx.TestoValido the routes use, then
// DaModulo. Properties: nothing panics; NUL or invalid UTF-8 never reaches
// the content (the request is refused first: 422 with the fields to
// correct, or 400 when the body does not parse); the content is
// stored and read back (JSON, as schede keeps it) unchanged; and the
// content written back into the form as a browser submits it (line breaks
// as CRLF) decodes to the same content. No database.

const (
	fuzzLaura   = "3f0e8f53-6b0c-4e0e-9a55-6c1f0b1f6a01"
	fuzzGiorgio = "3f0e8f53-6b0c-4e0e-9a55-6c1f0b1f6a02"
	fuzzUscito  = "3f0e8f53-6b0c-4e0e-9a55-6c1f0b1f6a03"
)

// baseFuzz is a draft with two current members and one who left.
func baseFuzz() Contenuto {
	return Contenuto{
		Nucleo: Nucleo{Misura: "ADI", IDDomanda: "INPS-1", Aree: map[string]Area{"abitativa": {Bisogno: Presente, Descrizione: "sfratto"}}},
		Componenti: []Componente{
			{PersonaID: fuzzLaura, Cognome: "Bianchi", Nome: "Laura", DataNascita: "1985-08-12", InScala: true},
			{PersonaID: fuzzGiorgio, Cognome: "Bianchi", Nome: "Giorgio", DataNascita: "1954-02-28", InScala: true,
				Aree: map[string]Area{"salute": {Bisogno: Assente}}},
			{PersonaID: fuzzUscito, Cognome: "Bianchi", Nome: "Marco", Uscito: true, Note: "uscito"},
		},
	}
}

// moduloFuzz writes c into the form as the page renders it and a browser sends
// it back: a ticked box is "on", line breaks travel as CRLF.
func moduloFuzz(c Contenuto) url.Values {
	f := url.Values{}
	set := func(k, v string) {
		f.Set(k, strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n"), "\n", "\r\n"))
	}
	spunta := func(k string, b bool) {
		if b {
			f.Set(k, "on")
		}
	}
	aree := func(prefisso string, aree map[string]Area) {
		for cod, a := range aree {
			set(campoArea(prefisso, cod, "bisogno"), a.Bisogno)
			set(campoArea(prefisso, cod, "descrizione"), a.Descrizione)
		}
	}
	n := c.Nucleo
	for k, v := range map[string]string{"n-telefono": n.Telefono, "n-email": n.Email, "n-indirizzo": n.Indirizzo, "n-domicilio": n.Domicilio,
		"n-note": n.Note, "n-servizi_note": n.ServiziNote, "n-prestazioni": n.Prestazioni, "n-risorse": n.Risorse,
		"n-aspirazioni": n.Aspirazioni, "esito": c.Esito, "motivazione": c.Motivazione} {
		set(k, v)
	}
	f["n-servizi"] = append([]string(nil), n.Servizi...)
	aree("n-", n.Aree)
	for _, m := range c.Componenti {
		if m.Uscito {
			continue
		}
		k := func(nome string) string { return campoComp(m.PersonaID, nome) }
		spunta(k("occupato"), m.Occupato)
		spunta(k("studente"), m.Studente)
		spunta(k("pensionato"), m.Pensionato)
		spunta(k("invio_cpi"), m.InvioCPI)
		for nome, v := range map[string]string{"note": m.Note, "servizi_note": m.ServiziNote, "risorse": m.Risorse,
			"aspirazioni": m.Aspirazioni, "percorso": m.Percorso, "data_invio_cpi": m.DataInvioCPI} {
			set(k(nome), v)
		}
		f[k("servizi")] = append([]string(nil), m.Servizi...)
		aree(k(""), m.Aree)
		for _, mo := range m.Motivi {
			f.Set(campoMotivo(m.PersonaID, mo.Codice, ""), "on")
			set(campoMotivo(m.PersonaID, mo.Codice, "dal"), mo.Dal)
			set(campoMotivo(m.PersonaID, mo.Codice, "al"), mo.Al)
		}
	}
	return f
}

// testi calls fn with every string of c.
func testi(c Contenuto, fn func(string)) {
	b, _ := json.Marshal(c)
	var v any
	_ = json.Unmarshal(b, &v)
	var cammina func(any)
	cammina = func(x any) {
		switch x := x.(type) {
		case string:
			fn(x)
		case []any:
			for _, e := range x {
				cammina(e)
			}
		case map[string]any:
			for k, e := range x {
				fn(k)
				cammina(e)
			}
		}
	}
	cammina(v)
	// json.Marshal replaced what is not UTF-8: look at the strings themselves too.
	rv := reflect.ValueOf(c)
	var rcammina func(reflect.Value)
	rcammina = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			fn(v.String())
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				rcammina(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				rcammina(v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				fn(k.String())
				rcammina(v.MapIndex(k))
			}
		}
	}
	rcammina(rv)
}

// attraverso posts body through httpx.TestoValido and returns the form the
// handler would read, or false when the request was refused.
func attraverso(t *testing.T, body string) (url.Values, bool) {
	t.Helper()
	rs := &httpx.Responder{Log: slog.New(slog.DiscardHandler)}
	var form url.Values
	h := rs.TestoValido(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Fatalf("ParseForm after TestoValido: %v", err)
		}
		form = r.PostForm
	}))
	req := httptest.NewRequest(http.MethodPost, "/casi/x/analisi-preliminare", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	switch {
	case form == nil && w.Code != http.StatusBadRequest && w.Code != http.StatusUnprocessableEntity:
		t.Fatalf("refused with %d", w.Code)
	case form != nil && w.Code != http.StatusOK:
		t.Fatalf("handled and answered %d", w.Code)
	}
	return form, form != nil
}

func seedModuli() []string {
	ok := moduloFuzz(Contenuto{
		Nucleo: Nucleo{Telefono: "051 000 1234", Note: "riga 1\r\nriga 2", Servizi: []string{"sert", "csm"},
			Aree: map[string]Area{"lavoro": {Bisogno: Presente, Descrizione: "cerca lavoro"}}},
		Componenti: []Componente{{PersonaID: fuzzLaura, Occupato: true, Percorso: "lavoro", InvioCPI: true, DataInvioCPI: "29/02/2024",
			Motivi: []Motivo{{Codice: "caregiver", Dal: "1/3/2024", Al: "2024-12-31"}}, Aree: map[string]Area{"salute": {Bisogno: "x"}}}},
		Esito: "B", Motivazione: "ok"}).Encode()
	return []string{ok, "", "esito=A", "n-note=a%00b", "n-note=%FF%FE", "motivazione=%EF%BB%BFciao%0D%0A", "n-note=a%0Db%0Dc",
		"c-" + fuzzLaura + "-motivo-=on&c-" + fuzzLaura + "-motivo--dal=99999999999999999999",
		"c-" + fuzzLaura + "-motivo-dal=on&c-" + fuzzLaura + "-motivo-dal-dal=31%2F02%2F2024",
		"n-area--bisogno=presente&n-area-a-b-bisogno=assente&n-area-x-bisogno=%00",
		"c-" + fuzzUscito + "-note=cambiata&c-" + fuzzGiorgio + "-area-salute-bisogno=presente",
		"n-servizi=a&n-servizi=a&n-servizi=%20&n-servizi=b", "a=1;b=2", "%zz=1", "n-note=" + strings.Repeat("x", 100000),
		"c-" + fuzzLaura + "-data_invio_cpi=29%2F02%2F2023&c-" + fuzzLaura + "-invio_cpi=",
	}
}

func FuzzDaModulo(f *testing.F) {
	for _, s := range seedModuli() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, ok := attraverso(t, body)
		if !ok {
			// Refused: something in it is not text (checked one by one:
			// two halves of a character are not a character).
			q, err := url.ParseQuery(body)
			if err != nil {
				return
			}
			for _, s := range append(chiavi(q), valori(q)...) {
				if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
					return
				}
			}
			t.Fatalf("valid form %q refused", body)
		}
		c := baseFuzz()
		DaModulo(form)(&c)
		testi(c, func(s string) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("form %q: NUL or invalid UTF-8 in the content: %q", body, s)
			}
		})
		// What is not the form's is kept.
		base := baseFuzz()
		if c.Nucleo.Misura != base.Nucleo.Misura || c.Nucleo.IDDomanda != base.Nucleo.IDDomanda || len(c.Componenti) != 3 ||
			!reflect.DeepEqual(c.Componenti[2], base.Componenti[2]) {
			t.Fatalf("form %q changed what is not the form's: %+v", body, c)
		}
		for _, m := range c.Componenti {
			for _, a := range m.Aree {
				if a.Bisogno != Presente && a.Bisogno != Assente && a.Bisogno != NonValutato {
					t.Fatalf("bisogno %q", a.Bisogno)
				}
			}
			if !sort.SliceIsSorted(m.Motivi, func(a, b int) bool { return m.Motivi[a].Codice < m.Motivi[b].Codice }) {
				t.Fatalf("motivi not sorted")
			}
			for _, mo := range m.Motivi {
				for _, d := range []string{mo.Dal, mo.Al} {
					if t2, ok := calendario.ParseData(d); ok && calendario.ISO(t2) != d {
						t.Fatalf("date %q kept as typed instead of aaaa-mm-gg", d)
					}
				}
			}
		}
		// Saved as schede keeps it (JSON) and read back: the same.
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var letto Contenuto
		if err := json.Unmarshal(b, &letto); err != nil || !reflect.DeepEqual(letto, c) {
			t.Fatalf("form %q: stored %s, read back %+v (%v)", body, b, letto, err)
		}
		// Shown again and sent back unchanged: the same content.
		di := baseFuzz()
		DaModulo(moduloFuzz(c))(&di)
		if !reflect.DeepEqual(di, c) {
			t.Fatalf("form %q\ndecoded   %+v\nsent back %+v", body, c, di)
		}
		// Finalising: a date that cannot be read, an esito not in the list have their field's message.
		oggi := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
		rif := Riferimenti{Esiti: Lista{{Codice: "A", Valida: true}, {Codice: "B", Valida: true}},
			Motivi:   Lista{{Codice: "caregiver", Etichetta: "Caregiver", Valida: true}},
			Percorsi: Lista{{Codice: "lavoro", Valida: true}}}
		errs := Valida(c, rif, oggi)
		if (c.Esito != "A" && c.Esito != "B") != (errs["esito"] != "") {
			t.Fatalf("form %q: esito %q, error %q", body, c.Esito, errs["esito"])
		}
		for _, m := range c.Componenti {
			if m.Uscito {
				continue
			}
			for _, mo := range m.Motivi {
				if _, ok := calendario.ParseData(mo.Dal); mo.Codice == "caregiver" && !ok && errs[campoMotivo(m.PersonaID, mo.Codice, "dal")] == "" {
					t.Fatalf("form %q: motivo from %q without a message", body, mo.Dal)
				}
				if _, ok := calendario.ParseData(mo.Al); mo.Codice == "caregiver" && mo.Al != "" && !ok && errs[campoMotivo(m.PersonaID, mo.Codice, "al")] == "" {
					t.Fatalf("form %q: motivo to %q without a message", body, mo.Al)
				}
			}
			if _, ok := calendario.ParseData(m.DataInvioCPI); m.DataInvioCPI != "" && !ok && errs[campoComp(m.PersonaID, "data_invio_cpi")] == "" {
				t.Fatalf("form %q: data_invio_cpi %q without a message", body, m.DataInvioCPI)
			}
		}
		for _, msg := range errs {
			if msg == "" || !utf8.ValidString(msg) {
				t.Fatalf("form %q: message %q", body, msg)
			}
		}
		_ = Testo(c, rif, oggi)
	})
}

func chiavi(q url.Values) []string {
	var out []string
	for k := range q {
		out = append(out, k)
	}
	return out
}

func valori(q url.Values) []string {
	var out []string
	for _, vs := range q {
		out = append(out, vs...)
	}
	return out
}
