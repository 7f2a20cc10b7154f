package app

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"

	inpswaas "github.com/cartella/cartella/docs/specs/inps-waas"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/pdnd"
	"github.com/cartella/cartella/internal/prestazioni"
	"github.com/cartella/cartella/internal/registro"
)

// contratto checks the e-service's calls and answers against INPS's
// api-comuni.yaml with kin-openapi (ADR 0022): every request the test
// client sends and every response the server gives.
type contratto struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
}

func nuovoContratto(t *testing.T) *contratto {
	t.Helper()
	ctx := context.Background()
	l := openapi3.NewLoader()
	doc, err := l.LoadFromData(inpswaas.APIComuni)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("api-comuni.yaml: %v", err)
	}
	rt, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contratto{t: t, doc: doc, router: rt}
}

// verifica validates req (its body reqBody) and the response (status,
// header, body) against the yaml.
func (c *contratto) verifica(req *http.Request, reqBody []byte, resp *http.Response, body []byte) {
	c.t.Helper()
	ctx := context.Background()
	// The yaml's server is https://api.example.com/waas/v1: the same path
	// and query on it.
	u, _ := url.Parse("https://api.example.com" + req.URL.RequestURI())
	sreq := req.Clone(ctx)
	sreq.URL, sreq.Host = u, u.Host
	sreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	route, params, err := c.router.FindRoute(sreq)
	if err != nil {
		c.t.Fatalf("%s %s: not in api-comuni.yaml: %v", req.Method, req.URL.Path, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true,
		MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: sreq, PathParams: params, Route: route, Options: opts}
	if resp.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.t.Errorf("%s %s: the request does not match api-comuni.yaml: %v", req.Method, req.URL, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.t.Errorf("%s %s → %d: the response does not match api-comuni.yaml: %v\n%s", req.Method, req.URL, resp.StatusCode, err, body)
	}
}

// problema checks that a refusal the yaml does not list for the operation
// (401, 403) is still its Problem, in application/problem+json, and
// returns it.
func (c *contratto) problema(resp *http.Response, body []byte) map[string]any {
	c.t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		c.t.Errorf("refusal %d with Content-Type %q", resp.StatusCode, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		c.t.Fatalf("refusal %d not JSON: %s", resp.StatusCode, body)
	}
	if err := c.doc.Components.Schemas["Problem"].Value.VisitJSON(v); err != nil {
		c.t.Errorf("refusal %d not a Problem: %v", resp.StatusCode, err)
	}
	return v
}

// inps is an INPS-like client of the e-service.
type inps struct {
	t     *testing.T
	base  string
	token string
	c     *contratto
}

func (x *inps) chiama(method, path string, body []byte) (*http.Response, []byte) {
	x.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, _ := http.NewRequest(method, x.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if x.token != "" {
		req.Header.Set("Authorization", "Bearer "+x.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		x.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if x.c != nil {
		x.c.verifica(req, body, resp, b)
	}
	return resp, b
}

type flussoRicevuto struct {
	CodiceEnte        string `json:"codice_ente"`
	DenominazioneEnte string `json:"denominazione_ente"`
	IDFlusso          string `json:"id_flusso"`
	TSFlusso          string `json:"ts_flusso"`
	Tipo              string `json:"tipo"`
	Flusso            []byte `json:"flusso"`
}

// poll is one GET /flussi.
func (x *inps) poll(since int64, limit int) []flussoRicevuto {
	x.t.Helper()
	resp, b := x.chiama("GET", "/waas/v1/flussi?since="+strconv.FormatInt(since, 10)+"&limit="+strconv.Itoa(limit), nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		x.t.Fatalf("GET /flussi: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var out struct {
		Elenco []flussoRicevuto `json:"elenco_flussi"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Elenco == nil {
		x.t.Fatalf("GET /flussi: %v\n%s", err, b)
	}
	return out.Elenco
}

// tutti polls from since, limit at a time, as INPS does, until the list is
// empty; since moves to the last ts_flusso received.
func (x *inps) tutti(since *int64, limit int) []flussoRicevuto {
	x.t.Helper()
	var all []flussoRicevuto
	for range 50 {
		fl := x.poll(*since, limit)
		if len(fl) == 0 {
			return all
		}
		if len(fl) > limit {
			x.t.Fatalf("limit %d, got %d", limit, len(fl))
		}
		for _, f := range fl {
			ts, err := time.Parse(time.RFC3339Nano, f.TSFlusso)
			if err != nil {
				x.t.Fatalf("ts_flusso %q: %v", f.TSFlusso, err)
			}
			if ts.UnixMilli() <= *since {
				x.t.Fatalf("flow %s at %s not after since %d", f.IDFlusso, f.TSFlusso, *since)
			}
			*since = ts.UnixMilli()
		}
		all = append(all, fl...)
	}
	x.t.Fatal("GET /flussi never ended")
	return nil
}

func validaXSD(t *testing.T, x []byte) {
	t.Helper()
	cmd := exec.Command("xmllint", "--noout", "--nonet", "--schema", filepath.Join("..", "..", "docs", "specs", "inps-waas", "PS_PSA_SINA201812.xsd"), "-")
	cmd.Stdin = bytes.NewReader(x)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("flow not valid against PS_PSA_SINA201812.xsd: %v\n%s\n%s", err, out, x)
	}
}

// voucher obtains a voucher from the demo PDND server as the INPS client
// does: a client assertion signed with its key.
func voucher(t *testing.T, a *testApp) string {
	t.Helper()
	ass, err := a.d.pdndDemo.Asserzione()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(a.URL+"/demo-pdnd/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {pdnd.DemoClientID},
		"client_assertion": {ass}, "client_assertion_type": {pdnd.AssertionType}})
	if err != nil {
		t.Fatal(err)
	}
	b := readBody(t, resp)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &tok) != nil || tok.TokenType != "Bearer" || tok.ExpiresIn <= 0 || tok.AccessToken == "" {
		t.Fatalf("POST /demo-pdnd/token: %d %s", resp.StatusCode, b)
	}
	return tok.AccessToken
}

// TestWaaSContratto is INPS polling the demo's flows (issue 18, points 3, 4,
// 6): a voucher from the demo PDND server, GET /flussi from since=0 two at a
// time, every flow decoded and valid against INPS's schema, esiti (OK and
// RICHIESTA_INVALIDA) posted, nothing new on the next poll; a correction
// then comes as a C followed by an I; the case manager reads INPS's
// description on the case. Every request and response is checked against
// api-comuni.yaml.
func TestWaaSContratto(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is not installed: run `make xmllint` (ADR 0020)")
	}
	a := startApp(t)
	ctx := context.Background()
	if err := caricaDemo(ctx, a.d, demo.NucleiPredefiniti, slog.New(slog.NewJSONHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	x := &inps{t: t, base: a.URL, c: nuovoContratto(t), token: voucher(t, a)}

	// Status.
	if resp, b := x.chiama("GET", "/waas/v1/status", nil); resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("GET /status: %d %s", resp.StatusCode, b)
	}

	// Every flow, from the first acquisition.
	var since int64
	fl := x.tutti(&since, 2)
	var tipi strings.Builder
	for _, f := range fl {
		if f.Tipo != "PS_PSA_SINA" || f.CodiceEnte != demo.Comuni[0].CodiceCatastale || !strings.HasPrefix(f.IDFlusso, demo.Comuni[0].CodiceCatastale+".PS.") {
			t.Errorf("flow %+v", f)
		}
		validaXSD(t, f.Flusso)
		tipi.WriteString(tipoOperazione(t, f.Flusso))
	}
	if tipi.String() != "IIICI" {
		t.Fatalf("flows offered: %q, want the demo's IIICI", tipi.String())
	}
	if n := a.count(t, `SELECT count(*) FROM prestazione_flusso WHERE stato = 'offerto' AND offerto_il IS NOT NULL`); n != 5 {
		t.Fatalf("%d flows marked offerto, want 5", n)
	}
	// Nothing is offered twice.
	if got := x.poll(since, 100); len(got) != 0 {
		t.Fatalf("after the last flow: %d flows", len(got))
	}
	// since at the millisecond of a flow: only the later ones.
	ts2, _ := time.Parse(time.RFC3339Nano, fl[1].TSFlusso)
	if got := x.poll(ts2.UnixMilli(), 100); len(got) != 3 || got[0].IDFlusso != fl[2].IDFlusso {
		t.Fatalf("since the second flow's ts: %d flows", len(got))
	}
	if got := x.poll(ts2.UnixMilli()-1, 100); len(got) != 4 || got[0].IDFlusso != fl[1].IDFlusso {
		t.Fatalf("since one ms before the second flow: %d flows", len(got))
	}

	// The outcomes: the first three acquired, the last two refused.
	motivo := "In cooperazione è possibile inviare solo un beneficiario e una prestazione sociale"
	var es []map[string]string
	for i, f := range fl {
		e := map[string]string{"id_flusso": f.IDFlusso, "ts_flusso": f.TSFlusso, "ts_acquisizione": time.Now().UTC().Format(time.RFC3339Nano),
			"tipo": f.Tipo, "codice_esito": "OK", "id_acquisizione_siuss": strconv.Itoa(22738 + i)}
		if i >= 3 {
			e["codice_esito"], e["descrizione_esito"] = "RICHIESTA_INVALIDA", motivo
			delete(e, "id_acquisizione_siuss")
		}
		es = append(es, e)
	}
	body, _ := json.Marshal(map[string]any{"elenco_esiti": es})
	if resp, b := x.chiama("POST", "/waas/v1/esiti", body); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /esiti: %d %s", resp.StatusCode, b)
	}
	// Sent again (INPS retries): the same answer, nothing changes.
	if resp, b := x.chiama("POST", "/waas/v1/esiti", body); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /esiti again: %d %s", resp.StatusCode, b)
	}
	if n := a.count(t, `SELECT count(*) FROM prestazione_flusso WHERE stato = 'acquisito' AND codice_esito = 'OK' AND id_acquisizione_siuss <> ''`); n != 3 {
		t.Fatalf("%d flows acquisito, want 3", n)
	}
	if n := a.count(t, `SELECT count(*) FROM prestazione_flusso WHERE stato = 'scartato' AND codice_esito = 'RICHIESTA_INVALIDA' AND descrizione_esito = $1`, motivo); n != 2 {
		t.Fatalf("%d flows scartato with INPS's description, want 2", n)
	}
	if got := x.poll(since, 10); len(got) != 0 {
		t.Fatalf("after the esiti: %d new flows", len(got))
	}

	// The case manager reads INPS's description on the case.
	var casoID uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT caso_id FROM prestazione_flusso WHERE stato = 'scartato' LIMIT 1`).Scan(&casoID); err != nil {
		t.Fatal(err)
	}
	cm := a.client(t)
	a.login(t, cm, "casemanager", demo.Password)
	resp, err := cm.Get(a.URL + "/casi/" + casoID.String() + "/prestazioni")
	if err != nil {
		t.Fatal(err)
	}
	if page := readBody(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(page, "scartato da INPS") || !strings.Contains(page, "In cooperazione è possibile inviare solo un beneficiario") {
		t.Fatalf("case page %d without INPS's outcome", resp.StatusCode)
	}

	// The operatore ATS monitors them at /siuss: states and INPS's reason,
	// never the person.
	ats := a.client(t)
	a.login(t, ats, "operatoreats", demo.Password)
	siuss := func(q string) string {
		t.Helper()
		resp, err := ats.Get(a.URL + "/siuss" + q)
		if err != nil {
			t.Fatal(err)
		}
		page := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /siuss%s: %d", q, resp.StatusCode)
		}
		return page
	}
	// Their home counts the refused flows, linked to the list.
	resp, err = ats.Get(a.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if home := readBody(t, resp); !strings.Contains(home, "flussi SIUSS scartati da INPS") || !strings.Contains(home, `href="/siuss?stato=scartato"`) {
		t.Error("the operatore ATS's home does not count the refused flows")
	}
	page := siuss("")
	for _, want := range []string{`data-testid="conteggio-acquisito">3<`, `data-testid="conteggio-scartato">2<`, fl[0].IDFlusso, fl[4].IDFlusso, `tabindex="0"`} {
		if !strings.Contains(page, want) {
			t.Errorf("/siuss without %q", want)
		}
	}
	rows, err := a.d.pool.Query(ctx, `SELECT pe.cognome, pe.codice_fiscale FROM prestazione p JOIN persona pe ON pe.id = p.persona_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var cognome, cf string
		if err := rows.Scan(&cognome, &cf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(page, cognome) || strings.Contains(page, cf) {
			t.Errorf("/siuss shows a beneficiary (%s)", cognome)
		}
	}
	rows.Close()
	if strings.Contains(page, "/prestazioni/flussi/") {
		t.Error("/siuss links a flow's XML")
	}
	if page := siuss("?stato=scartato"); strings.Count(page, `data-testid="flusso"`) != 2 || !strings.Contains(page, motivo) {
		t.Errorf("/siuss?stato=scartato: %d rows", strings.Count(page, `data-testid="flusso"`))
	}
	if page := siuss("?tipo=C&q=" + url.QueryEscape(fl[3].IDFlusso)); strings.Count(page, `data-testid="flusso"`) != 1 {
		t.Errorf("/siuss by id_flusso: %d rows", strings.Count(page, `data-testid="flusso"`))
	}
	if resp, err := ats.Get(a.URL + "/casi/" + casoID.String() + "/prestazioni"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("operatoreats on the case's prestazioni: %v %v", err, resp.StatusCode)
	}
	if resp, err := cm.Get(a.URL + "/siuss"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("casemanager on /siuss: %v %v", err, resp.StatusCode)
	}

	// A correction: a C then an I, after the last since.
	ps, err := demo.Principals(ctx, a.d.accesso)
	if err != nil {
		t.Fatal(err)
	}
	var prestID uuid.UUID
	if err := a.d.pool.QueryRow(ctx, `SELECT prestazione_id FROM prestazione_flusso WHERE id_flusso = $1`, fl[0].IDFlusso).Scan(&prestID); err != nil {
		t.Fatal(err)
	}
	sc, err := a.d.prestaz.Scheda(ctx, ps["casemanager"], mustCaso(t, a, prestID), registro.Voce{Indirizzo: "test"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sc.Trova(prestID)
	if err != nil {
		t.Fatal(err)
	}
	m := prestazioni.ModuloDa(p)
	m.ProtocolloDomanda = "PG/RETTIFICA/1"
	if err := a.d.prestaz.Correggi(ctx, ps["casemanager"], sc.Caso.ID, prestID, m, registro.Voce{Indirizzo: "test"}); err != nil {
		t.Fatal(err)
	}
	nuovi := x.tutti(&since, 10)
	if len(nuovi) != 2 || tipoOperazione(t, nuovi[0].Flusso) != "C" || tipoOperazione(t, nuovi[1].Flusso) != "I" {
		t.Fatalf("the correction: %d flows", len(nuovi))
	}
	for _, f := range nuovi {
		validaXSD(t, f.Flusso)
	}

	// Every call is in the registro with the consumer.
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE ruolo = 'fruitore_pdnd' AND dettaglio LIKE 'fruitore demo-inps:%'`); n < 10 {
		t.Fatalf("%d e-service calls in the registro", n)
	}
}

func mustCaso(t *testing.T, a *testApp, prestID uuid.UUID) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := a.d.pool.QueryRow(context.Background(), `SELECT caso_id FROM prestazione WHERE id = $1`, prestID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func tipoOperazione(t *testing.T, x []byte) string {
	t.Helper()
	i := bytes.Index(x, []byte(`TipoOperazione="`))
	if i < 0 {
		t.Fatalf("flow without TipoOperazione:\n%s", x)
	}
	return string(x[i+len(`TipoOperazione="`)])
}

// TestWaaSParametri: bad parameters and bodies answer 400 problem+json as
// the yaml says; the curl-only voucher works.
func TestWaaSParametri(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	// The demo-only client secret, as the README's curl does.
	resp, err := http.PostForm(a.URL+"/demo-pdnd/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo-inps"}, "client_secret": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if b := readBody(t, resp); resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(b), &tok) != nil {
		t.Fatalf("token with the demo secret: %d %s", resp.StatusCode, b)
	}
	for _, f := range []url.Values{
		{"grant_type": {"client_credentials"}, "client_id": {"demo-inps"}, "client_secret": {"sbagliato"}},
		{"grant_type": {"password"}, "client_id": {"demo-inps"}, "client_secret": {"demo"}},
		{"grant_type": {"client_credentials"}, "client_assertion": {"x.y.z"}, "client_assertion_type": {pdnd.AssertionType}},
	} {
		resp, err := http.PostForm(a.URL+"/demo-pdnd/token", f)
		if err != nil {
			t.Fatal(err)
		}
		if b := readBody(t, resp); resp.StatusCode < 400 || strings.Contains(b, "access_token") {
			t.Errorf("token with %v: %d %s", f, resp.StatusCode, b)
		}
	}
	x := &inps{t: t, base: a.URL, c: nuovoContratto(t), token: tok.AccessToken}
	for _, q := range []string{"", "?limit=5", "?since=", "?since=-1", "?since=abc", "?since=1.5", "?since=0&limit=101", "?since=0&limit=-1", "?since=0&limit=x"} {
		resp, b := x.chiama("GET", "/waas/v1/flussi"+q, nil)
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("GET /flussi%s: %d %s", q, resp.StatusCode, b)
		}
	}
	// A path or a method the yaml does not have: problem+json too.
	x.c = nil
	if resp, b := x.chiama("GET", "/waas/v1/nulla", nil); resp.StatusCode != http.StatusNotFound || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /waas/v1/nulla: %d %s", resp.StatusCode, b)
	}
	if resp, b := x.chiama("DELETE", "/waas/v1/flussi", nil); resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("DELETE /waas/v1/flussi: %d %s", resp.StatusCode, b)
	}
	x.c = nuovoContratto(t)
	// HEAD is not in the yaml: it would mark flows offered that nobody got.
	req, _ := http.NewRequest("HEAD", a.URL+"/waas/v1/flussi?since=0", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("HEAD /flussi: %v %v", err, resp)
	}
	// Valid: nothing in a fresh database, a since far in the future, limit 0.
	for _, q := range []string{"?since=0", "?since=0&limit=0", "?since=0&limit=100", "?since=253402300800000", "?since=9223372036854775807"} {
		if resp, b := x.chiama("GET", "/waas/v1/flussi"+q, nil); resp.StatusCode != http.StatusOK || string(b) != `{"elenco_flussi":[]}` {
			t.Errorf("GET /flussi%s: %d %s", q, resp.StatusCode, b)
		}
	}
	for _, b := range []string{`[]`, `{"altro":1}`, `{"elenco_esiti":[{"id_flusso":"X"}]}`,
		`{"elenco_esiti":[{"id_flusso":"X","tipo":"PS_PSA_SINA","ts_flusso":"ieri","ts_acquisizione":"2023-11-27T11:04:56.852Z","codice_esito":"OK"}]}`,
		`{"elenco_esiti":[{"id_flusso":"X","tipo":"PS_PSA_SINA","ts_flusso":"2023-11-27T11:04:56.852Z","ts_acquisizione":"2023-11-27T11:04:56.852Z","codice_esito":"FORSE"}]}`,
		`{"elenco_esiti":[{"id_flusso":"X\u0000","tipo":"PS_PSA_SINA","ts_flusso":"2023-11-27T11:04:56.852Z","ts_acquisizione":"2023-11-27T11:04:56.852Z","codice_esito":"OK"}]}`,
		"{\"elenco_esiti\":[{\"id_flusso\":\"\xff\"}]}"} {
		if resp, out := x.chiama("POST", "/waas/v1/esiti", []byte(b)); resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("POST /esiti %s: %d %s", b, resp.StatusCode, out)
		}
	}
}

// TestWaaSVoucher: calls without a voucher, with an expired one, one for
// another audience, from another issuer, with a bad signature, alg none or
// HS256, or of another consumer are refused, 401 or 403, with no detail,
// and recorded.
func TestWaaSVoucher(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := nuovoContratto(t)
	dem := a.d.pdndDemo
	now := time.Now()
	claims := func(mod func(*jwt.Claims, map[string]any)) (jwt.Claims, map[string]any) {
		std := jwt.Claims{Issuer: dem.Issuer(), Subject: pdnd.DemoClientID, Audience: jwt.Audience{a.URL + "/waas/v1"}, ID: "t",
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute))}
		ext := map[string]any{"client_id": pdnd.DemoClientID, "purposeId": "p"}
		if mod != nil {
			mod(&std, ext)
		}
		return std, ext
	}
	firmato := func(mod func(*jwt.Claims, map[string]any)) string {
		std, ext := claims(mod)
		s, err := dem.Firma(std, ext)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// A good voucher works.
	good := firmato(nil)
	x := &inps{t: t, base: a.URL, c: c, token: good}
	if resp, b := x.chiama("GET", "/waas/v1/flussi?since=0", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("good voucher: %d %s", resp.StatusCode, b)
	}
	// Signed by another key under the demo server's kid.
	ks, _ := dem.KeySet(context.Background(), false)
	altra, _ := rsa.GenerateKey(rand.Reader, 2048)
	std, ext := claims(nil)
	sig, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: altra}, (&jose.SignerOptions{}).WithHeader("kid", ks.Keys[0].KeyID))
	falsa, _ := jwt.Signed(sig).Claims(std).Claims(ext).Serialize()
	// HS256 with the public key's modulus as secret (the classic confusion).
	hs, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: ks.Keys[0].Key.(*rsa.PublicKey).N.Bytes()},
		(&jose.SignerOptions{}).WithHeader("kid", ks.Keys[0].KeyID))
	hmac, _ := jwt.Signed(hs).Claims(std).Claims(ext).Serialize()
	// alg none: the good voucher's payload, no signature.
	parti := strings.Split(good, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"at+jwt","kid":"`+ks.Keys[0].KeyID+`"}`)) + "." + parti[1] + "."
	// The signature of another voucher.
	altroSig := parti[0] + "." + parti[1] + "." + strings.Split(firmato(func(c *jwt.Claims, _ map[string]any) { c.ID = "u" }), ".")[2]

	casi := []struct {
		nome   string
		header string
		status int
	}{
		{"no voucher", "", 401},
		{"not bearer", "Basic ZGVtby1pbnBzOmRlbW8=", 401},
		{"garbage", "Bearer abc", 401},
		{"expired", "Bearer " + firmato(func(c *jwt.Claims, _ map[string]any) {
			c.IssuedAt, c.NotBefore, c.Expiry = jwt.NewNumericDate(now.Add(-time.Hour)), jwt.NewNumericDate(now.Add(-time.Hour)), jwt.NewNumericDate(now.Add(-2*time.Minute))
		}), 401},
		{"not yet valid", "Bearer " + firmato(func(c *jwt.Claims, _ map[string]any) { c.NotBefore = jwt.NewNumericDate(now.Add(10 * time.Minute)) }), 401},
		{"issued in the future", "Bearer " + firmato(func(c *jwt.Claims, _ map[string]any) { c.IssuedAt = jwt.NewNumericDate(now.Add(10 * time.Minute)) }), 401},
		{"without exp", "Bearer " + firmato(func(c *jwt.Claims, _ map[string]any) { c.Expiry = nil }), 401},
		{"foreign audience", "Bearer " + firmato(func(c *jwt.Claims, _ map[string]any) { c.Audience = jwt.Audience{"https://altro.example/waas/v1"} }), 401},
		{"other issuer", "Bearer " + firmato(func(c *jwt.Claims, _ map[string]any) { c.Issuer = "https://falso.example" }), 401},
		{"bad signature (another key)", "Bearer " + falsa, 401},
		{"bad signature (another voucher's)", "Bearer " + altroSig, 401},
		{"alg none", "Bearer " + none, 401},
		{"HS256", "Bearer " + hmac, 401},
		{"wrong consumer", "Bearer " + firmato(func(_ *jwt.Claims, e map[string]any) { e["client_id"] = "altro-fruitore" }), 403},
		{"no consumer", "Bearer " + firmato(func(_ *jwt.Claims, e map[string]any) { delete(e, "client_id") }), 403},
	}
	for _, tc := range casi {
		for _, path := range []string{"/waas/v1/flussi?since=0", "/waas/v1/status"} {
			req, _ := http.NewRequest("GET", a.URL+path, nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.nome, path, resp.StatusCode, tc.status)
				continue
			}
			p := c.problema(resp, b)
			if _, ok := p["detail"]; ok {
				t.Errorf("%s: the refusal says why: %s", tc.nome, b)
			}
		}
	}
	// The esiti too.
	req, _ := http.NewRequest("POST", a.URL+"/waas/v1/esiti", strings.NewReader(`{"elenco_esiti":[]}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST /esiti without voucher: %v %v", err, resp)
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE ruolo = 'fruitore_pdnd' AND azione = 'accesso_negato' AND esito = 'negato'`); n < 2*len(casi) {
		t.Fatalf("%d refused calls in the registro, want %d", n, 2*len(casi)+1)
	}
	if n := a.count(t, `SELECT count(*) FROM registro_accessi WHERE ruolo = 'fruitore_pdnd' AND dettaglio LIKE 'fruitore altro-fruitore:%'`); n != 2 {
		t.Fatalf("the wrong consumer's calls in the registro: %d", n)
	}
}
