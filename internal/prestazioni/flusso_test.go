package prestazioni

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	inpswaas "github.com/cartella/cartella/docs/specs/inps-waas"
	"github.com/cartella/cartella/internal/casi"
)

// xsdRepo is INPS's schema as the repository holds it.
var xsdRepo = filepath.Join("..", "..", "docs", "specs", "inps-waas", "PS_PSA_SINA201812.xsd")

// richiediXmllint fails the test when xmllint is missing: `make xmllint`
// (a prerequisite of `make test`) installs it.
func richiediXmllint(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is not installed: run `make xmllint` (Debian's libxml2-utils); the SIUSS flows are validated with it (ADR 0020)")
	}
}

// validaConRepo validates flow with xmllint against the repository's file
// (not the embedded copy), so the test reads INPS's file itself.
func validaConRepo(t *testing.T, flow []byte) {
	t.Helper()
	cmd := exec.Command("xmllint", "--noout", "--nonet", "--schema", xsdRepo, "-")
	cmd.Stdin = strings.NewReader(string(flow))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("flow not valid against %s: %v\n%s\n%s", xsdRepo, err, out, flow)
	}
}

func giorno(s string) *time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return &d
}

var (
	enteProva = Ente{AmbitoID: 1, CodiceEnte: "A944", Belfiore: "A944", Denominazione: "Comune di Bologna", CFOperatore: "RSSMRA80A01A944X"}
	beneProva = casi.BeneficiarioSIUSS{PersonaID: uuid.New(), CodiceFiscale: "BNCLRA85M41A944S", Cognome: "Bianchi", Nome: "Laura",
		Sesso: "F", DataNascita: time.Date(1985, 8, 1, 0, 0, 0, 0, time.UTC), Cittadinanza: "ITA", ComuneISTAT: "037006", Regione: "Emilia-Romagna"}
)

func periodicaISEE() Dati {
	return Dati{Codice: "A1.09", Denominazione: "Contributo economico per l'affitto", Carattere: "1", ProvaMezzi: "1",
		DSUProtocollo: "INPS-ISEE-2026-00012345A-00", DSUAnno: "2026", DSUData: giorno("2026-01-15"), ProtocolloDomanda: "PG/2026/1234",
		DataInizio: giorno("2026-02-01"), DataFine: giorno("2026-12-31"), Periodo: 11, ImportoMensile: "300.00",
		QuotaEnte: "250.00", QuotaUtente: "50.00", SogliaISEE: "9360.00", PresaCarico: "1", AreaUtenza: "3"}
}

func conSINA() Dati {
	d := Dati{Codice: "B2.01", Denominazione: "Assistenza domiciliare socio-assistenziale", Carattere: "1", ProvaMezzi: "4",
		ProtocolloDomanda: "PG/2026/77", DataInizio: giorno("2026-03-01"), ImportoMensile: "420.50", OreMensili: "20.30",
		PresaCarico: "1", AreaUtenza: "2"}
	d.SINA = &SINA{Mobilita: "2", AttivitaVita: "3", Cognitivi: "2", Comportamentali: "1", Cure: "2", Reddituale: "2",
		Supporto: "2", Fonte: "1", Strumento: "1", FonteInvalidita: "1", Invalidita: []string{"2", "6"}, Interventi: []string{"B2.01", "A1.09"}}
	return d
}

// TestFlussiValidiXSD: the flows of an insertion, a cancellation, a
// correction (C then I) and one with a SINA assessment validate against
// INPS's schema, with xmllint on the repository's file and through the
// Validatore (the embedded copy, the same bytes).
func TestFlussiValidiXSD(t *testing.T) {
	richiediXmllint(t)
	b, err := os.ReadFile(xsdRepo)
	if err != nil || string(b) != string(inpswaas.PSPSASINA) {
		t.Fatalf("the embedded schema differs from %s (%v)", xsdRepo, err)
	}
	v := NuovoValidatore()
	ts := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC) // 4 December in Italy
	casi := []struct {
		nome string
		d    Dati
		op   Operazione
	}{
		{"I periodica con ISEE", periodicaISEE(), Inserimento},
		{"C", periodicaISEE(), Cancellazione},
		{"I una tantum", Dati{Codice: "C3.02", Denominazione: "Contributo economico una tantum", Carattere: "2", ProvaMezzi: "2",
			ProtocolloDomanda: "77", DataErogazione: giorno("2026-05-10"), Importo: "150.00", PresaCarico: "2"}, Inserimento},
		{"I con SINA", conSINA(), Inserimento},
		{"C con SINA", conSINA(), Cancellazione},
	}
	for i, c := range casi {
		id := IDFlusso(enteProva.CodiceEnte, ts, i+1)
		flow, err := ComponiFlusso(id, enteProva, beneProva, c.d, c.op)
		if err != nil {
			t.Fatal(err)
		}
		validaConRepo(t, flow)
		if err := v.Valida(context.Background(), flow); err != nil {
			t.Fatalf("%s: %v", c.nome, err)
		}
		if !strings.Contains(string(flow), `TipoOperazione="`+string(c.op)+`"`) || !strings.Contains(string(flow), `Nome="`+id+`"`) {
			t.Fatalf("%s: %s", c.nome, flow)
		}
	}
	if id := IDFlusso("A944", ts, 3); id != "A944.PS.20261204.0000003" {
		t.Fatalf("id_flusso %q", id)
	}
}

// TestFlussoNonValido: a flow the schema refuses is reported field by
// field, in Italian.
func TestFlussoNonValido(t *testing.T) {
	richiediXmllint(t)
	d := periodicaISEE()
	d.Denominazione = "Breve"
	d.DSUAnno = "26"
	d.AreaUtenza = "9"
	b := beneProva
	b.Cognome = ""
	flow, err := ComponiFlusso("A944.PS.20261204.0000001", enteProva, b, d, Inserimento)
	if err != nil {
		t.Fatal(err)
	}
	err = NuovoValidatore().Valida(context.Background(), flow)
	es, ok := err.(*ErroreSchema)
	if !ok {
		t.Fatalf("got %v", err)
	}
	got := map[string]string{}
	for _, c := range Traduci(es) {
		got[c.Nome] += c.Messaggio
	}
	t.Logf("%q\n%q", es.Messaggi, got)
	for _, f := range []string{"codice", "dsu_anno", "area_utenza", "persona_id"} {
		if got[f] == "" {
			t.Errorf("no message for %s: %q", f, got)
		}
	}
	if !strings.Contains(got["codice"], "troppo corto") || !strings.Contains(got["persona_id"], "anagrafica") {
		t.Errorf("messages %q", got)
	}
}

func TestCodici(t *testing.T) {
	for in, want := range map[string]string{"ITA": "380", "MAR": "504", "": "990", "XXA": "990", "ZZZ": "990", "ROU": "642"} {
		if got := CodiceCittadinanza(in); got != want {
			t.Errorf("CodiceCittadinanza(%q) = %q, want %q", in, got, want)
		}
	}
	if got := LuogoNascita(casi.BeneficiarioSIUSS{CodiceFiscale: "BNCLRA85M41A9QRS"}); got != "A945" {
		t.Errorf("omocodia: %q", got)
	}
	if CodiceRegione("Emilia-Romagna") != "08" || CodiceRegione("Valle d'Aosta/Vallée d'Aoste") != "02" || CodiceRegione("?") != "" {
		t.Error("regioni")
	}
}
