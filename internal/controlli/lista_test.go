package controlli

import (
	"bytes"
	"context"
	"errors"
	"html"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

func uguali(t *testing.T, what string, got []uuid.UUID, want ...uuid.UUID) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %d rows %v, want %d %v", what, len(got), got, len(want), want)
	}
}

// The coordinatore's filters return the right requests, by scadenza: by
// default every one not concluded; by type, state, due within N days, past
// due, responsabile, codice fiscale or the start of the cognome.
func TestListaFiltri(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	scaduta := f.richiesta(t, nuova{comune: f.casa, scadenza: -3, cognome: "Bianchi", assegnatario: "respcontrolli"})
	oggi := f.richiesta(t, nuova{comune: f.casa, scadenza: 0, tipo: Soggiorno})
	dieci := f.richiesta(t, nuova{comune: f.casa, scadenza: 10, cognome: "Bianconi", assegnatario: "resp2casa"})
	trenta := f.richiesta(t, nuova{comune: f.casa, scadenza: 30, tipo: Soggiorno, assegnatario: "respcontrolli"})
	conclusa := f.richiesta(t, nuova{comune: f.casa, scadenza: 5, assegnatario: "respcontrolli"})
	f.concludi(t, conclusa, "respcontrolli", f.oggi)
	inoltrata := f.richiesta(t, nuova{comune: f.casa, scadenza: 20, assegnatario: "respcontrolli"})
	f.inoltra(t, inoltrata, f.casa, f.zola, "respcontrolli")
	f.richiesta(t, nuova{comune: f.zola, scadenza: 1}) // Zola's own: never here

	c := "coordcontrolli"
	uguali(t, "default", ids(f.lista(t, c, Filtro{})), scaduta, oggi, dieci, inoltrata, trenta)
	uguali(t, "tutte", ids(f.lista(t, c, Filtro{Stato: Tutte})), scaduta, oggi, conclusa, dieci, inoltrata, trenta)
	uguali(t, "conclusa", ids(f.lista(t, c, Filtro{Stato: ConclusaLista})), conclusa)
	uguali(t, "tipo", ids(f.lista(t, c, Filtro{Tipo: Soggiorno})), oggi, trenta)
	uguali(t, "da assegnare", ids(f.lista(t, c, Filtro{Stato: DaAssegnare})), oggi)
	uguali(t, "in lavorazione", ids(f.lista(t, c, Filtro{Stato: InLavorazione})), scaduta, dieci, trenta)
	uguali(t, "inoltrata", ids(f.lista(t, c, Filtro{Stato: InoltrataLista})), inoltrata)
	uguali(t, "entro 15 (default)", ids(f.lista(t, c, Filtro{Scadenza: InScadenza})), oggi, dieci)
	uguali(t, "entro 25", ids(f.lista(t, c, Filtro{Scadenza: InScadenza, Giorni: 25})), oggi, dieci, inoltrata)
	uguali(t, "scadute", ids(f.lista(t, c, Filtro{Scadenza: Scadute})), scaduta)
	uguali(t, "responsabile", ids(f.lista(t, c, Filtro{Responsabile: f.people["respcontrolli"].OperatoreID})), scaduta, inoltrata, trenta)
	uguali(t, "cognome", ids(f.lista(t, c, Filtro{Q: "bianc"})), scaduta, dieci)
	uguali(t, "cognome esatto", ids(f.lista(t, c, Filtro{Q: "Bianconi"})), dieci)
	uguali(t, "wildcard", ids(f.lista(t, c, Filtro{Q: "%"})))
	l := f.lista(t, c, Filtro{Tipo: Soggiorno})
	uguali(t, "codice fiscale", ids(f.lista(t, c, Filtro{Q: strings.ToLower(l.Righe[0].CodiceFiscale)})), oggi)

	// What a row shows: the state, the assignee, INPS's id of a request
	// asked to the comune.
	l = f.lista(t, c, Filtro{})
	if r := l.Righe[0]; r.Stato != InLavorazione || r.Assegnatario != "Sara Neri" || !r.Propria || r.IDRichiesta == "" || r.ComuneRichiesta != "Casalecchio di Reno" {
		t.Errorf("first row: %+v", r)
	}
	if !l.Coordinatore || len(l.Responsabili) != 2 {
		t.Errorf("responsabili of Casalecchio: %+v", l.Responsabili)
	}
}

// 25 rows a page, the next page goes on from there.
func TestListaPaginata(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	var tutte []uuid.UUID
	for i := range 27 {
		tutte = append(tutte, f.richiesta(t, nuova{comune: f.casa, scadenza: i}))
	}
	p1 := f.lista(t, "coordcontrolli", Filtro{})
	p2 := f.lista(t, "coordcontrolli", Filtro{Pagina: 2})
	if !p1.AltrePagine || p2.AltrePagine {
		t.Errorf("more pages: %v %v", p1.AltrePagine, p2.AltrePagine)
	}
	uguali(t, "page 1", ids(p1), tutte[:25]...)
	uguali(t, "page 2", ids(p2), tutte[25:]...)
}

// Scope: another comune's coordinatore sees nothing of Casalecchio's; a
// responsabile sees only what is assigned to them; a request forwarded to
// Zola Predosa appears there in the tappa view (no INPS id), to assign,
// and once assigned only Zola's responsabile sees it among Zola's
// responsabili. Other roles are refused.
func TestListaPortata(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	mia := f.richiesta(t, nuova{comune: f.casa, scadenza: 5, assegnatario: "respcontrolli"})
	altrui := f.richiesta(t, nuova{comune: f.casa, scadenza: 6, assegnatario: "resp2casa"})
	libera := f.richiesta(t, nuova{comune: f.casa, scadenza: 7})
	catena := f.richiesta(t, nuova{comune: f.casa, scadenza: 8, assegnatario: "respcontrolli"})
	f.inoltra(t, catena, f.casa, f.zola, "respcontrolli")

	uguali(t, "coordinatore di Zola, tutte", ids(f.lista(t, "coordzola", Filtro{Stato: Tutte})), catena)
	uguali(t, "coordinatore di Zola cerca in Casalecchio", ids(f.lista(t, "coordzola", Filtro{Stato: Tutte, Q: "Rossi"})), catena)
	uguali(t, "responsabile", ids(f.lista(t, "respcontrolli", Filtro{Stato: Tutte})), mia, catena)
	uguali(t, "altro responsabile", ids(f.lista(t, "resp2casa", Filtro{Stato: Tutte})), altrui)
	uguali(t, "responsabile di Zola before assignment", ids(f.lista(t, "respzola", Filtro{Stato: Tutte})))
	uguali(t, "coordinatore di Casalecchio", ids(f.lista(t, "coordcontrolli", Filtro{Stato: Tutte})), mia, altrui, libera, catena)

	z := f.lista(t, "coordzola", Filtro{}).Righe[0]
	if z.Propria || z.IDRichiesta != "" || z.Stato != DaAssegnare || z.ComuneRichiesta != "Casalecchio di Reno" || z.Assegnatario != "" {
		t.Errorf("tappa view: %+v", z)
	}
	// The responsabile's filter of another responsabile is ignored.
	uguali(t, "responsabile filters another", ids(f.lista(t, "respcontrolli", Filtro{Responsabile: f.people["resp2casa"].OperatoreID})), mia, catena)

	esiti, err := f.svc.Assegna(context.Background(), f.people["coordzola"], f.people["respzola"].OperatoreID,
		[]Selezione{{ID: catena, Versione: z.Versione}}, registro.Voce{})
	if err != nil || len(esiti) != 1 || !esiti[0].OK {
		t.Fatalf("assign the step: %+v %v", esiti, err)
	}
	uguali(t, "responsabile di Zola", ids(f.lista(t, "respzola", Filtro{})), catena)
	if r := f.lista(t, "respzola", Filtro{}).Righe[0]; r.Stato != InLavorazione || r.IDRichiesta != "" {
		t.Errorf("Zola's responsabile sees: %+v", r)
	}
	// Casalecchio still sees it as forwarded, with its own responsabile.
	if r := f.lista(t, "coordcontrolli", Filtro{Stato: InoltrataLista}).Righe; len(r) != 1 || r[0].Assegnatario != "Sara Neri" {
		t.Errorf("Casalecchio sees: %+v", r)
	}
	// Returned: Zola's part is concluded for Zola, Casalecchio works it again.
	f.chiudiTappa(t, catena, "restituita", "respzola", f.now)
	if r := f.lista(t, "coordzola", Filtro{Stato: Tutte}).Righe; len(r) != 1 || r[0].Stato != ConclusaLista {
		t.Errorf("Zola after the return: %+v", r)
	}
	uguali(t, "Zola's default after the return", ids(f.lista(t, "coordzola", Filtro{})))
	if r := f.lista(t, "coordcontrolli", Filtro{Q: "Rossi", Stato: InLavorazione}).Righe; !slices.ContainsFunc(r, func(x Riga) bool { return x.ID == catena }) {
		t.Errorf("Casalecchio after the return: %+v", r)
	}

	for _, chi := range []string{"casemanager", "coordinatore"} {
		if _, err := f.svc.Lista(context.Background(), f.people[chi], Filtro{}, registro.Voce{}); !errors.Is(err, ErrFuoriAmbito) {
			t.Errorf("%s: %v", chi, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo' AND azione = 'lettura'`); n == 0 {
		t.Error("reads not recorded")
	}
}

// Bulk assignment assigns every selected request; reassigning is allowed
// while not concluded; a row changed since the page was read is reported
// and not overwritten, a concluded one too; another comune's request is
// reported as not ours and left untouched; a responsabile of another
// comune cannot be chosen.
func TestAssegnaInBlocco(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	ctx := context.Background()
	coord, resp, resp2 := f.people["coordcontrolli"], f.people["respcontrolli"].OperatoreID, f.people["resp2casa"].OperatoreID
	a := f.richiesta(t, nuova{comune: f.casa, scadenza: 5})
	b := f.richiesta(t, nuova{comune: f.casa, scadenza: 6})
	c := f.richiesta(t, nuova{comune: f.casa, scadenza: 7, assegnatario: "resp2casa"})
	sel := []Selezione{{a, f.versione(t, a)}, {b, f.versione(t, b)}, {c, f.versione(t, c)}}
	esiti, err := f.svc.Assegna(ctx, coord, resp, sel, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range esiti {
		if !e.OK {
			t.Errorf("not assigned: %+v", e)
		}
	}
	uguali(t, "all assigned", ids(f.lista(t, "respcontrolli", Filtro{})), a, b, c)
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo' AND azione = 'scrittura' AND dettaglio = 'assegnazione a Sara Neri'`); n != 3 {
		t.Errorf("%d writes recorded, want 3", n)
	}

	// b changes meanwhile (someone else reassigns it); the stale page's
	// selection of a and b: a is reassigned, b reported and left as it is.
	stale := []Selezione{{a, f.versione(t, a)}, {b, f.versione(t, b)}}
	if _, err := f.svc.Assegna(ctx, coord, resp2, []Selezione{{b, f.versione(t, b)}}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Assegna(ctx, coord, resp, []Selezione{{b, f.versione(t, b)}}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	esiti, err = f.svc.Assegna(ctx, coord, resp2, stale, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if len(esiti) != 2 || !esiti[0].OK || esiti[1].OK || esiti[1].Motivo != MotivoModificata || !strings.Contains(esiti[1].Nominativo, "Rossi Maria") {
		t.Errorf("stale: %+v", esiti)
	}
	uguali(t, "b stays with respcontrolli", ids(f.lista(t, "respcontrolli", Filtro{})), b, c)

	// Concluded: reported, not reassigned.
	f.concludi(t, c, "respcontrolli", f.oggi)
	esiti, err = f.svc.Assegna(ctx, coord, resp2, []Selezione{{c, f.versione(t, c)}}, registro.Voce{})
	if err != nil || esiti[0].OK || esiti[0].Motivo != MotivoConclusa {
		t.Errorf("concluded: %+v %v", esiti, err)
	}

	// Zola's request through Casalecchio's coordinatore: not ours, untouched,
	// the refusal recorded.
	z := f.richiesta(t, nuova{comune: f.zola, scadenza: 5})
	esiti, err = f.svc.Assegna(ctx, coord, resp, []Selezione{{z, f.versione(t, z)}}, registro.Voce{})
	if err != nil || esiti[0].OK || esiti[0].Motivo != MotivoNonTrovata || esiti[0].Nominativo != "" {
		t.Errorf("another comune's: %+v %v", esiti, err)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_richiesta WHERE id = $1 AND assegnatario IS NULL`, z); n != 1 {
		t.Error("another comune's request was assigned")
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_id = $1 AND esito = 'negato'`, z.String()); n != 1 {
		t.Errorf("refusal recorded %d times", n)
	}

	// A responsabile of Zola cannot be chosen; nothing selected; nobody chosen.
	var fe httpx.FieldErrors
	if _, err := f.svc.Assegna(ctx, coord, f.people["respzola"].OperatoreID, []Selezione{{a, f.versione(t, a)}}, registro.Voce{}); !errors.As(err, &fe) || fe["responsabile"] != MsgRespNonDelComune {
		t.Errorf("responsabile of Zola: %v", err)
	}
	if _, err := f.svc.Assegna(ctx, coord, resp, nil, registro.Voce{}); !errors.As(err, &fe) || fe["richiesta"] != MsgNessunaSelezione {
		t.Errorf("nothing selected: %v", err)
	}
	if _, err := f.svc.Assegna(ctx, coord, uuid.Nil, []Selezione{{a, 1}}, registro.Voce{}); !errors.As(err, &fe) || fe["responsabile"] != MsgScegliResp {
		t.Errorf("nobody chosen: %v", err)
	}
	// A responsabile cannot assign.
	if _, err := f.svc.Assegna(ctx, f.people["respcontrolli"], resp, []Selezione{{a, f.versione(t, a)}}, registro.Voce{}); !errors.Is(err, ErrFuoriAmbito) {
		t.Errorf("responsabile assigns: %v", err)
	}
}

// A forwarded request: Zola's coordinatore assigns Zola's open step (the
// request's own assignee stays Casalecchio's); once Zola has returned its
// part, the step cannot be assigned any more.
func TestAssegnaTappa(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	ctx := context.Background()
	id := f.richiesta(t, nuova{comune: f.casa, scadenza: 9, assegnatario: "respcontrolli"})
	f.inoltra(t, id, f.casa, f.zola, "respcontrolli")
	esiti, err := f.svc.Assegna(ctx, f.people["coordzola"], f.people["respzola"].OperatoreID, []Selezione{{id, f.versione(t, id)}}, registro.Voce{})
	if err != nil || !esiti[0].OK {
		t.Fatalf("%+v %v", esiti, err)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_tappa WHERE richiesta_id = $1 AND esito IS NULL AND assegnatario = $2`, id, f.people["respzola"].OperatoreID); n != 1 {
		t.Error("the step has not its responsabile")
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_richiesta WHERE id = $1 AND assegnatario = $2`, id, f.people["respcontrolli"].OperatoreID); n != 1 {
		t.Error("the request's responsabile changed")
	}
	f.chiudiTappa(t, id, "restituita", "respzola", f.now)
	esiti, err = f.svc.Assegna(ctx, f.people["coordzola"], f.people["respzola"].OperatoreID, []Selezione{{id, f.versione(t, id)}}, registro.Voce{})
	if err != nil || esiti[0].OK || esiti[0].Motivo != MotivoRestituita {
		t.Errorf("after the return: %+v %v", esiti, err)
	}
}

// The home's counts: the coordinatore's to assign, due within 15 days and
// past due over the comune; the responsabile's over their own requests.
func TestContatoriHome(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	f.richiesta(t, nuova{comune: f.casa, scadenza: -1})                                 // past due, to assign
	f.richiesta(t, nuova{comune: f.casa, scadenza: -20, assegnatario: "respcontrolli"}) // past due
	f.richiesta(t, nuova{comune: f.casa, scadenza: 0, assegnatario: "respcontrolli"})   // due today
	f.richiesta(t, nuova{comune: f.casa, scadenza: 15, assegnatario: "resp2casa"})      // due on day 15
	f.richiesta(t, nuova{comune: f.casa, scadenza: 16})                                 // not yet
	conclusa := f.richiesta(t, nuova{comune: f.casa, scadenza: -5, assegnatario: "respcontrolli"})
	f.concludi(t, conclusa, "respcontrolli", f.oggi) // concluded: counts nowhere
	f.richiesta(t, nuova{comune: f.zola, scadenza: -2})
	inoltrata := f.richiesta(t, nuova{comune: f.casa, scadenza: 3, assegnatario: "respcontrolli"})
	f.inoltra(t, inoltrata, f.casa, f.zola, "respcontrolli")

	conta := func(ruolo authz.Ruolo, chi string) []int {
		for _, c := range f.svc.Contatori() {
			if c.Ruolo == ruolo {
				n, ok, err := c.Conta(context.Background(), f.people[chi])
				if err != nil || !ok || len(n) != len(c.Voci) {
					t.Fatalf("%s: %v %v %v", chi, n, ok, err)
				}
				return n
			}
		}
		t.Fatalf("no counts for %s", ruolo)
		return nil
	}
	// Casalecchio: to assign 2 (day -1, day 16); due within 15: today, 15, the forwarded; past due 2.
	if got := conta(authz.CoordinatoreControlli, "coordcontrolli"); !slices.Equal(got, []int{2, 3, 2}) {
		t.Errorf("coordinatore: %v", got)
	}
	// Sara Neri: in lavorazione 2 (-20, today); due within 15: today, the forwarded; past due 1.
	if got := conta(authz.ResponsabileControlli, "respcontrolli"); !slices.Equal(got, []int{2, 2, 1}) {
		t.Errorf("responsabile: %v", got)
	}
	// Zola: its own past due to assign, and the forwarded step to assign (due in 3 days).
	if got := conta(authz.CoordinatoreControlli, "coordzola"); !slices.Equal(got, []int{2, 1, 1}) {
		t.Errorf("coordinatore di Zola: %v", got)
	}
	// Another role: nothing to count.
	for _, c := range f.svc.Contatori() {
		if _, ok, err := c.Conta(context.Background(), f.people["casemanager"]); ok || err != nil {
			t.Errorf("case manager counted: %v %v", ok, err)
		}
	}
}

// The workload: per responsabile of the comune, open, due within 15 days,
// past due, concluded in the last 30 days; the steps of forwarded requests
// count for the comune's responsabile; a responsabile with nothing is
// listed with zeros.
func TestCarichi(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	ctx := context.Background()
	f.richiesta(t, nuova{comune: f.casa, scadenza: -2, assegnatario: "respcontrolli"})
	f.richiesta(t, nuova{comune: f.casa, scadenza: 4, assegnatario: "respcontrolli"})
	f.richiesta(t, nuova{comune: f.casa, scadenza: 40, assegnatario: "respcontrolli"})
	f.richiesta(t, nuova{comune: f.casa, scadenza: 4})
	recente := f.richiesta(t, nuova{comune: f.casa, scadenza: 1, assegnatario: "respcontrolli"})
	f.concludi(t, recente, "respcontrolli", f.oggi.AddDate(0, 0, -10))
	vecchia := f.richiesta(t, nuova{comune: f.casa, scadenza: -50, assegnatario: "respcontrolli"})
	f.concludi(t, vecchia, "respcontrolli", f.oggi.AddDate(0, 0, -45))
	dazola := f.richiesta(t, nuova{comune: f.zola, scadenza: 2, assegnatario: "respzola"})
	f.inoltra(t, dazola, f.zola, f.casa, "respzola")
	if _, err := f.svc.Assegna(ctx, f.people["coordcontrolli"], f.people["resp2casa"].OperatoreID, []Selezione{{dazola, f.versione(t, dazola)}}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}

	c, err := f.svc.Carichi(ctx, f.people["coordcontrolli"], registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if c.DaAssegnare != 1 || len(c.Operatori) != 2 {
		t.Fatalf("carichi: %+v", c)
	}
	want := map[string][4]int{"Sara Neri": {3, 1, 1, 1}, "Luca Gialli": {1, 1, 0, 0}}
	for _, o := range c.Operatori {
		if got := [4]int{o.Aperte, o.InScadenza, o.Scadute, o.Concluse30}; got != want[o.Nome] || !o.Attivo {
			t.Errorf("%s: %v, want %v", o.Nome, got, want[o.Nome])
		}
	}
	if _, err := f.svc.Carichi(ctx, f.people["respcontrolli"], registro.Voce{}); !errors.Is(err, ErrFuoriAmbito) {
		t.Errorf("responsabile sees the workload: %v", err)
	}
}

// The pages render, with the tappa view's wording and the assignment
// results.
func TestPagineLista(t *testing.T) {
	t.Parallel()
	f := listaSetup(t)
	id := f.richiesta(t, nuova{comune: f.casa, scadenza: -1, cognome: "Esposito"})
	f.inoltra(t, id, f.casa, f.zola, "coordcontrolli")
	l := f.lista(t, "coordzola", Filtro{})
	var buf bytes.Buffer
	esiti := []EsitoAssegnazione{{ID: id, Nominativo: "Esposito Maria (X)", Motivo: MotivoModificata}}
	if err := listaPage(ui.Shell{}, l, Filtro{Giorni: 15}, formAssegna{}, esiti).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Esposito Maria", "Inoltrata dal comune di Casalecchio di Reno", "Scaduta da 1 giorni", "Da assegnare",
		"Assegna le richieste selezionate", "Richieste assegnate: 0 su 1", MotivoModificata} {
		if !strings.Contains(buf.String(), html.EscapeString(s)) {
			t.Errorf("page lacks %q", s)
		}
	}
	if strings.Contains(buf.String(), "INPS-CTL-") {
		t.Error("the tappa view shows INPS's id")
	}
	c, err := f.svc.Carichi(context.Background(), f.people["coordcontrolli"], registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := carichiPage(ui.Shell{}, c).Render(context.Background(), &buf); err != nil || !strings.Contains(buf.String(), "Sara Neri") {
		t.Errorf("carichi page: %v", err)
	}
}
