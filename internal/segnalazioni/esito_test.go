package segnalazioni

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/fixtures"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
	"github.com/cartella/cartella/web/ui"
)

// inviata drafts, approves and exports a segnalazione: its id and batch.
func (f *fixture) inviata(t *testing.T) (uuid.UUID, int64) {
	t.Helper()
	ctx := context.Background()
	id := f.crea(t, true)
	if err := f.svc.Approva(ctx, f.people["coordinatore"], id, ver(f.dettaglio(t, id).Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	inv, err := f.svc.Esporta(ctx, f.people["coordinatore"], registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	return id, inv.ID
}

func (f *fixture) storia(t *testing.T, id uuid.UUID) []string {
	t.Helper()
	rows, err := f.pool.Query(context.Background(), `SELECT da || '>' || a || ' ' || nota FROM segnalazione_stato WHERE segnalazione_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func renderDettaglio(t *testing.T, f *fixture, id uuid.UUID) string {
	t.Helper()
	sc, err := f.svc.Dettaglio(context.Background(), f.people["casemanager"], f.caso, id, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := dettaglioPage(ui.Shell{}, sc, FromSegnalazione(sc.Segnalazione), formDettaglio{}).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func renderElenco(t *testing.T, f *fixture) string {
	t.Helper()
	e, err := f.svc.Elenco(context.Background(), f.people["casemanager"], f.caso, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := elencoPage(ui.Shell{}, e, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The coordinatore records the esito INPS returned: refused field by field
// in Italian (a scartata needs its motivo; the day neither in the future nor
// before the send) with nothing written; only a sent segnalazione accepts
// one; a stale versione is a conflict with nothing written; acquisita, then
// corrected to scartata: each esito is a row of the history, and a write in
// the registro. The case manager sees the esito, and for a scartata the
// prompt to rectify; the coordinatore's queue counts it until a
// rectification reaches them.
func TestEsitoINPS(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	co, cm := f.people["coordinatore"], f.people["casemanager"]

	// Not sent yet: in approvazione, then approvata.
	id := f.crea(t, true)
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Versione: ver(f.dettaglio(t, id).Versione)}, registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("esito of a segnalazione in approvazione: %v", err)
	}
	if err := f.svc.Approva(ctx, co, id, ver(f.dettaglio(t, id).Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Versione: ver(f.dettaglio(t, id).Versione)}, registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("esito of an approved, unsent segnalazione: %v", err)
	}
	inv, err := f.svc.Esporta(ctx, co, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.AddDate(0, 0, 3) // 23/10/2026; sent on 20/10/2026
	sg := f.dettaglio(t, id)
	if sg.Esito.Registrato() || sg.Esito.Label() != "In attesa di esito" {
		t.Fatalf("esito before any: %+v", sg.Esito)
	}
	prima := len(f.storia(t, id))
	v := ver(sg.Versione)

	var fe httpx.FieldErrors
	for name, c := range map[string]struct {
		in         EsitoInput
		field, msg string
	}{
		"no esito":         {EsitoInput{Versione: v}, "esito", "Scegli l'esito comunicato da INPS: acquisita o scartata."},
		"unknown esito":    {EsitoInput{Esito: "boh", Versione: v}, "esito", "L'esito può essere soltanto «acquisita» o «scartata»."},
		"scartata, no why": {EsitoInput{Esito: EsitoScartata, Motivo: "  \r\n ", Versione: v}, "motivo_scarto", "Indica il motivo dello scarto comunicato da INPS: il case manager lo vedrà per correggere la segnalazione con una rettifica."},
		"too long":         {EsitoInput{Esito: EsitoScartata, Motivo: strings.Repeat("x", MaxMotivo+1), Versione: v}, "motivo_scarto", "Il testo supera i 2000 caratteri: riassumilo."},
		"future":           {EsitoInput{Esito: EsitoAcquisita, Data: "2026-10-24", Versione: v}, "data_esito", "La data dell'esito non può essere futura."},
		"before the send":  {EsitoInput{Esito: EsitoAcquisita, Data: "2026-10-19", Versione: v}, "data_esito", "La data dell'esito non può precedere l'invio a INPS, del 20/10/2026."},
		"not a date":       {EsitoInput{Esito: EsitoAcquisita, Data: "32/10/2026", Versione: v}, "data_esito", "La data dell'esito non è valida: usa il formato gg/mm/aaaa."},
	} {
		if _, err := f.svc.RegistraEsito(ctx, co, id, c.in, registro.Voce{}); !errors.As(err, &fe) || fe[c.field] != c.msg {
			t.Errorf("%s: %v, want %s: %q", name, err, c.field, c.msg)
		}
	}
	// A stale versione: a conflict, and nothing written.
	got, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Versione: ver(sg.Versione - 1)}, registro.Voce{})
	if !errors.Is(err, ErrConflict) || got != inv.ID {
		t.Fatalf("stale versione: %v (batch %d)", err, got)
	}
	if now := f.dettaglio(t, id); now.Esito.Registrato() || now.Versione != sg.Versione || len(f.storia(t, id)) != prima {
		t.Fatalf("refused esiti wrote something: %+v", now.Esito)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND dettaglio LIKE '%esito INPS%'`); n != 0 {
		t.Fatalf("%d writes recorded for refused esiti", n)
	}

	// Acquisita, dated today by default.
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Versione: v}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sg = f.dettaglio(t, id)
	if sg.Esito.Valore != EsitoAcquisita || sg.Esito.Il == nil || sg.Esito.Il.Format(time.DateOnly) != "2026-10-23" || sg.Esito.Da == "" || sg.Stato != Inviata {
		t.Fatalf("acquisita: %+v %s", sg.Esito, sg.Stato)
	}
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Data: "2026-10-23", Versione: ver(sg.Versione)}, registro.Voce{}); !errors.As(err, &fe) || !strings.Contains(fe["esito"], "già registrato") {
		t.Fatalf("the same esito again: %v", err)
	}
	// Corrected: scartata, with INPS's reason; never silently overwritten.
	const motivo = "Codice fiscale del componente non presente nel nucleo della domanda."
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoScartata, Motivo: motivo, Data: "2026-10-22", Versione: ver(sg.Versione)}, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	st := f.storia(t, id)
	if len(st) != prima+2 ||
		st[prima] != "inviata>inviata Esito INPS: acquisita, comunicato il 23/10/2026" ||
		st[prima+1] != "inviata>inviata Esito INPS corretto (prima: acquisita del 23/10/2026). Esito INPS: scartata, comunicato il 22/10/2026 — "+motivo {
		t.Fatalf("history: %q", st)
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE azione = 'scrittura' AND oggetto_id = $1 AND caso_id = $2
		AND dettaglio IN ('esito INPS: acquisita', 'correzione dell''esito INPS: acquisita → scartata')`, id.String(), f.caso.String()); n != 2 {
		t.Errorf("%d registro records of the esiti", n)
	}
	if n := f.count(t, `SELECT count(*) FROM caso_storico WHERE caso_id = $1 AND evento = 'segnalazione' AND a = 'Esito INPS: scartata'`, f.caso); n != 1 {
		t.Errorf("%d case history events of the scarto", n)
	}

	// The case manager sees it, and is prompted to rectify.
	sg = f.dettaglio(t, id)
	if sg.Esito.Valore != EsitoScartata || sg.Esito.Nota != motivo || sg.Esito.Il.Format(time.DateOnly) != "2026-10-22" {
		t.Fatalf("case manager's esito: %+v", sg.Esito)
	}
	page := renderDettaglio(t, f, id)
	for _, want := range []string{
		"INPS ha scartato la segnalazione: Codice fiscale del componente non presente nel nucleo della domanda.</strong> Correggila con una rettifica.",
		"Scartata da INPS", "comunicato il 22/10/2026", `data-testid="rettifica"`, ">Esito INPS</th>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("case manager's page lacks %q", want)
		}
	}
	if strings.Contains(page, "Inviata a INPS → Inviata a INPS") {
		t.Error("the history shows the esito as a state change")
	}
	if list := renderElenco(t, f); !strings.Contains(list, "Scartata da INPS") {
		t.Error("the case manager's list does not show the esito")
	}
	// What was sent stays frozen; the database keeps the esito's rules.
	for _, sql := range []string{
		`UPDATE segnalazione SET descrizione = 'altro' WHERE id = $1`,
		`UPDATE segnalazione SET esito_inps_nota = '' WHERE id = $1`,
		`UPDATE segnalazione SET esito_inps = 'respinta' WHERE id = $1`,
	} {
		if _, err := f.pool.Exec(ctx, sql, id); err == nil {
			t.Errorf("the database accepted %s", sql)
		}
	}

	// The coordinatore's queue counts it until a rectification reaches them.
	scartateCoda := func() int {
		t.Helper()
		c, err := f.svc.Coda(ctx, co, 1, registro.Voce{})
		if err != nil {
			t.Fatal(err)
		}
		return c.Scartate
	}
	if n := scartateCoda(); n != 1 {
		t.Errorf("queue: %d scartate", n)
	}
	sc, err := f.svc.Scartate(ctx, co, 1, registro.Voce{})
	if err != nil || len(sc.Righe) != 1 || sc.Righe[0].ID != id || sc.Righe[0].InvioID != inv.ID || sc.Righe[0].Esito.Nota != motivo {
		t.Fatalf("scartate: %v %+v", err, sc.Righe)
	}
	r, err := f.svc.Rettifica(ctx, cm, f.caso, id, ver(f.dettaglio(t, id).Versione), registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if n := scartateCoda(); n != 1 {
		t.Errorf("a rectification in bozza (the case manager's only): %d scartate", n)
	}
	if page := renderDettaglio(t, f, id); !strings.Contains(page, "è in corso") || strings.Contains(page, "Correggila con una rettifica") {
		t.Error("with a rectification started, the page still prompts for one")
	}
	if err := f.svc.InviaInApprovazione(ctx, cm, f.caso, r, ver(f.dettaglio(t, r).Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if n := scartateCoda(); n != 0 {
		t.Errorf("rectification in approvazione: %d scartate", n)
	}
	// A rettificata one still accepts an esito (INPS answers late).
	d, err := f.svc.Decisione(ctx, co, r, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Approva(ctx, co, r, ver(d.Versione), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Esporta(ctx, co, registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if o := f.dettaglio(t, id); o.Stato != Rettificata {
		t.Fatalf("original: %s", o.Stato)
	}
	if _, err := f.svc.RegistraEsito(ctx, co, id, EsitoInput{Esito: EsitoAcquisita, Versione: ver(f.dettaglio(t, id).Versione)}, registro.Voce{}); err != nil {
		t.Errorf("esito of a rettificata segnalazione: %v", err)
	}
	if st := f.storia(t, id); !strings.HasPrefix(st[len(st)-1], "rettificata>rettificata Esito INPS corretto") {
		t.Errorf("last history row %q", st[len(st)-1])
	}
}

// The batch's page: its header, the segnalazioni it carried with their
// esito, nothing of the member; recorded. A coordinatore of another ambito
// or comune, and the case manager, reach neither the page nor the esito
// (404, refusal recorded, nothing written).
func TestInvioEdEsitoFuoriAmbito(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	co := f.people["coordinatore"]
	id, invio := f.inviata(t)

	letture := `SELECT count(*) FROM registro_accessi WHERE azione = 'lettura' AND oggetto_tipo = 'segnalazione_invio' AND oggetto_id = $1`
	pi, err := f.svc.Invio(ctx, co, invio, 1, registro.Voce{})
	if err != nil {
		t.Fatal(err)
	}
	if pi.Invio.Numero != 1 || len(pi.Righe) != 1 || pi.Righe[0].ID != id || pi.Righe[0].Comune != "Casalecchio di Reno" ||
		pi.Righe[0].Stato != Inviata || pi.InAttesa != 1 || pi.Righe[0].Tipo != "Mancata presentazione ai servizi" {
		t.Fatalf("batch page: %+v", pi)
	}
	if n := f.count(t, letture, strconv.FormatInt(invio, 10)); n != 1 {
		t.Errorf("%d records of the batch page's read", n)
	}
	var b strings.Builder
	if err := invioPage(ui.Shell{}, pi, "", &formEsito{Seg: id, In: EsitoInput{Esito: EsitoScartata, Data: "2026-10-20"},
		Errs: httpx.FieldErrors{"motivo_scarto": "Indica il motivo dello scarto"}}).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"S-000001", pi.Righe[0].Caso, pi.Invio.SHA256Hex(), "/segnalazioni/invii/" + strconv.FormatInt(invio, 10) + "/file",
		"In attesa di esito", `data-testid="errore-motivo_scarto"`, `value="scartata" id="esito-` + id.String() + `-scartata" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("batch page lacks %q", want)
		}
	}
	for _, not := range []string{"Bianchi Laura", "BNCLRA86A41A944X", "non si è presentata", notaDiario} {
		if strings.Contains(page, not) {
			t.Errorf("batch page shows %q", not)
		}
	}

	a, _ := fixtures.New(t, f.pool).Ambito("ATS-ALTRO", "Altro ambito")
	altro := a.ID
	estraneo := co
	estraneo.AmbitoID, estraneo.Domain = &altro, "ambito:"+strconv.FormatInt(altro, 10)
	var zola int64
	if err := f.pool.QueryRow(ctx, `SELECT id FROM comune WHERE codice_istat = '037060'`).Scan(&zola); err != nil {
		t.Fatal(err)
	}
	diZola := co
	diZola.ComuneID = &zola
	versione := ver(f.dettaglio(t, id).Versione)
	negati := `SELECT count(*) FROM registro_accessi WHERE azione = 'accesso_negato'`
	prima := f.count(t, negati)
	for name, p := range map[string]authz.Principal{"another ambito": estraneo, "comune of Zola": diZola, "case manager": f.people["casemanager"]} {
		if _, err := f.svc.Invio(ctx, p, invio, 1, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: batch page %v", name, err)
		}
		if _, err := f.svc.RegistraEsito(ctx, p, id, EsitoInput{Esito: EsitoAcquisita, Versione: versione}, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: esito %v", name, err)
		}
		if sc, err := f.svc.Scartate(ctx, p, 1, registro.Voce{}); p.Ruolo == authz.CoordinatorePaIS && (err != nil || len(sc.Righe) != 0) {
			t.Errorf("%s: scartate %v", name, err)
		}
	}
	if n := f.count(t, negati); n != prima+4 {
		t.Errorf("%d refusals recorded, want 4", n-prima)
	}
	if sg := f.dettaglio(t, id); sg.Esito.Registrato() || ver(sg.Versione) != versione {
		t.Errorf("an out-of-scope esito was written: %+v", sg.Esito)
	}
	if _, err := f.svc.Invio(ctx, co, invio+1, 1, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a batch that does not exist: %v", err)
	}
}
