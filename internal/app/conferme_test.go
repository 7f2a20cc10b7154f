package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cartella/cartella/internal/demo"
)

// Revoking an accreditation and moving every case of a case manager ask
// first, saying what will happen, and change nothing until confirmed
// (issue 21, point 7; the transfer and the removal of a comune are in
// their own tests).
func TestConfermePrimaDelleAzioniIrreversibili(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	post := func(c *http.Client, path string, form url.Values) (int, string) {
		t.Helper()
		resp, err := c.PostForm(a.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	cm2, _ := demo.AccountByUsername("casemanager2")
	var opID string
	var versione int
	if err := a.d.pool.QueryRow(t.Context(), `SELECT id::text, versione FROM operatore WHERE codice_fiscale = $1`, cm2.CodiceFiscale()).Scan(&opID, &versione); err != nil {
		t.Fatal(err)
	}

	co := a.client(t)
	a.login(t, co, "coordinatore", demo.Password)
	cm, _ := demo.AccountByUsername("casemanager")
	var da string
	_ = a.d.pool.QueryRow(t.Context(), `SELECT id::text FROM operatore WHERE codice_fiscale = $1`, cm.CodiceFiscale()).Scan(&da)
	tutti := url.Values{"da": {da}, "a": {opID}, "motivo_tutti": {"Trasferita ad altro servizio"}}
	st, body := post(co, "/assegnazioni/carichi", tutti)
	if st != 200 || !strings.Contains(body, "Riassegnare a") || !strings.Contains(body, "l&#39;unico caso aperto di Ferrari Giulia") {
		t.Errorf("riassegna tutti without confirmation: %d\n%s", st, body)
	}
	if n := a.count(t, `SELECT count(*) FROM caso WHERE id = $1 AND case_manager_id = $2`, caso, da); n != 1 {
		t.Error("reassigned before confirming")
	}

	amm := a.client(t)
	a.login(t, amm, "amministratore", demo.Password)
	revoca := url.Values{"azione": {"revoca"}, "stato_dal": {time.Now().Format("2006-01-02")}, "stato_motivo": {"Fine del contratto"},
		"versione": {strconv.Itoa(versione)}}
	st, body = post(amm, "/admin/operatori/"+opID+"/stato", revoca)
	if st != 200 || !strings.Contains(body, "Revocare l&#39;accreditamento di Luca Bassi?") || !strings.Contains(body, `value="Fine del contratto"`) {
		t.Errorf("revoca without confirmation: %d", st)
	}
	if n := a.count(t, `SELECT count(*) FROM operatore WHERE id = $1 AND stato = 'attivo'`, opID); n != 1 {
		t.Fatal("revoked before confirming")
	}
	revoca.Set("conferma", "1")
	if st, body := post(amm, "/admin/operatori/"+opID+"/stato", revoca); st != http.StatusOK || !strings.Contains(body, "Accreditamento revocato") {
		t.Errorf("confirmed revoca: %d", st)
	}
	if n := a.count(t, `SELECT count(*) FROM operatore WHERE id = $1 AND stato = 'revocato'`, opID); n != 1 {
		t.Error("not revoked after confirming")
	}

}
