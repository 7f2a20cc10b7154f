package controlli

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cartella/cartella/internal/casi"
	"github.com/cartella/cartella/internal/httpx"
	"github.com/cartella/cartella/internal/registro"
)

// A negative controllo ex post drafts, in the same transaction, a
// segnalazione in approvazione with origine controlli; without the case it
// cannot be finalised negatively, and says why.
func TestExPostNegativoSegnalazione(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setupScheda(t)
	resp := f.people["respcontrolli"]

	senza := f.nuova(t, ResidenzaExPost, "2026-10-15", false)
	f.registra(t, resp, senza, "periodi", "comune_istat", "037011", "iscrizione", "2015-01-01")
	f.registra(t, resp, senza, "assenze", "dal", "2026-03-01", "al", "2026-06-30")
	err := f.svc.Finalizza(ctx, resp, senza, f.form(t, senza, "esito", "negativo", "motivazione", "Assenza di 4 mesi"), registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || !strings.Contains(fe["esito"], "collegata") {
		t.Fatalf("ex post without case: %v", err)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_esito WHERE richiesta_id = $1`, senza); n != 0 {
		t.Fatalf("half-applied: %d", n)
	}

	id := f.nuova(t, ResidenzaExPost, "2026-10-15", true)
	f.registra(t, resp, id, "periodi", "comune_istat", "037011", "iscrizione", "2015-01-01")
	f.registra(t, resp, id, "assenze", "dal", "2026-03-01", "al", "2026-06-30")
	sc := f.scheda(t, resp, id)
	if sc.Valutazione.Soddisfatto || len(sc.Valutazione.Interruzioni) == 0 || sc.EsitoProposto() != "negativo" {
		t.Fatalf("evaluation: %+v", sc.Valutazione)
	}
	if err := f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", "negativo", "motivazione", sc.MotivazioneProposta()), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	var origine, stato, cf, tipo string
	if err := f.pool.QueryRow(ctx, `SELECT s.origine, s.stato, p.codice_fiscale, t.codice
		FROM controllo_esito e JOIN segnalazione s ON s.id = e.segnalazione_id JOIN persona p ON p.id = s.persona_id
		JOIN segnalazione_tipo t ON t.id = s.tipo_id WHERE e.richiesta_id = $1`, id).Scan(&origine, &stato, &cf, &tipo); err != nil {
		t.Fatal(err)
	}
	if origine != "controlli" || stato != "in_approvazione" || cf != cfMadre || tipo != "perdita_residenza" {
		t.Fatalf("segnalazione: %s %s %s %s", origine, stato, cf, tipo)
	}
	// A rectification that stays negative drafts no second segnalazione.
	if err := f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", "negativo", "motivazione", "Confermato, assenza documentata"), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM segnalazione WHERE caso_id = $1`, f.caso.ID); n != 1 {
		t.Fatalf("segnalazioni: %d", n)
	}

	// The case manager's section: esito and date, nothing else.
	sez, err := casi.LeggiSezione(ctx, f.pool, f.svc, f.caso.Caso)
	if err != nil {
		t.Fatal(err)
	}
	if sez.Titolo != "Controlli anagrafici" || !strings.Contains(sez.Testo, "negativo del 20/10/2026") {
		t.Fatalf("section: %+v", sez)
	}
	for _, riservato := range []string{"Assenza", "assenz", "appunto", "Confermato", "Verificare", "Casalecchio"} {
		if strings.Contains(sez.Testo, riservato) {
			t.Errorf("the section shows %q: %s", riservato, sez.Testo)
		}
	}
}

// A verifica del nucleo: the declared composition next to the
// discrepancies; finalising with discrepancies is negativo with one
// segnalazione each; without them, positivo.
func TestVerificaNucleo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setupScheda(t)
	resp := f.people["respcontrolli"]
	id := f.nuova(t, ComposizioneNucleo, "2026-10-01", true)
	sc := f.scheda(t, resp, id)
	if sc.Nucleo == nil || len(sc.Nucleo.Dichiarati) != 2 || sc.Nucleo.Dichiarati[0].CodiceFiscale != cfMadre {
		t.Fatalf("declared: %+v", sc.Nucleo)
	}
	if sc.Valutazione != nil || sc.PuoInoltrare {
		t.Fatal("no evaluation or chain for a verifica del nucleo")
	}
	err := f.svc.RegistraDiscrepanza(ctx, resp, id, f.form(t, id, "tipo_discrepanza", "boh", "descrizione_discrepanza", ""), registro.Voce{})
	var fe httpx.FieldErrors
	if !errors.As(err, &fe) || fe["tipo_discrepanza"] == "" || fe["descrizione_discrepanza"] == "" {
		t.Fatalf("bad discrepancy: %v", err)
	}
	for _, kv := range [][]string{
		{"tipo_discrepanza", "componente_non_residente", "cf_discrepanza", "BNCMRC16A01A944X", "descrizione_discrepanza", "Emigrato in Francia dal 2025"},
		{"tipo_discrepanza", "componente_non_dichiarato", "cf_discrepanza", "RSSMRA80A01A944X", "descrizione_discrepanza", "Convivente non dichiarato"},
	} {
		if err := f.svc.RegistraDiscrepanza(ctx, resp, id, f.form(t, id, kv...), registro.Voce{}); err != nil {
			t.Fatal(err)
		}
	}
	err = f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", "positivo", "motivazione", "ok"), registro.Voce{})
	if !errors.As(err, &fe) || fe["esito"] == "" {
		t.Fatalf("positivo with discrepancies: %v", err)
	}
	sc = f.scheda(t, resp, id)
	if err := f.svc.Finalizza(ctx, resp, id, f.form(t, id, "esito", sc.EsitoProposto(), "motivazione", sc.MotivazioneProposta()), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM segnalazione s JOIN segnalazione_tipo t ON t.id = s.tipo_id
		WHERE s.caso_id = $1 AND s.origine = 'controlli' AND s.stato = 'in_approvazione' AND t.codice = 'discrepanza_nucleo'`, f.caso.ID); n != 2 {
		t.Fatalf("segnalazioni: %d", n)
	}
	if n := f.count(t, `SELECT count(*) FROM controllo_discrepanza WHERE richiesta_id = $1 AND segnalazione_id IS NOT NULL`, id); n != 2 {
		t.Fatalf("discrepancies linked: %d", n)
	}
	if e := f.scheda(t, resp, id).Ultimo(); e == nil || e.Esito != Negativo {
		t.Fatalf("esito: %+v", e)
	}

	// Without discrepancies: positivo, no segnalazione.
	id2 := f.nuova(t, ComposizioneNucleo, "2026-10-01", true)
	if err := f.svc.Finalizza(ctx, resp, id2, f.form(t, id2, "esito", "negativo", "motivazione", "x"), registro.Voce{}); !errors.As(err, &fe) {
		t.Fatalf("negativo without discrepancies: %v", err)
	}
	if err := f.svc.Finalizza(ctx, resp, id2, f.form(t, id2, "esito", "positivo", "motivazione", "Corrisponde"), registro.Voce{}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, `SELECT count(*) FROM segnalazione WHERE caso_id = $1`, f.caso.ID); n != 2 {
		t.Fatalf("segnalazioni after a positive verifica: %d", n)
	}
}
