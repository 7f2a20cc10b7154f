package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/demo"
	"github.com/cartella/cartella/internal/fixtures"
)

// The request's page over HTTP (internal/controlli, scheda): respcontrolli
// records a period (a wrong date first: 422 with the message, what was
// typed kept; a stale versione: 409), finalises; the case manager of the
// nucleo sees the esito and its date on the case page, not the motivazione;
// the case manager and the coordinatore PaIS are refused on the request.
func TestControlliScheda(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	fx := fixtures.New(t, a.d.pool)
	cm := fx.Demo()["casemanager"]
	oggi := calendario.Giorno(time.Now())
	c := fx.Caso(fixtures.NuovoCaso{IDDomanda: "INPS-CS-1", DataDomanda: oggi.AddDate(0, 0, -30), DataPAD: oggi.AddDate(0, 0, -30),
		CaseManager: cm, Membri: []fixtures.Membro{fixtures.Componente("", "Rossi", "Maria", "F", "1985-04-12", "richiedente")}})
	var cf string
	if err := a.d.pool.QueryRow(context.Background(), `SELECT codice_fiscale FROM persona WHERE id = $1`, c.Persone[0]).Scan(&cf); err != nil {
		t.Fatal(err)
	}
	var id uuid.UUID
	if err := a.d.pool.QueryRow(context.Background(), `INSERT INTO controllo_richiesta (id_richiesta, tipo, ambito_id, comune_id,
			codice_fiscale, cognome, nome, data_richiesta, data_riferimento, scadenza, id_domanda, caso_id, assegnatario, assegnata_il)
		SELECT 'R-HTTP-1', 'residenza', cm.ambito_id, cm.id, $1, 'Rossi', 'Maria', current_date - 5, current_date - 10, current_date + 55,
			'INPS-CS-1', $2, o.id, now()
		FROM comune cm, operatore o WHERE cm.codice_istat = '037011' AND o.codice_fiscale = $3 RETURNING id`,
		cf, c.ID, mustAccount(t, "respcontrolli")).Scan(&id); err != nil {
		t.Fatal(err)
	}
	page := a.URL + "/controlli/" + id.String()

	resp := a.client(t)
	a.login(t, resp, "respcontrolli", demo.Password)
	body := get(t, resp, page)
	if !strings.Contains(body, "INPS-CS-1") || !strings.Contains(body, `data-testid="valutazione"`) {
		t.Fatalf("page without the domanda or the evaluation")
	}
	post := func(path string, v url.Values) (int, string) {
		t.Helper()
		r, err := resp.PostForm(page+path, v)
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode, readBody(t, r)
	}
	st, body := post("/periodi", url.Values{"versione": {"1"}, "comune_istat": {"037011"}, "iscrizione": {"31/02/2015"}, "fonte": {"APR n. 12"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "non è una data valida") || !strings.Contains(body, "APR n. 12") {
		t.Fatalf("wrong date: %d", st)
	}
	if st, _ = post("/periodi", url.Values{"versione": {"7"}, "comune_istat": {"037011"}, "iscrizione": {"2015-02-01"}}); st != http.StatusConflict {
		t.Fatalf("stale versione: %d", st)
	}
	if st, body = post("/periodi", url.Values{"versione": {"1"}, "comune_istat": {"037011"}, "iscrizione": {"2015-02-01"}}); st != http.StatusOK || !strings.Contains(body, "Registrato.") {
		t.Fatalf("period: %d", st)
	}
	const motivazione = "Residente a Casalecchio di Reno dal 2015 senza interruzioni"
	if st, body = post("/esito", url.Values{"versione": {"2"}, "esito": {"positivo"}, "motivazione": {motivazione}}); st != http.StatusOK || !strings.Contains(body, "Esito finalizzato") {
		t.Fatalf("esito: %d", st)
	}
	if st, _ = post("/esito", url.Values{"versione": {"2"}, "esito": {"negativo"}, "motivazione": {"x"}}); st != http.StatusConflict {
		t.Fatalf("stale rectification: %d", st)
	}

	for _, u := range []string{"casemanager", "coordinatore"} {
		cl := a.client(t)
		a.login(t, cl, u, demo.Password)
		r, err := cl.Get(page)
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, r)
		if r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusNotFound {
			t.Errorf("%s on the request: %d", u, r.StatusCode)
		}
	}
	cl := a.client(t)
	a.login(t, cl, "casemanager", demo.Password)
	body = get(t, cl, a.URL+"/casi/"+c.ID.String())
	if !strings.Contains(body, "Controlli anagrafici") || !strings.Contains(body, "Residenza: positivo del "+calendario.Data(oggi)) {
		i := strings.Index(body, "Controlli anagrafici")
		t.Errorf("case page without the esito: %q", body[max(i-200, 0):min(i+600, len(body))])
	}
	if strings.Contains(body, motivazione) || strings.Contains(body, "R-HTTP-1") {
		t.Error("case page shows the controllo's content")
	}
}

func mustAccount(t *testing.T, username string) string {
	t.Helper()
	acc, ok := demo.AccountByUsername(username)
	if !ok {
		t.Fatal(username)
	}
	return acc.CodiceFiscale()
}
