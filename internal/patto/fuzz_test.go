package patto

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/httpx"
)

// FuzzDaModulo is the fuzz target of the patto's draft form (issue 20). The
// input is the body of the POST; it goes through httpx.TestoValido, as on
// the routes, then DaModulo and Formati. Properties: nothing panics; NUL or
// invalid UTF-8 never reaches the content; every row has its own canonical
// id and links only to an objective of the form; a frequency or a date that
// cannot be read gets its field's message; the content is stored (JSON) and
// read back unchanged, and written back into the form as a browser sends it
// decodes to the same content. No database.

// moduloFuzz writes c into the draft's form as the page renders it and a
// browser sends it back (line breaks as CRLF).
func moduloFuzz(c Contenuto) url.Values {
	f := url.Values{}
	set := func(k, v string) {
		f.Set(k, strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n"), "\n", "\r\n"))
	}
	for i, o := range c.Obiettivi {
		k := func(n string) string { return campoObiettivo(i, n) }
		set(k("presente"), "1")
		for n, v := range map[string]string{"id": o.ID, "titolo": o.Titolo, "descrizione": o.Descrizione, "dimensione": o.Dimensione,
			"persona": o.PersonaID, "entro": o.Entro} {
			set(k(n), v)
		}
		for j, r := range o.Risultati {
			set(campoRisultato(i, j, "presente"), "1")
			set(campoRisultato(i, j, "id"), r.ID)
			set(campoRisultato(i, j, "descrizione"), r.Descrizione)
			set(campoRisultato(i, j, "entro"), r.Entro)
		}
	}
	for i, s := range c.Sostegni {
		k := func(n string) string { return campoSostegno(i, n) }
		set(k("presente"), "1")
		for n, v := range map[string]string{"id": s.ID, "tipo": s.Tipo, "persona": s.PersonaID, "ente": s.EnteErogatore, "referente": s.Referente,
			"avvio": s.AvvioPrevisto, "fine": s.FinePrevista, "obiettivo": s.ObiettivoID, "fonte": s.FonteFinanziamento, "note": s.Note} {
			set(k(n), v)
		}
	}
	for i, x := range c.Impegni {
		k := func(n string) string { return campoImpegno(i, n) }
		set(k("presente"), "1")
		for n, v := range map[string]string{"id": x.ID, "area": x.Area, "persona": x.PersonaID, "descrizione": x.Descrizione,
			"frequenza": x.Frequenza, "scadenza": x.Scadenza, "obiettivo": x.ObiettivoID} {
			set(k(n), v)
		}
		f[k("coinvolti")] = append([]string(nil), x.Coinvolti...)
	}
	for n, v := range map[string]string{"familiare": c.FamiliareResponsabile, "monitoraggio": c.Monitoraggio, "dal": c.Dal, "al": c.Al,
		"progetti": c.ProgettiIntegrati, "note": c.Note} {
		set(n, v)
	}
	if c.FrequenzaIncontri > 0 {
		f.Set("frequenza", strconv.Itoa(c.FrequenzaIncontri))
	}
	return f
}

func attraversoFuzz(t *testing.T, body string) (url.Values, bool) {
	t.Helper()
	rs := &httpx.Responder{Log: slog.New(slog.DiscardHandler)}
	var form url.Values
	h := rs.TestoValido(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Fatalf("ParseForm after TestoValido: %v", err)
		}
		form = r.PostForm
	}))
	req := httptest.NewRequest(http.MethodPost, "/casi/x/patto", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if form == nil && w.Code != http.StatusBadRequest && w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("refused with %d", w.Code)
	}
	return form, form != nil
}

const fuzzID = "6a1d3c1e-2f4b-4c5d-8e9f-0a1b2c3d4e5f"

func FuzzDaModulo(f *testing.F) {
	ok := moduloFuzz(Contenuto{
		Obiettivi: []Obiettivo{{ID: fuzzID, Titolo: "Lavoro", Descrizione: "a\r\nb", Entro: "29/02/2024",
			Risultati: []Risultato{{ID: "x", Descrizione: "colloquio", Entro: "2024-03-01"}, {Descrizione: " "}}}},
		Sostegni: []Sostegno{{ID: "{" + fuzzID + "}", Tipo: "tirocinio", EnteErogatore: "Comune", ObiettivoID: fuzzID, AvvioPrevisto: "1/3/2024", FinePrevista: "1/2/2024"}},
		Impegni:  []Impegno{{Area: "lavoro", PersonaID: "p1", Coinvolti: []string{"p1", "p2", "", "p2"}, Descrizione: "cerca", ObiettivoID: "nessuno"}},
		Dal:      "01/01/2025", Al: "31/12/2024", FrequenzaIncontri: 30, Note: "n"}).Encode()
	for _, s := range []string{ok, "", "frequenza=0", "frequenza=91", "frequenza=+5", "frequenza=99999999999999999999", "frequenza=%EF%BC%95",
		"o0-presente=1&o0-titolo=a&o0-id=" + fuzzID + "&o1-presente=1&o1-titolo=b&o1-id=" + fuzzID,
		"s0-presente=1&s0-tipo=a&s0-id=" + fuzzID + "&i0-presente=1&i0-area=b&i0-id=" + fuzzID,
		"o0-presente=1&o0-titolo=a%00b", "note=%FF", "note=%EF%BB%BFa%0Db", "dal=1/2/-000&al=00/00/0000",
		"o1-presente=1&o1-titolo=salta", "o0-presente&o0-r0-presente&o0-r0-entro=30/02/2024", "a=1;b=2", "%zz",
		"i0-presente=1&i0-coinvolti=x&i0-coinvolti=x&i0-persona=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, ok := attraversoFuzz(t, body)
		if !ok {
			return
		}
		m := DaModulo(form)
		var c Contenuto
		m.Applica(&c)

		// Text as the database can keep it.
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b) || strings.Contains(string(b), `\u0000`) || !utf8.ValidString(m.Frequenza) {
			t.Fatalf("form %q: NUL or invalid UTF-8 in the content %s", body, b)
		}
		// Every row its own canonical id; links only to objectives of the form.
		ids := map[string]bool{}
		id := func(s string) {
			if u, err := uuid.Parse(s); err != nil || u.String() != s || ids[s] {
				t.Fatalf("form %q: id %q not canonical or repeated", body, s)
			}
			ids[s] = true
		}
		obiettivi := map[string]bool{}
		for _, o := range c.Obiettivi {
			id(o.ID)
			obiettivi[o.ID] = true
			for _, r := range o.Risultati {
				id(r.ID)
			}
		}
		for _, s := range c.Sostegni {
			id(s.ID)
			if s.ObiettivoID != "" && !obiettivi[s.ObiettivoID] {
				t.Fatalf("sostegno linked to %q", s.ObiettivoID)
			}
		}
		for _, x := range c.Impegni {
			id(x.ID)
			if x.ObiettivoID != "" && !obiettivi[x.ObiettivoID] {
				t.Fatalf("impegno linked to %q", x.ObiettivoID)
			}
		}
		// A frequency that cannot be read has its message; one that can is kept.
		n, errN := strconv.Atoi(m.Frequenza)
		valida := m.Frequenza == "" || errN == nil && n >= 1 && n <= 90
		if valida == (m.Errori["frequenza"] != "") || c.FrequenzaIncontri < 0 || c.FrequenzaIncontri > 90 ||
			valida && m.Frequenza != "" && c.FrequenzaIncontri != n {
			t.Fatalf("form %q: frequenza %q, errors %v, kept %d", body, m.Frequenza, m.Errori, c.FrequenzaIncontri)
		}
		// A date that can be read is kept as aaaa-mm-gg; one that cannot has its message.
		errs := Formati(c)
		data := func(campo, v string) {
			if v == "" {
				return
			}
			if d, ok := calendario.ParseData(v); ok {
				if calendario.ISO(d) != v {
					t.Fatalf("date %q kept as typed", v)
				}
			} else if errs[campo] == "" {
				t.Fatalf("form %q: date %q of %s without a message (%v)", body, v, campo, errs)
			}
		}
		for i, o := range c.Obiettivi {
			data(campoObiettivo(i, "entro"), o.Entro)
			for j, r := range o.Risultati {
				data(campoRisultato(i, j, "entro"), r.Entro)
			}
		}
		for i, s := range c.Sostegni {
			data(campoSostegno(i, "avvio"), s.AvvioPrevisto)
			data(campoSostegno(i, "fine"), s.FinePrevista)
		}
		for i, x := range c.Impegni {
			data(campoImpegno(i, "scadenza"), x.Scadenza)
		}
		data("dal", c.Dal)
		data("al", c.Al)

		// Stored and read back; shown again and sent back: the same.
		var letto Contenuto
		if err := json.Unmarshal(b, &letto); err != nil || !reflect.DeepEqual(letto, c) {
			t.Fatalf("form %q: stored %s, read back %+v (%v)", body, b, letto, err)
		}
		var di Contenuto
		DaModulo(moduloFuzz(c)).Applica(&di)
		if !reflect.DeepEqual(di, c) {
			t.Fatalf("form %q\ndecoded   %+v\nsent back %+v", body, c, di)
		}
	})
}
