package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/demo"
)

// Logins, refused logins and logouts are in the register, with the role and
// scope acted in, the request id and the client address.
func TestAuthEventsAreRegistered(t *testing.T) {
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
// the record, when one was altered behind the triggers' back.
func TestAuditVerifyCommand(t *testing.T) {
	a := startApp(t)
	for i := 0; i < 3; i++ {
		a.login(t, a.client(t), "casemanager", demo.Password)
	}
	dsn := a.d.pool.Config().ConnString()
	env := func(k string) string { return map[string]string{"DATABASE_URL": dsn}[k] }
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"cartella", "audit", "verify"}, env, &out, &out); err != nil {
		t.Fatalf("intact register: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "3 registrazioni") || !strings.Contains(out.String(), "catena integra") {
		t.Errorf("output: %s", out.String())
	}
	a.exec(t, `ALTER TABLE registro_accessi DISABLE TRIGGER registro_accessi_no_update_delete`)
	a.exec(t, `DELETE FROM registro_accessi WHERE id = (SELECT min(id) + 1 FROM registro_accessi)`)
	out.Reset()
	err := Run(context.Background(), []string{"cartella", "audit", "verify"}, env, &out, &out)
	if err == nil || !strings.Contains(out.String(), "collegamento interrotto") {
		t.Fatalf("tampered register: err %v\n%s", err, out.String())
	}
}
