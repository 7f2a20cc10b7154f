package app

import (
	"context"
	"github.com/cartella/cartella/internal/calendario"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/codicefiscale"
	"github.com/cartella/cartella/internal/demo"
)

// noFollow is c without following redirects, to see the 303 of a POST.
func noFollow(c *http.Client) *http.Client {
	return &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (a *testApp) comune(t *testing.T, istat string) string {
	t.Helper()
	return strconv.Itoa(a.count(t, `SELECT id::int FROM comune WHERE codice_istat = $1`, istat))
}

// aperturaForm is a family of two (ADI, PAD 20 days ago) in comune.
func aperturaForm(comune, idDomanda string) url.Values {
	oggi := time.Now()
	madre := time.Date(1984, 3, 9, 0, 0, 0, 0, time.UTC)
	figlio := time.Date(2015, 7, 1, 0, 0, 0, 0, time.UTC)
	return url.Values{
		"righe": {"4"}, "azione": {"apri"}, "misura": {"ADI"}, "comune": {comune}, "id_domanda": {idDomanda},
		"data_domanda": {oggi.AddDate(0, 0, -50).Format("2006-01-02")}, "data_pad": {oggi.AddDate(0, 0, -20).Format("2006-01-02")},
		"indirizzo": {"Via Porrettana 1"}, "telefono": {"051 123456"},
		"c0_codice_fiscale": {codicefiscale.Compute("Verdi", "Giulia", madre, "F", "A944")}, "c0_cognome": {"Verdi"}, "c0_nome": {"Giulia"},
		"c0_sesso": {"F"}, "c0_data_nascita": {madre.Format("2006-01-02")}, "c0_cittadinanza": {"ITA"}, "c0_relazione": {"richiedente"}, "c0_in_scala": {"1"},
		"c1_codice_fiscale": {codicefiscale.Compute("Verdi", "Tommaso", figlio, "M", "A944")}, "c1_cognome": {"Verdi"}, "c1_nome": {"Tommaso"},
		"c1_sesso": {"M"}, "c1_data_nascita": {figlio.Format("2006-01-02")}, "c1_cittadinanza": {"ITA"}, "c1_relazione": {"figlio"}, "c1_in_scala": {"1"},
		"c1_disabilita": {"1"},
	}
}

var reCaso = regexp.MustCompile(`^/casi/([0-9a-f-]{36})\?esito=aperto$`)

// A case manager opens a case by hand: a wrong codice fiscale comes back
// next to its field with everything typed kept; "Aggiungi un componente"
// adds a row keeping the rest; the valid form opens the case, assigned to
// them, with its 120-day countdown in /casi. Another case manager gets 404
// on it (recorded); coordinatore and amministratore are refused /casi.
func TestCasiAperturaHTTP(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	nf := noFollow(c)
	comune := a.comune(t, "037011")

	resp, err := c.Get(a.URL + "/casi/nuovo")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, `data-testid="componente-3"`) || strings.Contains(body, `data-testid="componente-4"`) {
		t.Fatalf("GET /casi/nuovo: %d", resp.StatusCode)
	}

	form := aperturaForm(comune, "INPS-HTTP-1")
	good := form.Get("c0_codice_fiscale")
	form.Set("c0_codice_fiscale", good[:15]+map[bool]string{true: "A", false: "B"}[good[15] != 'A'])
	form.Set("c2_nome", "Anna") // a third row with only a name
	resp, err = nf.PostForm(a.URL+"/casi", form)
	if err != nil {
		t.Fatal(err)
	}
	body := html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad CF: %d", resp.StatusCode)
	}
	for _, want := range []string{`data-testid="errore-c0_codice_fiscale"`, "carattere di controllo errato", "Componente 3, cognome: campo obbligatorio",
		`value="` + form.Get("c0_codice_fiscale") + `"`, `value="Giulia"`, `value="Tommaso"`, `value="Anna"`, `value="INPS-HTTP-1"`, `value="Via Porrettana 1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("form with errors lacks %q", want)
		}
	}
	if n := a.count(t, `SELECT count(*) FROM caso`); n != 0 {
		t.Errorf("%d cases written from a form with errors", n)
	}

	form = aperturaForm(comune, "INPS-HTTP-1")
	form.Set("azione", "aggiungi")
	resp, err = nf.PostForm(a.URL+"/casi", form)
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="componente-4"`) || !strings.Contains(body, `value="Tommaso"`) || strings.Contains(body, "errori-modulo") {
		t.Errorf("aggiungi componente: %d, fifth row %v", resp.StatusCode, strings.Contains(body, `data-testid="componente-4"`))
	}

	form.Set("azione", "apri")
	resp, err = nf.PostForm(a.URL+"/casi", form)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	m := reCaso.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("valid opening: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	id := m[1]
	resp, err = c.Get(a.URL + resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	body = html.UnescapeString(readBody(t, resp))
	if resp.StatusCode != 200 || !strings.Contains(body, "Caso aperto e assegnato a te.") || !strings.Contains(body, "Verdi Giulia") || !strings.Contains(body, "Disabilità") {
		t.Errorf("case page after opening: %d", resp.StatusCode)
	}
	resp, err = c.Get(a.URL + "/casi?q=verdi")
	if err != nil {
		t.Fatal(err)
	}
	body = readBody(t, resp)
	if !strings.Contains(body, "/casi/"+id) || !(strings.Contains(body, "100 gg") || strings.Contains(body, "99 gg")) {
		t.Errorf("/casi does not list the new case with its 120-day countdown")
	}

	// Another case manager: 404, and the refusal is in the registro.
	c2 := a.client(t)
	a.login(t, c2, "casemanager2", demo.Password)
	for _, p := range []string{"/casi/" + id, "/casi/" + id + "/storico", "/casi/" + id + "/chiudi"} {
		resp, err = c2.Get(a.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		if readBody(t, resp); resp.StatusCode != http.StatusNotFound {
			t.Errorf("casemanager2 on %s: %d", p, resp.StatusCode)
		}
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND azione = 'accesso_negato'`, id); n != 3 {
		t.Errorf("refusals recorded: %d", n)
	}
	for _, u := range []string{"coordinatore", "amministratore"} {
		cu := a.client(t)
		a.login(t, cu, u, demo.Password)
		resp, err = cu.Get(a.URL + "/casi")
		if err != nil {
			t.Fatal(err)
		}
		if readBody(t, resp); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s on /casi: %d", u, resp.StatusCode)
		}
	}
}

// A coordinatore's case waits to be assigned: they land on its page of the
// assignment board.
func TestCasiAperturaCoordinatore(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)
	resp, err := noFollow(c).PostForm(a.URL+"/casi", aperturaForm(a.comune(t, "037060"), "INPS-HTTP-2"))
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/assegnazioni/") {
		t.Fatalf("coordinatore's opening: %d to %q", resp.StatusCode, loc)
	}
	if n := a.count(t, `SELECT count(*) FROM caso WHERE stato = 'ricevuto' AND case_manager_id IS NULL AND origine = 'manuale'`); n != 1 {
		t.Errorf("the case is not waiting to be assigned")
	}
	resp, err = c.Get(a.URL + loc)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, "Verdi") {
		t.Errorf("assignment page: %d", resp.StatusCode)
	}
}

var reVersione = regexp.MustCompile(`name="versione" value="(\d+)"`)

// Closing and reopening from the case page, with a stale form answered by
// a conflict that keeps the typed note; the member conditions form the
// same; the history page shows it all.
func TestCasiChiusuraECondizioniHTTP(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, membri := casoIncontri(t, a)
	id := caso.String()
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	nf := noFollow(c)
	get := func(p string) string {
		t.Helper()
		resp, err := c.Get(a.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, resp.StatusCode)
		}
		return html.UnescapeString(body)
	}
	post := func(p string, v url.Values) (int, string) {
		t.Helper()
		resp, err := nf.PostForm(a.URL+p, v)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, html.UnescapeString(readBody(t, resp))
	}

	body := get("/casi/" + id + "/chiudi")
	ver := reVersione.FindStringSubmatch(body)
	if ver == nil {
		t.Fatal("closing form without versione")
	}
	// Someone else changes the case meanwhile.
	a.exec(t, `UPDATE caso SET versione = versione + 1 WHERE id = $1`, caso)
	oggi := time.Now().In(calendario.Roma).Format("2006-01-02") // the case's dates are Italian days
	st, body := post("/casi/"+id+"/chiudi", url.Values{"versione": {ver[1]}, "motivo": {"Rinuncia"}, "data": {oggi}, "nota": {"Il nucleo rinuncia per iscritto"}})
	if st != http.StatusConflict || !strings.Contains(body, "modificato da un altro operatore") || !strings.Contains(body, "Il nucleo rinuncia per iscritto") {
		t.Fatalf("stale close: %d", st)
	}
	ver = reVersione.FindStringSubmatch(body)
	st, _ = post("/casi/"+id+"/chiudi", url.Values{"versione": {ver[1]}, "motivo": {"Rinuncia"}, "data": {oggi}, "nota": {"Il nucleo rinuncia per iscritto"}})
	if st != http.StatusSeeOther {
		t.Fatalf("close: %d", st)
	}
	body = get("/casi/" + id + "?esito=chiuso")
	if !strings.Contains(body, "Caso chiuso.") || !strings.Contains(body, "Rinuncia") || !strings.Contains(body, `data-testid="riapri-caso"`) {
		t.Errorf("case page after closing")
	}
	if body := get("/casi?stato=chiusi"); !strings.Contains(body, "/casi/"+id) {
		t.Errorf("closed case not among the closed ones")
	}

	body = get("/casi/" + id + "/riapri")
	ver = reVersione.FindStringSubmatch(body)
	if st, body := post("/casi/"+id+"/riapri", url.Values{"versione": {ver[1]}, "motivo": {""}}); st != http.StatusUnprocessableEntity || !strings.Contains(body, "perché il caso viene riaperto") {
		t.Errorf("reopen without reason: %d", st)
	}
	if st, _ := post("/casi/"+id+"/riapri", url.Values{"versione": {ver[1]}, "motivo": {"Ci ha ripensato"}}); st != http.StatusSeeOther {
		t.Fatalf("reopen: %d", st)
	}
	body = get("/casi/" + id + "/storico")
	for _, want := range []string{"Riaperto", "Ci ha ripensato", "Chiuso", "Il nucleo rinuncia per iscritto"} {
		if !strings.Contains(body, want) {
			t.Errorf("history page lacks %q", want)
		}
	}

	// Member conditions, stale then current.
	p := "/casi/" + id + "/componenti/" + membri[0].String()
	body = get(p)
	ver = reVersione.FindStringSubmatch(body)
	a.exec(t, `UPDATE caso SET versione = versione + 1 WHERE id = $1`, caso)
	st, body = post(p, url.Values{"versione": {ver[1]}, "vittima_violenza": {"1"}})
	if st != http.StatusConflict || !strings.Contains(body, "modificato da un altro operatore") || !strings.Contains(body, `value="1" checked`) {
		t.Errorf("stale conditions: %d", st)
	}
	ver = reVersione.FindStringSubmatch(body)
	if st, _ = post(p, url.Values{"versione": {ver[1]}, "vittima_violenza": {"1"}}); st != http.StatusSeeOther {
		t.Fatalf("conditions: %d", st)
	}
	if body := get("/casi/" + id + "?esito=componente"); !strings.Contains(body, "Vittima di violenza di genere") || !strings.Contains(body, "Condizioni del componente salvate") {
		t.Errorf("case page after the conditions")
	}
	var vittima bool
	if err := a.d.pool.QueryRow(context.Background(), `SELECT vittima_violenza FROM nucleo_componente WHERE persona_id = $1 AND al IS NULL`, membri[0]).Scan(&vittima); err != nil || !vittima {
		t.Errorf("flag not saved: %v", err)
	}
}
