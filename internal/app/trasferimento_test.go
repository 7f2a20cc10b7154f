package app

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/accesso"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

// The demo coordinatore transfers a case from its anagrafica page: a name
// matching nothing and an empty motivo come back next to their fields with
// the text kept; a text matching several comuni offers them as a choice; a
// stale form is a conflict; the transfer to Zola Predosa keeps the case on
// the board, da assegnare, with the event, and takes it away from its case
// manager; the transfer to another ambito takes it away from the
// coordinatore too.
func TestTrasferimentoHTTP(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	c := a.client(t)
	a.login(t, c, "coordinatore", demo.Password)
	nf := noFollow(c)
	base := a.URL + "/assegnazioni/" + caso.String()

	get := func(u string) (int, string) {
		t.Helper()
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, html.UnescapeString(readBody(t, resp))
	}
	post := func(form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := nf.PostForm(base+"/trasferisci", form)
		if err != nil {
			t.Fatal(err)
		}
		return resp, html.UnescapeString(readBody(t, resp))
	}

	if st, body := get(base); st != 200 || !strings.Contains(body, `href="/assegnazioni/`+caso.String()+`/trasferisci"`) ||
		!strings.Contains(body, "Trasferisci ad altro comune o ambito") {
		t.Fatalf("anagrafica without the transfer link: %d", st)
	}
	st, body := get(base + "/trasferisci")
	if st != 200 || !strings.Contains(body, "Casalecchio di Reno") || !strings.Contains(body, "Ambito Territoriale Demo") ||
		!strings.Contains(body, `name="versione" value="1"`) || !strings.Contains(body, "Comune di destinazione") {
		t.Fatalf("transfer form: %d\n%s", st, body)
	}

	resp, body := post(url.Values{"versione": {"1"}, "comune": {"Atlantide"}, "motivo": {" "}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Nessun comune con questo nome o codice ISTAT") ||
		!strings.Contains(body, "Scrivi il motivo del trasferimento.") || !strings.Contains(body, `value="Atlantide"`) {
		t.Errorf("unknown comune, no motivo: %d", resp.StatusCode)
	}
	// "o" is in the name of all three demo comuni: a choice.
	resp, body = post(url.Values{"versione": {"1"}, "comune": {"o"}, "motivo": {"Cambio di residenza"}})
	zola := a.comune(t, "037060")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Più comuni corrispondono: scegli quello giusto") ||
		!strings.Contains(body, `name="comune_id" id="comune-`+zola+`" value="`+zola+`"`) || !strings.Contains(body, "Zola Predosa (BO) · 037060") ||
		!strings.Contains(body, "Cambio di residenza</textarea>") {
		t.Errorf("several comuni: %d\n%s", resp.StatusCode, body)
	}
	resp, body = post(url.Values{"versione": {"0"}, "comune": {"o"}, "comune_id": {zola}, "motivo": {"Cambio di residenza"}, "conferma": {"1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "modificato da un altro operatore") || !strings.Contains(body, "Cambio di residenza</textarea>") {
		t.Errorf("stale form: %d", resp.StatusCode)
	}

	// A transfer asks first, saying what it does (issue 21, point 7).
	resp, body = post(url.Values{"versione": {"1"}, "comune": {"o"}, "comune_id": {zola}, "motivo": {"Cambio di residenza"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Trasferire il caso al comune di Zola Predosa?") ||
		!strings.Contains(body, "resta nella tua bacheca") || !strings.Contains(body, `name="conferma" value="1"`) {
		t.Fatalf("no confirmation before the transfer: %d\n%s", resp.StatusCode, body)
	}
	if n := a.count(t, `SELECT count(*) FROM caso WHERE id = $1 AND comune_id = $2`, caso, zola); n != 0 {
		t.Fatal("transferred before confirming")
	}
	resp, _ = post(url.Values{"versione": {"1"}, "comune": {"o"}, "comune_id": {zola}, "motivo": {"Cambio di residenza"}, "conferma": {"1"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/assegnazioni/"+caso.String()+"?esito=trasferito" {
		t.Fatalf("transfer within the ambito: %d to %q", resp.StatusCode, loc)
	}
	st, body = get(base + "?esito=trasferito")
	if st != 200 || !strings.Contains(body, "Zola Predosa") || !strings.Contains(body, "Da assegnare") ||
		!strings.Contains(body, "Caso trasferito: ora è da assegnare") ||
		!strings.Contains(body, "Casalecchio di Reno (Ambito Territoriale Demo) → Zola Predosa (Ambito Territoriale Demo) — Cambio di residenza") {
		t.Errorf("anagrafica after the transfer: %d\n%s", st, body)
	}
	if st, body = get(a.URL + "/assegnazioni?da_assegnare=1"); !strings.Contains(body, "/assegnazioni/"+caso.String()) {
		t.Errorf("board da assegnare does not list the transferred case: %d", st)
	}
	cm := a.client(t)
	a.login(t, cm, "casemanager", demo.Password)
	resp, err := cm.Get(a.URL + "/casi/" + caso.String())
	if err != nil {
		t.Fatal(err)
	}
	if readBody(t, resp); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the former case manager on the case: %d", resp.StatusCode)
	}

	// To another ambito: by ISTAT code; the coordinatore loses the case.
	bo, _ := fixtures.New(t, a.d.pool).Ambito("ATS-BO", "Ambito di Bologna",
		accesso.Comune{CodiceISTAT: "037006", CodiceCatastale: "A944", Denominazione: "Bologna", Provincia: "BO", Regione: "Emilia-Romagna"})
	resp, body = post(url.Values{"versione": {"2"}, "comune": {"037006"}, "motivo": {"Trasferito a Bologna"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ambito di Bologna: dopo il trasferimento non vedrai più il caso") {
		t.Fatalf("no confirmation before the transfer to another ambito: %d", resp.StatusCode)
	}
	resp, _ = post(url.Values{"versione": {"2"}, "comune": {"037006"}, "motivo": {"Trasferito a Bologna"}, "conferma": {"1"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/assegnazioni?esito=trasferito" {
		t.Fatalf("transfer to another ambito: %d to %q", resp.StatusCode, loc)
	}
	if st, body := get(a.URL + "/assegnazioni?esito=trasferito"); st != 200 || !strings.Contains(body, "ora è nella bacheca del coordinatore che lo riceve") {
		t.Errorf("board after a transfer out: %d", st)
	}
	if st, _ := get(base); st != http.StatusNotFound {
		t.Errorf("the coordinatore still reaches the case sent to another ambito: %d", st)
	}
	if n := a.count(t, `SELECT count(*) FROM caso WHERE id = $1 AND ambito_id = $2 AND case_manager_id IS NULL`, caso, bo.ID); n != 1 {
		t.Error("the case is not in the other ambito")
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE caso_id = $1 AND oggetto_tipo = 'trasferimento' AND azione = 'scrittura'`, caso.String()); n != 2 {
		t.Errorf("%d transfers recorded, want 2", n)
	}
}
