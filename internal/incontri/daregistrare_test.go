package incontri_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/calendario"
	"github.com/cartella/cartella/internal/registro"
)

// A convocazione whose day has passed with no meeting registered is one of
// the case manager's "incontri passati da registrare": on the agenda, with
// a link to the case's meetings, and counted for the home. Registering the
// meeting of that day, or cancelling the convocazione, takes it away; a
// convocazione of today or later is not one yet; another case manager and
// the coordinatore count none.
func TestDaRegistrare(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	cm := f.people["casemanager"]
	convoca := func(caso uuid.UUID, at time.Time) uuid.UUID {
		t.Helper()
		if resp, body := f.do(t, "casemanager", "POST", f.casoPath(caso, "/convocazioni"), convocazione(at)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("convocazione: %d\n%s", resp.StatusCode, body)
		}
		var id uuid.UUID
		f.scan(t, `SELECT id FROM convocazione WHERE caso_id = $1 AND inizio = $2`, []any{&id}, caso, at)
		return id
	}
	altro, _ := f.newCaso(t, "casemanager", "Verdi", "Anna")
	primo := convoca(f.caso, time.Date(2026, 10, 22, 9, 30, 0, 0, calendario.Roma))
	secondo := convoca(altro, time.Date(2026, 10, 23, 11, 0, 0, 0, calendario.Roma))
	convoca(altro, time.Date(2026, 10, 26, 10, 0, 0, 0, calendario.Roma)) // Monday: today, below

	conta := func(who string) int {
		t.Helper()
		n, ok, err := f.svc.ContaDaRegistrare(ctx, f.people[who])
		if err != nil || (f.people[who].Ruolo == authz.CaseManager) != ok {
			t.Fatalf("%s: %d %v %v", who, n, ok, err)
		}
		return n
	}
	if n := conta("casemanager"); n != 0 {
		t.Fatalf("before the day: %d to register", n)
	}

	f.now = time.Date(2026, 10, 26, 8, 0, 0, 0, calendario.Roma)
	if n := conta("casemanager"); n != 2 {
		t.Errorf("after the days: %d to register, want 2", n)
	}
	w, err := f.svc.Agenda(ctx, cm, "", registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if w.TotaleDaRegistrare != 2 || len(w.DaRegistrare) != 2 || w.DaRegistrare[0].ConvocazioneID != primo ||
		w.DaRegistrare[0].Href != f.casoPath(f.caso, "/incontri") || w.DaRegistrare[1].ConvocazioneID != secondo ||
		w.DaRegistrare[1].Richiedente != "Verdi Anna" {
		t.Errorf("agenda's da registrare: %d %+v", w.TotaleDaRegistrare, w.DaRegistrare)
	}
	_, page := f.do(t, "casemanager", "GET", "/agenda", nil)
	if s := page[strings.Index(page, `data-testid="da-registrare"`):]; !strings.Contains(s, "2 appuntamenti precedenti a oggi non sono stati registrati") ||
		!strings.Contains(s, "Giovedì 22 ottobre 2026 alle 09:30") || !strings.Contains(s, `href="`+f.casoPath(f.caso, "/incontri")+`"`) {
		t.Errorf("agenda page:\n%s", s)
	}
	if n := conta("casemanager2") + conta("coordinatore"); n != 0 {
		t.Errorf("others count %d", n)
	}

	// The meeting of that day registered (the family did not come: the
	// presences say so); the other convocazione cancelled.
	form := presenze(f, "assente", "assente")
	form.Set("tipo", "primo_incontro")
	form.Set("data", "2026-10-22")
	if resp, body := f.do(t, "casemanager", "POST", f.casoPath(f.caso, "/incontri"), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("incontro: %d\n%s", resp.StatusCode, body)
	}
	if n := conta("casemanager"); n != 1 {
		t.Errorf("after registering: %d to register, want 1", n)
	}
	if resp, body := f.do(t, "casemanager", "POST", f.casoPath(altro, "/convocazioni/"+secondo.String()+"/esito"),
		url.Values{"esito": {"inviata"}, "annullata": {"1"}, "versione": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("annulla: %d\n%s", resp.StatusCode, body)
	}
	if n := conta("casemanager"); n != 0 {
		t.Errorf("after cancelling: %d to register", n)
	}
	_, page = f.do(t, "casemanager", "GET", "/agenda", nil)
	if strings.Contains(page, `data-testid="da-registrare"`) {
		t.Error("the agenda still lists meetings to register")
	}
}
