package incontri_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/calendario"
)

// The first convocazione of an assigned case moves it to "convocato", with
// the change in the case's history and the write in the registro; a
// second one changes nothing more.
func TestConvocazioneMovesToConvocato(t *testing.T) {
	t.Parallel()
	f := setup(t)
	aperto := f.count(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1`, f.caso) // the opening and the assignment
	resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma)))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST convocazione: %d\n%s", resp.StatusCode, body)
	}
	if got := f.stato(t, f.caso); got != "convocato" {
		t.Errorf("stato %q, want convocato", got)
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND da = 'assegnato' AND a = 'convocato'
		AND operatore_id = $2`, f.caso, f.people["casemanager"].OperatoreID); n != 1 {
		t.Errorf("%d history rows assegnato → convocato, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'convocazione' AND caso_id = $1`, f.caso.String()); n != 1 {
		t.Errorf("%d registro writes, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM convocazione WHERE caso_id = $1 AND operatore_id = $2 AND durata_minuti = 45
		AND inizio = '2026-10-22 10:00 Europe/Rome'`, f.caso, f.people["casemanager"].OperatoreID); n != 1 {
		t.Errorf("convocazione not stored as typed (Rome time, operator, duration)")
	}
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri?esito=convocazione"), nil)
	for _, want := range []string{"Convocazione registrata.", "22/10/2026 10:00", "Servizio sociale, via Porrettana 360", "SMS, il 19/10/2026", "Convocato"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 29, 10, 0, 0, 0, calendario.Roma)))
	if n := f.count(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1`, f.caso) - aperto; n != 1 {
		t.Errorf("%d history rows after a second convocazione, want 1", n)
	}
}

// Validations speak Italian next to the field and keep what was typed; a
// meeting already past needs the explicit "già passato" box; a time outside
// the office slots is saved with a warning.
func TestConvocazioneValidation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	form := convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma))
	form.Set("luogo", "")
	form.Set("ora", "25:99")
	form.Set("note", "Portare ISEE aggiornato")
	resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{`data-testid="errore-luogo">Indica il luogo dell&#39;incontro.`, `data-testid="errore-ora">Ora non valida`,
		"Portare ISEE aggiornato", `value="2026-10-22"`} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	past := convocazione(time.Date(2026, 10, 19, 15, 0, 0, 0, calendario.Roma))
	past.Set("inviata_il", "2026-10-12")
	resp, body = f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), past)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "sono già passate") {
		t.Errorf("past meeting without the box: %d", resp.StatusCode)
	}
	past.Set("pregressa", "1")
	if resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), past); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("past meeting with the box: %d\n%s", resp.StatusCode, body)
	}
	sent := convocazione(time.Date(2026, 10, 28, 10, 0, 0, 0, calendario.Roma))
	sent.Set("inviata_il", "2026-10-21")
	if _, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), sent); !strings.Contains(body, "La data di invio non può essere futura") {
		t.Errorf("future inviata_il accepted")
	}

	// Office slots: Monday 09:00–12:30 only.
	if resp, body := f.do(t, "coordinatore", "POST", "/agenda/disponibilita", url.Values{"comune_id": {itoa(*f.people["casemanager"].ComuneID)},
		"ufficio": {"Servizio sociale"}, "giorno": {"1"}, "dalle": {"09:00"}, "alle": {"12:30"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("slot: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 26, 15, 0, 0, 0, calendario.Roma)))
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "esito=convocazione-fuori-orario") {
		t.Errorf("outside the slots: %d %s", resp.StatusCode, loc)
	}
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri?esito=convocazione-fuori-orario"), nil)
	if !strings.Contains(page, "fuori dalle fasce di disponibilità") {
		t.Error("no warning shown for a convocazione outside the slots")
	}
	resp, _ = f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 26, 9, 30, 0, 0, calendario.Roma)))
	if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "esito=convocazione") {
		t.Errorf("inside the slots: %s", loc)
	}
}

func presenze(f *fixture, stati ...string) url.Values {
	v := url.Values{}
	for i, s := range stati {
		v.Set("presenza_"+f.membri[i].String(), s)
	}
	return v
}

// A meeting with a member present moves the case to "in_valutazione"; the
// presence of each member is stored and shown.
func TestIncontroMovesToInValutazione(t *testing.T) {
	t.Parallel()
	f := setup(t)
	form := presenze(f, "presente", "giustificato")
	form.Set("motivo_"+f.membri[1].String(), "Ricovero ospedaliero")
	form.Set("tipo", "primo_incontro")
	form.Set("data", "2026-10-19")
	form.Set("luogo", "Servizio sociale")
	resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/incontri"), form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST incontro: %d\n%s", resp.StatusCode, body)
	}
	if got := f.stato(t, f.caso); got != "in_valutazione" {
		t.Errorf("stato %q, want in_valutazione", got)
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND da = 'assegnato' AND a = 'in_valutazione'`, f.caso); n != 1 {
		t.Errorf("%d history rows, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM incontro_presenza ip JOIN incontro i ON i.id = ip.incontro_id
		WHERE i.caso_id = $1 AND ((ip.persona_id = $2 AND ip.presente) OR (ip.persona_id = $3 AND NOT ip.presente AND ip.giustificato AND ip.motivo = 'Ricovero ospedaliero'))`,
		f.caso, f.membri[0], f.membri[1]); n != 2 {
		t.Errorf("%d presences as typed, want 2", n)
	}
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri"), nil)
	for _, want := range []string{"19/10/2026", "Rossi Maria:", "Presente", "Assente con giustificato motivo", "(Ricovero ospedaliero)", "In valutazione"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_tipo = 'incontro' AND caso_id = $1`, f.caso.String()); n != 1 {
		t.Errorf("%d registro writes of the incontro, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'incontri' AND caso_id = $1`, f.caso.String()); n != 1 {
		t.Errorf("%d registro reads of the page, want 1", n)
	}

	// A meeting where nobody turned up leaves a convened case where it is.
	other, membri := f.newCaso(t, "casemanager", "Bianchi", "Anna")
	f.do(t, "casemanager", "POST", f.casoPath(other, "/convocazioni"), convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma)))
	f.now = time.Date(2026, 10, 23, 9, 0, 0, 0, calendario.Roma)
	resp, _ = f.do(t, "casemanager", "POST", f.casoPath(other, "/incontri"), url.Values{"tipo": {"primo_incontro"}, "data": {"2026-10-22"},
		"presenza_" + membri[0].String(): {"assente"}})
	if resp.StatusCode != http.StatusSeeOther || f.stato(t, other) != "convocato" {
		t.Errorf("all absent: %d, stato %s, want convocato", resp.StatusCode, f.stato(t, other))
	}
}

// Registering the first meeting satisfies the 120-day deadline: casi.Aggiorna
// (internal/scadenze) recomputes the case's t120 columns in the same
// transaction, and the page shows it.
func TestIncontroRispettaT120(t *testing.T) {
	t.Parallel()
	f := setup(t)
	form := presenze(f, "presente", "presente")
	form.Set("tipo", "primo_incontro")
	form.Set("data", "2026-10-19")
	if resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/incontri"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST incontro: %d\n%s", resp.StatusCode, body)
	}
	var stato string
	f.scan(t, `SELECT t120_stato FROM caso WHERE id = $1`, []any{&stato}, f.caso)
	if stato != "rispettato" {
		t.Errorf("t120_stato %q after the first meeting, want rispettato (is casi.Aggiorna real yet?)", stato)
	}
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri"), nil)
	if i := strings.Index(page, `data-testid="scadenza-0"`); i < 0 || !strings.Contains(page[i:], "Rispettato") {
		t.Errorf("the T120 counter does not say Rispettato")
	}
}

// A meeting in the future is refused with an Italian message, and what was
// typed stays in the form.
func TestIncontroFuturoRifiutato(t *testing.T) {
	t.Parallel()
	f := setup(t)
	form := presenze(f, "presente", "assente")
	form.Set("tipo", "primo_incontro")
	form.Set("data", "2026-10-21")
	form.Set("luogo", "Domicilio del nucleo")
	form.Set("note", "Colloquio con la madre")
	resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/incontri"), form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", resp.StatusCode)
	}
	for _, want := range []string{
		`data-testid="errore-data">La data dell&#39;incontro non può essere futura`,
		`value="Domicilio del nucleo"`, "Colloquio con la madre", `value="2026-10-21"`,
		`id="presenza-` + f.membri[0].String() + `-presente" name="presenza_` + f.membri[0].String() + `" value="presente" checked`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM incontro`); n != 0 || f.stato(t, f.caso) != "assegnato" {
		t.Errorf("%d incontri stored, stato %s", n, f.stato(t, f.caso))
	}
	// Every member's presence must be given; a giustificato needs its motivo.
	form = url.Values{"tipo": {"monitoraggio"}, "data": {"2026-10-20"}, "presenza_" + f.membri[1].String(): {"giustificato"}}
	_, body = f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/incontri"), form)
	for _, want := range []string{"Indica se Rossi Maria era presente.", "Indica il giustificato motivo dell&#39;assenza di Rossi Luca."} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

// A giustificato motivo is recorded for a member and a period, and listed.
func TestGiustificato(t *testing.T) {
	t.Parallel()
	f := setup(t)
	form := url.Values{"persona_id": {f.membri[1].String()}, "motivo": {"Ricovero"}, "dal": {"2026-10-10"}, "al": {"2026-10-01"}, "documento": {"Certificato prot. 12/2026"}}
	resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/giustificati"), form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "La fine del periodo non può precedere l&#39;inizio.") ||
		!strings.Contains(body, "Certificato prot. 12/2026") {
		t.Fatalf("al before dal: %d", resp.StatusCode)
	}
	form.Set("al", "2026-11-30")
	if resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/giustificati"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST giustificato: %d\n%s", resp.StatusCode, body)
	}
	if n := f.count(t, `SELECT count(*) FROM giustificato_motivo WHERE caso_id = $1 AND persona_id = $2 AND dal = '2026-10-10' AND al = '2026-11-30'
		AND registrato_da = $3`, f.caso, f.membri[1], f.people["casemanager"].OperatoreID); n != 1 {
		t.Errorf("%d giustificati stored as typed, want 1", n)
	}
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri?esito=giustificato"), nil)
	for _, want := range []string{"Giustificato motivo registrato.", "Rossi Luca", "Ricovero", "dal 10/10/2026", "al 30/11/2026", "Certificato prot. 12/2026"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'giustificato_motivo' AND caso_id = $1`, f.caso.String()); n != 1 {
		t.Errorf("%d registro writes, want 1", n)
	}
	// Only a member of the nucleo.
	form.Set("persona_id", uuid.NewString())
	if _, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/giustificati"), form); !strings.Contains(body, "Scegli il componente del nucleo.") {
		t.Error("a stranger accepted as member")
	}
}

// Two operators update the delivery outcome from the same page: the second
// gets a conflict message and nothing of theirs is saved.
func TestEsitoConflict(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma)))
	var conv uuid.UUID
	f.scan(t, `SELECT id FROM convocazione WHERE caso_id = $1`, []any{&conv}, f.caso)
	path := f.casoPath(f.caso, "/convocazioni/"+conv.String()+"/esito")
	resp, body := f.do(t, "casemanager", "POST", path, url.Values{"esito": {"consegnata"}, "versione": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first esito: %d\n%s", resp.StatusCode, body)
	}
	resp, body = f.do(t, "casemanager", "POST", path, url.Values{"esito": {"non_consegnata"}, "annullata": {"1"}, "versione": {"1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Nel frattempo un altro operatore ha modificato questa convocazione") {
		t.Fatalf("stale esito: %d", resp.StatusCode)
	}
	var esito string
	var annullata bool
	var versione int
	f.scan(t, `SELECT esito_consegna, annullata, versione FROM convocazione WHERE id = $1`, []any{&esito, &annullata, &versione}, conv)
	if esito != "consegnata" || annullata || versione != 2 {
		t.Errorf("after the conflict: %s %v %d, want consegnata false 2", esito, annullata, versione)
	}
	// The page now carries versione 2, and cancelling works.
	if !strings.Contains(body, `name="versione" value="2"`) {
		t.Error("conflict page does not carry the current versione")
	}
	resp, _ = f.do(t, "casemanager", "POST", path, url.Values{"esito": {"consegnata"}, "annullata": {"1"}, "versione": {"2"}})
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri"), nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, "Annullata") {
		t.Errorf("cancel: %d", resp.StatusCode)
	}
}

// Another case manager (another comune), and the coordinatore, reach none
// of it: 404 for the case manager (the case's existence is not revealed),
// 403 for roles without case content; nothing is written, the refusals are
// recorded.
func TestOnlyTheAssignedCaseManager(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma)))
	var conv uuid.UUID
	f.scan(t, `SELECT id FROM convocazione WHERE caso_id = $1`, []any{&conv}, f.caso)
	reqs := []struct {
		method, path string
		form         url.Values
	}{
		{"GET", f.casoPath(f.caso, "/incontri"), nil},
		{"POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 23, 10, 0, 0, 0, calendario.Roma))},
		{"POST", f.casoPath(f.caso, "/convocazioni/"+conv.String()+"/esito"), url.Values{"esito": {"non_consegnata"}, "versione": {"1"}}},
		{"POST", f.casoPath(f.caso, "/incontri"), url.Values{"tipo": {"primo_incontro"}, "data": {"2026-10-19"}, "presenza_" + f.membri[0].String(): {"presente"}, "presenza_" + f.membri[1].String(): {"presente"}}},
		{"POST", f.casoPath(f.caso, "/giustificati"), url.Values{"persona_id": {f.membri[0].String()}, "motivo": {"x"}, "dal": {"2026-10-10"}}},
	}
	for _, r := range reqs {
		resp, body := f.do(t, "casemanager2", r.method, r.path, r.form)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "Rossi") {
			t.Errorf("casemanager2 %s %s: %d", r.method, r.path, resp.StatusCode)
		}
		if resp, _ := f.do(t, "coordinatore", r.method, r.path, r.form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("coordinatore %s %s: %d, want 403", r.method, r.path, resp.StatusCode)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM convocazione`); n != 1 {
		t.Errorf("%d convocazioni, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM incontro`) + f.count(t, `SELECT count(*) FROM giustificato_motivo`); n != 0 {
		t.Errorf("%d rows written by others", n)
	}
	if n := f.count(t, `SELECT count(*) FROM convocazione WHERE esito_consegna <> 'inviata'`); n != 0 {
		t.Error("esito changed by another case manager")
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'accesso_negato' AND caso_id = $1 AND operatore_id = $2`,
		f.caso.String(), f.people["casemanager2"].OperatoreID); n != len(reqs) {
		t.Errorf("%d refusals recorded, want %d", n, len(reqs))
	}
}

// A closed case is read-only: no forms, and a POST is refused with a
// message.
func TestClosedCaseReadOnly(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.exec(t, `UPDATE caso SET stato = 'chiuso', chiuso_il = '2026-10-15', motivo_chiusura = 'Rinuncia' WHERE id = $1`, f.caso)
	_, page := f.do(t, "casemanager", "GET", f.casoPath(f.caso, "/incontri"), nil)
	if strings.Contains(page, `data-testid="form-convocazione"`) || strings.Contains(page, `data-testid="form-incontro"`) ||
		strings.Contains(page, `data-testid="form-giustificato"`) || !strings.Contains(page, `data-testid="sola-lettura"`) {
		t.Error("closed case shows forms")
	}
	resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/convocazioni"), convocazione(time.Date(2026, 10, 22, 10, 0, 0, 0, calendario.Roma)))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Il caso è chiuso") {
		t.Errorf("POST on a closed case: %d", resp.StatusCode)
	}
	if n := f.count(t, `SELECT count(*) FROM convocazione`); n != 0 || f.stato(t, f.caso) != "chiuso" {
		t.Errorf("closed case written: %d convocazioni, stato %s", n, f.stato(t, f.caso))
	}
}
