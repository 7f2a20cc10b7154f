package app

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/dbtest"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/registro"
)

// Logins, refused logins and logouts are in the register, with the role and
// scope acted in, the request id and the client address.
func TestAuthEventsAreRegistered(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.client(t)
	a.login(t, c, "casemanager", demo.Password)
	resp, err := c.PostForm(a.URL+"/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	a.login(t, a.client(t), "RSSMRA85T10A562S", demo.Password)

	acc, _ := demo.AccountByUsername("casemanager")
	rows, err := a.d.pool.Query(context.Background(), `
		SELECT r.azione, r.esito, r.ruolo, r.comune_id IS NOT NULL, r.request_id <> '', r.indirizzo, r.dettaglio,
		       COALESCE(o.codice_fiscale, '')
		FROM registro_accessi r LEFT JOIN operatore o ON o.id = r.operatore_id ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var azione, esito, ruolo, indirizzo, dettaglio, cf string
		var comune, rid bool
		if err := rows.Scan(&azione, &esito, &ruolo, &comune, &rid, &indirizzo, &dettaglio, &cf); err != nil {
			t.Fatal(err)
		}
		if !rid || indirizzo != "127.0.0.1" {
			t.Errorf("%s: request id %v, address %q", azione, rid, indirizzo)
		}
		got = append(got, strings.Join([]string{azione, esito, ruolo, map[bool]string{true: "comune", false: "-"}[comune], dettaglio, map[bool]string{true: "operatore", false: "-"}[cf == acc.CodiceFiscale()]}, " "))
	}
	want := []string{
		"login consentito case_manager comune  operatore",
		"logout consentito case_manager comune  operatore",
		"login_negato negato  - non accreditato -",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("register:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// `cartella audit verify` passes on an intact register and fails, naming
// the record, when one was forged through the application's own database
// role (which cannot change or remove one, nor disable the triggers), or
// altered by the owner behind the triggers' back; `audit checkpoint`
// writes a signed line that verify compares later.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	for i := 0; i < 3; i++ {
		a.login(t, a.client(t), "casemanager", demo.Password)
	}
	dsn := a.d.pool.Config().ConnString()
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "REGISTRO_CHIAVE_FILE": chiaveTest}[k]
	}
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := Run(context.Background(), append([]string{"cartella", "audit"}, args...), env, &out, &out)
		return out.String(), err
	}
	punti := filepath.Join(t.TempDir(), "punti.log")
	if out, err := run("checkpoint", punti); err != nil {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}
	out, err := run("verify", "--punti", punti)
	if err != nil {
		t.Fatalf("intact register: %v\n%s", err, out)
	}
	if !strings.Contains(out, "3 registrazioni (3 sigillate") || !strings.Contains(out, "catena integra") ||
		!strings.Contains(out, "punti di controllo confrontati: 1") {
		t.Errorf("output: %s", out)
	}

	// The application's role: no UPDATE, no DELETE, no triggers off.
	for _, stmt := range []string{
		`UPDATE registro_accessi SET dettaglio = 'x'`,
		`DELETE FROM registro_accessi`,
		`ALTER TABLE registro_accessi DISABLE TRIGGER registro_accessi_no_update_delete`,
	} {
		if _, err := a.d.pool.Exec(context.Background(), stmt); err == nil {
			t.Errorf("the application's role may: %s", stmt)
		}
	}
	// What it can do: insert a record of an access that never happened.
	a.exec(t, `INSERT INTO registro_accessi (registrato_il, operatore_id, ruolo, ambito_id, azione, oggetto_tipo, oggetto_id,
			esito, nonce, mac)
		SELECT registrato_il, operatore_id, ruolo, ambito_id, 'lettura', 'caso', 'un caso mai letto', esito, nonce, sha256(mac)
		FROM registro_accessi ORDER BY id LIMIT 1`)
	falso := a.count(t, `SELECT id FROM registro_accessi WHERE oggetto_id = 'un caso mai letto'`)
	out, err = run("verify")
	if err == nil || !strings.Contains(out, fmt.Sprintf("registrazione %d: contenuto alterato o registrazione falsa", falso)) {
		t.Fatalf("forged record: err %v\n%s", err, out)
	}

	// The owner, behind the triggers: a record removed.
	owner := dbtest.Proprietario(t, a.d.pool)
	for _, stmt := range []string{
		`ALTER TABLE registro_accessi DISABLE TRIGGER USER`,
		`DELETE FROM registro_accessi WHERE id = (SELECT min(id) + 1 FROM registro_accessi)`,
		`ALTER TABLE registro_accessi ENABLE TRIGGER USER`,
	} {
		if _, err := owner.Exec(context.Background(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	out, err = run("verify", "--punti", punti)
	if err == nil || !strings.Contains(out, "registrazione rimossa") {
		t.Fatalf("tampered register: err %v\n%s", err, out)
	}
}

// The amministratore di ambito reads the register of their ambito, filters
// it, and exports it as CSV; looking and exporting are recorded too.
func TestRegistroViewerAndExport(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	a.login(t, a.client(t), "casemanager", demo.Password)
	a.login(t, a.client(t), "casemanager2", demo.Password)
	a.login(t, a.client(t), "ministero", demo.Password) // no ambito: not in the ambito's register
	// A record with a value a spreadsheet would run as a formula.
	var ambito int64
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id FROM ambito WHERE codice = 'ATS-DEMO'`).Scan(&ambito); err != nil {
		t.Fatal(err)
	}
	if err := a.d.registro.Record(context.Background(), registro.Voce{Ruolo: "x", AmbitoID: &ambito, Azione: registro.Lettura,
		Esito: registro.Consentito, Dettaglio: `=HYPERLINK("http://evil")`}); err != nil {
		t.Fatal(err)
	}
	c := a.client(t)
	a.login(t, c, "amministratore", demo.Password)

	get := func(path string) (int, string) {
		resp, err := c.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	status, body := get("/admin/registro")
	if status != 200 || strings.Count(body, "<tr>") < 4 {
		t.Fatalf("viewer: %d, %d rows", status, strings.Count(body, "<tr>")-1)
	}
	for _, want := range []string{"Ferrari Giulia", "Bassi Luca", "Amministri Andrea", "Accesso"} {
		if !strings.Contains(body, want) {
			t.Errorf("viewer lacks %q", want)
		}
	}
	if strings.Contains(body, "Ministeri") {
		t.Error("the viewer shows an access from outside the ambito")
	}
	cm, _ := demo.AccountByUsername("casemanager")
	var cmID string
	if err := a.d.pool.QueryRow(context.Background(), `SELECT id::text FROM operatore WHERE codice_fiscale = $1`, cm.CodiceFiscale()).Scan(&cmID); err != nil {
		t.Fatal(err)
	}
	_, body = get("/admin/registro?operatore=" + cmID + "&azione=login")
	if i := strings.Index(body, `data-testid="registro"`); i > 0 {
		body = body[i:]
	}
	if strings.Count(body, "<tr>") != 2 || !strings.Contains(body, "Ferrari Giulia") || strings.Contains(body, "Bassi Luca") {
		t.Errorf("filter by operator and action: %d rows", strings.Count(body, "<tr>")-1)
	}
	status, body = get("/admin/registro?dal=2026-13-45")
	if status != 422 || !strings.Contains(body, "Data non valida") {
		t.Errorf("bad date: %d", status)
	}

	resp, err := c.Get(a.URL + "/admin/registro/esporta")
	if err != nil {
		t.Fatal(err)
	}
	csv := readBody(t, resp)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv, "\ufeffid;data e ora;operatore") {
		t.Fatalf("export: %s\n%.200s", resp.Header.Get("Content-Type"), csv)
	}
	if !strings.Contains(csv, "Ferrari Giulia") || !strings.Contains(csv, `'=HYPERLINK`) {
		t.Errorf("export content:\n%s", csv)
	}
	var n int
	_ = a.d.pool.QueryRow(context.Background(), `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'registro' AND azione IN ('lettura', 'esportazione')`).Scan(&n)
	if n != 4 { // three views (one refused for its date) and one export
		t.Errorf("%d records of reading/exporting the register, want 4", n)
	}
}

// The viewer and its export speak in words and case numbers: roles by
// name, objects by kind, a case by its number, never "case_manager",
// "quadro_analisi" or a uuid on screen; the filter takes the case number
// as printed (issue 21, point 4).
func TestRegistroInParole(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	caso, _ := casoIncontri(t, a)
	cm := a.client(t)
	a.login(t, cm, "casemanager", demo.Password)
	resp, err := cm.Get(a.URL + "/casi/" + caso.String())
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, resp)
	var numero int64
	if err := a.d.pool.QueryRow(context.Background(), `SELECT numero FROM caso WHERE id = $1`, caso).Scan(&numero); err != nil {
		t.Fatal(err)
	}
	codice := fmt.Sprintf("C-%06d", numero)
	c := a.client(t)
	a.login(t, c, "amministratore", demo.Password)
	get := func(path string) (int, string) {
		resp, err := c.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readBody(t, resp)
	}
	for _, q := range []string{"", "?caso=" + codice, "?caso=" + strings.ToLower(codice), fmt.Sprintf("?caso=%d", numero)} {
		status, body := get("/admin/registro" + q)
		if i := strings.Index(body, `data-testid="registro"`); i > 0 {
			body = body[i:]
		}
		if status != 200 || !strings.Contains(body, codice) || !strings.Contains(body, "Case manager") {
			t.Errorf("%q: %d, the case %s or the role in words missing", q, status, codice)
		}
		for _, code := range []string{caso.String(), "case_manager", "amministratore_ambito"} {
			if strings.Contains(body, code) {
				t.Errorf("%q: the viewer shows the code %q", q, code)
			}
		}
	}
	// Another number: nothing, and nothing said about it.
	if status, body := get("/admin/registro?caso=C-999999"); status != 200 || !strings.Contains(body, "Nessuna registrazione") {
		t.Errorf("unknown case number: %d", status)
	}
	_, csv := get("/admin/registro/esporta?caso=" + codice)
	lines := strings.Split(strings.TrimSpace(csv), "\n")
	if len(lines) < 2 || !strings.Contains(lines[1], ";Case manager;") || !strings.Contains(lines[1], ";"+codice+";") {
		t.Errorf("export in words:\n%s", csv)
	}
}
