package controlli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/authz"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// The whole chain: Casalecchio records its period and forwards to Zola
// Predosa; Zola's responsabile sees only the tappa view, records and
// returns; Casalecchio sums the periods and finalises; Zola cannot.
func TestCatenaCasalecchioZola(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setupScheda(t)
	resp := f.people["respcontrolli"]
	id := f.nuova(t, Residenza, "2026-09-15", true)

	f.registra(t, resp, id, "periodi", "comune_istat", "037011", "iscrizione", "2023-03-01")
	sc := f.scheda(t, resp, id)
	if !sc.Completa || sc.Valutazione == nil || sc.Valutazione.Soddisfatto || !sc.Valutazione.ServonoPeriodiPrecedenti {
		t.Fatalf("before the chain: %+v", sc.Valutazione)
	}
	if sc.Periodi[0].ComuneNome != "Casalecchio di Reno" {
		t.Errorf("name from the installation: %q", sc.Periodi[0].ComuneNome)
	}
	if !sc.PuoInoltrare || !sc.PuoFinalizzare {
		t.Fatalf("permissions: %+v", sc)
	}
	// Zola's responsabile does not reach it before the forward.
	if _, err := f.svc.Scheda(ctx, f.resp2, id, registro.Voce{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("zola before forward: %v", err)
	}
	// Not the comune asked, not an unknown comune.
	err := f.svc.Inoltra(ctx, resp, id, f.form(t, id, "comune", "Casalecchio di Reno"), registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || fe["comune"] == "" {
		t.Fatalf("forward to itself: %v", err)
	}
	if err := f.svc.Inoltra(ctx, resp, id, f.form(t, id, "comune", "Atlantide"), registro.Voce{}); !errors.As(err, &fe) {
		t.Fatalf("unknown comune: %v", err)
	}
	if err := f.svc.Inoltra(ctx, resp, id, f.form(t, id, "comune", "zola predosa", "nota_inoltro", "Proveniente da Zola"), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc = f.scheda(t, resp, id)
	if sc.Richiesta.Stato != Inoltrata || len(sc.Tappe) != 1 || sc.PuoFinalizzare || sc.PuoInoltrare {
		t.Fatalf("after forward: %+v %+v", sc.Richiesta.Stato, sc.Tappe)
	}
	// Zola's coordinatore sees the tappa view; its responsabile once assigned.
	tv := f.scheda(t, f.coord2, id)
	if tv.Completa || tv.PuoRegistrare {
		t.Fatalf("coordinatore of zola: %+v", tv)
	}
	f.assegnaTappa(t, id, f.resp2)
	tv = f.scheda(t, f.resp2, id)
	if tv.Completa {
		t.Fatal("zola sees the full view")
	}
	if tv.Richiesta.IDDomanda != "" || tv.Richiesta.CasoID != nil || tv.Richiesta.NoteLavoro != "" || tv.Richiesta.NotaINPS != "" || tv.Esiti != nil {
		t.Fatalf("tappa view shows too much: %+v", tv.Richiesta)
	}
	if len(tv.Periodi) != 0 {
		t.Fatalf("tappa view shows Casalecchio's periods: %+v", tv.Periodi)
	}
	if !tv.Richiesta.Scadenza.Equal(sc.Richiesta.Scadenza) || tv.Richiesta.Comune != "Casalecchio di Reno" {
		t.Fatalf("the first comune's term: %v %s", tv.Richiesta.Scadenza, tv.Richiesta.Comune)
	}
	if !tv.PuoRegistrare || !tv.PuoRestituire {
		t.Fatalf("zola's permissions: %+v", tv)
	}
	// The tappa view's page: the person, the first comune and its term,
	// the chain; not the domanda, the notes, the other comune's periods.
	html := renderScheda(t, tv, Form{})
	for _, want := range []string{"Bianchi Laura", "30/11/2026", "Casalecchio di Reno", "Zola Predosa", "Proveniente da Zola", "restituisci"} {
		if !strings.Contains(html, want) {
			t.Errorf("tappa view without %q", want)
		}
	}
	for _, not := range []string{"INPS-CTL-1", "appunto riservato", "Verificare la residenza", "01/03/2023", `data-testid="finalizza"`, `data-testid="esiti"`} {
		if strings.Contains(html, not) {
			t.Errorf("tappa view shows %q", not)
		}
	}
	if full := renderScheda(t, f.scheda(t, resp, id), Form{}); !strings.Contains(full, "INPS-CTL-1") || !strings.Contains(full, "01/03/2023") {
		t.Error("full view without the domanda or its period")
	}
	// A refused form keeps what was typed, with the message next to the field.
	fm := Form{Nome: "periodi", Valori: f.form(t, id, "comune_istat", "12", "iscrizione", "ieri", "fonte", "Certificato n. 77"),
		Errs: httpx.FieldErrors{"comune_istat": "Il codice ISTAT del comune ha 6 cifre (per esempio 037011)."}}
	if html := renderScheda(t, tv, fm); !strings.Contains(html, "Certificato n. 77") || !strings.Contains(html, "ha 6 cifre") {
		t.Error("refused form lost what was typed")
	}
	// Zola cannot finalise.
	if err := f.svc.Finalizza(ctx, f.resp2, id, f.form(t, id, "esito", "positivo", "motivazione", "x"), registro.Voce{}); !errors.Is(err, ErrStato) {
		t.Fatalf("zola finalises: %v", err)
	}
	// Returning without periods is refused with a message.
	if err := f.svc.Restituisci(ctx, f.resp2, id, f.form(t, id, "esito_tappa", "restituita"), registro.Voce{}); !errors.As(err, &fe) {
		t.Fatalf("return without periods: %v", err)
	}
	f.registra(t, f.resp2, id, "periodi", "comune_istat", "037060", "iscrizione", "2019-01-01", "cancellazione", "2023-02-28")
	f.registra(t, f.resp2, id, "documenti", "tipo_documento", "Certificato storico di residenza")
	if err := f.svc.Restituisci(ctx, f.resp2, id, f.form(t, id, "esito_tappa", "restituita"), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	// Zola still sees its tappa view (closed), and can no longer write.
	tv = f.scheda(t, f.resp2, id)
	if tv.Completa || tv.PuoRegistrare || tv.PuoRestituire || tv.Tappe[0].Esito != "restituita" {
		t.Fatalf("zola after return: %+v", tv)
	}
	// Casalecchio sums and finalises.
	sc = f.scheda(t, resp, id)
	if sc.Richiesta.Stato != Aperta || len(sc.Periodi) != 2 || !sc.Valutazione.Soddisfatto {
		t.Fatalf("after return: %s %d %+v", sc.Richiesta.Stato, len(sc.Periodi), sc.Valutazione)
	}
	if sc.EsitoProposto() != "positivo" || sc.MotivazioneProposta() == "" {
		t.Fatalf("proposal: %q %q", sc.EsitoProposto(), sc.MotivazioneProposta())
	}
	if v := sc.Valutazione; v.Mancano != 0 || v.GiorniCoperti < v.GiorniRichiesti || !v.Continuita {
		t.Errorf("sum: %d of %d", v.GiorniCoperti, v.GiorniRichiesti)
	}
	if err := f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", "positivo", "motivazione", sc.MotivazioneProposta()), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc = f.scheda(t, resp, id)
	if sc.Richiesta.Stato != Conclusa || len(sc.Esiti) != 1 || !sc.Esiti[0].EntroTermine || sc.PuoRegistrare || !sc.PuoRettificare {
		t.Fatalf("finalised: %+v", sc)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_esito WHERE richiesta_id = $1 AND valutazione->>'Soddisfatto' = 'true'`, id); n != 1 {
		t.Errorf("snapshot of the evaluation: %d", n)
	}
	// Everything recorded: reads and writes on the request.
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_tipo = 'controllo' AND oggetto_id = $1 AND azione = 'scrittura'`, id.String()); n != 6 {
		t.Errorf("writes recorded: %d", n)
	}
}

// A finalised esito is immutable (service and database); a rectification
// is a new esito referencing it.
func TestEsitoImmutabileRettifica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setupScheda(t)
	resp := f.people["respcontrolli"]
	id := f.nuova(t, Soggiorno, "2026-09-15", false)
	f.registra(t, resp, id, "documenti", "tipo_documento", "Permesso di soggiorno UE per soggiornanti di lungo periodo", "data_documento", "2020-05-04")
	if err := f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", "positivo", "motivazione", "Permesso in corso di validità"), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	// No more records once finalised.
	err := f.svc.Registra(ctx, resp, id, "documenti", f.form(t, id, "tipo_documento", "Altro"), registro.Voce{})
	if !errors.Is(err, ErrStato) {
		t.Fatalf("record after esito: %v", err)
	}
	var primo int64
	if err := f.pool.QueryRow(ctx, `SELECT id FROM controllo_esito WHERE richiesta_id = $1`, id).Scan(&primo); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE controllo_esito SET esito = 'negativo' WHERE id = $1`, primo); err == nil {
		t.Fatal("the database changed a finalised esito")
	}
	if _, err := f.pool.Exec(ctx, `DELETE FROM controllo_esito WHERE id = $1`, primo); err == nil {
		t.Fatal("the database deleted a finalised esito")
	}
	if err := f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", "non_verificabile", "motivazione", "Il permesso risulta revocato: in verifica"), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	sc := f.scheda(t, resp, id)
	if len(sc.Esiti) != 2 || sc.Esiti[0].RettificaDi == nil || *sc.Esiti[0].RettificaDi != primo || sc.Esiti[1].Esito != Positivo {
		t.Fatalf("rectification: %+v", sc.Esiti)
	}
	if sc.Ultimo().Esito != NonVerificabile {
		t.Fatalf("in force: %+v", sc.Ultimo())
	}
}

// Stale versione → conflict; another comune's responsabile, or a
// responsabile not assigned, gets not found (recorded as refused); bad
// input gives Italian messages per field.
func TestScopeConflittoErrori(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setupScheda(t)
	resp := f.people["respcontrolli"]
	id := f.nuova(t, Residenza, "2026-09-15", true)
	old := f.versione(t, id)
	f.registra(t, resp, id, "assenze", "dal", "2025-01-10", "al", "2025-02-10")
	in := f.form(t, id, "comune_istat", "037011", "iscrizione", "2020-01-01")
	in.Set("versione", old)
	if err := f.svc.Registra(ctx, resp, id, "periodi", in, registro.Voce{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale versione: %v", err)
	}
	for _, p := range []string{"resp2", "altro", "coord2", "casemanager", "coordinatore"} {
		pr := map[string]any{"resp2": f.resp2, "altro": f.altro, "coord2": f.coord2}[p]
		who := f.people[p]
		if pr != nil {
			who = pr.(authz.Principal)
		}
		if _, err := f.svc.Scheda(ctx, who, id, registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s reads: %v", p, err)
		}
		if err := f.svc.Registra(ctx, who, id, "periodi", f.form(t, id, "comune_istat", "037011", "iscrizione", "2020-01-01"), registro.Voce{}); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s writes: %v", p, err)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM registro_accessi WHERE oggetto_id = $1 AND azione = 'accesso_negato' AND esito = 'negato'`, id.String()); n != 10 {
		t.Errorf("refusals recorded: %d", n)
	}
	// The coordinatore of the comune reads the full view but does not write.
	if sc := f.scheda(t, f.people["coordcontrolli"], id); !sc.Completa || sc.PuoRegistrare {
		t.Fatalf("coordinatore: %+v", sc)
	}
	err := f.svc.Registra(ctx, resp, id, "periodi", f.form(t, id, "comune_istat", "37011", "iscrizione", "31/02/2020", "cancellazione", "2019-01-01"), registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || fe["comune_istat"] == "" || fe["iscrizione"] == "" {
		t.Fatalf("bad period: %v", err)
	}
	err = f.svc.Registra(ctx, resp, id, "assenze", f.form(t, id, "dal", "2025-03-10", "al", "2025-02-10"), registro.Voce{})
	if !errors.As(err, &fe) || fe["al"] == "" {
		t.Fatalf("bad absence: %v", err)
	}
	// Removal: own records only, before the esito.
	sc := f.scheda(t, resp, id)
	if err := f.svc.Elimina(ctx, resp, id, "assenze", sc.Assenze[0].ID, f.versione(t, id), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if len(f.scheda(t, resp, id).Assenze) != 0 {
		t.Fatal("absence not removed")
	}
}
